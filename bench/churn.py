"""Churn: phones that keep reconnecting, as on bad venue Wi-Fi. Does the server keep memory?

    python bench/churn.py --minutes 10             # the long run (docs/performance.md)
    python bench/churn.py --cycles 20000           # a quick run
    python bench/churn.py --standing 2000 --clients 16 --json out.json

It starts `voting serve` on a fresh database (pinned to CPU 0, the script to CPU 1), keeps
`--standing` phones connected for the whole run (so collections have a crowd to walk), and
lets `--clients` phones connect and disconnect over and over: join cookie once, then per
cycle a participant WebSocket, its `welcome` and `state`, and a close — every fourth one
dropped without a closing handshake, as a phone losing the network does. After a warm-up
it reports the server's memory growth per connect/disconnect cycle and, from
/admin/stats, the longest event-loop stall and garbage-collection pause.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import cookie_from, http_get, source_address  # noqa: E402
from run import HOST, Server, admin_stats, free_port, pin, raise_file_limit, start_app  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

# Churn reuses a few identities; a server limiting new identities per address must not
# refuse the standing crowd, which all joins from one address.
ENVIRONMENT = {"VOTING_NEW_PARTICIPANTS_BURST": "1000000"}


@dataclass
class Churn:
    """What a churn run measured (bytes and milliseconds as the server reports them)."""

    standing: int
    clients: int
    warmup_cycles: int = 0
    cycles: int = 0
    failures: int = 0
    seconds: float = 0.0
    rss_start: int = 0  # after the warm-up
    rss_end: int = 0
    rss_peak: int = 0
    stats_start: dict[str, Any] = field(default_factory=dict)
    stats_end: dict[str, Any] = field(default_factory=dict)
    timeline: list[tuple[float, int, int]] = field(default_factory=list)  # (s, cycles, RSS)

    @property
    def bytes_per_cycle(self) -> float:
        return (self.rss_end - self.rss_start) / max(1, self.cycles)

    def summary(self) -> dict[str, Any]:
        return {
            "standing": self.standing,
            "clients": self.clients,
            "warmup_cycles": self.warmup_cycles,
            "cycles": self.cycles,
            "failures": self.failures,
            "seconds": round(self.seconds, 1),
            "cycles_per_second": round(self.cycles / max(self.seconds, 1e-9), 1),
            "rss_mb": {
                "start": round(self.rss_start / 1e6, 1),
                "end": round(self.rss_end / 1e6, 1),
                "peak": round(self.rss_peak / 1e6, 1),
            },
            "bytes_per_cycle": round(self.bytes_per_cycle, 1),
            "longest_loop_stall_ms": self.stats_end.get("longest_loop_stall_ms"),
            "longest_gc_pause_ms": self.stats_end.get("longest_gc_pause_ms"),
            "gc_frozen_objects": {
                "start": self.stats_start.get("gc_frozen_objects"),
                "end": self.stats_end.get("gc_frozen_objects"),
            },
            "timeline": [{"s": round(s, 1), "cycles": c, "rss_mb": round(r / 1e6, 1)}
                         for s, c, r in self.timeline],
        }


class Phones:
    """Standing phones and reconnecting phones against one event."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.url = f"ws://{HOST}:{server.port}/ws/{server.code}?role=participant"
        self.cycles = 0
        self.failures = 0
        self.standing: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []

    async def cookie(self, index: int) -> str:
        status, headers, _ = await http_get(
            HOST, self.server.port, f"/j/{self.server.code}", source_address(index)
        )
        if status != 200:
            raise RuntimeError(f"join page answered {status}")
        return cookie_from(headers)

    async def reload(self, cookie: str, index: int) -> None:
        path = f"/j/{self.server.code}"
        status, _, _ = await http_get(HOST, self.server.port, path, source_address(index), cookie)
        if status != 200:
            raise RuntimeError(f"join page answered {status}")

    async def open(self, cookie: str, index: int) -> ClientConnection:
        ws = await connect(
            self.url, additional_headers={"Cookie": cookie}, compression=None,
            open_timeout=30, ping_interval=None, max_queue=None,
            local_addr=(source_address(index), 0),
        )
        for expected in ("welcome", "state"):
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message["type"] != expected:
                raise RuntimeError(f"expected {expected}, got {message}")
        return ws

    async def stand(self, count: int) -> None:
        gate = asyncio.Semaphore(100)

        async def one(index: int) -> None:
            async with gate:
                ws = await self.open(await self.cookie(index), index)
            self.standing.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws)))

        await asyncio.gather(*(one(i) for i in range(count)))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for _ in ws:
                pass
        except ConnectionClosed:
            return

    async def churn(self, clients: int, hold: float, until: Any) -> None:
        """`clients` phones reconnect over and over until `until(cycles)` says stop."""
        cookies = [await self.cookie(i) for i in range(clients)]

        async def client(worker: int) -> None:
            # Spread over eight source addresses: no run-out of ephemeral ports.
            index = 4000 * (worker % 8 + 1)
            turn = 0
            while not until(self.cycles):
                turn += 1
                try:
                    if turn % 10 == 0:  # now and then the phone reloads the page
                        await self.reload(cookies[worker], index)
                    ws = await self.open(cookies[worker], index)
                except (OSError, RuntimeError, ConnectionClosed, TimeoutError):
                    self.failures += 1
                    await asyncio.sleep(0.05)
                    continue
                # Connected long enough to outlive a freeze of the server's collector.
                await asyncio.sleep(hold * (0.5 + random.random()))
                if turn % 4 == 0:
                    ws.transport.abort()  # the network went away: no closing handshake
                else:
                    await ws.close()
                self.cycles += 1

        await asyncio.gather(*(client(w) for w in range(clients)))

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.standing), return_exceptions=True)


