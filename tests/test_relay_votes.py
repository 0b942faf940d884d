"""Another process's votes reach this one by reading only the new votes (`votes.version`
above the version last seen); any other change (a reset here) is still read whole.

Two app instances on one database with a bus between them (SQLite's, or the PostgreSQL
store's own), each with its own relay, as two workers run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_committed_truth import act, vote
from tests.test_sockets import connect, receive_until, statement_ids
from voting import store as sql
from voting.live import Room
from voting.models import Event, Statement
from voting.realtime.relay import Relay, take_votes

pytestmark = pytest.mark.both_databases


@contextmanager
def two_workers(env: Env, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, Any, ExitStack]]:
    """Instances A and B with a bus between them; A's moderator console; B holds the event."""
    bus = {} if env.db.startswith("postgresql") else {"bus": f"sqlite:///{tmp_path / 'bus.db'}"}
    with env.client(**bus) as a, env.client(**bus) as b, ExitStack() as stack:
        moderate(b, env.event)
        receive_until(stack.enter_context(connect(b, env.event.code, "moderator")), "state")
        moderate(a, env.event)
        console = stack.enter_context(connect(a, env.event.code, "moderator"))
        receive_until(console, "state")
        yield a, b, console, stack


def room_of(client: TestClient, env: Env) -> Room:
    room: Room = client.app_state["voting"].rooms[env.event.code]
    return room


def wait_for(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.02)


def phone_on(client: TestClient, env: Env, stack: ExitStack) -> Any:
    """A new phone connected to `client`, past its first state."""
    headers = new_phone(client, env.event.code)
    phone = stack.enter_context(connect(client, env.event.code, "participant", headers))
    receive_until(phone, "state")
    return phone


def open_voting(console: Any, b: TestClient, env: Env, first: int) -> None:
    """The moderator (on A) puts the first statement on screen and opens voting; B has it."""
    assert act(console, {"type": "goto", "statement": first}, 1)["type"] == "ok"
    assert act(console, {"type": "voting", "open": True}, 2)["type"] == "ok"
    wait_for(lambda: room_of(b, env).state.voting_open)


def hold_first_whole_read(relay: Relay) -> tuple[list[str], threading.Event, threading.Event]:
    """From now on the relay's reads are listed ("whole" or "votes", from its first whole
    read on); that first whole read, once taken, waits in its thread until released."""
    read, reads, entered, release = relay._read, [], threading.Event(), threading.Event()

    def held_read(code: str, seen: int | None) -> Any:
        fresh, version = read(code, seen)
        if isinstance(fresh, Room) and not entered.is_set():
            reads.clear()
            entered.set()
            assert release.wait(10)
        if entered.is_set():
            reads.append("whole" if isinstance(fresh, Room) else "votes")
        return fresh, version

    relay._read = held_read  # type: ignore[method-assign]
    return reads, entered, release


def test_a_vote_on_another_process_is_read_alone_and_a_reset_whole(env: Env, tmp_path: Path) -> None:
    first = statement_ids(env)[0]
    with two_workers(env, tmp_path) as (a, b, console, stack):
        relay: Relay = b.app_state["relay"]
        phone = phone_on(a, env, stack)
        open_voting(console, b, env, first)  # read whole: B has seen the join too
        partial, whole = relay.partial, relay.refreshes - relay.partial

        assert vote(phone, first, "agree", 3)["type"] == "ack"
        wait_for(lambda: list(room_of(b, env).tallies[first].choices.values()) == ["agree"])
        assert vote(phone, first, "disagree", 4)["type"] == "ack"  # a changed vote, too
        wait_for(lambda: list(room_of(b, env).tallies[first].choices.values()) == ["disagree"])
        assert room_of(b, env).tallies[first].counts["disagree"] == 1
        assert relay.partial > partial
        assert relay.refreshes - relay.partial == whole  # no whole reread for votes

        assert act(console, {"type": "reset", "statement": first}, 5)["type"] == "ok"
        wait_for(lambda: room_of(b, env).tallies[first].choices == {})
        assert relay.refreshes - relay.partial > whole


