"""How uvicorn serves the app: WebSocket options, and limits for requests that never finish.

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, but a request
that has started and never finishes (a header sent a byte at a time, a body that stops
coming) holds its connection forever; a few hundred of those exhaust the server's files.
`GuardedH11Protocol` gives every request `request_seconds` to arrive whole.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import fields
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from voting.settings import Settings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request to arrive whole."""

    request_seconds = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this keep-alive connection gets its own deadline

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._disarm()  # a WebSocket has its own pings; the timer would hold this object
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_seconds, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # closed, or upgraded to a WebSocket (which has its own pings)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):  # still waiting for the request
            self.transport.close()


def protocol_for(settings: Settings) -> type[H11Protocol]:
    seconds = settings.request_header_seconds
    return type("VotingH11Protocol", (GuardedH11Protocol,), {"request_seconds": seconds})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The options `voting serve` runs uvicorn with (also used by tests and the benchmark)."""
    return {
        "http": protocol_for(settings),
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,  # tiny JSON frames: deflate costs CPU and memory
        "ws_max_size": 65_536,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16_384,  # request line and headers
        # Client addresses come from voting.security.client_address, which believes
        # X-Forwarded-For from VOTING_TRUSTED_PROXIES only; uvicorn must not rewrite them.
        "proxy_headers": False,
    }


class WorkerH11Protocol(GuardedH11Protocol):
    """`protocol_for` in a worker process (`voting serve --workers N`): uvicorn imports the
    protocol there by name, so its deadline comes from VOTING_REQUEST_HEADER_SECONDS."""

    request_seconds = Settings.from_env().request_header_seconds


def run(app: Any, settings: Settings) -> None:
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", **uvicorn_options(settings))


def environment(settings: Settings) -> dict[str, str]:
    """Every setting as the VOTING_* variable `Settings.from_env` reads back."""
    env = {}
    for field in fields(settings):
        value = getattr(settings, field.name)
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        env[f"VOTING_{field.name.upper()}"] = text
    return env


def run_workers(settings: Settings, workers: int) -> None:
    """Serve with `workers` processes on one port (uvicorn's supervisor; the kernel spreads
    connections over them). Workers call `create_app_from_env` without arguments: every
    setting reaches them as a VOTING_* variable, and the options they cannot get as
    objects (the protocol class) are passed by name."""
    os.environ.update(environment(settings))
    options = {**uvicorn_options(settings), "http": f"{__name__}:{WorkerH11Protocol.__name__}"}
    uvicorn.run(
        "voting.app:create_app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        **options,
    )
