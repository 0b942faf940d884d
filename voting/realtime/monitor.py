"""How healthy the event loop is (longest stall, longest collector pause), and the
garbage-collection policy that keeps those pauses short.

The hub's clock asks to wake every `tick`; whenever it wakes late, the loop was busy (or
paused) for that long. Garbage-collector pauses are timed with `gc.callbacks`. Both are
shown to the organiser at /admin/stats and read by the benchmark.
"""

from __future__ import annotations

import gc
import time
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
        }


FREEZE_SECONDS = 0.25
SWEEP_SECONDS = 600.0
QUIET_SECONDS = 30.0


class Collector:
    """Keeps full garbage collections off the hot path.

    With thousands of connections a full collection walks every socket's objects and
    stalls the loop for tens of milliseconds per thousand connections. So a few times a
    second whatever survived the automatic young collections is frozen (`gc.freeze()`:
    moved out of the collector's reach, at no cost); a full collection then has almost
    nothing left to walk. Cycles of garbage among frozen
    objects (a client gone long after it connected) are not reclaimed that way, so every
    ten minutes, once the room has been quiet for half a minute, the collector unfreezes
    and sweeps everything once.
    """

    def __init__(self) -> None:
        now = time.monotonic()
        self.last_freeze = self.last_sweep = self.last_activity = now
        self.sweeps = 0

    def activity(self) -> None:
        self.last_activity = time.monotonic()

    def on_tick(self) -> None:
        now = time.monotonic()
        if now - self.last_sweep > SWEEP_SECONDS and now - self.last_activity > QUIET_SECONDS:
            gc.unfreeze()
            gc.collect()
            self.sweeps += 1
            self.last_sweep = now
        if now - self.last_freeze > FREEZE_SECONDS:
            gc.freeze()
            self.last_freeze = now
