"""The store's writes: plain functions of a connection, run inside a transaction (by the
batching `Writer` thread in the app, by `Store.write` in the CLI)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields

from voting.models import (
    Event,
    InputError,
    LiveState,
    Statement,
    is_id,
)
from voting.store import undo as undo_sql
from voting.store.core import live_state, now
from voting.store.dialect import Connection
from voting.store.versions import touch, touch_statement


def put_setting(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def insert_event(
    conn: Connection,
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
    row = conn.execute(
        "INSERT INTO events (code, title, moderator_token, created_at, roles, role_translations)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (code, title, token, created, json.dumps(list(roles)), _json(role_translations or {})),
    ).fetchone()
    event_id = int(row[0])
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
    conn: Connection,
    event_id: int,
    texts: Iterable[str],
    scale: str,
    translations: Sequence[dict[str, str]] = (),
) -> list[Statement]:
    touch(conn, event_id)
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
    conn: Connection,
    statement_id: int,
    text: str,
    scale: str,
    translations: dict[str, str] | None = None,
    edited: bool = False,
    stale: Sequence[str] = (),
) -> None:
    """Store a statement's edit; `edited`: its text changed while it had votes; `stale`: the
    languages whose translation is older than its text."""
    touch_statement(conn, statement_id)
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
    conn: Connection,
    event_id: int,
    statement_id: int,
    remaining: list[int],
    state: LiveState | None = None,
) -> LiveState | None:
    """Delete a statement with its votes and renumber the rest; when the committed state has
    it on screen, the screens move to the welcome screen (or, given, `state` is stored whole).
    Returns the committed state."""
    touch(conn, event_id)
    if state is not None:
        save_state(conn, event_id, state)
    else:
        update_state(conn, event_id, moved_to(None), where={"statement_id": statement_id})
    conn.execute("DELETE FROM statements WHERE id = ?", (statement_id,))
    reorder_statements(conn, remaining)
    return read_state(conn, event_id)


def reorder_statements(conn: Connection, ordered_ids: list[int]) -> None:
    if ordered_ids:
        touch_statement(conn, ordered_ids[0])
    conn.executemany(
        "UPDATE statements SET position = ? WHERE id = ?",
        [(position, statement_id) for position, statement_id in enumerate(ordered_ids)],
    )


# LiveState's fields and the events columns that store them.
STATE_COLUMNS = {
    "statement_id": "current_statement_id",
    "voting_open": "voting_open",
    "results_projector": "results_projector",
    "results_phones": "results_phones",
    "highlight": "highlight_comment_id",
    "ticker": "ticker",
    "comments": "comments_enabled",
    "premoderation": "premoderation",
    "by_role": "by_role",
    "show_qr": "show_qr",
    "show_map": "show_map",
    "high_contrast": "high_contrast",
    "second_language": "second_language",
    "blank": "blank",
    "ended": "ended",
    "auto_open": "auto_open",
    "countdown_ends_at": "countdown_ends_at",
    "countdown_seconds": "countdown_seconds",
}


def moved_to(statement_id: int | None, auto_open: bool = False) -> dict[str, object]:
    """The fields that moving to another statement (None: the welcome screen) sets, together:
    voting closed (open with auto_open), results hidden, nothing highlighted, no full-screen
    QR code, no countdown, no end screen (as LiveState.moved_to; the settings stay)."""
    return {
        "statement_id": statement_id,
        "voting_open": auto_open and statement_id is not None,
        "results_projector": False,
        "results_phones": False,
        "highlight": None,
        "show_qr": False,
        "show_map": False,
        "ended": False,
        "countdown_ends_at": None,
        "countdown_seconds": None,
    }


def save_state(conn: Connection, event_id: int, state: LiveState) -> None:
    """Store the whole live state (seeding, tests); the live evening uses `update_state`."""
    update_state(conn, event_id, {f.name: getattr(state, f.name) for f in fields(state)})


def move_to(conn: Connection, event_id: int, statement_id: object) -> LiveState | None:
    """Put a statement (None: the welcome screen) on screen, as the committed state has it:
    nothing changes when it is already there (and the end screen is off); voting opens at
    once when the event says so. Returns the committed state afterwards."""
    touch(conn, event_id)
    state = read_state(conn, event_id)
    if statement_id is not None:
        row = None
        if is_id(statement_id):
            row = conn.execute(
                "SELECT 1 FROM statements WHERE id = ? AND event_id = ? AND excluded = 0",
                (statement_id, event_id),
            ).fetchone()
        if row is None:
            raise InputError(
                "unknown_statement", "There is no statement {statement_id!r} here.",
                statement_id=statement_id,
            )  # fmt: skip
    if state is None or (state.statement_id == statement_id and not state.ended):
        return state
    assert statement_id is None or isinstance(statement_id, int)
    return update_state(conn, event_id, moved_to(statement_id, state.auto_open))


def update_state(
    conn: Connection,
    event_id: int,
    changes: Mapping[str, object],
    where: Mapping[str, object] | None = None,
    unless_no_statement: InputError | None = None,
) -> LiveState | None:
    """Write only the fields of the live state that an action sets (another process's change
    to the other fields stays), and only if the committed state matches `where`; raise
    `unless_no_statement` when the committed state shows no statement. Returns the committed
    state afterwards (None: the event is gone)."""
    touch(conn, event_id)
    if unless_no_statement is not None:
        state = read_state(conn, event_id)
        if state is not None and state.statement_id is None:
            raise unless_no_statement
    if changes:
        columns = [STATE_COLUMNS[name] for name in changes]  # KeyError: not a state field
        condition = "".join(f" AND {STATE_COLUMNS[name]} IS NOT DISTINCT FROM ?" for name in where or {})
        conn.execute(
            f"UPDATE events SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?{condition}",
            (*map(_column_value, changes.values()), event_id, *map(_column_value, (where or {}).values())),
        )
    return read_state(conn, event_id)


def read_state(conn: Connection, event_id: int) -> LiveState | None:
    row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    return None if row is None else live_state(row)


def _column_value(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


def insert_participant(
    conn: Connection, event_id: int, participant: str, language: str | None = None
) -> None:
    cursor = conn.execute(
        "INSERT INTO participants (event_id, id, joined_at, language) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (event_id, participant, now(), language),
    )
    if cursor.rowcount == 1:  # a phone that joined before changes nothing
        touch(conn, event_id)


def delete_votes(conn: Connection, statement_id: int, round: int | None = None) -> None:
    """Delete a statement's votes: of one round, or of every round."""
    touch_statement(conn, statement_id)
    if round is None:
        conn.execute("DELETE FROM votes WHERE statement_id = ?", (statement_id,))
    else:
        conn.execute("DELETE FROM votes WHERE statement_id = ? AND round = ?", (statement_id, round))


