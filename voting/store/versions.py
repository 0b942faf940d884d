"""`events.version`: raised by every write that changes an event, in the write's own
transaction, so that another process notices the change by comparing versions
(`Store.event_versions`) even when it missed the doorbell.

A write function calls one of these first, before its checks: on PostgreSQL the UPDATE
also locks the event's row until the transaction ends, so that the checks which follow
(is this statement on screen, is voting open, how many comments did this phone send) see
every committed change and no other process writes to the event in between. SQLite's
single writer already serialises every write. Either way the versions of one event are
committed in the order they were drawn: a reader that sees version V has seen every
write numbered V or lower.

Two kinds of change: a vote (`touch_vote`) raises only `version` and stores it with the
vote (`votes.version`), so another process reads just the votes above the version it last
saw; every other change (`touch`) also sets `events.reread_version`, which tells the other
processes to reread the whole event (voting/realtime/relay.py).

The batching writer (voting/writer.py) raises an event's version once per batch: between
`batch_began` and `batch_ended` a touch of an event already touched in the transaction
(by the same kind or a stronger one) runs no statement. A savepoint rolled back undoes the
touches made in it (and, on PostgreSQL, their row locks): `batch_rolled_back` forgets them.
"""

from __future__ import annotations

from voting.store.dialect import Connection, soon

# Per connection in a batch: event id → True when a whole-event change (touch) was made.
_batches: dict[int, dict[int, bool]] = {}


def batch_began(conn: Connection) -> None:
    """From now on remember which events the transaction on `conn` touched."""
    _batches[id(conn)] = {}


def batch_rolled_back(conn: Connection) -> None:
    """A savepoint was rolled back: its touches are undone, forget every touch."""
    if id(conn) in _batches:
        _batches[id(conn)] = {}


def batch_ended(conn: Connection) -> None:
    _batches.pop(id(conn), None)


def touch(conn: Connection, event_id: int) -> None:
    """Raise the event's version as a change other processes reread the event for (and,
    on PostgreSQL, lock its row until commit)."""
    touched = _batches.get(id(conn))
    if touched is not None and touched.get(event_id):
        return
    conn.execute(
        "UPDATE events SET version = version + 1, reread_version = version + 1 WHERE id = ?",
        (event_id,),
    )
    if touched is not None:
        touched[event_id] = True


def touch_vote(conn: Connection, event_id: int) -> None:
    """Raise the event's version for a vote (stored with it): other processes read only the
    votes above the version they saw."""
    touched = _batches.get(id(conn))
    if touched is not None and event_id in touched:
        return
    soon(conn, "UPDATE events SET version = version + 1 WHERE id = ?", (event_id,))  # with the vote
    if touched is not None:
        touched[event_id] = False


def touch_statement(conn: Connection, statement_id: int) -> None:
    """Raise the version of the event the statement belongs to (a whole-event change)."""
    conn.execute(
        "UPDATE events SET version = version + 1, reread_version = version + 1"
        " WHERE id = (SELECT event_id FROM statements WHERE id = ?)",
        (statement_id,),
    )


def touch_comment(conn: Connection, comment_id: int) -> None:
    """Raise the version of the event the comment belongs to (a whole-event change)."""
    conn.execute(
        "UPDATE events SET version = version + 1, reread_version = version + 1 WHERE id = ("
        "SELECT s.event_id FROM comments c JOIN statements s ON s.id = c.statement_id WHERE c.id = ?)",
        (comment_id,),
    )
