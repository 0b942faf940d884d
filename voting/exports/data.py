"""An event's results as plain data: the JSON export (schema "voting.export/2", see
docs/export.md), from which every table, CSV and the workbook are made.

Votes are anonymous: each participant becomes a number, the same for all of an event's
statements (a per-event pseudonym), with the role they chose. Two scopes:
- "organiser" (the moderator's export): everything, with each role's exact figures
  (`by_role`, small groups included) and every vote with its pseudonym and role;
- "room" (for sharing): the role split as the room may see it, no votes, only the
  published comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from voting import privacy
from voting.live import Room
from voting.models import PUBLISHED, SCALES, Scale, Statement
from voting.results import Tally, role_gap, role_split, round_shift
from voting.store import Store

SCHEMA = "voting.export/2"
ORGANISER, ROOM = "organiser", "room"
SCOPES = (ORGANISER, ROOM)
SIDES = ("agree", "neutral", "disagree")


def anonymous_votes(
    store: Store, room: Room, rows: Sequence[Any] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Every vote per statement, participants replaced by a per-event number (`rows`: the
    event's votes as `store.votes` gives them, when already read)."""
    rows = store.votes(room.event.id) if rows is None else rows
    numbers = pseudonyms(rows)
    votes: dict[int, list[dict[str, Any]]] = {s.id: [] for s in room.statements}
    for row in rows:
        participant = row["participant_id"]
        votes[row["statement_id"]].append(
            {
                "participant": numbers[participant],
                "role": room.role_of.get(participant),
                "round": row["round"],
                "option": row["option"],
                "cast_at": row["cast_at"],
            }
        )
    return votes


def pseudonyms(rows: Iterable[Any]) -> dict[str, int]:
    """Participant id → 1, 2, 3, … in the order of their first vote (`rows`: store.votes)."""
    numbers: dict[str, int] = {}
    for row in rows:
        numbers.setdefault(row["participant_id"], len(numbers) + 1)
    return numbers


def room_split(scale: Scale, choices: Mapping[str, str], room: Room) -> list[dict[str, Any]]:
    """The role split as the room may see it: entries {"kind": "role", "role", "voters",
    "results"} for the groups shown on their own, then {"kind": "others", "band"} for
    everybody else together (no size, no counts).

    PRIVACY: the one place where the exports apply the room's rules (voting/privacy.py)."""
    return privacy.room_split(scale, choices, room.role_of, room.event.roles, room.role_minimum)


def sides(scale: Scale, summary: Mapping[str, Any]) -> dict[str, Any]:
    """Agreeing, neutral and disagreeing votes (pass left out) and their percentages."""
    counts = dict.fromkeys(SIDES, 0)
    for option, n in summary["counts"].items():
        score = scale.score(option) or 0
        counts["agree" if score > 0 else "disagree" if score < 0 else "neutral"] += n
    total = sum(counts.values())
    percent = {k: round(100 * n / total, 1) if total else 0.0 for k, n in counts.items()}
    return {**counts, "percent": percent}


def round_entry(room: Room, statement: Statement, number: int, tally: Tally, scope: str) -> dict[str, Any]:
    scale = SCALES[statement.scale]
    summary = tally.summary()
    entry: dict[str, Any] = {"round": number, "results": summary, "sides": sides(scale, summary)}
    if room.event.roles:
        entry["by_role_room"] = with_sides(scale, room_split(scale, tally.choices, room))
        if scope == ORGANISER:
            entry["by_role"] = with_sides(scale, exact_split(room, scale, tally.choices))
    return entry


def exact_split(room: Room, scale: Scale, choices: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every group's exact figures (organiser only); "private": below the privacy minimum."""
    split = role_split(scale, choices, room.role_of, room.event.roles, room.role_minimum, include_small=True)
    return [{**e, "private": True} if e["too_few"] else e for e in split]


def with_sides(scale: Scale, split: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "sides": sides(scale, e["results"])} if e.get("results") is not None else e for e in split
    ]


