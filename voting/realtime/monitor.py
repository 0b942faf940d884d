"""How healthy the event loop is (longest stall, longest collector pause), and the
garbage-collection policy that keeps those pauses short.

The hub's clock asks to wake every `tick`; whenever it wakes late, the loop was busy (or
paused) for that long. Garbage-collector pauses are timed with `gc.callbacks`. Both are
shown to the organiser at /admin/stats and read by the benchmark.
"""

from __future__ import annotations

import contextlib
import gc
import time
from asyncio import selector_events
from types import GeneratorType
from typing import Any


class LoopMonitor:
    def __init__(self) -> None:
        self.longest_stall = 0.0
        self.longest_gc_pause = 0.0
        self.gc_collections = 0
        self._gc_started: float | None = None

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)

    def stop(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def woke_late(self, seconds: float) -> None:
        self.longest_stall = max(self.longest_stall, seconds)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self.gc_collections += 1
            self.longest_gc_pause = max(
                self.longest_gc_pause, time.perf_counter() - self._gc_started
            )
            self._gc_started = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "longest_loop_stall_ms": round(1000 * self.longest_stall, 1),
            "longest_gc_pause_ms": round(1000 * self.longest_gc_pause, 1),
            "gc_collections": self.gc_collections,
            "gc_frozen_objects": gc.get_freeze_count(),
        }


FREEZE_SECONDS = 0.25
SWEEP_SECONDS = 600.0  # the first sweep; later ones wait longer while sweeps find little
MAX_SWEEP_SECONDS = 8 * 3600.0
QUIET_SECONDS = 30.0
WORTH_SWEEPING = 0.01  # a sweep that finds less garbage than this share of the heap


class Collector:
    """Keeps full garbage collections off the hot path, without keeping garbage.

    With thousands of connections a full collection walks every socket's objects and
    stalls the loop for tens of milliseconds per thousand connections. So a few times a
    second whatever survived the automatic young collections is frozen (`gc.freeze()`:
    moved out of the collector's reach, at no cost); a full collection then has almost
    nothing left to walk.

    The price: a reference cycle that is frozen and later becomes garbage is never
    found again — and every connection lives long enough to be frozen, so every cycle
    left behind by a closed connection stays in memory (18.7 kB per reconnect before
    this was understood; docs/performance.md). So a closed connection must leave no
    cycle: the WebSocket endpoint drops the server's `send` from the scope when it ends,
    and when a connection is lost its transport and its WebSocket parser let go of
    themselves (`break_connection_cycles`).

    What little may still slip through is swept once the room has been quiet for half a
    minute: the collector unfreezes and collects everything once. That pause walks the
    whole heap (about a second for 100 MB on a busy 2-core machine), so sweeps are spaced
    by what they find: ten minutes after the start, then twice as long after each sweep
    that found less than 1 % of the heap to be garbage (up to eight hours), back to ten
    minutes after one that found more. Garbage thus stays a small share of the heap.
    """

    def __init__(self) -> None:
        now = time.monotonic()
        self.last_freeze = self.last_sweep = self.last_activity = now
        self.sweeps = 0
        self.sweep_interval = SWEEP_SECONDS
        break_connection_cycles()

    def activity(self) -> None:
        self.last_activity = time.monotonic()

    def on_tick(self) -> None:
        now = time.monotonic()
        quiet = now - self.last_activity > QUIET_SECONDS
        if quiet and now - self.last_sweep > self.sweep_interval:
            self.sweep(now)
        if now - self.last_freeze > FREEZE_SECONDS:
            gc.freeze()
            self.last_freeze = now

    def sweep(self, now: float) -> None:
        gc.unfreeze()
        garbage = gc.collect()
        gc.freeze()
        self.last_freeze = self.last_sweep = now
        self.sweeps += 1
        if garbage < WORTH_SWEEPING * gc.get_freeze_count():
            self.sweep_interval = min(2 * self.sweep_interval, MAX_SWEEP_SECONDS)
        else:
            self.sweep_interval = SWEEP_SECONDS


def _read_nothing() -> None:
    """A closed transport's read callback: a plain function, so it holds no transport."""


def break_connection_cycles() -> None:
    """Make a TCP connection leave no reference cycle behind once it is lost.

    Two cycles outlive every connection, and a frozen heap never gives them back:

    - asyncio's `_SelectorSocketTransport` keeps a bound method of itself (`_read_ready_cb`)
      and never clears it (CPython 3.11): the transport, its socket object and
      their dicts, for every HTTP request and every WebSocket;
    - the `websockets` Sans-I/O connection (uvicorn's WebSocket protocol, `.conn`) parses
      with a generator that holds the connection and stays suspended after the close:
      the connection, its reader, frames and handshake, for every WebSocket.

    Once the connection is lost neither reads anything more, so the transport's callback
    becomes a function that holds nothing and the parser is closed. Installed once, by
    wrapping the transport's `_call_connection_lost`; a no-op on an asyncio without that
    callback attribute. tests/test_churn.py proves it on the real server.
    """
    transport = getattr(selector_events, "_SelectorSocketTransport", None)
    lost = getattr(transport, "_call_connection_lost", None)
    if transport is None or lost is None or getattr(lost, "breaks_cycles", False):
        return
    if "_read_ready_cb" not in transport.__init__.__code__.co_names:
        return

    def call_connection_lost(self: Any, exc: BaseException | None) -> None:
        protocol = self._protocol
        try:
            lost(self, exc)
        finally:
            self._read_ready_cb = _read_nothing
            parser = getattr(getattr(protocol, "conn", None), "parser", None)
            if isinstance(parser, GeneratorType):
                with contextlib.suppress(ValueError, RuntimeError):  # still running: leave it
                    parser.close()

    call_connection_lost.breaks_cycles = True  # type: ignore[attr-defined]
    transport._call_connection_lost = call_connection_lost
