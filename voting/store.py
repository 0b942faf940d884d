"""SQLite storage: connections and every query. With voting/schema.py, the only SQL.

Reads run on the caller's connection (the event loop's, in the app). Writes are plain
functions of a connection (`insert_vote(conn, ...)`): the app runs them through the
batching `Writer` thread, the CLI runs them directly with `Store.write`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from voting import store_undo as undo_sql
from voting.models import Comment, Event, LiveState, Statement
from voting.schema import migrate

T = TypeVar("T")



def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk before we acknowledge it, even across a power cut.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """One SQLite database: reads on this object's connection, writes via `write`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = connect(path)
        try:
            migrate(self.conn, path)
        except BaseException:
            self.conn.close()  # e.g. a newer schema: do not leak the connection
            raise

    def close(self) -> None:
        self.conn.close()

    def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a write function in its own transaction (for the CLI and start-up)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self.conn, *args)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return result

    # -- reads --------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def event_by_code(self, code: str) -> Event | None:
        row = self.conn.execute("SELECT * FROM events WHERE code = ?", (code,)).fetchone()
        return None if row is None else _event(row)

    def events(self) -> list[Event]:
        rows = self.conn.execute("SELECT * FROM events ORDER BY created_at DESC, id DESC")
        return [_event(row) for row in rows]

    def statements(self, event_id: int) -> list[Statement]:
        rows = self.conn.execute(
            "SELECT * FROM statements WHERE event_id = ? ORDER BY position, id", (event_id,)
        )
        return [_statement(r) for r in rows]

    def votes(self, event_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT v.statement_id, v.participant_id, v.round, v.option, v.cast_at FROM votes v"
            " JOIN statements s ON s.id = v.statement_id WHERE s.event_id = ?"
            " ORDER BY v.cast_at, v.statement_id",
            (event_id,),
        ).fetchall()

    def comments(self, event_id: int) -> list[Comment]:
        """Every comment of the event with its supporters, oldest first."""
        rows = self.conn.execute(
            "SELECT c.* FROM comments c JOIN statements s ON s.id = c.statement_id"
            " WHERE s.event_id = ? ORDER BY c.id",
            (event_id,),
        ).fetchall()
        comments = {
            r["id"]: Comment(
                r["id"], r["statement_id"], r["participant_id"], r["name"], r["text"],
                r["status"], r["created_at"],
            )
            for r in rows
        }
        supports = self.conn.execute(
            "SELECT p.comment_id, p.participant_id FROM supports p JOIN comments c"
            " ON c.id = p.comment_id JOIN statements s ON s.id = c.statement_id"
            " WHERE s.event_id = ?",
            (event_id,),
        )
        for comment_id, participant in supports:
            comments[comment_id].supporters.add(participant)
        return list(comments.values())

    def roles_of(self, event_id: int) -> dict[str, str | None]:
        """Every participant of the event and their answer to the role question: a role,
        '' when they skipped it, None when they were not asked yet."""
        rows = self.conn.execute("SELECT id, role FROM participants WHERE event_id = ?", (event_id,))
        return {pid: role for pid, role in rows}

    def event_by_report_token(self, token: str) -> Event | None:
        row = self.conn.execute("SELECT * FROM events WHERE report_token = ?", (token,)).fetchone()
        return None if row is None else _event(row)

    def ticket_holders(self, event_id: int) -> dict[str, str | None]:
        """Participants holding a redeemed ticket of the event, with the ticket's role."""
        rows = self.conn.execute(
            "SELECT participant_id, role FROM tickets WHERE event_id = ? AND participant_id IS NOT NULL",
            (event_id,),
        )
        return {pid: role for pid, role in rows}

    def ticket_status(self, event_id: int) -> tuple[bool, int, int] | None:
        """Whether the event requires tickets, how many are printed, how many redeemed."""
        row = self.conn.execute(
            "SELECT e.tickets_required, count(t.code), count(t.participant_id) FROM events e"
            " LEFT JOIN tickets t ON t.event_id = e.id WHERE e.id = ? GROUP BY e.id",
            (event_id,),
        ).fetchone()
        return None if row is None else (bool(row[0]), int(row[1]), int(row[2]))

    def ticket_counts(self) -> dict[int, tuple[int, int]]:
        """Printed and redeemed tickets per event that has any."""
        rows = self.conn.execute(
            "SELECT event_id, count(*), count(participant_id) FROM tickets GROUP BY event_id"
        )
        return {event_id: (printed, redeemed) for event_id, printed, redeemed in rows}

    def running_countdowns(self) -> list[str]:
        """The codes of events whose countdown was running when the server stopped."""
        rows = self.conn.execute("SELECT code FROM events WHERE countdown_ends_at IS NOT NULL")
        return [code for (code,) in rows]

    def participant_count(self, event_id: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM participants WHERE event_id = ?", (event_id,)
        ).fetchone()
        return int(row[0])


