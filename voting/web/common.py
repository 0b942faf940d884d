"""Helpers shared by the HTTP handlers: rendering in the visitor's language, base URL."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from voting.i18n import LANGUAGE_NAMES, LANGUAGES, negotiate, translator
from voting.live import Room
from voting.netaddr import lan_address
from voting.security import origin_at, own_origins, same_origin
from voting.services import Voting
from voting.settings import Settings
from voting.web.client_text import client_text, option_labels
from voting.web.guards import guards


def voting(conn: HTTPConnection) -> Voting:
    service: Voting = conn.state.voting
    return service


def settings(conn: HTTPConnection) -> Settings:
    value: Settings = conn.state.settings
    return value


def _language_cookie(conn: HTTPConnection, surface: str | None = None) -> str:
    """Each surface remembers its own language: a projector and a console on one laptop
    can speak different languages (lang_j for phones, lang_p, lang_m, lang_admin, lang_r)."""
    surface = surface or conn.url.path.strip("/").split("/", 1)[0]
    return f"lang_{surface if surface in ('p', 'm', 'admin', 'r') else 'j'}"


def chosen_language(conn: HTTPConnection, surface: str | None = None) -> str | None:
    """A language picked with the switcher (?lang=fr), now or earlier on this device."""
    for value in (conn.query_params.get("lang"), conn.cookies.get(_language_cookie(conn, surface))):
        if value in LANGUAGES:
            return value
    return None


def language(conn: HTTPConnection, surface: str | None = None) -> str:
    """The page's language: the switcher's choice, else the browser's, else Dutch.
    `surface` (j, p, m) names the page a WebSocket belongs to."""
    return chosen_language(conn, surface) or negotiate(conn.headers.get("accept-language"))


def base_url(conn: HTTPConnection) -> str:
    configured = settings(conn).public_url
    if configured:
        return configured.rstrip("/")
    return f"{conn.url.scheme.replace('ws', 'http')}://{conn.url.netloc}"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    lang = language(request)
    templates: Jinja2Templates = request.state.templates
    _ = translator(lang)
    context.update(
        _=_,
        _n=_.count,  # _n("{n} vote", "{n} votes", n): the form for n, with n filled in
        lang=lang,
        base_url=base_url(request),
        labels=option_labels(_),
        client_text=as_json(client_text(_)),
        languages=LANGUAGE_NAMES,
        number=lambda value: "–" if value is None else format_decimal(value, locale=lang),
        day=lambda iso: format_date(date.fromisoformat(iso[:10]), format="long", locale=lang),
    )
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    picked = request.query_params.get("lang")
    if picked in LANGUAGES:  # remembered on this device, for this surface
        response.set_cookie(_language_cookie(request), picked, max_age=365 * 86400, samesite="lax")
    return response


def error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    return render(request, "error.html", status_code, title=title, message=message)


def unknown_event(request: Request) -> Response:
    """404 for an unknown code, or 429 once the client tried too many (see `look_up`)."""
    _ = translator(language(request))
    wait = lookup_wait(request)
    if wait:
        message = _("Too many wrong codes from your network; wait {seconds} s.")
        page = error_page(request, 429, _("Too many wrong codes"), message.format(seconds=wait))
        return too_many(page, wait)
    return error_page(
        request,
        404,
        _("Unknown code"),
        _("There is no event with this code. Check the code on the screen and try again."),
    )


def find_room(request: Request) -> Room | None:
    """The event the path names, or None: there is none, or this client has tried too
    many unknown codes to be told (`unknown_event` then answers 429)."""
    return look_up(request, str(request.path_params.get("code", "")))


def look_up(conn: HTTPConnection, code: str) -> Room | None:
    """Every door that takes an event code goes through here (guards.lookup_wait)."""
    room = voting(conn).room(code)
    conn.state.lookup_wait = wait = guards(conn).lookup_wait(conn, code, room)
    return None if wait else room


def lookup_wait(conn: HTTPConnection) -> int:
    """After `look_up` returned None: the seconds to wait, or 0 when the code is unknown."""
    return int(getattr(conn.state, "lookup_wait", 0))


def new_identity_refused(request: Request, room: Room) -> Response | None:
    """429 when this request would be given a new participant identity (it has no cookie
    yet) and its network has been given too many; nothing is stored then."""
    if isinstance(request.session.get("pid"), str):
        return None
    wait = guards(request).new_participant_wait(request)
    if not wait:
        return None
    voting(request).identity_refused(room)
    _ = translator(language(request))
    message = _("Too many new participants from your network just now; wait {seconds} s and reload.")
    message = message.format(seconds=wait)
    if "application/json" in request.headers.get("accept", ""):
        return too_many(JSONResponse({"error": "too_many_participants", "message": message}, 429), wait)
    return too_many(error_page(request, 429, _("Too many new participants"), message), wait)


def too_many(response: Response, wait: int) -> Response:
    response.headers["retry-after"] = str(wait)
    return response


def from_own_site(conn: HTTPConnection) -> bool:
    """Whether a request (or a WebSocket handshake) comes from one of our own pages."""
    origin = conn.headers.get("origin")
    return origin is None or same_origin(origin, own_site_origins(conn))


def own_site_origins(conn: HTTPConnection) -> frozenset[str]:
    """security.own_origins for this server; without a public URL also the address this
    connection arrived at (the socket's, never the Host header's): only a page this
    server served there has it as its origin, whichever interface phones use."""
    configured = settings(conn)
    if configured.public_url:
        return own_origins(configured.host, configured.port, configured.public_url, "")
    allowed = own_origins(configured.host, configured.port, "", lan_address())
    arrived = conn.scope.get("server")
    if arrived and arrived[1] is not None:
        scheme = "https" if conn.scope.get("scheme") in ("https", "wss") else "http"
        allowed |= {o for o in [origin_at(scheme, str(arrived[0]), int(arrived[1]))] if o}
    return allowed


def as_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
