"""`voting event export`: an event's results, anonymous, to standard output or a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voting.cli.base import db_option, event, load_room, open_store
from voting.exports import FORMATS, write
from voting.i18n import LANGUAGES

BINARY = ("xlsx", "zip", "polis")


@event.command("export")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="json",
    show_default=True,
    help="json: everything (docs/export.md); csv: results per answer and round; votes-csv: every"
    " vote (anonymous); comments-csv: every comment; roles-csv: results per role (exact);"
    " xlsx: an Excel workbook of all of them; zip: all of them; polis: Pol.is's export format"
    " (a zip). Binary formats need --output or a redirected standard output.",
)
@click.option(
    "--language",
    type=click.Choice(list(LANGUAGES)),
    default="nl",
    show_default=True,
    help="The workbook's headers, and the CSV separator and decimal mark"
    " (nl, fr: ';' and ','; en: ',' and '.').",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@db_option
def export_command(code: str, fmt: str, language: str, output: Path | None, db: str) -> None:
    """Write an event's results (anonymous; the organiser's full export) to standard output."""
    store = open_store(db, write=False)
    try:
        room = load_room(store, code, db)
        content = write(fmt, store, room, language)
    finally:
        store.close()
    if output is not None:
        output.write_bytes(content)
    elif fmt in BINARY and sys.stdout.isatty():
        raise click.ClickException(f"{fmt} is binary: give --output FILE or redirect standard output")
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
