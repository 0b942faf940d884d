"""The benchmark: a whole hall votes at once, against `voting serve` and against the baseline.

    python bench/run.py                         # N=1000, 5 s burst, app and baseline
    python bench/run.py -n 10000                # the keynote hall
    python bench/run.py -n 2000 --live-results  # results pushed to every phone while voting
    python bench/run.py -n 200 --burst 1 --target app --json out.json
    python bench/run.py -n 2000 --workers 2 --db postgresql://   # 1 process, 2 on SQLite,
                                                # 2 on a throwaway PostgreSQL, the baseline

For each target it starts the server on a fresh database (pinned to CPU 0; the load
generator pins itself to CPU 1), lets N phones join exactly as browsers do, has the
moderator open a statement, lets every phone vote once within the burst, moves to the
next statement, and prints what it measured. The baseline (bench/baseline.py) is the bare
stack speaking the same protocol with no storage and no auth; the ratios app/baseline say
what the app itself costs. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Crowd, Run, cookie_from, http_get  # noqa: E402
from servers import (  # noqa: E402, F401 (re-exported for churn.py and map_stall.py)
    ADMIN_PASSWORD,
    BASELINE_CODE,
    BENCH,
    HOST,
    STATEMENTS,
    Server,
    free_port,
    pin,
    raise_file_limit,
    start_app,
    start_baseline,
    wait_healthy,
)


@dataclass(frozen=True)
class Target:
    """What runs: the app on `processes` processes (on SQLite, or PostgreSQL), or the baseline."""

    name: str
    processes: int = 1
    postgres: bool = False

    @property
    def baseline(self) -> bool:
        return self.name == "baseline"


@dataclass
class Result:
    target: str
    participants: int
    burst: float
    live_results: bool
    run: Run
    votes_stored: int = 0
    server_cpu_connect: float = 0.0
    server_cpu_burst: float = 0.0
    server_cpu_total: float = 0.0
    server_cpu_burst_parts: dict[str, float] = field(default_factory=dict)
    burst_commits: int = 0
    burst_refreshes: int = 0
    rss_before: int = 0
    rss_connected: int = 0
    rss_peak: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def rss_per_connection(self) -> float:
        return (self.rss_connected - self.rss_before) / max(1, self.participants)

    @property
    def cpu_per_vote(self) -> float:
        return self.server_cpu_burst / max(1, self.run.votes_sent)


async def admin_stats(server: Server, port: int | None = None) -> dict[str, Any]:
    """The server's own figures (event-loop stalls, GC pauses, its writer's commits):
    /admin/stats of the first process, or of the one on `port`."""
    if server.name == "baseline":
        return {}
    port = port or server.port
    status, _, body = await http_get(HOST, port, "/admin/stats", HOST, await login(port))
    return dict(json.loads(body)) if status == 200 else {}


async def commits(server: Server) -> tuple[int, int]:
    """Transactions committed so far by the writers of all the server's processes, and
    the refreshes of their relays (reads of another process's changes)."""
    figures = [await admin_stats(server, port) for port in server.ports]
    return (
        sum(int(f.get("writer", {}).get("commits", 0)) for f in figures),
        sum(int(f.get("relay", {}).get("refreshes", 0)) for f in figures),
    )


async def login(port: int) -> str:
    form = f"password={ADMIN_PASSWORD}".encode()
    status, headers, _ = await http_get(HOST, port, "/admin/login", HOST, form=form)
    if status != 303 or "set-cookie" not in headers:
        raise RuntimeError(f"admin login failed ({status})")
    return headers["set-cookie"].split(";", 1)[0].strip()


def votes_stored(server: Server, statement: int) -> int:
    if server.db is not None and server.db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(server.db) as conn:
            row = conn.execute("SELECT count(*) FROM votes WHERE statement_id = %s", (statement,))
            return int(row.fetchone()[0])  # type: ignore[index]
    if server.db is not None:
        conn = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT count(*) FROM votes WHERE statement_id = ?", (statement,))
            return int(row.fetchone()[0])
        finally:
            conn.close()
    _, _, body = asyncio.run(http_get(HOST, server.port, f"/bench/counts/{server.code}", HOST))
    return int(json.loads(body).get(str(statement), 0))


async def scenario(server: Server, n: int, burst: float, live_results: bool) -> Result:
    result = Result(server.name, n, burst, live_results, Run(n))
    status, headers, _ = await http_get(HOST, server.port, server.moderator_path, HOST)
    if status != 303:
        raise RuntimeError(f"moderator link answered {status}")
    crowd = Crowd(HOST, server.port, server.code, n, server.ports)
    result.run = crowd.run
    cpu0 = server.cpu_seconds()
    result.rss_before = server.memory("VmRSS")
    await crowd.connect_all(cookie_from(headers))
    # The load generator's own collector would pause it (and skew what it measures) for
    # hundreds of milliseconds with 10,000 sockets: freeze its heap and pause collection
    # for the measured part of the run.
    gc.collect()
    gc.freeze()
    gc.disable()
    await asyncio.sleep(0.5)  # let the server settle (and GC) before measuring memory
    result.rss_connected = server.memory("VmRSS")
    cpu1 = server.cpu_seconds()
    result.server_cpu_connect = cpu1 - cpu0
    statement = await crowd.open_first_statement(live_results)
    committed = await commits(server)
    parts = server.cpu_parts()
    await crowd.burst(statement, burst)
    after = await commits(server)
    result.burst_commits, result.burst_refreshes = after[0] - committed[0], after[1] - committed[1]
    result.server_cpu_burst_parts = {
        name: seconds - parts[name] for name, seconds in server.cpu_parts().items()
    }
    result.server_cpu_burst = sum(result.server_cpu_burst_parts.values())
    await crowd.next_statement()
    result.stats = await admin_stats(server)
    result.rss_peak = server.memory("VmHWM")
    result.server_cpu_total = server.cpu_seconds() - cpu0
    gc.enable()
    gc.unfreeze()
    await crowd.close()
    result.votes_stored = await asyncio.to_thread(votes_stored, server, statement)
    return result


def run_target(
    target: str | Target, n: int, burst: float, live_results: bool, postgres: Any = None
) -> Result:
    """One scenario against a fresh server: `target` "app" or "baseline", or a Target;
    `postgres` (bench/postgres.py) for a Target on PostgreSQL."""
    target = target if isinstance(target, Target) else Target(target)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="voting-bench-") as folder, _database(target, postgres) as db:
        if target.baseline:
            server = start_baseline(port)
        else:
            server = start_app(Path(folder), port, target.processes, db)
            server.name = target.name
            if target.postgres:
                server.database_pid = postgres.pid
        try:
            return asyncio.run(scenario(server, n, burst, live_results))
        finally:
            server.stop()


