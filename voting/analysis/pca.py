"""PCA of the vote matrix to two dimensions, as Pol.is does it (pca.clj).

- Moderated-out statements count as a column of zeros for everyone.
- A missing vote is replaced by the statement's mean vote (so it adds nothing to the
  projection: the participant sits at the centre along that statement).
- Principal components of that matrix (scikit-learn's PCA: centred, exact SVD).
- Sparsity scaling: a participant's projection is multiplied by
  sqrt(statements / max(1, statements they voted on)), so that people who voted on few
  statements are not all bunched up in the middle.
- A statement's position is the projection of a virtual participant who agreed with it
  alone, scaled the same way (sqrt(statements)); its extremity is that point's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from voting.analysis.matrix import BoolArray, FloatArray

N_COMPONENTS = 2


@dataclass(frozen=True)
class Projection:
    center: FloatArray  # mean vote per statement (after zeroing moderated-out ones)
    components: FloatArray  # (2, statements)
    explained_variance_ratio: FloatArray  # (2,)
    participants: FloatArray  # (participants, 2), sparsity-scaled
    statements: FloatArray  # (statements, 2)


def filled_matrix(values: FloatArray, excluded: BoolArray) -> FloatArray:
    values = values.copy()
    values[:, excluded] = 0.0
    return values


def project(values: FloatArray, excluded: BoolArray) -> Projection:
    """Requires at least two participants and one statement with a vote."""
    sparse = filled_matrix(values, excluded)
    n_rows, n_cols = sparse.shape
    center = np.nanmean(sparse, axis=0)
    imputed = np.where(np.isnan(sparse), center, sparse)
    n_comps = min(N_COMPONENTS, n_rows, n_cols)
    components = np.zeros((N_COMPONENTS, n_cols))
    ratio = np.zeros(N_COMPONENTS)
    if np.ptp(imputed, axis=0).any():  # PCA of a matrix without variance is undefined
        pca = PCA(n_components=n_comps, svd_solver="full").fit(imputed)
        components[:n_comps] = pca.components_
        ratio[:n_comps] = pca.explained_variance_ratio_
    raw = (imputed - center) @ components.T
    voted = np.count_nonzero(~np.isnan(sparse), axis=1)
    scale = np.sqrt(n_cols / np.maximum(1, voted))
    # A virtual participant who agrees with statement j only: (1 − mean_j) along column j.
    virtual = (1.0 - center)[:, None] * components.T * np.sqrt(n_cols)
    return Projection(center, components, ratio, raw * scale[:, None], virtual)
