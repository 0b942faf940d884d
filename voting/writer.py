"""The single writer: one thread that runs write functions in batched transactions.

SQLite allows one writer at a time. Rather than let every vote take the write lock and
commit on its own (one fsync each), votes and moderator actions are queued to this
thread, which runs whatever has queued up in one `BEGIN IMMEDIATE ... COMMIT` and only
then resolves the callers' futures: an acknowledgement always means "on disk". On
PostgreSQL each process has one such thread with one connection; the write functions
lock the event's row first (voting/store/versions.py), and a batch that the server
aborted for a deadlock with another process's batch is run again.

Two choices keep the cost per vote low when a whole room votes at once. The thread waits
`linger` seconds (4 ms; 10 ms on PostgreSQL, where a commit costs round trips and holds
the event's row lock) after the first write of a batch for more to arrive, so one commit
(and one fsync, and one wake-up of the event loop) serves many votes. And a batch runs without
savepoints: only when one of its functions fails is the batch rolled back and run again
with a savepoint per function, so one failing write never undoes the others.
An event's version is raised once per batch (voting/store/versions.py): on PostgreSQL
that is one round trip and one row lock per event per batch, not per write.

Writes of one kind that arrive together can also be run as one statement
(`submit_grouped`): the votes of a batch are one INSERT, not one each, which on
PostgreSQL saves a round trip and a statement's planning per vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from voting.health import StorageError, StorageHealth, storage_error, transient
from voting.store import connect, versions
from voting.store.dialect import Connection, begin, is_postgres

T = TypeVar("T")
MAX_BATCH = 1000
RETRIES = 3  # a batch that PostgreSQL aborted (deadlock, serialisation) is run again
LINGER_SECONDS = 0.004  # adds at most this to an acknowledgement; saves commits under load
# A PostgreSQL commit costs more (round trips, a server's work, the event's row lock held
# meanwhile): batches gather a little longer there.
POSTGRES_LINGER_SECONDS = 0.010
_STOP = object()

# (fn, args, future, grouped): grouped jobs run as fn(conn, [args, ...]) (see submit_grouped)
Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]", bool]


class Writer:
    def __init__(self, path: str, linger: float | None = None) -> None:
        self.path = path
        if linger is None:
            linger = POSTGRES_LINGER_SECONDS if is_postgres(path) else LINGER_SECONDS
        self.linger = linger
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.commits = 0
        self.writes = 0
        # Committed jobs other than grouped ones (votes), counted on the event loop before
        # their callers resume: a reader of the store can tell whether memory may have
        # moved past what it read (voting/realtime/relay.py).
        self.changes = 0
        self.health = StorageHealth(path)
        # Called on the event loop with StorageHealth.payload() when writes start or stop failing.
        self.on_health: Callable[[dict[str, Any]], None] | None = None

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
        result: T = await self._submit(fn, args, False)
        return result

    async def submit_grouped(self, many: Callable[..., list[Any]], *args: Any) -> Any:
        """Run `many(conn, [args, …])` once for this and every other job of the same
        function that arrives together in the batch; return this job's item of the list it
        returns, once committed. An item that is an exception is raised to its caller; the
        function promises that such a job wrote nothing (so the batch goes on without it)."""
        return await self._submit(many, args, True)

    async def _submit(self, fn: Callable[..., Any], args: tuple[Any, ...], grouped: bool) -> Any:
        if self._loop is None or self._thread is None:
            raise RuntimeError("the writer is not running")
        future: asyncio.Future[Any] = self._loop.create_future()
        self._queue.put((fn, args, future, grouped))
        return await future

    def _run(self) -> None:
        conn = connect(self.path)  # PostgreSQL: connects at the first batch, and again when lost
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch, stop = self._gather(first)
                self._commit(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _gather(self, first: Job) -> tuple[list[Job], bool]:
        """The first job and whatever arrives within `linger`; True when told to stop.

        The thread sleeps through the linger and then takes what queued up, rather than
        waking for each job as it arrives: under load that is one wake-up (and one hand-over
        of the GIL by the event loop) per batch, not per vote."""
        batch = [first]
        if self.linger > 0:
            time.sleep(self.linger)
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, conn: Connection, batch: list[Job]) -> None:
        try:
            for attempt in range(RETRIES + 1):
                try:
                    outcomes = self._attempt(conn, batch)
                    break
                except Exception as exc:
                    cause = exc.__cause__ if isinstance(exc, _JobFailed) and exc.__cause__ else exc
                    if attempt == RETRIES or not transient(cause):
                        raise
        except Exception as exc:  # the transaction itself failed (disk full, read-only …)
            cause = exc.__cause__ if isinstance(exc, _JobFailed) and exc.__cause__ else exc
            error = storage_error(cause, self.path) or cause
            outcomes = [(job[2], None, error) for job in batch]
            if isinstance(error, StorageError) and self.health.failed(error, len(batch)):
                self._health_changed()
        else:
            self.commits += 1
            self.writes += len(batch)
            if self.health.succeeded():
                self._health_changed()
        assert self._loop is not None
        changes = sum(
            1 for job, (_, _, error) in zip(batch, outcomes, strict=True) if error is None and not job[3]
        )
        self._loop.call_soon_threadsafe(self._settle, outcomes, changes)

    def _settle(self, outcomes: list[Outcome], changes: int) -> None:
        self.changes += changes
        _resolve(outcomes)

    def _health_changed(self) -> None:
        if self.on_health is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.on_health, self.health.payload())

    def _attempt(self, conn: Connection, batch: list[Job]) -> list[Outcome]:
        try:
            return self._run_batch(conn, batch, isolated=False)
        except _JobFailed as failed:
            cause = failed.__cause__ or failed
            if storage_error(cause, self.path) is not None or transient(cause):
                raise  # the store, not the job: running it again isolated cannot help
            return self._run_batch(conn, batch, isolated=True)

    def _run_batch(self, conn: Connection, batch: list[Job], isolated: bool) -> list[Outcome]:
        """One transaction for the batch. Not isolated: the first failing job aborts it
        (_JobFailed). Isolated: each job in a savepoint, failures reported to their callers."""
        outcomes: list[Outcome] = []
        try:
            begin(conn)
            versions.batch_began(conn)  # each event's version is raised once per batch
            for jobs in _runs(batch, grouping=not isolated):
                fn, _, _, grouped = jobs[0]
                if grouped and not isolated:
                    try:
                        results = fn(conn, [args for _, args, _, _ in jobs])
                    except Exception as exc:
                        raise _JobFailed from exc
                    outcomes += [
                        (future, None, r) if isinstance(r, BaseException) else (future, r, None)
                        for (_, _, future, _), r in zip(jobs, results, strict=True)
                    ]
                    continue
                _, args, future, _ = jobs[0]
                if isolated:
                    conn.execute("SAVEPOINT job")
                try:
                    result = fn(conn, [args])[0] if grouped else fn(conn, *args)
                    if isinstance(result, BaseException):
                        raise result
                except Exception as exc:
                    if not isolated or storage_error(exc, self.path) is not None or transient(exc):
                        raise _JobFailed from exc
                    conn.execute("ROLLBACK TO job")
                    versions.batch_rolled_back(conn)  # its touches are undone: touch again
                    outcomes.append((future, None, exc))
                else:
                    outcomes.append((future, result, None))
                if isolated:
                    conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(Exception):  # a failing disk or server may refuse this too
                    conn.execute("ROLLBACK")
            raise
        finally:
            versions.batch_ended(conn)
        return outcomes


def _runs(batch: list[Job], grouping: bool) -> list[list[Job]]:
    """The batch in order, as lists of jobs to run together: consecutive grouped jobs of
    one function (when `grouping`), every other job alone."""
    runs: list[list[Job]] = []
    for job in batch:
        last = runs[-1][0] if runs else None
        if grouping and job[3] and last is not None and last[3] and last[0] is job[0]:
            runs[-1].append(job)
        else:
            runs.append([job])
    return runs


class _JobFailed(Exception):
    """A job failed in a batch run without savepoints: run the batch again, isolated."""


Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


def _resolve(outcomes: list[Outcome]) -> None:
    for future, result, error in outcomes:
        if future.done():  # the caller went away (e.g. its socket closed)
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
