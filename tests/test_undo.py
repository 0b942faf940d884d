"""Undo of a reset and of a deletion: every row comes back exactly, once, within a minute."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_cockpit_server import seen, send
from tests.test_sockets import connect, open_first, receive_until, statement_ids
from voting.services import undo as undo_service

Rows = dict[str, list[dict[str, Any]]]


def rows(env: Env) -> Rows:
    """Every row of the event in every table, as plain dicts in a stable order."""
    conn = sqlite3.connect(env.db)
    conn.row_factory = sqlite3.Row
    statements = "SELECT id FROM statements WHERE event_id = :e"
    comments = f"SELECT id FROM comments WHERE statement_id IN ({statements})"
    queries = {
        "events": "SELECT * FROM events WHERE id = :e",
        "statements": "SELECT * FROM statements WHERE event_id = :e ORDER BY id",
        "votes": f"SELECT * FROM votes WHERE statement_id IN ({statements}) ORDER BY 1, 2, 3",
        "comments": f"SELECT * FROM comments WHERE id IN ({comments}) ORDER BY id",
        "supports": f"SELECT * FROM supports WHERE comment_id IN ({comments}) ORDER BY 1, 2",
        "participants": "SELECT * FROM participants WHERE event_id = :e ORDER BY id",
        "tickets": "SELECT * FROM tickets WHERE event_id = :e ORDER BY code",
    }
    found = {table: [dict(r) for r in conn.execute(q, {"e": env.event.id})] for table, q in queries.items()}
    conn.close()
    return found


def without_ballots(found: Rows) -> Rows:
    """The rows without what an undo rightly changes: ballot numbers, events.version (and
    reread_version)."""
    statements = [{**s, "ballot": None} for s in found["statements"]]
    events = [{**e, "version": None, "reread_version": None} for e in found["events"]]
    return {**found, "statements": statements, "events": events}


def ballots(found: Rows) -> dict[int, int]:
    return {s["id"]: s["ballot"] for s in found["statements"]}


def an_evening(client: TestClient, env: Env, mws: Any) -> tuple[int, list[dict[str, str]]]:
    """The first statement on screen, voting open, two votes, two comments (one published,
    highlighted and supported) and a vote on the second statement's first round."""
    phones = [new_phone(client, env.event.code) for _ in range(2)]
    first = open_first(mws, env)
    with (
        connect(client, env.event.code, "participant", phones[0]) as a,
        connect(client, env.event.code, "participant", phones[1]) as b,
    ):
        assert send(a, 1, "vote", statement=first, option="agree")["type"] == "ack"
        assert send(b, 1, "vote", statement=first, option="disagree")["type"] == "ack"
        shown = send(a, 2, "comment", statement=first, text="Meer licht", name="An")["comment"]
        send(b, 2, "comment", statement=first, text="Nog niet gelezen")
        assert send(mws, 10, "highlight", comment=shown["id"])["type"] == "ok"
        assert send(b, 3, "support", comment=shown["id"], on=True)["type"] == "support.ack"
    assert send(mws, 11, "results", target="projector", shown=True)["type"] == "ok"
    return first, phones