def reset_votes(conn: Connection, statement_id: int, round: int) -> int:
    """Delete the votes of a statement's round and give it a new ballot number (phones
    that see it change start afresh). Returns the new ballot number."""
    delete_votes(conn, statement_id, round)
    conn.execute("UPDATE statements SET ballot = ballot + 1 WHERE id = ?", (statement_id,))
    return int(conn.execute("SELECT ballot FROM statements WHERE id = ?", (statement_id,)).fetchone()[0])


def set_round(conn: Connection, statement_id: int, round: int) -> None:
    touch_statement(conn, statement_id)
    conn.execute("UPDATE statements SET round = ? WHERE id = ?", (round, statement_id))


def set_role(conn: Connection, event_id: int, participant: str, role: str | None) -> None:
    """Record a participant's role ('' when they skipped the question)."""
    touch(conn, event_id)
    conn.execute(
        "INSERT INTO participants (event_id, id, joined_at, role) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(event_id, id) DO UPDATE SET role = excluded.role",
        (event_id, participant, now(), role or ""),
    )


def set_roles(
    conn: Connection,
    event_id: int,
    roles: Sequence[str],
    translations: dict[str, dict[str, str]] | None = None,
) -> None:
    """The event's roles and, unless None, their translations (role → language → name)."""
    touch(conn, event_id)
    conn.execute(
        "UPDATE events SET roles = ?, role_translations = coalesce(?, role_translations) WHERE id = ?",
        (json.dumps(list(roles)), None if translations is None else _json(translations), event_id),
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def set_report_token(conn: Connection, event_id: int, token: str | None) -> None:
    touch(conn, event_id)
    conn.execute("UPDATE events SET report_token = ? WHERE id = ?", (token, event_id))


def delete_event(conn: Connection, event_id: int) -> None:
    conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


