"""The servers under test: one `voting serve`, several on one database, or the baseline.

Every server process is pinned to CPU 0 (the load generator pins itself to CPU 1), so a
run on two processes has the same core as a run on one: the ratios between them say what
spreading an event over processes costs, not what a second core buys.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from load import http_get

HOST = "127.0.0.1"
BENCH = Path(__file__).resolve().parent
ADMIN_PASSWORD = "bench-admin-password"
BASELINE_CODE = "123456"
STATEMENTS = ["Eerste stelling van de benchmark.", "Tweede stelling.", "Derde stelling."]
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_cpu(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process (with `children`: also of its reaped children)."""
    fields = _stat(pid)
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICK


def children_cpu(parent: int) -> float:
    """CPU seconds of the live children of a process (PostgreSQL's backends)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
                if int(fields[1]) == parent:
                    total += (int(fields[11]) + int(fields[12])) / CLOCK_TICK
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return total


@dataclass
class Server:
    """The server processes under test (the first serves projector and moderator) and how
    to reach their event."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    code: str
    moderator_path: str
    db: str | None = None  # a SQLite file or a postgresql:// URL
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    other_ports: list[int] = field(default_factory=list)
    database_pid: int | None = None  # a PostgreSQL server's postmaster: its CPU counts too

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [self.process, *self.others]

    @property
    def ports(self) -> list[int]:
        return [self.port, *self.other_ports]

    def cpu_seconds(self) -> float:
        return sum(self.cpu_parts().values())

    def cpu_parts(self) -> dict[str, float]:
        """CPU seconds of each server process ("process 1", …) and of the database cluster."""
        parts = {f"process {i}": process_cpu(p.pid) for i, p in enumerate(self.processes, 1)}
        if self.database_pid is not None:
            parts["database"] = process_cpu(self.database_pid, children=True) + children_cpu(
                self.database_pid
            )
        return parts

    def memory(self, key: str) -> int:
        """VmRSS or VmHWM (peak) in bytes, summed over the server processes."""
        total = 0
        for process in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith(f"{key}:"):
                    total += int(line.split()[1]) * 1024
                    break
            else:
                raise RuntimeError(f"no {key} for process {process.pid}")
        return total

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def free_port() -> int:
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
            # A port taken by another program meanwhile may accept and never answer.
            status, _, _ = asyncio.run(asyncio.wait_for(http_get(HOST, port, "/healthz", HOST), 5))
            if status == 200:
                return
        except (OSError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start in {limit} s")


def start_app(folder: Path, port: int, processes: int = 1, db: str | None = None) -> Server:
    """`voting serve` on a fresh database: one process, or `processes` on as many ports
    sharing the database (a SQLite file in `folder`, or the PostgreSQL database `db`) with
    the bus that database implies, as `voting serve --workers N` runs them."""
    db = db or str(folder / "bench.db")
    statements = folder / "statements.txt"
    statements.write_text("\n".join(STATEMENTS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOTING_")}
    env.update(VOTING_ADMIN_PASSWORD=ADMIN_PASSWORD, VOTING_DEMO="false")
    # Thousands of phones join from a few loopback addresses: not a script to refuse.
    env["VOTING_NEW_PARTICIPANTS_BURST"] = "1000000"
    if processes > 1 and not db.startswith("postgresql://"):
        env["VOTING_BUS"] = f"sqlite:///{Path(db).resolve()}"  # what --workers sets
    created = subprocess.run(
        [sys.executable, "-m", "voting", "event", "create", "--title", "Benchmark",
         "--statements", str(statements), "--db", db, "--json",
         "--public-url", f"http://{HOST}:{port}"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    links = json.loads(created.stdout)
    ports = [port, *(free_port() for _ in range(processes - 1))]
    started = []
    for each in ports:
        process = subprocess.Popen(
            [sys.executable, "-m", "voting", "serve", "--host", HOST, "--port", str(each), "--db", db],
            env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        pin(process.pid, 0)
        started.append(process)
    for each, process in zip(ports, started, strict=True):
        wait_healthy(each, process)
    moderator_path = links["moderator_url"].split(f"{port}", 1)[1]
    return Server("app", started[0], port, links["code"], moderator_path, db, started[1:], ports[1:])


def start_baseline(port: int) -> Server:
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "baseline.py"), "--host", HOST, "--port", str(port),
         "--code", BASELINE_CODE, "--statements", str(len(STATEMENTS))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    pin(process.pid, 0)
    wait_healthy(port, process)
    return Server("baseline", process, port, BASELINE_CODE, f"/m/{BASELINE_CODE}?token=baseline")
