"""Issue 9, item 9: a request that starts and never finishes does not hold a connection."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from voting.app import create_app
from voting.settings import Settings
from voting.web.server import uvicorn_options


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    settings = Settings(
        db=str(tmp_path / "v.db"), port=port, demo=False, admin_password="x", request_header_seconds=1.0
    )
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                            **uvicorn_options(settings))
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.started
    yield port
    running.should_exit = True
    thread.join(5)


def closed_within(conn: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection within `seconds` (answering first or not)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        conn.settimeout(left)
        try:
            if conn.recv(4096) == b"":
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


def test_a_request_whose_headers_never_finish_is_dropped(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert closed_within(conn, 3)


def test_a_trickled_header_does_not_keep_the_connection(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 4 and not closed:  # a byte every 0.3 s: slowloris
            try:
                conn.sendall(b"X")
            except OSError:
                closed = True
                break
            closed = closed_within(conn, 0.3)
        assert closed


def test_a_body_that_stops_coming_is_dropped(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as conn:
        conn.sendall(
            b"POST /j/000000/vote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nstatement="
        )
        assert closed_within(conn, 3)


def test_whole_requests_and_keep_alive_still_work(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as conn:
        for _ in range(2):  # two requests on one connection, the second after 0.5 s
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            conn.settimeout(3)
            reply = b""
            while not reply.endswith(b"\r\n\r\nok"):
                reply += conn.recv(4096)
            assert reply.startswith(b"HTTP/1.1 200")
            time.sleep(0.5)


def test_a_websocket_outlives_the_request_deadline(server: int) -> None:
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{server}/ws/000000?role=projector") as ws:
        time.sleep(1.5)  # longer than the deadline for a request to arrive
        assert '"unknown_event"' in str(ws.recv(timeout=2))
