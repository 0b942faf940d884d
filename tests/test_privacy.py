"""The room's rules for the role split (voting/privacy.py): who gets a bar of their own, the
block for everybody else, the bands, and the live steps. The frames of a whole evening over
real WebSockets are replayed in tests/test_privacy_frames.py."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from voting.models import SCALES
from voting.privacy import BANDS, ROOM_TEXT, Published, band, band_label, room_split, room_view
from voting.results import DEFAULT_ROLE_MINIMUM, summarize_choices
from voting.settings import Settings

LIKERT = SCALES["likert5"]
YESNO = SCALES["yesno"]
ROLES = ["Burgemeester", "Politie", "Justitie"]


def room(sizes: dict[str | None, list[str]]) -> tuple[dict[str, str], dict[str, str | None]]:
    """choices and role_of for groups given as role → the options its members voted."""
    choices: dict[str, str] = {}
    role_of: dict[str, str | None] = {}
    for role, options in sizes.items():
        for i, option in enumerate(options):
            participant = f"{role}-{i}"
            choices[participant], role_of[participant] = option, role
    return choices, role_of


def test_the_default_minimum_is_five_and_zero_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DEFAULT_ROLE_MINIMUM == 5 and Settings().role_minimum == 5
    monkeypatch.setenv("VOTING_ROLE_MINIMUM", "0")
    with pytest.raises(ValueError, match="VOTING_ROLE_MINIMUM=0"):
        Settings.from_env()


def test_small_roles_leave_no_split_when_the_rest_could_be_subtracted() -> None:
    # The hall: 12 mayors could have a bar of their own, but then the total minus
    # the mayors would be the other 6 exactly (1 prosecutor among them): no split at all.
    choices, role_of = room(
        {
            "Burgemeester": ["agree"] * 12,
            "Politie": ["disagree"] * 3,
            "Justitie": ["disagree"],
            None: ["neutral"] * 2,
        }
    )
    assert room_split(LIKERT, choices, role_of, ROLES, 5) == []
    view = room_view(LIKERT, choices, role_of, ROLES, 5)
    assert view["by_role"] == [] and view["gap"] is None
    assert view["results"] == summarize_choices(LIKERT, choices)  # the total stays exact


def test_the_rest_is_one_block_of_at_least_twice_the_minimum_without_a_size() -> None:
    choices, role_of = room(
        {"Burgemeester": ["agree"] * 30, "Politie": ["disagree"] * 12, "Justitie": ["disagree"] * 3}
    )
    split = room_split(LIKERT, choices, role_of, ROLES, 5)
    # Politie (12) could stand alone, but Justitie (3) alone would be the total minus the
    # rest: the smallest role shown joins it, and the block is words only.
    mayors = {p: o for p, o in choices.items() if role_of[p] == "Burgemeester"}
    assert split == [
        {"kind": "role", "role": "Burgemeester", "voters": 30, "results": summarize_choices(LIKERT, mayors)},
        {"kind": "others", "band": "nearly_all_disagree"},
    ]


def test_every_role_shown_when_all_reach_twice_the_minimum_and_no_role_given_counts_as_a_group() -> None:
    choices, role_of = room({"Burgemeester": ["agree"] * 10, "Politie": ["no"] * 0, None: ["disagree"] * 10})
    split = room_split(LIKERT, choices, role_of, ROLES, 5)
    assert [(e["kind"], e["role"], e["voters"]) for e in split] == [
        ("role", "Burgemeester", 10),
        ("role", None, 10),
    ]
    gap = room_view(LIKERT, choices, role_of, ROLES, 5)["gap"]
    assert gap is None  # "no role given" is not a role to compare
    choices, role_of = room({"Burgemeester": ["agree"] * 10, "Politie": ["disagree"] * 10})
    assert room_view(LIKERT, choices, role_of, ROLES, 5)["gap"] == {
        "roles": ["Burgemeester", "Politie"], "mean_gap": 2.0, "agreement_gap": 200.0,
    }  # fmt: skip


@pytest.mark.parametrize("seed", range(300))
def test_whatever_the_sizes_nothing_small_stands_alone_or_can_be_subtracted(seed: int) -> None:
    rng = random.Random(seed)
    minimum = rng.choice([1, 2, 3, 5])
    roles = [f"r{i}" for i in range(rng.randint(1, 5))]
    sizes = {role: rng.choice([0, 1, 2, 3, 4, 6, 9, 10, 11, 25]) for role in [*roles, None]}
    choices, role_of = room({g: [rng.choice(LIKERT.options)] * n for g, n in sizes.items()})
    split = room_split(LIKERT, choices, role_of, roles, minimum)
    own = [e for e in split if e["kind"] == "role"]
    others = [e for e in split if e["kind"] == "others"]
    assert all(e["voters"] >= 2 * minimum for e in own)
    rest = [g for g, n in sizes.items() if n and g not in {e["role"] for e in own}]
    rest_size = sum(sizes[g] for g in rest)
    if own:
        # What the room can work out as the total minus the roles shown: a block of two or
        # more groups, at least twice the minimum, shown as words, never with a size.
        assert rest_size == 0 or (rest_size >= 2 * minimum and len(rest) >= 2)
        assert len(others) == (1 if rest_size else 0)
        assert all(set(e) == {"kind", "band"} and e["band"] in BANDS for e in others)
    else:
        assert split == []


def test_bands_never_tell_unanimous_from_one_dissent_at_the_minimum() -> None:
    for n in range(5, 12):
        for side, other in (("agree", "disagree"), ("strongly_disagree", "neutral"), ("agree", "pass")):
            unanimous = {f"p{i}": side for i in range(n)}
            one_off = {**unanimous, "p0": other}
            assert band(LIKERT, unanimous) == band(LIKERT, one_off), (n, side, other)
    assert band(LIKERT, {"a": "agree", "b": "agree", "c": "disagree"}) == "most_agree"
    assert band(LIKERT, {"a": "agree", "b": "disagree", "c": "neutral"}) == "divided"
    assert band(YESNO, {"a": "no", "b": "no", "c": "yes"}) == "most_disagree"
    assert band(YESNO, {"a": "pass"}) == "no_opinion"


def test_every_band_has_its_words_in_every_language() -> None:
    from voting.i18n import translator

    for language, expected in (("nl", "bijna iedereen akkoord"), ("fr", "presque tous d’accord")):
        _ = translator(language)
        assert band_label("nearly_all_agree", _) == expected
        for name in BANDS:
            assert band_label(name, _) != ROOM_TEXT[f"band_{name}"], (language, name)


# -- live: no watching the bars move ----------------------------------------------------------


def publish(
    published: Published, choices: dict[str, str], role_of: dict[str, str | None], final: bool = False
) -> Counter[str]:
    shown = published.votes((1, 1), LIKERT, choices, role_of, ROLES, 5, final)
    return Counter(shown.values())


def test_a_role_moves_on_screen_only_after_five_of_its_votes_changed() -> None:
    published = Published()
    choices: dict[str, str] = {}
    role_of: dict[str, str | None] = {f"m{i}": "Burgemeester" for i in range(12)} | {"j": "Justitie"}
    for i in range(4):
        choices[f"m{i}"] = "agree"
        assert publish(published, choices, role_of) == Counter()  # 1..4 new votes: nothing yet
    choices["m4"] = "agree"
    assert publish(published, choices, role_of) == Counter(agree=5)
    choices["j"] = "disagree"  # the prosecutor taps: the screen does not move
    assert publish(published, choices, role_of) == Counter(agree=5)
    for option in ("neutral", "agree", "disagree", "strongly_agree", "disagree"):
        choices["m0"] = option  # one mayor changing five times is one changed vote
        assert publish(published, choices, role_of) == Counter(agree=5)
    for i in range(1, 5):
        choices[f"m{i}"] = "disagree"
    assert publish(published, choices, role_of) == Counter(disagree=5)  # m0..m4 changed
    # Closing the vote publishes everything; a reset (no votes) at once too.
    assert publish(published, choices, role_of, final=True) == Counter(disagree=6)
    assert publish(published, {}, role_of) == Counter()
