"""Roles, the role split with its privacy minimum, the role gap, a second round, the report,
the exports and deleting an event, through the real app (WebSocket and HTTP) and the CLI.

Tallies reach the screens on the hub's clock (0.1 s for moderator and projector, 0.5 s for
phones), and a moderator action queues its `state`/`tally` frames before the `ok` reply,
so the tests wait for the frame that matches rather than assume an order.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ADMIN_PASSWORD, Env, join, moderate
from tests.test_comments import Live, ask, receive_where
from tests.test_sockets import connect, receive_until, statement_ids
from voting import store as sql
from voting.cli import main
from voting.i18n import catalogue
from voting.models import SCALES
from voting.results import summarize_choices
from voting.store import Store

Message = dict[str, Any]
ROLES = ["A", "B", "C"]
LIKERT = SCALES["likert5"]
CROSS_SITE = {"origin": "https://evil.example"}
ENGLISH = {"accept-language": "en"}
DUTCH = {"accept-language": "nl"}
# The role split scenario: 3 A voters, 3 B voters, 1 C voter.
PLAN = [
    ("A", "agree"), ("A", "agree"), ("A", "strongly_agree"),
    ("B", "disagree"), ("B", "disagree"), ("B", "neutral"),
    ("C", "agree"),
]  # fmt: skip


# -- helpers ----------------------------------------------------------------------------------


def make_event(db: str, roles: list[str], title: str = "Rollen") -> Env:
    store = Store(db)
    event = store.write(
        sql.insert_event, title, ["First statement", "Second statement", "Third"], "likert5", roles
    )
    store.close()
    return Env(db, event)


@pytest.fixture
def renv(db: str) -> Env:
    """An event with the roles A, B and C."""
    return make_event(db, ROLES)


@contextmanager
def running(env: Env, open_vote: bool = True, **settings: Any) -> Iterator[Live]:
    """The app with a moderator and a projector connected, the first statement on screen
    (and open for votes). The privacy minimum is 3 unless given: PLAN's groups are sized
    for it (tests/test_privacy*.py test the room's rules at the default)."""
    settings.setdefault("role_minimum", 3)
    with env.client(**settings) as client, ExitStack() as stack:
        moderate(client, env.event)
        moderator = stack.enter_context(connect(client, env.event.code, "moderator"))
        projector = stack.enter_context(connect(client, env.event.code, "projector"))
        first = statement_ids(env)[0]
        live = Live(env, client, stack, moderator, projector, first)
        live.moderate({"type": "goto", "statement": first})
        if open_vote:
            live.moderate({"type": "voting", "open": True})
        yield live


@contextmanager
def cookies_of(client: TestClient, headers: dict[str, str] | None) -> Iterator[None]:
    """Make HTTP requests with a phone's cookie (or none), then restore the client's own."""
    saved = list(client.cookies.jar)
    client.cookies.clear()
    if headers is not None:
        name, _, value = headers["cookie"].partition("=")
        client.cookies.set(name, value, domain="testserver.local")  # as the server's Set-Cookie
    try:
        yield
    finally:
        client.cookies.clear()
        for cookie in saved:
            client.cookies.jar.set_cookie(cookie)


def choose(ws: Any, role: object) -> Message:
    return ask(ws, {"type": "role", "role": role})


def vote(ws: Any, statement: int, option: str) -> None:
    assert ask(ws, {"type": "vote", "statement": statement, "option": option}) == {
        "type": "ack", "statement": statement, "option": option,
    }  # fmt: skip


def welcome(live: Live, headers: dict[str, str]) -> Message:
    with connect(live.client, live.code, "participant", headers) as ws:
        message: Message = ws.receive_json()
    assert message["type"] == "welcome"
    return message


def stored_roles(env: Env) -> dict[str, str | None]:
    store = Store(env.db)
    try:
        return store.roles_of(env.event.id)
    finally:
        store.close()


def vote_rows(env: Env) -> list[tuple[int, str, int, str]]:
    store = Store(env.db)
    try:
        return sorted(
            (r["statement_id"], r["participant_id"], r["round"], r["option"])
            for r in store.votes(env.event.id)
        )
    finally:
        store.close()


def role_section(html: str) -> str:
    match = re.search(r'<section class="role-choice"[^>]*>', html)
    assert match is not None
    return match.group(0)


def split_entry(role: str | None, options: list[str], *, minimum: int, small: bool) -> Message:
    """What the moderator's role_split gives for a group that voted `options` (hand-checked
    below); `small`: with small groups' results, marked as not for the room."""
    voters = len(options)
    too_few = 0 < voters < minimum
    results = None
    if small or not too_few:
        results = summarize_choices(LIKERT, {f"p{i}": o for i, o in enumerate(options)})
    entry = {"role": role, "voters": voters, "too_few": too_few, "results": results}
    return {**entry, "private": True} if small else entry


def room_entry(role: str | None, options: list[str]) -> Message:
    """A role the room sees on its own (voting/privacy.py): exact, with its size."""
    results = summarize_choices(LIKERT, {f"p{i}": o for i, o in enumerate(options)})
    return {"kind": "role", "role": role, "voters": len(options), "results": results}


def voted_by(role: str) -> list[str]:
    return [option for r, option in PLAN if r == role]


def act(live: Live, message: Message, test: Callable[[Message], bool]) -> Message:
    """A moderator action, then the console's latest tally that passes `test`: among the
    frames queued before the `ok` reply, or else the next ones."""
    before = live.moderate(message)
    for frame in reversed(before):
        if frame["type"] == "tally" and test(frame):
            return frame
    return receive_where(live.moderator, "tally", test)


def has(key: str, test: Callable[[Any], bool] = lambda value: True) -> Callable[[Message], bool]:
    return lambda frame: key in frame and test(frame[key])


# -- role choice ------------------------------------------------------------------------------


def test_an_event_with_roles_asks_once_and_stores_the_answer(renv: Env) -> None:
    with running(renv, open_vote=False) as live:
        phone = live.new_phone()
        with cookies_of(live.client, phone):
            page = live.client.get(f"/j/{live.code}")
        assert page.status_code == 200
        assert "hidden" not in role_section(page.text)  # the chooser is shown
        for role in ROLES:
            assert f'name="role" value="{role}"' in page.text
        assert welcome(live, phone)["role_asked"] is False
        assert welcome(live, phone)["my_role"] is None

        ws = live.phone(phone)
        assert choose(ws, "B") == {"type": "role.ack", "role": "B"}
        assert list(stored_roles(renv).values()) == ["B"]
        hello = welcome(live, phone)
        assert (hello["my_role"], hello["role_asked"]) == ("B", True)
        with cookies_of(live.client, phone):
            page = live.client.get(f"/j/{live.code}")
        assert "hidden" in role_section(page.text)  # not asked again
        assert re.search(r'value="B"[^>]*aria-pressed="true"', page.text)

        # Changing it later works, and so does a change to "skipped".
        assert choose(ws, "C") == {"type": "role.ack", "role": "C"}
        assert list(stored_roles(renv).values()) == ["C"]
        assert welcome(live, phone)["my_role"] == "C"
        assert choose(ws, None) == {"type": "role.ack", "role": None}
        assert list(stored_roles(renv).values()) == [""]
        hello = welcome(live, phone)
        assert (hello["my_role"], hello["role_asked"]) == (None, True)


def test_skipping_the_role_is_stored_as_empty_and_not_asked_again(renv: Env) -> None:
    with running(renv, open_vote=False) as live:
        phone = live.new_phone()
        ws = live.phone(phone)
        assert choose(ws, None) == {"type": "role.ack", "role": None}
        assert list(stored_roles(renv).values()) == [""]
        hello = welcome(live, phone)
        assert (hello["my_role"], hello["role_asked"]) == (None, True)
        with cookies_of(live.client, phone):
            page = live.client.get(f"/j/{live.code}")
        assert "hidden" in role_section(page.text)
    # After a restart the skip is still a skip, not "never asked".
    with running(renv, open_vote=False) as live:
        hello = welcome(live, phone)
        assert (hello["my_role"], hello["role_asked"]) == (None, True)


@pytest.mark.parametrize("role", ["D", "", "a", 3, True, ["A"], {"role": "A"}])
def test_an_unlisted_role_is_refused_and_nothing_is_stored(renv: Env, role: object) -> None:
    with running(renv, open_vote=False) as live:
        phone = live.new_phone()
        ws = live.phone(phone)
        reply = choose(ws, role)
        assert (reply["type"], reply["code"]) == ("error", "invalid_role")
        assert list(stored_roles(renv).values()) == [None]  # joined, not answered
        assert welcome(live, phone)["role_asked"] is False
        assert choose(ws, "A") == {"type": "role.ack", "role": "A"}  # the socket still works


def test_the_role_form_post_works_and_refuses_other_sites(renv: Env) -> None:
    with running(renv, open_vote=False) as live:
        phone = live.new_phone()
        with cookies_of(live.client, phone):
            refused = live.client.post(
                f"/j/{live.code}/role", data={"role": "A"}, headers=CROSS_SITE, follow_redirects=False
            )
            assert refused.status_code == 403
            assert list(stored_roles(renv).values()) == [None]
            bad = live.client.post(f"/j/{live.code}/role", data={"role": "Z"}, follow_redirects=False)
            assert bad.status_code == 400
            assert bad.json()["error"] == "invalid_role"
            assert list(stored_roles(renv).values()) == [None]
            response = live.client.post(f"/j/{live.code}/role", data={"role": "A"}, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"] == f"/j/{live.code}"
            assert list(stored_roles(renv).values()) == ["A"]
            skipped = live.client.post(f"/j/{live.code}/role", data={"role": ""}, follow_redirects=False)
            assert skipped.status_code == 303
            assert list(stored_roles(renv).values()) == [""]
            page = live.client.get(f"/j/{live.code}")
            assert "hidden" in role_section(page.text)
        hello = welcome(live, phone)
        assert (hello["my_role"], hello["role_asked"]) == (None, True)
        assert live.client.post("/j/999999/role", data={"role": "A"}).status_code == 404


def test_an_event_without_roles_never_asks(env: Env, app_client: TestClient) -> None:
    join(app_client, env.event.code)
    page = app_client.get(f"/j/{env.event.code}")
    assert "hidden" in role_section(page.text)
    assert 'name="role" value="A"' not in page.text
    with connect(app_client, env.event.code, "participant") as ws:
        hello = ws.receive_json()
        assert (hello["my_role"], hello["role_asked"]) == (None, False)
        assert receive_until(ws, "state")["roles"] == []
        reply = choose(ws, "A")
        assert (reply["type"], reply["code"]) == ("error", "invalid_role")


# -- role split and privacy -------------------------------------------------------------------


def vote_the_plan(live: Live) -> list[dict[str, str]]:
    """The PLAN's voters, plus an A who does not vote, a phone that skips the role and
    one that never answers. Returns the voters' headers."""
    voters = []
    for role, option in PLAN:
        headers = live.new_phone()
        ws = live.phone(headers)
        assert choose(ws, role) == {"type": "role.ack", "role": role}
        vote(ws, live.statement, option)
        voters.append(headers)
    assert choose(live.phone(), "A")["type"] == "role.ack"
    assert choose(live.phone(), None)["type"] == "role.ack"
    live.new_phone()  # joined the event, never answered the role question
    return voters


def test_the_moderator_always_gets_the_split_turnout_and_gap(renv: Env) -> None:
    with running(renv) as live:
        vote_the_plan(live)
        tally = receive_where(
            live.moderator, "tally",
            lambda t: t["voters"] == 7 and sum(r["participants"] for r in t["turnout"]) == 10,
        )  # fmt: skip
        assert tally["by_role"] == [
            split_entry("A", voted_by("A"), minimum=3, small=True),
            split_entry("B", voted_by("B"), minimum=3, small=True),
            split_entry("C", voted_by("C"), minimum=3, small=True),
        ]
        a, b, c = tally["by_role"]
        # By hand: A = agree, agree, strongly agree; B = disagree, disagree, neutral.
        assert (a["results"]["mean"], a["results"]["agreement"]) == (1.33, 100.0)
        assert a["results"]["consensus"] == 0.833  # layers: 2/3 of A = 0.75 and 1/3 of A = 1
        assert (b["results"]["mean"], b["results"]["agreement"]) == (-0.67, -66.7)
        assert c["too_few"] is True and c["results"]["counts"]["agree"] == 1  # shown to the moderator
        assert tally["turnout"] == [
            {"role": "A", "participants": 4, "voters": 3},
            {"role": "B", "participants": 3, "voters": 3},
            {"role": "C", "participants": 1, "voters": 1},
            {"role": None, "participants": 2, "voters": 0},
        ]
        assert tally["gap"] == {"roles": ["A", "B"], "mean_gap": 2.0, "agreement_gap": 166.7}
        # The sorting figures of the statement list.
        state = live.moderate({"type": "voting", "open": False})
        listed = [f for f in state if f["type"] == "state"][-1]["statements"]
        first = listed[0]
        summary = tally["results"]
        assert (first["voters"], first["consensus"], first["polarisation"], first["gap"]) == (
            7, summary["consensus"], summary["polarisation"], 2.0,
        )  # fmt: skip
        assert [(s["voters"], s["consensus"], s["polarisation"], s["gap"]) for s in listed[1:]] == [
            (0, None, None, None), (0, None, None, None),
        ]  # fmt: skip


def test_the_projector_gets_the_split_only_when_switched_on_and_never_small_groups(renv: Env) -> None:
    # Minimum 1: a role needs 2 voters for its own bar; C (1 voter) is merged with the
    # smallest other role (A: both 3, the first in order), so C cannot be subtracted.
    with running(renv, role_minimum=1) as live:
        phones = [live.phone(h) for h in vote_the_plan(live)]
        hidden = receive_where(live.projector, "tally", lambda t: t["voters"] == 7)
        assert hidden["results"] is None and "by_role" not in hidden
        live.moderate({"type": "results", "target": "projector", "shown": True})
        shown = receive_where(live.projector, "tally", lambda t: t["results"] is not None)
        assert shown["voters"] == 7 and "by_role" not in shown and "turnout" not in shown

        before = live.moderate({"type": "settings", "by_role": True})
        assert [f for f in before if f["type"] == "state"][-1]["by_role"] is True
        assert receive_until(live.projector, "state", by_role=True)["by_role"] is True
        split = receive_where(live.projector, "tally", has("by_role"))
        assert split["by_role"] == [
            room_entry("B", voted_by("B")),
            {"kind": "others", "band": "nearly_all_agree"},  # A and C: 4 agree, no size
        ]
        assert "turnout" not in split and "gap" not in split

        # Phones never get the split, not even with their results and the split on.
        live.moderate({"type": "results", "target": "phones", "shown": True})
        for phone in phones[:2]:
            tally = receive_where(phone, "tally", lambda t: t["results"] is not None)
            assert tally["voters"] == 7
            assert not {"by_role", "turnout", "gap"} & set(tally)

        live.moderate({"type": "settings", "by_role": False})
        off = receive_where(live.projector, "tally", lambda t: "by_role" not in t)
        assert off["results"] is not None


def test_the_privacy_minimum_comes_from_the_settings(renv: Env) -> None:
    with running(renv, role_minimum=1) as live:
        vote_the_plan(live)
        live.moderate({"type": "results", "target": "projector", "shown": True})
        live.moderate({"type": "settings", "by_role": True})
        split = receive_where(live.projector, "tally", lambda t: t.get("by_role") and t["voters"] == 7)
        assert [e.get("role") for e in split["by_role"]] == ["B", None]  # C only merged
        # A second C voter reaches twice the minimum of 1: every role gets its own bar.
        ws = live.phone()
        assert choose(ws, "C")["type"] == "role.ack"
        vote(ws, live.statement, "strongly_disagree")
        split = receive_where(live.projector, "tally", lambda t: t.get("by_role") and t["voters"] == 8)
        assert split["by_role"] == [
            room_entry("A", voted_by("A")),
            room_entry("B", voted_by("B")),
            room_entry("C", ["agree", "strongly_disagree"]),
        ]
        mod = receive_where(live.moderator, "tally", lambda t: t["voters"] == 8)
        assert mod["gap"] == {"roles": ["A", "B"], "mean_gap": 2.0, "agreement_gap": 166.7}


def test_a_minimum_above_every_group_hides_all_and_leaves_no_gap(renv: Env) -> None:
    with running(renv, role_minimum=4) as live:
        vote_the_plan(live)
        mod = receive_where(
            live.moderator, "tally", lambda t: sum(r["participants"] for r in t["turnout"]) == 10
        )
        assert all(e["results"] is not None for e in mod["by_role"])
        assert mod["gap"] is None
        live.moderate({"type": "results", "target": "projector", "shown": True})
        live.moderate({"type": "settings", "by_role": True})
        split = receive_where(live.projector, "tally", lambda t: "by_role" in t and t["voters"] == 7)
        # No role reaches 2 × 4 voters: no split at all, and while voting is open no group
        # has 4 changed votes yet, so none of their votes reached the room's chart.
        assert split["by_role"] == [] and split["results"]["voters"] == 0
        live.moderate({"type": "voting", "open": False})
        closed = receive_where(live.projector, "tally", lambda t: t["results"]["voters"] == 7)
        assert closed["by_role"] == []


# -- editing the roles ------------------------------------------------------------------------


def test_the_moderator_edits_the_roles_for_every_screen(renv: Env) -> None:
    with running(renv, open_vote=False) as live:
        phone = live.phone()
        before = live.moderate({"type": "roles", "roles": ["Mayor", " Police ", "Justice"]})
        assert [f for f in before if f["type"] == "state"][-1]["roles"] == ["Mayor", "Police", "Justice"]
        for screen in (phone, live.projector):
            assert receive_until(screen, "state", roles=["Mayor", "Police", "Justice"])
        assert choose(phone, "Mayor") == {"type": "role.ack", "role": "Mayor"}
        reply = choose(phone, "A")
        assert reply["code"] == "invalid_role"  # the old list is gone
        live.moderate({"type": "roles", "roles": []})
        assert receive_until(phone, "state", roles=[])
    store = Store(renv.db)
    found = store.event_by_code(renv.event.code)
    store.close()
    assert found is not None and found.roles == []


@pytest.mark.parametrize(
    "roles",
    [["A", "A"], [f"R{i}" for i in range(9)], "A,B", 5, None, {"A": 1}, ["A", 3], ["A", None]],
)
def test_bad_roles_are_refused(renv: Env, roles: object) -> None:
    with running(renv, open_vote=False) as live:
        reply = ask(live.moderator, {"type": "roles", "roles": roles})
        assert (reply["type"], reply["code"]) == ("error", "invalid_roles")
    store = Store(renv.db)
    found = store.event_by_code(renv.event.code)
    store.close()
    assert found is not None and found.roles == ROLES


def test_phones_and_the_projector_cannot_edit_roles(renv: Env) -> None:
    with running(renv, open_vote=False) as live:
        for screen in (live.phone(), live.projector):
            for message in ({"type": "roles", "roles": []}, {"type": "round", "statement": live.statement}):
                assert ask(screen, message)["code"] == "forbidden"


# -- round 2 ----------------------------------------------------------------------------------


def round_two(live: Live) -> dict[str, dict[str, str]]:
    """Round 1: p1 agree, p2 disagree, p3 neutral, p4 strongly agree. Round 2: p1 strongly
    agree (towards agree), p2 pass (other), p3 disagree (towards disagree), p5 agree (new)."""
    first = live.statement
    phones = {name: live.new_phone() for name in ("p1", "p2", "p3", "p4", "p5")}
    for name, option in (("p1", "agree"), ("p2", "disagree"), ("p3", "neutral"), ("p4", "strongly_agree")):
        vote(live.phone(phones[name]), first, option)
    receive_where(live.moderator, "tally", lambda t: t["voters"] == 4)
    live.moderate({"type": "goto", "statement": statement_ids(live.env)[1]})
    before = live.moderate({"type": "round", "statement": first})
    state = [f for f in before if f["type"] == "state"][-1]
    assert state["statement"]["id"] == first and state["statement"]["round"] == 2
    assert state["voting"] is True and state["results_projector"] is False
    assert [s["round"] for s in state["statements"]] == [2, 1, 1]
    for name, option in (("p1", "strongly_agree"), ("p2", "pass"), ("p3", "disagree"), ("p5", "agree")):
        ws = live.phone(phones[name])
        assert receive_until(ws, "welcome")["votes"] == {}  # a fresh ballot
        vote(ws, first, option)
    return phones


ROUND1 = {"agree": 1, "disagree": 1, "neutral": 1, "strongly_agree": 1}
ROUND2 = {"strongly_agree": 1, "disagree": 1, "agree": 1, "pass": 1}
SHIFT = {
    "paired": 3, "changed": 3, "towards_agree": 1, "towards_disagree": 1, "other": 1,
    "mean_first": 0.0, "mean_second": 0.5, "only_first": 1, "only_second": 1,
}  # fmt: skip


def summary_of(counts: dict[str, int]) -> Message:
    choices = {f"p{i}": option for i, option in enumerate(o for o, n in counts.items() for _ in range(n))}
    return summarize_choices(LIKERT, choices)


def test_round_two_votes_again_and_shows_the_shift(renv: Env) -> None:
    with running(renv) as live:
        phones = round_two(live)
        first = live.statement
        tally = receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 4)
        assert tally["statement"] == first
        assert tally["results"] == summary_of(ROUND2)
        assert tally["first"] == summary_of(ROUND1)
        assert tally["shift"] == SHIFT
        # The projector gets both rounds once results are shown.
        projector = receive_where(live.projector, "tally", lambda t: t["round"] == 2 and t["voters"] == 4)
        assert projector["results"] is None and "shift" not in projector
        live.moderate({"type": "results", "target": "projector", "shown": True})
        projector = receive_where(live.projector, "tally", lambda t: t["results"] is not None)
        assert (projector["first"], projector["shift"]) == (summary_of(ROUND1), SHIFT)

        # Both rounds are stored; round 1 is kept.
        rows = [(sid, rnd, option) for sid, _, rnd, option in vote_rows(renv)]
        assert sorted(r for r in rows if r[1] == 1) == sorted((first, 1, o) for o in ROUND1)
        assert sorted(r for r in rows if r[1] == 2) == sorted((first, 2, o) for o in ROUND2)

        # A second round 2 is refused.
        reply = ask(live.moderator, {"type": "round", "statement": first})
        assert (reply["type"], reply["code"]) == ("error", "has_round")
        assert ask(live.moderator, {"type": "round", "statement": 999_999})["code"] == "unknown_statement"

        # Welcome: only round-2 votes, with their round.
        hello = welcome(live, phones["p1"])
        assert (hello["votes"], hello["vote_rounds"]) == ({str(first): "strongly_agree"}, {str(first): 2})
        hello = welcome(live, phones["p4"])  # voted in round 1 only
        assert (hello["votes"], hello["vote_rounds"]) == ({}, {})

    # A restart keeps the rounds, the roles and the round-2 tally.
    with running(renv, open_vote=False) as live:
        console = live.connect("moderator")
        state = receive_until(console, "state")
        tally = receive_until(console, "tally")
        assert (tally["round"], tally["voters"], tally["results"], tally["first"], tally["shift"]) == (
            2, 4, summary_of(ROUND2), summary_of(ROUND1), SHIFT,
        )  # fmt: skip
        assert state["statement"]["round"] == 2 and state["voting"] is True
        assert state["roles"] == ROLES
        assert [s["round"] for s in state["statements"]] == [2, 1, 1]
        hello = welcome(live, phones["p1"])
        assert (hello["votes"], hello["vote_rounds"]) == ({str(first): "strongly_agree"}, {str(first): 2})


def test_reset_during_round_two_clears_only_round_two(renv: Env) -> None:
    with running(renv) as live:
        phones = round_two(live)
        first = live.statement
        receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 4)
        reset = {"type": "reset", "statement": first}
        tally = act(live, reset, lambda t: t["round"] == 2 and t["voters"] == 0)
        assert tally["first"] == summary_of(ROUND1)
        assert tally["shift"]["paired"] == 0 and tally["shift"]["only_first"] == 4
        assert sorted(rnd for _, _, rnd, _ in vote_rows(renv)) == [1, 1, 1, 1]
        vote(live.phone(phones["p2"]), first, "agree")
        tally = receive_where(live.moderator, "tally", lambda t: t["voters"] == 1)
        assert tally["shift"]["towards_agree"] == 1
    with running(renv, open_vote=False) as live:  # and after a restart
        tally = receive_where(live.moderator, "tally", lambda t: t["round"] == 2)
        assert tally["voters"] == 1 and tally["first"] == summary_of(ROUND1)


