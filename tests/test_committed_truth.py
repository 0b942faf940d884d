"""Two processes on one database decide on the committed state, not on their memory.

Two app instances share one SQLite file, each with its own `Voting` and rooms in memory,
as two workers would. Each instance loads the event before the other one changes it, so
its memory is behind the database: a vote, a comment and a moderator action must still be
decided by what is committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_sockets import connect, receive_until, statement_ids
from voting.services import Voting
from voting.store import Store

pytestmark = pytest.mark.both_databases  # the WebSocket contract on SQLite and PostgreSQL (conftest)

Message = dict[str, Any]


@dataclass
class Two:
    """Two instances of the app on one database, a moderator console on each."""

    env: Env
    a: TestClient
    b: TestClient
    mod_a: Any
    mod_b: Any
    stack: ExitStack

    def phone(self, client: TestClient, headers: dict[str, str] | None = None) -> Any:
        """A phone connected to `client` (a new participant, joined there, unless `headers`)."""
        headers = headers or new_phone(client, self.env.event.code)
        ws = self.stack.enter_context(connect(client, self.env.event.code, "participant", headers))
        receive_until(ws, "state")
        return ws


@contextmanager
def two_instances(env: Env) -> Iterator[Two]:
    with env.client() as a, env.client() as b, ExitStack() as stack:
        consoles = []
        for client in (a, b):  # each loads the event into its own memory now
            moderate(client, env.event)
            ws = stack.enter_context(connect(client, env.event.code, "moderator"))
            receive_until(ws, "state")
            consoles.append(ws)
        yield Two(env, a, b, consoles[0], consoles[1], stack)


def act(ws: Any, message: Message, ref: int) -> Message:
    ws.send_json({**message, "id": ref})
    return reply(ws, ref)


def reply(ws: Any, ref: int) -> Message:
    for _ in range(100):
        message: Message = ws.receive_json()
        if message.get("ref") == ref:
            return message
    raise AssertionError(f"no reply to {ref}")


def vote(ws: Any, statement: int, option: str, ref: int) -> Message:
    return act(ws, {"type": "vote", "statement": statement, "option": option}, ref)


def events_row(env: Env) -> dict[str, Any]:
    store = Store(env.db)
    try:
        row = store.conn.execute("SELECT * FROM events WHERE id = ?", (env.event.id,)).fetchone()
        return dict(row)
    finally:
        store.close()


def stored_votes(env: Env) -> list[tuple[int, str]]:
    store = Store(env.db)
    try:
        return [(r["statement_id"], r["option"]) for r in store.votes(env.event.id)]
    finally:
        store.close()


def test_a_vote_on_one_process_follows_the_moderator_on_the_other(env: Env) -> None:
    first = statement_ids(env)[0]
    with two_instances(env) as two:
        phone = two.phone(two.b)  # joined through B, whose memory has no statement on screen
        assert act(two.mod_a, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(two.mod_a, {"type": "voting", "open": True}, 2)["type"] == "ok"
        ack = vote(phone, first, "agree", 3)
        assert ack == {"type": "ack", "statement": first, "option": "agree", "ref": 3}
        assert stored_votes(env) == [(first, "agree")]
        assert act(two.mod_a, {"type": "voting", "open": False}, 4)["type"] == "ok"
        refused = vote(phone, first, "disagree", 5)
        assert refused["type"] == "error" and refused["code"] == "voting_closed"
        assert stored_votes(env) == [(first, "agree")]


def test_a_vote_is_refused_when_another_process_closed_voting(env: Env) -> None:
    first = statement_ids(env)[0]
    with two_instances(env) as two:
        phone = two.phone(two.b)
        assert act(two.mod_b, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(two.mod_b, {"type": "voting", "open": True}, 2)["type"] == "ok"
        assert vote(phone, first, "agree", 3)["type"] == "ack"
        # A closes voting; B's memory still says open.
        assert act(two.mod_a, {"type": "voting", "open": False}, 4)["type"] == "ok"
        refused = vote(phone, first, "disagree", 5)
        assert refused["type"] == "error" and refused["code"] == "voting_closed"
        assert stored_votes(env) == [(first, "agree")]
        # An option is checked against the statement's scale as stored.
        assert act(two.mod_a, {"type": "voting", "open": True}, 6)["type"] == "ok"
        refused = vote(phone, first, "yes", 7)
        assert refused["type"] == "error" and refused["code"] == "invalid_option"


def test_moderator_actions_on_two_processes_change_only_their_own_fields(env: Env) -> None:
    first = statement_ids(env)[0]
    with two_instances(env) as two:
        assert act(two.mod_a, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        # At the same moment: A opens voting, B (which never saw the goto) shows results on phones.
        two.mod_a.send_json({"type": "voting", "open": True, "id": 2})
        two.mod_b.send_json({"type": "results", "target": "phones", "shown": True, "id": 3})
        assert reply(two.mod_a, 2)["type"] == "ok"
        assert reply(two.mod_b, 3)["type"] == "ok"
        row = events_row(env)
        assert row["current_statement_id"] == first
        assert row["voting_open"] == 1
        assert row["results_phones"] == 1
        # Sequential, each from memory that is behind: still nothing is lost.
        assert act(two.mod_b, {"type": "settings", "ticker": True}, 4)["type"] == "ok"
        assert act(two.mod_a, {"type": "results", "target": "projector", "shown": True}, 5)["type"] == "ok"
        row = events_row(env)
        assert (row["current_statement_id"], row["voting_open"]) == (first, 1)
        assert (row["results_phones"], row["results_projector"], row["ticker"]) == (1, 1, 1)
        # Moving on sets its fields together: voting closes and results hide, settings stay.
        second = statement_ids(env)[1]
        assert act(two.mod_b, {"type": "goto", "statement": second}, 6)["type"] == "ok"
        row = events_row(env)
        assert row["current_statement_id"] == second
        assert (row["voting_open"], row["results_phones"], row["results_projector"]) == (0, 0, 0)
        assert row["ticker"] == 1


def test_comment_limits_count_a_participant_over_both_processes(env: Env) -> None:
    first = statement_ids(env)[0]
    with two_instances(env) as two:
        # Both processes show the statement (each moderator put it there).
        assert act(two.mod_b, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(two.mod_a, {"type": "goto", "statement": first}, 2)["type"] == "ok"
        headers = new_phone(two.a, env.event.code)
        on_a, on_b = two.phone(two.a, headers), two.phone(two.b, headers)
        replies = []
        for number in range(3):
            for ws in (on_a, on_b):
                message = {"type": "comment", "statement": first, "text": f"punt {number}"}
                answer = act(ws, message, 10 + number)
                replies.append(answer["type"] if answer["type"] != "error" else answer["code"])
        assert replies.count("comment.ack") == 5
        assert replies.count("comments_too_fast") == 1
        store = Store(env.db)
        try:
            assert len(store.comments(env.event.id)) == 5
        finally:
            store.close()


def test_deleting_an_event_lets_go_of_its_lock(env: Env) -> None:
    first = statement_ids(env)[0]
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as ws:
            assert act(ws, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        service: Voting = client.app_state["voting"]
        assert env.event.code in service._locks
        room = service.room(env.event.code)
        assert room is not None

        async def delete() -> None:
            await service.delete_event(room)

        client.portal.call(delete)  # type: ignore[union-attr]
        assert env.event.code not in service._locks
        assert not hasattr(service, "_recent_comments") and not hasattr(service, "_comment_locks")


def test_going_back_to_a_statement_another_process_moved_away_from(env: Env) -> None:
    first, second = statement_ids(env)[:2]
    with two_instances(env) as two:
        assert act(two.mod_b, {"type": "goto", "statement": first}, 1)["type"] == "ok"
        assert act(two.mod_a, {"type": "goto", "statement": second}, 2)["type"] == "ok"
        # B's memory still shows the first statement; the database shows the second.
        assert act(two.mod_b, {"type": "goto", "statement": first}, 3)["type"] == "ok"
        assert events_row(env)["current_statement_id"] == first
