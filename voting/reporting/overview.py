"""The overview table: statement × agree / neutral / disagree / n, for the whole room and
per role, the rounds side by side."""

from __future__ import annotations

from typing import Any

from voting.i18n import Translator
from voting.live import Room
from voting.reporting.words import percent, shares


def cell(scale: str, results: dict[str, Any] | None, voters: int, language: str) -> dict[str, Any]:
    """One round of one group: the three shares as text, or too_few (the room's rule)."""
    if results is None:
        return {"too_few": voters > 0, "n": voters}
    side = shares(scale, results)
    has_neutral = scale != "yesno"
    return {
        "too_few": False,
        "n": results["voters"],
        "agree": percent(side["agree"], language) if results["voters"] else "–",
        "neutral": percent(side["neutral"], language) if results["voters"] and has_neutral else "–",
        "disagree": percent(side["disagree"], language) if results["voters"] else "–",
    }


def table(entries: list[dict[str, Any]], room: Room, _: Translator, language: str) -> dict[str, Any]:
    rounds = max((len(e["rounds"]) for e in entries), default=1)
    rows: list[dict[str, Any]] = []
    for e in entries:
        cells = [cell(e["scale"], r, r["voters"], language) for r in e["rounds"]]
        rows.append(
            {"number": e["number"], "label": e["text"], "texts": e["texts"], "room": True, "cells": cells}
        )
        for index, group in enumerate(e["splits"][0] if e["splits"] else []):
            per_round = [split[index] for split in e["splits"]]
            if not any(g["voters"] for g in per_round):
                continue
            label = room.event.role_label(group["role"], language) or _("No role given")
            cells = [cell(e["scale"], g["results"], g["voters"], language) for g in per_round]
            rows.append({"number": e["number"], "label": label, "room": False, "cells": cells})
    return {"rounds": rounds, "rows": rows}
