"""Compute time of the opinion map (issue 12): random sparse votes from three planted
opinion groups, 30 statements, 500 and 10,000 participants.

    .venv/bin/python bench/opinion_map.py [--repeat 3]

Prints the best of the repeats per size (the budget: ≤ 1 s for 500, ≤ 10 s for 10,000)."""

from __future__ import annotations

import argparse
import time

import numpy as np

from voting.analysis.matrix import Vote
from voting.analysis.opinion_map import opinion_map

STATEMENTS = 30


def planted_votes(
    participants: int, seed: int = 0, vote_share: float = 0.6, noise: float = 0.2
) -> list[Vote]:
    """Three groups with opposite stances on random statements; each participant votes on
    about 60% of the statements, 20% of the votes at random."""
    rng = np.random.default_rng(seed)
    stances = rng.choice([-1, 1], size=(3, STATEMENTS))
    group = rng.integers(0, 3, size=participants)
    voted = rng.random((participants, STATEMENTS)) < vote_share
    random_vote = rng.random((participants, STATEMENTS)) < noise
    values = np.where(random_vote, rng.integers(-1, 2, size=(participants, STATEMENTS)), stances[group])
    return [(f"p{i}", j, int(values[i, j])) for i, j in zip(*np.nonzero(voted), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for participants in (500, 10_000):
        votes = planted_votes(participants)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = opinion_map(votes, range(STATEMENTS))
            times.append(time.perf_counter() - start)
        print(
            f"{participants:>6} participants × {STATEMENTS} statements, {len(votes):>7} votes: "
            f"{min(times):.3f} s (best of {args.repeat}; {len(result.groups)} groups, "
            f"{result.in_analysis} in the analysis)"
        )


if __name__ == "__main__":
    main()
