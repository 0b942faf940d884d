from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from voting.models import SCALES, Scale
from voting.results import (
    DEFAULT_ROLE_MINIMUM,
    Tally,
    consensus,
    role_gap,
    role_split,
    round_shift,
    summarize,
    summarize_choices,
    turnout,
)

LIKERT = SCALES["likert5"]
AGREE3 = SCALES["agree3"]
YESNO = SCALES["yesno"]


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


# --- roles -------------------------------------------------------------------------------


def _choices(role: str, options: list[str]) -> tuple[dict[str, str], dict[str, str | None]]:
    """Votes of participants role-0, role-1, ... and their role."""
    choices = {f"{role}-{i}": option for i, option in enumerate(options)}
    return choices, {p: role for p in choices}


def _metrics(results: dict[str, Any]) -> tuple[Any, ...]:
    return (
        results["voters"],
        results["pass"],
        results["mean"],
        results["agreement"],
        results["consensus"],
        results["polarisation"],
    )


def test_summarize_choices_counts_each_participants_option() -> None:
    summary = summarize_choices(LIKERT, {"a": "agree", "b": "agree", "c": "pass", "d": "strongly_disagree"})
    assert summary["voters"] == 4
    assert summary["pass"] == 1
    assert summary["counts"] == {
        "strongly_disagree": 1,
        "disagree": 0,
        "neutral": 0,
        "agree": 2,
        "strongly_agree": 0,
    }
    assert summary["mean"] == 0.0  # (1 + 1 - 2) / 3
    assert summary["agreement"] == 33.3  # (2 - 1) / 3


@pytest.mark.parametrize(
    ("scale", "options", "metrics"),
    [
        # unanimous: 3 x agree -> mean 1, agreement 100, A 1, no extremes
        (LIKERT, ["agree"] * 3, (3, 0, 1.0, 100.0, 1.0, 0.0)),
        # 50/50 on agree3: 2 disagree + 2 agree -> mean 0, agreement 0, A -1 (layer 101:
        # TDU 1, TU 0 -> U = -2, A = -2 * (1 - 1/2)), everyone at an extreme
        (AGREE3, ["disagree", "agree", "disagree", "agree"], (4, 0, 0.0, 0.0, -1.0, 1.0)),
        # uniform: one vote per likert5 option -> mean 0, agreement 0, A 0, 2 of 5 at the extremes
        (LIKERT, list(LIKERT.options), (5, 0, 0.0, 0.0, 0.0, 0.4)),
        # a pass counts as a voter only: 3 voters, 2 opinions (disagree, neutral): one layer
        # 01100 with TU 3 (011, 110, 110), TDU 0 -> U 1, A = 1 - (2 - 1)/(5 - 1) = 0.75
        (LIKERT, ["neutral", "pass", "disagree"], (3, 1, -0.5, -50.0, 0.75, 0.0)),
    ],
)
def test_role_split_gives_each_role_its_own_results(
    scale: Any, options: list[str], metrics: tuple[Any, ...]
) -> None:
    choices, role_of = _choices("police", options)
    [entry] = role_split(scale, choices, role_of, ["police"], 3)
    assert entry["role"] == "police"
    assert entry["voters"] == len(options)
    assert entry["too_few"] is False
    assert _metrics(entry["results"]) == metrics


def test_role_split_hides_a_role_below_the_minimum_unless_asked() -> None:
    choices = {"m1": "agree", "m2": "agree", "m3": "agree", "p1": "strongly_agree", "p2": "strongly_disagree"}
    role_of: dict[str, str | None] = {
        "m1": "mayor",
        "m2": "mayor",
        "m3": "mayor",
        "p1": "police",
        "p2": "police",
    }
    public = role_split(LIKERT, choices, role_of, ["mayor", "police"], 3)
    assert [(e["role"], e["voters"], e["too_few"]) for e in public] == [
        ("mayor", 3, False),
        ("police", 2, True),
    ]
    assert public[0]["results"]["agreement"] == 100.0
    assert public[1]["results"] is None  # two police votes: nobody but the moderator sees them

    console = role_split(LIKERT, choices, role_of, ["mayor", "police"], 3, include_small=True)
    assert console[1]["too_few"] is True  # still flagged
    assert _metrics(console[1]["results"]) == (2, 0, 0.0, 0.0, -1.0, 1.0)
    assert console[0] == public[0]


def test_role_split_single_voter_is_too_few_at_the_default_minimum_but_not_at_one() -> None:
    choices, role_of = _choices("justice", ["strongly_agree"])
    assert DEFAULT_ROLE_MINIMUM == 5  # issue 12: two prosecutors must be able to vote freely
    [hidden] = role_split(LIKERT, choices, role_of, ["justice"], DEFAULT_ROLE_MINIMUM)
    assert (hidden["voters"], hidden["too_few"], hidden["results"]) == (1, True, None)
    [shown] = role_split(LIKERT, choices, role_of, ["justice"], 1)
    assert shown["too_few"] is False
    assert _metrics(shown["results"]) == (1, 0, 2.0, 100.0, 1.0, 1.0)


