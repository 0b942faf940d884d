"""Participants without a browser: the join page's cookie, then the WebSocket, like a phone."""

from __future__ import annotations

import http.cookiejar
import json
import queue
import threading
import urllib.request
from contextlib import ExitStack
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


class BotPhone:
    """A participant without a browser: the join page's cookie, then the WebSocket."""

    def __init__(self, base_url: str, ws_url: str, code: str) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base_url}/j/{code}", timeout=10) as response:
            assert response.status == 200
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert "voting=" in cookie
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        # websockets 17 warns (an error here) unless connect() is used as a context manager.
        self._connection = ExitStack()
        self.ws: ClientConnection = self._connection.enter_context(
            connect(
                f"{ws_url}?role=participant", additional_headers={"Cookie": cookie}, open_timeout=10
            )
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for frame in self.ws:
                self.inbox.put(json.loads(frame))
        except ConnectionClosed:  # closed at teardown
            return

    def vote(self, statement: int, option: str) -> None:
        self.ws.send(json.dumps({"type": "vote", "statement": statement, "option": option}))
        while True:
            message = self.inbox.get(timeout=10)
            if message["type"] == "ack" and message["statement"] == statement:
                assert message["option"] == option
                return
            assert message["type"] != "error", message

    def comment(self, statement: int, text: str, name: str | None = None) -> None:
        message = {"type": "comment", "statement": statement, "text": text, "name": name}
        self.ws.send(json.dumps(message))
        while True:
            reply = self.inbox.get(timeout=10)
            if reply["type"] == "comment.ack":
                return
            assert reply["type"] != "error", reply

    def ask(self, message: dict[str, Any], reply: str) -> dict[str, Any]:
        """Send a message and wait for the reply of the given type (failing on an error)."""
        self.ws.send(json.dumps(message))
        while True:
            answer = self.inbox.get(timeout=10)
            if answer["type"] == reply:
                return answer
            assert answer["type"] != "error", answer

    def close(self) -> None:
        self._connection.close()
        self.reader.join(timeout=5)


