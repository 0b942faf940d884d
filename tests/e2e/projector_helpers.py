"""Helpers for the projector's browser tests: a moderator without a browser, measurements."""

from __future__ import annotations

import http.cookiejar
import json
import queue
import threading
import urllib.request
from contextlib import ExitStack
from typing import Any

from playwright.sync_api import Page
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.e2e.bots import BotPhone


class ModeratorBot:
    """The console without a browser: the moderator link's cookie, then the WebSocket."""

    def __init__(self, app: Any) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(app.moderator_url, timeout=10) as response:
            assert response.status == 200
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._connection = ExitStack()
        self.ws: ClientConnection = self._connection.enter_context(
            connect(f"{app.ws_url}?role=moderator", additional_headers={"Cookie": cookie}, open_timeout=10)
        )
        self._next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for frame in self.ws:
                self.inbox.put(json.loads(frame))
        except ConnectionClosed:
            return

    def do(self, message: dict[str, Any] | str, **fields: Any) -> dict[str, Any]:
        """Send an action — a message, or its type and fields — and return its `ok`,
        matched by its id (failing on its error)."""
        if isinstance(message, str):
            message = {"type": message, **fields}
        self._next_id += 1
        ref = self._next_id
        self.ws.send(json.dumps({**message, "id": ref}))
        while True:
            reply = self.inbox.get(timeout=10)
            if reply.get("ref") == ref:
                assert reply["type"] == "ok", (message, reply)
                return reply

    def close(self) -> None:
        self._connection.close()
        self.reader.join(timeout=5)


def vote_all(bots: list[BotPhone], statement: int, options: list[str]) -> None:
    for bot, option in zip(bots, options, strict=True):
        bot.vote(statement, option)


def pick_roles(bots: list[BotPhone], roles: list[str]) -> None:
    for bot, role in zip(bots, roles, strict=True):
        bot.ask({"type": "role", "role": role}, "role.ack")


# The computed font size (px) of the smallest visible element matching each selector.
FONT_SIZES = """(selectors) => {
  const out = {};
  for (const [name, selector] of Object.entries(selectors)) {
    const sizes = [...document.querySelectorAll(selector)]
      .filter((el) => el.getClientRects().length && el.textContent.trim())
      .filter((el) => getComputedStyle(el).visibility !== 'hidden')
      .map((el) => parseFloat(getComputedStyle(el).fontSize));
    out[name] = sizes.length ? Math.min(...sizes) : null;
  }
  return out;
}"""


def font_sizes(page: Page, selectors: dict[str, str]) -> dict[str, float | None]:
    sizes: dict[str, float | None] = page.evaluate(FONT_SIZES, selectors)
    return sizes