def test_round_two_with_roles_splits_the_second_round(renv: Env) -> None:
    with running(renv) as live:
        a = [live.new_phone() for _ in range(3)]
        for headers in a:
            ws = live.phone(headers)
            choose(ws, "A")
            vote(ws, live.statement, "disagree")
        live.moderate({"type": "round", "statement": live.statement})
        for headers in a:
            vote(live.phone(headers), live.statement, "agree")
        tally = receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 3)
        assert tally["by_role"][0] == split_entry("A", ["agree"] * 3, minimum=3, small=True)
        assert tally["shift"]["towards_agree"] == 3


# -- the report -------------------------------------------------------------------------------


def comment(live: Live, ws: Any, text: str) -> int:
    reply = ask(ws, {"type": "comment", "statement": live.statement, "text": text})
    assert reply["type"] == "comment.ack"
    return int(reply["comment"]["id"])


def report_scenario(live: Live) -> None:
    """The PLAN's votes on statement 1, a published and a hidden comment."""
    phones = vote_the_plan(live)
    ws = live.phone(phones[0])
    shown = comment(live, ws, "Zichtbare opmerking")
    hidden = comment(live, ws, "Verborgen opmerking")
    pending = comment(live, ws, "Wachtende opmerking")
    live.moderate({"type": "comment.status", "comment": shown, "status": "published"})
    live.moderate({"type": "comment.status", "comment": hidden, "status": "hidden"})
    assert pending