def test_undo_of_a_deletion_puts_back_every_row_exactly(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            first, _ = an_evening(client, env, mws)
            before = rows(env)
            reply = send(mws, 20, "statement.delete", statement=first)
            assert reply["type"] == "ok" and set(reply["undo"]) == {"id", "expires_at"}
            assert reply["undo"]["expires_at"] == pytest.approx(time.time() + 60, abs=5)
            state = seen(mws, "state")
            assert state["undo"] == [
                {"id": reply["undo"]["id"], "action": "delete", "label": "First statement",
                 "expires_at": reply["undo"]["expires_at"]},
            ]  # fmt: skip
            assert state["statement"] is None and len(state["statements"]) == 2
            deleted = rows(env)
            assert deleted["comments"] == [] and deleted["statements"][0]["position"] == 0
            assert send(mws, 21, "undo", undo=reply["undo"]["id"]) == {"type": "ok", "ref": 21}
            state = seen(mws, "state")
            assert state["undo"] == [] and state["statement"]["id"] == first and state["voting"] is True
            assert [s["id"] for s in state["statements"]] == statement_ids(env)
            assert state["highlight"]["text"] == "Meer licht" and state["results_projector"] is True
            tally = seen(mws, "tally")  # sent with the state, before the reply
            assert tally["statement"] == first and tally["voters"] == 2
        after = rows(env)
    assert without_ballots(after) == without_ballots(before)
    assert ballots(after) == {**ballots(before), first: ballots(before)[first] + 1}  # phones refresh


def test_undo_of_a_reset_puts_back_the_votes_and_the_phone_sees_its_vote_again(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            first, phones = an_evening(client, env, mws)
            before = rows(env)
            with connect(client, env.event.code, "participant", phones[0]) as ws:
                assert receive_until(ws, "welcome")["votes"] == {str(first): "agree"}
                reply = send(mws, 20, "reset", statement=first)
                assert seen(mws, "state")["undo"][0]["action"] == "reset"
                assert rows(env)["votes"] == []
                assert send(mws, 21, "undo", undo=reply["undo"]["id"])["type"] == "ok"
                state = receive_until(ws, "state")
                while state["statement"]["ballot"] < 2:  # the reset, then the undo
                    state = receive_until(ws, "state")
                # An open phone gets its vote back with the new ballot.
                assert receive_until(ws, "welcome")["votes"] == {str(first): "agree"}
            assert seen(mws, "tally")["voters"] == 2
            with connect(client, env.event.code, "participant", phones[0]) as ws:  # and after a reload
                assert receive_until(ws, "welcome")["votes"] == {str(first): "agree"}
                assert receive_until(ws, "state")["statement"]["ballot"] == 2
        after = rows(env)
    assert without_ballots(after) == without_ballots(before)
    assert ballots(after)[first] == ballots(before)[first] + 2


ENGLISH = {"accept-language": "en"}


def test_undo_twice_another_events_id_and_bad_values_change_nothing(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator", ENGLISH) as mws:
            first, _ = an_evening(client, env, mws)
            reply = send(mws, 20, "statement.delete", statement=first)
            assert send(mws, 21, "undo", undo=reply["undo"]["id"])["type"] == "ok"
            restored = rows(env)
            again = send(mws, 22, "undo", undo=reply["undo"]["id"])
            assert again["code"] == "unknown_undo" and again["message"] == "This was already undone."
            for ref, value in enumerate(["nope", "", None, 7, ["x"]], start=30):
                error = send(mws, ref, "undo", undo=value)
                assert error["code"] == ("unknown_undo" if value == "nope" else "invalid_value")
            assert rows(env) == restored
    second = Env(env.db, _another_event(env))
    with env.client() as client:
        moderate(client, second.event)
        with connect(client, second.event.code, "moderator") as mws:
            reply = send(mws, 1, "reset", statement=statement_ids(second)[0])
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            error = send(mws, 2, "undo", undo=reply["undo"]["id"])
            assert error["code"] == "unknown_undo"
    assert rows(env) == restored


def _another_event(env: Env) -> Any:
    from voting import store as sql
    from voting.store import Store

    store = Store(env.db)
    event = store.write(sql.insert_event, "Elders", ["Een", "Twee"], "likert5")
    store.close()
    return event


def test_too_late_to_undo_after_a_minute(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator", ENGLISH) as mws:
            first, _ = an_evening(client, env, mws)
            reply = send(mws, 20, "reset", statement=first)
            deleted = rows(env)
            monkeypatch.setattr(undo_service, "clock", lambda: time.time() + 61)
            error = send(mws, 21, "undo", undo=reply["undo"]["id"])
            assert error == {
                "type": "error", "code": "undo_expired", "ref": 21,
                "message": "Too late to undo: it is more than 60 s ago.",
            }  # fmt: skip
            assert rows(env) == deleted


def test_a_comment_written_after_a_deletion_does_not_take_a_restored_id(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            first, phones = an_evening(client, env, mws)
            taken = {c["id"] for c in rows(env)["comments"]}
            reply = send(mws, 20, "statement.delete", statement=first)
            assert send(mws, 21, "statement.add", texts=["Nieuw"])["type"] == "ok"
            assert send(mws, 22, "next")["type"] == "ok"
            assert send(mws, 23, "voting", open=True)["type"] == "ok"
            with connect(client, env.event.code, "participant", phones[0]) as ws:
                current = receive_until(ws, "state", voting=True)["statement"]["id"]
                comment = send(ws, 1, "comment", statement=current, text="Later")["comment"]
            assert comment["id"] not in taken
            assert send(mws, 24, "undo", undo=reply["undo"]["id"])["type"] == "ok"
            state = seen(mws, "state")
            assert state["statement"]["id"] != first  # the moderator moved on: the room stays
            assert [s["text"] for s in state["statements"]][0] == "First statement"
            assert len(rows(env)["comments"]) == 3
            last = max(statement_ids(env))  # the highest id: SQLite would hand it out again
            reply = send(mws, 25, "statement.delete", statement=last)
            assert send(mws, 26, "statement.add", texts=["Nog een"])["type"] == "ok"
            assert last not in statement_ids(env)
            assert send(mws, 27, "undo", undo=reply["undo"]["id"])["type"] == "ok"
            assert last in statement_ids(env) and max(statement_ids(env)) > last