def test_role_split_role_without_voters_is_not_too_few_and_has_no_metrics() -> None:
    split = role_split(LIKERT, {}, {"x": "mayor"}, ["mayor", "police"], 3)
    assert [(e["role"], e["voters"], e["too_few"]) for e in split] == [
        ("mayor", 0, False),
        ("police", 0, False),
    ]
    for entry in split:
        assert _metrics(entry["results"]) == (0, 0, None, None, None, None)


def test_role_split_puts_voters_without_a_listed_role_last_under_none() -> None:
    choices = {"a": "agree", "b": "disagree", "c": "pass", "d": "agree", "e": "neutral"}
    # b skipped the role; c's role is not one of the event's; d is missing from role_of
    role_of: dict[str, str | None] = {"a": "mayor", "b": None, "c": "journalist", "e": "mayor"}
    split = role_split(LIKERT, choices, role_of, ["police", "mayor"], 2)
    assert [(e["role"], e["voters"], e["too_few"]) for e in split] == [
        ("police", 0, False),
        ("mayor", 2, False),
        (None, 3, False),
    ]
    assert split[1]["results"]["counts"]["agree"] == 1 and split[1]["results"]["counts"]["neutral"] == 1
    # None: disagree, pass, agree -> 3 voters, 1 pass, mean 0, agreement 0
    assert _metrics(split[2]["results"])[:4] == (3, 1, 0.0, 0.0)
    # the no-role group obeys the same minimum
    small = role_split(LIKERT, {"b": "agree"}, role_of, ["mayor"], 2)
    assert small[-1] == {"role": None, "voters": 1, "too_few": True, "results": None}


def test_role_split_has_no_none_entry_when_every_voter_has_a_role() -> None:
    choices, role_of = _choices("mayor", ["agree", "agree", "agree"])
    role_of["absent"] = None  # a participant without a role who did not vote
    split = role_split(LIKERT, choices, role_of, ["mayor"], 3)
    assert [e["role"] for e in split] == ["mayor"]


def _split(
    groups: dict[str, list[str]], roles: list[str], *, include_small: bool = False
) -> list[dict[str, Any]]:
    choices: dict[str, str] = {}
    role_of: dict[str, str | None] = {}
    for role, options in groups.items():
        c, r = _choices(role, options)
        choices.update(c)
        role_of.update({p: (None if role == "none" else role) for p in r})
    return role_split(LIKERT, choices, role_of, roles, 3, include_small=include_small)


@pytest.mark.parametrize("include_small", [False, True])
def test_role_gap_picks_the_pair_with_the_largest_difference_of_mean(include_small: bool) -> None:
    split = _split(
        {
            "mayor": ["agree", "agree", "strongly_agree"],  # mean 4/3 -> 1.33, agreement 100
            "police": ["disagree", "disagree", "neutral", "agree"],  # mean -0.25, agreement -25
            "justice": ["neutral", "neutral", "pass"],  # mean 0, agreement 0
            "other": ["strongly_disagree"] * 2,  # mean -2, but below the minimum
            "staff": ["pass"] * 3,  # enough voters, no opinion
            "none": ["strongly_disagree"] * 3,  # mean -2, but no role
        },
        ["police", "justice", "mayor", "other", "staff"],
        include_small=include_small,
    )
    # pairs: police/justice 0.25, police/mayor 1.58, justice/mayor 1.33
    assert role_gap(split, 3) == {"roles": ["mayor", "police"], "mean_gap": 1.58, "agreement_gap": 125.0}


def test_role_gap_ties_go_to_the_first_pair_in_roles_order() -> None:
    split = _split(
        {
            "a": ["neutral"] * 3,  # mean 0, agreement 0
            "b": ["agree"] * 3,  # mean 1, agreement 100
            "c": ["agree", "agree", "strongly_disagree"],  # mean 0, agreement 33.3
        },
        ["a", "b", "c"],
    )
    # a/b 1, a/c 0, b/c 1: a/b comes first; b has the higher mean
    assert role_gap(split, 3) == {"roles": ["b", "a"], "mean_gap": 1.0, "agreement_gap": 100.0}
    # same means: roles order, gap 0
    same = _split({"a": ["agree"] * 3, "b": ["agree", "strongly_agree", "neutral"]}, ["b", "a"])
    assert role_gap(same, 3) == {"roles": ["b", "a"], "mean_gap": 0.0, "agreement_gap": 33.3}


def test_role_gap_needs_two_roles_above_the_minimum() -> None:
    groups = {"a": ["agree"] * 3, "b": ["disagree"] * 2, "none": ["disagree"] * 5}
    assert role_gap(_split(groups, ["a", "b"]), 3) is None
    # b's results shown to the moderator still do not make it count
    console = _split(groups, ["a", "b"], include_small=True)
    assert role_gap(console, 3) is None
    assert role_gap(_split({}, ["a", "b"]), 3) is None  # empty
    assert role_gap([], 3) is None
    # with a minimum of 2, b takes part
    assert role_gap(console, 2) == {"roles": ["a", "b"], "mean_gap": 2.0, "agreement_gap": 200.0}


