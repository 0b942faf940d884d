"""The findings on top of the report: 3–6 sentences from templates filled with figures.

Every figure in a sentence is one of the JSON export's (voting/export.py `figures()`):
shares are sums of its per-option percentages, means and consensus its values, the role
gap its `role_gap`. A statement whose roles diverge is never called common ground.
"""

from __future__ import annotations

from typing import Any

from voting.i18n import Translator, mark_n
from voting.live import Room
from voting.reporting.words import decimal, diverges, percent, score_range, shares

SPLIT_BELOW = 0.3  # consensus under which a statement counts as dividing the room
JOINED = mark_n(
    "{n} participant joined and {voted} voted.", "{n} participants joined and {voted} of them voted."
)


def build(
    entries: list[dict[str, Any]], turnout: dict[str, Any], room: Room, _: Translator, language: str
) -> list[str]:
    """The findings about the discussed statements `entries` (see statements.entry)."""
    voted = [e for e in entries if e["consensus"] is not None]
    sentences = [_turnout(turnout, _, language)]
    agreed = _common_ground(voted, room, _, language)
    if agreed:
        sentences.append(agreed[1])
    divided = min(voted, key=lambda e: e["consensus"]) if len(voted) > 1 else None
    if (
        divided is not None
        and divided["consensus"] < SPLIT_BELOW
        and (not agreed or divided is not agreed[0])
    ):
        sentences.append(_divided(divided, _, language))
    gapped = [e for e in voted if e["gap"]]
    if gapped:
        widest = max(gapped, key=lambda e: e["gap"]["mean_gap"])
        sentences.append(_roles(widest, room, _, language))
    shifted = [e for e in voted if e["shift"] and e["shift"]["changed"]]
    if shifted:
        sentences.append(_shift(max(shifted, key=lambda e: e["shift"]["changed"]), _, language))
    elif any(e["shift"] for e in voted):
        sentences.append(_("A second round changed nobody's vote."))
    if not voted:
        sentences.append(_("No statement received votes."))
    return sentences[:6]


def _quote(entry: dict[str, Any], _: Translator) -> str:
    return _("statement {number} (“{text}”)").format(number=entry["number"], text=entry["text"])


def _turnout(turnout: dict[str, Any], _: Translator, language: str) -> str:
    text = _.count(*JOINED, turnout["joined"]).format(voted=turnout["voted"])
    roles = [r for r in turnout["roles"] if r["participants"]]
    if roles:
        parts = [
            _("{role}: {voted} of {joined}").format(
                role=r["label"], voted=r["voters"], joined=r["participants"]
            )
            for r in roles
        ]
        if turnout["hidden"]:
            parts.append(_("smaller roles not shown"))
        text += " " + _("By role: {list}.").format(list="; ".join(parts))
    return text


def _common_ground(
    voted: list[dict[str, Any]], room: Room, _: Translator, language: str
) -> tuple[dict[str, Any], str] | None:
    """The statement with the highest consensus whose roles do not diverge; when every
    candidate's roles diverge, the highest one with that said."""
    ranked = sorted(voted, key=lambda e: (-e["consensus"], e["number"]))
    if not ranked or ranked[0]["consensus"] < SPLIT_BELOW:
        return None
    calm = [e for e in ranked if e["consensus"] >= SPLIT_BELOW and not _diverging(e)]
    side = shares(ranked[0]["scale"], ranked[0]["results"])
    if calm:
        best = calm[0]
        side = shares(best["scale"], best["results"])
        text = _(
            "The broadest agreement was on {statement}: {agree} agreed and {disagree} disagreed"
            " (consensus {consensus})."
        )
        text = text.format(
            statement=_quote(best, _),
            agree=percent(side["agree"], language),
            disagree=percent(side["disagree"], language),
            consensus=decimal(best["consensus"], language),
        )
        if best["gap"] is not None:
            text += " " + _("The roles did not differ much on it.")
        return best, text
    best = ranked[0]
    text = _(
        "On {statement} the room as a whole leaned one way ({agree} agreed, {disagree} disagreed,"
        " consensus {consensus}), but the roles did not: {roles}."
    )
    return best, text.format(
        statement=_quote(best, _),
        agree=percent(side["agree"], language),
        disagree=percent(side["disagree"], language),
        consensus=decimal(best["consensus"], language),
        roles=_role_means(best, room, _, language),
    )


def _diverging(entry: dict[str, Any]) -> bool:
    return entry["gap"] is not None and diverges(entry["scale"], entry["gap"]["mean_gap"])


def _divided(entry: dict[str, Any], _: Translator, language: str) -> str:
    side = shares(entry["scale"], entry["results"])
    text = _(
        "The room was most divided on {statement}: {agree} agreed, {disagree} disagreed"
        " (consensus {consensus})."
    )
    return text.format(
        statement=_quote(entry, _),
        agree=percent(side["agree"], language),
        disagree=percent(side["disagree"], language),
        consensus=decimal(entry["consensus"], language),
    )


def _role_means(entry: dict[str, Any], room: Room, _: Translator, language: str) -> str:
    """The two roles of the statement's gap with their mean scores."""
    means = {g["role"]: g["results"]["mean"] for g in entry["splits"][-1] if g["results"]}
    high, low = entry["gap"]["roles"]
    return _("{high} averaged {high_mean}, {low} {low_mean}").format(
        high=room.event.role_label(high, language),
        high_mean=_signed(means[high], language),
        low=room.event.role_label(low, language),
        low_mean=_signed(means[low], language),
    )


def _roles(entry: dict[str, Any], room: Room, _: Translator, language: str) -> str:
    low, high = score_range(entry["scale"])
    text = _("Roles differed most on {statement}: {means} (on a scale from {low} to {high}).").format(
        statement=_quote(entry, _),
        means=_role_means(entry, room, _, language),
        low=decimal(low, language),
        high=f"+{high}",
    )
    gaps = entry["gaps"]
    if len(gaps) == 2 and gaps[0] is not None and gaps[1] is not None:
        text += " " + _("The second round moved the gap from {before} to {after}.").format(
            before=decimal(gaps[0]["mean_gap"], language), after=decimal(gaps[1]["mean_gap"], language)
        )
    return text


def _shift(entry: dict[str, Any], _: Translator, language: str) -> str:
    shift = entry["shift"]
    return _(
        "After the discussion, a second vote on {statement} changed {changed} of {paired} votes:"
        " {up} towards agree, {down} towards disagree."
    ).format(
        statement=_quote(entry, _),
        changed=shift["changed"],
        paired=shift["paired"],
        up=shift["towards_agree"],
        down=shift["towards_disagree"],
    )


def _signed(value: float, language: str) -> str:
    return ("+" if value > 0 else "") + decimal(value, language)
