"""Bytes on the wire against a real server: invalid UTF-8 and replies the transport must
encode (the TestClient passes Python strings along and would hide both)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, Env
from tests.server import CLOSE, TEXT, RawSocket, free_port, handshake, http_get, running
from voting.settings import Settings


@pytest.fixture
def port(env: Env) -> Iterator[int]:
    settings = Settings(
        db=env.db, demo=False, admin_password=ADMIN_PASSWORD, host="127.0.0.1", port=free_port()
    )
    with running(settings):
        yield settings.port


def next_of(ws: RawSocket, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        opcode, payload = ws.receive()
        assert opcode == TEXT, (opcode, payload)
        frame: dict[str, Any] = json.loads(payload.decode("utf-8"))
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame in {limit}")


def send(ws: RawSocket, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message).encode())


def open_socket(port: int, env: Env, role: str, cookie: str = "") -> RawSocket:
    headers = {"Cookie": cookie} if cookie else {}
    ws, status = handshake(port, f"/ws/{env.event.code}?role={role}", headers)
    assert status == "HTTP/1.1 101 Switching Protocols"
    next_of(ws, "state")
    return ws


def test_invalid_utf8_closes_with_1007_and_logs_one_line(
    port: int, env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(3):
        ws = open_socket(port, env, "projector")
        caplog.clear()
        ws.send(b'{"type": "ping", "id": "\xff\xfe"}')
        opcode, payload = ws.receive()
        while opcode == TEXT:  # frames sent before the server read ours
            opcode, payload = ws.receive()
        assert (opcode, int.from_bytes(payload[:2], "big")) == (CLOSE, 1007)
        ws.close()
        logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(logged) <= 1
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in logged)
    ws = open_socket(port, env, "projector")  # the server itself is fine
    send(ws, {"type": "ping", "id": 1})
    assert next_of(ws, "pong") == {"type": "pong", "ref": 1}
    ws.close()


def test_a_lone_surrogate_id_over_the_wire_gets_an_error_then_votes_are_acknowledged(
    port: int, env: Env
) -> None:
    _, cookies = http_get(port, f"/m/{env.event.code}?token={env.event.moderator_token}")
    moderator = open_socket(port, env, "moderator", f"voting={cookies['voting']}")
    send(moderator, {"type": "goto", "statement": 1, "id": 1})
    next_of(moderator, "ok")
    send(moderator, {"type": "voting", "open": True, "id": 2})
    next_of(moderator, "ok")
    _, cookies = http_get(port, f"/j/{env.event.code}")
    phone = open_socket(port, env, "participant", f"voting={cookies['voting']}")
    phone.send(b'{"type": "ping", "id": "\\ud800"}')
    assert next_of(phone, "error")["code"] == "invalid_json"
    send(phone, {"type": "vote", "statement": 1, "option": "agree", "id": 3})
    assert next_of(phone, "ack") == {"type": "ack", "statement": 1, "option": "agree", "ref": 3}
    phone.close()
    moderator.close()
