"""The bus contract (voting/realtime/bus.py), run against every backend.

Where the backend reaches other processes (SQLite, PostgreSQL) the publisher is a second
bus with its own connections, or a child process, so nothing passes through one process's
memory. PostgreSQL comes from tests/pg.py: a private cluster, skipped without PostgreSQL
unless CI is set.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.synchronize
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager, closing
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from tests.pg import postgres_database, postgres_url  # noqa: F401
from voting.realtime.bus import RESYNC, Bus, BusError, Subscription, create_bus
from voting.realtime.bus_postgres import PostgresBus
from voting.realtime.bus_sqlite import SQLiteBus

T = TypeVar("T")
WAIT = 5.0  # seconds a message may take (the SQLite poll is 50 ms, reconnects take longer)


def run(coroutine: Awaitable[T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, 20)

    return asyncio.run(bounded())


def _url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'bus.db'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _url(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The backends that reach other processes."""
    return _url(request.param, request, tmp_path)


@asynccontextmanager
async def buses(url: str, limit: int = 100) -> AsyncIterator[tuple[Bus, Bus]]:
    """(publisher, subscriber): two buses with their own connections, or one memory bus."""
    async with AsyncExitStack() as stack:
        subscriber = await stack.enter_async_context(create_bus(url, limit))
        publisher = subscriber if url == "memory://" else await stack.enter_async_context(create_bus(url))
        yield publisher, subscriber


async def take(messages: Subscription, count: int) -> list[str]:
    async def collect() -> list[str]:
        return [await anext(messages) for _ in range(count)]

    return await asyncio.wait_for(collect(), WAIT)


def test_fan_out_to_every_subscriber(url: str) -> None:
    async def scenario() -> list[list[str]]:
        async with buses(url) as (publisher, bus), AsyncExitStack() as stack:
            subscriptions = [await stack.enter_async_context(bus.subscribe("event:1")) for _ in range(3)]
            await publisher.publish("event:1", "v1")
            await publisher.publish("event:1", "v2 {\"x\": \"é\\n\"}")
            return [await take(messages, 2) for messages in subscriptions]

    assert run(scenario()) == [["v1", "v2 {\"x\": \"é\\n\"}"]] * 3


def test_channels_are_isolated(url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], int]:
        async with buses(url) as (publisher, bus):
            async with bus.subscribe("event:1") as one, bus.subscribe("event:2") as two:
                await publisher.publish("event:1", "x")
                await publisher.publish("event:2", "y")
                await publisher.publish("event:3", "nobody listens")
                await publisher.publish("event:1", "end")
                return await take(one, 2), await take(two, 1), len(two._messages)

    assert run(scenario()) == (["x", "end"], ["y"], 0)


def test_each_publisher_keeps_its_order(url: str) -> None:
    async def scenario() -> list[str]:
        async with buses(url) as (first, bus), AsyncExitStack() as stack:
            second = bus if url == "memory://" else await stack.enter_async_context(create_bus(url))
            messages = await stack.enter_async_context(bus.subscribe("event:1"))

            async def send(publisher: Bus, name: str) -> None:
                for number in range(40):
                    await publisher.publish("event:1", f"{name}{number}")

            await asyncio.gather(send(first, "a"), send(second, "b"))
            return await take(messages, 80)

    received = run(scenario())
    assert [m for m in received if m[0] == "a"] == [f"a{n}" for n in range(40)]
    assert [m for m in received if m[0] == "b"] == [f"b{n}" for n in range(40)]


def test_leaving_subscribe_unsubscribes(url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], int, int]:
        async with buses(url) as (publisher, bus):
            async with bus.subscribe("event:1") as stays:
                async with bus.subscribe("event:1") as leaves:
                    assert bus.subscribers("event:1") == 2
                left = [message async for message in leaves]
                await publisher.publish("event:1", "after")
                received = await take(stays, 1)
                count = bus.subscribers("event:1")
            return left, received, count, bus.subscribers("event:1")

    assert run(scenario()) == ([], ["after"], 1, 0)


def test_a_slow_subscriber_gets_resync_instead_of_a_backlog(url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], int]:
        async with buses(url, limit=3) as (publisher, bus):
            async with bus.subscribe("event:1") as slow, bus.subscribe("event:1") as fast:
                fast.limit = 100
                for number in range(1, 6):
                    await publisher.publish("event:1", f"m{number}")
                fast_received = await take(fast, 5)  # the overflowing 4th doorbell reached `slow` too
                return await take(slow, 2), fast_received, slow.overflows

    assert run(scenario()) == ([RESYNC, "m5"], ["m1", "m2", "m3", "m4", "m5"], 1)