def test_the_report_is_for_moderators_and_shows_every_statement(renv: Env) -> None:
    with running(renv) as live:
        report_scenario(live)
        with cookies_of(live.client, None):
            assert live.client.get(f"/m/{live.code}/report").status_code == 403
            assert live.client.get("/m/999999/report").status_code == 404  # unknown: said so
        page = live.client.get(f"/m/{live.code}/report?exact=1", headers=ENGLISH)  # exact figures
        assert page.status_code == 200
        html = page.text
        for text in ("First statement", "Second statement", "Third"):
            assert text in html
        # A legend, one chart for the one statement with votes, one row per role with
        # voters (A, B, C); the two without votes are listed as not discussed.
        assert html.count("<svg") == 1 + 1 + 3
        assert "Not discussed" in html
        assert "A (3)" in html and "B (3)" in html and "C (1)" in html
        assert "Exact figures, small roles included: for you only." in html
        assert "Zichtbare opmerking" in html
        assert "Verborgen opmerking" not in html and "Wachtende opmerking" not in html
        assert "Largest gap: A vs B (mean 2)" in html
        assert "Create a share link" in html and "/report/share" in html
        # As the room sees it (the default): no role reaches 2 × 3 voters, so no split.
        dutch = live.client.get(f"/m/{live.code}/report", headers=DUTCH).text
        assert "Een rol wordt pas apart getoond vanaf 6 stemmers" in dutch and "A (3)" not in dutch


