"""The event-loop monitor and the garbage-collection policy of the hub."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from voting.realtime import monitor
from voting.realtime.monitor import Collector, LoopMonitor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(monitor.time, "monotonic", fake)
    yield fake
    gc.unfreeze()


def test_loop_monitor_keeps_the_longest_stall_and_times_collections() -> None:
    watch = LoopMonitor()
    watch.woke_late(0.004)
    watch.woke_late(0.120)
    watch.woke_late(0.010)
    watch.start()
    try:
        gc.collect()
    finally:
        watch.stop()
    snapshot = watch.snapshot()
    assert snapshot["longest_loop_stall_ms"] == 120.0
    assert snapshot["gc_collections"] >= 1
    assert snapshot["longest_gc_pause_ms"] > 0
    collections = snapshot["gc_collections"]
    gc.collect()  # stopped: no longer counted
    assert watch.snapshot()["gc_collections"] == collections


def test_collector_freezes_survivors_a_few_times_a_second(clock: Clock) -> None:
    gc.unfreeze()
    collector = Collector()
    collector.on_tick()
    assert gc.get_freeze_count() == 0  # not yet: a quarter of a second has not passed
    clock.now += monitor.FREEZE_SECONDS + 0.01
    collector.on_tick()
    assert gc.get_freeze_count() > 0


def test_collector_sweeps_everything_only_when_the_room_is_quiet(clock: Clock) -> None:
    collector = Collector()
    clock.now += monitor.SWEEP_SECONDS + 1
    collector.activity()  # votes are coming in: no full sweep now
    clock.now += 1
    collector.on_tick()
    assert collector.sweeps == 0
    clock.now += monitor.QUIET_SECONDS + 1
    collector.on_tick()
    assert collector.sweeps == 1
    collector.on_tick()
    assert collector.sweeps == 1  # the next one is ten minutes away


def test_collector_sweeps_less_often_while_sweeps_find_little(clock: Clock) -> None:
    gc.collect()
    collector = Collector()
    clock.now += monitor.SWEEP_SECONDS + 1
    collector.on_tick()
    assert collector.sweeps == 1
    assert collector.sweep_interval == 2 * monitor.SWEEP_SECONDS  # next one twice as late
    clock.now += monitor.SWEEP_SECONDS + 1
    collector.on_tick()
    assert collector.sweeps == 1
    cycles: list[list[object]] = [[] for _ in range(gc.get_freeze_count() // 10)]
    for cycle in cycles:
        cycle.append(cycle)
    gc.freeze()  # frozen by the clock while alive…
    del cycles, cycle  # …then left behind: garbage, 10 % of the heap
    clock.now += monitor.SWEEP_SECONDS
    collector.on_tick()
    assert collector.sweeps == 2
    assert collector.sweep_interval == monitor.SWEEP_SECONDS  # garbage found: back to often
