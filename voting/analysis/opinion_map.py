"""The opinion map of an event: one entry point, `opinion_map`, pure and without I/O."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from voting.analysis.clusters import BASE_K, cluster_participants
from voting.analysis.consensus import Consensus, consensus_statements, group_informed_consensus
from voting.analysis.matrix import FloatArray, Vote, build_matrix, excluded_mask, in_conversation
from voting.analysis.pca import project
from voting.analysis.repness import RepStatement, group_stats, representative_statements
from voting.analysis.roles import RoleAnalysis, analyse_roles

OK, NOT_ENOUGH_VOTES, NO_DIFFERENCES = "ok", "not_enough_votes", "no_differences"
MIN_PARTICIPANTS = 3
MIN_STATEMENTS = 2


@dataclass(frozen=True)
class Point:
    participant: str
    x: float
    y: float
    votes: int
    group: int | None  # None: not in the analysis (too few votes)
    role: str | None


@dataclass(frozen=True)
class StatementPoint:
    statement: int
    x: float
    y: float
    extremity: float
    consensus_agree: float | None  # group-informed consensus; None without groups
    consensus_disagree: float | None


@dataclass(frozen=True)
class OpinionGroup:
    id: int
    members: int
    x: float
    y: float
    representative: tuple[RepStatement, ...]


@dataclass(frozen=True)
class OpinionMap:
    status: str  # "ok", "not_enough_votes" or "no_differences"
    reason: str
    participants: int  # who voted at all
    in_analysis: int  # who enter the groups (Pol.is's participant rule)
    votes: int
    explained_variance: tuple[float, ...]
    points: tuple[Point, ...]
    statements: tuple[StatementPoint, ...]
    groups: tuple[OpinionGroup, ...]
    silhouettes: tuple[tuple[int, float], ...]  # (k, silhouette) for each k tried
    consensus: Consensus
    roles: RoleAnalysis | None

    def payload(self) -> dict[str, Any]:
        """Plain JSON data (NaN as null)."""
        result = plain(self)
        assert isinstance(result, dict)
        return result

    def labels(self) -> dict[str, int]:
        """Each analysed participant's group."""
        return {p.participant: p.group for p in self.points if p.group is not None}


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def opinion_map(
    votes: Iterable[Vote],
    statements: Iterable[int],
    roles: Mapping[str, str | None] | None = None,
    *,
    excluded: Sequence[int] = (),
    role_order: Sequence[str] | None = None,
    k: int | None = None,
    init_centers: FloatArray | None = None,
    base_k: int | None = BASE_K,
) -> OpinionMap:
    """The opinion map of (participant, statement, +1/0/−1) votes on `statements`.

    `excluded`: statements moderated out (Pol.is's mod-out: a column of zeros in the PCA,
    left out of the representative and consensus statements). `roles`: participant → role
    (or None); `role_order`: the event's roles in order. `k`, `init_centers` and `base_k`
    override Pol.is's choices (for checks against the reference)."""
    # One thread for OpenMP and BLAS: the matrices are small, and scikit-learn's threads
    # spin-wait, which on a busy server (the event loop, other requests) costs ten times
    # more than it saves.
    with threadpool_limits(limits=1):
        return compute(votes, statements, roles, excluded, role_order, k, init_centers, base_k)


def compute(
    votes: Iterable[Vote],
    statements: Iterable[int],
    roles: Mapping[str, str | None] | None,
    excluded: Sequence[int],
    role_order: Sequence[str] | None,
    k: int | None,
    init_centers: FloatArray | None,
    base_k: int | None,
) -> OpinionMap:
    matrix = build_matrix(votes, statements)
    values, pids = matrix.values, matrix.participants
    out = excluded_mask(matrix, excluded)
    n_votes = int(matrix.vote_counts.sum())
    consensus = consensus_statements(values, matrix.statements, out)
    roles = roles or {}

    def empty(status: str, reason: str) -> OpinionMap:
        return OpinionMap(status, reason, len(pids), 0, n_votes, (), (), (), (), (), consensus, None)

    if len(pids) < MIN_PARTICIPANTS or len(matrix.statements) < MIN_STATEMENTS:
        return empty(
            NOT_ENOUGH_VOTES,
            f"Not enough votes yet: the map needs at least {MIN_PARTICIPANTS} participants and "
            f"{MIN_STATEMENTS} statements with votes ({len(pids)} and {len(matrix.statements)} so far).",
        )
    proj = project(values, out)
    inside = in_conversation(matrix)
    idx = np.flatnonzero(inside)
    clustering = cluster_participants(proj.participants[idx], k=k, init_centers=init_centers, base_k=base_k)
    if clustering is None:
        return empty(NO_DIFFERENCES, "Everyone in the analysis voted alike: there are no opinion groups.")
    labels = clustering.labels
    stats = group_stats(values[idx], labels, clustering.k)
    reps = representative_statements(stats, matrix.statements, out)
    gac_agree, gac_disagree = group_informed_consensus(stats)
    group_of = dict(zip(idx.tolist(), labels.tolist(), strict=True))
    counts = matrix.vote_counts
    points = tuple(
        Point(pid, float(x), float(y), int(counts[i]), group_of.get(i), roles.get(pid))
        for i, (pid, (x, y)) in enumerate(zip(pids, proj.participants, strict=True))
    )
    statement_points = tuple(
        StatementPoint(sid, float(x), float(y), float(np.hypot(x, y)), float(a), float(d))
        for sid, (x, y), a, d in zip(matrix.statements, proj.statements, gac_agree, gac_disagree, strict=True)
    )
    sizes = np.bincount(labels, minlength=clustering.k)
    groups = tuple(
        OpinionGroup(g, int(sizes[g]), float(cx), float(cy), tuple(reps[g]))
        for g, (cx, cy) in enumerate(clustering.centers)
    )
    role_analysis = analyse_roles(
        values[idx], [pids[i] for i in idx], matrix.statements, out, roles, role_order, labels, clustering.k
    )
    return OpinionMap(
        status=OK,
        reason="",
        participants=len(pids),
        in_analysis=len(idx),
        votes=n_votes,
        explained_variance=tuple(float(r) for r in proj.explained_variance_ratio),
        points=points,
        statements=statement_points,
        groups=groups,
        silhouettes=tuple(sorted(clustering.silhouettes.items())),
        consensus=consensus,
        roles=role_analysis,
    )
