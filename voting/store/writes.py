"""The store's writes: plain functions of a connection, run inside a transaction (by the
batching `Writer` thread in the app, by `Store.write` in the CLI)."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Sequence

from voting.models import Comment, Event, LiveState, Statement
from voting.store import undo as undo_sql
from voting.store.core import now


def put_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def insert_event(
    conn: sqlite3.Connection,
    title: str,
    texts: Iterable[str],
    scale: str,
    roles: Sequence[str] = (),
    translations: Sequence[dict[str, str]] = (),
    role_translations: dict[str, dict[str, str]] | None = None,
) -> Event:
    taken = {row[0] for row in conn.execute("SELECT code FROM events")}
    code = _new_code(taken)
    token = secrets.token_urlsafe(24)
    created = now()
    cursor = conn.execute(
        "INSERT INTO events (code, title, moderator_token, created_at, roles, role_translations)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (code, title, token, created, json.dumps(list(roles)), _json(role_translations or {})),
    )
    event_id = int(cursor.lastrowid or 0)
    insert_statements(conn, event_id, texts, scale, translations)
    return Event(
        event_id, code, title, token, created, roles=list(roles),
        role_translations=dict(role_translations or {}),
    )


def _new_code(taken: set[str]) -> str:
    if len(taken) > 500_000:
        raise RuntimeError("too many events for 6-digit codes")
    while True:
        code = f"{secrets.randbelow(900_000) + 100_000}"
        if code not in taken:
            return code


def insert_statements(
    conn: sqlite3.Connection,
    event_id: int,
    texts: Iterable[str],
    scale: str,
    translations: Sequence[dict[str, str]] = (),
) -> list[Statement]:
    row = conn.execute(
        "SELECT coalesce(max(position), -1) FROM statements WHERE event_id = ?", (event_id,)
    ).fetchone()
    position = int(row[0]) + 1
    created = []
    for offset, text in enumerate(texts):
        other = dict(translations[offset]) if offset < len(translations) else {}
        statement_id = undo_sql.next_id(conn, "statements")  # not one a deletion may bring back
        conn.execute(
            "INSERT INTO statements (id, event_id, position, text, scale, translations)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (statement_id, event_id, position + offset, text, scale, json.dumps(other, ensure_ascii=False)),
        )
        created.append(Statement(statement_id, event_id, position + offset, text, scale, 1, other))
    return created


def update_statement(
    conn: sqlite3.Connection,
    statement_id: int,
    text: str,
    scale: str,
    translations: dict[str, str] | None = None,
    edited: bool = False,
    stale: Sequence[str] = (),
) -> None:
    """Store a statement's edit; `edited`: its text changed while it had votes; `stale`: the
    languages whose translation is older than its text."""
    conn.execute(
        "UPDATE statements SET text = ?, scale = ?, translations = coalesce(?, translations),"
        " edited_after_votes = ?, stale_translations = ? WHERE id = ?",
        (
            text,
            scale,
            None if translations is None else json.dumps(translations, ensure_ascii=False),
            int(edited),
            json.dumps(list(stale)),
            statement_id,
        ),
    )


def delete_statement(
    conn: sqlite3.Connection,
    event_id: int,
    statement_id: int,
    remaining: list[int],
    state: LiveState,
) -> None:
    """Delete a statement with its votes, renumber the rest, store the resulting state."""
    conn.execute("DELETE FROM statements WHERE id = ?", (statement_id,))
    reorder_statements(conn, remaining)
    save_state(conn, event_id, state)


def reorder_statements(conn: sqlite3.Connection, ordered_ids: list[int]) -> None:
    conn.executemany(
        "UPDATE statements SET position = ? WHERE id = ?",
        [(position, statement_id) for position, statement_id in enumerate(ordered_ids)],
    )


def save_state(conn: sqlite3.Connection, event_id: int, state: LiveState) -> None:
    conn.execute(
        "UPDATE events SET current_statement_id = ?, voting_open = ?, results_projector = ?,"
        " results_phones = ?, highlight_comment_id = ?, ticker = ?, comments_enabled = ?,"
        " premoderation = ?, by_role = ?, show_qr = ?, high_contrast = ?, second_language = ?,"
        " blank = ?, ended = ?, auto_open = ?, countdown_ends_at = ?, countdown_seconds = ?"
        " WHERE id = ?",
        (
            state.statement_id,
            int(state.voting_open),
            int(state.results_projector),
            int(state.results_phones),
            state.highlight,
            int(state.ticker),
            int(state.comments),
            int(state.premoderation),
            int(state.by_role),
            int(state.show_qr),
            int(state.high_contrast),
            state.second_language,
            int(state.blank),
            int(state.ended),
            int(state.auto_open),
            state.countdown_ends_at,
            state.countdown_seconds,
            event_id,
        ),
    )


def insert_participant(conn: sqlite3.Connection, event_id: int, participant: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO participants (event_id, id, joined_at) VALUES (?, ?, ?)",
        (event_id, participant, now()),
    )


def insert_vote(
    conn: sqlite3.Connection, statement_id: int, participant: str, option: str, round: int = 1
) -> None:
    conn.execute(
        "INSERT INTO votes (statement_id, participant_id, round, option, cast_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(statement_id, participant_id, round)"
        " DO UPDATE SET option = excluded.option, cast_at = excluded.cast_at",
        (statement_id, participant, round, option, now()),
    )


def delete_votes(conn: sqlite3.Connection, statement_id: int, round: int | None = None) -> None:
    """Delete a statement's votes: of one round, or of every round."""
    if round is None:
        conn.execute("DELETE FROM votes WHERE statement_id = ?", (statement_id,))
    else:
        conn.execute("DELETE FROM votes WHERE statement_id = ? AND round = ?", (statement_id, round))


