"""The report page: for the moderator, or for anyone with its revocable share link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voting import report
from voting.i18n import translator
from voting.live import Room
from voting.security import is_moderator
from voting.web.common import (
    base_url,
    error_page,
    find_room,
    from_own_site,
    language,
    lookup_wait,
    render,
    unknown_event,
    voting,
)
from voting.web.pages import forbidden


def _render(request: Request, room: Room, moderator: bool) -> Response:
    lang = language(request)
    _ = translator(lang)
    token = room.event.report_token
    return render(
        request,
        "report.html",
        room=room,
        report=report.build(voting(request).store, room, _, lang),
        moderator=moderator,
        share_url=f"{base_url(request)}/r/{token}" if token and moderator else None,
    )


async def moderator_report(request: Request) -> Response:
    room = find_room(request)
    if room is None and lookup_wait(request):
        return unknown_event(request)  # 429: too many unknown codes
    if room is None or not is_moderator(request.session, room.event):
        return forbidden(request)
    return _render(request, room, moderator=True)


async def shared_report(request: Request) -> Response:
    token = request.path_params["token"]
    event = voting(request).store.event_by_report_token(token) if len(token) < 100 else None
    room = None if event is None else voting(request).room(event.code)
    if room is None or room.event.report_token != token:
        _ = translator(language(request))
        return error_page(request, 404, _("Unknown link"), _("This report is not shared (any more)."))
    return _render(request, room, moderator=False)


async def share(request: Request) -> Response:
    """Create (shared=1) or revoke the share link, then show the report again."""
    room = find_room(request)
    if room is None or not is_moderator(request.session, room.event) or not from_own_site(request):
        return forbidden(request)
    form = await request.form()
    await voting(request).share_report(room, form.get("shared") == "1")
    return RedirectResponse(f"/m/{room.code}/report", status_code=303)


routes = [
    Route("/m/{code}/report", moderator_report),
    Route("/m/{code}/report/share", share, methods=["POST"]),
    Route("/r/{token}", shared_report),
]
