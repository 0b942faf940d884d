"""The store's reads: connections, the `Store` object, rows turned into models.

Reads run on the caller's connection (the event loop's, in the app). Writes are plain
functions of a connection in voting/store/writes.py (tickets: voting/store/tickets.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from voting.models import Comment, Event, LiveState, Statement
from voting.schema import migrate
from voting.store.dialect import Connection, begin, connect

T = TypeVar("T")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """One database (a SQLite file or a postgresql:// URL): reads on this object's
    connection, writes via `write`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: Connection = connect(path)
        try:
            migrate(self.conn, path)
        except BaseException:
            self.conn.close()  # e.g. a newer schema: do not leak the connection
            raise

    def close(self) -> None:
        self.conn.close()

    def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a write function in its own transaction (for the CLI and start-up)."""
        begin(self.conn)
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
            "SELECT * FROM statements WHERE event_id = ? AND excluded = 0 ORDER BY position, id", (event_id,)
        )
        return [_statement(r) for r in rows]

    def votes(self, event_id: int) -> list[Any]:
        return self.conn.execute(
            "SELECT v.statement_id, v.participant_id, v.round, v.option, v.cast_at FROM votes v"
            " JOIN statements s ON s.id = v.statement_id WHERE s.event_id = ? AND s.excluded = 0"
            " ORDER BY v.cast_at, v.statement_id",
            (event_id,),
        ).fetchall()

    def excluded_votes(self, event_id: int) -> tuple[tuple[int, str, dict[str, str]], ...]:
        """The event's excluded statements (imported, moderated out: for the opinion map
        only) as (statement id, scale, participant → option), statements without votes too."""
        rows = self.conn.execute(
            "SELECT s.id AS statement_id, s.scale, v.participant_id, v.option FROM statements s"
            " LEFT JOIN votes v ON v.statement_id = s.id WHERE s.event_id = ? AND s.excluded = 1"
            " ORDER BY s.id, v.cast_at",
            (event_id,),
        )
        statements: dict[int, tuple[int, str, dict[str, str]]] = {}
        for row in rows:
            sid = row["statement_id"]
            _, _, choices = statements.setdefault(sid, (sid, row["scale"], {}))
            if row["participant_id"] is not None:
                choices[row["participant_id"]] = row["option"]
        return tuple(statements.values())

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

    def event_versions(self, codes: Iterable[str]) -> dict[str, int]:
        """The version of each existing event among `codes` (a deleted one is left out):
        raised by every committed write that changes the event."""
        wanted = list(dict.fromkeys(codes))
        versions: dict[str, int] = {}
        for start in range(0, len(wanted), 500):  # within every database's parameter limit
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"SELECT code, version FROM events WHERE code IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            versions.update({code: int(version) for code, version in rows})
        return versions

    def event_change(self, code: str) -> tuple[int, int, int] | None:
        """The event's id, version, and the version of its last change that was not a vote
        (voting/store/versions.py); None once the event is deleted."""
        row = self.conn.execute(
            "SELECT id, version, reread_version FROM events WHERE code = ?", (code,)
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    def languages(self, event_id: int) -> dict[str, int]:
        """How many participants joined in each page language (most first; unknown left out)."""
        rows = self.conn.execute(
            "SELECT language, count(*) FROM participants WHERE event_id = ? AND language IS NOT NULL"
            " GROUP BY language ORDER BY count(*) DESC, language",
            (event_id,),
        )
        return {str(lang): int(n) for lang, n in rows}

    def participant_count(self, event_id: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM participants WHERE event_id = ?", (event_id,)
        ).fetchone()
        return int(row[0])


def _statement(r: Any) -> Statement:
    return Statement(
        r["id"], r["event_id"], r["position"], r["text"], r["scale"], r["round"],
        json.loads(r["translations"]), r["ballot"], bool(r["edited_after_votes"]),
        json.loads(r["stale_translations"]),
    )


def live_state(row: Any) -> LiveState:
    """The live state stored in an `events` row."""
    return LiveState(
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
        show_map=bool(row["show_map"]),
        high_contrast=bool(row["high_contrast"]),
        second_language=row["second_language"],
        blank=bool(row["blank"]),
        ended=bool(row["ended"]),
        auto_open=bool(row["auto_open"]),
        countdown_ends_at=row["countdown_ends_at"],
        countdown_seconds=row["countdown_seconds"],
    )


def _event(row: Any) -> Event:
    state = live_state(row)
    return Event(
        row["id"], row["code"], row["title"], row["moderator_token"], row["created_at"], state,
        json.loads(row["roles"]), row["report_token"], bool(row["tickets_required"]),
        role_translations=json.loads(row["role_translations"]),
        place=row["place"], organiser=row["organiser"],
    )
