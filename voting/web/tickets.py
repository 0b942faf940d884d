"""Redeeming an attendance ticket on the phone, and the organiser's tickets switch."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from voting import tickets
from voting.i18n import translator
from voting.models import InputError
from voting.security import is_admin, participant_id
from voting.web.common import find_room, from_own_site, language, unknown_event, voting
from voting.web.guards import guards
from voting.web.pages import participant_page


async def redeem_form(request: Request) -> Response:
    """The ticket code typed on the phone (or filled in from the card's QR link). Wrong
    codes are counted per client address; past the limit every attempt is refused (429)
    before the code is even looked at, so a script cannot go on guessing."""
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    if not from_own_site(request):
        return JSONResponse({"error": "forbidden", "message": "Cross-site request."}, 403)
    form = await request.form()
    typed = str(form.get("ticket", ""))[:40]
    pid = participant_id(request.session)
    limits, address = guards(request).tickets, guards(request).address(request)
    wait = limits.retry_after(address)
    try:
        if wait:
            raise InputError(
                "too_many_guesses",
                "Too many wrong ticket codes from this network: wait {seconds} seconds and try again.",
                seconds=wait,
            )
        await tickets.redeem(voting(request), room, pid, typed, language(request))
    except InputError as error:
        if error.code != "too_many_guesses":
            limits.allow(address)
        message = error.in_language(translator(language(request)))
        status = 429 if error.code == "too_many_guesses" else 400
        headers = {"retry-after": str(wait)} if wait else None
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": error.code, "message": message}, status, headers=headers)
        response = participant_page(request, room, pid, status, ticket=typed, ticket_error=message)
        if headers:
            response.headers.update(headers)
        return response
    await voting(request).join(room, pid, language(request))
    return RedirectResponse(f"/j/{room.code}", status_code=303)


async def admin_switch(request: Request) -> Response:
    """The organiser turns tickets on or off for an event (from /admin)."""
    if not is_admin(request.session) or not from_own_site(request):
        return RedirectResponse("/admin", status_code=303)
    room = voting(request).room(request.path_params["code"])
    if room is None:
        return RedirectResponse("/admin", status_code=303)
    form = await request.form()
    try:
        await tickets.set_required(voting(request), room, form.get("required") == "on")
    except InputError:
        return RedirectResponse("/admin?tickets=none", status_code=303)
    return RedirectResponse("/admin", status_code=303)


routes = [
    Route("/j/{code}/ticket", redeem_form, methods=["POST"]),
    Route("/admin/events/{code}/tickets", admin_switch, methods=["POST"]),
]