def _statement(r: sqlite3.Row) -> Statement:
    return Statement(
        r["id"], r["event_id"], r["position"], r["text"], r["scale"], r["round"],
        json.loads(r["translations"]), r["ballot"], bool(r["edited_after_votes"]),
        json.loads(r["stale_translations"]),
    )


def _event(row: sqlite3.Row) -> Event:
    state = LiveState(
        statement_id=row["current_statement_id"],
        voting_open=bool(row["voting_open"]),
        results_projector=bool(row["results_projector"]),
        results_phones=bool(row["results_phones"]),
        highlight=row["highlight_comment_id"],
        ticker=bool(row["ticker"]),
        comments=bool(row["comments_enabled"]),
        premoderation=bool(row["premoderation"]),
        by_role=bool(row["by_role"]),
        show_qr=bool(row["show_qr"]),
        high_contrast=bool(row["high_contrast"]),
        second_language=row["second_language"],
        blank=bool(row["blank"]),
        ended=bool(row["ended"]),
        auto_open=bool(row["auto_open"]),
        countdown_ends_at=row["countdown_ends_at"],
        countdown_seconds=row["countdown_seconds"],
    )
    return Event(
        row["id"], row["code"], row["title"], row["moderator_token"], row["created_at"], state,
        json.loads(row["roles"]), row["report_token"], bool(row["tickets_required"]),
        role_translations=json.loads(row["role_translations"]),
    )


# -- writes: functions of a connection, run inside a transaction ----------------------------


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


def insert_tickets(
    conn: sqlite3.Connection, event_id: int, codes: Callable[[], str], count: int, role: str | None
) -> list[str]:
    """Store `count` new tickets of the event, codes drawn from `codes()` (a code already
    taken, by any event, is drawn again). Returns the codes in the order made."""
    made: list[str] = []
    created = now()
    while len(made) < count:
        code = codes()
        cursor = conn.execute(
            "INSERT OR IGNORE INTO tickets (code, event_id, role, created_at) VALUES (?, ?, ?, ?)",
            (code, event_id, role, created),
        )
        if cursor.rowcount == 1:
            made.append(code)
    return made


def set_tickets_required(conn: sqlite3.Connection, event_id: int, required: bool) -> None:
    conn.execute("UPDATE events SET tickets_required = ? WHERE id = ?", (int(required), event_id))


def redeem_ticket(
    conn: sqlite3.Connection, event_id: int, code: str, participant: str
) -> tuple[str, str | None]:
    """Bind an unused ticket of the event to a participant, in one transaction, and give
    the participant the ticket's role. Returns (outcome, role): "redeemed"; "mine" (this
    participant redeemed it before); "holder" (they hold another ticket: its role);
    "used" (another participant holds it); "unknown"."""
    held = conn.execute(
        "SELECT code, role FROM tickets WHERE event_id = ? AND participant_id = ?", (event_id, participant)
    ).fetchone()
    if held is not None:
        return ("mine" if held["code"] == code else "holder"), held["role"]
    row = conn.execute(
        "SELECT role, participant_id FROM tickets WHERE code = ? AND event_id = ?", (code, event_id)
    ).fetchone()
    if row is None:
        return "unknown", None
    if row["participant_id"] is not None:
        return "used", None
    conn.execute(
        "UPDATE tickets SET participant_id = ?, redeemed_at = ? WHERE code = ?", (participant, now(), code)
    )
    if row["role"] is not None:
        set_role(conn, event_id, participant, row["role"])
    else:
        insert_participant(conn, event_id, participant)
    return "redeemed", row["role"]
