"""Undo of the moderator's destructive actions, in SQL: the rows a reset or a deletion
removes, kept for a minute as JSON so that they can be put back exactly (same ids,
positions, rounds, times). Writes are functions of a connection, as in voting/store.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from voting.models import InputError
from voting.store import dialect
from voting.store.dialect import Connection
from voting.store.versions import touch

UNDO_SECONDS = 60.0  # how long a reset or a deletion can be undone
KEEP_EXPIRED = 3600.0  # an expired row stays this long, so a late undo hears "too late"
# The event's columns that moving off a deleted statement changes (LiveState.moved_to):
# put back when the deletion is undone while the room still shows nothing in its place.
MOVED_COLUMNS = (
    "current_statement_id", "voting_open", "results_projector", "results_phones",
    "highlight_comment_id", "show_qr", "show_map", "ended", "countdown_ends_at", "countdown_seconds",
)  # fmt: skip


@dataclass(frozen=True)
class Undoable:
    """A reset or a deletion that can still be undone until `expires_at` (epoch seconds)."""

    id: str
    event_id: int
    action: str  # "reset" | "delete"
    statement_id: int
    label: str  # the statement's text, for the console
    created_at: float
    expires_at: float

    def listing(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "label": self.label, "expires_at": self.expires_at}

    def reply(self) -> dict[str, Any]:
        return {"id": self.id, "expires_at": self.expires_at}


# -- reads ---------------------------------------------------------------------------------


def find(conn: Connection, undo_id: str) -> Any:
    row: Any = conn.execute("SELECT * FROM undo WHERE id = ?", (undo_id,)).fetchone()
    return row


def offered(conn: Connection, event_id: int, now: float) -> list[Undoable]:
    """What the event's moderator can still undo, newest first."""
    rows = conn.execute(
        "SELECT * FROM undo WHERE event_id = ? AND undone = 0 AND expires_at > ?"
        " ORDER BY created_at DESC, id",
        (event_id, now),
    )
    return [_undoable(row) for row in rows]


def _undoable(row: Any) -> Undoable:
    return Undoable(
        row["id"], row["event_id"], row["action"], row["statement_id"], row["label"],
        row["created_at"], row["expires_at"],
    )  # fmt: skip


def check(row: Any, event_id: int, now: float) -> None:
    """Refuse an undo of something unknown here, already undone, or too old."""
    if row is None or row["event_id"] != event_id:
        raise InputError("unknown_undo", "There is nothing to undo with this id.")
    if row["undone"]:
        raise InputError("unknown_undo", "This was already undone.")
    if row["expires_at"] <= now:
        raise InputError("undo_expired", "Too late to undo: it is more than 60 s ago.")


# -- writes --------------------------------------------------------------------------------


def reset_votes(conn: Connection, undo: Undoable, round: int) -> int:
    """Delete the votes of the statement's round, keeping them for an undo; the statement
    gets a new ballot number, which is returned."""
    touch(conn, undo.event_id)
    _remember(conn, undo, _statement_rows(conn, undo.statement_id, round))
    conn.execute("DELETE FROM votes WHERE statement_id = ? AND round = ?", (undo.statement_id, round))
    conn.execute("UPDATE statements SET ballot = ballot + 1 WHERE id = ?", (undo.statement_id,))
    return int(_one(conn, "SELECT ballot FROM statements WHERE id = ?", undo.statement_id))


def delete_statement(conn: Connection, undo: Undoable) -> None:
    """Keep a statement's rows for an undo (its votes, comments, supports and what the room
    showed of it); the caller deletes it. Its ids stay reserved while it can come back."""
    touch(conn, undo.event_id)
    _remember(conn, undo, _statement_rows(conn, undo.statement_id, None))
    for table in ("statements", "comments"):
        taken = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        floor = conn.execute("SELECT value FROM settings WHERE key = ?", (_floor_key(table),)).fetchone()
        if floor is None or int(floor[0]) < taken:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_floor_key(table), str(taken)),
            )


def next_id(conn: Connection, table: str) -> int:
    """A new row id for statements or comments, above every id a deletion may bring back
    (SQLite would otherwise hand out the highest id again once its row is deleted)."""
    floor = conn.execute("SELECT value FROM settings WHERE key = ?", (_floor_key(table),)).fetchone()
    return dialect.next_id(conn, table, 0 if floor is None else int(floor[0]))


def _floor_key(table: str) -> str:
    return f"undo.max_{table}_id"


