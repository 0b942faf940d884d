"""The benchmark: a whole hall votes at once, against `voting serve` and against the baseline.

    python bench/run.py                         # N=1000, 5 s burst, app and baseline
    python bench/run.py -n 10000                # the keynote hall
    python bench/run.py -n 2000 --live-results  # results pushed to every phone while voting
    python bench/run.py -n 200 --burst 1 --target app --json out.json

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
import gc
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Crowd, Run, cookie_from, http_get  # noqa: E402

HOST = "127.0.0.1"
BENCH = Path(__file__).resolve().parent
ADMIN_PASSWORD = "bench-admin-password"
BASELINE_CODE = "123456"
STATEMENTS = ["Eerste stelling van de benchmark.", "Tweede stelling.", "Derde stelling."]
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A server process under test and how to reach its event."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    code: str
    moderator_path: str
    db: str | None = None

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK

    def memory(self, key: str) -> int:
        """VmRSS or VmHWM (peak) in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no {key} for process {self.process.pid}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pin(pid: int, cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, {cpu})


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def wait_healthy(port: int, process: subprocess.Popen[bytes], limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            status, _, _ = asyncio.run(http_get(HOST, port, "/healthz", HOST))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start in {limit} s")


def start_app(folder: Path, port: int) -> Server:
    db = str(folder / "bench.db")
    statements = folder / "statements.txt"
    statements.write_text("\n".join(STATEMENTS), encoding="utf-8")
    env = {**os.environ, "VOTING_ADMIN_PASSWORD": ADMIN_PASSWORD, "VOTING_DEMO": "false"}
    # Thousands of phones join from a few loopback addresses: not a script to refuse.
    env["VOTING_NEW_PARTICIPANTS_BURST"] = "1000000"
    created = subprocess.run(
        [sys.executable, "-m", "voting", "event", "create", "--title", "Benchmark",
         "--statements", str(statements), "--db", db, "--json",
         "--public-url", f"http://{HOST}:{port}"],
        check=True, capture_output=True, env=env,
    )
    links = json.loads(created.stdout)
    process = subprocess.Popen(
        [sys.executable, "-m", "voting", "serve", "--host", HOST, "--port", str(port), "--db", db],
        env=env, stdout=subprocess.DEVNULL,
    )
    pin(process.pid, 0)
    wait_healthy(port, process)
    moderator_path = links["moderator_url"].split(f"{port}", 1)[1]
    return Server("app", process, port, links["code"], moderator_path, db)


def start_baseline(port: int) -> Server:
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "baseline.py"), "--host", HOST, "--port", str(port),
         "--code", BASELINE_CODE, "--statements", str(len(STATEMENTS))],
        stdout=subprocess.DEVNULL,
    )
    pin(process.pid, 0)
    wait_healthy(port, process)
    return Server("baseline", process, port, BASELINE_CODE, f"/m/{BASELINE_CODE}?token=baseline")


async def admin_stats(server: Server) -> dict[str, Any]:
    """The server's own figures (event-loop stalls, GC pauses): /admin/stats."""
    cookie = ""
    if server.name == "app":
        cookie = await login(server.port)
    status, _, body = await http_get(HOST, server.port, "/admin/stats", HOST, cookie)
    return dict(json.loads(body)) if status == 200 else {}


async def login(port: int) -> str:
    form = f"password={ADMIN_PASSWORD}".encode()
    status, headers, _ = await http_get(HOST, port, "/admin/login", HOST, form=form)
    if status != 303 or "set-cookie" not in headers:
        raise RuntimeError(f"admin login failed ({status})")
    return headers["set-cookie"].split(";", 1)[0].strip()


def votes_stored(server: Server, statement: int) -> int:
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
    crowd = Crowd(HOST, server.port, server.code, n)
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
    cpu2 = server.cpu_seconds()
    await crowd.burst(statement, burst)
    result.server_cpu_burst = server.cpu_seconds() - cpu2
    await crowd.next_statement()
    result.stats = await admin_stats(server)
    result.rss_peak = server.memory("VmHWM")
    result.server_cpu_total = server.cpu_seconds() - cpu0
    gc.enable()
    gc.unfreeze()
    await crowd.close()
    result.votes_stored = await asyncio.to_thread(votes_stored, server, statement)
    return result


def run_target(target: str, n: int, burst: float, live_results: bool) -> Result:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="voting-bench-") as folder:
        server = start_app(Path(folder), port) if target == "app" else start_baseline(port)
        try:
            return asyncio.run(scenario(server, n, burst, live_results))
        finally:
            server.stop()


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
        "rss_mb": {
            "before": round(result.rss_before / 1e6, 1),
            "connected": round(result.rss_connected / 1e6, 1),
            "peak": round(result.rss_peak / 1e6, 1),
        },
        "rss_per_connection_kb": round(result.rss_per_connection / 1e3, 1),
        "longest_loop_stall_ms": result.stats.get("longest_loop_stall_ms"),
        "longest_gc_pause_ms": result.stats.get("longest_gc_pause_ms"),
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
    ("RSS before/connected/peak MB",
     lambda s: "{before} / {connected} / {peak}".format(**s["rss_mb"])),
    ("RSS per connection kB", lambda s: str(s["rss_per_connection_kb"])),
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
    if "app" in by_target and "baseline" in by_target:
        app, base = by_target["app"], by_target["baseline"]
        lines += ["", "ratios app / baseline:"]
        for label, key in (
            ("p99 vote→projector", lambda s: s["vote_to_projector_ms"]["p99"]),
            ("p99 vote→ack", lambda s: s["vote_to_ack_ms"]["p99"]),
            ("p99 next→phones", lambda s: s["next_to_phones_ms"]["p99"]),
            ("CPU per vote", lambda s: s["cpu_per_vote_us"]),
            ("memory per connection", lambda s: s["rss_per_connection_kb"]),
        ):
            lines.append(f"  {label:34}{_ratio(key(app), key(base)):>10}")
    return "\n".join(lines)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--participants", type=int, default=1000)
    parser.add_argument("--burst", type=float, default=5.0, help="seconds over which all vote")
    parser.add_argument("--live-results", action="store_true", help="results shown on phones")
    parser.add_argument("--target", choices=["both", "app", "baseline"], default="both")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    raise_file_limit()
    pin(0, 1)
    targets = ["app", "baseline"] if args.target == "both" else [args.target]
    summaries = []
    for target in targets:
        print(f"running {target} …", file=sys.stderr, flush=True)
        summaries.append(summary(run_target(target, args.participants, args.burst, args.live_results)))
    print(report(summaries))
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
