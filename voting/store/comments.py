"""Comments and "me too" in SQL, with the limits counted in the insert's transaction
(so they hold per participant across processes)."""

from __future__ import annotations

from datetime import UTC, datetime

from voting.models import PENDING, PUBLISHED, Comment, InputError, is_id
from voting.store import undo as undo_sql
from voting.store.core import now
from voting.store.dialect import Connection
from voting.store.versions import touch, touch_comment, touch_statement
from voting.store.votes import check_ticket


def insert_comment(
    conn: Connection,
    statement_id: int,
    participant: str,
    name: str | None,
    text: str,
    status: str,
    created: str | None = None,
) -> Comment:
    touch_statement(conn, statement_id)
    return _insert_comment(conn, statement_id, participant, name, text, status, created or now())


def _insert_comment(
    conn: Connection,
    statement_id: int,
    participant: str,
    name: str | None,
    text: str,
    status: str,
    created: str,
) -> Comment:
    comment_id = undo_sql.next_id(conn, "comments")  # not one a deletion may bring back
    conn.execute(
        "INSERT INTO comments (id, statement_id, participant_id, name, text, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (comment_id, statement_id, participant, name, text, status, created),
    )
    return Comment(comment_id, statement_id, participant, name, text, status, created)


def post_comment(
    conn: Connection,
    event_id: int,
    statement_id: object,
    participant: str,
    name: str | None,
    text: str,
    at: float,
    per_minute: int,
    per_statement: int,
) -> Comment:
    """A participant's comment, if the committed state takes it: comments on, the statement
    on screen, the participant's limits (per statement, per minute before `at`, epoch
    seconds) counted over every process's comments. Held for the moderator (pending) when
    the event pre-moderates, else published."""
    touch(conn, event_id)
    check_ticket(conn, event_id, participant)
    event = conn.execute(
        "SELECT current_statement_id, comments_enabled, premoderation FROM events WHERE id = ?",
        (event_id,),
    ).fetchone()
    if event is None or not event["comments_enabled"]:
        raise InputError("comments_off", "Comments are switched off for this event.")
    current = event["current_statement_id"]
    if current is None or not is_id(statement_id) or current != statement_id:
        raise InputError("not_current", "This statement is no longer on screen.")
    row = conn.execute(
        "SELECT count(*) FROM comments WHERE statement_id = ? AND participant_id = ?",
        (current, participant),
    ).fetchone()
    if row[0] >= per_statement:
        raise InputError(
            "too_many_comments",
            "You can send at most {limit} comments per statement.",
            limit=per_statement,
        )
    row = conn.execute(
        "SELECT count(*) FROM comments c JOIN statements s ON s.id = c.statement_id"
        " WHERE s.event_id = ? AND c.participant_id = ? AND c.created_at >= ?",
        (event_id, participant, _timestamp(at - 60)),
    ).fetchone()
    if row[0] >= per_minute:
        raise InputError("comments_too_fast", "Too many comments: wait a minute.")
    status = PENDING if event["premoderation"] else PUBLISHED
    return _insert_comment(conn, current, participant, name, text, status, _timestamp(at))


def _timestamp(epoch: float) -> str:
    """Epoch seconds as the store writes times (`now()`), which sort as text."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def set_comment_status(conn: Connection, comment_id: int, status: str) -> None:
    touch_comment(conn, comment_id)
    conn.execute("UPDATE comments SET status = ? WHERE id = ?", (status, comment_id))


def set_support(conn: Connection, comment_id: int, participant: str, on: bool) -> None:
    touch_comment(conn, comment_id)
    if on:
        conn.execute(
            "INSERT INTO supports (comment_id, participant_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (comment_id, participant),
        )
    else:
        conn.execute(
            "DELETE FROM supports WHERE comment_id = ? AND participant_id = ?",
            (comment_id, participant),
        )
