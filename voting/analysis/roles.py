"""Roles as groups: the opinion-group statistics with the declared roles as the groups, and
how far the opinion groups follow the roles.

- Typical statements of a role: Pol.is's representative statements with the roles as
  groups (a role against all other roles).
- Cross-role consensus per statement: group-informed consensus over the roles.
- Opinion groups vs roles: adjusted mutual information (Vinh, Epps & Bailey 2010) between
  the opinion groups and the roles of the participants in the analysis who have a role;
  1 when the groups are the roles, about 0 when they are unrelated (chance level), and
  read in words with fixed bounds (0.5 and 0.2, our convention).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

from voting.analysis.consensus import group_informed_consensus
from voting.analysis.matrix import BoolArray, FloatArray
from voting.analysis.repness import RepStatement, group_stats, representative_statements

FOLLOW, PARTLY = 0.5, 0.2


@dataclass(frozen=True)
class RoleGroup:
    role: str
    members: int
    typical: tuple[RepStatement, ...]


@dataclass(frozen=True)
class RoleAnalysis:
    roles: tuple[RoleGroup, ...]
    consensus_agree: tuple[float, ...]  # per statement (the map's statement order)
    consensus_disagree: tuple[float, ...]
    ami: float | None
    reading: str
    composition: tuple[tuple[int, ...], ...]  # per opinion group: members per role


def reading(ami: float | None) -> str:
    if ami is None:
        return "Not enough roles or groups to compare."
    if ami >= FOLLOW:
        return "The opinion groups largely follow the roles."
    if ami >= PARTLY:
        return "The opinion groups partly follow the roles."
    return "The opinion groups cut across the roles."


def role_labels(
    participants: Sequence[str], roles: Mapping[str, str | None], order: Sequence[str] | None
) -> tuple[list[str], np.ndarray]:
    """The roles present, in the event's order (else by name), and each participant's
    index into them (−1: no role)."""
    present = {r for p in participants if (r := roles.get(p))}
    names = [r for r in order if r in present] if order is not None else sorted(present)
    index = {r: i for i, r in enumerate(names)}
    labels = np.array([index.get(roles.get(p) or "", -1) for p in participants], dtype=np.int64)
    return names, labels


def analyse_roles(
    values: FloatArray,
    participants: Sequence[str],
    statements: tuple[int, ...],
    excluded: BoolArray,
    roles: Mapping[str, str | None],
    role_order: Sequence[str] | None,
    groups: np.ndarray | None,
    n_groups: int,
) -> RoleAnalysis | None:
    """`values`, `participants` and `groups` cover the participants in the analysis.
    None when fewer than two roles have members there."""
    names, labels = role_labels(participants, roles, role_order)
    if len(names) < 2:
        return None
    has_role = labels >= 0
    stats = group_stats(values[has_role], labels[has_role], len(names))
    typical = representative_statements(stats, statements, excluded)
    agree, disagree = group_informed_consensus(stats)
    members = np.bincount(labels[has_role], minlength=len(names))
    ami: float | None = None
    composition: tuple[tuple[int, ...], ...] = ()
    if groups is not None and n_groups >= 2:
        both = groups[has_role]
        ami = float(adjusted_mutual_info_score(both, labels[has_role]))
        composition = tuple(
            tuple(int(c) for c in np.bincount(labels[has_role][both == g], minlength=len(names)))
            for g in range(n_groups)
        )
    return RoleAnalysis(
        roles=tuple(RoleGroup(r, int(m), tuple(t)) for r, m, t in zip(names, members, typical, strict=True)),
        consensus_agree=tuple(float(x) for x in agree),
        consensus_disagree=tuple(float(x) for x in disagree),
        ami=ami,
        reading=reading(ami),
        composition=composition,
    )
