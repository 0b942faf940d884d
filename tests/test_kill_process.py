"""Issue 11: kill -9 one of two processes mid-burst — its phones resync on the other one
and no acknowledged vote is lost. Real processes on one SQLite file (two ports).

The killed process committed votes but died before its coalesced doorbell went out: the
survivor finds them by polling the events' committed versions (voting/realtime/watch.py)
and rereads the event; a phone that reconnected before that reread gets its welcome again
with its votes."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.server import HOST, free_port, http_request
from tests.test_cross_process import (
    Screen,
    close_all,
    cookie,
    create_event,
    environment,
    open_screen,
    report,
    serving,
    state_with,
)

PHONES = 20


def start(db: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "voting", "serve", "--host", HOST, "--port", str(port)],
        env=environment(db, bus=True), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http_request(port, "GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"voting serve on {port} did not start")


@pytest.mark.timeout(120)
def test_a_process_killed_mid_burst_loses_no_acknowledged_vote(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    moderator_link = urllib.parse.urlsplit(links["moderator_url"])
    port_a, port_b = free_port(), free_port()
    with serving(db, port_a):
        victim = start(db, port_b)
        try:
            acked = asyncio.run(
                _burst(links["code"], f"{moderator_link.path}?{moderator_link.query}", port_a, port_b, victim)
            )
        finally:
            if victim.poll() is None:
                victim.kill()
            victim.wait()
    conn = sqlite3.connect(db)
    try:
        stored = dict(conn.execute("SELECT participant_id, option FROM votes").fetchall())
    finally:
        conn.close()
    assert len(stored) == PHONES
    for participant, option in acked.items():  # every acknowledged vote is there, as acknowledged
        assert stored.get(participant) == option


async def _burst(
    code: str, moderator_link: str, port_a: int, port_b: int, victim: subprocess.Popen[bytes]
) -> dict[str, str]:
    moderator = await open_screen(port_a, code, "moderator", cookie(port_a, moderator_link))
    projector = await open_screen(port_a, code, "projector")
    first = moderator.state["statements"][0]["id"]
    await moderator.send({"type": "goto", "statement": first})
    await moderator.wait(state_with(first, False))
    await moderator.send({"type": "voting", "open": True})
    await moderator.wait(state_with(first, True))
    cookies = [cookie(port_b, f"/j/{code}") for _ in range(PHONES)]
    phones = [await open_screen(port_b, code, "participant", c, f"phone{n}@B") for n, c in enumerate(cookies)]
    options = ["agree", "disagree", "neutral", "strongly_agree"]

    # The burst: every phone votes; B is killed (SIGKILL) while the second half is in
    # flight, once the first votes are acknowledged.
    for n, phone in enumerate(phones):
        if n == PHONES // 2:
            await phones[0].wait(lambda f: f.get("type") == "ack")
            os.kill(victim.pid, signal.SIGKILL)
        try:
            await phone.send({"type": "vote", "statement": first, "option": options[n % 4], "id": n})
        except Exception:  # the connection died with its process
            pass
    await asyncio.gather(*(p.reader for p in phones), return_exceptions=True)
    await close_all(phones)  # their process is gone: release the sockets
    acked: dict[int, str] = {}
    for n, phone in enumerate(phones):
        for _, frame in phone.frames:
            if frame.get("type") == "ack" and frame.get("ref") == n:
                acked[n] = frame["option"]
    assert 0 < len(acked) < PHONES, "the kill should fall in the middle of the burst"

    # Each phone reconnects — to A, as a proxy would send it — and resynchronises: an
    # acknowledged vote comes back in its welcome; a lost one is sent again and stored.
    again: list[Screen] = []
    try:
        for n, phone_cookie in enumerate(cookies):
            screen = await open_screen(port_a, code, "participant", phone_cookie, f"phone{n}@A")
            again.append(screen)
            if n in acked:  # in its first welcome, or in one sent again within a poll
                votes = {str(first): acked[n]}
                if not any(f["type"] == "welcome" and f["votes"] == votes for _, f in screen.frames):
                    await screen.wait(lambda f, v=votes: f["type"] == "welcome" and f["votes"] == v, 2)
            else:
                await screen.send({"type": "vote", "statement": first, "option": options[n % 4], "id": n})
                _, reply = await screen.wait(lambda f, n=n: f.get("ref") == n)
                assert reply["type"] == "ack", reply
        await projector.wait(lambda f: f["type"] == "tally" and f["voters"] == PHONES, timeout=5)
    finally:  # every socket closed, also when an assertion fails
        await close_all([moderator, projector, *again])
    return {_participant(cookies[n]): option for n, option in acked.items()}


@pytest.mark.timeout(120)
def test_votes_whose_doorbell_never_rang_reach_the_other_process(tmp_path: Path) -> None:
    """The same gap made certain: B's doorbells reach nobody (its bus is memory://), as if
    every one was lost. A still shows B's votes, from polling the committed versions."""
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    moderator_link = urllib.parse.urlsplit(links["moderator_url"])
    port_a, port_b = free_port(), free_port()
    moderator = f"{moderator_link.path}?{moderator_link.query}"
    with serving(db, port_a), serving(db, port_b, bus=False):
        asyncio.run(_unannounced(links["code"], moderator, port_a, port_b))


