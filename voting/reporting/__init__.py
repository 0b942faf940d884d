"""The report the organiser sends after the event: findings in sentences on top, the
event's facts, one overview table, then every discussed statement with its charts, role
split, metrics in words, round shift and comments, and a method section.

The figures come from the same functions as the JSON export (voting/export.py); charts
are server-rendered SVG (voting/svg.py), so the page prints, and WeasyPrint renders it to
PDF (voting/reporting/pdf.py), without JavaScript. `exact=False` (the shared link, the PDF)
follows the room's privacy rule for small roles; see statements.role_split_shown.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_percent
from markupsafe import Markup

from voting import svg
from voting.i18n import LANGUAGES, translator
from voting.live import Room
from voting.models import SCALES
from voting.reporting import facts, findings, opinion, overview, statements
from voting.reporting.logo import data_uri
from voting.store import Store
from voting.store import report_facts as sql
from voting.web.client_text import option_labels


def build(
    store: Store,
    room: Room,
    language: str,
    *,
    exact: bool = False,
    both: bool = False,
    opinion_map: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's data. `opinion_map`: the event's full map (voting.analysis.event), when
    the caller has one; the report keeps only what the room may see of it."""
    _ = translator(language)
    labels = {**option_labels(_), "percent": format_percent(0.5, locale=language).replace("50", "{n}")}
    entries = [statements.entry(room, s, _, language, exact) for s in room.statements]
    discussed = [e for e in entries if e["discussed"]]
    for e in discussed:
        _charts(e, room, labels, _, language)
    turnout = facts.participation(room, _, language, exact)
    logo = sql.logo(store.conn, room.event.id)
    return {
        "facts": facts.build(store, room, language),
        "turnout": turnout,
        "findings": _findings(discussed, turnout, room, language, both, exact),
        "overview": overview.table(discussed, room, _, language),
        "statements": discussed,
        "not_discussed": [e for e in entries if not e["discussed"]],
        "unpublished": sum(e["unpublished"] for e in entries),
        "legend": Markup(svg.legend(list(SCALES["likert5"].options), labels)),
        "logo": data_uri(*logo) if logo else None,
        "exact": exact,
        "both": both,
        "roles": bool(room.event.roles),
        "role_minimum": room.role_minimum,
        "opinion_map": opinion.section(opinion_map, room.role_minimum, _, language),
    }


def _findings(
    discussed: list[dict[str, Any]],
    turnout: dict[str, Any],
    room: Room,
    language: str,
    both: bool,
    exact: bool,
) -> list[tuple[str, list[str]]]:
    """The findings in the reader's language, or in Dutch and French side by side."""
    languages = ("nl", "fr") if both else (language,)
    out = []
    for lang in languages:
        _ = translator(lang)
        if lang != language:  # the statements and roles as that language's reader sees them
            entries = [{**e, "text": dict(e["texts"]).get(lang, e["text"])} for e in discussed]
            turnout = facts.participation(room, _, lang, exact)
        else:
            entries = discussed
        out.append((lang, findings.build(entries, turnout, room, _, lang)))
    return out


def _charts(entry: dict[str, Any], room: Room, labels: dict[str, str], _: Any, language: str) -> None:
    options = list(SCALES[entry["scale"]].options)
    rounds = entry["rounds"]
    entry["charts"] = [
        Markup(
            svg.diverging_bar(
                options, summary, labels, caption=[_("Round 1"), _("Round 2")][i] if len(rounds) > 1 else ""
            )
        )
        for i, summary in enumerate(rounds)
    ]
    entry["roles"] = [_role_chart(group, options, labels, room, _, language) for group in _latest(entry)]


def _latest(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The groups of the last round's split that have anything to show."""
    return [g for g in (entry["splits"][-1] if entry["splits"] else []) if g["voters"] != 0]


def _role_chart(
    group: dict[str, Any], options: list[str], labels: dict[str, str], room: Room, _: Any, language: str
) -> Markup:
    if group.get("band"):  # the room's block of all other roles: words, no figures
        caption, note = _("All other roles together"), group["band"]
    else:
        caption, note = f"{_role(room, group['role'], _, language)} ({group['voters']})", None
    return Markup(
        svg.diverging_bar(options, group["results"], labels, height=44, caption=caption, too_few=note)
    )


def _role(room: Room, role: str | None, _: Any, language: str) -> str:
    return room.event.role_label(role, language) or _("No role given")


__all__ = ["build", "LANGUAGES"]
