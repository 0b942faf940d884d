"""Per-group vote statistics and Pol.is's representative statements (repness.clj).

For group g and statement s, over the participants of g who voted on s (a pass counts):
n = votes, na / nd = agree / disagree votes. With Laplace smoothing,
pa = (na + 1) / (n + 2) and pd = (nd + 1) / (n + 2);
pat = 2·sqrt(n + 1)·((na + 1)/(n + 1) − ½) tests whether the group agrees more than it does
not (one-proportion z); ra = pa / pa(others) is how much more the group agrees than everyone
else, and rat is the two-proportion z test of the group against everyone else (counts + 1).
The same for disagree (pd, pdt, rd, rdt).

A statement represents the group when both tests are significant (z > Φ⁻¹(0.9)) for
agree or for disagree. The group's list starts with its "best agree" statement, followed
by the significant ones by repness·repness-test·p·p-test, at most 5, agrees before
disagrees. This follows red-dwarf's port of Pol.is, our test oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from voting.analysis.matrix import BoolArray, FloatArray

CONFIDENCE = 0.9
PICK_MAX = 5


def critical_z(confidence: float = CONFIDENCE) -> float:
    return NormalDist().inv_cdf(confidence)


@dataclass(frozen=True)
class GroupStats:
    """Arrays of shape (groups, statements)."""

    n: FloatArray
    na: FloatArray
    nd: FloatArray
    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def counts(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    voted = ~np.isnan(values)
    return (
        voted.sum(axis=0).astype(np.float64),
        (values == 1).sum(axis=0).astype(np.float64),
        (values == -1).sum(axis=0).astype(np.float64),
    )


def smoothed(success: FloatArray, n: FloatArray) -> FloatArray:
    return (success + 1.0) / (n + 2.0)


def one_prop_test(success: FloatArray, n: FloatArray) -> FloatArray:
    result: FloatArray = 2.0 * np.sqrt(n + 1.0) * ((success + 1.0) / (n + 1.0) - 0.5)
    return result


def two_prop_test(
    succ_in: FloatArray, succ_out: FloatArray, n_in: FloatArray, n_out: FloatArray
) -> FloatArray:
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, n_in + 1.0, n_out + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    result: FloatArray = np.where(pooled == 1.0, 0.0, z)  # everyone agrees: no difference
    return result


def group_stats(values: FloatArray, labels: np.ndarray, groups: int) -> GroupStats:
    """Statistics of each group 0 … groups−1 against the other labelled participants."""
    total_n, total_a, total_d = counts(values)
    per = [counts(values[labels == g]) for g in range(groups)]
    n, na, nd = (np.array([p[i] for p in per]).reshape(groups, -1) for i in range(3))
    on, oa, od = total_n - n, total_a - na, total_d - nd
    pa, pd = smoothed(na, n), smoothed(nd, n)
    return GroupStats(
        n=n,
        na=na,
        nd=nd,
        pa=pa,
        pd=pd,
        pat=one_prop_test(na, n),
        pdt=one_prop_test(nd, n),
        ra=pa / smoothed(oa, on),
        rd=pd / smoothed(od, on),
        rat=two_prop_test(na, oa, n, on),
        rdt=two_prop_test(nd, od, n, on),
    )


@dataclass(frozen=True)
class RepStatement:
    statement: int
    direction: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False

    @property
    def metric(self) -> float:
        return self.repness * self.repness_test * self.p_success * self.p_test


def rep_statement(s: GroupStats, g: int, j: int, statement: int, best_agree: bool = False) -> RepStatement:
    agree = bool(s.rat[g, j] > s.rdt[g, j])
    success, p, p_test, rep, rep_test = (
        (s.na, s.pa, s.pat, s.ra, s.rat) if agree else (s.nd, s.pd, s.pdt, s.rd, s.rdt)
    )
    return RepStatement(
        statement=statement,
        direction="agree" if agree else "disagree",
        n_success=int(success[g, j]),
        n_trials=int(s.n[g, j]),
        p_success=float(p[g, j]),
        p_test=float(p_test[g, j]),
        repness=float(rep[g, j]),
        repness_test=float(rep_test[g, j]),
        best_agree=best_agree,
    )


def best_agree_index(s: GroupStats, g: int, columns: list[int], crit: float) -> int | None:
    """Pol.is's 'best agree': something the group clearly agrees with, kept at the top."""
    best: int | None = None
    for j in columns:
        if s.na[g, j] == 0 and s.nd[g, j] == 0:
            continue
        if best is None:
            if s.pat[g, j] > crit or (s.ra[g, j] > 1.0 and s.pa[g, j] > 0.5):
                best = j
        elif s.ra[g, best] > 1.0:

            def strength(i: int) -> float:
                return float(s.ra[g, i] * s.rat[g, i] * s.pa[g, i] * s.pat[g, i])

            if strength(j) > strength(best):
                best = j
        elif s.pa[g, j] * s.pat[g, j] > s.pa[g, best] * s.pat[g, best]:
            best = j
    return best


def representative_statements(
    s: GroupStats,
    statements: tuple[int, ...],
    excluded: BoolArray,
    *,
    pick_max: int = PICK_MAX,
    confidence: float = CONFIDENCE,
) -> list[list[RepStatement]]:
    crit = critical_z(confidence)
    columns = [j for j in range(len(statements)) if not excluded[j]]
    result = []
    for g in range(s.n.shape[0]):
        significant = [
            j
            for j in columns
            if (s.pat[g, j] > crit and s.rat[g, j] > crit) or (s.pdt[g, j] > crit and s.rdt[g, j] > crit)
        ]
        best = best_agree_index(s, g, columns, crit)
        if best is not None:
            head = [rep_statement(s, g, best, statements[best], best_agree=True)]
        elif not significant and columns:
            # Nothing significant: the statement with the strongest repness test, so the
            # group has at least one.
            top = max(columns, key=lambda j: (max(s.rat[g, j], s.rdt[g, j]), -j))
            head = [rep_statement(s, g, top, statements[top])]
        else:
            head = []
        ranked = sorted((rep_statement(s, g, j, statements[j]) for j in significant), key=lambda r: -r.metric)
        chosen = head + [r for r in ranked if head and r.statement != head[0].statement]
        result.append(sorted(chosen[:pick_max], key=lambda r: r.direction))
    return result
