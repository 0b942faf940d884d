"""`voting event import`: a Pol.is conversation as a new event, to replay and map it.

Each approved Pol.is comment becomes a statement on the 3-point scale (Pol.is's agree,
disagree and pass become agree, disagree and pass), in the order of its id; each voter a
participant whose id is their Pol.is id; their latest vote counts. Comments moderated out
and meta comments are kept with their votes as excluded statements: never shown, counted
or exported, but in the opinion map as Pol.is counts them (a column of zeros in the PCA,
and their votes count towards who enters the analysis), and said so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from voting import store as sql
from voting.cli.base import db_option, event, links_options, open_store, print_links
from voting.links import all_links
from voting.models import MAX_STATEMENT_LENGTH, InputError, clean_title, plain_text
from voting.services.base import MAX_STATEMENTS
from voting.store import imports as import_sql

if TYPE_CHECKING:
    from voting.analysis.polis import PolisConversation

SCALE = "agree3"
OPTIONS = {1: "agree", -1: "disagree", 0: "pass"}
JSON_FILES = ("votes.json", "comments.json")
CSV_FILES = ("votes.csv", "comments.csv")


def read_conversation(path: Path) -> PolisConversation:
    """The conversation in `path`, or a ClickException saying in one sentence why not."""
    if not path.is_dir():
        raise click.ClickException(f"{path} is not a folder holding a Pol.is conversation")
    if not all((path / f).is_file() for f in JSON_FILES) and not all((path / f).is_file() for f in CSV_FILES):
        raise click.ClickException(
            f"{path} is not a Pol.is conversation: it needs votes.json and comments.json"
            " (Pol.is's API) or votes.csv and comments.csv (Pol.is's export)"
        )
    from voting.analysis.polis import read_polis  # NumPy: loaded when needed

    try:
        conversation = read_polis(path)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path} is not a readable Pol.is conversation ({error})") from None
    if not conversation.statements:
        raise click.ClickException(f"{path} holds no Pol.is comments to import")
    return conversation


def statement_text(text: str) -> str:
    cleaned = plain_text(text) or "…"
    return cleaned if len(cleaned) <= MAX_STATEMENT_LENGTH else cleaned[: MAX_STATEMENT_LENGTH - 1] + "…"


def write_event(conn: Any, title: str, conversation: PolisConversation) -> tuple[Any, int, int]:
    """The event, its statements (the excluded ones marked), participants and votes, in the
    caller's transaction; returns the event and how many statements are shown and votes cast
    on them."""
    created = sql.insert_event(conn, title, [statement_text(s.text) for s in conversation.statements], SCALE)
    created_ids = import_sql.statement_ids(conn, created.id)
    ids = {s.id: sid for s, sid in zip(conversation.statements, created_ids, strict=True)}
    excluded = {ids[tid] for tid in conversation.excluded if tid in ids}
    import_sql.exclude_statements(conn, created.id, excluded)
    votes = [(ids[sid], pid, 1, OPTIONS[value]) for pid, sid, value in conversation.votes if sid in ids]
    import_sql.insert_participants(conn, created.id, sorted({pid for _, pid, _, _ in votes}))
    import_sql.insert_votes(conn, votes)
    shown = sum(1 for sid, *_ in votes if sid not in excluded)
    return created, len(ids) - len(excluded), shown


@event.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The event's title (default: the conversation's topic).")
@links_options("Base of the printed links.")
@db_option
def import_command(path: Path, title: str | None, public_url: str, as_json: bool, db: str) -> None:
    """Create an event from a Pol.is conversation (a folder with votes.json, comments.json
    and conversation.json, or Pol.is's CSV export) and print its links."""
    conversation = read_conversation(path)
    try:
        title = clean_title(title or conversation.topic or path.resolve().name)
    except InputError as error:
        raise click.BadParameter(error.message, param_hint="--title") from None
    kept = len(conversation.statements) - len(conversation.excluded)
    if kept > MAX_STATEMENTS:
        raise click.ClickException(
            f"{path} has {kept} comments to import; an event can have at most {MAX_STATEMENTS}"
        )
    store = open_store(db)
    try:
        created, statements, votes = store.write(write_event, title, conversation)
    finally:
        store.close()
    base = public_url.rstrip("/")
    excluded = len(conversation.excluded)
    if as_json:
        summary = {"statements": statements, "votes": votes, "excluded": excluded}
        click.echo(json.dumps({**all_links(base, created), **summary}))
        return
    print_links(base, created)
    click.echo(
        f"  Imported {statements} statements and {votes} votes;"
        f" {excluded} moderated-out or meta comments kept for the opinion map only (never shown)."
    )