@contextlib.contextmanager
def _database(target: Target, postgres: Any) -> Iterator[str | None]:
    if not target.postgres:
        yield None
        return
    with postgres.database() as url:
        yield url


# -- report -----------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def summary(result: Result) -> dict[str, Any]:
    run = result.run
    return {
        "target": result.target,
        "participants": result.participants,
        "burst_seconds": result.burst,
        "live_results": result.live_results,
        "connected": result.participants - run.connect_failures,
        "connect_seconds": round(run.connect_seconds, 2),
        "connect_failures": run.connect_failures,
        "votes_sent": run.votes_sent,
        "votes_acked": run.votes_acked,
        "votes_stored": result.votes_stored,
        "projector_final_total": run.projector_final,
        "errors": run.errors,
        "dropped": run.dropped,
        "phones_following_next": run.phones_following,
        "phone_tally_frames": run.phone_tallies,
        "vote_to_projector_ms": _ms(percentiles(run.projector_latencies)),
        "vote_to_ack_ms": _ms(percentiles(run.ack_latencies)),
        "next_to_phones_ms": _ms(percentiles(run.next_latencies)),
        "server_cpu_seconds": {
            "connect": round(result.server_cpu_connect, 2),
            "burst": round(result.server_cpu_burst, 2),
            "total": round(result.server_cpu_total, 2),
        },
        "cpu_per_vote_us": round(1e6 * result.cpu_per_vote, 1),
        "cpu_per_vote_parts_us": {
            name: round(1e6 * seconds / max(1, run.votes_sent), 1)
            for name, seconds in result.server_cpu_burst_parts.items()
        },
        "rss_mb": {
            "before": round(result.rss_before / 1e6, 1),
            "connected": round(result.rss_connected / 1e6, 1),
            "peak": round(result.rss_peak / 1e6, 1),
        },
        "rss_per_connection_kb": round(result.rss_per_connection / 1e3, 1),
        "longest_loop_stall_ms": result.stats.get("longest_loop_stall_ms"),
        "longest_gc_pause_ms": result.stats.get("longest_gc_pause_ms"),
        "burst_commits": result.burst_commits,
        "burst_refreshes": result.burst_refreshes,
    }


def _ms(values: dict[str, float]) -> dict[str, float]:
    return {k: round(1000 * v, 1) for k, v in values.items()}


