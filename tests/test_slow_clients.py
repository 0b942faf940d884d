"""Clients that stop reading, against a real server: their sends block (full TCP buffers)
while coalescing keeps their outbox from ever overflowing. After `slow_client_seconds`
they are counted out and their connection is closed; a reading phone stays."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.server import HOST, TEXT, RawSocket, free_port, handshake, http_get, http_request, running
from voting import store as sql
from voting.settings import Settings
from voting.store import Store

TEXTS = [f"Statement {n}: " + "long enough to fill buffers quickly " * 7 for n in range(4)]
TRANSLATIONS = [{"fr": text.upper(), "en": text.lower()} for text in TEXTS]


def frames(ws: RawSocket, until: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of type `until`."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["type"] != until:
        opcode, payload = ws.receive()
        assert opcode == TEXT, (opcode, payload)
        seen.append(json.loads(payload))
    return seen


class Reader(threading.Thread):
    """A phone that keeps reading everything it is sent."""

    def __init__(self, ws: RawSocket) -> None:
        super().__init__(daemon=True)
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    def run(self) -> None:
        try:
            while True:
                opcode, payload = self.ws.receive()
                if opcode != TEXT:
                    return
                self.received.append(json.loads(payload))
        except (OSError, EOFError):
            return


def closed_by_server(ws: RawSocket, limit: float) -> bool:
    """Read what is left: True when the server closed (4408, or cut the connection)."""
    ws.sock.settimeout(limit)
    try:
        while True:
            opcode, payload = ws.receive()
            if opcode != TEXT:
                return int.from_bytes(payload[:2], "big") == 4408
    except (EOFError, ConnectionResetError):
        return True
    except TimeoutError:
        return False


def stats(port: int, cookie: str) -> dict[str, Any]:
    status, _, body = http_request(port, "GET", "/admin/stats", {"Cookie": cookie})
    assert status == 200
    figures: dict[str, Any] = json.loads(body)
    return figures


@pytest.mark.timeout(90)
def test_clients_that_stop_reading_are_dropped_and_counted_out(tmp_path: Path) -> None:
    db = str(tmp_path / "slow.db")
    store = Store(db)
    event = store.write(sql.insert_event, "Slow", TEXTS, "likert5", [], TRANSLATIONS)
    ids = [s.id for s in store.statements(event.id)]
    store.close()
    settings = Settings(
        db=db, demo=False, admin_password=ADMIN_PASSWORD, host=HOST, port=free_port(),
        slow_client_seconds=1.0, phone_tick_seconds=0.2,
    )
    with running(settings, send_buffer=8192):
        port = settings.port
        origin = f"http://{HOST}:{port}"
        status, cookies, _ = http_request(
            port, "POST", "/admin/login",
            {"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
            urlencode({"password": ADMIN_PASSWORD}).encode(),
        )
        assert status == 303
        admin = f"voting={cookies['voting']}"

        def open_socket(role: str, cookie: str = "", receive_buffer: int | None = None) -> RawSocket:
            headers = {"Cookie": cookie} if cookie else {}
            path = f"/ws/{event.code}?role={role}"
            ws, status = handshake(port, path, headers, receive_buffer)
            assert status == "HTTP/1.1 101 Switching Protocols"
            return ws

        def phone_cookie() -> str:
            return f"voting={http_get(port, f'/j/{event.code}')[1]['voting']}"

        moderator = open_socket("moderator", admin)
        frames(moderator, "comments")
        stalled = [open_socket("participant", phone_cookie(), 4096) for _ in range(4)]
        stalled += [open_socket("projector", "", 4096) for _ in range(2)]
        reader = Reader(open_socket("participant", phone_cookie()))
        reader.start()
        before = stats(port, admin)["connections"]
        assert before == {"participant": 5, "projector": 2, "moderator": 1}

        # The moderator moves on and on: every screen gets a new state, tally and comments.
        deadline, step = time.monotonic() + 45, 0
        while time.monotonic() < deadline:
            step += 1
            moderator.send(json.dumps({"type": "goto", "statement": ids[step % 4], "id": step}).encode())
            frames(moderator, "ok")
            if stats(port, admin)["connections"] == {"participant": 1, "projector": 0, "moderator": 1}:
                break
            time.sleep(0.07)  # within the moderator's rate limit
        figures = stats(port, admin)
        assert figures["connections"] == {"participant": 1, "projector": 0, "moderator": 1}
        assert figures["slow_clients_dropped"] == 6
        moderator.send(json.dumps({"type": "goto", "statement": ids[(step + 1) % 4], "id": 0}).encode())
        tallies = [f for f in frames(moderator, "ok") if f["type"] == "tally"]
        assert tallies and tallies[-1]["connected"] == 1  # the console counts them out too

        # Their connections end within the grace the server gives them (1 s here).
        assert all(closed_by_server(ws, 5) for ws in stalled)
        reader.ws.send(json.dumps({"type": "ping", "id": "still here"}).encode())
        limit = time.monotonic() + 5
        while {"type": "pong", "ref": "still here"} not in reader.received and time.monotonic() < limit:
            time.sleep(0.05)
        assert {"type": "pong", "ref": "still here"} in reader.received
        for ws in [*stalled, reader.ws, moderator]:
            ws.close()
