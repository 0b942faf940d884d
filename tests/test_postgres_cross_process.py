"""One event on two hosts sharing one PostgreSQL database, with real processes.

Two `voting serve --db postgresql://…` processes on two ports (as two hosts behind a proxy
would be), with no VOTING_BUS: the bus is the database's LISTEN/NOTIFY. Phones on both,
the moderator on A, a projector on B (and one on A): the moderator's actions and the
votes reach every screen, and "voters" and "joined" are the same on both processes. Also
the command line (`voting event create/export --db postgresql://…`) and a server that
cannot be reached, said in one sentence.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import drop_database, fresh_voting_database
from tests.server import free_port
from tests.test_cross_process import (
    TARGET_SECONDS,
    Frame,
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


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    url = fresh_voting_database(postgres_url)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.mark.timeout(150)
def test_two_hosts_on_one_postgresql_database_share_the_evening(tmp_path: Path, database: str) -> None:
    links = create_event(tmp_path, database)
    moderator = urllib.parse.urlsplit(links["moderator_url"])
    port_a, port_b = free_port(), free_port()
    with serving(database, port_a), serving(database, port_b):
        asyncio.run(_evening(links["code"], f"{moderator.path}?{moderator.query}", port_a, port_b))


def _last_tally(screen: Screen) -> Frame:
    return [f for _, f in screen.frames if f["type"] == "tally"][-1]


async def _evening(code: str, moderator_link: str, port_a: int, port_b: int) -> None:
    moderator = await open_screen(port_a, code, "moderator", cookie(port_a, moderator_link))
    projector_a = await open_screen(port_a, code, "projector")
    projector_b = await open_screen(port_b, code, "projector")
    phones = [
        await open_screen(port, code, "participant", cookie(port, f"/j/{code}"), f"phone{i}@{port}")
        for i, port in enumerate([port_a, port_b] * 4)
    ]
    everyone = [projector_a, projector_b, *phones]
    first = moderator.state["statements"][0]["id"]

    delays: list[float] = []
    for message, expected in (
        ({"type": "goto", "statement": first}, state_with(first, False)),
        ({"type": "voting", "open": True}, state_with(first, True)),
    ):
        sent = time.perf_counter()
        await moderator.send(message)
        for screen in [moderator, *everyone]:
            at, _ = await screen.wait(expected, timeout=5)
            delays.append(at - sent)
    line = report("moderator on A → every screen (A and B)", delays)
    assert max(delays) < TARGET_SECONDS, line

    tallies: list[float] = []
    for count, phone in enumerate(phones, start=1):
        sent = time.perf_counter()
        await phone.send({"type": "vote", "statement": first, "option": "agree", "id": count})
        _, reply = await phone.wait(lambda f, n=count: f.get("ref") == n)
        assert reply["type"] == "ack", f"a vote through {phone.name} was refused: {reply}"
        for projector in (projector_a, projector_b):
            at, _ = await projector.wait(
                lambda f, n=count: f["type"] == "tally" and f["statement"] == first and f["voters"] >= n
            )
            tallies.append(at - sent)
    line = report("vote on A or B → projectors on A and B", tallies)
    assert max(tallies) < TARGET_SECONDS, line

    _, on_a = await moderator.wait(lambda f: f["type"] == "tally" and f["voters"] == len(phones))
    await asyncio.sleep(0.5)  # a tick or two for the last counts
    on_b = _last_tally(projector_b)
    assert on_a["joined"] == len(phones) and on_a["voters"] == len(phones)
    assert (on_b["voters"], on_b.get("joined", on_a["joined"])) == (on_a["voters"], on_a["joined"])
    assert _last_tally(projector_a)["voters"] == on_b["voters"]

    # The moderator closes voting on A: B's phones are told, and a late vote through B is refused.
    await moderator.send({"type": "voting", "open": False})
    for screen in everyone:
        await screen.wait(state_with(first, False), timeout=5)
    late = phones[1]
    await late.send({"type": "vote", "statement": first, "option": "disagree", "id": 99})
    _, reply = await late.wait(lambda f: f.get("ref") == 99)
    assert reply["type"] == "error" and reply["code"] == "voting_closed", reply
    await close_all([moderator, *everyone])


def test_the_commands_take_a_postgresql_url(tmp_path: Path, database: str) -> None:
    links = create_event(tmp_path, database)
    exported = subprocess.run(
        [sys.executable, "-m", "voting", "event", "export", links["code"], "--format", "json",
         "--db", database],
        env=environment(database, bus=False), capture_output=True, text=True,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert [s["text"] for s in json.loads(exported.stdout)["statements"]] == [
        "Eerste stelling.", "Tweede stelling.", "Derde stelling.",
    ]  # fmt: skip


def test_a_server_that_cannot_be_reached_is_said_in_one_sentence(tmp_path: Path) -> None:
    url = f"postgresql://voting:secret@127.0.0.1:{free_port()}/voting"
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "voting", "serve", "--port", str(free_port()), "--db", url],
        env=environment(url, bus=False), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode != 0
    assert "The database server at 127.0.0.1:" in made.stderr and "cannot be reached" in made.stderr
    assert "Traceback" not in made.stderr and "secret" not in made.stderr
    assert time.monotonic() - started < 30


@pytest.mark.timeout(150)
def test_workers_on_postgresql_serve_the_evening(tmp_path: Path, database: str) -> None:
    """`voting serve --workers 2 --db postgresql://…`: the workers ring each other through the
    database's LISTEN/NOTIFY (no VOTING_BUS), and the evening works on the one port."""
    links = create_event(tmp_path, database)
    moderator = urllib.parse.urlsplit(links["moderator_url"])
    port = free_port()
    with serving(database, port, "--workers", "2"):
        asyncio.run(_evening(links["code"], f"{moderator.path}?{moderator.query}", port, port))
