"""Consensus statements of the whole room, and group-informed consensus per statement.

Consensus (Pol.is's consensus, red-dwarf's select_consensus_statements): over everyone who
voted, a statement is an agree-consensus when pa > ½ and pat is significant (z > Φ⁻¹(0.9));
the strongest five by pa·pat. The same for disagree with pd and pdt.

Group-informed consensus (Pol.is's group-aware-consensus): the product over the groups of
each group's smoothed probability to agree, (na + 1)/(n + 2). It is high only when every
group agrees; one group against it pulls it towards 0. Also for disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voting.analysis.matrix import BoolArray, FloatArray
from voting.analysis.repness import (
    CONFIDENCE,
    PICK_MAX,
    GroupStats,
    counts,
    critical_z,
    one_prop_test,
    smoothed,
)

PROB_THRESHOLD = 0.5


@dataclass(frozen=True)
class ConsensusStatement:
    statement: int
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


@dataclass(frozen=True)
class Consensus:
    agree: tuple[ConsensusStatement, ...]
    disagree: tuple[ConsensusStatement, ...]


def consensus_statements(
    values: FloatArray,
    statements: tuple[int, ...],
    excluded: BoolArray,
    *,
    pick_max: int = PICK_MAX,
    confidence: float = CONFIDENCE,
) -> Consensus:
    n, na, nd = counts(values)
    crit = critical_z(confidence)

    def side(success: FloatArray) -> tuple[ConsensusStatement, ...]:
        p, z = smoothed(success, n), one_prop_test(success, n)
        keep = [
            j for j in range(len(statements)) if not excluded[j] and p[j] > PROB_THRESHOLD and z[j] > crit
        ]
        keep.sort(key=lambda j: -p[j] * z[j])
        return tuple(
            ConsensusStatement(statements[j], int(success[j]), int(n[j]), float(p[j]), float(z[j]))
            for j in keep[:pick_max]
        )

    return Consensus(agree=side(na), disagree=side(nd))


def group_informed_consensus(stats: GroupStats) -> tuple[FloatArray, FloatArray]:
    """(agree, disagree) per statement."""
    return np.prod(stats.pa, axis=0), np.prod(stats.pd, axis=0)
