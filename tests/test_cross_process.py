"""One event on several processes, with real processes: doorbells through the SQLite bus.

Two `voting serve` processes on one database file and two ports (as two hosts would be),
and `voting serve --workers 2` on one port: a moderator's action, a vote and the deletion
of the event reach the screens connected to the other process.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.server import HOST, free_port, http_request

PASSWORD = "cross-process-password"
TARGET_SECONDS = 1.0  # the test's bound; the target is 250 ms p99 (printed)
Frame = dict[str, Any]


def environment(db: Path | str, bus: bool) -> dict[str, str]:
    """The servers' environment; `db` a SQLite file (with the SQLite bus when `bus`) or a
    postgresql:// URL (whose LISTEN/NOTIFY is the bus by default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOTING_")}
    env.update(
        VOTING_DEMO="false",
        VOTING_ADMIN_PASSWORD=PASSWORD,
        VOTING_NEW_PARTICIPANTS_BURST="10000",
        VOTING_DB=str(db),
    )
    if bus and isinstance(db, Path):
        env["VOTING_BUS"] = f"sqlite:///{db.resolve()}"
    return env


@contextmanager
def serving(db: Path | str, port: int, *extra: str, bus: bool = True) -> Iterator[int]:
    """`python -m voting serve` on `port` until the block ends; answers /healthz first."""
    command = [sys.executable, "-m", "voting", "serve", "--host", HOST, "--port", str(port), *extra]
    process = subprocess.Popen(
        command,
        env=environment(db, bus),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers too can be stopped as one group
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http_request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"voting serve on {port} did not start: {errors}")
            time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def create_event(tmp_path: Path, db: Path | str) -> dict[str, str]:
    statements = tmp_path / "statements.txt"
    statements.write_text("Eerste stelling.\nTweede stelling.\nDerde stelling.\n", encoding="utf-8")
    made = subprocess.run(
        [sys.executable, "-m", "voting", "event", "create", "--title", "Twee processen",
         "--statements", str(statements), "--json", "--db", str(db)],
        env=environment(db, bus=False), capture_output=True, text=True, check=True,
    )  # fmt: skip
    links: dict[str, str] = json.loads(made.stdout)
    return links


def cookie(port: int, path: str) -> str:
    status, cookies, _ = http_request(port, "GET", path)
    assert status in (200, 303), (status, path)
    return f"voting={cookies['voting']}"


def admin_cookie(port: int) -> str:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{port}"}
    body = urllib.parse.urlencode({"password": PASSWORD}).encode()
    status, cookies, _ = http_request(port, "POST", "/admin/login", headers, body)
    assert status == 303 and "voting" in cookies, status
    return f"voting={cookies['voting']}"


