"""Participants in opinion groups: k-means as Pol.is does it (clusters.clj, conversation.clj).

- Base clusters: with more than 100 distinct positions, k-means with k = 100 first
  condenses the participants into 100 base clusters; otherwise each distinct position is
  a base cluster. Each base cluster weighs as many participants as it holds.
- Group clusters: weighted k-means of the base clusters for every k from 2 to
  min(5, 2 + bases // 12); the k with the highest silhouette (over the base clusters)
  wins, the smaller k on a tie. Pol.is also holds a new k back until it has won three
  updates in a row (k-smoothing); a single computation has no history, so that is left out.
- Start: Pol.is starts from the first k distinct points in participant order
  (init-clusters), later from the previous update's clusters; red-dwarf from the first k
  distinct points in sorted order. We run both and keep the lower inertia (sum of squared
  distances, weighted). Without Pol.is's history either can stop in a poor local optimum,
  so ten k-means++ starts with a fixed seed replace them when they find a clustering with
  at least 10% less inertia: close to the reference where the data are ambiguous (a
  participant between two groups), robust where its start is stuck. Deterministic.
  Lloyd iterations until no point changes cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from voting.analysis.matrix import FloatArray

BASE_K = 100
MAX_K = 5
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Clustering:
    labels: IntArray  # group per participant, 0 … k−1
    centers: FloatArray  # (k, 2)
    k: int
    silhouettes: dict[int, float]  # per k tried (only where defined)
    bases: int  # number of base clusters


def first_distinct(points: FloatArray, count: int) -> FloatArray:
    """The first `count` distinct rows of `points`, in their order."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:count]]


SEED, STARTS = 0, 10
CLEARLY_BETTER = 0.1  # k-means++ must cut the inertia by 10% to replace the reference starts


def sorted_distinct(points: FloatArray, count: int) -> FloatArray:
    """The first `count` distinct rows in sorted order (red-dwarf's reading of Pol.is's start)."""
    return np.unique(points, axis=0)[:count]


def kmeans(points: FloatArray, start: FloatArray, weights: FloatArray | None = None) -> KMeans:
    model = KMeans(n_clusters=len(start), init=start, n_init=1, max_iter=300, tol=0.0)
    return model.fit(points, sample_weight=weights)


def best_kmeans(points: FloatArray, k: int, weights: FloatArray) -> KMeans:
    """Pol.is's start and red-dwarf's; seeded k-means++ only when clearly better."""
    reference = min(
        (kmeans(points, start, weights) for start in (first_distinct(points, k), sorted_distinct(points, k))),
        key=lambda model: float(model.inertia_),
    )
    seeded = KMeans(n_clusters=k, n_init=STARTS, max_iter=300, tol=0.0, random_state=SEED)
    seeded.fit(points, sample_weight=weights)
    return seeded if seeded.inertia_ < (1 - CLEARLY_BETTER) * reference.inertia_ else reference


def base_clusters(points: FloatArray, base_k: int | None) -> tuple[FloatArray, FloatArray, IntArray]:
    """Centres, weights and each participant's base cluster."""
    distinct, inverse, counts = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    if base_k is None or len(distinct) <= base_k:
        # Keep Pol.is's order (first appearance), which decides the start of the groups.
        _, first = np.unique(points, axis=0, return_index=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return distinct[order], counts[order].astype(np.float64), rank[inverse].astype(np.int64)
    model = kmeans(points, first_distinct(points, base_k))
    labels = model.labels_.astype(np.int64)
    used, relabel = np.unique(labels, return_inverse=True)
    sizes = np.bincount(relabel.reshape(-1)).astype(np.float64)
    return model.cluster_centers_[used], sizes, relabel.reshape(-1).astype(np.int64)


def candidate_ks(bases: int, max_k: int = MAX_K) -> range:
    return range(2, min(max_k, 2 + bases // 12, bases) + 1)


def cluster_participants(
    points: FloatArray,
    *,
    k: int | None = None,
    init_centers: FloatArray | None = None,
    base_k: int | None = BASE_K,
    max_k: int = MAX_K,
) -> Clustering | None:
    """Opinion groups of the participants at `points`; None with fewer than two distinct
    positions. `k` and `init_centers` override Pol.is's choice (for checks against it)."""
    centers, weights, base_of = base_clusters(points, base_k)
    bases = len(centers)
    if bases < 2:
        return None
    ks = [k] if k is not None else list(candidate_ks(bases, max_k))
    fits: dict[int, KMeans] = {}
    silhouettes: dict[int, float] = {}
    for kk in ks:
        if init_centers is None:
            fits[kk] = model = best_kmeans(centers, kk, weights)
        else:
            fits[kk] = model = kmeans(centers, np.asarray(init_centers, dtype=np.float64)[:kk], weights)
        if 2 <= len(np.unique(model.labels_)) <= bases - 1:
            silhouettes[kk] = float(silhouette_score(centers, model.labels_))
    best = max(silhouettes, key=lambda kk: (silhouettes[kk], -kk)) if silhouettes else ks[0]
    model = fits[best]
    labels = model.labels_.astype(np.int64)[base_of]
    used, labels = np.unique(labels, return_inverse=True)
    return Clustering(labels.astype(np.int64), model.cluster_centers_[used], len(used), silhouettes, bases)
