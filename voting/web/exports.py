"""Downloads of an event's results: the organiser's full export for the moderator
(/m/{code}/export.{format}), and the room's view for anyone with the report's share link
(/r/{token}/export.{format}). Formats: voting/exports/formats.py; `?lang=nl|fr|en` picks
the workbook's headers and the CSV separators (default: the page's language)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from voting.exports import FORMATS, ORGANISER, ROOM, ROOM_FORMATS, Export, write
from voting.i18n import LANGUAGES, translator
from voting.live import Room
from voting.security import is_moderator
from voting.store import Store
from voting.web.common import error_page, find_room, language, unknown_event, voting

BY_URL = {e.url: e for e in FORMATS.values()}
ROOM_BY_URL = {e.url: e for e in ROOM_FORMATS}


def unknown_format(request: Request, known: dict[str, Export]) -> Response:
    _ = translator(language(request))
    message = _("Unknown export format {format}; use one of: {known}.").format(
        format=repr(request.path_params["format"]), known=", ".join(known)
    )
    return PlainTextResponse(message, 404)


async def download(request: Request, room: Room, export: Export, scope: str) -> Response:
    lang = request.query_params.get("lang") or language(request)
    if lang not in LANGUAGES:
        _ = translator(language(request))
        message = _("Unknown language {language}; use nl, fr or en.").format(language=repr(lang))
        return PlainTextResponse(message, 400)
    # Off the event loop (the opinion map and a workbook take a while on a large event), from
    # the committed data on a connection of its own.
    path = voting(request).store.path
    content = await asyncio.to_thread(made, path, room.code, room.role_minimum, export.name, lang, scope)
    if content is None:
        return unknown_event(request)
    shared = "" if scope == ORGANISER else "-shared"
    return Response(
        content,
        media_type=export.media_type,
        headers={"content-disposition": f'attachment; filename="voting-{room.code}{shared}{export.suffix}"'},
    )


def made(path: str, code: str, minimum: int, fmt: str, lang: str, scope: str) -> bytes | None:
    """The export of the event as committed (None: it was deleted meanwhile)."""
    store = Store(path)
    try:
        room = Room.read(store, code)
        if room is None:
            return None
        room.role_minimum = minimum
        return write(fmt, store, room, lang, scope)
    finally:
        store.close()


async def organiser_export(request: Request) -> Response:
    from voting.web.pages import forbidden  # pages imports nothing from here

    room = find_room(request)
    if room is None:
        return unknown_event(request)
    if not is_moderator(request.session, room.event):
        return forbidden(request)
    export = BY_URL.get(request.path_params["format"])
    if export is None:
        return unknown_format(request, BY_URL)
    return await download(request, room, export, ORGANISER)


async def shared_export(request: Request) -> Response:
    token = request.path_params["token"]
    event = voting(request).store.event_by_report_token(token) if len(token) < 100 else None
    room = None if event is None else voting(request).room(event.code)
    if room is None or room.event.report_token != token:
        _ = translator(language(request))
        return error_page(request, 404, _("Unknown link"), _("This report is not shared (any more)."))
    export = ROOM_BY_URL.get(request.path_params["format"])
    if export is None:
        return unknown_format(request, ROOM_BY_URL)
    return await download(request, room, export, ROOM)


routes = [
    Route("/m/{code}/export.{format:str}", organiser_export),
    Route("/r/{token}/export.{format:str}", shared_export),
]
