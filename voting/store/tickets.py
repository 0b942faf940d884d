"""Attendance tickets in SQL: making them, requiring them, redeeming one."""

from __future__ import annotations

from collections.abc import Callable

from voting.store.core import now
from voting.store.dialect import Connection
from voting.store.versions import touch
from voting.store.writes import insert_participant, set_role


def insert_tickets(
    conn: Connection, event_id: int, codes: Callable[[], str], count: int, role: str | None
) -> list[str]:
    """Store `count` new tickets of the event, codes drawn from `codes()` (a code already
    taken, by any event, is drawn again). Returns the codes in the order made."""
    touch(conn, event_id)
    made: list[str] = []
    created = now()
    while len(made) < count:
        code = codes()
        cursor = conn.execute(
            "INSERT INTO tickets (code, event_id, role, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (code, event_id, role, created),
        )
        if cursor.rowcount == 1:
            made.append(code)
    return made


def set_tickets_required(conn: Connection, event_id: int, required: bool) -> None:
    touch(conn, event_id)
    conn.execute("UPDATE events SET tickets_required = ? WHERE id = ?", (int(required), event_id))


def redeem_ticket(
    conn: Connection, event_id: int, code: str, participant: str, language: str | None = None
) -> tuple[str, str | None]:
    """Bind an unused ticket of the event to a participant, in one transaction, and give
    the participant the ticket's role. Returns (outcome, role): "redeemed"; "mine" (this
    participant redeemed it before); "holder" (they hold another ticket: its role);
    "used" (another participant holds it); "unknown"."""
    touch(conn, event_id)
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
    insert_participant(conn, event_id, participant, language)  # `language`: the page's
    if row["role"] is not None:
        set_role(conn, event_id, participant, row["role"])
    return "redeemed", row["role"]
