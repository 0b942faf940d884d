"""Figures in plain words: shares of agree / neutral / disagree, percentages and decimals
as the reader's language writes them, and a sentence for each metric.

The shares are sums of the per-option percentages of voting.results.summarize() (the
figures of the JSON export), so a reader can trace every number back to it.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal, format_percent

from voting.i18n import Translator
from voting.models import SCALES
from voting.svg import js_round

# A gap between two roles' means of at least this share of the scale's range counts as
# "the roles diverge" (likert5: 1 point of 4; agree3 and yes/no: 0.5 of 2).
DIVERGENCE = 0.25


def shares(scale_key: str, results: dict[str, Any]) -> dict[str, float]:
    """Agree, neutral and disagree as percentages of the opinion votes."""
    scale = SCALES[scale_key]
    out = {"agree": 0.0, "neutral": 0.0, "disagree": 0.0}
    for option, percent in results["percent"].items():
        score = scale.score(option) or 0
        side = "agree" if score > 0 else "disagree" if score < 0 else "neutral"
        out[side] += percent
    return {side: round(value, 1) for side, value in out.items()}


def percent(value: float, language: str) -> str:
    """A whole percentage, rounded half up as the charts round it."""
    return format_percent(js_round(value) / 100, locale=language)


def decimal(value: float | None, language: str) -> str:
    return "–" if value is None else format_decimal(value, locale=language)


def score_range(scale_key: str) -> tuple[int, int]:
    scores = SCALES[scale_key].scores
    return min(scores), max(scores)


def diverges(scale_key: str, mean_gap: float) -> bool:
    low, high = score_range(scale_key)
    return mean_gap >= DIVERGENCE * (high - low)


def consensus_words(value: float, _: Translator) -> str:
    if value >= 0.6:
        return _("nearly everyone gave the same or a neighbouring answer")
    if value >= 0.3:
        return _("a clear common direction, with some spread")
    if value >= -0.1:
        return _("opinions were spread out")
    return _("the room was split between opposite answers")


def explain(scale_key: str, results: dict[str, Any], _: Translator, language: str) -> list[dict[str, str]]:
    """Each metric of a statement's results with a sentence that says what it means."""
    if results["consensus"] is None:
        return []
    side = shares(scale_key, results)
    low, high = score_range(scale_key)
    agreement = results["agreement"]
    out = [
        {
            "name": _("Agreement"),
            "value": decimal(agreement, language),
            "words": _(
                "{agree} agreed and {disagree} disagreed: the difference, in percentage points."
            ).format(agree=percent(side["agree"], language), disagree=percent(side["disagree"], language)),
        },
        {
            "name": _("Mean"),
            "value": decimal(results["mean"], language),
            "words": _("The average answer on a scale from {low} (disagree) to {high} (agree).").format(
                low=decimal(low, language), high=f"+{high}"
            ),
        },
        {
            "name": _("Consensus"),
            "value": decimal(results["consensus"], language),
            "words": _(
                "{words} (1: everyone gave the same answer; −1: split between the two extremes)."
            ).format(words=consensus_words(results["consensus"], _).capitalize()),
        },
    ]
    if len(SCALES[scale_key].options) > 2:  # on yes/no every vote is an extreme
        out.append(
            {
                "name": _("Polarisation"),
                "value": decimal(results["polarisation"], language),
                "words": _("{share} chose one of the two extreme answers.").format(
                    share=percent(100 * results["polarisation"], language)
                ),
            }
        )
    return out
