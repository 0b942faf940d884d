"""Issue 11: kill -9 one of two processes mid-burst — its phones resync on the other one
and no acknowledged vote is lost. Real processes on one SQLite file (two ports)."""

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
@pytest.mark.xfail(
    reason="Known gap (issue 11, open): the killed process committed votes but died before its "
    "coalesced doorbell went out, so the surviving process never rereads the event and its "
    "welcome and tally miss those votes. The votes are stored (nothing acknowledged is lost); "
    "what is missing is the resync. Fix: commit the doorbell in the vote's own transaction "
    "(the SQLite bus table is in the same file), or reread on a participant's reconnect when "
    "the database moved on (PRAGMA data_version).",
    strict=False,
)
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
            welcome = next(f for _, f in screen.frames if f["type"] == "welcome")
            if n in acked:
                assert welcome["votes"] == {str(first): acked[n]}, (n, welcome["votes"])
            else:
                await screen.send({"type": "vote", "statement": first, "option": options[n % 4], "id": n})
                _, reply = await screen.wait(lambda f, n=n: f.get("ref") == n)
                assert reply["type"] == "ack", reply
        await projector.wait(lambda f: f["type"] == "tally" and f["voters"] == PHONES, timeout=5)
    finally:  # every socket closed, also when an assertion fails
        await close_all([moderator, projector, *again])
    return {_participant(cookies[n]): option for n, option in acked.items()}


def _participant(phone_cookie: str) -> str:
    """The participant id inside a signed session cookie (Starlette: base64 JSON + signature)."""
    value = phone_cookie.split("=", 1)[1]
    payload = value.split(".", 1)[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return str(data["pid"])
