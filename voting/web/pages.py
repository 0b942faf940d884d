"""HTTP pages: join, participant, projector, moderator console, QR code (exports: web/exports.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from voting import qr, tickets
from voting.i18n import translator
from voting.links import participant_url, projector_url
from voting.live import MODERATOR, PARTICIPANT, PROJECTOR, Room
from voting.models import InputError
from voting.security import grant_moderator, is_moderator, participant_id, token_matches
from voting.web.common import (
    as_json,
    base_url,
    error_page,
    find_room,
    from_own_site,
    language,
    look_up,
    lookup_wait,
    new_identity_refused,
    render,
    too_many,
    unknown_event,
    voting,
)
from voting.web.guards import guards, remember_code


async def home(request: Request) -> Response:
    code = "".join(ch for ch in request.query_params.get("code", "") if ch.isdigit())
    error = None
    if "code" in request.query_params:
        if look_up(request, code) is not None:
            return RedirectResponse(f"/j/{code}", status_code=303)
        _ = translator(language(request))
        wait = lookup_wait(request)
        if wait:
            error = _("Too many wrong codes from your network; wait {seconds} s.").format(seconds=wait)
            return too_many(render(request, "join.html", 429, code=code, error=error), wait)
        error = _("There is no event with this code. Check the code on the screen and try again.")
    return render(request, "join.html", 404 if error else 200, code=code, error=error)


async def participant(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    refused = new_identity_refused(request, room)
    if refused is not None:
        return refused
    remember_code(request.session, room.code)  # its page keeps working past the code limit
    pid = participant_id(request.session)
    tickets.sync(voting(request), room)
    if not room.event.tickets or pid in room.tickets:  # without a ticket, not in the turnout
        await voting(request).join(room, pid, language(request))
    return participant_page(request, room, pid)


def participant_page(request: Request, room: Room, pid: str, status: int = 200, **extra: object) -> Response:
    """The phone's page; with tickets required and none redeemed, it asks for the ticket."""
    my_votes = room.votes_of(pid)
    ticket_context: dict[str, object] = {
        "need_ticket": room.event.tickets and pid not in room.tickets,
        "ticket": request.query_params.get("ticket", "")[:40],  # the card's QR link fills it in
        "ticket_error": None,
        "role_locked": room.tickets.get(pid) is not None,
        **extra,
    }
    return render(
        request,
        "participant.html",
        status,
        **ticket_context,
        room=room,
        state=room.state_payload(PARTICIPANT),
        tally=room.tally_payload(PARTICIPANT, voting(request).hub.connected(room)),
        my_votes=my_votes,
        vote_rounds=room.vote_rounds(my_votes),
        as_json=as_json,
        notice=request.query_params.get("notice"),
        ask_role=bool(room.event.roles) and pid not in room.answered,
        my_role=room.role_of.get(pid),
    )


async def role_form(request: Request) -> Response:
    """The role choice as a plain form post (the page sends it over the WebSocket)."""
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    if not from_own_site(request):
        return JSONResponse({"error": "forbidden", "message": "Cross-site request."}, 403)
    refused = new_identity_refused(request, room)
    if refused is not None:
        return refused
    form = await request.form()
    role = str(form.get("role", "")) or None
    try:
        await voting(request).set_role(room, participant_id(request.session), role)
    except InputError as error:
        message = error.in_language(translator(language(request)))
        return JSONResponse({"error": error.code, "message": message}, 400)
    return RedirectResponse(f"/j/{room.code}", status_code=303)


async def vote_form(request: Request) -> Response:
    """The same vote as over the WebSocket, for phones whose socket cannot connect."""
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    if not from_own_site(request):
        return JSONResponse({"error": "forbidden", "message": "Cross-site request."}, 403)
    refused = new_identity_refused(request, room)
    if refused is not None:
        return refused
    form = await request.form()
    statement_id = _as_id(str(form.get("statement", "")))
    option = form.get("option")
    pid = participant_id(request.session)
    limit = guards(request).participant_limit(room.code, pid)  # shared with its sockets
    try:
        if not limit.allow():
            raise InputError("rate_limited", "Too many messages; slow down.")
        await voting(request).cast_vote(room, pid, statement_id, option)
    except InputError as error:
        if wants_json:
            message = error.in_language(translator(language(request)))
            if error.code == "rate_limited":
                reply = JSONResponse({"error": error.code, "message": message}, 429)
                return too_many(reply, limit.retry_after())
            return JSONResponse({"error": error.code, "message": message}, 400)
        return RedirectResponse(f"/j/{room.code}?notice={error.code}", status_code=303)
    if wants_json:
        return JSONResponse({"type": "ack", "statement": statement_id, "option": option})
    return RedirectResponse(f"/j/{room.code}?notice=saved", status_code=303)


def _as_id(raw: str) -> int | str:
    """A form field as a statement id; anything but a short run of ASCII digits stays text
    (str.isdigit() also accepts "²", which int() refuses, and int() refuses 5,000 digits)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else raw


async def projector(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    remember_code(request.session, room.code)  # its page keeps working past the code limit
    base = base_url(request)
    return render(
        request,
        "projector.html",
        room=room,
        state=room.state_payload(PROJECTOR),
        tally=room.tally_payload(PROJECTOR, voting(request).hub.connected(room)),
        join_url=participant_url(base, room.event),
        join_host=base.split("://", 1)[-1],
        as_json=as_json,
    )


async def moderator(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    token = request.query_params.get("token")
    if token is not None:
        if not token_matches(room.event, token):
            return forbidden(request)
        grant_moderator(request.session, room.event)
        # The token leaves the address bar (and the history) at once.
        return RedirectResponse(f"/m/{room.code}", status_code=303)
    if not is_moderator(request.session, room.event):
        return forbidden(request)
    tickets.sync(voting(request), room)
    base = base_url(request)
    return render(
        request,
        "moderator.html",
        room=room,
        state=room.state_payload(MODERATOR),
        tally=room.tally_payload(MODERATOR, voting(request).hub.connected(room)),
        join_url=participant_url(base, room.event),
        projector_url=projector_url(base, room.event),
        as_json=as_json,
    )


def forbidden(request: Request) -> Response:
    _ = translator(language(request))
    return error_page(
        request,
        403,
        _("Moderators only"),
        _("Open the moderator link you received when the event was created."),
    )


async def qr_code(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request) if lookup_wait(request) else PlainTextResponse("unknown code", 404)
    return Response(
        qr.svg(participant_url(base_url(request), room.event)),
        media_type="image/svg+xml",
        headers={"cache-control": "public, max-age=3600"},
    )


async def health(request: Request) -> Response:
    """For a load balancer or a monitor: 200 "ok" while the database takes writes, else 503
    with the reason in one sentence."""
    storage = await voting(request).storage_health()
    if storage["ok"]:
        return PlainTextResponse("ok")
    return PlainTextResponse(f"storage failing: {storage['message']}", 503)


routes = [
    Route("/", home),
    Route("/j/{code}", participant),
    Route("/j/{code}/vote", vote_form, methods=["POST"]),
    Route("/j/{code}/role", role_form, methods=["POST"]),
    Route("/p/{code}", projector),
    Route("/m/{code}", moderator),
    Route("/qr/{code}.svg", qr_code),
    Route("/healthz", health),
]