def test_the_report_shows_both_rounds_and_the_shift(renv: Env) -> None:
    with running(renv) as live:
        round_two(live)
        receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 4)
        html = live.client.get(f"/m/{live.code}/report?exact=1", headers=ENGLISH).text
        assert "Round 1" in html and "Round 2" in html
        # p2 went from disagree to pass: said, so the three directions add up to 3.
        assert (
            "3 of 3 changed their vote: 1 towards agree, 1 towards disagree, 1 to or from no opinion"
            in html
        )
        # A legend, two charts and one role row (the round-2 voters chose no role) for
        # statement 1; statements 2 and 3 have no votes (not discussed, no chart).
        assert html.count("<svg") == 1 + 2 + 1
        assert "No role given (4)" in html


def test_the_report_share_link_is_created_used_and_revoked(renv: Env) -> None:
    with running(renv) as live:
        report_scenario(live)
        refused = live.client.post(
            f"/m/{live.code}/report/share", data={"shared": "1"}, headers=CROSS_SITE, follow_redirects=False
        )
        assert refused.status_code == 403
        assert event_row(renv)["report_token"] is None
        with cookies_of(live.client, None):  # not a moderator
            response = live.client.post(f"/m/{live.code}/report/share", data={"shared": "1"})
            assert response.status_code == 403
        assert event_row(renv)["report_token"] is None

        response = share(live, "1")
        assert response.status_code == 303
        assert response.headers["location"] == f"/m/{live.code}/report"
        token = event_row(renv)["report_token"]
        assert isinstance(token, str) and len(token) >= 24
        assert f"/r/{token}" in live.client.get(f"/m/{live.code}/report", headers=ENGLISH).text

        with cookies_of(live.client, None):
            shared = live.client.get(f"/r/{token}", headers=ENGLISH)
            assert shared.status_code == 200
            assert "First statement" in shared.text and "Zichtbare opmerking" in shared.text
            assert "Verborgen opmerking" not in shared.text
            assert "A (3)" not in shared.text  # the room's rules: no role is big enough
            assert "/report/share" not in shared.text and "Share this report" not in shared.text
            assert token not in shared.text
            assert live.client.get("/r/not-a-token").status_code == 404
            assert live.client.get("/r/" + "x" * 200).status_code == 404

        response = share(live, "0")
        assert response.status_code == 303
        assert event_row(renv)["report_token"] is None
        with cookies_of(live.client, None):
            assert live.client.get(f"/r/{token}").status_code == 404
        # A new link is a new token.
        live.client.post(f"/m/{live.code}/report/share", data={"shared": "1"})
        assert event_row(renv)["report_token"] not in (None, token)
    with running(renv, open_vote=False) as live, cookies_of(live.client, None):  # survives a restart
        assert live.client.get(f"/r/{event_row(renv)['report_token']}").status_code == 200
        assert live.client.get(f"/r/{token}").status_code == 404


