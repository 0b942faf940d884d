"""What the room may see of the results split by role: the privacy rules in one place.

Two prosecutors in a hall of 200 must be able to vote freely. The room (projector, phones,
the shared report, exports for sharing) sees the results through these rules; the
moderator console and the organiser's full export keep exact figures. With `minimum` the
privacy minimum (VOTING_ROLE_MINIMUM, default 5); the reasoning is in docs/metrics.md,
"Privacy of the role split":

- **No subtraction.** The room-wide total is shown exactly, so whatever is not shown
  exactly (the "rest") can be worked out as the total minus the groups shown. A group
  ("no role given" counts as one) gets its own exact bar only with at least 2 × minimum
  voters; all the others are shown as ONE block, "all other roles together", and that
  block must itself hold at least 2 × minimum voters (from two or more groups), or the
  smallest shown groups join it. When that leaves no group on its own, the room sees no
  split at all. No size of a group that is not shown on its own is ever sent.
- **No unanimity leak.** No group smaller than 2 × minimum is ever shown on its own;
  the block is shown as a band ("nearly all agree", "most agree", "divided", …), never
  as counts or percentages.
- **No watching the bars move** (live, see `Published`): while voting is open a group's
  votes reach the room only in steps of at least `minimum` changed votes of that group;
  the room-wide total is the sum of what is published, so it moves in the same steps.
  When voting closes, everything is published.

An event without roles has nothing to split: its room sees the live total, as always.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from voting.i18n import Translate, mark
from voting.models import Scale
from voting.results import group_of, role_gap, summarize_choices

# The bands a block is shown as, from the shares of its opinion votes (pass left out).
NEARLY_ALL = 0.8  # at 5 voters or more, 4 of 5 is "nearly all": one dissent stays hidden
BANDS = (
    "nearly_all_agree",
    "most_agree",
    "divided",
    "most_disagree",
    "nearly_all_disagree",
    "no_opinion",
)


# What the screens say about the split (the browser scripts get them via client_text.py).
ROOM_TEXT = {
    "band_nearly_all_agree": mark("nearly all agree"),
    "band_most_agree": mark("most agree"),
    "band_divided": mark("divided"),
    "band_most_disagree": mark("most disagree"),
    "band_nearly_all_disagree": mark("nearly all disagree"),
    "band_no_opinion": mark("no opinion"),
    "others_together": mark("All other roles together"),
    "split_too_small": mark("Too few votes per role to show the split without revealing anyone"),
    "not_for_room": mark("Exact figures per role: not for the room"),
}


def band_label(name: str, _: Translate) -> str:
    """A band's words in the reader's language, e.g. band_label("most_agree", _)."""
    return _(ROOM_TEXT[f"band_{name}"])


def band(scale: Scale, choices: Mapping[str, str]) -> str:
    """The words a group's votes are shown in instead of counts: one of BANDS."""
    scores = [scale.score(option) for option in choices.values() if scale.accepts(option)]
    opinions = [score for score in scores if score is not None]
    if not opinions:
        return "no_opinion"
    agree = sum(score > 0 for score in opinions) / len(opinions)
    disagree = sum(score < 0 for score in opinions) / len(opinions)
    if agree >= NEARLY_ALL:
        return "nearly_all_agree"
    if disagree >= NEARLY_ALL:
        return "nearly_all_disagree"
    if agree > 0.5:
        return "most_agree"
    if disagree > 0.5:
        return "most_disagree"
    return "divided"


def groups(
    scale: Scale, choices: Mapping[str, str], role_of: Mapping[str, str | None], roles: Sequence[str]
) -> dict[str | None, dict[str, str]]:
    """The votes per group: every role of `roles` (in order, maybe empty), then None (no role
    given, skipped, or a role no longer in `roles`) when anyone is in it."""
    out: dict[str | None, dict[str, str]] = {role: {} for role in roles}
    for participant, option in choices.items():
        if scale.accepts(option):
            out.setdefault(group_of(role_of, participant, roles), {})[participant] = option
    return out


