"""The event's facts: title, date, first and last vote, place and organiser (editable by
the moderator), who joined and who voted, per role, and in which language they joined."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from voting.i18n import LANGUAGE_NAMES, Translator, mark
from voting.live import Room
from voting.models import InputError, plain_text
from voting.results import turnout
from voting.store import Store
from voting.store import report_facts as sql

MAX_FACT_LENGTH = 120
ZONE = ZoneInfo("Europe/Brussels")  # the events are held in Belgium; the store keeps UTC


TOO_LONG = {
    "place": mark("The place can have at most {limit} characters (this one has {length})."),
    "organiser": mark("The organiser can have at most {limit} characters (this one has {length})."),
}


def clean_fact(value: object, what: str) -> str | None:
    """A place or organiser (`what`) as stored: one line of plain text, None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("invalid_fact", "Place and organiser must be text.")
    cleaned = plain_text(value)
    if len(cleaned) > MAX_FACT_LENGTH:
        raise InputError("invalid_fact", TOO_LONG[what], limit=MAX_FACT_LENGTH, length=len(cleaned))
    return cleaned or None


def participation(room: Room, _: Translator, language: str, exact: bool) -> dict[str, Any]:
    """Who joined and who voted (any statement, any round), in total and per role. For the
    room (not exact) only the roles that the privacy rules could show on their own, with
    at least twice the minimum of participants: the size of a small role is not told."""
    choices = {p: "" for tally in [*room.tallies.values(), *room.second.values()] for p in tally.choices}
    rows = turnout(room.role_of, choices, room.event.roles)
    for row in rows:
        row["label"] = room.event.role_label(row["role"], language) or _("No role given")
    shown = [r for r in rows if r["participants"] and (exact or r["participants"] >= 2 * room.role_minimum)]
    return {
        "joined": sum(r["participants"] for r in rows),
        "voted": sum(r["voters"] for r in rows),
        "roles": shown if room.event.roles else [],
        "hidden": len(shown) < len([r for r in rows if r["participants"]]),
    }


def build(store: Store, room: Room, language: str) -> dict[str, Any]:
    times = [row["cast_at"] for row in store.votes(room.event.id)]
    created = datetime.fromisoformat(room.event.created_at)
    first = _local(min(times)) if times else None
    last = _local(max(times)) if times else None
    return {
        "title": room.event.title,
        "date": format_date(first or created.astimezone(ZONE), format="long", locale=language),
        "first_vote": format_time(first, "HH:mm", locale=language) if first else None,
        "last_vote": format_time(last, "HH:mm", locale=language) if last else None,
        "place": room.event.place,
        "organiser": room.event.organiser,
        "languages": [(LANGUAGE_NAMES.get(c, c), n) for c, n in store.languages(room.event.id).items()],
    }


def _local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(ZONE)


async def save(writer: Any, room: Room, place: object, organiser: object) -> None:
    """Validate and store the place and organiser (an InputError changes nothing)."""
    cleaned_place = clean_fact(place, "place")
    cleaned_organiser = clean_fact(organiser, "organiser")
    await writer.submit(sql.set_facts, room.event.id, cleaned_place, cleaned_organiser)
    room.event.place, room.event.organiser = cleaned_place, cleaned_organiser
