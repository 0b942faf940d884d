"""Attendance tickets: single-use codes the organiser prints for a high-stakes vote.

With tickets required, a phone takes part (votes, comments, "me too", a role) only after
redeeming a ticket; the ticket is then bound to that phone's participant cookie, and its
role, if it has one, becomes the participant's role for good. Redeeming goes through the
writer like every change, so two phones racing for one ticket cannot both get it.
"""

from __future__ import annotations

import secrets

from voting import store as sql
from voting.i18n import mark
from voting.live import Room
from voting.models import Event, InputError
from voting.services import Voting

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed is hard to get wrong;
# typed I, L and O are read as 1, 1 and 0.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: unguessable at the few guesses a minute an address is allowed
MAX_TICKETS = 2000  # per command
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0"})

INSTRUCTIONS = mark("Scan the code, or open {url} and type the ticket code. One ticket, one phone.")
UNKNOWN = mark("There is no ticket with this code for this event. Check the code and try again.")
USED = mark("This ticket has already been used on another phone.")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: object) -> str | None:
    """A typed ticket code as stored (spaces, dashes and case ignored), or None when it
    cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -.\t").translate(_TYPOS)
    if len(code) != CODE_LENGTH or not all(ch in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str) -> str:
    """A code as printed: two groups of five, ABCDE-FGH12."""
    return f"{code[:5]}-{code[5:]}"


def ticket_url(base: str, event: Event, code: str) -> str:
    """Where a ticket's QR code points: the event's page with the code filled in."""
    return f"{base}/j/{event.code}?ticket={grouped(code)}"


def check_count(count: object) -> int:
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_TICKETS:
        raise InputError(
            "invalid_count",
            "Make between 1 and {limit} tickets at a time, not {count!r}.",
            limit=MAX_TICKETS,
            count=count,
        )
    return count


def check_role(event: Event, role: object) -> str | None:
    if role is None or role == "":
        return None
    if role not in event.roles:
        raise InputError(
            "invalid_role",
            "{role!r} is not one of this event's roles ({roles}).",
            role=role,
            roles=", ".join(event.roles) or "–",
        )
    assert isinstance(role, str)
    return role


async def redeem(
    voting: Voting, room: Room, participant: str, text: object, language: str | None = None
) -> str | None:
    """Bind an unused ticket to this participant and give them its role (returned).
    A phone that already holds a ticket keeps it: nothing is spent."""
    if participant in room.tickets:
        return room.tickets[participant]
    code = normalize(text)
    if code is None:
        raise InputError("ticket_unknown", UNKNOWN)
    outcome, role = await voting.writer.submit(
        sql.redeem_ticket, room.event.id, code, participant, language
    )
    if outcome == "unknown":
        raise InputError("ticket_unknown", UNKNOWN)
    if outcome == "used":
        raise InputError("ticket_used", USED)
    room.tickets[participant] = role
    if role is not None:
        room.role_of[participant] = role
        room.answered.add(participant)
    else:
        room.role_of.setdefault(participant, None)
    voting.hub.tally_changed(room)  # the console's count of redeemed tickets
    return role


async def set_required(voting: Voting, room: Room, required: object) -> None:
    """Require tickets (only once some are printed) or stop requiring them."""
    if not isinstance(required, bool):
        raise InputError("invalid_value", '"required" must be true or false, not {value!r}.', value=required)
    sync(voting, room)
    if required and not room.tickets_printed:
        raise InputError(
            "no_tickets", "Print tickets first: voting event tickets {event} --count N.", event=room.code
        )
    await voting.writer.submit(sql.set_tickets_required, room.event.id, required)
    room.event.tickets = required
    voting.hub.state_changed(room)


def sync(voting: Voting, room: Room) -> None:
    """Pick up tickets printed, and tickets switched on, by `voting event tickets` while
    this server holds the event in memory (the database is the truth)."""
    status = voting.store.ticket_status(room.event.id)
    if status is None:
        return
    required, printed, _ = status
    if printed != room.tickets_printed:
        room.tickets_printed = printed
        voting.hub.tally_changed(room)
    if required != room.event.tickets:
        room.event.tickets = required
        voting.hub.state_changed(room)
