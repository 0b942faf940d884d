"""Issue 10, the server side of the live evening: new state and tally fields, fresh ballots,
presenter projectors, the one next step, the end screen, the countdown, undo, edits."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_sockets import connect, open_first, receive_until, statement_ids
from voting import store as sql
from voting.models import LiveState
from voting.store import Store

SEEN: dict[int, list[dict[str, Any]]] = {}  # per socket: what came before the last reply


def send(ws: Any, ref: int, kind: str, **fields: Any) -> dict[str, Any]:
    """Send a message and return its reply (`ok`, `ack` or `error`); what arrived before
    it is kept for `seen`."""
    ws.send_json({"type": kind, "id": ref, **fields})
    before = SEEN[id(ws)] = []
    for _ in range(30):
        message: dict[str, Any] = ws.receive_json()
        if message.get("ref") == ref:
            return message
        before.append(message)
    raise AssertionError(f"no reply to {kind}")


def seen(ws: Any, kind: str) -> dict[str, Any]:
    """The last message of a kind that arrived before the last reply on this socket."""
    return [m for m in SEEN[id(ws)] if m["type"] == kind][-1]


# -- (1) state and tally fields, fresh ballots, joined, presenter ------------------------------


def test_the_state_carries_the_new_fields(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with (
            connect(client, env.event.code, "moderator") as mws,
            connect(client, env.event.code, "participant", phone) as ws,
        ):
            state = receive_until(mws, "state")
            assert isinstance(state["server_time"], float)
            assert state["blank"] is False and state["ended"] is False and state["auto_open"] is False
            assert state["countdown"] is None and state["end"] is None and state["presenter"] is True
            entry = state["statements"][0]
            assert entry["ballot"] == 0 and entry["edited"] is False and entry["comments"] == 0
            assert entry["stale"] == [] and entry["missing"] == ["fr", "en"]
            phone_state = receive_until(ws, "state")
            assert "presenter" not in phone_state and "auto_open" not in phone_state
            open_first(mws, env)
            current = receive_until(ws, "state", voting=True)["statement"]
            assert current["ballot"] == 0 and current["round"] == 1 and current["edited"] is False


def test_a_reset_gives_every_phone_a_fresh_ballot(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with (
            connect(client, env.event.code, "moderator") as mws,
            connect(client, env.event.code, "participant", phone) as ws,
        ):
            first = open_first(mws, env)
            assert send(ws, 1, "vote", statement=first, option="agree")["type"] == "ack"
            assert send(mws, 3, "reset", statement=first)["type"] == "ok"
            state = receive_until(ws, "state", voting=True)
            while state["statement"]["ballot"] == 0:
                state = receive_until(ws, "state")
            assert state["statement"]["ballot"] == 1
            entry = seen(mws, "state")["statements"][0]
            assert entry["ballot"] == 1 and entry["voters"] == 0
        with connect(client, env.event.code, "participant", phone) as ws:  # a reload sees it too
            assert receive_until(ws, "welcome")["votes"] == {}
            assert receive_until(ws, "state")["statement"]["ballot"] == 1


def test_joined_counts_every_participant_of_the_event_not_open_sockets(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phones = [new_phone(client, env.event.code) for _ in range(3)]
        with (
            connect(client, env.event.code, "projector") as pws,
            connect(client, env.event.code, "participant", phones[0]) as ws,
        ):
            receive_until(ws, "state")
            tally = receive_until(pws, "tally", connected=1)
            assert tally["joined"] == 3


def test_a_projector_opened_by_the_moderator_is_a_presenter(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "projector") as pws:
            assert receive_until(pws, "state")["presenter"] is True
            assert send(pws, 1, "next")["type"] == "ok"
            assert seen(pws, "state")["index"] == 0
            assert send(pws, 2, "settings", blank=True)["type"] == "ok"
            state = seen(pws, "state")
            assert state["blank"] is True and state["presenter"] is True  # broadcasts say so too
            for ref, kind, fields in [
                (3, "settings", {"blank": False, "by_role": True}),
                (4, "voting", {"open": True}),
                (5, "goto", {"statement": None}),
                (6, "reset", {"statement": statement_ids(env)[0]}),
            ]:
                assert send(pws, ref, kind, **fields)["code"] == "forbidden"
            assert send(pws, 7, "prev")["code"] == "no_more"  # allowed, but nothing before


def test_a_plain_projector_may_not_drive(env: Env, app_client: TestClient) -> None:
    with connect(app_client, env.event.code, "projector") as pws:
        assert receive_until(pws, "state")["presenter"] is False
        for ref, kind in enumerate(["next", "prev", "advance", "back", "settings"]):
            fields = {"blank": True} if kind == "settings" else {}
            assert send(pws, ref, kind, **fields)["code"] == "forbidden"
        pws.send_json({"type": "ping"})
        assert receive_until(pws, "pong")


# -- (2) advance, back, prev on the welcome screen, blank, auto_open, the end screen ------------


def test_advance_walks_the_whole_evening_in_order_and_ends_at_the_end_screen(env: Env) -> None:
    ids = statement_ids(env)
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with (
            connect(client, env.event.code, "moderator") as mws,
            connect(client, env.event.code, "participant", phone) as ws,
        ):
            assert receive_until(mws, "state")["can_advance"] == "show"
            walked = []
            for ref in range(100, 120):
                reply = send(mws, ref, "advance")
                if reply["type"] == "error":
                    assert reply["code"] == "no_more"
                    break
                state = seen(mws, "state")
                walked.append((reply["did"], state["index"], state["voting"], state["results_projector"]))
                if reply["did"] == "open" and state["index"] == 0:  # one phone votes on the first
                    assert send(ws, 1, "vote", statement=ids[0], option="agree")["type"] == "ack"
                if walked[1:]:  # what the console's button said is what it did
                    assert walked[-2][-1] == reply["did"]
                walked[-1] += (state["can_advance"],)
            assert [step[:4] for step in walked] == [
                ("show", 0, False, False),
                ("open", 0, True, False),
                ("close_and_show", 0, False, True),
                ("next", 1, False, False),
                ("open", 1, True, False),
                ("close_and_show", 1, False, True),
                ("next", 2, False, False),
                ("open", 2, True, False),
                ("close_and_show", 2, False, True),
                ("end", 2, False, True),
            ]
            assert state["ended"] is True and state["can_advance"] is None
            assert state["end"] == {"participants": 1, "report": None}
            phone_state = receive_until(ws, "state", ended=True)
            assert phone_state["end"] == {"participants": 1, "report": None}
            # Back from the end screen: the last statement again.
            assert send(mws, 200, "back")["type"] == "ok"
            state = seen(mws, "state")
            assert state["ended"] is False and state["index"] == 2 and state["end"] is None


def test_back_and_prev_on_the_welcome_screen_say_no_more(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            for ref, kind in enumerate(["prev", "back"]):
                assert send(mws, ref, kind)["code"] == "no_more"
            assert send(mws, 5, "next")["type"] == "ok"
            assert send(mws, 6, "next")["type"] == "ok"
            assert send(mws, 7, "back")["type"] == "ok"
            assert seen(mws, "state")["index"] == 0
            assert send(mws, 8, "back")["code"] == "no_more"  # never jumps to the last


def test_auto_open_opens_voting_as_soon_as_a_statement_is_shown(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            assert send(mws, 1, "settings", auto_open=True)["type"] == "ok"
            assert seen(mws, "state")["auto_open"] is True
            assert send(mws, 2, "advance") == {"type": "ok", "did": "show", "ref": 2}
            state = seen(mws, "state")
            assert state["index"] == 0 and state["voting"] is True
            assert state["can_advance"] == "close_and_show"


def test_blank_and_the_end_screen_reach_every_screen_and_bad_values_change_nothing(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with (
            connect(client, env.event.code, "moderator") as mws,
            connect(client, env.event.code, "participant", phone) as ws,
        ):
            open_first(mws, env)
            for ref, kind, fields in [
                (1, "settings", {"blank": "yes"}),
                (2, "settings", {"auto_open": 1}),
                (3, "end", {"on": "true"}),
                (4, "end", {}),
            ]:
                assert send(mws, ref, kind, **fields)["code"] == "invalid_value"
            assert send(mws, 5, "settings", blank=True)["type"] == "ok"
            state = seen(mws, "state")
            assert state["blank"] is True and state["voting"] is True and state["ended"] is False
            assert send(mws, 6, "end", on=True)["type"] == "ok"
            state = receive_until(ws, "state", ended=True)
            assert state["voting"] is False and state["blank"] is True
            assert send(mws, 7, "advance")["code"] == "no_more"
            assert send(mws, 8, "end", on=False)["type"] == "ok"
            assert receive_until(ws, "state", ended=False)["index"] == 0


# -- (3) the countdown -----------------------------------------------------------------------


def test_a_countdown_closes_voting_on_the_server_and_a_reload_sees_the_same_deadline(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with connect(client, env.event.code, "moderator") as mws:
            first = statement_ids(env)[0]
            assert send(mws, 1, "goto", statement=first)["type"] == "ok"
            before = time.time()
            assert send(mws, 2, "countdown", seconds=5)["type"] == "ok"  # opens voting too
            state = seen(mws, "state")
            assert state["voting"] is True and state["countdown"]["seconds"] == 5
            ends_at = state["countdown"]["ends_at"]
            assert before + 5 - 0.001 <= ends_at <= time.time() + 5  # rounded to the millisecond
            with connect(client, env.event.code, "participant", phone) as ws:
                assert receive_until(ws, "state")["countdown"] == {"ends_at": ends_at, "seconds": 5}
                assert send(ws, 3, "vote", statement=first, option="agree")["type"] == "ack"
            with connect(client, env.event.code, "participant", phone) as ws:  # a reloaded phone
                assert receive_until(ws, "state")["countdown"] == {"ends_at": ends_at, "seconds": 5}
                closed = receive_until(ws, "state", voting=False, limit=50)
                assert time.time() >= ends_at - 0.05 and closed["countdown"] is None
                assert send(ws, 4, "vote", statement=first, option="agree")["code"] == "voting_closed"
    store = Store(env.db)
    try:
        event = store.event_by_code(env.event.code)
        assert event is not None and event.state.voting_open is False
        assert event.state.countdown_ends_at is None
    finally:
        store.close()


def test_a_restart_closes_voting_whose_countdown_ran_out_meanwhile(env: Env) -> None:
    store = Store(env.db)
    first = statement_ids(env)[0]
    state = LiveState(
        statement_id=first, voting_open=True, countdown_ends_at=time.time() - 3, countdown_seconds=30
    )
    store.write(sql.save_state, env.event.id, state)
    store.close()
    with env.client() as client, connect(client, env.event.code, "projector") as pws:
        state_now = receive_until(pws, "state")
        assert state_now["voting"] is False and state_now["countdown"] is None
    store = Store(env.db)
    try:
        event = store.event_by_code(env.event.code)
        assert event is not None and event.state.voting_open is False
    finally:
        store.close()


def test_a_restart_keeps_a_running_countdown(env: Env) -> None:
    store = Store(env.db)
    ends_at = round(time.time() + 600, 3)
    state = LiveState(
        statement_id=statement_ids(env)[0], voting_open=True, countdown_ends_at=ends_at, countdown_seconds=900
    )
    store.write(sql.save_state, env.event.id, state)
    store.close()
    with env.client() as client, connect(client, env.event.code, "projector") as pws:
        state_now = receive_until(pws, "state")
        assert state_now["voting"] is True
        assert state_now["countdown"] == {"ends_at": ends_at, "seconds": 900}


def test_bad_countdowns_are_refused_and_change_nothing(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws:
            assert send(mws, 1, "countdown", seconds=30)["code"] == "no_statement"  # welcome screen
            assert send(mws, 2, "goto", statement=statement_ids(env)[0])["type"] == "ok"
            for ref, seconds in enumerate([-5, 36_000, "abc", True, 4, 3601, 30.5, [30]], start=10):
                reply = send(mws, ref, "countdown", seconds=seconds)
                assert reply["code"] == "invalid_value", seconds
                assert "5 s" in reply["message"] and "60 min" in reply["message"]  # in Dutch here
                assert not any(m["type"] == "state" for m in SEEN[id(mws)])  # nothing changed
            assert send(mws, 30, "countdown")["code"] == "invalid_value"
            assert send(mws, 31, "countdown", seconds=60)["type"] == "ok"
            assert seen(mws, "state")["countdown"]["seconds"] == 60
            assert send(mws, 32, "countdown", seconds=None)["type"] == "ok"  # stopped; voting stays open
            state = seen(mws, "state")
            assert state["countdown"] is None and state["voting"] is True
            assert send(mws, 33, "countdown", seconds=60)["type"] == "ok"
            assert send(mws, 34, "next")["type"] == "ok"  # another statement stops it
            assert seen(mws, "state")["countdown"] is None


# -- (5) editing a statement that has votes ------------------------------------------------------


def test_new_text_on_a_statement_with_votes_needs_confirmation_and_flags_its_translations(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phones = [new_phone(client, env.event.code) for _ in range(2)]
        with connect(client, env.event.code, "moderator") as mws:
            first = open_first(mws, env)
            translations = {"fr": "Première", "en": "First"}
            edit = {"statement": first, "text": "First statement", "translations": translations}
            assert send(mws, 3, "statement.edit", **edit)["type"] == "ok"  # no votes yet: no question
            for phone in phones:
                with connect(client, env.event.code, "participant", phone) as ws:
                    assert send(ws, 1, "vote", statement=first, option="agree")["type"] == "ack"
            store = Store(env.db)
            edit = {**edit, "text": "First statement, reworded"}
            refused = send(mws, 4, "statement.edit", **edit)
            assert refused["code"] == "confirm_edit" and "2" in refused["message"]
            assert store.statements(env.event.id)[0].text == "First statement"  # nothing changed
            assert send(mws, 5, "statement.edit", **edit, confirm="yes")["code"] == "confirm_edit"
            changed = {**edit, "translations": {"fr": "Première, reformulée", "en": "First"}}
            assert send(mws, 6, "statement.edit", **changed, confirm=True)["type"] == "ok"
            entry = seen(mws, "state")["statements"][0]
            assert entry["edited"] is True and entry["stale"] == ["en"]  # fr came with the edit
            assert entry["text"] == "First statement, reworded" and entry["voters"] == 2
            stored = store.statements(env.event.id)[0]
            assert stored.edited is True and stored.stale == ["en"]
            fixed = {**changed, "translations": {"fr": "Première, reformulée", "en": "First, reworded"}}
            assert send(mws, 7, "statement.edit", **fixed)["type"] == "ok"  # same text: no question
            entry = seen(mws, "state")["statements"][0]
            assert entry["edited"] is True and entry["stale"] == []
            assert store.statements(env.event.id)[0].stale == []
            scale = send(mws, 8, "statement.edit", **fixed, scale="yesno", confirm=True)
            assert scale["code"] == "has_votes"  # a scale change with votes stays refused
            store.close()
