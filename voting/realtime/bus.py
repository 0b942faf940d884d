"""The message bus: doorbells between the processes that serve the same events.

**A message is a doorbell, never the record.** It says "event X changed, version N" so that
every process rereads the committed state from the store; it never carries a vote, a
comment or a moderator action. Every backend can lose messages (a dropped connection, a
slow subscriber, a trimmed log), and says so by delivering `RESYNC` instead: on `RESYNC` a
subscriber must assume it missed anything and rebuild its view from the store.

    bus = create_bus("postgresql://voting@db/voting")   # or memory://, sqlite:///voting.db
    async with bus:                                     # connect() … disconnect()
        async with bus.subscribe("event:42") as messages:
            await bus.publish("event:42", "v17")
            async for message in messages:              # "v17", or RESYNC
                ...

The backends, picked by URL and imported only when used:

- `memory://` (`bus_memory`): one process; never loses a message except by overflow.
- `sqlite:///file.db` (`bus_sqlite`): every process on one host using that file; an
  append-only table read by position, polled every 50 ms.
- `postgresql://…` (`bus_postgres`): any number of hosts; `LISTEN/NOTIFY`, reconnecting.

The contract (tests/test_bus.py runs it against each backend): a subscriber receives every
message published on its channel after `subscribe()` entered, from every process, in the
order each publisher published them, or `RESYNC` in their place; never another channel's
messages; at most `limit` messages wait per subscriber, and one more replaces them all with
`RESYNC`; leaving `subscribe()` or `disconnect()` ends the iteration. A message may arrive
that was published just before `subscribe()` entered.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import re
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Final

# Cannot be published: PostgreSQL text cannot hold NUL, and publish() refuses it everywhere.
RESYNC: Final = "\x00resync"
QUEUE_LIMIT: Final = 100
MAX_MESSAGE_BYTES: Final = 4000  # PostgreSQL's NOTIFY payload must stay below 8000 bytes
_CHANNEL = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


class BusError(Exception):
    """The bus cannot deliver: not connected, or its listener failed for good."""


def check(channel: str, message: str | None = None) -> None:
    """Refuse what some backend could not carry, on every backend alike."""
    if not _CHANNEL.fullmatch(channel):
        raise ValueError(f"bus channel {channel!r}: 1 to 100 of A-Z a-z 0-9 _ . : -")
    if message is not None:
        if "\x00" in message:
            raise ValueError(f"bus message {message[:40]!r}…: NUL is not allowed")
        if len(message.encode()) > MAX_MESSAGE_BYTES:
            raise ValueError(f"bus message of {len(message.encode())} bytes: at most {MAX_MESSAGE_BYTES}")


class Subscription:
    """The messages of one channel for one subscriber: a bounded queue, iterated with `async for`."""

    def __init__(self, channel: str, limit: int) -> None:
        self.channel = channel
        self.limit = limit
        self.overflows = 0
        self._messages: deque[str] = deque()
        self._ready = asyncio.Event()
        self._closed = False
        self._error: BaseException | None = None

    def deliver(self, message: str) -> None:
        if self._closed:
            return
        if message == RESYNC or len(self._messages) >= self.limit:
            # Everything still waiting is superseded: the subscriber rereads the store anyway.
            self.overflows += message != RESYNC
            self._messages.clear()
            message = RESYNC
        self._messages.append(message)
        self._ready.set()

    def close(self, error: BaseException | None = None) -> None:
        self._closed = True
        self._error = error
        self._messages.clear()
        self._ready.set()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> str:
        while not self._messages:
            if self._closed:
                if self._error is not None:
                    raise BusError(f"bus listener failed: {self._error!r}") from self._error
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._messages.popleft()


class Bus(abc.ABC):
    """The interface and the local fan-out; a backend carries messages between processes.

    A backend's `connect()` and `disconnect()` call these; its `publish()` checks with
    `check()` and gets the message to `_dispatch()` in every process, or `_resync_all()`
    when it may have lost some."""

    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        self.limit = limit
        self.connected = False
        self._subscriptions: dict[str, set[Subscription]] = {}

    async def connect(self) -> None:
        self.connected = True

    async def disconnect(self) -> None:
        self.connected = False
        self._close_all()

    @abc.abstractmethod
    async def publish(self, channel: str, message: str) -> None:
        """Send `message` to every subscriber of `channel` in every process using this bus."""

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        check(channel)
        self._require_connected()
        subscription = Subscription(channel, self.limit)
        self._subscriptions.setdefault(channel, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscription.close()
            subscribers = self._subscriptions.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscriptions[channel]

    def subscribers(self, channel: str) -> int:
        return len(self._subscriptions.get(channel, ()))

    async def __aenter__(self) -> Bus:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.disconnect()

    def _require_connected(self) -> None:
        if not self.connected:
            raise BusError(f"{type(self).__name__} is not connected: call connect() first")

    def _dispatch(self, channel: str, message: str) -> None:
        for subscription in tuple(self._subscriptions.get(channel, ())):
            subscription.deliver(message)

    def _resync_all(self) -> None:
        for subscribers in tuple(self._subscriptions.values()):
            for subscription in tuple(subscribers):
                subscription.deliver(RESYNC)

    def _close_all(self, error: BaseException | None = None) -> None:
        for subscribers in tuple(self._subscriptions.values()):
            for subscription in tuple(subscribers):
                subscription.close(error)


def create_bus(url: str, limit: int = QUEUE_LIMIT) -> Bus:
    """The bus for a URL: `memory://`, `sqlite:///file.db` (relative), `sqlite:////var/file.db`
    (absolute, as SQLAlchemy spells them) or `postgresql://user:password@host:port/database`."""
    scheme = url.partition("://")[0]
    if url == "memory://":
        from voting.realtime.bus_memory import MemoryBus

        return MemoryBus(limit)
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        from voting.realtime.bus_sqlite import SQLiteBus

        return SQLiteBus(url.removeprefix("sqlite:///"), limit)
    if scheme in ("postgresql", "postgres"):
        from voting.realtime.bus_postgres import PostgresBus

        return PostgresBus(url, limit)
    raise ValueError(f"bus URL {url!r}: expected memory://, sqlite:///path or postgresql://…")


async def listen_forever(
    bus: Bus, channel: str, heard: Callable[[str], None], ready: asyncio.Event, who: str, retry: float = 1.0
) -> None:
    """Hand every message of `channel` to `heard` until the bus is disconnected (the app
    stops). A failing bus is subscribed to again after `retry` seconds, and `heard` then
    gets `RESYNC`: anything may have been missed meanwhile. `ready` is set once subscribed
    (or once it failed: a caller waiting for it must not wait for a bus that is down)."""
    while True:
        try:
            async with bus.subscribe(channel) as messages:
                ready.set()
                async for message in messages:
                    heard(message)
            return
        except BusError as error:
            logging.getLogger(__name__).warning("%s: the bus failed (%s); subscribing again", who, error)
        ready.set()
        await asyncio.sleep(retry)
        heard(RESYNC)
