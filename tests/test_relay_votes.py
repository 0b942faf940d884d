"""Another process's votes reach this one by reading only the new votes (`votes.version`
above the version last seen); any other change (a reset here) is still read whole.

Two app instances on one database with a bus between them (SQLite's, or the PostgreSQL
store's own), each with its own relay, as two workers run.
"""

from __future__ import annotations

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


def test_a_vote_on_another_process_is_read_alone_and_a_reset_whole(env: Env, tmp_path: Path) -> None:
    first = statement_ids(env)[0]
    with two_workers(env, tmp_path) as (a, b, console, stack):
        relay: Relay = b.app_state["relay"]
        phone = stack.enter_context(connect(a, env.event.code, "participant", new_phone(a, env.event.code)))
        receive_until(phone, "state")
        assert act(console, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(console, {"type": "voting", "open": True}, 2)["type"] == "ok"
        wait_for(lambda: room_of(b, env).state.voting_open)  # read whole: B has seen the join too
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
    while the read runs) is completed by reading the votes stored since, not by reading
    the whole event again: during a burst every whole read is overtaken."""
    import threading

    first = statement_ids(env)[0]
    with two_workers(env, tmp_path) as (a, b, console, stack):
        relay: Relay = b.app_state["relay"]
        phone = stack.enter_context(connect(b, env.event.code, "participant", new_phone(b, env.event.code)))
        receive_until(phone, "state")
        read, reads, entered, release = relay._read, [], threading.Event(), threading.Event()

        def held_read(code: str, seen: int | None) -> Any:
            fresh, version = read(code, seen)
            reads.append("whole" if isinstance(fresh, Room) else "votes")
            if isinstance(fresh, Room) and not entered.is_set():
                del reads[:-1]  # from this one on
                entered.set()
                assert release.wait(10)
            return fresh, version

        assert act(console, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(console, {"type": "voting", "open": True}, 2)["type"] == "ok"
        wait_for(lambda: room_of(b, env).state.voting_open)
        relay._read = held_read  # type: ignore[method-assign]
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
