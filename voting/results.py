"""Tallies and the metrics computed from them: pure functions, no I/O.

Definitions (also in docs/metrics.md):

- percentages are shares of the *opinion* votes (every vote except "pass");
- agreement = share of agreeing votes minus share of disagreeing votes, in -100..100;
- mean = average score of the opinion votes (likert5: -2..2, agree3: -1..1, yes/no: -1/1);
- consensus = van der Eijk's agreement A in -1..1 (1: everyone picks the same option,
  0: uniform spread, -1: the room split between the two extremes);
- polarisation = share of opinion votes at the two extremes of the scale.

Roles and the second round (also in docs/metrics.md):

- role_split = summarize() per role, hidden ("too few") for a group with 0 < voters < minimum
  (the exact split, for the moderator; what the room sees follows voting/privacy.py);
- role_gap = the largest difference of mean score between two roles that reach the minimum;
- turnout = participants and voters per role;
- round_shift = round 1 against round 2, paired per participant, direction by score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from voting.models import PASS, SCALES, Scale

DEFAULT_ROLE_MINIMUM = 5  # the privacy minimum (VOTING_ROLE_MINIMUM); the room's rules: voting/privacy.py


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


def summarize_choices(scale: Scale, choices: Mapping[str, str]) -> dict[str, Any]:
    """summarize() of participant id -> option (a Tally's choices)."""
    return summarize(scale, Counter(choices.values()))


def group_of(role_of: Mapping[str, str | None], participant: str, roles: Sequence[str]) -> str | None:
    """A participant's role, or None when they have none, skipped it, or hold one that is
    not (or no longer) among the event's roles."""
    role = role_of.get(participant)
    return role if role is not None and role in roles else None


def role_split(
    scale: Scale,
    choices: Mapping[str, str],
    role_of: Mapping[str, str | None],
    roles: Sequence[str],
    minimum: int,
    *,
    include_small: bool = False,
) -> list[dict[str, Any]]:
    """The results of one statement per role: one entry per role in `roles` order, then one
    for the voters without a role (role None) if there are any.

    Each entry is {"role", "voters", "too_few", "results"}. A group with 0 < voters < minimum
    is too_few and its results are None, unless include_small (moderator console, export).
    Votes for options the scale does not have are ignored, as in summarize().
    """
    groups: dict[str | None, dict[str, str]] = {role: {} for role in roles}
    for participant, option in choices.items():
        if scale.accepts(option):
            groups.setdefault(group_of(role_of, participant, roles), {})[participant] = option
    split: list[dict[str, Any]] = []
    for role, group in groups.items():  # the roles, then None if anyone landed there
        voters = len(group)
        too_few = 0 < voters < minimum
        results = summarize_choices(scale, group) if include_small or not too_few else None
        split.append({"role": role, "voters": voters, "too_few": too_few, "results": results})
    return split


def role_gap(split: list[dict[str, Any]], minimum: int) -> dict[str, Any] | None:
    """The largest difference of mean score between two roles of a role_split().

    Only named roles with at least `minimum` voters and at least one opinion vote take part.
    The gap is taken between the means as shown (rounded to 0.01); of equal gaps the first
    pair in roles order wins. "roles" is [higher mean, lower mean] (roles order when equal);
    "agreement_gap" is the absolute difference of those two roles' agreement. None when
    fewer than two roles take part.
    """
    qualifying = [
        entry
        for entry in split
        if entry["role"] is not None
        and entry["voters"] >= minimum
        and entry["results"] is not None
        and entry["results"]["mean"] is not None
    ]
    best: tuple[float, dict[str, Any], dict[str, Any]] | None = None
    for i, first in enumerate(qualifying):
        for second in qualifying[i + 1 :]:
            gap = round(abs(first["results"]["mean"] - second["results"]["mean"]), 2)
            if best is None or gap > best[0]:
                best = (gap, first, second)
    if best is None:
        return None
    gap, first, second = best
    high, low = (second, first) if second["results"]["mean"] > first["results"]["mean"] else (first, second)
    return {
        "roles": [high["role"], low["role"]],
        "mean_gap": gap,
        "agreement_gap": round(abs(high["results"]["agreement"] - low["results"]["agreement"]), 1),
    }


def turnout(
    role_of: Mapping[str, str | None], choices: Mapping[str, str], roles: Sequence[str]
) -> list[dict[str, Any]]:
    """Participants and voters per role, in `roles` order, then role None (no role, skipped,
    or a role not in `roles`) if any participant is in it. The participants are those of
    role_of plus any voter missing from it (counted without a role)."""
    participants: dict[str | None, int] = {role: 0 for role in roles}
    voters: dict[str | None, int] = {role: 0 for role in roles}
    for participant in {*role_of, *choices}:
        role = group_of(role_of, participant, roles)
        participants[role] = participants.get(role, 0) + 1
        voters[role] = voters.get(role, 0) + (participant in choices)
    return [{"role": role, "participants": n, "voters": voters[role]} for role, n in participants.items()]


def round_shift(scale: Scale, first: Mapping[str, str], second: Mapping[str, str]) -> dict[str, Any]:
    """Round 1 against round 2 of one statement, paired per participant who voted in both.

    changed = towards_agree + towards_disagree + other: a changed vote goes towards agree when
    its score went up, towards disagree when it went down, and is "other" when it went to or
    from pass (or between options of equal score). mean_first / mean_second are the mean
    scores of the paired participants' opinion votes in each round (None without any).
    Votes for options the scale does not have are ignored.
    """
    one = {p: o for p, o in first.items() if scale.accepts(o)}
    two = {p: o for p, o in second.items() if scale.accepts(o)}
    paired = [p for p in one if p in two]
    changed = up = down = 0
    for participant in paired:
        before, after = one[participant], two[participant]
        if before == after:
            continue
        changed += 1
        score_before, score_after = scale.score(before), scale.score(after)
        if score_before is not None and score_after is not None:
            up += score_after > score_before
            down += score_after < score_before
    return {
        "paired": len(paired),
        "changed": changed,
        "towards_agree": up,
        "towards_disagree": down,
        "other": changed - up - down,
        "mean_first": _mean_of(scale, [one[p] for p in paired]),
        "mean_second": _mean_of(scale, [two[p] for p in paired]),
        "only_first": len(one) - len(paired),
        "only_second": len(two) - len(paired),
    }


def _mean_of(scale: Scale, options: list[str]) -> float | None:
    counts = Counter(options)
    return mean_score(scale, {o: counts[o] for o in scale.options})
