"""Batch writes for imports (`voting event import`): many participants and votes in one
statement each, inside the caller's transaction. `?` placeholders, as the rest of the store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from voting.store.core import now

# (statement id, participant id, round, option)
VoteRow = tuple[int, str, int, str]


def insert_participants(conn: Any, event_id: int, participants: Iterable[str]) -> None:
    """New participants of a new event (their role not asked: NULL)."""
    joined = now()
    conn.executemany(
        "INSERT INTO participants (event_id, id, joined_at) VALUES (?, ?, ?)",
        [(event_id, p, joined) for p in participants],
    )


def insert_votes(conn: Any, votes: Iterable[VoteRow]) -> int:
    """Votes on a new event's statements, all at once; returns how many."""
    cast = now()
    rows = [(sid, pid, round_, option, cast) for sid, pid, round_, option in votes]
    conn.executemany(
        "INSERT INTO votes (statement_id, participant_id, round, option, cast_at) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def statement_ids(conn: Any, event_id: int) -> list[int]:
    """The event's statement ids in order."""
    rows = conn.execute("SELECT id FROM statements WHERE event_id = ? ORDER BY position, id", (event_id,))
    return [int(row[0]) for row in rows]


def exclude_statements(conn: Any, event_id: int, excluded: Iterable[int]) -> None:
    """Mark a new event's `excluded` statements (Pol.is's moderated-out comments: kept for the
    opinion map only) and number the others 0, 1, … anew; the excluded ones get negative
    positions, in order, out of the way of statements added later."""
    gone = set(excluded)
    ids = statement_ids(conn, event_id)
    shown = [sid for sid in ids if sid not in gone]
    hidden = [sid for sid in ids if sid in gone]
    rows = [(0, p, sid) for p, sid in enumerate(shown)]
    rows += [(1, p - len(hidden), sid) for p, sid in enumerate(hidden)]
    conn.executemany("UPDATE statements SET excluded = ?, position = ? WHERE id = ?", rows)
