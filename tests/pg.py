"""A throwaway PostgreSQL server for the tests: a private cluster in a temporary directory.

`initdb` and `pg_ctl` from Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`,
or anything on PATH) start one cluster per test session on a free port, with fsync off and
its unix socket inside the temporary directory, so it never meets a system cluster. As root
the server runs as the `postgres` user (PostgreSQL refuses to run as root). Without
PostgreSQL the tests that use it are skipped, unless CI is set: then they fail.

Use it from a conftest or a test module by importing the fixtures:

    from tests.pg import postgres_database, postgres_url  # noqa: F401

`postgres_url` is the session's server (database `postgres`, user `postgres`, no password);
`postgres_database` is a fresh, empty database per test, dropped afterwards;
`fresh_voting_database(url)` a fresh database with voting's schema already in place
(copied from a template migrated once per session: CREATE DATABASE … TEMPLATE is fast).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"
_databases = itertools.count(1)


def postgres_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres (the newest Debian version first)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    candidates.sort(key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> dict[str, Any]:
    """subprocess arguments that drop root to `postgres` (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, and there is no `postgres` user to run PostgreSQL as") from None
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _run(command: list[str], cwd: Path, **kwargs: Any) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr or result.stdout}")


class Cluster:
    """One private PostgreSQL cluster: `start()`, `url`, `stop()` (which also removes it)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="voting-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = _as_server_user()
        if self.user:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/postgres"

    def start(self) -> None:
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres"]
        _run([*initdb, "--auth=trust", "--encoding=UTF8", "--no-sync", "--locale=C"], self.root, **self.user)
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={HOST} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.root / "server.log")
        pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options]
        _run([*pg_ctl, "-w", "-t", "30", "start"], self.root, **self.user)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w"]
                _run([*pg_ctl, "stop"], self.root, **self.user)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server of our own for this test session."""
    bindir = postgres_bin()
    if bindir is None:
        message = "no PostgreSQL (initdb): apt-get install --no-install-recommends postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(bindir)
    try:
        cluster.start()
    except RuntimeError as error:
        cluster.stop()
        pytest.fail(f"could not start PostgreSQL: {error}\n{cluster.log()}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_TEMPLATE = "voting_template"
_templates: set[str] = set()


def fresh_voting_database(server_url: str) -> str:
    """A new database on the server, with voting's schema (from a template migrated once per
    session): its URL. `drop_database(url)` removes it."""
    import psycopg

    from voting.store import Store

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(server_url, autocommit=True) as connection:
        if server_url not in _templates:
            connection.execute(f'DROP DATABASE IF EXISTS "{_TEMPLATE}"')
            connection.execute(f'CREATE DATABASE "{_TEMPLATE}"')
            Store(f"{base}/{_TEMPLATE}").close()
            _templates.add(server_url)
        name = f"test_{os.getpid()}_{next(_databases)}"
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    import psycopg

    server_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
