"""The organiser's pages: log in with the instance password, list and create events."""

from __future__ import annotations

import asyncio
import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from voting.i18n import mark, translator
from voting.links import all_links
from voting.models import DEFAULT_SCALE, SCALES, InputError
from voting.pasting import parse_event_file
from voting.security import is_admin, verify_password
from voting.web.common import (
    base_url,
    from_own_site,
    language,
    render,
    settings,
    voting,
)
from voting.web.guards import guards

MAX_PASTE_CHARS = 100_000


async def _password_ok(request: Request, password: str) -> bool:
    """Check the password off the event loop, one check at a time: argon2 takes tens of
    milliseconds of CPU on purpose, and every phone's vote waits while the loop does."""
    configured = settings(request).admin_password
    if configured:
        return hmac.compare_digest(configured.encode(), password.encode())
    stored = voting(request).store.setting("admin_password_hash")
    if stored is None:
        return False
    async with guards(request).login_checks:
        return await asyncio.to_thread(verify_password, stored, password)


async def admin_home(request: Request) -> Response:
    if not is_admin(request.session):
        return render(request, "admin_login.html", error=None)
    service = voting(request)
    base = base_url(request)
    created = request.query_params.get("created")
    created_room = service.room(created) if created else None
    return render(
        request,
        "admin.html",
        events=service.store.events(),
        ticket_counts=service.store.ticket_counts(),
        created=None if created_room is None else all_links(base, created_room.event),
        deleted=request.query_params.get("deleted", "")[:6] if "deleted" in request.query_params else None,
        scales=list(SCALES),
        default_scale=DEFAULT_SCALE,
        form={},
        error=None,
    )


async def login(request: Request) -> Response:
    # A browser's login form always sends its Origin; without one it is a script.
    if request.headers.get("origin") is None or not from_own_site(request):
        return Response("Cross-site request refused: log in from the organiser page.", 403)
    _ = translator(language(request))
    gate = guards(request)
    address = gate.key(request)  # an IPv6 client by its /64, as the other limits
    if not gate.logins.allow(address) or not gate.all_logins.allow():
        wait = max(gate.logins.retry_after(address), gate.all_logins.retry_after())
        error = _("Too many login attempts. Wait {seconds} s and try again.").format(seconds=wait)
        response = render(request, "admin_login.html", 429, error=error)
        response.headers["retry-after"] = str(wait)
        return response
    form = await request.form()
    if not await _password_ok(request, str(form.get("password", ""))):
        return render(request, "admin_login.html", 403, error=_("Wrong password."))
    request.session["admin"] = True
    return RedirectResponse("/admin", status_code=303)


async def logout(request: Request) -> Response:
    if from_own_site(request):
        request.session.pop("admin", None)
    return RedirectResponse("/admin", status_code=303)


async def create_event(request: Request) -> Response:
    if not is_admin(request.session) or not from_own_site(request):
        return RedirectResponse("/admin", status_code=303)
    form = await request.form()
    title = str(form.get("title", ""))
    text = str(form.get("statements", ""))
    scale = str(form.get("scale", DEFAULT_SCALE))
    try:
        if len(text) > MAX_PASTE_CHARS:  # refuse rather than cut a statement in half
            text = text[:MAX_PASTE_CHARS]
            raise InputError("too_long", mark("The pasted list is too long: split it up."))
        parsed = parse_event_file(text)
        if not parsed.statements:  # as `voting event create` refuses a file without statements
            raise InputError("no_statements", mark("Paste at least one statement."))
        # The roles field (one per line or separated by commas, each with its translations)
        # wins over a `roles:` line in the pasted list.
        roles: object = str(form.get("roles", "")).strip()
        if not roles:
            roles = [{"name": r, "translations": parsed.role_translations.get(r, {})} for r in parsed.roles]
        event = await voting(request).create_event(
            title, parsed.statements, scale, roles, parsed.translations
        )
    except InputError as error:
        _ = translator(language(request))
        return render(
            request,
            "admin.html",
            400,
            events=voting(request).store.events(),
            ticket_counts=voting(request).store.ticket_counts(),
            created=None,
            deleted=None,
            scales=list(SCALES),
            default_scale=scale if scale in SCALES else DEFAULT_SCALE,
            form={"title": title, "statements": text, "roles": str(form.get("roles", ""))},
            error=error.in_language(_),
        )
    return RedirectResponse(f"/admin?created={event.code}", status_code=303)


async def delete_event(request: Request) -> Response:
    """Delete an event with all its data, once the organiser typed its code to confirm."""
    if not is_admin(request.session) or not from_own_site(request):
        return RedirectResponse("/admin", status_code=303)
    service = voting(request)
    room = service.room(request.path_params["code"])
    form = await request.form()
    if room is None or str(form.get("confirm", "")).replace(" ", "") != room.code:
        return RedirectResponse("/admin?deleted=no", status_code=303)
    await service.delete_event(room)
    service.hub.event_deleted(room)  # its screens close, here and in the other processes
    return RedirectResponse(f"/admin?deleted={room.code}", status_code=303)


async def stats(request: Request) -> Response:
    """Live figures of this process as JSON: connections, frames, writes, loop health."""
    if not is_admin(request.session):
        return JSONResponse({"error": "forbidden", "message": "Log in at /admin first."}, 403)
    service = voting(request)
    writer = service.writer
    relay = request.state.relay
    return JSONResponse({
        **service.hub.stats(),
        "writer": {"commits": writer.commits, "writes": writer.writes},
        "relay": {"refreshes": relay.refreshes, "partial": relay.partial, "resyncs": relay.resyncs},
    })  # fmt: skip


routes = [
    Route("/admin", admin_home),
    Route("/admin/login", login, methods=["POST"]),
    Route("/admin/logout", logout, methods=["POST"]),
    Route("/admin/events", create_event, methods=["POST"]),
    Route("/admin/stats", stats),
    Route("/admin/events/{code}/delete", delete_event, methods=["POST"]),
]
