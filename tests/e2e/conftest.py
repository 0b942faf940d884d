"""Browser tests: the real app under uvicorn, driven by Debian's Chromium through Playwright.

Run them on their own (pytest-asyncio and Playwright's sync API do not mix in one
process):

    .venv/bin/python -m pytest tests/e2e -x -q

VOTING_CHROMIUM points at another Chromium (default /usr/bin/chromium). Without a
browser the tests are skipped, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.e2e.bots import BotPhone
from voting import store as sql
from voting.app import create_app
from voting.settings import Settings
from voting.store import Store

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options (--headed, --slowmo …) plus Debian's Chromium."""
    executable = os.environ.get("VOTING_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        message = f"no Chromium at {executable} (set VOTING_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    return {**browser_type_launch_args, "executable_path": executable, "args": args}


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """Replaces pytest-playwright 0.10's fallback `base_url`, a session fixture defined as
    a plugin method: pytest 9 warns about that (PytestRemovedIn10Warning), and this
    project turns warnings into errors. Each test here gets its own server URL anyway."""
    try:
        return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None
    except ValueError:
        return None


@dataclass
class LiveApp:
    """A running server with one event in it."""

    base_url: str
    code: str
    token: str
    statements: list[str]
    statement_ids: list[int] = field(default_factory=list)
    db: str = ""
    port: int = 0

    @property
    def participant_url(self) -> str:
        return f"{self.base_url}/j/{self.code}"

    @property
    def projector_url(self) -> str:
        return f"{self.base_url}/p/{self.code}"

    @property
    def moderator_url(self) -> str:
        return f"{self.base_url}/m/{self.code}?token={self.token}"

    @property
    def ws_url(self) -> str:
        return f"{self.base_url.replace('http://', 'ws://')}/ws/{self.code}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: str, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    app = create_app(Settings(db=db, demo=False, admin_password="pw"))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="websockets-sansio", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the voting server did not start")
        time.sleep(0.02)
    return server, thread


def _stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(timeout=10)


class Servers:
    """Starts events on real servers; can stop one and start it again (a restart)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[int, tuple[uvicorn.Server, threading.Thread]] = {}
        self.count = 0

    def __call__(
        self,
        title: str = "Testavond",
        statements: list[str] | None = None,
        scale: str = "likert5",
        roles: list[str] | None = None,
        translations: list[dict[str, str]] | None = None,
    ) -> LiveApp:
        """Create an event in a fresh database, serve it, return where it runs."""
        texts = statements or ["stmt 1", "stmt 2", "stmt 3"]
        self.count += 1
        db = str(self.folder / f"voting-{self.count}.db")
        store = Store(db)
        event = store.write(sql.insert_event, title, texts, scale, roles or [], translations or [])
        ids = [s.id for s in store.statements(event.id)]
        store.close()
        port = _free_port()
        self.running[port] = _serve(db, port)
        return LiveApp(
            f"http://127.0.0.1:{port}", event.code, event.moderator_token, texts, ids, db, port
        )

    def stop(self, app: LiveApp) -> None:
        _stop(*self.running.pop(app.port))

    def start_again(self, app: LiveApp) -> None:
        self.running[app.port] = _serve(app.db, app.port)

    def stop_all(self) -> None:
        for server, thread in self.running.values():
            _stop(server, thread)
        self.running.clear()


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Servers]:
    servers = Servers(tmp_path)
    yield servers
    servers.stop_all()


@pytest.fixture
def live_app(start_app: Servers) -> LiveApp:
    """The default event: three likert5 statements."""
    return start_app()


@pytest.fixture
def phone_args(playwright: Any) -> dict[str, Any]:
    """An iPhone 12 in Flanders as a browser context (the descriptor's browser hint removed)."""
    device = dict(playwright.devices["iPhone 12"])
    device.pop("default_browser_type", None)
    return {**device, "locale": "nl-BE"}


@pytest.fixture
def join_bots() -> Iterator[Callable[[Any, int], list[BotPhone]]]:
    """join_bots(app, n): n participants on WebSockets, closed at teardown."""
    with ExitStack() as stack:

        def join(app: Any, count: int) -> list[BotPhone]:
            bots = [BotPhone(app.base_url, app.ws_url, app.code) for _ in range(count)]
            for bot in bots:
                stack.callback(bot.close)
            return bots

        yield join


