"""`voting event create` and `voting event tickets`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from voting import cards
from voting import store as sql
from voting.cli.base import db_option, event, links_options, no_such_event, open_store, print_links
from voting.links import all_links
from voting.models import DEFAULT_SCALE, SCALES, InputError, check_scale, clean_title
from voting.pasting import parse_event_file, parse_roles
from voting.store import Store
from voting.tickets import MAX_TICKETS, check_count, check_role, grouped, new_code, ticket_url


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
    store = open_store(db)
    created = store.write(
        sql.insert_event, title, texts, scale, chosen_roles, translations, role_translations
    )
    store.close()
    base = public_url.rstrip("/")
    if as_json:
        click.echo(json.dumps(all_links(base, created)))
    else:
        print_links(base, created)


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
            raise no_such_event(code, db)
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
        listed = [{"code": grouped(t), "role": ticket_role, "url": ticket_url(base, found, t)} for t in codes]
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