async def _unannounced(code: str, moderator_link: str, port_a: int, port_b: int) -> None:
    moderator = await open_screen(port_a, code, "moderator", cookie(port_a, moderator_link))
    projector = await open_screen(port_a, code, "projector")
    first = moderator.state["statements"][0]["id"]
    await moderator.send({"type": "goto", "statement": first})
    await moderator.wait(state_with(first, False))
    await moderator.send({"type": "voting", "open": True})
    await moderator.wait(state_with(first, True))
    phones = [await open_screen(port_b, code, "participant", cookie(port_b, f"/j/{code}")) for _ in range(4)]
    delays = []
    try:
        for n, phone in enumerate(phones, start=1):
            await phone.send({"type": "vote", "statement": first, "option": "agree", "id": n})
            acked, reply = await phone.wait(lambda f, n=n: f.get("ref") == n)
            assert reply["type"] == "ack", reply
            at, _ = await projector.wait(lambda f, n=n: f["type"] == "tally" and f["voters"] >= n, 3)
            delays.append(at - acked)
        report("vote on B (no doorbell) → projector on A", delays)
        _, tally = await moderator.wait(lambda f: f["type"] == "tally" and f["voters"] == len(phones), 3)
        assert tally["joined"] == len(phones)
    finally:
        await close_all([moderator, projector, *phones])


def _participant(phone_cookie: str) -> str:
    """The participant id inside a signed session cookie (Starlette: base64 JSON + signature)."""
    value = phone_cookie.split("=", 1)[1]
    payload = value.split(".", 1)[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return str(data["pid"])


def test_the_watch_rereads_moves_no_local_write_explains() -> None:
    from voting.realtime.watch import Watch

    writes = {"111111": 0, "222222": 0}
    began: dict[str, float] = {}
    watch = Watch(writes.__getitem__, began.get, doubt_seconds=1.0)
    held = ["111111", "222222"]
    # First sight: reread each once (loaded just before an unannounced change, maybe).
    assert watch.check(held, {"111111": 5, "222222": 7}, 0.0, set()) == set(held)
    began.update({"111111": 0.1, "222222": 0.1})
    assert watch.check(held, {"111111": 5, "222222": 7}, 0.25, set()) == set()
    # Another process wrote (no write here, no reread under way): reread now.
    assert watch.check(held, {"111111": 6, "222222": 7}, 0.5, set()) == {"111111"}
    # A reread that began after the poll's read sees it already; a queued one will.
    began["111111"] = 0.8
    assert watch.check(held, {"111111": 7, "222222": 7}, 0.75, set()) == set()
    assert watch.check(held, {"111111": 8, "222222": 7}, 1.0, {"111111"}) == set()
    # Our own writes moved it: a doubt, settled by one reread within a second …
    writes["222222"] += 3
    assert watch.check(held, {"111111": 8, "222222": 10}, 1.25, set()) == set()
    writes["222222"] += 1
    assert watch.check(held, {"111111": 8, "222222": 11}, 1.5, set()) == set()
    assert watch.check(held, {"111111": 8, "222222": 11}, 2.25, set()) == {"222222"}
    # … or sooner by a reread that began after it arose (a doorbell's).
    writes["222222"] += 1
    assert watch.check(held, {"111111": 8, "222222": 12}, 2.5, set()) == set()
    began["222222"] = 2.6
    assert watch.check(held, {"111111": 8, "222222": 12}, 3.75, set()) == set()
    # Deleted: reread (which closes its screens); let go: forgotten.
    assert watch.check(held, {"222222": 12}, 4.0, set()) == {"111111"}
    assert watch.check(["222222"], {"222222": 12}, 4.25, set()) == set()
    assert watch._versions == {"222222": 12}


@pytest.mark.timeout(120)
def test_a_countdown_closes_voting_when_the_process_that_started_it_died(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    moderator_link = urllib.parse.urlsplit(links["moderator_url"])
    port_a, port_b = free_port(), free_port()
    with serving(db, port_b):
        victim = start(db, port_a)
        try:
            asyncio.run(
                _countdown(
                    links["code"], f"{moderator_link.path}?{moderator_link.query}", port_a, port_b, victim
                )
            )
        finally:
            if victim.poll() is None:
                victim.kill()
            victim.wait()
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT voting_open, countdown_ends_at FROM events").fetchone()
    finally:
        conn.close()
    assert row == (0, None)


async def _countdown(
    code: str, moderator_link: str, port_a: int, port_b: int, victim: subprocess.Popen[bytes]
) -> None:
    projector = await open_screen(port_b, code, "projector")  # B holds the event
    moderator = await open_screen(port_a, code, "moderator", cookie(port_a, moderator_link))
    try:
        first = moderator.state["statements"][0]["id"]
        await moderator.send({"type": "goto", "statement": first})
        await projector.wait(state_with(first, False))
        await moderator.send({"type": "countdown", "seconds": 5, "id": 1})
        _, running = await projector.wait(lambda f: f["type"] == "state" and f["countdown"] is not None)
        assert running["voting"] is True
        os.kill(victim.pid, signal.SIGKILL)  # the process whose timer would have closed it
        ends_at = running["countdown"]["ends_at"]
        _, closed = await projector.wait(state_with(first, False), timeout=10)
        assert closed["countdown"] is None
        late = time.time() - ends_at
        assert -0.1 <= late < 1.0, late
        await asyncio.sleep(0.5)  # and only once
        assert [f["voting"] for _, f in projector.frames if f["type"] == "state"][-2:] == [True, False]
    finally:
        await close_all([projector, moderator])
