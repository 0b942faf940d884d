"""Does the opinion map stall the event loop? The same 10,000-phone vote burst twice: once
with nobody looking at the map, once with the map open on a console (polling
/m/<code>/map.json every 3 s, as the console does), and the event loop's longest stall of
each run side by side.

    .venv/bin/python bench/map_stall.py                 # 10,000 phones, 5 s burst
    .venv/bin/python bench/map_stall.py -n 2000 --prefill 2000

The event has 30 statements. Before the server starts, `--prefill` participants (default
10,000) have voted on statements 2–30 in three planted opinion groups (written straight
into SQLite), so the map is a real computation: during the burst the server maps
prefill + N participants × 30 statements, again whenever the votes changed and 3 s passed.
Then N phones join (bench/load.py: as browsers do), the moderator opens statement 1, every
phone votes once within the burst, and the moderator moves on.

    .venv/bin/python bench/map_stall.py --loop-only     # just the in-process check below

First, without a network: an event loop that wakes every 5 ms while a map of
prefill + N participants × 30 statements is computed — in a thread (the GIL shared), then in
the server's worker process (voting.web.opinion.offload) — and how late the loop woke at
worst.

Two readings of the stall per server run:
- the server's own, from /admin/stats (`longest_loop_stall_ms`: the hub clock's latest
  wake-up, over the whole run: joining, burst and the next statement);
- a probe: projector sockets that send a ping every 31 ms in turn during the burst; the longest
  ping → pong is how long the loop left a message waiting (stall plus queueing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import connect

from voting.analysis.event import MapInput
from voting.web.opinion import build, offload

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Crowd, cookie_from, http_get  # noqa: E402
from run import (  # noqa: E402
    ADMIN_PASSWORD,
    HOST,
    Server,
    admin_stats,
    free_port,
    pin,
    raise_file_limit,
    wait_healthy,
)

STATEMENTS = 30
POLL_SECONDS = 3.0  # as static/js/opinion_map.js
PROBES, PROBE_EVERY = 8, 0.25  # a ping every 31 ms in all
OPTIONS = {1: "agree", 0: "neutral", -1: "disagree"}


@dataclass
class Outcome:
    with_map: bool
    stall_ms: float = 0.0
    stall_before_ms: float = 0.0  # the same, read just before the burst
    gc_pause_ms: float = 0.0
    probe_max_ms: float = 0.0
    probe_p99_ms: float = 0.0
    votes_acked: int = 0
    maps: list[dict[str, Any]] = field(default_factory=list)  # each poll: status, seconds, participants


def prefill(db: str, participants: int, seed: int = 0) -> None:
    """`participants` voters on statements 2–30: three planted groups, 60% of the
    statements each, 20% of the votes at random."""
    conn = sqlite3.connect(db)
    try:
        event_id = conn.execute("SELECT id FROM events").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT id FROM statements ORDER BY position")][1:]
        rng = np.random.default_rng(seed)
        stances = rng.choice([-1, 1], size=(3, len(ids)))
        group = rng.integers(0, 3, size=participants)
        voted = rng.random((participants, len(ids))) < 0.6
        noisy = rng.random((participants, len(ids))) < 0.2
        values = np.where(noisy, rng.integers(-1, 2, size=(participants, len(ids))), stances[group])
        now = "2026-01-01T20:00:00+00:00"
        conn.executemany(
            "INSERT INTO participants (event_id, id, joined_at) VALUES (?, ?, ?)",
            ((event_id, f"seed{i}", now) for i in range(participants)),
        )
        conn.executemany(
            "INSERT INTO votes (statement_id, participant_id, round, option, cast_at) VALUES (?, ?, 1, ?, ?)",
            (
                (ids[j], f"seed{i}", OPTIONS[int(values[i, j])], now)
                for i, j in zip(*np.nonzero(voted), strict=True)
            ),
        )
        conn.commit()
    finally:
        conn.close()


def start(folder: Path, port: int, seeded: int) -> Server:
    db = str(folder / "map.db")
    texts = folder / "statements.txt"
    texts.write_text(
        "\n".join(f"Stelling {i + 1} van de kaart." for i in range(STATEMENTS)), encoding="utf-8"
    )
    env = {**os.environ, "VOTING_ADMIN_PASSWORD": ADMIN_PASSWORD, "VOTING_DEMO": "false"}
    env["VOTING_NEW_PARTICIPANTS_BURST"] = "1000000"
    created = subprocess.run(
        [sys.executable, "-m", "voting", "event", "create", "--title", "Kaart", "--statements", str(texts),
         "--db", db, "--json", "--public-url", f"http://{HOST}:{port}"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    links = json.loads(created.stdout)
    prefill(db, seeded)
    process = subprocess.Popen(
        [sys.executable, "-m", "voting", "serve", "--host", HOST, "--port", str(port), "--db", db],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    pin(process.pid, 0)
    wait_healthy(port, process)
    return Server("app", process, port, links["code"], links["moderator_url"].split(f"{port}", 1)[1], db)


async def poll_map(server: Server, cookie: str, outcome: Outcome, stop: asyncio.Event) -> None:
    """The console with the map open: a GET every POLL_SECONDS, `since` the last map."""
    since = ""
    while not stop.is_set():
        started = time.monotonic()
        path = f"/m/{server.code}/map.json" + (f"?since={since}" if since else "")
        status, _, body = await http_get(HOST, server.port, path, HOST, cookie)
        entry: dict[str, Any] = {"status": status, "wait": round(time.monotonic() - started, 3)}
        if status == 200:
            data = json.loads(body)
            since = str(data["computed_at"])
            entry.update(map=data["status"], participants=data["participants"], seconds=data.get("seconds"))
        outcome.maps.append(entry)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, POLL_SECONDS - (time.monotonic() - started)))


async def probe(server: Server, delays: list[float], stop: asyncio.Event, offset: float) -> None:
    """Ping → pong round trips on one projector socket until `stop` (a projector may send
    5 messages a second: PROBES sockets take turns)."""
    async with connect(f"ws://{HOST}:{server.port}/ws/{server.code}?role=projector", max_size=None) as ws:
        await asyncio.sleep(offset)
        while not stop.is_set():
            sent = time.monotonic()
            await ws.send(json.dumps({"type": "ping"}))
            while (kind := json.loads(await ws.recv()).get("type")) != "pong":
                if kind == "error":
                    raise RuntimeError("the probe was refused (rate limit)")
            delays.append(time.monotonic() - sent)
            await asyncio.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - sent)))


async def scenario(server: Server, n: int, burst: float, with_map: bool) -> Outcome:
    outcome = Outcome(with_map)
    status, headers, _ = await http_get(HOST, server.port, server.moderator_path, HOST)
    if status != 303:
        raise RuntimeError(f"moderator link answered {status}")
    cookie = cookie_from(headers)
    stop_map, stop_probe = asyncio.Event(), asyncio.Event()
    tasks = []
    if with_map:  # the console opened the map before the room arrived, and keeps it open
        tasks.append(asyncio.create_task(poll_map(server, cookie, outcome, stop_map)))
    crowd = Crowd(HOST, server.port, server.code, n)
    say("phones joining")
    await crowd.connect_all(cookie)
    gc.collect()
    gc.freeze()
    gc.disable()
    await asyncio.sleep(1.0)
    say("opening the statement")
    statement = await crowd.open_first_statement(False)
    delays: list[float] = []
    probers = [
        asyncio.create_task(probe(server, delays, stop_probe, i * PROBE_EVERY / PROBES))
        for i in range(PROBES)
    ]
    await asyncio.sleep(PROBE_EVERY)
    before = await admin_stats(server)
    outcome.stall_before_ms = float(before.get("longest_loop_stall_ms", float("nan")))
    say("the burst")
    await crowd.burst(statement, burst)
    stop_probe.set()
    await asyncio.gather(*probers)
    await asyncio.sleep(2 * POLL_SECONDS)  # the map catches up with the burst's votes
    say("next statement")
    await crowd.next_statement()
    stats = await admin_stats(server)
    stop_map.set()
    await asyncio.gather(*tasks)
    gc.enable()
    gc.unfreeze()
    await crowd.close()
    outcome.stall_ms = float(stats.get("longest_loop_stall_ms", float("nan")))
    outcome.gc_pause_ms = float(stats.get("longest_gc_pause_ms", float("nan")))
    ordered = sorted(delays)
    outcome.probe_max_ms = round(1000 * ordered[-1], 1) if ordered else float("nan")
    outcome.probe_p99_ms = (
        round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1) if ordered else float("nan")
    )
    outcome.votes_acked = crowd.run.votes_acked
    return outcome


def map_input(participants: int, seed: int = 0) -> MapInput:
    """Random votes on STATEMENTS statements, 60% of them each."""
    rng = np.random.default_rng(seed)
    voted = rng.random((STATEMENTS, participants)) < 0.6
    values = rng.integers(-1, 2, size=(STATEMENTS, participants))
    choices = tuple(
        (j, "agree3", {f"p{i}": OPTIONS[int(values[j, i])] for i in np.flatnonzero(voted[j])})
        for j in range(STATEMENTS)
    )
    statements = tuple(
        {"id": j, "position": j, "scale": "agree3", "text": f"Stelling {j}", "translations": {}}
        for j in range(STATEMENTS)
    )
    return MapInput(1, statements, choices, {}, (), 5, None)


async def lateness(compute: Any, data: MapInput) -> tuple[float, float]:
    """(seconds the computation took, the loop's latest wake-up in ms) while it runs in a
    thread of this process; `compute` decides where the work happens."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1) as pool:
        running = loop.run_in_executor(pool, compute, data)
        started, worst = time.perf_counter(), 0.0
        while not running.done():
            asleep = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - asleep - 0.005)
        await running
    return time.perf_counter() - started, 1000 * worst


