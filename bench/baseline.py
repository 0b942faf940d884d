"""The baseline: the bare Starlette/uvicorn stack speaking the app's protocol.

No storage, no auth, no templates: what is left when the `voting` app is reduced to
"count votes, publish a total on a clock". The load generator runs unchanged against
it, so the difference between the two runs is what the app itself costs.

Same URL shapes and messages as the app (see voting/web/sockets.py):

- GET /j/<code> sets the cookie `voting` (a random participant id) and returns a tiny page;
- GET /m/<code>?token=... answers 303 with a cookie, like the moderator link;
- WS /ws/<code>?role=participant|projector|moderator: "welcome", then "state"
  (moderators get the statement list), then "tally" every 100 ms when it changed
  (projector and moderator), every 500 ms to phones while results are shown on phones;
- a participant's {"type": "vote"} is folded into a dict and acknowledged at once;
- the moderator's goto/next/prev/voting/results change the state, which is encoded once
  and pushed to every connection by one background task; the moderator gets {"type": "ok"}.

Design as in ../../shared/PERF.md: publish on a clock, encode once, no per-message
deflate, and the app's garbage-collection policy (voting/realtime/monitor.py).

Run: python bench/baseline.py --port 8001 [--code 123456] [--statements 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from voting.realtime.monitor import Collector, LoopMonitor  # the app's probe and GC policy

TICK = 0.1
PHONE_TICK = 0.5
OPTIONS = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
MODERATOR_TOKEN = "baseline"


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class Room:
    def __init__(self, code: str, statements: int) -> None:
        self.code = code
        self.statements = [
            {"id": i + 1, "position": i, "text": f"Statement {i + 1}", "scale": "likert5",
             "options": OPTIONS}
            for i in range(statements)
        ]
        self.current: int | None = None  # index into statements
        self.voting = False
        self.results_phones = False
        self.votes: dict[int, dict[str, str]] = {s["id"]: {} for s in self.statements}
        self.clients: dict[str, set[WebSocket]] = {
            "participant": set(), "projector": set(), "moderator": set()
        }
        self.dirty = True
        self.phones_dirty = True
        self.broadcast: asyncio.Task[None] | None = None
        self.pending: list[tuple[str, str]] = []

    def statement_id(self) -> int | None:
        return None if self.current is None else int(self.statements[self.current]["id"])

    def state(self, role: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "state",
            "event": {"code": self.code, "title": "Baseline"},
            "statement": None if self.current is None else self.statements[self.current],
            "index": self.current,
            "count": len(self.statements),
            "voting": self.voting,
            "results_projector": False,
            "results_phones": self.results_phones,
        }
        if role == "moderator":
            payload["statements"] = [
                {**s, "voters": len(self.votes[s["id"]])} for s in self.statements
            ]
        return payload

    def tally(self, with_results: bool) -> dict[str, Any]:
        sid = self.statement_id()
        votes = {} if sid is None else self.votes[sid]
        results = None
        if with_results:
            counts = dict.fromkeys(OPTIONS, 0)
            for option in votes.values():
                counts[option] += 1
            results = {"voters": len(votes), "counts": counts}
        return {
            "type": "tally",
            "statement": sid,
            "connected": len(self.clients["participant"]),
            "voters": len(votes),
            "results": results,
        }

    # -- pushing ---------------------------------------------------------------------------

    def push(self, role: str, text: str) -> None:
        """Queue a frame for every client of a role; one task sends the queue."""
        self.pending.append((role, text))
        if self.broadcast is None or self.broadcast.done():
            self.broadcast = asyncio.create_task(self._send_pending())

    async def _send_pending(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            for role, text in batch:
                for ws in list(self.clients[role]):
                    with contextlib.suppress(Exception):
                        await ws.send_text(text)

    def state_changed(self) -> None:
        for role in ("moderator", "projector", "participant"):
            self.push(role, encode(self.state(role)))
        self.dirty = self.phones_dirty = True

    def publish(self, phones: bool) -> None:
        if self.dirty:
            self.dirty = False
            self.push("projector", encode(self.tally(False)))
            self.push("moderator", encode(self.tally(True)))
        if phones and self.phones_dirty and self.results_phones:
            self.phones_dirty = False
            self.push("participant", encode(self.tally(True)))


ROOMS: dict[str, Room] = {}
MONITOR = LoopMonitor()
COLLECTOR = Collector()


async def clock() -> None:
    per_phone_tick = round(PHONE_TICK / TICK)
    tick = 0
    while True:
        asleep = time.monotonic()
        await asyncio.sleep(TICK)
        MONITOR.woke_late(time.monotonic() - asleep - TICK)
        tick += 1
        for room in ROOMS.values():
            room.publish(tick % per_phone_tick == 0)
        COLLECTOR.on_tick()


# -- HTTP -------------------------------------------------------------------------------------


async def join(request: Request) -> Response:
    if request.path_params["code"] not in ROOMS:
        return PlainTextResponse("unknown code", 404)
    pid = request.cookies.get("voting") or secrets.token_urlsafe(12)
    response = PlainTextResponse("<!doctype html><title>Vote</title>", media_type="text/html")
    response.set_cookie("voting", pid, max_age=30 * 86400, httponly=True, samesite="lax")
    return response


async def moderator_page(request: Request) -> Response:
    code = request.path_params["code"]
    if code not in ROOMS:
        return PlainTextResponse("unknown code", 404)
    if "token" in request.query_params:
        response: Response = RedirectResponse(f"/m/{code}", status_code=303)
        response.set_cookie("voting", "moderator", httponly=True, samesite="lax")
        return response
    return PlainTextResponse("<!doctype html><title>Moderate</title>", media_type="text/html")


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def stats(request: Request) -> Response:
    return PlainTextResponse(json.dumps(MONITOR.snapshot()), media_type="application/json")


async def counts(request: Request) -> Response:
    """Votes counted per statement (the baseline's stand-in for "stored in the database")."""
    room = ROOMS.get(request.path_params["code"])
    if room is None:
        return PlainTextResponse("unknown code", 404)
    return PlainTextResponse(json.dumps({str(k): len(v) for k, v in room.votes.items()}))


# -- WebSocket --------------------------------------------------------------------------------


async def endpoint(ws: WebSocket) -> None:
    room = ROOMS.get(ws.path_params["code"])
    role = ws.query_params.get("role", "participant")
    await ws.accept()
    pid = ws.cookies.get("voting")
    if room is None or role not in room.clients or (role == "participant" and not pid):
        await ws.send_text(encode({"type": "error", "code": "refused"}))
        await ws.close(4400)
        return
    await ws.send_text(encode({"type": "welcome", "role": role, "votes": {}}))
    await ws.send_text(encode(room.state(role)))
    if role != "participant":
        await ws.send_text(encode(room.tally(role == "moderator")))
    room.clients[role].add(ws)
    room.dirty = True
    try:
        while True:
            text = await ws.receive_text()
            try:
                data = json.loads(text)
            except ValueError:
                await ws.send_text(encode({"type": "error", "code": "invalid_json"}))
                continue
            reply = handle(room, role, pid, data if isinstance(data, dict) else {})
            if "id" in data and isinstance(data, dict):
                reply["ref"] = data["id"]
            await ws.send_text(encode(reply))
    except WebSocketDisconnect:
        pass
    finally:
        room.clients[role].discard(ws)
        room.dirty = True


def handle(room: Room, role: str, pid: str | None, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("type")
    if kind == "ping":
        return {"type": "pong"}
    if kind == "vote" and role == "participant" and pid:
        sid, option = data.get("statement"), data.get("option")
        if sid != room.statement_id():
            return {"type": "error", "code": "not_current"}
        if not room.voting:
            return {"type": "error", "code": "voting_closed"}
        if option not in OPTIONS:
            return {"type": "error", "code": "invalid_option"}
        room.votes[sid][pid] = option
        room.dirty = room.phones_dirty = True
        COLLECTOR.activity()
        return {"type": "ack", "statement": sid, "option": option}
    if role != "moderator":
        return {"type": "error", "code": "forbidden"}
    if kind in ("goto", "next", "prev"):
        ids = [s["id"] for s in room.statements]
        if kind == "goto":
            target = data.get("statement")
            if target is not None and target not in ids:
                return {"type": "error", "code": "unknown_statement"}
            index = None if target is None else ids.index(target)
        else:
            step = 1 if kind == "next" else -1
            index = (-1 if step > 0 else len(ids)) if room.current is None else room.current
            index += step
            if not 0 <= index < len(ids):
                return {"type": "error", "code": "no_more"}
        if index != room.current:
            room.current, room.voting, room.results_phones = index, False, False
            room.state_changed()
        return {"type": "ok"}
    if kind == "voting" and isinstance(data.get("open"), bool):
        room.voting = bool(data["open"]) and room.current is not None
        room.state_changed()
        return {"type": "ok"}
    if kind == "results" and isinstance(data.get("shown"), bool):
        if data.get("target") == "phones":
            room.results_phones = bool(data["shown"])
        room.state_changed()
        return {"type": "ok"}
    return {"type": "error", "code": "unknown_type"}


def create_app(code: str = "123456", statements: int = 3) -> Starlette:
    ROOMS.clear()
    ROOMS[code] = Room(code, statements)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        MONITOR.start()
        task = asyncio.create_task(clock())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return Starlette(
        routes=[
            Route("/j/{code}", join),
            Route("/m/{code}", moderator_page),
            Route("/healthz", health),
            Route("/admin/stats", stats),
            Route("/bench/counts/{code}", counts),
            WebSocketRoute("/ws/{code}", endpoint),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--code", default="123456")
    parser.add_argument("--statements", type=int, default=3)
    args = parser.parse_args()
    import uvicorn

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # The same server settings as `voting serve` (voting/cli/serve.py).
    uvicorn.run(
        create_app(args.code, args.statements),
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=65_536,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