def figures(room: Room, statement: Statement, include_small: bool = True) -> dict[str, Any]:
    """A statement's results per round, the shift between rounds, and the role split of
    the latest round: exact (include_small) or as the room may see it. The keys of schema 1,
    kept in schema 2."""
    scale = SCALES[statement.scale]
    first = room.tallies[statement.id]
    out: dict[str, Any] = {"results": first.summary()}
    second = room.second.get(statement.id)
    if second is not None:
        out["results_round2"] = second.summary()
        out["shift"] = round_shift(scale, first.choices, second.choices)
    if room.event.roles:
        latest = second or first
        split = exact_split(room, scale, latest.choices) if include_small else room_split(
            scale, latest.choices, room
        )
        out["by_role"] = split
        shown = [e for e in split if e.get("kind", "role") == "role"]
        out["role_gap"] = role_gap(shown, room.role_minimum * (1 if include_small else 2))
    return out


def statement_data(
    room: Room, s: Statement, votes: list[dict[str, Any]] | None, scope: str
) -> dict[str, Any]:
    organiser = scope == ORGANISER
    tallies = [(1, room.tallies[s.id]), *([(2, room.second[s.id])] if s.id in room.second else [])]
    entry: dict[str, Any] = {
        "id": s.id,
        "position": s.position + 1,
        "text": s.text,
        "translations": dict(s.translations),
        "scale": s.scale,
        "options": list(SCALES[s.scale].options),
        "rounds": s.round,
        **figures(room, s, include_small=organiser),
        "per_round": [round_entry(room, s, n, t, scope) for n, t in tallies],
        "comments": [
            {
                "text": c.text,
                "name": c.name,
                "status": c.status,
                "support": len(c.supporters),
                "created_at": c.created_at,
            }
            for c in room.comments_on(s.id)
            if organiser or c.status == PUBLISHED
        ],
    }
    if votes is not None:
        entry["votes"] = votes
    return entry


def results(store: Store, room: Room, scope: str = ORGANISER, with_map: bool = True) -> dict[str, Any]:
    """The JSON export (docs/export.md); with_map=False leaves the opinion map out (null),
    for the tables, which do not show it and need not wait for it."""
    if scope not in SCOPES:
        raise ValueError(f"unknown export scope {scope!r}; use organiser or room")
    organiser = scope == ORGANISER
    rows = store.votes(room.event.id)
    votes = anonymous_votes(store, room, rows) if organiser else None
    times = [row["cast_at"] for row in rows]
    return {
        "schema": SCHEMA,
        "scope": scope,
        "event": {
            "code": room.code,
            "title": room.event.title,
            "created_at": room.event.created_at,
            "first_vote": min(times, default=None),
            "last_vote": max(times, default=None),
            "participants": store.participant_count(room.event.id),
            "roles": room.event.roles,
            "role_minimum": room.role_minimum,
            "turnout": turnout(room) if organiser else None,
            "languages": store.languages(room.event.id),
        },
        "statements": [
            statement_data(room, s, None if votes is None else votes[s.id], scope) for s in room.statements
        ],
        "opinion_map": opinion_map(room, scope) if with_map else None,
    }


def turnout(room: Room) -> list[dict[str, Any]]:
    """Participants per role (organiser only: a small role's size is not for the room)."""
    counts: dict[str | None, int] = {role: 0 for role in room.event.roles}
    for role in room.role_of.values():
        key = role if role in room.event.roles else None
        counts[key] = counts.get(key, 0) + 1
    return [{"role": role, "participants": n} for role, n in counts.items()]


def opinion_map(room: Room, scope: str) -> dict[str, Any] | None:
    """The opinion map (issue 12) when voting.analysis.event provides it, else None.
    Organiser: the full map; room: what the projector may show."""
    try:
        from voting.analysis import event as event_analysis
    except ImportError:  # MAP HOOK: the opinion map helper's module is not there
        return None
    full = event_analysis.event_map(room)
    for moment in ("computed_at", "seconds"):  # the same data gives the same export
        full.pop(moment, None)
    if scope == ORGANISER:
        return full
    public = event_analysis.public_map(full, room.role_minimum)
    public.pop("computed_at", None)
    return public


def latest_choices(room: Room, statement: Statement) -> dict[str, str]:
    """Each participant's latest vote on a statement (round 2 where they voted again)."""
    latest = dict(room.tallies[statement.id].choices)
    second = room.second.get(statement.id)
    if second is not None:
        latest.update(second.choices)
    return latest

