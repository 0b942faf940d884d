"""`voting database copy`: move every event from one database to another, e.g. from the
SQLite file of one host to the PostgreSQL database several hosts will share."""

from __future__ import annotations

from pathlib import Path

import click

from voting.cli.base import main, open_store, where
from voting.store.copy import TargetNotEmpty, copy_database, counts
from voting.store.dialect import is_postgres


@main.group()
def database() -> None:
    """Copy the database to another store."""


@database.command("copy")
@click.argument("source")
@click.argument("target")
def copy(source: str, target: str) -> None:
    """Copy every event, with its statements, votes, comments, tickets and settings, from
    SOURCE to TARGET (each a SQLite file or a postgresql:// URL). TARGET must hold no event
    yet; it is created if it is a new file. Stop the servers on SOURCE first: votes cast
    during the copy would not be in it. SOURCE is brought to the current schema (as
    `voting serve` would) and otherwise left as it is."""
    if not is_postgres(source) and not Path(source).is_file():
        raise click.ClickException(f"there is no database at {source}")
    if source == target:
        raise click.ClickException("the source and the target are the same database")
    reading, writing = open_store(source, write=False), open_store(target, write=False)
    try:
        try:
            copied = copy_database(reading.conn, writing.conn)
        except TargetNotEmpty:
            raise click.ClickException(
                f"{where(target)} already holds events: copy into an empty database"
            ) from None
        if counts(writing.conn) != counts(reading.conn):  # read back what was committed
            raise click.ClickException(f"the copy in {where(target)} does not match {where(source)}")
    finally:
        reading.close()
        writing.close()
    counted = ", ".join(
        f"{copied[table]} {noun if copied[table] == 1 else noun + 's'}"
        for table, noun in (("statements", "statement"), ("votes", "vote"), ("comments", "comment"),
                            ("participants", "participant"))
    )  # fmt: skip
    events = copied["events"]
    click.echo(
        f"Copied {events} {'event' if events == 1 else 'events'} ({counted})"
        f" from {where(source)} to {where(target)}."
    )
