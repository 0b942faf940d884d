"""Memory under WebSocket churn, on the real server: phones that reconnect over and over
(bad venue Wi-Fi) must not make the server grow.

The collector freezes survivors a few times a second (voting/realtime/monitor.py), so any
reference cycle a closed connection leaves behind stays in memory for good: 20 kB per
reconnect before the cycles were broken. After a warm-up (which also fills whatever the
server keeps for a few seconds after a close), thousands more reconnects must leave the
server's memory and its frozen heap where they were.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import sys
import weakref
from pathlib import Path
from types import ModuleType

import pytest
from websockets.server import ServerProtocol

from voting.realtime.monitor import break_connection_cycles

BENCH = Path(__file__).resolve().parents[1] / "bench"
CYCLES = 6000
MEGABYTE = 1_000_000


@pytest.fixture(scope="module")
def churn() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("churn")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.timeout(180)
def test_reconnecting_phones_leave_no_memory_behind(churn: ModuleType) -> None:
    # Connections held 0.25–0.75 s: long enough for the server's collector to freeze them.
    result = churn.run(
        standing=200, clients=200, hold=0.5, warmup=4000, cycles=CYCLES, pinned=False
    )
    figures = result.summary()
    assert result.cycles >= CYCLES and result.failures == 0, figures
    growth = result.rss_end - result.rss_start
    assert growth < 8 * MEGABYTE, f"{growth / MEGABYTE:.1f} MB more after {result.cycles} reconnects"
    frozen = figures["gc_frozen_objects"]
    # Was ~57 objects per reconnect. What moves now is the live set: the server holds a
    # closed connection for a few seconds, more of them when reconnects come faster.
    assert frozen["end"] - frozen["start"] < 10 * result.cycles, frozen
    assert figures["longest_gc_pause_ms"] is not None  # /admin/stats answered


class Connection(asyncio.Protocol):
    """A server-side connection shaped like uvicorn's WebSocket protocol (`.conn`)."""

    def __init__(self, seen: list[weakref.ref[object]], lost: asyncio.Event) -> None:
        self.conn = ServerProtocol()
        self.seen, self.lost = seen, lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.seen += [weakref.ref(transport), weakref.ref(self.conn)]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set()


def test_a_lost_connection_is_freed_without_the_collector() -> None:
    break_connection_cycles()
    seen: list[weakref.ref[object]] = []

    async def connect_and_drop() -> None:
        lost = asyncio.Event()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Connection(seen, lost), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await writer.wait_closed()
        await asyncio.wait_for(lost.wait(), 5)
        await asyncio.sleep(0)  # the transport lets go of the protocol after connection_lost
        server.close()
        await server.wait_closed()

    gc.collect()
    gc.disable()  # only reference counting may free them: no cycle may be left
    try:
        asyncio.run(connect_and_drop())
        assert len(seen) == 2
        assert [ref() for ref in seen] == [None, None]
    finally:
        gc.enable()