ROWS = [
    ("connected", lambda s: f"{s['connected']} in {s['connect_seconds']} s"),
    ("votes sent / acked / stored",
     lambda s: f"{s['votes_sent']} / {s['votes_acked']} / {s['votes_stored']}"),
    ("projector final total", lambda s: str(s["projector_final_total"])),
    ("errors / dropped", lambda s: f"{s['errors']} / {s['dropped']}"),
    ("vote→projector p50/p95/p99/max ms", lambda s: _fmt(s["vote_to_projector_ms"])),
    ("vote→ack p50/p95/p99/max ms", lambda s: _fmt(s["vote_to_ack_ms"])),
    ("next→phones p50/p95/p99/max ms", lambda s: _fmt(s["next_to_phones_ms"])),
    ("phones following next", lambda s: str(s["phones_following_next"])),
    ("server CPU connect/burst/total s",
     lambda s: "{connect} / {burst} / {total}".format(**s["server_cpu_seconds"])),
    ("server CPU per vote µs", lambda s: str(s["cpu_per_vote_us"])),
    ("  of which each process, database µs",
     lambda s: " + ".join(f"{v:.0f}" for v in s.get("cpu_per_vote_parts_us", {}).values())),
    ("RSS before/connected/peak MB",
     lambda s: "{before} / {connected} / {peak}".format(**s["rss_mb"])),
    ("RSS per connection kB", lambda s: str(s["rss_per_connection_kb"])),
    ("commits / relay refreshes in the burst",
     lambda s: f"{s.get('burst_commits')} / {s.get('burst_refreshes')}"),
    ("longest loop stall / GC pause ms",
     lambda s: f"{s['longest_loop_stall_ms']} / {s['longest_gc_pause_ms']}"),
]


def _fmt(values: dict[str, float]) -> str:
    return " / ".join(f"{values[k]:.0f}" for k in ("p50", "p95", "p99", "max"))


def machine() -> str:
    from importlib.metadata import version

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown CPU",
    )
    packages = ", ".join(f"{name} {version(name)}" for name in ("starlette", "uvicorn", "websockets"))
    return f"{os.cpu_count()} × {cpu}; Python {sys.version.split()[0]}; {packages}"


def report(summaries: list[dict[str, Any]]) -> str:
    first = summaries[0]
    lines = [
        machine(),
        f"N = {first['participants']} phones, burst {first['burst_seconds']} s"
        + (", live results on every phone" if first["live_results"] else ""),
        "",
        f"{'':38}" + "".join(f"{s['target']:>28}" for s in summaries),
    ]
    for label, value in ROWS:
        lines.append(f"{label:38}" + "".join(f"{value(s):>28}" for s in summaries))
    by_target = {s["target"]: s for s in summaries}
    app = by_target.get("app")
    if app is not None and "baseline" in by_target:
        lines += ["", "ratios app / baseline:", *_ratios(app, by_target["baseline"])]
    for other in summaries:
        if app is not None and other["target"] not in ("app", "baseline"):
            lines += ["", f"ratios {other['target']} / app (one process):", *_ratios(other, app)]
    return "\n".join(lines)


RATIOS = (
    ("p99 vote→projector", lambda s: s["vote_to_projector_ms"]["p99"]),
    ("p99 vote→ack", lambda s: s["vote_to_ack_ms"]["p99"]),
    ("p99 next→phones", lambda s: s["next_to_phones_ms"]["p99"]),
    ("CPU per vote", lambda s: s["cpu_per_vote_us"]),
    ("memory per connection", lambda s: s["rss_per_connection_kb"]),
)


def _ratios(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [f"  {label:34}{_ratio(key(a), key(b)):>10}" for label, key in RATIOS]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--participants", type=int, default=1000)
    parser.add_argument("--burst", type=float, default=5.0, help="seconds over which all vote")
    parser.add_argument("--live-results", action="store_true", help="results shown on phones")
    parser.add_argument(
        "--target", choices=["both", "app", "baseline", "processes"], default="both",
        help="app: the app only; processes: only the runs on --workers processes",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="also run the app on N processes sharing one SQLite file (and PostgreSQL with --db); "
        "phones spread over them, projector and moderator on the one with the fewest phones",
    )  # fmt: skip
    parser.add_argument(
        "--db", metavar="URL",
        help="also run the app on --workers processes on PostgreSQL: a server's URL (a database "
        "is created and dropped for the run), or 'postgresql://' alone for a throwaway cluster",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.target == "processes" and args.workers < 2:
        parser.error("--target processes needs --workers 2 or more")
    if args.workers < 1 or (args.db is not None and not args.db.startswith("postgresql://")):
        parser.error("--workers is at least 1; --db takes a postgresql:// URL")
    raise_file_limit()
    pin(0, 1)
    targets: list[Target] = [Target("app")] if args.target in ("both", "app") else []
    if args.target != "baseline" and args.workers > 1:
        targets.append(Target(f"app {args.workers}×sqlite", args.workers))
    if args.target != "baseline" and args.db:
        targets.append(Target(f"app {args.workers}×postgresql", args.workers, postgres=True))
    if args.target in ("both", "baseline"):
        targets.append(Target("baseline"))
    summaries = []
    with contextlib.ExitStack() as stack:
        cluster = None
        if args.db:
            from postgres import postgres

            cluster = stack.enter_context(postgres(args.db))
        for target in targets:
            print(f"running {target.name} …", file=sys.stderr, flush=True)
            try:
                figures = run_target(target, args.participants, args.burst, args.live_results, cluster)
            except Exception as error:  # one target failing must not lose the others' figures
                print(f"{target.name} failed: {error!r}", file=sys.stderr, flush=True)
                continue
            summaries.append(summary(figures))
    if not summaries:
        return 1
    print(report(summaries))
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
