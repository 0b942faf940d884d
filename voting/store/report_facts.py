"""The report's facts in SQL: the event's place and organiser, and the organiser's logo.

Write functions take a connection (the app runs them through the `Writer`, the CLI with
`Store.write`); `logo` reads on the caller's connection.
"""

from __future__ import annotations

from voting.store.dialect import Connection
from voting.store.versions import touch


def set_facts(conn: Connection, event_id: int, place: str | None, organiser: str | None) -> None:
    touch(conn, event_id)
    conn.execute("UPDATE events SET place = ?, organiser = ? WHERE id = ?", (place, organiser, event_id))


def set_logo(conn: Connection, event_id: int, content_type: str, data: bytes) -> None:
    touch(conn, event_id)
    conn.execute(
        "INSERT INTO event_logos (event_id, content_type, data) VALUES (?, ?, ?)"
        " ON CONFLICT (event_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data",
        (event_id, content_type, data),
    )


def delete_logo(conn: Connection, event_id: int) -> None:
    touch(conn, event_id)
    conn.execute("DELETE FROM event_logos WHERE event_id = ?", (event_id,))


def logo(conn: Connection, event_id: int) -> tuple[str, bytes] | None:
    """The event's logo as (content type, bytes), or None."""
    row = conn.execute(
        "SELECT content_type, data FROM event_logos WHERE event_id = ?", (event_id,)
    ).fetchone()
    return None if row is None else (str(row[0]), bytes(row[1]))
