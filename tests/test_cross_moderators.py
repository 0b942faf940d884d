"""Two moderators on two processes at the same moment, and presence across processes.

Real processes: two `voting serve` on one SQLite file and two ports (as two hosts would
be), doorbells through the SQLite bus. The issue's targets are 250 ms (printed); the tests'
bound is looser (TARGET_SECONDS), for a loaded CI machine.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.server import HOST, free_port, http_request
from tests.test_cross_process import (
    TARGET_SECONDS,
    Frame,
    Screen,
    admin_cookie,
    close_all,
    cookie,
    create_event,
    open_screen,
    report,
    serving,
)

ROUNDS = 15  # toggles by each moderator


def moderator_path(links: dict[str, str]) -> str:
    link = urllib.parse.urlsplit(links["moderator_url"])
    return f"{link.path}?{link.query}"


def event_row(db: Path, code: str) -> sqlite3.Row:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row: sqlite3.Row = conn.execute("SELECT * FROM events WHERE code = ?", (code,)).fetchone()
        return row
    finally:
        conn.close()


class Console:
    """A moderator's socket: actions numbered, each answered once."""

    def __init__(self, screen: Screen, prefix: int) -> None:
        self.screen, self.next_id = screen, prefix
        self.answers: dict[int, list[Frame]] = {}

    async def act(self, message: Frame) -> Frame:
        self.next_id += 1
        ref = self.next_id
        await self.screen.send({**message, "id": ref})
        _, answer = await self.screen.wait(lambda f: f.get("ref") == ref and f["type"] in ("ok", "error"))
        assert answer["type"] == "ok", (message, answer)
        return answer

    def answered(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for _, frame in self.screen.frames:
            if frame.get("type") in ("ok", "error") and isinstance(frame.get("ref"), int):
                counts[frame["ref"]] = counts.get(frame["ref"], 0) + 1
        return counts


@pytest.mark.timeout(120)
def test_two_moderators_on_two_processes_lose_no_update(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    port_a, port_b = free_port(), free_port()
    with serving(db, port_a), serving(db, port_b):
        asyncio.run(_moderators(db, links["code"], moderator_path(links), port_a, port_b))


async def _moderators(db: Path, code: str, path: str, port_a: int, port_b: int) -> None:
    console_a = Console(await open_screen(port_a, code, "moderator", cookie(port_a, path), "moderator@A"), 0)
    console_b = Console(
        await open_screen(port_b, code, "moderator", cookie(port_b, path), "moderator@B"), 1000
    )
    screens = [console_a.screen, console_b.screen]
    for port, name in ((port_a, "A"), (port_b, "B")):
        screens.append(await open_screen(port, code, "projector", name=f"projector@{name}"))
        for n in range(3):
            screens.append(
                await open_screen(port, code, "participant", cookie(port, f"/j/{code}"), f"phone{n}@{name}")
            )
    statements = [s["id"] for s in console_a.screen.state["statements"]]
    await console_b.act({"type": "goto", "statement": statements[0]})
    version = event_row(db, code)["version"]

    # At the same moment: A switches comments off and on, B opens and closes voting; then
    # A once more while B moves to the next statement (which closes voting).
    async def comments() -> bool:
        enabled = True
        for _ in range(ROUNDS):
            enabled = not enabled
            await console_a.act({"type": "settings", "comments": enabled})
        await console_a.act({"type": "settings", "comments": not enabled})
        return not enabled

    async def voting() -> None:
        for n in range(ROUNDS):
            await console_b.act({"type": "voting", "open": n % 2 == 0})
        await console_b.act({"type": "goto", "statement": statements[1]})

    enabled, _ = await asyncio.gather(comments(), voting())
    done = time.perf_counter()
    actions = 2 * (ROUNDS + 1)

    # Committed: both moderators' last changes; each action answered once, with ok.
    row = event_row(db, code)
    assert (row["comments_enabled"], row["current_statement_id"], row["voting_open"]) == (
        enabled,
        statements[1],
        0,
    )
    assert row["version"] - version >= actions, "every action wrote"
    for console in (console_a, console_b):
        assert set(console.answered().values()) == {1}, "one answer per action"
        assert len(console.answered()) == ROUNDS + 1 + (console is console_b)

    # Every screen on both processes ends on that state.
    def final(frame: Frame) -> bool:
        return (
            frame["type"] == "state"
            and (frame.get("statement") or {}).get("id") == statements[1]
            and frame["voting"] is False
            and frame["comments"] is enabled
        )

    delays = []
    for screen in screens:
        last = [f for _, f in screen.frames if f["type"] == "state"][-1]
        at = done if final(last) else (await screen.wait(final, timeout=5))[0]
        delays.append(max(0.0, at - done))
        await asyncio.sleep(0.3)  # nothing older arrives after it
        last = [f for _, f in screen.frames if f["type"] == "state"][-1]
        assert final(last), (screen.name, last)
    line = report("two moderators → final state on every screen after the last answer", delays)
    assert max(delays) < TARGET_SECONDS, line

    # Deleting the event on B closes every screen on both processes.
    headers = {
        "Cookie": admin_cookie(port_b),
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{HOST}:{port_b}",
    }
    status, _, _ = http_request(
        port_b, "POST", f"/admin/events/{code}/delete", headers, f"confirm={code}".encode()
    )
    assert status == 303
    for screen in screens:
        _, gone = await screen.wait(lambda f: f["type"] == "error", timeout=5)
        assert gone["code"] == "unknown_event"
        await asyncio.wait_for(screen.reader, 5)
        assert screen.closed == 4404, (screen.name, screen.closed)
    await close_all(screens)


@pytest.mark.timeout(120)
def test_connected_and_joined_are_the_same_on_every_process(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    links = create_event(tmp_path, db)
    port_a, port_b = free_port(), free_port()
    with serving(db, port_a), serving(db, port_b):
        asyncio.run(_presence(links["code"], moderator_path(links), port_a, port_b))


async def _presence(code: str, path: str, port_a: int, port_b: int) -> None:
    projector = await open_screen(port_a, code, "projector", name="projector@A")
    moderator = await open_screen(port_b, code, "moderator", cookie(port_b, path), "moderator@B")
    phones_a = [
        await open_screen(port_a, code, "participant", cookie(port_a, f"/j/{code}")) for _ in range(3)
    ]
    cookies_b = [cookie(port_b, f"/j/{code}") for _ in range(5)]
    phones_b = [await open_screen(port_b, code, "participant", c) for c in cookies_b]
    twin = await open_screen(port_b, code, "participant", cookies_b[0])  # two tabs count once

    async def counts(connected: int, joined: int) -> None:
        for screen in (projector, moderator):
            await screen.wait(
                lambda f: f["type"] == "tally" and (f["connected"], f["joined"]) == (connected, joined), 5
            )

    started = time.perf_counter()
    await counts(8, 8)
    report("8 phones on two processes → connected 8 on both", [time.perf_counter() - started])
    await close_all([twin, *phones_b[:2]])
    await counts(6, 8)  # joined: everyone who came, connected or not
    await close_all([projector, moderator, *phones_a, *phones_b[2:]])


def test_presence_counts_travel_between_processes_and_expire() -> None:
    from voting.realtime.bus import RESYNC, create_bus
    from voting.realtime.presence import CHANNEL, Presence

    async def exchange() -> None:
        async with create_bus("memory://") as bus:
            local = {"a": {"123456": 3}, "b": {"123456": 5}}
            changed: list[tuple[str, str]] = []
            a, b = (
                Presence(bus, name, lambda code, n=name: local[n].get(code, 0),
                         lambda code, n=name: changed.append((n, code)), interval=0.01, heartbeat=0.05)
                for name in ("a", "b")
            )  # fmt: skip
            await a.start()
            await b.start()
            a.local_changed("123456")
            b.local_changed("123456")
            await asyncio.sleep(0.05)
            assert (a.remote("123456"), b.remote("123456")) == (5, 3)
            assert ("a", "123456") in changed and ("b", "123456") in changed
            local["b"]["123456"] = 0  # B's phones left: said once, then no more heartbeats
            b.local_changed("123456")
            await asyncio.sleep(0.05)
            assert a.remote("123456") == 0
            await b.stop()  # B dies with 2 phones: A forgets them after `expiry`
            local["b"]["123456"] = 2
            a.heard("123456 b 2")
            assert a.remote("123456") == 2
            a.expire(time.monotonic() + a.expiry + 1)
            assert a.remote("123456") == 0
            a.heard(RESYNC)  # ours may have been lost: said again at the next interval
            published = a.published
            await asyncio.sleep(0.05)
            assert a.published > published
            a.heard("nonsense")  # ignored
            await a.stop()
            assert bus.subscribers(CHANNEL) == 0

    asyncio.run(exchange())


@pytest.mark.timeout(180)
def test_the_benchmark_on_two_processes_counts_every_vote_on_the_projector() -> None:
    """bench/run.py --workers 2, small: phones spread over two processes sharing one SQLite
    file (a third on the projector's), every vote acknowledged, stored and counted on the
    projector; correctness only (the figures are for docs/performance.md)."""
    import importlib
    import sys

    bench_dir = str(Path(__file__).resolve().parents[1] / "bench")
    sys.path.insert(0, bench_dir)
    try:
        bench = importlib.import_module("run")
        load = importlib.import_module("load")
    finally:
        sys.path.remove(bench_dir)
    assert [load.spread(i, 2) for i in range(6)] == [0, 1, 1, 0, 1, 1]
    figures = bench.summary(bench.run_target(bench.Target("app 2×sqlite", 2), 150, 1.0, False))
    assert figures["connected"] == 150 and figures["errors"] == figures["dropped"] == 0
    assert figures["votes_sent"] == figures["votes_acked"] == figures["votes_stored"] == 150
    assert figures["projector_final_total"] == 150
    assert figures["phones_following_next"] == 150
