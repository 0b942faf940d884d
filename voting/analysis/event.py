"""The opinion map of one running event: a cheap snapshot of its votes (taken where the
room lives, on the event loop), the computation (anywhere: a worker thread), and the
room-safe version the projector may show.

`event_map(room)` is the one call for the report and the exports; the console and the
projector go through `voting.web.opinion`, which computes off the event loop and caches.
The shape of the data is documented in docs/metrics.md ("Opinion map", "The data").
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NumPy and scikit-learn load where the map is computed, not on import
    from voting.analysis.matrix import Vote
    from voting.analysis.opinion_map import OpinionMap
    from voting.live import Room

PUBLIC_STATEMENTS = 3  # what each group believes, on the projector


@dataclass(frozen=True)
class MapInput:
    """Everything the computation needs, copied out of the room (no live objects)."""

    event_id: int
    statements: tuple[dict[str, Any], ...]  # id, position, scale, text, translations
    choices: tuple[tuple[int, str, dict[str, str]], ...]  # statement id, scale, participant → option
    roles: dict[str, str | None]
    role_order: tuple[str, ...]
    role_minimum: int
    key: Hashable  # changes whenever the counts or the roles change
    excluded: tuple[tuple[int, str, dict[str, str]], ...] = ()  # as choices: moderated out, never shown


def fingerprint(room: Room) -> Hashable:
    """Changes whenever a count or a role changes (cheap: no copy of the votes). Two people
    swapping their votes leave it alone; the next change picks that up."""
    key = []
    for s in room.statements:
        tallies = [t for t in (room.tallies.get(s.id), room.second.get(s.id)) if t is not None]
        key.append((s.id, s.scale, s.ballot, *(tuple(sorted(t.counts.items())) for t in tallies)))
    roles = tuple(sorted(Counter(r or "" for r in room.role_of.values()).items()))
    return (tuple(key), len(room.role_of), roles)


def snapshot(room: Room, key: Hashable = None) -> MapInput:
    """The room's current votes: each participant's latest vote on each statement (their
    round-2 vote where they voted again, else their round-1 vote). Cheap: dict copies."""
    statements, choices = [], []
    for s in room.statements:
        latest = dict(room.tallies[s.id].choices) if s.id in room.tallies else {}
        second = room.second.get(s.id)
        if second is not None:
            latest.update(second.choices)
        statements.append(
            {"id": s.id, "position": s.position, "scale": s.scale, "text": s.text,
             "translations": dict(s.translations)}
        )  # fmt: skip
        choices.append((s.id, s.scale, latest))
    return MapInput(
        event_id=room.event.id,
        statements=tuple(statements),
        choices=tuple(choices),
        roles=dict(room.role_of),
        role_order=tuple(room.event.roles),
        role_minimum=room.role_minimum,
        key=fingerprint(room) if key is None else key,
        excluded=room.excluded_votes,  # imported: never changes
    )


def _votes(data: MapInput) -> list[Vote]:
    from voting.analysis.matrix import vote_value

    values: dict[tuple[str, str], int] = {}
    votes: list[Vote] = []
    for sid, scale, latest in data.choices + data.excluded:
        for pid, option in latest.items():
            value = values.get((scale, option))
            if value is None:
                value = values[(scale, option)] = vote_value(scale, option)
            votes.append((pid, sid, value))
    return votes


def analyse(data: MapInput) -> OpinionMap:
    """The opinion map of a snapshot; excluded statements in the PCA as Pol.is's mod-out."""
    from voting.analysis.opinion_map import opinion_map

    excluded = [sid for sid, _, _ in data.excluded]
    return opinion_map(
        _votes(data), [s["id"] for s in data.statements] + excluded, data.roles,
        excluded=excluded, role_order=data.role_order,
    )  # fmt: skip


def compute(data: MapInput) -> dict[str, Any]:
    """The full map of a snapshot as plain JSON data (for the moderator, the report and the
    organiser's export: participant ids and roles included)."""
    started = time.perf_counter()
    result = analyse(data).payload()
    hidden = {sid for sid, _, _ in data.excluded}  # in the PCA, never shown
    result["statements"] = [s for s in result["statements"] if s["statement"] not in hidden]
    voted = {sid for sid, _, latest in data.choices if latest}
    result["statements_voted"] = len(voted)
    result["texts"] = {str(s["id"]): {k: s[k] for k in ("position", "text", "translations")}
                       for s in data.statements}  # fmt: skip
    result["role_order"] = list(data.role_order)
    result["role_minimum"] = data.role_minimum
    result["computed_at"] = round(time.time(), 3)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def event_map(room: Room) -> dict[str, Any]:
    """The opinion map of `room` now, computed in this thread (the report, the exports)."""
    return compute(snapshot(room))


def public_map(full: dict[str, Any], minimum: int, statements: int = PUBLIC_STATEMENTS) -> dict[str, Any]:
    """What the room may see of `full` (the projector): no participant ids, no roles, no
    vote counts, points in no particular order (sorted by place, not by who joined first),
    and no group smaller than `minimum` described by itself: its members are drawn like
    the participants outside the groups, and the groups shown are numbered 0, 1, … anew.
    Each group shown keeps its `statements` most representative statements (direction
    only, no figures)."""
    shown = [g for g in full.get("groups", []) if g["members"] >= minimum]
    new_id = {g["id"]: i for i, g in enumerate(shown)}
    points = sorted(
        (round(p["x"], 3), round(p["y"], 3), new_id.get(p["group"])) for p in full.get("points", [])
    )
    groups = [
        {
            "id": new_id[g["id"]],
            "members": g["members"],
            "x": round(g["x"], 3),
            "y": round(g["y"], 3),
            "representative": [
                {"statement": r["statement"], "direction": r["direction"]}
                for r in g["representative"][:statements]
            ],
        }
        for g in shown
    ]
    used = {str(r["statement"]) for g in groups for r in g["representative"]}
    texts = full.get("texts", {})
    return {
        "status": full["status"],
        "participants": full["participants"],
        "points": [{"x": x, "y": y, "group": g} for x, y, g in points],
        "groups": groups,
        "texts": {sid: texts[sid] for sid in sorted(used, key=int) if sid in texts},
        "computed_at": full.get("computed_at"),
    }
