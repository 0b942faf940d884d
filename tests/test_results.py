from __future__ import annotations

from collections import Counter

import pytest

from voting.models import SCALES
from voting.results import Tally, consensus, summarize

LIKERT = SCALES["likert5"]


def test_tally_counts_one_vote_per_participant_and_follows_changes() -> None:
    tally = Tally("likert5")
    tally.set("a", "agree")
    tally.set("b", "agree")
    tally.set("a", "disagree")
    tally.set("a", "disagree")
    assert tally.voters == 2
    assert tally.counts == Counter({"agree": 1, "disagree": 1})


def test_summary_percentages_exclude_pass_and_report_it() -> None:
    summary = summarize(LIKERT, {"agree": 2, "strongly_agree": 1, "disagree": 1, "pass": 4})
    assert summary["voters"] == 8
    assert summary["pass"] == 4
    assert summary["percent"]["agree"] == 50.0
    assert summary["percent"]["strongly_agree"] == 25.0
    assert summary["agreement"] == 50.0  # 75 % agree - 25 % disagree
    assert summary["mean"] == pytest.approx((2 * 1 + 2 - 1) / 4)


def test_summary_of_no_votes_has_no_metrics() -> None:
    summary = summarize(LIKERT, {})
    assert summary["voters"] == 0
    assert summary["agreement"] is None and summary["consensus"] is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"agree": 10}, 1.0),  # everyone the same: perfect agreement
        ({o: 4 for o in LIKERT.options}, 0.0),  # uniform: no agreement
        ({"strongly_disagree": 5, "strongly_agree": 5}, -1.0),  # split between extremes
        # (30, 40, 20, 10, 0) by hand: layers 11110 (w 40, A .25), 11100 (w 30, A .5),
        # 11000 (w 20, A .75), 01000 (w 10, A 1) -> (10 + 15 + 15 + 10) / 100 = 0.5
        ({"strongly_disagree": 30, "disagree": 40, "neutral": 20, "agree": 10}, 0.5),
    ],
)
def test_consensus_is_van_der_eijk_agreement(counts: dict[str, int], expected: float) -> None:
    opinion = {o: counts.get(o, 0) for o in LIKERT.options}
    assert consensus(LIKERT, opinion) == pytest.approx(expected, abs=0.01)


def test_consensus_on_yes_no() -> None:
    yesno = SCALES["yesno"]
    assert consensus(yesno, {"no": 0, "yes": 6}) == 1.0
    assert consensus(yesno, {"no": 3, "yes": 3}) == 0.0
