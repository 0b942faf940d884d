"""`postgresql://…`: the bus between processes on any number of hosts, over `LISTEN/NOTIFY`.

Each bus holds two connections to the store's server: one that publishes
(`SELECT pg_notify(…)`, autocommit: a doorbell is sent at once, not at some later commit)
and one that listens. All channels share one PostgreSQL channel (`voting_bus`); the
payload is `"<channel>\\n<message>"` and each process hands messages to its own
subscribers. So LISTEN runs once per connection, never per subscriber, and reconnecting
is one statement; the cost is that every process reads every event's doorbells, which are
a few short strings per event and tick.

What PostgreSQL guarantees and what it does not:

- notifications of one publishing connection arrive in the order sent (one connection per
  bus, behind a lock, so one process's messages keep their order); two processes' messages
  interleave in commit order;
- nothing is kept for a connection that is not listening: **a dropped listening connection
  loses every doorbell until it listens again**. The listener reconnects (50 ms, doubling
  to 2 s) and, once listening again, delivers `RESYNC` to every subscriber;
- a listening connection that died silently (a host or a proxy gone) is found by a
  `SELECT 1` after `heartbeat` seconds without a notification, and by TCP keepalives;
- a publish on a dropped connection is retried once on a new one (a doorbell may then
  ring twice, which is harmless), then raises `psycopg.OperationalError`;
- a listener that fails for any other reason (a bug) ends every subscription with
  `BusError`, so no subscriber waits forever on a dead listener.

Needs psycopg 3.2.4 or newer: notifications that arrive during the heartbeat are kept for
the next `notifies()` call (older versions dropped them).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from psycopg import sql

from voting.realtime.bus import QUEUE_LIMIT, Bus, BusError, check

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "voting_bus"
CONNECT_OPTIONS: dict[str, Any] = {
    "autocommit": True,
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
FAILURES = (psycopg.Error, OSError, TimeoutError)


class PostgresBus(Bus):
    def __init__(
        self, url: str, limit: int = QUEUE_LIMIT, heartbeat: float = 5.0, notify_channel: str = NOTIFY_CHANNEL
    ) -> None:
        super().__init__(limit)
        self.url = url
        self.heartbeat = heartbeat
        self.notify_channel = notify_channel
        self.reconnects = 0
        self.listener_pid: int | None = None  # the listening connection's server process
        self._publisher: psycopg.AsyncConnection[Any] | None = None
        self._publish_lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    async def connect(self) -> None:
        listening = await self._listen()  # fails here, with the server's reason, if it is down
        try:
            self._publisher = await self._open("voting-bus-publish")
        except BaseException:
            await listening.close()
            raise
        await super().connect()
        self._listener = asyncio.create_task(self._listen_forever(listening), name="bus-postgres")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        await super().disconnect()
        if self._publisher is not None:
            await self._publisher.close()
            self._publisher = None

    async def publish(self, channel: str, message: str) -> None:
        check(channel, message)
        self._require_connected()
        if self._failure is not None:
            raise BusError(f"bus listener failed: {self._failure!r}") from self._failure
        payload = f"{channel}\n{message}"
        async with self._publish_lock:
            try:
                await self._notify(payload)
            except psycopg.OperationalError:
                await self._notify(payload, fresh=True)

    async def _notify(self, payload: str, fresh: bool = False) -> None:
        if fresh or self._publisher is None or self._publisher.closed:
            if self._publisher is not None:
                await self._publisher.close()
            self._publisher = await self._open("voting-bus-publish")
        await self._publisher.execute("SELECT pg_notify(%s, %s)", (self.notify_channel, payload))

    async def _open(self, name: str) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(self.url, application_name=name, **CONNECT_OPTIONS)

    async def _listen(self) -> psycopg.AsyncConnection[Any]:
        conn = await self._open("voting-bus-listen")
        try:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.notify_channel)))
        except BaseException:
            await conn.close()
            raise
        self.listener_pid = conn.info.backend_pid
        return conn

    async def _listen_forever(self, conn: psycopg.AsyncConnection[Any]) -> None:
        try:
            while True:
                try:
                    await self._relay(conn)
                except FAILURES as error:
                    log.warning("bus: lost the PostgreSQL listening connection (%s); reconnecting", error)
                await conn.close()
                conn = await self._reconnect()
                self.reconnects += 1
                log.warning("bus: listening again; subscribers resynchronise")
                self._resync_all()
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # a bug: say so to every subscriber instead of leaving them waiting
            log.exception("bus: the PostgreSQL listener failed")
            self._failure = error
            self._close_all(error)
        finally:
            await conn.close()

    async def _relay(self, conn: psycopg.AsyncConnection[Any]) -> None:
        while True:
            async for notify in conn.notifies(timeout=self.heartbeat):
                channel, _, message = notify.payload.partition("\n")
                self._dispatch(channel, message)
            await asyncio.wait_for(conn.execute("SELECT 1"), self.heartbeat)

    async def _reconnect(self) -> psycopg.AsyncConnection[Any]:
        delay = 0.05
        while True:
            try:
                return await self._listen()
            except FAILURES:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
