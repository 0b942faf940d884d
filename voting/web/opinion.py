"""The opinion map over HTTP, computed off the event loop.

- GET /m/{code}/map.json — the console's map: everything (participant ids, roles, the
  figures), for the moderator only, like the other /m/ routes.
- GET /p/{code}/map.json — the projector's map, room-safe (`public_map`: no roles, no
  ids, no group below the privacy minimum described by itself), and only while the
  moderator shows the map on the projector (404 otherwise).

The map is computed in a worker process (one per server process, shared by its apps),
never in the event loop's process: a thread would share the GIL, and NumPy, scikit-learn
and the JSON encoder hold it for up to a few hundred milliseconds at 10,000 participants
(bench/map_stall.py). One coordinating thread hands the votes over in small pickles (each
a short hold of the GIL) and waits. At most one computation per event runs at a time, and
a new one starts only when the event's counts or roles changed and the last one is at least
MIN_SECONDS old; the worker also encodes the JSON, so the event loop only copies the votes
(a few milliseconds for 10,000 phones) and sends bytes. A request waits at most
WAIT_SECONDS for a fresh map, then gets the last one (`x-map-stale: 1`), or 503
`{"status": "computing"}` when there is none yet. `?since=<computed_at>` answers 204 when
nothing newer exists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import pickle
import time
import weakref
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voting.analysis.event import MapInput, compute, fingerprint, public_map, snapshot
from voting.live import Room
from voting.security import is_moderator
from voting.web.common import find_room, unknown_event
from voting.web.pages import forbidden

MIN_SECONDS = 3.0
WAIT_SECONDS = 2.0
WORKER_NICENESS = 10  # the map is background work: the event loop comes first
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    computed_at: float
    full: bytes  # the console's JSON
    public: bytes  # the projector's JSON


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def build(data: MapInput) -> Built:
    """In the worker process: the map, and both JSON bodies."""
    full = compute(data)
    return Built(full["computed_at"], encode(full), encode(public_map(full, data.role_minimum)))


def build_pickled(rest: bytes, parts: list[bytes]) -> Built:
    """In the worker process: `build` of a MapInput handed over in pieces (see `offload`)."""
    data: MapInput = pickle.loads(rest)
    return build(replace(data, choices=tuple(pickle.loads(p) for p in parts)))


def background() -> None:
    """The worker process yields the CPU to the server: a lower priority, so a computation
    never makes the event loop wait for a core, and any core (the server may be pinned)."""
    os.nice(WORKER_NICENESS)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))


@cache
def processes() -> ProcessPoolExecutor:
    """The worker process, started on first use ("spawn": this process has threads) and
    shared by every app in this process; it ends with the process."""
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=background)


def offload(data: MapInput) -> Built:
    """In the coordinating thread: one statement's votes per pickle, so no single
    pickle.dumps holds the GIL long; the worker process does the rest."""
    parts = [pickle.dumps(c, pickle.HIGHEST_PROTOCOL) for c in data.choices]
    rest = pickle.dumps(replace(data, choices=()), pickle.HIGHEST_PROTOCOL)
    try:
        return processes().submit(build_pickled, rest, parts).result()
    except BrokenProcessPool:  # the worker died (killed, out of memory): a new one next time
        processes.cache_clear()
        raise


@dataclass
class Entry:
    key: Hashable = None
    built: Built | None = None
    started: float = float("-inf")  # time.monotonic() of the last start
    running: asyncio.Future[Built] | None = None
    failed: bool = False


class Maps:
    """The maps of this app's events: one coordinating thread, one entry per event."""

    def __init__(self, min_seconds: float = MIN_SECONDS, wait_seconds: float = WAIT_SECONDS) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="opinion-map")
        self.entries: dict[int, Entry] = {}
        self.min_seconds, self.wait_seconds = min_seconds, wait_seconds
        self.computations = 0

    async def get(self, room: Room) -> tuple[Built | None, bool]:
        """The latest map of `room`, and whether it is stale (a newer one is on its way or
        waits for MIN_SECONDS to pass)."""
        entry = self.entries.setdefault(room.event.id, Entry())
        key, now = fingerprint(room), time.monotonic()
        due = entry.built is None or (key != entry.key and now - entry.started >= self.min_seconds)
        if entry.running is None and due:
            self.start(entry, snapshot(room, key), now)
        if entry.running is not None:
            try:
                await asyncio.wait_for(asyncio.shield(entry.running), self.wait_seconds)
            except Exception:  # too slow (the last map then), or failed (logged by `finished`)
                pass
        return entry.built, entry.running is not None or key != entry.key

    def start(self, entry: Entry, data: MapInput, now: float) -> None:
        entry.key, entry.started = data.key, now
        self.computations += 1
        running = asyncio.get_running_loop().run_in_executor(self.pool, offload, data)
        entry.running = running
        running.add_done_callback(lambda future: self.finished(entry, future))

    @staticmethod
    def finished(entry: Entry, future: asyncio.Future[Built]) -> None:
        entry.running = None
        if future.cancelled():
            entry.key = None
        elif (error := future.exception()) is not None:
            entry.key, entry.failed = None, True  # tried again on the next request
            log.error("opinion map failed", exc_info=error)
        else:
            entry.built, entry.failed = future.result(), False


def maps(request: Request) -> Maps:
    """This app's maps, made on first use (the coordinating thread ends with the app)."""
    state = request.app.state
    found = getattr(state, "opinion_maps", None)
    if found is None:
        found = state.opinion_maps = Maps()
        weakref.finalize(request.app, found.pool.shutdown, wait=False, cancel_futures=True)
    assert isinstance(found, Maps)
    return found


async def answer(request: Request, room: Room, public: bool) -> Response:
    built, stale = await maps(request).get(room)
    if built is None:
        return JSONResponse({"status": "computing"}, 503, headers={"retry-after": "2"})
    headers = {"cache-control": "no-store", "x-map-stale": "1" if stale else "0"}
    if request.query_params.get("since") == str(built.computed_at):
        return Response(status_code=204, headers=headers)
    return Response(built.public if public else built.full, media_type="application/json", headers=headers)


async def console_map(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    if not is_moderator(request.session, room.event):
        return forbidden(request)
    return await answer(request, room, public=False)


async def projector_map(request: Request) -> Response:
    room = find_room(request)
    if room is None:
        return unknown_event(request)
    if not room.event.state.show_map:
        return JSONResponse({"error": "map_not_shown", "message": "The map is not on the projector."}, 404)
    return await answer(request, room, public=True)


routes = [
    Route("/m/{code}/map.json", console_map),
    Route("/p/{code}/map.json", projector_map),
]
