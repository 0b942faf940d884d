"""Each statement's part of the report: results per round, the role split per round (the
room's privacy rules, or exact for the moderator), the shift, the metrics in words, the
comments published and the number not published."""

from __future__ import annotations

from typing import Any

from voting.export import figures
from voting.i18n import Translator
from voting.live import Room
from voting.models import PUBLISHED, SCALES, Statement
from voting.privacy import band_label, room_view
from voting.reporting.words import diverges, explain
from voting.results import role_gap, role_split

BOTH = ("nl", "fr")  # the languages of the side-by-side report
OTHERS = "\x00others"  # the key of the room's "all other roles together" block


def split_shown(
    room: Room, statement: Statement, choices: dict[str, str], exact: bool, _: Translator
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """PRIVACY SWITCH: the one place the report decides what a role split shows, and the
    gap between the roles shown. Entries: {"role", "voters", "results"} and, for the room's
    block of all other roles together, {"role": OTHERS, "band": words, "voters": None}.

    exact=True (the moderator's own screen): every group's figures (voting.results). Else
    (the shared link, the PDF, the CLI) the room's rules of voting/privacy.py."""
    scale = SCALES[statement.scale]
    roles, minimum = room.event.roles, room.role_minimum
    if exact:
        split = role_split(scale, choices, room.role_of, roles, minimum, include_small=True)
        return split, role_gap(split, minimum)
    view = room_view(scale, choices, room.role_of, roles, minimum)
    shown = [
        {"role": e["role"], "voters": e["voters"], "results": e["results"]}
        if e["kind"] == "role"
        else {"role": OTHERS, "voters": None, "results": None, "band": band_label(e["band"], _)}
        for e in view["by_role"]
    ]
    return shown, view["gap"]


def entry(room: Room, statement: Statement, _: Translator, language: str, exact: bool) -> dict[str, Any]:
    data = figures(room, statement, include_small=exact)
    rounds = [data["results"]]
    tallies = [room.tallies[statement.id]]
    if "results_round2" in data:
        rounds.append(data["results_round2"])
        tallies.append(room.second[statement.id])
    shown = [split_shown(room, statement, t.choices, exact, _) for t in tallies] if room.event.roles else []
    latest = rounds[-1]
    comments = room.comments_on(statement.id)
    published = sorted(
        (c for c in comments if c.status == PUBLISHED), key=lambda c: (-len(c.supporters), c.id)
    )
    return {
        "id": statement.id,
        "number": statement.position + 1,
        "scale": statement.scale,
        "text": statement.text_in(language),
        "texts": [(lang, statement.text_in(lang)) for lang in BOTH],
        "discussed": any(r["voters"] for r in rounds),
        "rounds": rounds,
        "results": latest,
        "voters": latest["voters"],
        "consensus": latest["consensus"],
        "splits": [split for split, _gap in shown],
        "gaps": [gap for _split, gap in shown],
        "gap": shown[-1][1] if shown else None,
        "gap_words": _gap_words(statement.scale, shown[-1][1] if shown else None, _),
        "shift": data.get("shift"),
        "explain": explain(statement.scale, latest, _, language),
        "comments": published,
        "unpublished": len(comments) - len(published),
    }


def _gap_words(scale: str, gap: dict[str, Any] | None, _: Translator) -> str | None:
    """What the largest gap between two roles means, in words."""
    if gap is None:
        return None
    return _("the roles diverge") if diverges(scale, gap["mean_gap"]) else _("a small difference")