def test_turnout_counts_participants_and_voters_per_role() -> None:
    role_of: dict[str, str | None] = {
        "m1": "mayor",
        "m2": "mayor",
        "m3": "mayor",
        "p1": "police",
        "n1": None,
        "j1": "journalist",  # not one of the event's roles: no role
    }
    choices = {"m1": "agree", "m2": "pass", "n1": "neutral", "x1": "agree"}  # x1 is missing from role_of
    assert turnout(role_of, choices, ["mayor", "police", "justice"]) == [
        {"role": "mayor", "participants": 3, "voters": 2},
        {"role": "police", "participants": 1, "voters": 0},
        {"role": "justice", "participants": 0, "voters": 0},
        {"role": None, "participants": 3, "voters": 2},
    ]


def test_turnout_without_role_less_participants_has_no_none_entry() -> None:
    role_of: dict[str, str | None] = {"p1": "police", "p2": "police"}
    assert turnout(role_of, {"p2": "yes"}, ["police"]) == [{"role": "police", "participants": 2, "voters": 1}]
    assert turnout({}, {}, ["police"]) == [{"role": "police", "participants": 0, "voters": 0}]
    # an event without roles: everyone is in the None entry
    assert turnout({"a": None, "b": None}, {"a": "no"}, []) == [
        {"role": None, "participants": 2, "voters": 1}
    ]


# --- second round ------------------------------------------------------------------------


def _shift(**figures: Any) -> dict[str, Any]:
    base = {
        "paired": 0,
        "changed": 0,
        "towards_agree": 0,
        "towards_disagree": 0,
        "other": 0,
        "mean_first": None,
        "mean_second": None,
        "only_first": 0,
        "only_second": 0,
    }
    return {**base, **figures}


def test_round_shift_everyone_one_step_towards_agree() -> None:
    first = {"a": "disagree", "b": "neutral", "c": "agree"}
    second = {"a": "neutral", "b": "agree", "c": "strongly_agree"}
    assert round_shift(LIKERT, first, second) == _shift(
        paired=3, changed=3, towards_agree=3, mean_first=0.0, mean_second=1.0
    )


def test_round_shift_moves_to_and_from_pass_are_other() -> None:
    first = {"a": "agree", "b": "pass", "c": "disagree", "d": "neutral", "e": "pass"}
    second = {"a": "pass", "b": "agree", "c": "strongly_disagree", "d": "neutral", "e": "pass"}
    # a: to pass, b: from pass, c: one step down, d and e: unchanged
    # mean_first over a, c, d = (1 - 1 + 0) / 3 = 0; mean_second over b, c, d = (1 - 2 + 0) / 3 = -0.33
    assert round_shift(LIKERT, first, second) == _shift(
        paired=5, changed=3, towards_disagree=1, other=2, mean_first=0.0, mean_second=-0.33
    )


def test_round_shift_pairs_only_participants_who_voted_in_both_rounds() -> None:
    first = {"a": "agree", "x": "strongly_disagree"}
    second = {"a": "agree", "b": "strongly_agree", "c": "pass"}
    assert round_shift(LIKERT, first, second) == _shift(
        paired=1, mean_first=1.0, mean_second=1.0, only_first=1, only_second=2
    )


def test_round_shift_with_nobody_paired_has_no_means() -> None:
    assert round_shift(LIKERT, {"a": "agree"}, {"b": "disagree"}) == _shift(only_first=1, only_second=1)
    assert round_shift(LIKERT, {}, {}) == _shift()


def test_round_shift_on_yes_no_and_a_unanimous_room() -> None:
    assert round_shift(YESNO, {"a": "yes", "b": "no"}, {"a": "no", "b": "no"}) == _shift(
        paired=2, changed=1, towards_disagree=1, mean_first=0.0, mean_second=-1.0
    )
    same = {p: "agree" for p in "abc"}
    assert round_shift(AGREE3, same, same) == _shift(paired=3, mean_first=1.0, mean_second=1.0)


def test_round_shift_between_options_of_equal_score_is_other() -> None:
    # no built-in scale has two options with one score; a made-up one pins the rule down
    scale = Scale("test", ("no", "unsure", "maybe", "yes"), (-1, 0, 0, 1))
    first = {"a": "unsure", "b": "unsure"}
    second = {"a": "maybe", "b": "yes"}
    assert round_shift(scale, first, second) == _shift(
        paired=2, changed=2, towards_agree=1, other=1, mean_first=0.0, mean_second=0.5
    )


def test_votes_for_options_the_scale_lacks_are_ignored() -> None:
    # cannot come from a validated vote; ignored as summarize() ignores them
    [entry] = role_split(YESNO, {"a": "yes", "b": "agree"}, {"a": "r", "b": "r"}, ["r"], 1)
    assert entry["voters"] == 1 and entry["results"]["voters"] == 1
    assert round_shift(YESNO, {"a": "yes", "b": "maybe"}, {"a": "no", "b": "no"}) == _shift(
        paired=1, changed=1, towards_disagree=1, mean_first=1.0, mean_second=-1.0, only_second=1
    )