class Screen:
    """One page's socket: frames as they arrive, with the time each arrived."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws, self.name = ws, name
        self.frames: list[tuple[float, Frame]] = []
        self.seen = 0  # frames looked at by wait()
        self.arrived = asyncio.Event()
        self.closed: int | None = None
        self.state: Frame = {}  # the first state
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                self.frames.append((time.perf_counter(), json.loads(text)))
                self.arrived.set()
        except ConnectionClosed:
            pass
        self.closed = self.ws.close_code
        self.arrived.set()

    async def wait(self, matches: Callable[[Frame], bool], timeout: float = 5.0) -> tuple[float, Frame]:
        """The next frame that matches (and when it arrived)."""
        async with asyncio.timeout(timeout):
            while True:
                while self.seen < len(self.frames):
                    at, frame = self.frames[self.seen]
                    self.seen += 1
                    if matches(frame):
                        return at, frame
                if self.closed is not None:
                    raise AssertionError(f"{self.name} closed with {self.closed}")
                self.arrived.clear()
                await self.arrived.wait()

    async def send(self, message: Frame) -> None:
        await self.ws.send(json.dumps(message))


async def open_screen(port: int, code: str, role: str, cookie: str = "", name: str = "") -> Screen:
    headers = {"Origin": f"http://{HOST}:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    ws = await connect(
        f"ws://{HOST}:{port}/ws/{code}?role={role}", additional_headers=headers, compression=None
    )
    screen = Screen(ws, name or f"{role}@{port}")
    _, screen.state = await screen.wait(lambda f: f["type"] == "state")
    return screen


def state_with(statement: int, voting: bool) -> Callable[[Frame], bool]:
    def matches(frame: Frame) -> bool:
        current = frame.get("statement") or {}
        return frame["type"] == "state" and current.get("id") == statement and frame["voting"] is voting

    return matches


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(what: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    line = f"{what}: n={len(ms)} p50={percentile(ms, 0.5):.0f} ms p99={percentile(ms, 0.99):.0f} ms"
    print(line)
    return line


async def close_all(screens: list[Screen]) -> None:
    for screen in screens:
        await screen.ws.close()
        await asyncio.gather(screen.reader, return_exceptions=True)


@pytest.mark.timeout(120)
def test_two_processes_on_one_database_share_the_evening(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    code = links["code"]
    moderator_path = urllib.parse.urlsplit(links["moderator_url"])
    port_a, port_b = free_port(), free_port()
    with serving(db, port_a), serving(db, port_b):
        asyncio.run(_evening(code, f"{moderator_path.path}?{moderator_path.query}", port_a, port_b))


async def _evening(code: str, moderator_link: str, port_a: int, port_b: int) -> None:
    moderator = await open_screen(port_a, code, "moderator", cookie(port_a, moderator_link))
    projector_a = await open_screen(port_a, code, "projector")
    projector_b = await open_screen(port_b, code, "projector")
    phone_cookies = [cookie(port_b, f"/j/{code}") for _ in range(8)]
    phones = [
        await open_screen(port_b, code, "participant", c, f"phone{i}@B") for i, c in enumerate(phone_cookies)
    ]
    screens_b = [projector_b, *phones]
    first = moderator.state["statements"][0]["id"]

    # The moderator on A moves to statement 1, then opens voting: B's screens follow.
    delays: list[float] = []
    for message, expected in (
        ({"type": "goto", "statement": first}, state_with(first, False)),
        ({"type": "voting", "open": True}, state_with(first, True)),
    ):
        sent = time.perf_counter()
        await moderator.send(message)
        for screen in screens_b:
            at, _ = await screen.wait(expected, timeout=5)
            delays.append(at - sent)
    line = report("moderator on A → screens on B", delays)
    assert max(delays) < TARGET_SECONDS, line

    # Votes through B are accepted and counted on A's projector.
    tallies: list[float] = []
    for count, phone in enumerate(phones, start=1):
        sent = time.perf_counter()
        await phone.send({"type": "vote", "statement": first, "option": "agree", "id": count})
        _, reply = await phone.wait(lambda f, n=count: f.get("ref") == n)
        assert reply["type"] == "ack", f"a vote through B was refused: {reply}"
        at, _ = await projector_a.wait(
            lambda f, n=count: f["type"] == "tally" and f["statement"] == first and f["voters"] >= n
        )
        tallies.append(at - sent)
    line = report("vote on B → projector on A", tallies)
    assert max(tallies) < TARGET_SECONDS, line
    _, tally = await moderator.wait(lambda f: f["type"] == "tally" and f["voters"] == len(phones))
    assert tally["joined"] == len(phones)

    # Deleting the event on A closes the screens on B with 4404.
    headers = {
        "Cookie": admin_cookie(port_a),
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{HOST}:{port_a}",
    }
    deleted = time.perf_counter()
    path, form = f"/admin/events/{code}/delete", f"confirm={code}".encode()
    status, _, _ = http_request(port_a, "POST", path, headers, form)
    assert status == 303
    closes: list[float] = []
    for screen in [*screens_b, projector_a, moderator]:
        _, gone = await screen.wait(lambda f: f["type"] == "error", timeout=5)
        assert gone["code"] == "unknown_event"
        await asyncio.wait_for(screen.reader, 5)
        assert screen.closed == 4404, (screen.name, screen.closed)
        closes.append(time.perf_counter() - deleted)
    report("event deleted on A → screens closed (B and A)", closes)
    await close_all([moderator, projector_a, *screens_b])


@pytest.mark.timeout(120)
def test_workers_share_one_port_and_the_evening(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    moderator_path = urllib.parse.urlsplit(links["moderator_url"])
    port = free_port()
    # No VOTING_BUS: --workers sets sqlite:///<db> itself.
    with serving(db, port, "--workers", "2", bus=False):
        assert http_request(port, "GET", "/healthz")[0] == 200
        asyncio.run(_workers(links["code"], f"{moderator_path.path}?{moderator_path.query}", port))


async def _workers(code: str, moderator_link: str, port: int) -> None:
    moderator = await open_screen(port, code, "moderator", cookie(port, moderator_link))
    first = moderator.state["statements"][0]["id"]
    screens: list[Screen] = []
    # Sockets spread over the workers by the kernel: open screens until the processes that
    # share the listening socket hold the accepted connections between at least two of them.
    for _ in range(5):
        for _ in range(8):
            screens.append(await open_screen(port, code, "projector"))
            screens.append(await open_screen(port, code, "participant", cookie(port, f"/j/{code}")))
        spread = connections_per_process(port)
        if len(spread) >= 2:
            break
    else:
        pytest.fail(f"every socket landed on one worker: {spread}")
    sent = time.perf_counter()
    await moderator.send({"type": "goto", "statement": first})
    delays = []
    for screen in screens:
        at, _ = await screen.wait(state_with(first, False), timeout=5)
        delays.append(at - sent)
    line = report(f"moderator → {len(screens)} screens over 2 workers", delays)
    assert max(delays) < TARGET_SECONDS, line
    await close_all([moderator, *screens])


def connections_per_process(port: int) -> dict[int, int]:
    """Accepted TCP connections on `port` per process that listens on it (Linux /proc)."""
    listening: set[str] = set()
    accepted: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) != port:
                    continue
                (listening if fields[3] == "0A" else accepted if fields[3] == "01" else set()).add(fields[9])
    counts: dict[int, int] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:  # gone, or not ours
            continue
        if inodes & listening and inodes & accepted:
            counts[int(pid)] = len(inodes & accepted)
    return counts


def test_doorbells_are_coalesced_per_event_and_tick() -> None:
    from voting.realtime.bus import create_bus
    from voting.realtime.doorbell import CHANNEL, Doorbell, parse_doorbell

    async def ring() -> list[str]:
        async with create_bus("memory://") as bus, bus.subscribe(CHANNEL) as messages:
            doorbell = Doorbell(bus, interval=0.2)
            for _ in range(1000):  # a burst of votes on one event, then one on another
                doorbell.ring("123456")
            doorbell.ring("654321")
            await asyncio.sleep(0.05)
            doorbell.ring("123456")
            await asyncio.sleep(0.3)
            await doorbell.stop()
            heard = []
            while messages._messages:  # what arrived, without waiting
                heard.append(await messages.__anext__())
            assert all(parse_doorbell(m)[1] == doorbell.sender for m in heard)
            return [parse_doorbell(m)[0] for m in heard]

    # At once for each event, then once more for the change within the tick.
    assert asyncio.run(ring()) == ["123456", "654321", "123456"]
