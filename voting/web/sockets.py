"""The WebSocket endpoint: check who is calling, send the full state, then relay.

One socket per page: `/ws/<code>?role=participant|projector|moderator`. Messages are
JSON objects with a "type"; see docs/protocol.md. Every problem with a message is
answered with {"type": "error", "code": ..., "message": ...} and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Send
from starlette.websockets import WebSocket

from voting.i18n import translator
from voting.live import MODERATOR, PARTICIPANT, PROJECTOR, ROLES, Room
from voting.models import InputError, is_id
from voting.ratelimit import RateLimit
from voting.realtime.hub import Client
from voting.realtime.outbox import Outbox
from voting.security import is_moderator
from voting.services import Voting
from voting.settings import Settings
from voting.web.common import from_own_site, language, look_up, lookup_wait
from voting.web.guards import guards
from voting.web.handlers import HANDLERS, PRESENTER, Session, error

MAX_MESSAGE_CHARS = {PARTICIPANT: 2_000, MODERATOR: 64_000}
DEFAULT_MAX_MESSAGE_CHARS = 500

# Where the app's outermost middleware keeps the server's own `send` (voting/app.py).
RAW_SEND = "voting.raw_send"

CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_EVENT = 4404
CLOSE_NO_IDENTITY = 4401
CLOSE_BAD_ROLE = 4400
CLOSE_TOO_SLOW = 4408
CLOSE_GRACE_SECONDS = 5.0  # for a too-slow client to take its 4408 before it is cut off
CLOSE_TOO_MANY_CODES = 4429




async def endpoint(ws: WebSocket) -> None:
    settings: Settings = ws.state.settings
    voting: Voting = ws.state.voting
    if not from_own_site(ws):
        await ws.close(code=CLOSE_FORBIDDEN)  # before accept: the handshake gets a 403
        return
    role = ws.query_params.get("role", PARTICIPANT)
    room = look_up(ws, ws.path_params["code"])
    await ws.accept()
    if lookup_wait(ws):
        await _too_many_codes(ws, role, lookup_wait(ws))
        return
    refusal = _refusal(ws, role, room)
    if refusal is not None or room is None:
        code, close_code, message = refusal or ("unknown_event", CLOSE_UNKNOWN_EVENT, "")
        await ws.send_json({"type": "error", "code": code, "message": message})
        await ws.close(code=close_code)
        return
    participant = ws.session.get("pid") if role == PARTICIPANT else None
    presenter = role == PROJECTOR and is_moderator(ws.session, room.event)
    client = Client(role, participant, Outbox(settings.outbox_limit), presenter)
    surface = {PARTICIPANT: "j", PROJECTOR: "p", MODERATOR: "m"}[role]
    session = Session(voting, room, client, translator(language(ws, surface)))
    voting.hub.subscribe(room, client)
    welcome = room.welcome(role, participant)
    if role == MODERATOR:
        welcome["storage"] = voting.hub.storage
    client.send(welcome)
    client.send(room.state_payload(role, presenter), "state")
    tally = room.tally_payload(role, voting.hub.connected(room))
    if tally is not None:
        client.send(tally, "tally")
    client.send(room.comments_payload(role), "comments")
    sender = asyncio.create_task(_send_loop(ws, client.outbox, settings.slow_client_seconds))
    try:
        await _receive_loop(ws, session)
    finally:
        voting.hub.unsubscribe(room, client)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        # The server's `send` kept in the scope is a method of the connection, which keeps
        # the scope: a reference cycle. Break it, or the whole connection outlives its
        # close in the collector's frozen set (voting/realtime/monitor.py).
        ws.scope.pop(RAW_SEND, None)


async def _too_many_codes(ws: WebSocket, role: str, wait: int) -> None:
    surface = {PROJECTOR: "p", MODERATOR: "m"}.get(role, "j")
    _ = translator(language(ws, surface))
    message = _("Too many wrong codes from your network; wait {seconds} s.").format(seconds=wait)
    await ws.send_json({"type": "error", "code": "too_many_codes", "message": message, "retry_after": wait})
    await ws.close(code=CLOSE_TOO_MANY_CODES)


def _refusal(ws: WebSocket, role: str, room: Room | None) -> tuple[str, int, str] | None:
    if role not in ROLES:
        return ("invalid_role", CLOSE_BAD_ROLE, f"Unknown role {role!r}.")
    if room is None:
        return ("unknown_event", CLOSE_UNKNOWN_EVENT, "There is no event with this code.")
    if role == MODERATOR and not is_moderator(ws.session, room.event):
        return ("forbidden", CLOSE_FORBIDDEN, "Open the moderator link to moderate this event.")
    if role == PARTICIPANT and not isinstance(ws.session.get("pid"), str):
        return ("no_identity", CLOSE_NO_IDENTITY, "Open the join page first (it sets a cookie).")
    return None


async def _send_loop(ws: WebSocket, outbox: Outbox, slow_client: float) -> None:
    """Send the outbox's frames. A client too slow to keep up (its outbox overflowed, or the
    hub's clock found a frame waiting longer than `slow_client` in its send) is closed with
    4408: it reconnects and resynchronises. So is one whose send failed: never silence."""
    try:
        await outbox.drain(_sender(ws))
    except asyncio.CancelledError:
        if not outbox.stalled:  # the endpoint ends this task
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # the hub's clock interrupted the blocked send: close below
    except Exception:  # the connection broke (or is gone: then closing does nothing)
        pass
    else:
        if outbox.close_code is not None and not outbox.closed:  # the event was deleted
            with contextlib.suppress(Exception):
                await ws.close(code=outbox.close_code)
            return
        if not outbox.overflowed:  # closed by the endpoint or the server's shutdown
            return
    await _drop(ws, min(slow_client, CLOSE_GRACE_SECONDS))


async def _drop(ws: WebSocket, grace: float) -> None:
    """Close with 4408. The close frame queues behind whatever the client did not read, and
    a graceful close would wait for those buffers forever: the connection is aborted when
    the close cannot be sent within `grace`, or is still open `grace` after it."""
    abort = getattr(_transport(ws), "abort", None)
    sent = False
    with contextlib.suppress(Exception):
        async with asyncio.timeout(grace):
            await ws.close(code=CLOSE_TOO_SLOW)
        sent = True
    if callable(abort):
        asyncio.get_running_loop().call_later(grace if sent else 0, abort)


def _transport(ws: WebSocket) -> object:
    """The server's transport for this socket, where the server lets us find it: uvicorn's
    `send` is a method of its connection object, which holds it (None elsewhere)."""
    connection = getattr(ws.scope.get(RAW_SEND), "__self__", None)
    return getattr(connection, "transport", None)


def _sender(ws: WebSocket) -> Callable[[str], Awaitable[None]]:
    """Send text frames straight to the server: the middleware between has nothing to do
    for an accepted WebSocket, and skipping it saves four wrapper calls per frame."""
    raw_send: Send | None = ws.scope.get(RAW_SEND)
    if raw_send is None:
        return ws.send_text
    send = raw_send

    async def send_text(text: str) -> None:
        await send({"type": "websocket.send", "text": text})

    return send_text


async def _receive_loop(ws: WebSocket, session: Session) -> None:
    role = session.client.role
    limit = MAX_MESSAGE_CHARS.get(role, DEFAULT_MAX_MESSAGE_CHARS)
    rate = _message_limit(ws, session)
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect" or session.client.outbox.close_code is not None:
            return  # gone, or being closed by the send loop (the event was deleted)
        if not session.voting.is_live(session.room):  # the event was deleted meanwhile
            await ws.send_json(error("unknown_event", "There is no event with this code."))
            await ws.close(code=CLOSE_UNKNOWN_EVENT)
            return
        text = message.get("text")
        if text is None:
            session.refuse(InputError("invalid_message", "Send JSON text frames."))
        elif len(text) > limit:
            session.refuse(
                InputError("too_large", "Messages can be at most {limit} characters.", limit=limit)
            )
        elif not rate.allow():
            session.refuse(InputError("rate_limited", "Too many messages; slow down."))
        else:
            await _handle(session, text)


def _message_limit(ws: WebSocket, session: Session) -> RateLimit:
    """A participant's allowance is shared by all of its sockets and its form posts, so a
    new socket buys nothing; the moderator's and the projector's are per socket."""
    participant = session.client.participant
    if participant is not None:
        return guards(ws).participant_limit(session.room.code, participant)
    if session.client.role == MODERATOR:
        return RateLimit(rate=20, burst=60)
    return RateLimit(rate=5, burst=20)


async def _handle(session: Session, text: str) -> None:
    try:
        data = _parse(text)
    except InputError as error:
        session.refuse(error)
        return
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        session.refuse(InputError("invalid_message", 'A message is a JSON object with a "type".'))
        return
    ref = data.get("id")
    if isinstance(ref, str) and not _sendable(ref):  # no reply could carry it back
        session.refuse(InputError("invalid_json", "That message is not valid JSON."))
        return
    ref = ref if is_id(ref) or isinstance(ref, str) else None
    kind = data["type"]
    handler, allowed = HANDLERS.get(kind, (None, ()))
    if handler is None:
        session.refuse(InputError("unknown_type", "Unknown message type {kind!r}.", kind=kind[:40]), ref)
        return
    if not _may_send(session.client, allowed, data):
        role = session.client.role
        session.refuse(InputError("forbidden", "{role} cannot send {kind!r}.", role=role, kind=kind), ref)
        return
    try:
        reply = await handler(session, data)
    except InputError as error:
        session.refuse(error, ref)
        return
    if reply is not None:
        session.reply({**reply, "ref": ref} if ref is not None else reply)


def _may_send(client: Client, allowed: tuple[str, ...], data: dict[str, Any]) -> bool:
    """Whether this page may send this message: by its role, or as a presenter projector
    (the moderator's own projector), which may step through the evening and black it out."""
    if client.role in allowed:
        return True
    if not (client.presenter and PRESENTER in allowed):
        return False
    return data["type"] != "settings" or set(data) - {"type", "id"} == {"blank"}


MAX_NESTING = 10  # messages nest 3 deep; ~970 deep exhausts Python's recursion limit


def _parse(text: str) -> Any:
    """A message as JSON, refusing nesting deeper than any message needs: ~970 levels fit
    in 2,000 characters and exhaust the recursion limit here or wherever a value is used."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError("invalid_json", "That message is not valid JSON.") from None
    if text.count("[") + text.count("{") > MAX_NESTING and _depth(data) > MAX_NESTING:
        raise InputError("invalid_json", "That message is not valid JSON.")
    return data


def _sendable(text: str) -> bool:
    """False for a lone surrogate ("\\ud800"): JSON can carry one in, UTF-8 cannot encode it.
    (Text fields are cleaned of them by models.plain_text; an id is echoed as it is.)"""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _depth(data: Any) -> int:
    """How deep lists and objects nest (without recursion)."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            pending.extend((item, depth + 1) for item in value)
    return deepest
