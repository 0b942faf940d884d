"""create_app(settings): routes, middleware and the lifespan that owns store, writer and hub."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voting.bootstrap import prepare
from voting.health import StorageError, check_database
from voting.i18n import translator
from voting.paths import STATIC, TEMPLATES
from voting.realtime.bus import create_bus
from voting.realtime.doorbell import Doorbell
from voting.realtime.hub import Hub
from voting.realtime.relay import Relay
from voting.services import Voting
from voting.settings import Settings
from voting.store import Store
from voting.web import admin, exports, opinion, pages, report, sockets, tickets
from voting.web.common import error_page, language
from voting.web.guards import Guards
from voting.web.sockets import RAW_SEND
from voting.web.wirelog import quiet_client_mistakes
from voting.writer import Writer

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The console shows the projector page in a frame (its mirror, /p/<code>?mirror=1): that
# one response may be framed by our own pages, and only by them.
MIRROR_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _policy(scope: Scope) -> str:
    mirror = scope["path"].startswith("/p/") and b"mirror=1" in scope.get("query_string", b"").split(b"&")
    return MIRROR_POLICY if mirror else CONTENT_SECURITY_POLICY


class SecurityHeaders:
    """Strict headers on every HTTP response: no inline scripts, no framing, no sniffing.

    For a WebSocket it keeps the server's own `send` in the scope (RAW_SEND): the hub's
    frames to thousands of phones then skip the middleware below, which has nothing to
    do for them (see voting/web/sockets.py).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                scope[RAW_SEND] = send
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"content-security-policy", _policy(scope).encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


@cache
def _file_hash(path: str) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """A cache-busting URL for a static file."""
    return f"/static/{path}?v={_file_hash(path)}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals["static"] = static_url
    return templates


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    quiet_client_mistakes()
    check_database(settings.db)
    setup_store = Store(settings.db)
    secret_key = prepare(setup_store, settings).secret_key
    setup_store.close()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store = Store(settings.db)
        writer = Writer(settings.db)
        writer.start()
        hub = Hub(settings.tick_seconds, settings.phone_tick_seconds, settings.slow_client_seconds)
        writer.on_health = hub.storage_changed
        await hub.start()
        voting = Voting(store, writer, hub, settings.role_minimum)
        # Doorbells between the processes serving this database (memory://: this one only;
        # PostgreSQL: its LISTEN/NOTIFY unless VOTING_BUS says otherwise).
        bus = create_bus(settings.bus_url())
        await bus.connect()
        hub.doorbell = Doorbell(bus, settings.tick_seconds)
        relay = Relay(voting, bus, hub.doorbell, settings.db)
        await relay.start()
        try:
            await voting.resume_countdowns()  # a deadline that passed meanwhile closes voting now
            yield {
                "settings": settings,
                "voting": voting,
                "relay": relay,
                "templates": make_templates(),
                "guards": Guards(settings),
            }
        finally:
            await voting.stop_countdowns()
            await relay.stop()
            await hub.doorbell.stop()
            await bus.disconnect()
            await hub.stop()
            await writer.stop()
            store.close()

    routes = [
        *pages.routes,
        *admin.routes,
        *report.routes,
        *exports.routes,
        *tickets.routes,
        *opinion.routes,
        WebSocketRoute("/ws/{code}", sockets.endpoint),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secret_key,
            session_cookie="voting",
            max_age=60 * 60 * 24 * 30,
            same_site="lax",
            https_only=settings.public_url.startswith("https://"),
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={StorageError: storage_failed},
    )


async def storage_failed(request: Request, exc: Exception) -> Response:
    """A page whose write the database refused (disk full, read-only): said, not a 500."""
    _ = translator(language(request))
    response = error_page(
        request,
        503,
        _("Not saved"),
        _("The server cannot store anything right now. Wait a moment and reload this page."),
    )
    response.headers["retry-after"] = "10"
    return response


def create_app_from_env() -> Starlette:
    """Factory for `uvicorn --factory voting.app:create_app_from_env` (workers, reload)."""
    return create_app(Settings.from_env())
