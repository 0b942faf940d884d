"""Each statement's part of the report: results per round, the role split per round (with
the privacy rule), the shift, the metrics in words, comments published and not."""

from __future__ import annotations

from typing import Any

from voting.export import figures
from voting.i18n import Translator
from voting.live import Room
from voting.models import PUBLISHED, SCALES, Statement
from voting.reporting.words import explain
from voting.results import role_gap, role_split

BOTH = ("nl", "fr")  # the languages of the side-by-side report


def role_split_shown(
    room: Room, statement: Statement, choices: dict[str, str], exact: bool
) -> list[dict[str, Any]]:
    """PRIVACY SWITCH: the one place the report decides what a role split shows.

    exact=True (the moderator's own screen): every group's figures. Otherwise (the shared
    link, the PDF, the CLI) the room's rule: a group with fewer voters than the event's
    minimum shows no figures. When voting/privacy.py lands, call its rule here."""
    scale = SCALES[statement.scale]
    return role_split(scale, choices, room.role_of, room.event.roles, room.role_minimum, include_small=exact)


def entry(room: Room, statement: Statement, _: Translator, language: str, exact: bool) -> dict[str, Any]:
    data = figures(room, statement, include_small=exact)
    rounds = [data["results"]]
    tallies = [room.tallies[statement.id]]
    if "results_round2" in data:
        rounds.append(data["results_round2"])
        tallies.append(room.second[statement.id])
    splits = (
        [role_split_shown(room, statement, t.choices, exact) for t in tallies] if room.event.roles else []
    )
    gaps = [role_gap(split, room.role_minimum) for split in splits]
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
        "splits": splits,
        "gaps": gaps,
        "gap": gaps[-1] if gaps else None,
        "shift": data.get("shift"),
        "explain": explain(statement.scale, latest, _, language),
        "comments": published,
        "unpublished": len(comments) - len(published),
    }