def reset_votes(conn: sqlite3.Connection, statement_id: int, round: int) -> int:
    """Delete the votes of a statement's round and give it a new ballot number (phones
    that see it change start afresh). Returns the new ballot number."""
    delete_votes(conn, statement_id, round)
    conn.execute("UPDATE statements SET ballot = ballot + 1 WHERE id = ?", (statement_id,))
    return int(conn.execute("SELECT ballot FROM statements WHERE id = ?", (statement_id,)).fetchone()[0])


def set_round(conn: sqlite3.Connection, statement_id: int, round: int) -> None:
    conn.execute("UPDATE statements SET round = ? WHERE id = ?", (round, statement_id))


def set_role(conn: sqlite3.Connection, event_id: int, participant: str, role: str | None) -> None:
    """Record a participant's role ('' when they skipped the question)."""
    conn.execute(
        "INSERT INTO participants (event_id, id, joined_at, role) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(event_id, id) DO UPDATE SET role = excluded.role",
        (event_id, participant, now(), role or ""),
    )


def set_roles(
    conn: sqlite3.Connection,
    event_id: int,
    roles: Sequence[str],
    translations: dict[str, dict[str, str]] | None = None,
) -> None:
    """The event's roles and, unless None, their translations (role → language → name)."""
    conn.execute(
        "UPDATE events SET roles = ?, role_translations = coalesce(?, role_translations) WHERE id = ?",
        (json.dumps(list(roles)), None if translations is None else _json(translations), event_id),
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def set_report_token(conn: sqlite3.Connection, event_id: int, token: str | None) -> None:
    conn.execute("UPDATE events SET report_token = ? WHERE id = ?", (token, event_id))


def insert_comment(
    conn: sqlite3.Connection,
    statement_id: int,
    participant: str,
    name: str | None,
    text: str,
    status: str,
) -> Comment:
    created = now()
    comment_id = undo_sql.next_id(conn, "comments")  # not one a deletion may bring back
    conn.execute(
        "INSERT INTO comments (id, statement_id, participant_id, name, text, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (comment_id, statement_id, participant, name, text, status, created),
    )
    return Comment(comment_id, statement_id, participant, name, text, status, created)


def set_comment_status(conn: sqlite3.Connection, comment_id: int, status: str) -> None:
    conn.execute("UPDATE comments SET status = ? WHERE id = ?", (status, comment_id))


def set_support(conn: sqlite3.Connection, comment_id: int, participant: str, on: bool) -> None:
    if on:
        conn.execute(
            "INSERT OR IGNORE INTO supports (comment_id, participant_id) VALUES (?, ?)",
            (comment_id, participant),
        )
    else:
        conn.execute(
            "DELETE FROM supports WHERE comment_id = ? AND participant_id = ?",
            (comment_id, participant),
        )


def delete_event(conn: sqlite3.Connection, event_id: int) -> None:
    conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


