"""`voting event report`: an event's report as a PDF file, as the share link shows it."""

from __future__ import annotations

from pathlib import Path

import click

from voting.cli.base import db_option, event, load_room, open_store
from voting.i18n import LANGUAGES


@event.command("report")
@click.argument("code")
@click.option(
    "--pdf",
    "target",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The PDF file to write.",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="nl",
    show_default=True,
    help="The report's language (statements where translated).",
)
@click.option("--both", is_flag=True, help="Dutch and French side by side.")
@db_option
def report_command(code: str, target: Path, language: str, both: bool, db: str) -> None:
    """Write an event's report as a PDF (the room's privacy rules for small roles)."""
    # Imported on use: the web app, NumPy and scikit-learn would slow every `voting` command.
    from voting import reporting
    from voting.analysis.event import event_map
    from voting.app import make_templates
    from voting.reporting import pdf

    store = open_store(db, write=False)
    try:
        room = load_room(store, code, db)
        page = pdf.html(
            make_templates().env,
            language,
            room=room,
            moderator=False,
            share_url=None,
            pdf_url=None,
            error=None,
            report=reporting.build(store, room, language, both=both, opinion_map=event_map(room)),
        )
    finally:
        store.close()
    document = pdf.render(page)
    try:
        target.write_bytes(document)
    except OSError as error:
        raise click.ClickException(f"cannot write {target}: {error.strerror}") from None
    click.echo(f"{target}: {len(document) // 1024} KB")
