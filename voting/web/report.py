"""The report page: for the moderator, or for anyone with its revocable share link; its
PDF; and the moderator's edits to it (place and organiser, the logo)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from voting import reporting
from voting.i18n import translator
from voting.live import Room
from voting.models import InputError
from voting.reporting import facts, logo, pdf
from voting.security import is_moderator
from voting.store import report_facts as sql
from voting.web.common import (
    base_url,
    error_page,
    find_room,
    from_own_site,
    language,
    render,
    unknown_event,
    voting,
)
from voting.web.opinion import maps
from voting.web.pages import forbidden

UPLOAD_LIMIT = logo.MAX_BYTES + 64 * 1024  # the image plus the form's own bytes


async def _opinion_map(request: Request, room: Room) -> dict[str, Any] | None:
    """The event's opinion map from the server's cache (computed off the event loop); the
    report keeps only what the room may see of it (voting/reporting/opinion.py)."""
    built, _stale = await maps(request).get(room)
    return None if built is None else dict(json.loads(built.full))


async def _render(
    request: Request, room: Room, moderator: bool, status: int = 200, error: str | None = None
) -> Response:
    lang = language(request)
    token = room.event.report_token
    exact = moderator and request.query_params.get("exact") == "1"
    both = request.query_params.get("both") == "1"
    opinion_map = await _opinion_map(request, room)
    return render(
        request,
        "report.html",
        status,
        room=room,
        report=reporting.build(
            voting(request).store, room, lang, exact=exact, both=both, opinion_map=opinion_map
        ),
        moderator=moderator,
        share_url=f"{base_url(request)}/r/{token}" if token and moderator else None,
        # The shared page's own link needs no token (/r/{token}.pdf works as well).
        pdf_url=f"/m/{room.code}/report.pdf" if moderator else "?pdf=1",
        error=error,
    )


async def _pdf(request: Request, room: Room) -> Response:
    """The report as sent: the room's privacy rules, whoever asks."""
    lang = language(request)
    both = request.query_params.get("both") == "1"
    templates: Jinja2Templates = request.state.templates
    opinion_map = await _opinion_map(request, room)
    page = pdf.html(
        templates.env,
        lang,
        room=room,
        moderator=False,
        share_url=None,
        pdf_url=None,
        error=None,
        report=reporting.build(voting(request).store, room, lang, both=both, opinion_map=opinion_map),
        base_url=base_url(request),
    )
    async with _renders(request):  # one PDF at a time: seconds of CPU each, the evening goes first
        document = await asyncio.to_thread(pdf.render, page)
    name = f"report-{room.code}.pdf"
    return Response(
        document,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _renders(request: Request) -> asyncio.Semaphore:
    """This app's PDF renderings, one at a time (made on first use)."""
    state = request.app.state
    found = getattr(state, "report_renders", None)
    if found is None:
        found = state.report_renders = asyncio.Semaphore(1)
    assert isinstance(found, asyncio.Semaphore)
    return found


def _moderated_room(request: Request) -> Room | Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)  # 404, or 429 after too many unknown codes
    if not is_moderator(request.session, room.event):
        return forbidden(request)
    return room


async def moderator_report(request: Request) -> Response:
    room = _moderated_room(request)
    return room if isinstance(room, Response) else await _render(request, room, moderator=True)


async def moderator_pdf(request: Request) -> Response:
    room = _moderated_room(request)
    return room if isinstance(room, Response) else await _pdf(request, room)


def _shared_room(request: Request) -> Room | None:
    token = request.path_params["token"]
    event = voting(request).store.event_by_report_token(token) if len(token) < 100 else None
    room = None if event is None else voting(request).room(event.code)
    return room if room is not None and room.event.report_token == token else None


def _not_shared(request: Request) -> Response:
    _ = translator(language(request))
    return error_page(request, 404, _("Unknown link"), _("This report is not shared (any more)."))


async def shared_report(request: Request) -> Response:
    room = _shared_room(request)
    if room is None:
        return _not_shared(request)
    if request.query_params.get("pdf") == "1":
        return await _pdf(request, room)
    return await _render(request, room, moderator=False)


async def shared_pdf(request: Request) -> Response:
    room = _shared_room(request)
    return _not_shared(request) if room is None else await _pdf(request, room)


def _editable_room(request: Request) -> Room | Response:
    room = _moderated_room(request)
    if isinstance(room, Room) and not from_own_site(request):
        return forbidden(request)
    return room


async def share(request: Request) -> Response:
    """Create (shared=1) or revoke the share link, then show the report again."""
    room = _editable_room(request)
    if isinstance(room, Response):
        return room
    form = await request.form()
    await voting(request).share_report(room, form.get("shared") == "1")
    return RedirectResponse(f"/m/{room.code}/report", status_code=303)


async def save_facts(request: Request) -> Response:
    """Store the event's place and organiser (too long: an error, nothing changed)."""
    room = _editable_room(request)
    if isinstance(room, Response):
        return room
    form = await request.form(max_fields=10, max_files=0, max_part_size=4096)
    try:
        await facts.save(voting(request).writer, room, form.get("place", ""), form.get("organiser", ""))
    except InputError as error:
        return await _render(request, room, True, 400, error.in_language(translator(language(request))))
    return RedirectResponse(f"/m/{room.code}/report", status_code=303)


async def save_logo(request: Request) -> Response:
    """Store (or with remove=1 delete) the logo; a bad file: an error, nothing changed."""
    room = _editable_room(request)
    if isinstance(room, Response):
        return room
    _ = translator(language(request))
    too_large = InputError(
        "logo_too_large",
        "The logo can be at most {limit} MB (this file is larger).",
        limit=logo.MAX_BYTES // 2**20,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > UPLOAD_LIMIT:
        return await _render(request, room, True, 413, too_large.in_language(_))
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await MultiPartParser(request.headers, _capped(request), max_files=1, max_fields=4).parse()
        else:  # a form without the file (remove=1)
            form = await request.form(max_files=0, max_fields=4, max_part_size=1024)
    except _TooLarge:
        return await _render(request, room, True, 413, too_large.in_language(_))
    except MultiPartException:
        return await _render(
            request, room, True, 400, _("The upload could not be read; choose the file again.")
        )
    writer = voting(request).writer
    try:
        if form.get("remove") == "1":
            await writer.submit(sql.delete_logo, room.event.id)
        else:
            upload = form.get("logo")
            data = await upload.read() if isinstance(upload, UploadFile) else b""
            content_type = logo.check(data)
            await writer.submit(sql.set_logo, room.event.id, content_type, data)
    except InputError as error:
        return await _render(
            request, room, True, 413 if error.code == "logo_too_large" else 400, error.in_language(_)
        )
    finally:
        await form.close()
    return RedirectResponse(f"/m/{room.code}/report", status_code=303)


class _TooLarge(Exception):
    pass


async def _capped(request: Request) -> AsyncGenerator[bytes, None]:
    """The request body, refused past UPLOAD_LIMIT (a client may send no Content-Length)."""
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > UPLOAD_LIMIT:
            raise _TooLarge
        yield chunk


routes = [
    Route("/m/{code}/report", moderator_report),
    Route("/m/{code}/report.pdf", moderator_pdf),
    Route("/m/{code}/report/share", share, methods=["POST"]),
    Route("/m/{code}/report/facts", save_facts, methods=["POST"]),
    Route("/m/{code}/report/logo", save_logo, methods=["POST"]),
    Route("/r/{token}.pdf", shared_pdf),
    Route("/r/{token}", shared_report),
]