def share(live: Live, shared: str) -> Any:
    return live.client.post(f"/m/{live.code}/report/share", data={"shared": shared}, follow_redirects=False)


def event_row(env: Env) -> dict[str, Any]:
    store = Store(env.db)
    try:
        row = store.conn.execute("SELECT * FROM events WHERE id = ?", (env.event.id,)).fetchone()
        return dict(row)
    finally:
        store.close()


# -- exports ----------------------------------------------------------------------------------


def export_scenario(live: Live) -> None:
    """Statement 1: the PLAN in round 1, then a round 2 where the first A voter changes to
    disagree; comments as in report_scenario."""
    phones = vote_the_plan(live)
    ws = live.phone(phones[0])
    shown = comment(live, ws, "=Zichtbaar")
    hidden = comment(live, ws, "Verborgen")
    live.moderate({"type": "comment.status", "comment": shown, "status": "published"})
    live.moderate({"type": "comment.status", "comment": hidden, "status": "hidden"})
    live.moderate({"type": "round", "statement": live.statement})
    vote(live.phone(phones[0]), live.statement, "disagree")
    receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 1)


def test_the_json_export_has_roles_rounds_shift_and_votes(renv: Env) -> None:
    with running(renv) as live:
        export_scenario(live)
        data = live.client.get(f"/m/{live.code}/export.json").json()
    assert data["event"]["roles"] == ROLES
    assert data["event"]["role_minimum"] == 3
    assert data["event"]["participants"] == 10
    one, two, three = data["statements"]
    assert (one["rounds"], two["rounds"], three["rounds"]) == (2, 1, 1)
    assert one["results"] == summarize_choices(LIKERT, {str(i): o for i, (_, o) in enumerate(PLAN)})
    assert one["results_round2"] == summarize_choices(LIKERT, {"x": "disagree"})
    assert one["shift"] == {
        "paired": 1, "changed": 1, "towards_agree": 0, "towards_disagree": 1, "other": 0,
        "mean_first": 1.0, "mean_second": -1.0, "only_first": 6, "only_second": 0,
    }  # fmt: skip
    # The split is of the latest round, small groups included (the export is for the organiser).
    assert one["by_role"] == [
        split_entry("A", ["disagree"], minimum=3, small=True),
        {"role": "B", "voters": 0, "too_few": False, "results": summarize_choices(LIKERT, {})},
        {"role": "C", "voters": 0, "too_few": False, "results": summarize_choices(LIKERT, {})},
    ]
    assert one["role_gap"] is None
    assert "results_round2" not in two and "shift" not in two
    assert two["by_role"][0]["voters"] == 0 and two["votes"] == []
    votes = one["votes"]
    assert len(votes) == 8
    assert [(v["role"], v["round"], v["option"]) for v in votes] == [
        *((role, 1, option) for role, option in PLAN), ("A", 2, "disagree"),
    ]  # fmt: skip
    numbers = [v["participant"] for v in votes]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 1]  # the same pseudonym in both rounds
    assert [(c["text"], c["status"]) for c in one["comments"]] == [
        ("=Zichtbaar", "published"), ("Verborgen", "hidden"),
    ]  # fmt: skip


