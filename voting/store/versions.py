"""`events.version`: raised by every write that changes an event, in the write's own
transaction, so that another process notices the change by comparing versions
(`Store.event_versions`) even when it missed the doorbell.

A write function calls one of these first, before its checks: on PostgreSQL the UPDATE
also locks the event's row until the transaction ends, so that the checks which follow
(is this statement on screen, is voting open, how many comments did this phone send) see
every committed change and no other process writes to the event in between. SQLite's
single writer already serialises every write.
"""

from __future__ import annotations

from voting.store.dialect import Connection


def touch(conn: Connection, event_id: int) -> None:
    """Raise the event's version (and, on PostgreSQL, lock its row until commit)."""
    conn.execute("UPDATE events SET version = version + 1 WHERE id = ?", (event_id,))


def touch_statement(conn: Connection, statement_id: int) -> None:
    """Raise the version of the event the statement belongs to."""
    conn.execute(
        "UPDATE events SET version = version + 1"
        " WHERE id = (SELECT event_id FROM statements WHERE id = ?)",
        (statement_id,),
    )


def touch_comment(conn: Connection, comment_id: int) -> None:
    """Raise the version of the event the comment belongs to."""
    conn.execute(
        "UPDATE events SET version = version + 1 WHERE id = (SELECT s.event_id FROM comments c"
        " JOIN statements s ON s.id = c.statement_id WHERE c.id = ?)",
        (comment_id,),
    )
