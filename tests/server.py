"""A real uvicorn server in a thread, and a raw WebSocket client that controls every byte.

For what the TestClient cannot show: bytes on the wire (invalid UTF-8, text the server
cannot encode) and a client that stops reading (full TCP buffers, blocked sends).
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import uvicorn

from voting.app import create_app
from voting.settings import Settings

HOST = "127.0.0.1"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(settings: Settings, send_buffer: int | None = None) -> Iterator[Settings]:
    """Serve the app on settings.host:settings.port (log records go to the root logger).

    `send_buffer` sets SO_SNDBUF on the listening socket, which accepted connections
    inherit: a client that stops reading then blocks the server's sends after kilobytes,
    not after the megabytes loopback autotuning allows."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if send_buffer is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    listener.bind((settings.host, settings.port))
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        log_config=None,  # let pytest's caplog see uvicorn's records
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name=f"uvicorn-{settings.port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the voting server did not start")
        time.sleep(0.02)
    try:
        yield settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def http_get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str]]:
    """Status and cookies of a GET (enough to join an event as a phone)."""
    status, cookies, _ = http_request(port, "GET", path, {"Cookie": cookie} if cookie else {})
    return status, cookies


def http_request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Status, cookies set and body of one HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    head, _, content = response.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    jar = SimpleCookie()
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            jar.load(value.strip())
    return int(head_lines[0].split()[1]), {name: morsel.value for name, morsel in jar.items()}, content


@dataclass
class RawSocket:
    sock: socket.socket
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, payload: bytes, opcode: int = TEXT) -> None:
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        else:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        with self.lock:  # a reading thread answers pings
            self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError("the server closed the connection")
            data += chunk
        return data

    def receive(self) -> tuple[int, bytes]:
        """The next frame other than a ping (answered, as a browser does)."""
        while True:
            first, second = self._exactly(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._exactly(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._exactly(8))[0]
            opcode, payload = first & 0x0F, self._exactly(size)
            if opcode != PING:
                return opcode, payload
            self.send(payload, PONG)

    def close(self) -> None:
        self.sock.close()


def handshake(
    port: int, path: str, headers: dict[str, str] | None = None, receive_buffer: int | None = None
) -> tuple[RawSocket, str]:
    """Open a WebSocket by hand; returns the socket and the server's status line."""
    sock = socket.socket()
    if receive_buffer is not None:  # before connect: it sets the TCP window we offer
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect((HOST, port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(1)
        if not chunk:
            break
        response += chunk
    return RawSocket(sock), response.decode("latin-1").split("\r\n", 1)[0]
