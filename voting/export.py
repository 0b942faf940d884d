"""Results of an event as JSON, CSV tables and a zip of them.

Votes are anonymous: each participant becomes a number, the same for all of an event's
statements (a per-event pseudonym), with the role they chose. The export is for the
organiser, so role splits include groups below the privacy minimum.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from voting.live import Room
from voting.models import SCALES, Statement
from voting.results import role_gap, role_split, round_shift
from voting.store import Store


def anonymous_votes(store: Store, room: Room) -> dict[int, list[dict[str, Any]]]:
    """Every vote per statement, participants replaced by a per-event number."""
    numbers: dict[str, int] = {}
    votes: dict[int, list[dict[str, Any]]] = {s.id: [] for s in room.statements}
    for row in store.votes(room.event.id):
        participant = row["participant_id"]
        number = numbers.setdefault(participant, len(numbers) + 1)
        votes[row["statement_id"]].append(
            {
                "participant": number,
                "role": room.role_of.get(participant),
                "round": row["round"],
                "option": row["option"],
                "cast_at": row["cast_at"],
            }
        )
    return votes


def figures(room: Room, statement: Statement, include_small: bool = True) -> dict[str, Any]:
    """A statement's results per round, the shift between rounds, and the role split
    (include_small=False: groups below the privacy minimum without their results)."""
    scale = SCALES[statement.scale]
    first = room.tallies[statement.id]
    out: dict[str, Any] = {"results": first.summary()}
    second = room.second.get(statement.id)
    if second is not None:
        out["results_round2"] = second.summary()
        out["shift"] = round_shift(scale, first.choices, second.choices)
    if room.event.roles:
        latest = second or first
        split = role_split(
            scale, latest.choices, room.role_of, room.event.roles, room.role_minimum,
            include_small=include_small,
        )
        out["by_role"] = split
        out["role_gap"] = role_gap(split, room.role_minimum)
    return out


def results(store: Store, room: Room) -> dict[str, Any]:
    votes = anonymous_votes(store, room)
    return {
        "event": {
            "code": room.code,
            "title": room.event.title,
            "created_at": room.event.created_at,
            "participants": store.participant_count(room.event.id),
            "roles": room.event.roles,
            "role_minimum": room.role_minimum,
        },
        "statements": [
            {
                "position": s.position + 1,
                "text": s.text,
                "scale": s.scale,
                "rounds": s.round,
                **figures(room, s),
                "votes": votes[s.id],
                "comments": [
                    {
                        "text": c.text,
                        "name": c.name,
                        "status": c.status,
                        "support": len(c.supporters),
                        "created_at": c.created_at,
                    }
                    for c in room.comments_on(s.id)
                ],
            }
            for s in room.statements
        ],
    }


CSV_COLUMNS = ["position", "statement", "scale", "option", "score", "count", "percent"]


def results_csv(room: Room) -> str:
    """One row per statement and option (and one for "pass"): ready for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in room.statements:
        scale = SCALES[s.scale]
        summary = room.tallies[s.id].summary()
        for option in scale.options:
            writer.writerow(
                [
                    s.position + 1,
                    _safe(s.text),
                    s.scale,
                    option,
                    scale.score(option),
                    summary["counts"][option],
                    summary["percent"][option],
                ]
            )
        writer.writerow([s.position + 1, _safe(s.text), s.scale, "pass", "", summary["pass"], ""])
    return out.getvalue()


COMMENT_COLUMNS = ["position", "statement", "comment", "name", "status", "support", "created_at"]


def comments_csv(room: Room) -> str:
    """One row per comment, hidden ones included with their status."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COMMENT_COLUMNS)
    for s in room.statements:
        for c in room.comments_on(s.id):
            writer.writerow(
                [
                    s.position + 1,
                    _safe(s.text),
                    _safe(c.text),
                    _safe(c.name or ""),
                    c.status,
                    len(c.supporters),
                    c.created_at,
                ]
            )
    return out.getvalue()


def _safe(text: str) -> str:
    """Defuse spreadsheet formulas (CSV injection) in user text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


VOTE_COLUMNS = ["position", "statement", "participant", "role", "round", "option", "score", "cast_at"]


def votes_csv(store: Store, room: Room) -> str:
    """One row per vote: anonymous participant number, role, round, option, time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(VOTE_COLUMNS)
    votes = anonymous_votes(store, room)
    for s in room.statements:
        scale = SCALES[s.scale]
        for vote in votes[s.id]:
            option = vote["option"]
            writer.writerow(
                [
                    s.position + 1,
                    _safe(s.text),
                    vote["participant"],
                    _safe(vote["role"] or ""),
                    vote["round"],
                    option,
                    "" if not scale.accepts(option) else scale.score(option),
                    vote["cast_at"],
                ]
            )
    return out.getvalue()


def zipped(store: Store, room: Room) -> bytes:
    """Every table as CSV plus the JSON, in one zip file.

    The files are dated with the event's creation (not the time of export), so the same
    data always gives the same bytes, from the console as from `voting event export`."""
    stamp = datetime.fromisoformat(room.event.created_at).timetuple()[:6]
    files = {
        "results.csv": results_csv(room),
        "votes.csv": votes_csv(store, room),
        "comments.csv": comments_csv(room),
        "event.json": json.dumps(results(store, room), ensure_ascii=False, indent=2),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o600 << 16  # as writestr(name, ...) gives: rw for the owner
            archive.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
