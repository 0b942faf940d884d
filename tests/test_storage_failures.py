"""Issue 9, items 3 and 4: a failing disk or database is said, not hidden.

These tests put the database on a small tmpfs of its own (`mount` needs root, as in CI),
then fill it up or make it read-only.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Env, join, moderate
from tests.test_sockets import connect, open_first, receive_until
from voting import store as sql
from voting.store import Store


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own, unmounted afterwards."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs (needs root): {done.stderr.decode().strip()}")
        pytest.skip("mounting a small file system needs root")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system holding `folder` to the last byte; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def make_env(folder: Path) -> Env:
    db = str(folder / "voting.db")
    store = Store(db)
    event = store.write(sql.insert_event, "Veiligheid", ["First statement", "Second"], "likert5")
    store.close()
    return Env(db, event)


def run_cli(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voting", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "VOTING_DEMO": "false"},
    )


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


# -- start-up ---------------------------------------------------------------------------------


def test_a_read_only_database_stops_start_up_with_one_sentence(disk: Path) -> None:
    env = make_env(disk)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    done = run_cli("serve", "--db", env.db, "--port", "1")
    assert_one_clear_line(done, "read-only", env.db)


def test_a_full_disk_at_start_says_disk_full(disk: Path) -> None:
    env = make_env(disk)
    fill(disk)
    done = run_cli("serve", "--db", env.db, "--port", "1")
    assert_one_clear_line(done, "is full")
    assert "I/O" not in done.stderr


def test_a_damaged_database_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    with open(env.db, "r+b") as damaged:
        damaged.write(b"this is no longer SQLite" * 4)
    done = run_cli("serve", "--db", env.db, "--port", "1")
    assert_one_clear_line(done, "not a voting database or is damaged")


def test_a_damaged_page_inside_the_database_is_found_at_start(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    conn = Store(env.db).conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = os.path.getsize(env.db)
    with open(env.db, "r+b") as damaged:  # scribble over every page but the first
        damaged.seek(4096)
        damaged.write(os.urandom(size - 4096))
    done = run_cli("serve", "--db", env.db, "--port", "1")
    assert_one_clear_line(done, "damaged")


def test_an_empty_database_file_is_not_silently_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    db.touch()
    done = run_cli("serve", "--db", str(db), "--port", "1")
    assert_one_clear_line(done, "empty file (0 bytes)")
    assert db.stat().st_size == 0  # nothing was written into it


# -- a disk that fills up during the evening ---------------------------------------------------


def test_a_full_disk_is_said_to_phones_console_health_and_log_once(
    disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = make_env(disk)
    caplog.set_level(logging.INFO, logger="voting.storage")
    with env.client() as client:
        join(client, env.event.code)
        phone_cookie = client.cookies["voting"]
        moderate(client, env.event)
        with (
            connect(client, env.event.code, "moderator") as mws,
            connect(client, env.event.code, "participant", {"cookie": f"voting={phone_cookie}"}) as ws,
        ):
            assert receive_until(mws, "welcome")["storage"] == {"ok": True}
            first = open_first(mws, env)
            receive_until(ws, "state", voting=True)
            filler = fill(disk)

            refused: list[dict[str, Any]] = []
            for n, option in enumerate(["agree", "disagree", "agree", "neutral"] * 2):
                ws.send_json({"type": "vote", "statement": first, "option": option, "id": n})
                refused.append(receive_until(ws, "error", ref=n))
            assert {r["code"] for r in refused} == {"not_saved"}
            ws.send_json({"type": "ping", "id": "alive"})
            assert receive_until(ws, "pong")  # the phone keeps its socket

            health = receive_until(mws, "health")["storage"]
            assert health["ok"] is False and health["reason"] == "disk_full"
            assert "is full" in health["message"]
            down = client.get("/healthz")
            assert down.status_code == 503 and "full" in down.text
            saved = dict(client.cookies)
            client.cookies.clear()
            page = client.get(f"/j/{env.event.code}", headers={"accept-language": "en"})
            client.cookies.update(saved)
            assert page.status_code == 503  # a new phone is told, not shown a 500
            assert "cannot store anything right now" in page.text
            assert page.headers["retry-after"] == "10"

            filler.unlink()
            ws.send_json({"type": "vote", "statement": first, "option": "agree", "id": "again"})
            assert receive_until(ws, "ack", ref="again")["option"] == "agree"
            assert receive_until(mws, "health")["storage"] == {"ok": True}
            assert client.get("/healthz").status_code == 200

    store = Store(env.db)
    assert [(v["option"]) for v in store.votes(env.event.id)] == ["agree"]  # the acknowledged one
    store.close()
    records = [r for r in caplog.records if r.name == "voting.storage"]
    assert [r.levelname for r in records] == ["ERROR", "WARNING"]  # one line failing, one recovered
    assert "storage failing: The disk holding" in records[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)  # no tracebacks


def test_health_probes_a_quiet_database(disk: Path) -> None:
    env = make_env(disk)
    with env.client() as client:
        assert client.get("/healthz").text == "ok"
        client.portal.call(_forget_last_commit, client)  # type: ignore[union-attr]
        fill(disk)
        down = client.get("/healthz")
        assert down.status_code == 503
        assert down.text.startswith("storage failing: The disk holding")


async def _forget_last_commit(client: Any) -> None:
    client.app_state["voting"].writer.health.last_ok = 0.0
