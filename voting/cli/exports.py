"""`voting event export`: an event's results, anonymous, to standard output."""

from __future__ import annotations

import json
import sys

import click

from voting import export
from voting.cli.base import db_option, event, open_store
from voting.live import Room
from voting.settings import Settings


@event.command("export")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "votes-csv", "comments-csv", "zip"]),
    default="json",
    show_default=True,
    help="json: everything; csv: results per option; votes-csv: every vote (anonymous);"
    " comments-csv: every comment; zip: all of them (binary: redirect it to a file).",
)
@db_option
def export_command(code: str, fmt: str, db: str) -> None:
    """Write an event's results (anonymous) to standard output."""
    store = open_store(db, write=False)
    found = store.event_by_code(code)
    if found is None:
        store.close()
        raise click.ClickException(f"there is no event with code {code!r} in {db}")
    room = Room.load(store, found)
    room.role_minimum = Settings.from_env().role_minimum
    if fmt == "csv":
        sys.stdout.write(export.results_csv(room))
    elif fmt == "comments-csv":
        sys.stdout.write(export.comments_csv(room))
    elif fmt == "votes-csv":
        sys.stdout.write(export.votes_csv(store, room))
    elif fmt == "zip":
        sys.stdout.buffer.write(export.zipped(store, room))
    else:
        click.echo(json.dumps(export.results(store, room), ensure_ascii=False, indent=2))
    store.close()
