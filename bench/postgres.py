"""PostgreSQL for the benchmark: a fresh database per run, on a server given by URL or on
a throwaway cluster the bench starts itself (`--db postgresql://`, as tests/pg.py does).

Unlike the tests' cluster, this one keeps PostgreSQL's durable defaults (fsync on,
synchronous commit): the app acknowledges a vote only after its commit, on SQLite with
`synchronous=FULL`, and the figures compare like with like. The cluster is pinned to the
servers' core (CPU 0), and its CPU counts in the servers' CPU per vote.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from servers import HOST, free_port, pin  # noqa: E402

from tests.pg import postgres_bin  # noqa: E402

_databases = itertools.count(1)


def _run(command: list[str], cwd: Path) -> None:
    # As root, as the `postgres` user: PostgreSQL refuses to run as root.
    root = os.geteuid() == 0
    user: dict[str, Any] = {"user": "postgres", "group": "postgres", "extra_groups": []} if root else {}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, **user)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr or result.stdout}")


@dataclass
class Postgres:
    url: str  # the server: postgresql://user@host:port/maintenance-database
    pid: int | None = None  # the postmaster, when the bench started it

    @contextmanager
    def database(self) -> Iterator[str]:
        """A fresh, empty database for one run, dropped afterwards."""
        name = f"voting_bench_{next(_databases)}_{secrets.token_hex(3)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = self.url.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres(url: str) -> Iterator[Postgres]:
    """The server at `url`; `postgresql://` alone: a cluster of our own, removed afterwards."""
    if url.rstrip("/") != "postgresql:":
        yield Postgres(url)
        return
    bindir = postgres_bin()
    if bindir is None:
        raise SystemExit("no PostgreSQL (initdb): apt-get install --no-install-recommends postgresql")
    root = Path(tempfile.mkdtemp(prefix="voting-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        _run([*initdb, "--encoding=UTF8", "--locale=C"], root)
        options = f"-p {port} -k {root} -c listen_addresses={HOST} -c max_connections=200"
        options += " " + os.environ.get("VOTING_BENCH_PG_OPTIONS", "")  # e.g. to profile it
        pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options]
        _run([*pg_ctl, "-w", "-t", "30", "start"], root)
        pid = int((data / "postmaster.pid").read_text().split()[0])
        pin(pid, 0)  # its backends, forked later, inherit the core
        yield Postgres(f"postgresql://postgres@{HOST}:{port}/postgres", pid)
    finally:
        if (data / "postmaster.pid").exists():
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], root)
        shutil.rmtree(root, ignore_errors=True)
