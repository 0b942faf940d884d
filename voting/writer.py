"""The single writer: one thread that runs write functions in batched transactions.

SQLite allows one writer at a time. Rather than let every vote take the write lock and
commit on its own (one fsync each), votes and moderator actions are queued to this
thread, which runs whatever has queued up in one `BEGIN IMMEDIATE ... COMMIT` and only
then resolves the callers' futures: an acknowledgement always means "on disk". Each
function runs in its own savepoint, so one failing write does not undo the others.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from voting.store import connect

T = TypeVar("T")
MAX_BATCH = 1000
_STOP = object()

Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]


class Writer:
    def __init__(self, path: str) -> None:
        self.path = path
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.commits = 0
        self.writes = 0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="voting-writer", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Finish every queued write, then stop the thread."""
        if self._thread is None:
            return
        # Mark the writer stopped first: a write submitted while the thread finishes would
        # queue behind _STOP and never resolve; submit() now refuses it instead.
        thread, self._thread = self._thread, None
        self._queue.put(_STOP)
        await asyncio.to_thread(thread.join)

    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` in the next batch; return its result once committed."""
        if self._loop is None or self._thread is None:
            raise RuntimeError("the writer is not running")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put((fn, args, future))
        return await future

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch: list[Job] = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)
                self._commit(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[Job]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, args, future in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = fn(conn, *args)
                except Exception as exc:  # reported to that caller only
                    conn.execute("ROLLBACK TO job")
                    outcomes.append((future, None, exc))
                else:
                    outcomes.append((future, result, None))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(future, None, exc) for _, _, future in batch]
        self.commits += 1
        self.writes += len(batch)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_resolve, outcomes)


def _resolve(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in outcomes:
        if future.done():  # the caller went away (e.g. its socket closed)
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
