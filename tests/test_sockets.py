"""WebSocket flows against the real app: fan-out, votes, resync, auth and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import Env, join, moderate, new_phone
from voting.store import Store

pytestmark = pytest.mark.both_databases  # the WebSocket contract on SQLite and PostgreSQL (conftest)


def receive_until(ws: Any, kind: str, limit: int = 20, **match: Any) -> dict[str, Any]:
    """Next message of a type (and matching fields), skipping others; fails after `limit`."""
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message
    raise AssertionError(f"no {kind} message with {match} in {limit} messages")


def connect(client: TestClient, code: str, role: str, headers: dict[str, str] | None = None) -> Any:
    return client.websocket_connect(f"/ws/{code}?role={role}", headers=dict(headers or {}))


def statement_ids(env: Env) -> list[int]:
    store = Store(env.db)
    ids = [s.id for s in store.statements(env.event.id)]
    store.close()
    return ids


def open_first(moderator_ws: Any, env: Env) -> int:
    first = statement_ids(env)[0]
    moderator_ws.send_json({"type": "goto", "statement": first, "id": 1})
    receive_until(moderator_ws, "ok", ref=1)
    moderator_ws.send_json({"type": "voting", "open": True, "id": 2})
    receive_until(moderator_ws, "ok", ref=2)
    return first


def test_connect_sends_welcome_then_full_state(app_client: TestClient, env: Env) -> None:
    join(app_client, env.event.code)
    with connect(app_client, env.event.code, "participant") as ws:
        assert ws.receive_json() == {
            "type": "welcome", "role": "participant", "votes": {}, "vote_rounds": {},
            "my_comments": [], "supported": [],
            "my_role": None, "role_asked": False, "ticket": False, "role_locked": False,
        }
        state = ws.receive_json()
        assert state["type"] == "state"
        assert state["statement"] is None
        assert state["count"] == 3
        assert state["event"] == {"code": env.event.code, "title": "Veiligheid"}
        assert "statements" not in state  # the list is for the moderator only


def test_moderator_actions_reach_every_phone_and_the_projector(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        p2 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with (
            connect(mod, env.event.code, "moderator") as mws,
            connect(mod, env.event.code, "participant", p1) as ws1,
            connect(mod, env.event.code, "participant", p2) as ws2,
            connect(mod, env.event.code, "projector") as pws,
        ):
            for ws in (ws1, ws2, pws):
                receive_until(ws, "state")
            first = open_first(mws, env)
            for ws in (ws1, ws2, pws):
                state = receive_until(ws, "state", voting=True)
                assert state["statement"]["id"] == first
                assert state["statement"]["text"] == "First statement"
                assert state["statement"]["options"][0] == "strongly_disagree"


def test_votes_are_acknowledged_folded_and_published_on_the_tick(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        p2 = new_phone(mod, env.event.code)
        p3 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with (
            connect(mod, env.event.code, "moderator") as mws,
            connect(mod, env.event.code, "projector") as pws,
        ):
            first = open_first(mws, env)
            choices = [(p1, "agree"), (p2, "agree"), (p3, "disagree")]
            for number, (headers, option) in enumerate(choices):
                with connect(mod, env.event.code, "participant", headers) as ws:
                    ws.send_json({"type": "vote", "statement": first, "option": option, "id": number})
                    ack = receive_until(ws, "ack")
                    assert ack == {"type": "ack", "statement": first, "option": option, "ref": number}
            tally = receive_until(pws, "tally", voters=3)
            assert tally["results"] is None  # hidden on the projector until the moderator shows it
            mws.send_json({"type": "results", "target": "projector", "shown": True})
            tally = receive_until(pws, "tally", voters=3)
            assert tally["results"]["counts"]["agree"] == 2
            assert tally["results"]["percent"] == {
                "strongly_disagree": 0.0, "disagree": 33.3, "neutral": 0.0,
                "agree": 66.7, "strongly_agree": 0.0,
            }
            mod_tally = receive_until(mws, "tally", voters=3)
            assert mod_tally["results"]["agreement"] == pytest.approx(33.3)


def test_one_vote_per_participant_latest_counts_and_survives_reconnect(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            first = open_first(mws, env)
            with connect(mod, env.event.code, "participant", p1) as ws:
                for option in ("agree", "strongly_disagree", "neutral"):
                    ws.send_json({"type": "vote", "statement": first, "option": option})
                    receive_until(ws, "ack", option=option)
            # Reconnect (a reload): same identity, the latest vote comes back in the welcome.
            with connect(mod, env.event.code, "participant", p1) as ws:
                assert ws.receive_json()["votes"] == {str(first): "neutral"}
            # Tallies are coalesced on a clock: an earlier one may still show an earlier vote.
            # The latest must arrive, with one voter.
            for _ in range(30):
                mod_tally = receive_until(mws, "tally", voters=1)
                if mod_tally["results"]["counts"]["neutral"] == 1:
                    break
            assert mod_tally["results"]["counts"] == {
                "strongly_disagree": 0, "disagree": 0, "neutral": 1, "agree": 0, "strongly_agree": 0,
            }
    store = Store(env.db)
    rows = store.votes(env.event.id)
    store.close()
    assert [(r["statement_id"], r["option"]) for r in rows] == [(first, "neutral")]


def test_reconnecting_client_gets_current_state_after_missing_changes(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            with connect(mod, env.event.code, "participant", p1) as ws:
                receive_until(ws, "state")
            # While the phone is away the moderator moves on twice.
            mws.send_json({"type": "next", "id": 1})
            receive_until(mws, "ok", ref=1)
            mws.send_json({"type": "next", "id": 2})
            receive_until(mws, "ok", ref=2)
            with connect(mod, env.event.code, "participant", p1) as ws:
                state = receive_until(ws, "state")
                assert state["statement"]["text"] == "Second statement"
                assert state["index"] == 1


def test_moving_on_closes_voting_and_hides_results(env: Env) -> None:
    with env.client() as mod:
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            open_first(mws, env)
            mws.send_json({"type": "results", "target": "phones", "shown": True, "id": 3})
            receive_until(mws, "ok", ref=3)
            mws.send_json({"type": "next", "id": 4})
            state = receive_until(mws, "state", index=1)  # the broadcast comes before the reply
            receive_until(mws, "ok", ref=4)
            assert state["voting"] is False and state["results_phones"] is False


def test_phones_get_results_only_when_revealed(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with (
            connect(mod, env.event.code, "moderator") as mws,
            connect(mod, env.event.code, "participant", p1) as ws,
        ):
            first = open_first(mws, env)
            receive_until(ws, "state", voting=True)
            ws.send_json({"type": "vote", "statement": first, "option": "yes"})
            assert receive_until(ws, "error")["code"] == "invalid_option"
            ws.send_json({"type": "vote", "statement": first, "option": "agree"})
            receive_until(ws, "ack")
            mws.send_json({"type": "results", "target": "phones", "shown": True})
            tally = receive_until(ws, "tally")
            assert tally["results"]["counts"]["agree"] == 1


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_message"),
        ('{"no": "type"}', "invalid_message"),
        ('{"type": "launch_rockets"}', "unknown_type"),
        ('{"type": "next"}', "forbidden"),
        ('{"type": "reset", "statement": 1}', "forbidden"),
        ('{"type": "vote", "statement": 999, "option": "agree"}', "not_current"),
        ("x" * 5000, "too_large"),
    ],
)
def test_bad_input_gets_an_error_and_the_connection_stays_usable(
    app_client: TestClient, env: Env, message: str, code: str
) -> None:
    join(app_client, env.event.code)
    with connect(app_client, env.event.code, "participant") as ws:
        receive_until(ws, "state")
        ws.send_text(message)
        error = receive_until(ws, "error")
        assert error["code"] == code
        assert error["message"]
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong") == {"type": "pong"}
    store = Store(env.db)
    assert store.event_by_code(env.event.code).state.statement_id is None  # type: ignore[union-attr]
    store.close()


def test_vote_while_voting_closed_is_refused_and_not_stored(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            first = statement_ids(env)[0]
            mws.send_json({"type": "goto", "statement": first, "id": 1})
            receive_until(mws, "ok", ref=1)
            with connect(mod, env.event.code, "participant", p1) as ws:
                ws.send_json({"type": "vote", "statement": first, "option": "agree", "id": 7})
                error = receive_until(ws, "error")
                assert error == {
                    "type": "error", "code": "voting_closed",
                    "message": "De stemming over deze stelling is gesloten.", "ref": 7,
                }
    store = Store(env.db)
    assert store.votes(env.event.id) == []
    store.close()


def test_rate_limit_refuses_floods(app_client: TestClient, env: Env) -> None:
    join(app_client, env.event.code)
    with connect(app_client, env.event.code, "participant") as ws:
        receive_until(ws, "state")
        for _ in range(40):
            ws.send_json({"type": "ping"})
        replies = [ws.receive_json()["type"] for _ in range(40)]
        assert "error" in replies
        assert replies.count("pong") <= 25


def test_moderator_socket_needs_the_secret(app_client: TestClient, env: Env) -> None:
    join(app_client, env.event.code)
    with connect(app_client, env.event.code, "moderator") as ws:
        assert ws.receive_json()["code"] == "forbidden"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


def test_unknown_code_and_role_are_refused(app_client: TestClient, env: Env) -> None:
    with connect(app_client, "000000", "projector") as ws:
        assert ws.receive_json()["code"] == "unknown_event"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4404
    with connect(app_client, env.event.code, "admin") as ws:
        assert ws.receive_json()["code"] == "invalid_role"


def test_participant_without_cookie_is_told_to_load_the_page(app_client: TestClient, env: Env) -> None:
    with connect(app_client, env.event.code, "participant") as ws:
        assert ws.receive_json()["code"] == "no_identity"


def test_cross_site_handshake_is_refused(app_client: TestClient, env: Env) -> None:
    moderate(app_client, env.event)
    with pytest.raises(WebSocketDisconnect) as refused:
        with app_client.websocket_connect(
            f"/ws/{env.event.code}?role=moderator", headers={"origin": "https://evil.example"}
        ) as ws:
            ws.receive_json()
    assert refused.value.code == 4403
    with app_client.websocket_connect(
        f"/ws/{env.event.code}?role=moderator", headers={"origin": "http://testserver"}
    ) as ws:
        assert ws.receive_json()["type"] == "welcome"


def test_statement_editing_from_the_console(env: Env) -> None:
    with env.client() as mod:
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            first, second, third = statement_ids(env)
            steps: list[dict[str, Any]] = [
                {"type": "statement.add", "texts": ["Fourth", "  Fifth  "], "scale": "yesno"},
                {"type": "statement.edit", "statement": second, "text": "Second, edited"},
                {"type": "statement.move", "statement": third, "position": 0},
                {"type": "statement.delete", "statement": first},
            ]
            for number, step in enumerate(steps):
                mws.send_json({**step, "id": number})
                receive_until(mws, "ok", ref=number)
            with connect(mod, env.event.code, "moderator") as second_console:
                state = receive_until(second_console, "state")
            listed = [(s["text"], s["scale"]) for s in state["statements"]]
            assert listed == [
                ("Third", "likert5"), ("Second, edited", "likert5"),
                ("Fourth", "yesno"), ("Fifth", "yesno"),
            ]
            for bad, code in [
                ({"type": "statement.add", "texts": ["x" * 281]}, "invalid_text"),
                ({"type": "statement.add", "texts": ["ok"], "scale": "stars"}, "invalid_scale"),
                ({"type": "statement.edit", "statement": second, "text": "   "}, "invalid_text"),
                ({"type": "statement.move", "statement": second, "position": 9}, "invalid_position"),
                ({"type": "statement.delete", "statement": 12345}, "unknown_statement"),
                ({"type": "goto", "statement": "1"}, "unknown_statement"),
                ({"type": "voting", "open": "yes"}, "invalid_value"),
            ]:
                mws.send_json(bad)
                assert receive_until(mws, "error")["code"] == code
    store = Store(env.db)
    assert [s.text for s in store.statements(env.event.id)] == [
        "Third", "Second, edited", "Fourth", "Fifth",
    ]
    store.close()


def test_reset_clears_votes_everywhere(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            first = open_first(mws, env)
            with connect(mod, env.event.code, "participant", p1) as ws:
                ws.send_json({"type": "vote", "statement": first, "option": "agree"})
                receive_until(ws, "ack")
            receive_until(mws, "tally", voters=1)
            mws.send_json({"type": "reset", "statement": first, "id": 9})
            # The new state and tally are queued before the reply to the action itself.
            receive_until(mws, "tally", statement=first, voters=0)
            receive_until(mws, "ok", ref=9)
            with connect(mod, env.event.code, "participant", p1) as ws:
                assert ws.receive_json()["votes"] == {}
    store = Store(env.db)
    assert store.votes(env.event.id) == []
    store.close()


def test_restart_resumes_state_and_tallies(env: Env) -> None:
    with env.client() as mod:
        p1 = new_phone(mod, env.event.code)
        moderate(mod, env.event)
        with connect(mod, env.event.code, "moderator") as mws:
            first = open_first(mws, env)
            mws.send_json({"type": "results", "target": "projector", "shown": True, "id": 5})
            receive_until(mws, "ok", ref=5)
            with connect(mod, env.event.code, "participant", p1) as ws:
                ws.send_json({"type": "vote", "statement": first, "option": "strongly_agree"})
                receive_until(ws, "ack")
    # A new app on the same database: a restarted server.
    with env.client() as fresh:
        with connect(fresh, env.event.code, "projector") as pws:
            state = receive_until(pws, "state")
            assert state["statement"]["id"] == first
            assert state["voting"] is True and state["results_projector"] is True
            tally = receive_until(pws, "tally")
            assert tally["voters"] == 1
            assert tally["results"]["counts"]["strongly_agree"] == 1


def test_frames_are_json_text(app_client: TestClient, env: Env) -> None:
    join(app_client, env.event.code)
    with connect(app_client, env.event.code, "participant") as ws:
        assert json.loads(ws.receive_text())["type"] == "welcome"
