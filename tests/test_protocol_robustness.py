"""Hostile frames: each gets an `error` (or the documented close), the socket stays usable,
and ids are real integers everywhere (JSON `true` and `1.0` are not statement 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_sockets import connect, open_first, receive_until
from voting.realtime.hub import encode
from voting.store import Store


def receive_frame(ws: Any) -> dict[str, Any]:
    """The next frame, which must be sendable as a WebSocket text frame (UTF-8), as a real
    server has to encode it; the TestClient alone would pass any Python string along."""
    text: str = ws.receive_text()
    text.encode("utf-8")
    frame: dict[str, Any] = json.loads(text)
    return frame


def receive_frame_until(ws: Any, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        frame = receive_frame(ws)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame in {limit}")


def reply_to(ws: Any, message: dict[str, Any], ref: int) -> dict[str, Any]:
    """The reply to a message; a ping after it makes a missing reply fail at once."""
    ws.send_json({**message, "id": ref})
    ws.send_json({"type": "ping", "id": -ref})
    replies = []
    while not replies or replies[-1] != {"type": "pong", "ref": -ref}:
        frame = ws.receive_json()
        if frame.get("ref") in (ref, -ref):
            replies.append(frame)
    assert len(replies) == 2, replies
    return replies[0]


def statements(env: Env) -> list[tuple[int, str, int, int]]:
    store = Store(env.db)
    listed = [(s.id, s.text, s.position, s.round) for s in store.statements(env.event.id)]
    store.close()
    return listed


def votes_on(env: Env, statement: int) -> int:
    store = Store(env.db)
    count = store.conn.execute("SELECT COUNT(*) FROM votes WHERE statement_id = ?", (statement,)).fetchone()
    store.close()
    return int(count[0])


def test_a_lone_surrogate_id_is_refused_and_the_next_vote_is_acknowledged(env: Env) -> None:
    with env.client() as client:
        phone = new_phone(client, env.event.code)
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws, connect(
            client, env.event.code, "participant", phone
        ) as ws:
            first = open_first(mws, env)
            assert first == 1
            ws.send_text('{"type": "ping", "id": "\\ud800"}')
            error = receive_frame_until(ws, "error")
            assert error["code"] == "invalid_json" and "ref" not in error
            ws.send_text('{"type": "ping", "id": "ok \\udfff"}')
            assert receive_frame_until(ws, "error")["code"] == "invalid_json"
            ws.send_json({"type": "vote", "statement": first, "option": "agree", "id": 5})
            ack = receive_frame_until(ws, "ack")
            assert ack == {"type": "ack", "statement": first, "option": "agree", "ref": 5}
            ws.send_text('{"type": "ping", "id": "\\ud83d\\ude00"}')  # a pair is a real character
            assert receive_frame_until(ws, "pong") == {"type": "pong", "ref": "\U0001f600"}


@pytest.mark.parametrize("depth", [40, 970])
def test_deeply_nested_json_is_refused_and_the_socket_still_works(
    app_client: TestClient, env: Env, depth: int
) -> None:
    phone = new_phone(app_client, env.event.code)
    with connect(app_client, env.event.code, "participant", phone) as ws:
        receive_until(ws, "state")
        text = '{"type": "ping", "id": 1, "x": ' + "[" * depth + "]" * depth + "}"
        assert len(text) <= 2_000
        ws.send_text(text)
        error = receive_frame_until(ws, "error")
        assert error["code"] == "invalid_json"
        ws.send_json({"type": "ping", "id": 2})
        assert receive_frame_until(ws, "pong") == {"type": "pong", "ref": 2}


def test_a_boolean_id_is_not_echoed_as_a_reference(app_client: TestClient, env: Env) -> None:
    with connect(app_client, env.event.code, "projector") as ws:
        receive_until(ws, "state")
        ws.send_json({"type": "ping", "id": True})
        assert receive_frame_until(ws, "pong") == {"type": "pong"}


@pytest.mark.parametrize("fake", [True, 1.0], ids=["true", "float"])
def test_a_vote_for_statement_true_or_1_0_is_refused(env: Env, fake: Any) -> None:
    with env.client() as client:
        phone = new_phone(client, env.event.code)
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as mws, connect(
            client, env.event.code, "participant", phone
        ) as ws:
            first = open_first(mws, env)
            assert first == 1  # so `true` and `1.0` compare equal to it in Python
            refused = reply_to(ws, {"type": "vote", "statement": fake, "option": "agree"}, 7)
            assert (refused["type"], refused["code"]) == ("error", "not_current")
            refused = reply_to(ws, {"type": "comment", "statement": fake, "text": "hello"}, 8)
            assert (refused["type"], refused["code"]) == ("error", "not_current")
        assert votes_on(env, first) == 0


@pytest.mark.parametrize("fake", [True, 1.0], ids=["true", "float"])
@pytest.mark.parametrize(
    "message, code",
    [
        ({"type": "goto", "statement": "FAKE"}, "unknown_statement"),
        ({"type": "reset", "statement": "FAKE"}, "unknown_statement"),
        ({"type": "round", "statement": "FAKE"}, "unknown_statement"),
        ({"type": "statement.edit", "statement": "FAKE", "text": "Edited"}, "unknown_statement"),
        ({"type": "statement.delete", "statement": "FAKE"}, "unknown_statement"),
        ({"type": "statement.move", "statement": "FAKE", "position": 0}, "unknown_statement"),
        ({"type": "statement.move", "statement": 2, "position": "FAKE"}, "invalid_position"),
        ({"type": "comment.status", "comment": "FAKE", "status": "hidden"}, "unknown_comment"),
        ({"type": "highlight", "comment": "FAKE"}, "unknown_comment"),
    ],
)
def test_moderator_ids_and_positions_must_be_integers(
    app_client: TestClient, env: Env, fake: Any, message: dict[str, Any], code: str
) -> None:
    moderate(app_client, env.event)
    before = statements(env)
    assert before[0][0] == 1
    with connect(app_client, env.event.code, "moderator") as mws:
        receive_until(mws, "state")
        sent = {k: (fake if v == "FAKE" else v) for k, v in message.items()}
        refused = reply_to(mws, sent, 3)
        assert (refused["type"], refused["code"]) == ("error", code)
    assert statements(env) == before


def test_a_frame_with_a_lone_surrogate_is_encoded_as_an_escape() -> None:
    text = encode({"type": "error", "ref": "\ud800", "message": "Vérifiez"})
    text.encode("utf-8")  # what the server's send does with it
    assert json.loads(text) == {"type": "error", "ref": "\ud800", "message": "Vérifiez"}
    assert encode({"message": "Vérifiez"}) == '{"message":"Vérifiez"}'  # UTF-8 as usual
