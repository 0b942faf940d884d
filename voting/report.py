"""The report the organiser sends after the event: every statement with its charts, role
split, metrics, round shift and published comments, plus a summary on top.

The figures come from the same functions as the live screens; charts are server-rendered
SVG (voting/svg.py) so the page prints to PDF without JavaScript. Role groups below the
privacy minimum show "too few votes", as everywhere outside the moderator console.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_percent
from markupsafe import Markup

from voting import svg
from voting.export import figures
from voting.i18n import Translate
from voting.live import Room
from voting.models import PUBLISHED, SCALES, Statement
from voting.store import Store
from voting.web.client_text import option_labels


def build(store: Store, room: Room, _: Translate, language: str = "nl") -> dict[str, Any]:
    # Headline percentages as the language writes them ("64 %" in French).
    labels = {**option_labels(_), "percent": format_percent(0.5, locale=language).replace("50", "{n}")}
    statements = [_statement(room, s, labels, _, language) for s in room.statements]
    voted = [s for s in statements if s["consensus"] is not None]
    gaps = [s for s in statements if s["gap"]]
    return {
        "participants": store.participant_count(room.event.id),
        "voters": len({p for t in [*room.tallies.values(), *room.second.values()] for p in t.choices}),
        "statements": statements,
        "legend": Markup(svg.legend(list(SCALES["likert5"].options), labels)),
        "summary": {
            "consensus": max(voted, key=lambda s: s["consensus"]) if voted else None,
            "divided": min(voted, key=lambda s: s["consensus"]) if len(voted) > 1 else None,
            "gap": max(gaps, key=lambda s: s["gap"]["mean_gap"]) if gaps else None,
        },
    }


def _statement(
    room: Room, statement: Statement, labels: dict[str, str], _: Translate, language: str
) -> dict[str, Any]:
    """A statement's part of the report, in the reader's language where it is translated
    (the statement and the role names)."""
    options = list(SCALES[statement.scale].options)
    data = figures(room, statement, include_small=False)
    results = data["results"]
    rounds = [(results, _("Round 1"))]
    if "results_round2" in data:
        rounds.append((data["results_round2"], _("Round 2")))
    charts = [
        Markup(svg.diverging_bar(options, summary, labels, caption=caption if len(rounds) > 1 else ""))
        for summary, caption in rounds
    ]
    roles = [
        Markup(
            svg.diverging_bar(
                options, entry["results"], labels, height=44,
                caption=f"{room.event.role_label(entry['role'], language) or _('No role given')}"
                f" ({entry['voters']})",
                too_few=_("too few votes") if entry["too_few"] else None,
            )
        )
        for entry in data.get("by_role", [])
        if entry["voters"]
    ]
    latest = data.get("results_round2", results)
    gap = data.get("role_gap")
    if gap:
        gap = {**gap, "roles": [room.event.role_label(r, language) for r in gap["roles"]]}
    return {
        "number": statement.position + 1,
        "text": statement.text_in(language),
        "voters": latest["voters"],
        "results": latest,
        "consensus": latest["consensus"],
        "charts": charts,
        "roles": roles,
        "gap": gap,
        "shift": data.get("shift"),
        "comments": sorted(
            room.comments_on(statement.id, PUBLISHED), key=lambda c: (-len(c.supporters), c.id)
        ),
    }
