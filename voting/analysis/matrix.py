"""Votes → the participant × statement matrix, and which participants enter the analysis.

The mapping (documented in docs/metrics.md, "Opinion map"): every scale's agreeing options
are +1, its disagreeing options −1, neutral and pass 0; a statement the participant did not
vote on is missing (NaN). This is Pol.is's convention for its CSV exports (agree = +1);
its math and API use the opposite sign, which `voting.analysis.polis` converts on reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from voting.models import PASS, SCALES

AGREE, NEUTRAL, DISAGREE = 1, 0, -1
# Pol.is's participant rule (conversation.clj, :in-conv): at least min(7, statements)
# votes; if fewer than 15 participants qualify, the most active others are added up to 15.
MIN_VOTES = 7
GREEDY_PARTICIPANTS = 15

Vote = tuple[str, int, int]  # (participant id, statement id, +1 / 0 / −1)
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def vote_value(scale: str, option: str) -> int:
    """A voting option as the analysis sees it: +1 agree side, −1 disagree side, 0 neutral or pass."""
    if option == PASS:
        return NEUTRAL
    try:
        score = SCALES[scale].score(option)
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}") from None
    except ValueError:
        raise ValueError(f"{option!r} is not an option of the {scale!r} scale") from None
    assert score is not None
    return (score > 0) - (score < 0)


@dataclass(frozen=True)
class VoteMatrix:
    """Rows: participants (sorted by id, numeric ids numerically); columns: the statements
    that have at least one vote, by id; values +1 / 0 / −1, NaN where not voted."""

    participants: tuple[str, ...]
    statements: tuple[int, ...]
    values: FloatArray

    @property
    def vote_counts(self) -> NDArray[np.int64]:
        counts: NDArray[np.int64] = np.count_nonzero(~np.isnan(self.values), axis=1).astype(np.int64)
        return counts


def participant_order(pid: str) -> tuple[int, int, str]:
    return (0, int(pid), "") if pid.isdecimal() else (1, 0, pid)


def build_matrix(votes: Iterable[Vote], statements: Iterable[int]) -> VoteMatrix:
    """The matrix of the current votes; the last triple for a (participant, statement) wins.
    Votes on statements not in `statements` are left out."""
    known = set(statements)
    latest: dict[tuple[str, int], int] = {}
    for pid, sid, value in votes:
        if value not in (AGREE, NEUTRAL, DISAGREE):
            raise ValueError(f"vote value must be +1, 0 or -1, not {value!r} ({pid!r} on {sid!r})")
        if sid in known:
            latest[(str(pid), int(sid))] = int(value)
    participants = tuple(sorted({pid for pid, _ in latest}, key=participant_order))
    columns = tuple(sorted({sid for _, sid in latest}))
    values = np.full((len(participants), len(columns)), np.nan)
    if latest:
        row = {pid: i for i, pid in enumerate(participants)}
        col = {sid: j for j, sid in enumerate(columns)}
        keys = list(latest)
        rows = np.fromiter((row[p] for p, _ in keys), dtype=np.intp, count=len(keys))
        cols = np.fromiter((col[s] for _, s in keys), dtype=np.intp, count=len(keys))
        values[rows, cols] = np.fromiter(latest.values(), dtype=np.float64, count=len(keys))
    return VoteMatrix(participants, columns, values)


def in_conversation(matrix: VoteMatrix) -> BoolArray:
    """Pol.is's rule for who enters the groups: min(7, statements) votes or more, topped up
    with the most active participants (ties: in participant order) to 15 when fewer qualify.
    Pol.is also keeps anyone who once qualified; we have no history, so it is left out."""
    counts = matrix.vote_counts
    chosen = counts >= min(MIN_VOTES, len(matrix.statements))
    missing = GREEDY_PARTICIPANTS - int(chosen.sum())
    if missing > 0:
        others = np.flatnonzero(~chosen)
        by_activity = others[np.argsort(-counts[others], kind="stable")]
        chosen[by_activity[:missing]] = True
    return chosen


def excluded_mask(matrix: VoteMatrix, excluded: Sequence[int]) -> BoolArray:
    gone = set(excluded)
    return np.array([sid in gone for sid in matrix.statements], dtype=np.bool_)
