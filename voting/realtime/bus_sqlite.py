"""`sqlite:///file.db`: the bus between the processes of one host (`voting serve --workers N`).

SQLite has no notifications, so the bus is a table every process polls:

- `publish()` appends a row to `bus_messages` (its own connection, in a worker thread so
  a busy write lock never stalls the event loop);
- each process reads the rows after its position (`id > position`), but only when
  `PRAGMA data_version` on its reading connection says another connection committed
  something: an idle poll costs one pragma. The poll runs every `interval` (50 ms), so a
  message reaches every process within about one interval.

Why a table and not `data_version` alone: data_version says "someone committed" but not
what, so every process would reread every event on every vote anywhere. Rows carry the
channel and the message, so subscribers get exactly the contract of the other backends,
and `AUTOINCREMENT` ids (never reused, assigned under SQLite's single write lock) give one
order for all publishers.

Rows older than `retention` seconds are deleted by publishers (at most once a second). A
process whose position fell below the oldest row (paused longer than that) cannot tell
what it missed and delivers `RESYNC`; so does a poll that finds more than `BACKLOG` rows.

The file may be the store's own database (a later store can then commit a change and its
doorbell in one transaction) or a file of its own next to it. `bus_messages` is created
here with `CREATE TABLE IF NOT EXISTS`. The file must be on a local disk: WAL needs
shared memory between the processes, so not on NFS, and not across hosts.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from typing import Any

from voting.realtime.bus import QUEUE_LIMIT, Bus, BusError, check

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS bus_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    created REAL NOT NULL
);
"""
BACKLOG = 1000  # rows behind: resynchronise instead of replaying them


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # a lost doorbell is a resync, not lost data
    return conn


class SQLiteBus(Bus):
    def __init__(
        self, path: str, limit: int = QUEUE_LIMIT, interval: float = 0.05, retention: float = 60.0
    ) -> None:
        super().__init__(limit)
        self.path = path
        self.interval = interval
        self.retention = retention
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        if path in ("", ":memory:") or path.startswith("file::memory:"):
            raise ValueError(f"bus SQLite file {path!r}: processes can only share a file on disk")
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._position = 0
        self._version: Any = None
        self._trimmed = 0.0
        self._poller: asyncio.Task[None] | None = None
        self._poll_lock = asyncio.Lock()
        self._failing = False

    async def connect(self) -> None:
        await asyncio.to_thread(self._open)
        await super().connect()
        self._poller = asyncio.create_task(self._poll_forever(), name=f"bus-sqlite:{self.path}")

    async def disconnect(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await super().disconnect()
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        # Under the locks: a cancelled poll or publish may still be running in its thread.
        with self._write_lock, self._read_lock:
            for conn in (self._writer, self._reader):
                if conn is not None:
                    conn.close()
            self._writer = self._reader = None

    async def publish(self, channel: str, message: str) -> None:
        check(channel, message)
        self._require_connected()
        await asyncio.to_thread(self._insert, channel, message)

    def _open(self) -> None:
        self._writer = _open(self.path)
        self._writer.executescript(SCHEMA)
        self._reader = _open(self.path)
        self._version = self._reader.execute("PRAGMA data_version").fetchone()[0]
        row = self._reader.execute("SELECT coalesce(max(id), 0) FROM bus_messages").fetchone()
        self._position = int(row[0])

    def _insert(self, channel: str, message: str) -> None:
        now = time.time()
        with self._write_lock:
            if self._writer is None:
                raise BusError(f"the bus on {self.path} is disconnected")
            insert = "INSERT INTO bus_messages (channel, message, created) VALUES (?, ?, ?)"
            self._writer.execute(insert, (channel, message, now))
            if now - self._trimmed > 1.0:
                self._trimmed = now
                self._writer.execute("DELETE FROM bus_messages WHERE created < ?", (now - self.retention,))

    def _read(self) -> tuple[bool, list[tuple[int, str, str]]]:
        with self._read_lock:
            return self._read_unlocked()

    def _read_unlocked(self) -> tuple[bool, list[tuple[int, str, str]]]:
        """(missed something?, the new rows) since the last read."""
        if self._reader is None:
            raise sqlite3.ProgrammingError("the bus is disconnected")
        version = self._reader.execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return False, []
        self._version = version
        rows = self._reader.execute(
            "SELECT id, channel, message FROM bus_messages WHERE id > ? ORDER BY id LIMIT ?",
            (self._position, BACKLOG + 1),
        ).fetchall()
        if len(rows) > BACKLOG:
            row = self._reader.execute("SELECT max(id) FROM bus_messages").fetchone()
            self._position = int(row[0])
            return True, []
        if not rows:
            return False, []
        # Ids have no holes (AUTOINCREMENT, one writer at a time): a hole is trimmed rows.
        missed = rows[0][0] > self._position + 1
        self._position = rows[-1][0]
        return missed, rows

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.poll()

    async def poll(self) -> None:
        """Deliver what other connections published since the last poll (the poller's step)."""
        try:
            async with self._poll_lock:  # one read at a time on the reading connection
                missed, rows = await asyncio.to_thread(self._read)
        except sqlite3.Error as error:
            # The position did not move: nothing is skipped once reading works again.
            if not self._failing:
                log.warning("bus %s: cannot read messages (%s); retrying", self.path, error)
            self._failing = True
            return
        if self._failing:
            log.warning("bus %s: reading messages again", self.path)
            self._failing = False
        if missed:
            self._resync_all()
        for _, channel, message in rows:
            self._dispatch(channel, message)