def restore(conn: Connection, event_id: int, undo_id: str, now: float) -> tuple[str, int]:
    """Put back what a reset or a deletion removed, in one transaction, with a new ballot
    number so phones refresh. Returns the action and the statement's id."""
    touch(conn, event_id)
    row = find(conn, undo_id)
    check(row, event_id, now)
    assert row is not None
    payload = json.loads(row["payload"])
    statement = payload["statement"]
    exists = conn.execute(
        "SELECT 1 FROM statements WHERE id = ? AND event_id = ?", (statement["id"], event_id)
    ).fetchone()
    if row["action"] == "reset":
        if exists is None:
            raise InputError("unknown_undo", "This statement no longer exists.")
        conn.execute(
            "DELETE FROM votes WHERE statement_id = ? AND round = ?", (statement["id"], payload["round"])
        )
        conn.execute("UPDATE statements SET ballot = ballot + 1 WHERE id = ?", (statement["id"],))
    else:
        if exists is not None:
            raise InputError("unknown_undo", "This statement is already back.")
        _insert(conn, "statements", [{**statement, "ballot": statement["ballot"] + 1}])
        ordered = [
            sid for (sid,) in conn.execute(
                "SELECT id FROM statements WHERE event_id = ? AND id != ? AND excluded = 0"
                " ORDER BY position, id",
                (event_id, statement["id"]),
            )
        ]  # fmt: skip
        ordered.insert(min(statement["position"], len(ordered)), statement["id"])
        conn.executemany(
            "UPDATE statements SET position = ? WHERE id = ?", [(p, sid) for p, sid in enumerate(ordered)]
        )
        _insert(conn, "comments", payload["comments"])
        _insert(conn, "supports", payload["supports"])
        _restore_view(conn, event_id, statement["id"], payload)
    _insert(conn, "votes", payload["votes"])
    conn.execute("UPDATE undo SET undone = 1 WHERE id = ?", (undo_id,))
    return row["action"], int(statement["id"])


def _restore_view(
    conn: Connection, event_id: int, statement_id: int, payload: dict[str, Any]
) -> None:
    """Show the statement again as the room did, unless the moderator moved on meanwhile."""
    before = payload["event"]
    now_showing = conn.execute(
        "SELECT current_statement_id, highlight_comment_id FROM events WHERE id = ?", (event_id,)
    ).fetchone()
    if before["current_statement_id"] == statement_id and now_showing[0] is None:
        columns = ", ".join(f"{name} = ?" for name in MOVED_COLUMNS)
        values = [before[name] for name in MOVED_COLUMNS]
        conn.execute(f"UPDATE events SET {columns} WHERE id = ?", (*values, event_id))
    elif now_showing[1] is None and before["highlight_comment_id"] in {c["id"] for c in payload["comments"]}:
        conn.execute(
            "UPDATE events SET highlight_comment_id = ? WHERE id = ?",
            (before["highlight_comment_id"], event_id),
        )


def _statement_rows(conn: Connection, statement_id: int, round: int | None) -> dict[str, Any]:
    """Every row a reset (of `round`) or a deletion (None) of the statement removes."""
    statement = dict(conn.execute("SELECT * FROM statements WHERE id = ?", (statement_id,)).fetchone())
    votes = "SELECT * FROM votes WHERE statement_id = ?"
    if round is not None:
        round_votes = _rows(conn, f"{votes} AND round = ?", statement_id, round)
        return {"statement": statement, "round": round, "votes": round_votes}
    event = conn.execute(
        f"SELECT {', '.join(MOVED_COLUMNS)} FROM events WHERE id = ?", (statement["event_id"],)
    ).fetchone()
    return {
        "statement": statement,
        "votes": _rows(conn, votes, statement_id),
        "comments": _rows(conn, "SELECT * FROM comments WHERE statement_id = ? ORDER BY id", statement_id),
        "supports": _rows(
            conn,
            "SELECT p.* FROM supports p JOIN comments c ON c.id = p.comment_id WHERE c.statement_id = ?",
            statement_id,
        ),
        "event": dict(event),
    }


def _remember(conn: Connection, undo: Undoable, payload: dict[str, Any]) -> None:
    conn.execute("DELETE FROM undo WHERE expires_at < ?", (undo.created_at - KEEP_EXPIRED,))  # lazily
    conn.execute(
        "INSERT INTO undo (id, event_id, action, statement_id, label, payload, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            undo.id, undo.event_id, undo.action, undo.statement_id, undo.label,
            json.dumps(payload, ensure_ascii=False), undo.created_at, undo.expires_at,
        ),
    )  # fmt: skip


def _rows(conn: Connection, query: str, *args: object) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(query, args)]


def _one(conn: Connection, query: str, *args: object) -> Any:
    return conn.execute(query, args).fetchone()[0]


def _insert(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows as they were read (columns by name: the names come from the schema)."""
    for row in rows:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))