def room_split(
    scale: Scale,
    choices: Mapping[str, str],
    role_of: Mapping[str, str | None],
    roles: Sequence[str],
    minimum: int,
) -> list[dict[str, Any]]:
    """The role split as the room may see it: [] when no group may be shown on its own,
    else the groups shown exactly, in roles order ({"kind": "role", "role", "voters",
    "results"}; role None is "no role given"), then, if anyone else voted, one block
    {"kind": "others", "band"} for everybody else together (no size, no counts)."""
    votes = groups(scale, choices, role_of, roles)
    own = 2 * minimum
    shown = [group for group, members in votes.items() if len(members) >= own]
    rest = sum(len(members) for group, members in votes.items() if group not in shown)
    while shown and 0 < rest < own:  # the rest would be recoverable by subtraction
        smallest = min(shown, key=lambda group: len(votes[group]))
        shown.remove(smallest)
        rest += len(votes[smallest])
    if not shown:
        return []
    split: list[dict[str, Any]] = [
        {"kind": "role", "role": group, "voters": len(members), "results": summarize_choices(scale, members)}
        for group, members in votes.items()
        if group in shown
    ]
    if rest:
        others = {p: o for group, members in votes.items() if group not in shown for p, o in members.items()}
        split.append({"kind": "others", "band": band(scale, others)})
    return split


def room_view(
    scale: Scale,
    choices: Mapping[str, str],
    role_of: Mapping[str, str | None],
    roles: Sequence[str],
    minimum: int,
) -> dict[str, Any]:
    """Everything the room may see of one statement's round once voting on it is closed:
    the report, the share link and the exports for sharing call this.

    `choices` is participant id → option (a Tally's `choices`, e.g. `room.tallies[id]` or
    `room.second[id]`), `role_of` participant → role (`room.role_of`), `roles` the event's
    roles (`room.event.roles`), `minimum` the privacy minimum (`room.role_minimum`).

    Returns {"results": summarize() of all votes (exact: the room-wide total is public),
    "by_role": room_split() ([] when no role may be shown on its own; an event without roles
    also gives []), "gap": role_gap() between the roles shown on their own, or None}.
    Show an entry of kind "role" like a role of role_split() (its name, its voter count and
    its chart) and the one entry of kind "others" as the words of its band (BANDS; the
    labels are in voting/web/client_text.py under "band_<name>", or `band_label()`).
    """
    split = room_split(scale, choices, role_of, roles, minimum) if roles else []
    own = [entry for entry in split if entry["kind"] == "role"]
    return {
        "results": summarize_choices(scale, choices),
        "by_role": split,
        "gap": role_gap(own, 2 * minimum),
    }


class Published:
    """The votes as last shown to the room, per (statement id, round) and group: the live
    screens' memory for "no watching the bars move". In memory only: after a restart the
    groups with `minimum` votes are published at once, the others when voting closes."""

    def __init__(self) -> None:
        self._shown: dict[tuple[int, int], dict[str | None, dict[str, str]]] = {}

    def votes(
        self,
        key: tuple[int, int],
        scale: Scale,
        choices: Mapping[str, str],
        role_of: Mapping[str, str | None],
        roles: Sequence[str],
        minimum: int,
        final: bool,
    ) -> dict[str, str]:
        """The votes the room may see now (participant → option): per group, the votes as
        last published, replaced by the current ones once at least `minimum` of the group's
        votes differ from them (new, changed or withdrawn), or at once when `final` (voting
        is closed). No votes at all (a reset) is published at once: it tells nothing."""
        if not choices:
            self._shown.pop(key, None)
            return {}
        shown = self._shown.setdefault(key, {})
        current = groups(scale, choices, role_of, roles)
        for group in current.keys() | shown.keys():
            now, before = current.get(group, {}), shown.get(group, {})
            if final or _changed(now, before) >= minimum:
                shown[group] = dict(now)
        published: dict[str, str] = {}
        for members in shown.values():
            published.update(members)
        return published


def _changed(now: Mapping[str, str], before: Mapping[str, str]) -> int:
    return sum(now.get(p) != before.get(p) for p in now.keys() | before.keys())
