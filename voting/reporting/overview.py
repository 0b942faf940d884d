"""The overview table: statement × agree / neutral / disagree / n, for the whole room and
per role (as statements.split_shown gives them), the rounds side by side."""

from __future__ import annotations

from typing import Any

from voting.i18n import Translator
from voting.live import Room
from voting.reporting.statements import OTHERS
from voting.reporting.words import percent, shares


def cell(scale: str, group: dict[str, Any] | None, language: str) -> dict[str, Any] | None:
    """One round of one group: the three shares as text, the band's words for the room's
    block of other roles, or None when the group is not shown in that round."""
    if group is None:
        return None
    if group.get("band"):
        return {"band": group["band"]}
    results = group["results"]
    side = shares(scale, results)
    voted = results["voters"] > 0
    return {
        "n": results["voters"],
        "agree": percent(side["agree"], language) if voted else "–",
        "neutral": percent(side["neutral"], language) if voted and scale != "yesno" else "–",
        "disagree": percent(side["disagree"], language) if voted else "–",
    }


def table(entries: list[dict[str, Any]], room: Room, _: Translator, language: str) -> dict[str, Any]:
    rounds = max((len(e["rounds"]) for e in entries), default=1)
    rows: list[dict[str, Any]] = []
    for e in entries:
        cells = [cell(e["scale"], {"results": r}, language) for r in e["rounds"]]
        rows.append(
            {"number": e["number"], "label": e["text"], "texts": e["texts"], "room": True, "cells": cells}
        )
        by_key = [{g["role"]: g for g in split if g["voters"] != 0} for split in e["splits"]]
        keys = list(dict.fromkeys(key for split in by_key for key in split))  # roles order
        keys.sort(key=lambda key: key == OTHERS)  # the block of other roles last
        for key in keys:
            rows.append(
                {
                    "number": e["number"],
                    "label": _label(room, key, _, language),
                    "room": False,
                    "cells": [cell(e["scale"], split.get(key), language) for split in by_key],
                }
            )
    return {"rounds": rounds, "rows": rows}


def _label(room: Room, key: str | None, _: Translator, language: str) -> str:
    if key == OTHERS:
        return _("All other roles together")
    return room.event.role_label(key, language) or _("No role given")
