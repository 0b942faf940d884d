"""The `voting` command's groups and the options its commands share."""

from __future__ import annotations

from collections.abc import Callable

import click

from voting import qr
from voting.health import StorageError, check_database
from voting.links import all_links
from voting.live import Room
from voting.models import Event
from voting.settings import Settings
from voting.store import Store

db_option = click.option(
    "--db",
    envvar="VOTING_DB",
    default="voting.db",
    show_default=True,
    help="The database: a SQLite file, or a postgresql:// URL (also VOTING_DB).",
)


def links_options(public_url_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--public-url (the base of printed links) and --json, as the event commands take them."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        command = click.option(
            "--json", "as_json", is_flag=True, help="Print a JSON object instead of text."
        )(command)
        return click.option(
            "--public-url",
            envvar="VOTING_PUBLIC_URL",
            default="http://localhost:8000",
            show_default=True,
            help=public_url_help,
        )(command)

    return decorate


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Live voting on discussion statements. Without a command: `voting serve`."""
    if ctx.invoked_subcommand is None:
        serve = main.get_command(ctx, "serve")
        assert serve is not None
        # make_context reads serve's options from VOTING_* variables, as `voting serve` would.
        with serve.make_context("serve", [], parent=ctx) as serve_ctx:
            serve.invoke(serve_ctx)


@main.group()
def event() -> None:
    """Create, export and report events."""


def open_store(db: str, write: bool = True) -> Store:
    """The database, checked: a file that cannot work stops the command with one sentence."""
    try:
        check_database(db, write)
    except StorageError as error:
        raise click.ClickException(error.sentence) from None
    return Store(db)


def print_links(base: str, event: Event, with_qr: bool = False) -> None:
    links = all_links(base, event)
    click.echo(f"\n{event.title}  (code {event.code})")
    click.echo(f"  Participants: {links['participant_url']}")
    click.echo(f"  Projector:    {links['projector_url']}")
    click.echo(f"  Moderator:    {links['moderator_url']}")
    if with_qr:
        click.echo(qr.terminal(links["participant_url"]))


def where(db: str) -> str:
    """The database as a message may name it: a file's path, or a server without the password."""
    from voting.health import server
    from voting.store.dialect import is_postgres

    return f"the database at {server(db)}" if is_postgres(db) else db


def no_such_event(code: str, db: str) -> click.ClickException:
    return click.ClickException(f"there is no event with code {code!r} in {where(db)}")


def load_room(store: Store, code: str, db: str) -> Room:
    """The event's room as the screens hold it, with the configured privacy minimum; an
    unknown code stops the command with one sentence."""
    found = store.event_by_code(code)
    if found is None:
        raise no_such_event(code, db)
    room = Room.load(store, found)
    room.role_minimum = Settings.from_env().role_minimum
    return room
