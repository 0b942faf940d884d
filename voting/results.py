"""Tallies and the metrics computed from them: pure functions, no I/O.

Definitions (also in docs/metrics.md):

- percentages are shares of the *opinion* votes (every vote except "pass");
- agreement = share of agreeing votes minus share of disagreeing votes, in -100..100;
- mean = average score of the opinion votes (likert5: -2..2, agree3: -1..1, yes/no: -1/1);
- consensus = van der Eijk's agreement A in -1..1 (1: everyone picks the same option,
  0: uniform spread, -1: the room split between the two extremes);
- polarisation = share of opinion votes at the two extremes of the scale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from voting.models import PASS, SCALES, Scale


@dataclass
class Tally:
    """Current votes on one statement: who chose what, and the counts that follow."""

    scale: str
    choices: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def set(self, participant: str, option: str) -> None:
        previous = self.choices.get(participant)
        if previous == option:
            return
        if previous is not None:
            self.counts[previous] -= 1
        self.choices[participant] = option
        self.counts[option] += 1

    def clear(self) -> None:
        self.choices.clear()
        self.counts.clear()

    @property
    def voters(self) -> int:
        return len(self.choices)

    def summary(self) -> dict[str, Any]:
        return summarize(SCALES[self.scale], self.counts)


def summarize(scale: Scale, counts: Counter[str] | dict[str, int]) -> dict[str, Any]:
    opinion = {option: int(counts.get(option, 0)) for option in scale.options}
    opinions = sum(opinion.values())
    passes = int(counts.get(PASS, 0))
    percent = {o: round(100 * n / opinions, 1) if opinions else 0.0 for o, n in opinion.items()}
    return {
        "voters": opinions + passes,
        "pass": passes,
        "counts": opinion,
        "percent": percent,
        "agreement": agreement(scale, opinion),
        "mean": mean_score(scale, opinion),
        "consensus": consensus(scale, opinion),
        "polarisation": polarisation(scale, opinion),
    }


def agreement(scale: Scale, opinion: dict[str, int]) -> float | None:
    total = sum(opinion.values())
    if not total:
        return None
    agree = sum(n for o, n in opinion.items() if (scale.score(o) or 0) > 0)
    disagree = sum(n for o, n in opinion.items() if (scale.score(o) or 0) < 0)
    return round(100 * (agree - disagree) / total, 1)


def mean_score(scale: Scale, opinion: dict[str, int]) -> float | None:
    total = sum(opinion.values())
    if not total:
        return None
    return round(sum((scale.score(o) or 0) * n for o, n in opinion.items()) / total, 2)


def polarisation(scale: Scale, opinion: dict[str, int]) -> float | None:
    total = sum(opinion.values())
    if not total:
        return None
    extremes = opinion[scale.options[0]] + opinion[scale.options[-1]]
    return round(extremes / total, 3)


def consensus(scale: Scale, opinion: dict[str, int]) -> float | None:
    """Van der Eijk (2001) agreement A for an ordered frequency vector.

    The distribution is decomposed into layers; each layer is a uniform distribution over
    a set of categories and gets A = U * (1 - (S - 1) / (K - 1)), with U its unimodality
    (from its pattern of used/unused categories), S the number of used categories and K the
    number of categories. A is the weighted average of the layers' A.
    """
    freqs = [opinion[o] for o in scale.options]
    total = sum(freqs)
    if not total:
        return None
    remaining = list(freqs)
    weighted = 0.0
    while any(remaining):
        level = min(f for f in remaining if f > 0)
        pattern = [1 if f > 0 else 0 for f in remaining]
        layer_weight = level * sum(pattern)
        weighted += layer_weight * _layer_agreement(pattern)
        remaining = [f - level if f > 0 else 0 for f in remaining]
    return round(weighted / total, 3)


def _layer_agreement(pattern: list[int]) -> float:
    k = len(pattern)
    used = sum(pattern)
    if used == k:
        return 0.0
    tdu = tdd = 0
    for i in range(k - 2):
        for j in range(i + 1, k - 1):
            for m in range(j + 1, k):
                a, b, c = pattern[i], pattern[j], pattern[m]
                if (a, b, c) == (1, 0, 1):
                    tdd += 1
                elif (a, b, c) in ((1, 1, 0), (0, 1, 1)):
                    tdu += 1
    if tdu + tdd == 0:
        unimodality = 1.0
    else:
        unimodality = ((k - 2) * tdu - (k - 1) * tdd) / ((k - 2) * (tdu + tdd))
    return unimodality * (1 - (used - 1) / (k - 1))