async def loop_check(participants: int, repeat: int = 3) -> str:
    data = map_input(participants)
    await lateness(offload, data)  # the worker process starts (imports) once
    title = f"event loop while a {participants:,} × {STATEMENTS} map is computed"
    lines = [f"{title} ({repeat} times: the fastest run, the latest wake-up of all):"]
    for label, compute in [("in a thread", build), ("in the worker process", offload)]:
        runs = [await lateness(compute, data) for _ in range(repeat)]
        seconds, worst = min(r[0] for r in runs), max(r[1] for r in runs)
        lines.append(f"  {label:<24} {seconds:6.2f} s, the loop woke at worst {worst:6.1f} ms late")
    return "\n".join(lines)


def say(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def run(n: int, seeded: int, burst: float, with_map: bool) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="voting-map-") as folder:
        server = start(Path(folder), free_port(), seeded)
        try:
            return asyncio.run(scenario(server, n, burst, with_map))
        finally:
            server.stop()


def report(n: int, seeded: int, without: Outcome, with_map: Outcome) -> str:
    computed = [m for m in with_map.maps if m.get("seconds") is not None]
    lines = [
        f"{n:,} phones vote within the burst; {seeded:,} earlier voters on 29 statements",
        f"{'':<40}{'without map':>14}{'map open':>14}{'difference':>14}",
    ]
    rows = [
        ("longest loop stall before the burst (ms)", "stall_before_ms"),
        ("longest loop stall, whole run (ms)", "stall_ms"),
        ("longest GC pause, server (ms)", "gc_pause_ms"),
        ("ping → pong during burst, max (ms)", "probe_max_ms"),
        ("ping → pong during burst, p99 (ms)", "probe_p99_ms"),
    ]
    for label, key in rows:
        a, b = getattr(without, key), getattr(with_map, key)
        lines.append(f"{label:<40}{a:>14.1f}{b:>14.1f}{b - a:>+14.1f}")
    lines.append(f"{'votes acknowledged':<40}{without.votes_acked:>14}{with_map.votes_acked:>14}")
    lines.append(
        f"maps served while open: {len(with_map.maps)} polls, {len(computed)} new maps, largest "
        f"{max((m['participants'] for m in computed), default=0):,} participants, computed in "
        f"{max((m['seconds'] for m in computed), default=0):.2f} s at most (worker process)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--participants", type=int, default=10_000)
    parser.add_argument("--prefill", type=int, default=10_000)
    parser.add_argument("--burst", type=float, default=5.0)
    parser.add_argument("--loop-only", action="store_true", help="only the in-process check")
    args = parser.parse_args(argv)
    print(asyncio.run(loop_check(args.participants + args.prefill)), flush=True)
    if args.loop_only:
        return 0
    raise_file_limit()
    pin(0, 1)
    outcomes = []
    for with_map in (False, True):
        print(f"running {'with' if with_map else 'without'} the map …", file=sys.stderr, flush=True)
        outcomes.append(run(args.participants, args.prefill, args.burst, with_map))
    print(report(args.participants, args.prefill, *outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