def test_votes_on_a_statement_the_room_does_not_hold_ask_for_a_whole_reread() -> None:
    statement = Statement(1, 1, 0, "Een", "likert5")
    room = Room(Event(1, "123456", "Test", "token", "2026-01-01"), [statement])
    assert take_votes(room, [(1, "p1", 1, "agree"), (1, "p2", 1, "agree")]) == {"p1", "p2"}
    assert take_votes(room, [(1, "p1", 1, "agree")]) == set()  # already held
    assert take_votes(room, [(1, "p1", 1, "disagree"), (2, "p2", 1, "agree")]) is None
    assert room.tallies[1].choices == {"p1": "agree", "p2": "agree"}  # nothing half-taken
    assert take_votes(room, [(1, "p3", 2, "agree")]) is None  # a second round it has not seen


def test_votes_cast_here_while_the_event_is_read_whole_are_caught_up_without_reading_it_again(
    env: Env, tmp_path: Path
) -> None:
    """A whole read that a local vote overtakes (its commit lands, and memory holds it,
    while the read runs) keeps that vote as memory holds it and at most reads the votes
    stored since, never the whole event again: during a burst every read is overtaken."""
    first = statement_ids(env)[0]
    with two_workers(env, tmp_path) as (a, b, console, stack):
        relay: Relay = b.app_state["relay"]
        phone = phone_on(b, env, stack)
        open_voting(console, b, env, first)
        reads, entered, release = hold_first_whole_read(relay)
        assert act(console, {"type": "results", "target": "projector", "shown": True}, 3)["type"] == "ok"
        assert entered.wait(10)  # B reads the event whole (held here, its snapshot taken)
        assert vote(phone, first, "agree", 4)["type"] == "ack"  # committed, and in B's memory
        release.set()
        wait_for(lambda: room_of(b, env).state.results_projector and len(reads) >= 2)
        time.sleep(0.3)  # the relay settles
        assert room_of(b, env).tallies[first].choices == {phone_id(b, phone, env): "agree"}
        assert reads[:2] == ["whole", "votes"] and reads.count("whole") == 1


def phone_id(client: TestClient, phone: Any, env: Env) -> str:
    (participant,) = room_of(client, env).tallies[statement_ids(env)[0]].choices
    return str(participant)


def test_the_console_counts_joins_through_every_process_in_its_join_rate(
    env: Env, tmp_path: Path
) -> None:
    with two_workers(env, tmp_path) as (a, b, console, stack):
        for _ in range(3):
            new_phone(b, env.event.code)  # joined through B; A's console shows the rate
        deadline = time.monotonic() + 10
        joins: dict[str, Any] = {}
        while joins.get("last_minute") != 3:
            assert time.monotonic() < deadline, f"the console saw {joins}"
            message = console.receive_json()
            if message.get("type") == "tally":
                joins = message["joins"]
        assert message["joined"] == 3 and joins["warning"] is None


def test_a_change_committed_here_but_not_yet_rung_is_not_undone_by_a_read_it_overtook(
    env: Env, tmp_path: Path
) -> None:
    """A moderator action may commit, change memory and await another write before its
    doorbell rings; a whole read taken before that commit must not put memory back."""
    first = statement_ids(env)[0]
    with two_workers(env, tmp_path) as (a, b, console, stack):
        relay: Relay = b.app_state["relay"]
        phone = phone_on(b, env, stack)
        assert act(console, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        wait_for(lambda: room_of(b, env).state.statement_id == first)
        reply = act(phone, {"type": "comment", "statement": first, "text": "Meer licht"}, 2)
        comment = reply["comment"]["id"]
        _, entered, release = hold_first_whole_read(relay)
        assert act(console, {"type": "results", "target": "projector", "shown": True}, 3)["type"] == "ok"
        assert entered.wait(10)  # B's snapshot is taken: the comment is pending in it

        async def hide_without_ringing() -> None:
            voting = b.app_state["voting"]
            await voting.writer.submit(sql.set_comment_status, comment, "hidden")
            room_of(b, env).comment(comment).status = "hidden"  # memory, as a service does

        b.portal.call(hide_without_ringing)
        relay.poll = 60  # no version poll to correct it later: the refresh itself must be right
        refreshes = relay.refreshes
        release.set()
        wait_for(lambda: relay.refreshes > refreshes and not relay._pending)
        assert room_of(b, env).state.results_projector
        assert room_of(b, env).comment(comment).status == "hidden"
