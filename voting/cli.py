"""The `voting` command: serve (the default), event create, event export, event tickets."""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from voting import cards, export, qr
from voting import store as sql
from voting.bootstrap import prepare
from voting.health import StorageError, check_database
from voting.links import all_links
from voting.live import Room
from voting.models import DEFAULT_SCALE, SCALES, Event, InputError, check_scale, clean_title
from voting.netaddr import public_base
from voting.pasting import parse_event_file, parse_roles
from voting.settings import Settings
from voting.store import Store
from voting.tickets import MAX_TICKETS, check_count, check_role, grouped, new_code, ticket_url

db_option = click.option(
    "--db",
    envvar="VOTING_DB",
    default="voting.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database file (also VOTING_DB).",
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
        # make_context reads serve's options from VOTING_* variables, as `voting serve` would.
        with serve.make_context("serve", [], parent=ctx) as serve_ctx:
            serve.invoke(serve_ctx)


@main.command()
@click.option(
    "--host",
    envvar="VOTING_HOST",
    default="0.0.0.0",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones on the same network join.",
)
@click.option("--port", envvar="VOTING_PORT", default=8000, show_default=True, type=int)
@db_option
@click.option(
    "--public-url",
    envvar="VOTING_PUBLIC_URL",
    default="",
    help="The address participants use, e.g. https://vote.example.org.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes on the same port and database; more than 1 sets VOTING_BUS to"
    " sqlite:///<database> unless it is set.",
)
def serve(
    host: str = "0.0.0.0", port: int = 8000, db: str = "voting.db", public_url: str = "", workers: int = 1
) -> None:
    """Start the server (with a demo event on an empty database) and print its links."""
    from voting.app import create_app
    from voting.web import server

    settings = Settings.from_env(db=db, host=host, port=port, public_url=public_url)
    if workers > 1 and not settings.bus:
        # The workers ring each other through a table in the database file itself.
        settings = replace(settings, bus=f"sqlite:///{Path(settings.db).resolve()}")
    if workers > 1 and settings.bus == "memory://":
        message = "VOTING_BUS=memory:// reaches one process only; leave it unset"
        raise click.BadParameter(message, param_hint="--workers")
    store = _open_store(settings.db)
    prepared = prepare(store, settings)
    base = public_base(host, port, public_url)
    events = store.events()
    store.close()
    if prepared.generated_password:
        click.echo(f"Admin password (shown once, stored hashed): {prepared.generated_password}")
    click.echo(f"Organiser: {base}/admin")
    if events:
        _print_links(base, events[0], with_qr=True)
    _raise_open_file_limit()
    if workers > 1:  # prepare() ran here, once: the workers find everything in place
        server.run_workers(settings, workers)
    else:
        server.run(create_app(settings), settings)


def _open_store(db: str, write: bool = True) -> Store:
    """The database, checked: a file that cannot work stops the command with one sentence."""
    try:
        check_database(db, write)
    except StorageError as error:
        raise click.ClickException(error.sentence) from None
    return Store(db)


def _print_links(base: str, event: Event, with_qr: bool = False) -> None:
    links = all_links(base, event)
    click.echo(f"\n{event.title}  (code {event.code})")
    click.echo(f"  Participants: {links['participant_url']}")
    click.echo(f"  Projector:    {links['projector_url']}")
    click.echo(f"  Moderator:    {links['moderator_url']}")
    if with_qr:
        click.echo(qr.terminal(links["participant_url"]))


def _raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses it as a soft limit (ValueError);
    # then settle for OPEN_MAX, 10240, rather than fail to start.
    for target in (hard, min(hard, 10_240)):
        if soft >= target:
            return
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return
        except (ValueError, OSError):
            continue


@main.group()
def event() -> None:
    """Create and export events."""


@event.command("create")
@click.option("--title", required=True, help="The event's title.")
@click.option(
    "--statements",
    "statements_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Text file: one statement per line; blank lines and # comments are ignored;"
    " a line 'roles: Mayor, Police, Other' sets the roles; translations follow a bar:"
    " 'Burgemeester | fr: Bourgmestre', for statements and roles alike.",
)
@click.option("--scale", type=click.Choice(list(SCALES)), default=DEFAULT_SCALE, show_default=True)
@click.option(
    "--roles",
    default=None,
    help='Roles participants pick from, e.g. "Burgemeester | fr: Bourgmestre, Politie".',
)
@links_options("Base of the printed links.")
@db_option
def create(
    title: str,
    statements_file: Path,
    scale: str,
    roles: str | None,
    public_url: str,
    as_json: bool,
    db: str,
) -> None:
    """Create an event from a file of statements and print its three links."""
    try:
        # utf-8-sig: Notepad's "UTF-8 with BOM" must not turn a first-line # comment into text.
        parsed = parse_event_file(statements_file.read_text(encoding="utf-8-sig"))
        texts, translations = parsed.statements, parsed.translations
        title = clean_title(title)
        check_scale(scale)
        chosen_roles, role_translations = (
            parse_roles(roles) if roles is not None else (parsed.roles, parsed.role_translations)
        )
    except InputError as error:
        raise click.BadParameter(error.message) from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{statements_file} is not UTF-8 text") from None
    if not texts:
        raise click.BadParameter(f"{statements_file} holds no statements")
    # No prepare() here: it would generate the admin password without showing it, and
    # `voting serve` would then never print it. serve prepares the database on start.
    store = _open_store(db)
    created = store.write(
        sql.insert_event, title, texts, scale, chosen_roles, translations, role_translations
    )
    store.close()
    base = public_url.rstrip("/")
    if as_json:
        click.echo(json.dumps(all_links(base, created)))
    else:
        _print_links(base, created)


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
    store = _open_store(db, write=False)
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


@event.command("tickets")
@click.argument("code")
@click.option("--count", required=True, type=int, help=f"How many tickets to make (1 to {MAX_TICKETS}).")
@click.option("--role", default=None, help="The role every one of these tickets votes as.")
@click.option(
    "--pdf",
    "pdf_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write printable A4 cards (8 a page) to this PDF file.",
)
@links_options("Base of the links the cards' QR codes open.")
@db_option
def tickets_command(
    code: str, count: int, role: str | None, pdf_file: Path | None, public_url: str, as_json: bool, db: str
) -> None:
    """Make single-use attendance tickets for an event and require them: from then on only
    a phone that redeemed a ticket votes, once, as the ticket's role if it has one."""
    store = Store(db)
    try:
        found = store.event_by_code(code)
        if found is None:
            raise click.ClickException(f"there is no event with code {code!r} in {db}")
        try:
            check_count(count)
            ticket_role = check_role(found, role)
        except InputError as error:
            hint = "--count" if error.code == "invalid_count" else "--role"
            raise click.BadParameter(error.message, param_hint=hint) from None
        codes = store.write(_make_tickets, found.id, count, ticket_role)
    finally:
        store.close()
    base = public_url.rstrip("/")
    made = [(ticket, ticket_role) for ticket in codes]
    if pdf_file is not None:
        pdf_file.write_bytes(cards.pdf(found, made, base))
    if as_json:
        listed = [
            {"code": grouped(t), "role": ticket_role, "url": ticket_url(base, found, t)} for t in codes
        ]
        click.echo(json.dumps({"event": found.code, "tickets_required": True, "tickets": listed}))
        return
    for ticket in codes:
        click.echo(grouped(ticket) if ticket_role is None else f"{grouped(ticket)}  {ticket_role}")
    where = f"; cards in {pdf_file}" if pdf_file is not None else ""
    summary = f"{count} tickets for {found.title} (code {found.code}); tickets are now required{where}."
    click.echo(summary, err=True)


def _make_tickets(conn: Any, event_id: int, count: int, role: str | None) -> list[str]:
    codes = sql.insert_tickets(conn, event_id, new_code, count, role)
    sql.set_tickets_required(conn, event_id, True)
    return codes