def test_disconnect_ends_every_subscription(url: str) -> None:
    async def scenario() -> list[str]:
        bus = create_bus(url)
        await bus.connect()
        async with bus.subscribe("event:1") as messages:
            waiting = asyncio.create_task(take(messages, 1))
            await asyncio.sleep(0.05)
            await bus.disconnect()
            with pytest.raises(StopAsyncIteration):
                await waiting
            return [message async for message in messages]

    assert run(scenario()) == []


def test_refuses_what_a_backend_could_not_carry(url: str) -> None:
    async def scenario() -> None:
        bus = create_bus(url)
        with pytest.raises(BusError, match="not connected"):
            await bus.publish("event:1", "v1")
        async with bus:
            for channel in ["", "event 1", "event\n1", "x" * 101]:
                with pytest.raises(ValueError, match="bus channel"):
                    await bus.publish(channel, "v1")
            with pytest.raises(ValueError, match="NUL"):
                await bus.publish("event:1", RESYNC)
            with pytest.raises(ValueError, match="4001 bytes"):
                await bus.publish("event:1", "x" * 4001)
            await bus.publish("event:1", "é" * 2000)

    run(scenario())


def test_unknown_urls_are_named() -> None:
    for url in ["redis://localhost", "sqlite://", "sqlite:///", "memory:/"]:
        with pytest.raises(ValueError, match=f"bus URL '{url}'"):
            create_bus(url)
    with pytest.raises(ValueError, match="file on disk"):
        create_bus("sqlite:///:memory:")


def _publish_from_child(url: str, ready: multiprocessing.synchronize.Event) -> None:
    async def publish() -> None:
        async with create_bus(url) as bus:
            ready.wait(10)
            for number in range(3):
                await bus.publish("event:1", f"child{number}")

    asyncio.run(publish())


def test_another_process_reaches_subscribers(shared_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    child = context.Process(target=_publish_from_child, args=(shared_url, ready))

    async def scenario() -> list[str]:
        async with create_bus(shared_url) as bus, bus.subscribe("event:1") as messages:
            child.start()
            ready.set()
            return await asyncio.wait_for(take(messages, 3), 15)

    try:
        assert run(scenario()) == ["child0", "child1", "child2"]
    finally:
        child.join(10)
    assert child.exitcode == 0


def _terminate(url: str, pid: int | None) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def test_postgres_resyncs_after_a_dropped_connection(postgres_database: str) -> None:  # noqa: F811
    async def scenario() -> tuple[list[str], list[str], int]:
        async with buses(postgres_database) as (publisher, bus), bus.subscribe("event:1") as messages:
            assert isinstance(bus, PostgresBus) and isinstance(publisher, PostgresBus)
            await publisher.publish("event:1", "before")
            before = await take(messages, 1)
            await asyncio.to_thread(_terminate, postgres_database, bus.listener_pid)
            resync = await take(messages, 1)
            # The publisher's connection drops too: the next publish reconnects.
            publishing = publisher._publisher
            assert publishing is not None
            await asyncio.to_thread(_terminate, postgres_database, publishing.info.backend_pid)
            await publisher.publish("event:1", "after")
            return before, resync + await take(messages, 1), bus.reconnects

    assert run(scenario()) == (["before"], [RESYNC, "after"], 1)


def test_postgres_listener_failure_ends_subscriptions(postgres_database: str) -> None:  # noqa: F811
    async def scenario() -> None:
        async with create_bus(postgres_database) as bus, bus.subscribe("event:1") as messages:

            def broken(channel: str, message: str) -> None:
                raise RuntimeError("a bug in dispatch")

            bus._dispatch = broken  # type: ignore[method-assign]
            await bus.publish("event:1", "v1")
            with pytest.raises(BusError, match="a bug in dispatch"):
                await take(messages, 1)
            with pytest.raises(BusError, match="listener failed"):
                await bus.publish("event:1", "v2")

    run(scenario())


def test_sqlite_resyncs_after_missing_trimmed_messages(tmp_path: Path) -> None:
    sqlite_path = str(tmp_path / "bus.db")

    async def scenario() -> list[str]:
        subscriber = SQLiteBus(sqlite_path, interval=3600)  # polled by hand below
        async with create_bus(f"sqlite:///{sqlite_path}") as publisher, subscriber:
            async with subscriber.subscribe("event:1") as messages:
                await publisher.publish("event:1", "m1")
                await publisher.publish("event:1", "m2")
                with closing(sqlite3.connect(sqlite_path)) as conn:  # what the retention would do
                    conn.execute("DELETE FROM bus_messages")
                    conn.commit()
                await publisher.publish("event:1", "m3")
                await subscriber.poll()
                return await take(messages, 2)

    assert run(scenario()) == [RESYNC, "m3"]
