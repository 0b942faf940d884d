"""The opinion map's own rules: the vote mapping, the participant rule, planted groups,
roles as groups, the payload and the edge cases (see docs/metrics.md, "Opinion map")."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from voting.analysis.matrix import Vote, build_matrix, in_conversation, vote_value
from voting.analysis.opinion_map import OpinionMap, opinion_map
from voting.analysis.pca import project
from voting.analysis.repness import critical_z, group_stats, one_prop_test, two_prop_test
from voting.analysis.roles import reading

STATEMENTS = 30


def planted(
    participants: int, seed: int, vote_share: float = 0.6, noise: float = 0.2
) -> tuple[list[Vote], list[int]]:
    """Three opinion groups with opposite stances on random statements, sparse and noisy."""
    rng = np.random.default_rng(seed)
    stances = rng.choice([-1, 1], size=(3, STATEMENTS))
    group = rng.integers(0, 3, size=participants)
    voted = rng.random((participants, STATEMENTS)) < vote_share
    random_vote = rng.random((participants, STATEMENTS)) < noise
    values = np.where(random_vote, rng.integers(-1, 2, size=(participants, STATEMENTS)), stances[group])
    votes = [(f"p{i}", j, int(values[i, j])) for i, j in zip(*np.nonzero(voted), strict=True)]
    return votes, group.tolist()


def ari(omap: OpinionMap, truth: list[int]) -> float:
    labels = omap.labels()
    return float(adjusted_rand_score([truth[int(p[1:])] for p in labels], list(labels.values())))


# The vote mapping


@pytest.mark.parametrize(
    ("scale", "option", "value"),
    [
        ("likert5", "strongly_disagree", -1),
        ("likert5", "disagree", -1),
        ("likert5", "neutral", 0),
        ("likert5", "agree", 1),
        ("likert5", "strongly_agree", 1),
        ("agree3", "disagree", -1),
        ("agree3", "neutral", 0),
        ("agree3", "agree", 1),
        ("yesno", "no", -1),
        ("yesno", "yes", 1),
        ("likert5", "pass", 0),
        ("yesno", "pass", 0),
    ],
)
def test_vote_value(scale: str, option: str, value: int) -> None:
    assert vote_value(scale, option) == value


def test_vote_value_names_bad_input() -> None:
    with pytest.raises(ValueError, match="'maybe' is not an option of the 'yesno' scale"):
        vote_value("yesno", "maybe")
    with pytest.raises(ValueError, match="unknown scale 'likert7'"):
        vote_value("likert7", "agree")


# The matrix and the participant rule


def test_matrix_keeps_the_last_vote_and_known_statements() -> None:
    votes = [("10", 2, 1), ("9", 1, -1), ("10", 2, -1), ("x", 1, 0), ("9", 99, 1)]
    m = build_matrix(votes, [1, 2, 3])
    assert m.participants == ("9", "10", "x")  # numeric ids numerically, then the others
    assert m.statements == (1, 2)  # only statements with votes; 99 is not an event statement
    np.testing.assert_array_equal(m.values, [[-1, np.nan], [np.nan, -1], [0, np.nan]])
    assert m.vote_counts.tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match=r"vote value must be \+1, 0 or -1, not 2 \('a' on 1\)"):
        build_matrix([("a", 1, 2)], [1])


def test_participant_rule_is_polis_min_seven_then_fifteen_most_active() -> None:
    # 20 participants on 10 statements: p0…p11 voted 7+ times, p12…p19 fewer.
    votes = [(f"p{i}", j, 1) for i in range(12) for j in range(7 + i % 4)]
    votes += [(f"p{i}", j, -1) for i in range(12, 20) for j in range(i - 11)]  # 1…8 votes → 1…6 below 7
    m = build_matrix(votes, range(10))
    chosen = [p for p, keep in zip(m.participants, in_conversation(m), strict=True) if keep]
    # 12 qualify (p18 and p19 have 7 and 8 votes: 14); the most active of the rest fill up to 15: p17 (6).
    assert len(chosen) == 15
    assert set(chosen) == {f"p{i}" for i in range(20)} - {f"p{i}" for i in range(12, 17)}
    # With only 3 statements, 3 votes are enough (min(7, statements)).
    few = build_matrix([(f"p{i}", j, 1) for i in range(20) for j in range(3 if i < 16 else 1)], range(3))
    assert int(in_conversation(few).sum()) == 16


def test_sparsity_scaling_and_mean_imputation() -> None:
    values = np.array(
        [[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0], [1.0, np.nan, np.nan, np.nan], [0, 0, 0, 0]]
    )
    proj = project(values, np.zeros(4, dtype=bool))
    center = np.nanmean(values, axis=0)
    np.testing.assert_allclose(proj.center, center)
    raw = values[2] - center
    raw[1:] = 0.0  # missing votes sit at the statement's mean
    np.testing.assert_allclose(proj.participants[2], 2.0 * (proj.components @ raw))  # sqrt(4 / 1) = 2
    assert proj.explained_variance_ratio[0] > 0.9
    # A statement's point: a virtual participant agreeing with it alone, sqrt(4) × (1 − mean).
    np.testing.assert_allclose(proj.statements[0], 2.0 * (1 - center[0]) * proj.components[:, 0])


# Planted structure


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_three_groups_are_recovered(seed: int) -> None:
    votes, truth = planted(240, seed)
    omap = opinion_map(votes, range(STATEMENTS))
    assert omap.status == "ok"
    assert len(omap.groups) == 3
    assert ari(omap, truth) >= 0.9
    silhouettes = dict(omap.silhouettes)
    assert set(silhouettes) == {2, 3, 4, 5}
    assert max(silhouettes, key=lambda k: silhouettes[k]) == 3
    assert omap.in_analysis == 240 > 100  # so through 100 base clusters
    assert sum(g.members for g in omap.groups) == 240


def test_planted_groups_have_their_stances_as_representative_statements() -> None:
    rng = np.random.default_rng(7)
    stances = rng.choice([-1, 1], size=(3, STATEMENTS))
    votes, truth = planted(150, 7)
    omap = opinion_map(votes, range(STATEMENTS))
    labels = omap.labels()
    for group in omap.groups:
        members = [truth[int(p[1:])] for p, g in labels.items() if g == group.id]
        planted_group = max(set(members), key=members.count)
        assert group.representative, "every group gets at least one statement"
        for rep in group.representative:
            expected = "agree" if stances[planted_group, rep.statement] == 1 else "disagree"
            # a representative statement is one where the group stands apart from the others
            others = {int(stances[g, rep.statement]) for g in range(3) if g != planted_group}
            assert rep.direction == expected or others == {int(stances[planted_group, rep.statement])}
            assert rep.repness_test > critical_z() or rep.best_agree


def test_result_does_not_depend_on_vote_order() -> None:
    votes, _ = planted(120, 3)
    shuffled = votes[:]
    random.Random(1).shuffle(shuffled)
    first = opinion_map(votes, range(STATEMENTS)).payload()
    assert opinion_map(shuffled, range(STATEMENTS)).payload() == first


# Statistics on a hand-sized example


def test_tests_and_group_informed_consensus_by_hand() -> None:
    # Group 0: 3 agree on s0; group 1: 1 agree, 1 disagree on s0.
    values = np.array([[1.0], [1.0], [1.0], [1.0], [-1.0]])
    stats = group_stats(values, np.array([0, 0, 0, 1, 1]), 2)
    assert stats.pa[:, 0].tolist() == [4 / 5, 2 / 4]
    assert math.isclose(stats.pat[0, 0], 2 * math.sqrt(4) * (4 / 4 - 0.5))
    # ra: (4/5) / ((1+1)/(2+2))
    assert math.isclose(stats.ra[0, 0], (4 / 5) / (2 / 4))
    pooled = (4 + 2) / (4 + 3)
    z = (4 / 4 - 2 / 3) / math.sqrt(pooled * (1 - pooled) * (1 / 4 + 1 / 3))
    assert math.isclose(stats.rat[0, 0], z)
    omap_values = [(str(i), 0, int(v)) for i, v in enumerate(values[:, 0])]
    assert math.isclose(float(one_prop_test(np.array(3.0), np.array(3.0))), 2 * 2 * 0.5)
    assert (
        float(two_prop_test(np.array(3.0), np.array(2.0), np.array(3.0), np.array(2.0))) == 0.0
    )  # all agree
    assert omap_values  # the map itself needs more statements (below)
    assert math.isclose(critical_z(), 1.2815515655446004)


# Roles as groups


def role_votes() -> tuple[list[Vote], list[int], dict[str, str | None]]:
    votes, truth = planted(90, 4)
    names = ["mayor", "police", "justice"]
    return votes, truth, {f"p{i}": names[g] for i, g in enumerate(truth)}


def test_roles_that_are_the_groups() -> None:
    votes, _, _ = role_votes()
    groups = opinion_map(votes, range(STATEMENTS)).labels()
    roles: dict[str, str | None] = {p: ["mayor", "police", "justice"][g] for p, g in groups.items()}
    omap = opinion_map(votes, range(STATEMENTS), roles, role_order=["police", "mayor", "justice", "other"])
    assert omap.roles is not None
    assert [r.role for r in omap.roles.roles] == ["police", "mayor", "justice"]  # event order, present ones
    assert sum(r.members for r in omap.roles.roles) == omap.in_analysis == 90
    assert omap.roles.ami == pytest.approx(1.0)
    assert omap.roles.reading == "The opinion groups largely follow the roles."
    assert sorted(sorted(row) for row in omap.roles.composition) == sorted(
        sorted([0, 0, r.members]) for r in omap.roles.roles
    )
    # With the roles equal to the groups, role statistics are the group statistics.
    by_role = {r.role: [(s.statement, s.direction) for s in r.typical] for r in omap.roles.roles}
    labels = omap.labels()
    for group in omap.groups:
        role = roles[next(p for p, g in labels.items() if g == group.id)]
        assert by_role[role] == [(s.statement, s.direction) for s in group.representative]
    np.testing.assert_allclose(omap.roles.consensus_agree, [s.consensus_agree for s in omap.statements])


def test_roles_that_cut_across_the_groups() -> None:
    votes, truth, _ = role_votes()
    rng = random.Random(5)
    roles: dict[str, str | None] = {f"p{i}": rng.choice(["mayor", "police"]) for i in range(90)}
    roles["p0"] = None  # skipped the role question: left out of the role statistics
    omap = opinion_map(votes, range(STATEMENTS), roles)
    assert omap.roles is not None
    assert [r.role for r in omap.roles.roles] == ["mayor", "police"]  # no event order: by name
    assert sum(r.members for r in omap.roles.roles) == 89
    assert omap.roles.ami is not None and abs(omap.roles.ami) < 0.05
    assert omap.roles.reading == "The opinion groups cut across the roles."
    assert len(omap.roles.consensus_agree) == len(omap.statements)
    point = next(p for p in omap.points if p.participant == "p0")
    assert point.role is None and point.group is not None


def test_reading_bounds() -> None:
    assert reading(None) == "Not enough roles or groups to compare."
    assert reading(0.5) == "The opinion groups largely follow the roles."
    assert reading(0.35) == "The opinion groups partly follow the roles."
    assert reading(0.0) == "The opinion groups cut across the roles."


def test_one_role_gives_no_role_analysis() -> None:
    votes, _, _ = role_votes()
    omap = opinion_map(votes, range(STATEMENTS), {f"p{i}": "mayor" for i in range(90)})
    assert omap.status == "ok" and omap.roles is None


# The payload


def test_payload_is_plain_json() -> None:
    votes, _, roles = role_votes()
    omap = opinion_map(votes, range(STATEMENTS), roles)
    payload = omap.payload()
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    assert payload["status"] == "ok" and payload["participants"] == 90
    assert set(payload) == {
        "status",
        "reason",
        "participants",
        "in_analysis",
        "votes",
        "explained_variance",
        "points",
        "statements",
        "groups",
        "silhouettes",
        "consensus",
        "roles",
    }
    assert set(payload["groups"][0]) == {"id", "members", "x", "y", "representative"}
    assert set(payload["groups"][0]["representative"][0]) == {
        "statement",
        "direction",
        "n_success",
        "n_trials",
        "p_success",
        "p_test",
        "repness",
        "repness_test",
        "best_agree",
    }
    assert payload["points"][0]["role"] in {"mayor", "police", "justice"}
    with pytest.raises(AttributeError):
        omap.status = "changed"  # type: ignore[misc]


# Edge cases: a clear result, never an exception


def test_no_votes() -> None:
    omap = opinion_map([], [1, 2, 3])
    assert omap.status == "not_enough_votes"
    assert omap.reason.startswith("Not enough votes yet")
    assert (omap.participants, omap.votes, omap.groups, omap.points) == (0, 0, (), ())
    assert omap.consensus.agree == omap.consensus.disagree == ()
    assert json.loads(json.dumps(omap.payload()))["status"] == "not_enough_votes"


def test_one_participant() -> None:
    omap = opinion_map([("a", 1, 1), ("a", 2, -1)], [1, 2])
    assert omap.status == "not_enough_votes"
    assert "(1 and 2 so far)" in omap.reason
    # A lone agree: p = 2/3 > ½ and z = 2·√2·(2/2 − ½) ≈ 1.41 > 1.28, so Pol.is's test counts it.
    assert [(c.statement, c.n_success, c.n_trials) for c in omap.consensus.agree] == [(1, 1, 1)]
    assert [c.statement for c in omap.consensus.disagree] == [2]
    assert math.isclose(omap.consensus.agree[0].p_test, 2 * math.sqrt(2) * 0.5)


def test_one_statement() -> None:
    omap = opinion_map([(str(i), 1, 1) for i in range(10)], [1, 2])
    assert omap.status == "not_enough_votes" and omap.participants == 10
    assert [c.statement for c in omap.consensus.agree] == [1]


def test_all_identical_votes() -> None:
    votes = [(str(i), j, 1) for i in range(20) for j in range(5)]
    omap = opinion_map(votes, range(5))
    assert omap.status == "no_differences"
    assert omap.reason == "Everyone in the analysis voted alike: there are no opinion groups."
    assert omap.groups == () and omap.participants == 20
    assert [c.statement for c in omap.consensus.agree] == [0, 1, 2, 3, 4]
    assert all(c.p_success == 21 / 22 for c in omap.consensus.agree)


def test_few_participants_still_make_groups_when_they_differ() -> None:
    votes = [("a", 1, 1), ("a", 2, 1), ("b", 1, 1), ("b", 2, 1), ("c", 1, -1), ("c", 2, -1)]
    omap = opinion_map(votes, [1, 2])
    assert omap.status == "ok"
    assert omap.in_analysis == 3  # greedy: fewer than 15 qualify, so everyone who voted
    assert omap.labels()["a"] == omap.labels()["b"] != omap.labels()["c"]
    assert omap.silhouettes == ()  # two distinct positions: k = 2 is the only choice