async def settle(server: Server, seconds: float = 1.0) -> None:
    """Let the server finish closing the last sockets (and its clock freeze or collect)."""
    await asyncio.sleep(seconds)


async def measure(
    server: Server, standing: int, clients: int, hold: float, warmup: int, cycles: int,
    minutes: float, progress: bool = False,
) -> Churn:
    result = Churn(standing, clients)
    phones = Phones(server)
    await phones.stand(standing)
    await phones.churn(clients, hold, lambda done: done >= warmup)
    result.warmup_cycles = phones.cycles
    await settle(server)
    result.rss_start = server.memory("VmRSS")
    result.stats_start = await admin_stats(server)
    phones.cycles = 0
    started = time.monotonic()
    deadline = started + 60 * minutes if minutes else None

    def done(count: int) -> bool:
        if deadline is not None:
            return time.monotonic() >= deadline
        return count >= cycles

    async def sample() -> None:
        while True:
            await asyncio.sleep(5 if minutes < 2 else 30)
            point = (time.monotonic() - started, phones.cycles, server.memory("VmRSS"))
            result.timeline.append(point)
            if progress:
                print(f"  {point[0]:6.0f} s {point[1]:8} cycles  RSS {point[2] / 1e6:7.1f} MB",
                      file=sys.stderr, flush=True)

    sampler = asyncio.create_task(sample())
    try:
        await phones.churn(clients, hold, done)
    finally:
        sampler.cancel()
    result.seconds = time.monotonic() - started
    result.cycles, result.failures = phones.cycles, phones.failures
    await settle(server)
    result.rss_end = server.memory("VmRSS")
    result.rss_peak = server.memory("VmHWM")
    result.stats_end = await admin_stats(server)
    await phones.close()
    return result


def run(
    standing: int = 500, clients: int = 200, hold: float = 0.5, warmup: int = 2000,
    cycles: int = 20000, minutes: float = 0.0, progress: bool = False, pinned: bool = True,
) -> Churn:
    """Start a server on a fresh database, churn against it, stop it; the figures."""
    import tempfile

    os.environ.update(ENVIRONMENT)
    raise_file_limit()
    with tempfile.TemporaryDirectory(prefix="voting-churn-") as folder:
        server = start_app(Path(folder), free_port())
        if not pinned:  # in the test suite: share both cores with whatever else runs
            os.sched_setaffinity(server.process.pid, range(os.cpu_count() or 1))
        try:
            return asyncio.run(
                measure(server, standing, clients, hold, warmup, cycles, minutes, progress)
            )
        finally:
            server.stop()


def report(figures: dict[str, Any]) -> str:
    rss, frozen = figures["rss_mb"], figures["gc_frozen_objects"]
    return "\n".join([
        f"{figures['standing']} standing phones, {figures['clients']} reconnecting phones, "
        f"{figures['warmup_cycles']} warm-up cycles",
        f"cycles                      {figures['cycles']} in {figures['seconds']} s "
        f"({figures['cycles_per_second']}/s), {figures['failures']} failed",
        f"RSS after warm-up / end / peak   {rss['start']} / {rss['end']} / {rss['peak']} MB",
        f"bytes per connect/disconnect     {figures['bytes_per_cycle']}",
        f"longest loop stall / GC pause    {figures['longest_loop_stall_ms']} / "
        f"{figures['longest_gc_pause_ms']} ms",
        f"frozen objects after warm-up / end   {frozen['start']} / {frozen['end']}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=0.0, help="churn this long")
    parser.add_argument("--cycles", type=int, default=20000, help="…or this many cycles")
    parser.add_argument("--warmup", type=int, default=2000, help="cycles before measuring")
    parser.add_argument("--standing", type=int, default=500, help="phones connected throughout")
    parser.add_argument("--clients", type=int, default=200, help="phones reconnecting at once")
    parser.add_argument("--hold", type=float, default=0.5, help="seconds a reconnect stays (±50 %%)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    pin(0, 1)
    result = run(
        args.standing, args.clients, args.hold, args.warmup, args.cycles, args.minutes, True
    )
    figures = result.summary()
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