def test_votes_csv_and_zip_and_the_cli_give_the_same_data(renv: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VOTING_ROLE_MINIMUM", "VOTING_DB"):
        monkeypatch.delenv(name, raising=False)
    with running(renv) as live:
        export_scenario(live)
        votes_csv = live.client.get(f"/m/{live.code}/export.votes.csv")
        assert votes_csv.status_code == 200
        assert votes_csv.headers["content-type"] == "text/csv; charset=utf-8"
        disposition = f'attachment; filename="voting-{live.code}-votes.csv"'
        assert votes_csv.headers["content-disposition"] == disposition
        archive = live.client.get(f"/m/{live.code}/export.zip")
        assert archive.status_code == 200
        assert archive.headers["content-type"] == "application/zip"
        assert archive.headers["content-disposition"] == f'attachment; filename="voting-{live.code}.zip"'
        results_csv = live.client.get(f"/m/{live.code}/export.csv").text
        comments_csv = live.client.get(f"/m/{live.code}/export.comments.csv").text
        as_json = live.client.get(f"/m/{live.code}/export.json").json()
        with cookies_of(live.client, None):
            for fmt in ("zip", "votes.csv", "comments.csv", "json", "csv"):
                assert live.client.get(f"/m/{live.code}/export.{fmt}").status_code == 403

    rows = list(csv.reader(io.StringIO(votes_csv.content.decode("utf-8-sig")), delimiter=";"))  # Excel (nl)
    assert rows[0] == ["position", "statement", "participant", "role", "round", "option", "score", "cast_at"]
    assert [row[:7] for row in rows[1:]] == [
        *(["1", "First statement", str(n), role, "1", option, str(LIKERT.score(option))]
          for n, (role, option) in enumerate(PLAN, start=1)),
        ["1", "First statement", "1", "A", "2", "disagree", "-1"],
    ]  # fmt: skip
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", row[7]) for row in rows[1:])

    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        assert sorted(zipped.namelist()) == [
            "comments.csv", "event.json", "results.csv", "results.xlsx", "roles.csv", "votes.csv",
        ]  # fmt: skip
        assert zipped.read("votes.csv").decode() == votes_csv.text
        assert zipped.read("results.csv").decode() == results_csv
        assert zipped.read("comments.csv").decode() == comments_csv
        assert json.loads(zipped.read("event.json")) == as_json
    comment_rows = list(csv.reader(io.StringIO(comments_csv.removeprefix("\ufeff")), delimiter=";"))
    assert [(r[2], r[4]) for r in comment_rows[1:]] == [("'=Zichtbaar", "published"), ("Verborgen", "hidden")]

    runner = CliRunner(env={"VOTING_ROLE_MINIMUM": "3"})  # as the app above (running)
    export = ["event", "export", renv.event.code, "--db", renv.db, "--format"]
    result = runner.invoke(main, [*export, "zip"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == archive.content
    result = runner.invoke(main, [*export, "votes-csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == votes_csv.text  # (result.stdout turns \r\n into \n)
    result = runner.invoke(main, [*export, "json"])
    assert json.loads(result.stdout) == as_json


# -- CLI create -------------------------------------------------------------------------------


def created_roles(db: Path) -> list[list[str]]:
    if not db.exists():
        return []
    store = Store(str(db))
    try:
        return [event.roles for event in store.events()]
    finally:
        store.close()


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_cli_create_with_roles_from_the_option_or_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOTING_DB", raising=False)
    db = tmp_path / "c.db"
    plain = tmp_path / "plain.txt"
    plain.write_text("Een\nTwee\n", encoding="utf-8")
    with_roles = tmp_path / "roles.txt"
    with_roles.write_text("# avond\nroles: Burgemeester, Politie ,Parket\nEen\nTwee\n", encoding="utf-8")

    result = cli("event", "create", "--title", "Optie", "--statements", str(plain), "--roles", "A,B",
                 "--db", str(db))
    assert result.exit_code == 0, result.output
    assert created_roles(db) == [["A", "B"]]

    result = cli("event", "create", "--title", "Bestand", "--statements", str(with_roles), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert created_roles(db)[0] == ["Burgemeester", "Politie", "Parket"]

    result = cli(
        "event", "create", "--title", "Beide", "--statements", str(with_roles), "--roles", "X, Y",
        "--db", str(db),
    )
    assert result.exit_code == 0, result.output
    assert created_roles(db)[0] == ["X", "Y"]  # the option wins

    result = cli("event", "create", "--title", "Geen", "--statements", str(plain), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert created_roles(db)[0] == []
    store = Store(str(db))
    statements = [s.text for s in store.statements(store.events()[1].id)]
    store.close()
    assert statements == ["Een", "Twee"]  # the roles line is not a statement


@pytest.mark.parametrize(
    ("option", "file_line", "message"),
    [
        ("A,A", "", "Each role can be listed only once."),
        (",".join(f"R{i}" for i in range(9)), "", "An event can have at most 8 roles."),
        (None, "roles: A, B, A\n", "Each role can be listed only once."),
    ],
)
def test_cli_create_refuses_bad_roles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str | None, file_line: str, message: str
) -> None:
    monkeypatch.delenv("VOTING_DB", raising=False)
    db = tmp_path / "c.db"
    path = tmp_path / "s.txt"
    path.write_text(file_line + "Een\n", encoding="utf-8")
    args = ["event", "create", "--title", "T", "--statements", str(path), "--db", str(db)]
    if option is not None:
        args += ["--roles", option]
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert created_roles(db) == []


# -- deleting an event ------------------------------------------------------------------------


def rows_of(env: Env) -> dict[str, int]:
    store = Store(env.db)
    try:
        q = store.conn.execute
        sid = "(SELECT id FROM statements WHERE event_id = ?)"
        one = (env.event.id,)
        return {
            "events": q("SELECT count(*) FROM events WHERE id = ?", one).fetchone()[0],
            "statements": q("SELECT count(*) FROM statements WHERE event_id = ?", one).fetchone()[0],
            "participants": q("SELECT count(*) FROM participants WHERE event_id = ?", one).fetchone()[0],
            "votes": q(f"SELECT count(*) FROM votes WHERE statement_id IN {sid}", one).fetchone()[0],
            "comments": q(f"SELECT count(*) FROM comments WHERE statement_id IN {sid}", one).fetchone()[0],
            "all_votes": q("SELECT count(*) FROM votes").fetchone()[0],
            "all_comments": q("SELECT count(*) FROM comments").fetchone()[0],
            "all_supports": q("SELECT count(*) FROM supports").fetchone()[0],
            "all_participants": q("SELECT count(*) FROM participants").fetchone()[0],
        }
    finally:
        store.close()


def log_in(client: TestClient) -> None:
    response = client.post(
        "/admin/login", data={"password": ADMIN_PASSWORD}, headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_deleting_an_event_removes_it_with_all_its_data(renv: Env) -> None:
    other = make_event(renv.db, [], title="Blijft")
    with running(renv) as live:
        phones = vote_the_plan(live)
        ws = live.phone(phones[0])
        c = comment(live, ws, "Weg ermee")
        live.moderate({"type": "comment.status", "comment": c, "status": "published"})
        support = ask(live.phone(phones[1]), {"type": "support", "comment": c, "on": True})
        assert support["type"] == "support.ack"
        live.moderate({"type": "round", "statement": live.statement})
        vote(ws, live.statement, "neutral")
        live.client.post(f"/m/{live.code}/report/share", data={"shared": "1"})
        token = event_row(renv)["report_token"]
        with cookies_of(live.client, None):
            join(live.client, other.event.code)
            assert live.client.get(f"/r/{token}").status_code == 200
        kept_before = rows_of(other)

        before = rows_of(renv)
        assert before["votes"] == 8 and before["comments"] == 1 and before["participants"] == 10
        path = f"/admin/events/{live.code}/delete"
        # Not logged in (only a moderator of the event): nothing happens.
        assert live.client.post(path, data={"confirm": live.code}, follow_redirects=False).status_code == 303
        assert rows_of(renv) == before
        log_in(live.client)
        refused = live.client.post(
            path, data={"confirm": live.code}, headers=CROSS_SITE, follow_redirects=False
        )
        assert refused.headers["location"] == "/admin"
        assert rows_of(renv) == before
        for wrong in ("", "123456", live.code[:5], other.event.code):
            response = live.client.post(path, data={"confirm": wrong}, follow_redirects=False)
            assert response.headers["location"] == "/admin?deleted=no"
            assert rows_of(renv) == before
        assert live.client.get(f"/j/{live.code}").status_code == 200

        response = live.client.post(path, data={"confirm": live.code}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin?deleted={live.code}"
        after = rows_of(renv)
        assert {k: v for k, v in after.items() if not k.startswith("all_")} == {
            "events": 0, "statements": 0, "participants": 0, "votes": 0, "comments": 0,
        }  # fmt: skip
        assert after["all_votes"] == after["all_comments"] == after["all_supports"] == 0
        assert after["all_participants"] == 1  # the other event's participant
        assert rows_of(other) == {**kept_before, **{k: after[k] for k in after if k.startswith("all_")}}

        # The room is gone too: every page and socket of the code is unknown now.
        assert live.client.get(f"/j/{live.code}").status_code == 404
        assert live.client.get(f"/p/{live.code}").status_code == 404
        assert live.client.get(f"/m/{live.code}").status_code == 404
        assert live.client.get(f"/m/{live.code}/export.json").status_code == 404
        with cookies_of(live.client, None):
            assert live.client.get(f"/r/{token}").status_code == 404
        with connect(live.client, live.code, "projector") as gone:
            assert gone.receive_json()["code"] == "unknown_event"
            with pytest.raises(WebSocketDisconnect):
                gone.receive_json()
        page = live.client.get(f"/admin?deleted={live.code}", headers=ENGLISH).text
        assert f"Event {live.code} and all its data are deleted." in page
        assert f'href="/m/{live.code}"' not in page and f'href="/m/{other.event.code}"' in page
        # The other event is untouched.
        assert live.client.get(f"/j/{other.event.code}").status_code == 200


def test_a_screen_still_connected_to_a_deleted_event_gets_an_error_not_a_crash(renv: Env) -> None:
    with running(renv) as live:
        headers = live.new_phone()
        ws = live.phone(headers)
        log_in(live.client)
        response = live.client.post(
            f"/admin/events/{live.code}/delete", data={"confirm": live.code}, follow_redirects=False
        )
        assert response.headers["location"] == f"/admin?deleted={live.code}"
        # The next message of a screen still connected finds the event gone: an error, then
        # the socket closes with 4404 (the pages do not reconnect after it).
        for screen, message in ((ws, {"type": "vote", "statement": live.statement, "option": "agree"}),
                                (live.moderator, {"type": "next"})):
            screen.send_json(message)
            assert receive_until(screen, "error", limit=200)["code"] == "unknown_event"
            with pytest.raises(WebSocketDisconnect) as closed:
                receive_until(screen, "never", limit=200)
            assert closed.value.code == 4404
    assert rows_of(renv)["all_votes"] == 0


# -- edges ------------------------------------------------------------------------------------


def test_the_scale_cannot_change_under_round_two_votes(renv: Env) -> None:
    with running(renv) as live:
        live.moderate({"type": "round", "statement": live.statement})  # no round-1 votes
        vote(live.phone(), live.statement, "agree")
        edit = {"type": "statement.edit", "statement": live.statement, "text": "Nieuw", "scale": "yesno"}
        reply = ask(live.moderator, edit)
        assert (reply["type"], reply["code"]) == ("error", "has_votes")
        tally = act(live, {"type": "reset", "statement": live.statement}, lambda t: t["voters"] == 0)
        assert tally["round"] == 2
        live.moderate(edit)  # without votes the scale may change, in both rounds
        vote(live.phone(), live.statement, "yes")
        tally = receive_where(live.moderator, "tally", lambda t: t["voters"] == 1)
        assert tally["results"]["counts"] == {"no": 0, "yes": 1}
        assert tally["first"]["counts"] == {"no": 0, "yes": 0}


def test_the_report_counts_voters_of_both_rounds(renv: Env) -> None:
    with running(renv) as live:
        round_two(live)  # p1..p4 vote in round 1, p5 only in round 2
        receive_where(live.moderator, "tally", lambda t: t["round"] == 2 and t["voters"] == 4)
        html = live.client.get(f"/m/{live.code}/report", headers=ENGLISH).text
        assert "5 participants joined and 5 of them voted" in html
        live.moderate({"type": "statement.delete", "statement": live.statement})  # with both rounds
        html = live.client.get(f"/m/{live.code}/report", headers=ENGLISH).text
        assert "5 participants joined and 0 of them voted" in html
        assert "First statement" not in html


def test_role_names_are_escaped_on_every_page(db: str) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    env = make_event(db, [hostile, "B"])
    with running(env) as live:
        phones = [live.new_phone() for _ in range(3)]
        for headers in phones:
            ws = live.phone(headers)
            assert choose(ws, hostile) == {"type": "role.ack", "role": hostile}
            vote(ws, live.statement, "agree")
        receive_where(live.moderator, "tally", lambda t: t["voters"] == 3)
        with cookies_of(live.client, phones[0]):
            pages = [live.client.get(f"/j/{live.code}").text]
        report = live.client.get(f"/m/{live.code}/report?exact=1").text  # the role split, exact
        pages += [report, live.client.get(f"/m/{live.code}").text]
        pages.append(live.client.get(f"/p/{live.code}").text)
        for html in pages:
            assert "<img src=x" not in html
        assert "&lt;img src=x onerror=" in pages[1]


def admin_create(client: TestClient, **form: str) -> Any:
    return client.post("/admin/events", data=form, follow_redirects=False)


def test_the_admin_creates_events_with_roles(env: Env, app_client: TestClient) -> None:
    log_in(app_client)
    response = admin_create(
        app_client, title="Met rollen", statements="Een\nTwee", roles="Burgemeester, Politie"
    )
    assert response.status_code == 303
    pasted = admin_create(app_client, title="Geplakt", statements="roles: X, Y\nEen", roles=" ")
    assert pasted.status_code == 303
    both = admin_create(app_client, title="Beide", statements="roles: X, Y\nEen", roles="P,Q")
    assert both.status_code == 303
    refused = admin_create(app_client, title="Fout", statements="Een", roles="A, B, A")
    assert refused.status_code == 400
    assert catalogue("nl")["Each role can be listed only once."] in refused.text  # the page's language
    store = Store(env.db)
    found = {e.title: e.roles for e in store.events()}
    store.close()
    assert found == {
        "Veiligheid": [], "Met rollen": ["Burgemeester", "Politie"],
        "Geplakt": ["X", "Y"], "Beide": ["P", "Q"],
    }  # fmt: skip
