"""Results of an event as JSON and CSV (votes are anonymous: participants become numbers)."""

from __future__ import annotations

import csv
import io
from typing import Any

from voting.live import Room
from voting.models import SCALES
from voting.store import Store


def results(store: Store, room: Room) -> dict[str, Any]:
    numbers: dict[str, int] = {}
    votes_by_statement: dict[int, list[dict[str, Any]]] = {s.id: [] for s in room.statements}
    for row in store.votes(room.event.id):
        number = numbers.setdefault(row["participant_id"], len(numbers) + 1)
        votes_by_statement[row["statement_id"]].append(
            {"participant": number, "option": row["option"], "cast_at": row["cast_at"]}
        )
    return {
        "event": {
            "code": room.code,
            "title": room.event.title,
            "created_at": room.event.created_at,
            "participants": store.participant_count(room.event.id),
        },
        "statements": [
            {
                "position": s.position + 1,
                "text": s.text,
                "scale": s.scale,
                "results": room.tallies[s.id].summary(),
                "votes": votes_by_statement[s.id],
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
