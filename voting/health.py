"""Is the database taking writes? Failures of the disk, the file or the database server,
said in one sentence.

SQLite reports a full disk, a read-only file, a damaged file or a lost lock as error codes
on whichever statement hit it. Here they become a `StorageError` with a reason and a
sentence a person can act on, and a `StorageHealth` that remembers whether writes are
failing now: the writer logs one line when an episode starts and one when it ends (not a
traceback per vote), phones are told "not saved, retrying", and the console and /healthz
say that storage is failing. PostgreSQL's errors (a server that cannot be reached or was
lost, refuses the login, is read-only or out of disk) get the same treatment by SQLSTATE.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from voting.models import InputError
from voting.store.dialect import is_postgres

log = logging.getLogger("voting.storage")

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
LOW_SPACE_BYTES = 1 << 20  # an I/O error with less free space than this is a full disk

REASONS = {
    SQLITE_FULL: "disk_full",
    SQLITE_READONLY: "read_only",
    SQLITE_IOERR: "io_error",
    SQLITE_CANTOPEN: "cannot_open",
    SQLITE_CORRUPT: "damaged",
    SQLITE_NOTADB: "damaged",
    SQLITE_BUSY: "locked",
    SQLITE_LOCKED: "locked",
}


class StorageError(InputError):
    """A write that did not happen because the database could not take it. Nothing was
    stored; the caller may try again later. `sentence` says why, for the log and the
    organiser; the message (code "not_saved") is what a phone is told."""

    def __init__(self, reason: str, sentence: str) -> None:
        super().__init__("not_saved", "Not saved: the server cannot store anything right now. Retrying…")
        self.reason = reason
        self.sentence = sentence


def free_bytes(path: str) -> int | None:
    try:
        return shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free
    except OSError:
        return None


# PostgreSQL's SQLSTATEs (by class, two characters, or in full) and what they mean here.
PG_REASONS = {
    "08": "unreachable",  # connection exception
    "57P01": "unreachable",  # the server is shutting down
    "57P02": "unreachable",
    "57P03": "unreachable",  # the server is starting up
    "53300": "unreachable",  # too many connections
    "28": "login_refused",  # invalid authorisation
    "3D": "login_refused",  # no such database
    "25006": "read_only",
    "53100": "disk_full",
    "58": "io_error",  # system error (an I/O error on the server)
    "XX001": "damaged",
    "XX002": "damaged",
}


def _sqlstate(error: BaseException) -> str | None:
    return getattr(error, "sqlstate", None)


def transient(error: BaseException) -> bool:
    """PostgreSQL aborted the transaction for a reason of timing (a deadlock between two
    processes' batches, a serialisation failure): running it again will do."""
    state = _sqlstate(error)
    return isinstance(state, str) and state.startswith("40")


def _postgres_reason(error: BaseException) -> str | None:
    import psycopg

    if not isinstance(error, psycopg.Error):
        return None
    state = _sqlstate(error)
    if state is None:  # no answer from a server: it cannot be reached or the connection was lost
        if not isinstance(error, psycopg.OperationalError):
            return None
        text = str(error).lower()  # …or it answered the connection attempt with a refusal
        refused = ("authentication failed", "does not exist", "no pg_hba.conf entry", "password")
        return "login_refused" if any(words in text for words in refused) else "unreachable"
    return PG_REASONS.get(state) or PG_REASONS.get(state[:2])


def reason_of(error: BaseException, path: str) -> str | None:
    """The storage failure behind a SQLite or PostgreSQL error, or None for an error of
    ours (a bug, a constraint) that a retry would not cure."""
    if is_postgres(path):
        return _postgres_reason(error)
    if not isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError) or isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    reason = REASONS.get(code & 0xFF) if isinstance(code, int) else None
    if reason is None and isinstance(code, int):
        return None
    if reason is None:  # no code at all: judge by the text, as older SQLite builds say it
        text = str(error).lower()
        reason = next((r for key, r in _TEXTS.items() if key in text), None)
    if reason in ("io_error", "cannot_open"):
        free = free_bytes(path)
        if _read_only(path):
            reason = "read_only"
        elif free is not None and free < LOW_SPACE_BYTES:
            reason = "disk_full"
    return reason


def _read_only(path: str) -> bool:
    """The file or its folder cannot be written (SQLite then says "unable to open")."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK))


_TEXTS = {
    "disk is full": "disk_full",
    "readonly": "read_only",
    "disk i/o": "io_error",
    "not a database": "damaged",
    "malformed": "damaged",
    "locked": "locked",
    "unable to open": "cannot_open",
}


def server(url: str) -> str:
    """Where a PostgreSQL URL points, without the user's password: host:port/database."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:
        return "the configured address"
    host = str(info.get("host") or "localhost")
    return f"{host}:{info.get('port') or 5432}/{info.get('dbname') or info.get('user') or ''}"


def _postgres_sentence(reason: str, url: str) -> str:
    where = server(url)
    return {
        "unreachable": f"The database server at {where} cannot be reached: check that PostgreSQL"
        " is running and that this host may connect; votes are refused, not lost, until then.",
        "login_refused": f"The database server at {where} refuses the login: check the user,"
        " the password and the database name in the URL.",
        "read_only": f"The database server at {where} is read-only (a standby?): point the URL"
        " at the primary server.",
        "disk_full": f"The database server at {where} has no disk space left: free some space;"
        " votes are refused, not lost, until then.",
        "io_error": f"The database server at {where} reports an input/output error: check its disk.",
        "damaged": f"The database at {where} is damaged: restore it from a backup.",
        "locked": f"The database at {where} is locked: try again.",
    }.get(reason, f"The database server at {where} refuses writes ({reason}).")


def sentence(reason: str, path: str) -> str:
    """One sentence an operator can act on."""
    if is_postgres(path):
        return _postgres_sentence(reason, path)
    free = free_bytes(path)
    where = os.path.abspath(path)
    return {
        "disk_full": f"The disk holding {where} is full"
        + (f" ({free:,} bytes free)" if free is not None else "")
        + ": free some space; votes are refused, not lost, until then.",
        "read_only": f"{where} is read-only: voting must be able to write to it and to its folder"
        " (for the -wal and -shm files).",
        "io_error": f"The disk holding {where} reports an input/output error: check the disk.",
        "cannot_open": f"{where} cannot be opened for writing: check that the folder exists and is writable.",
        "damaged": f"{where} is not a voting database or is damaged: restore it from a backup,"
        " or move it aside to start afresh.",
        "locked": f"{where} is locked by another program: stop it, or use another file.",
        "empty": f"{where} is an empty file (0 bytes): if it should hold events, restore it from a"
        " backup; to start afresh, delete it.",
    }[reason]


def storage_error(error: BaseException, path: str) -> StorageError | None:
    reason = reason_of(error, path)
    return None if reason is None else StorageError(reason, sentence(reason, path))


@dataclass
class StorageHealth:
    """Whether writes are failing now, since when, and how many were refused."""

    path: str
    reason: str | None = None
    since: float | None = None  # time.time() of the first failure of this episode
    refused: int = 0
    last_ok: float = 0.0  # time.monotonic() of the last good commit

    @property
    def ok(self) -> bool:
        return self.reason is None

    def failed(self, error: StorageError, writes: int) -> bool:
        """Record refused writes; True when this starts an episode (the state changed)."""
        self.refused += writes
        if self.reason == error.reason:
            return False
        starting = self.reason is None
        self.reason, self.since = error.reason, self.since or time.time()
        if starting:
            log.error("storage failing: %s", error.sentence)
        else:
            log.error("storage still failing, now: %s", error.sentence)
        return True

    def succeeded(self) -> bool:
        """A commit went through; True when this ends an episode."""
        self.last_ok = time.monotonic()
        if self.reason is None:
            return False
        lasted = time.time() - (self.since or time.time())
        log.warning(
            "storage recovered after %.0f s (%s); %d writes were refused and not acknowledged",
            lasted, self.reason, self.refused,
        )
        self.reason, self.since, self.refused = None, None, 0
        return True

    def payload(self) -> dict[str, Any]:
        """What the console and /healthz show."""
        if self.reason is None:
            return {"ok": True}
        return {
            "ok": False,
            "reason": self.reason,
            "message": sentence(self.reason, self.path),
            "since": self.since,
            "refused": self.refused,
        }


def check_database(path: str, write: bool = True) -> None:
    """Refuse to start on a database that cannot work, with a `StorageError` whose
    `sentence` says why: an empty (0-byte) file, a damaged one, a read-only one, a full disk.
    A database that passes has been opened, migrated, checked and written to once."""
    from voting.store import Store, now, put_setting  # the store imports nothing from here

    if is_postgres(path):
        _check_postgres(path, write)
        return
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise StorageError("empty", sentence("empty", path))
    try:
        store = Store(path)
        try:
            verdict = store.conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise StorageError("damaged", sentence("damaged", path))
            if write:
                store.write(put_setting, "last_start", now())
        finally:
            store.close()
    except sqlite3.Error as exc:
        error = storage_error(exc, path)
        if error is None:
            raise
        raise error from None


def _check_postgres(url: str, write: bool) -> None:
    """A PostgreSQL URL: the server answers, the schema migrates, a write commits."""
    import psycopg

    from voting.store import Store, now, put_setting

    try:
        store = Store(url)
        try:
            if write:
                store.write(put_setting, "last_start", now())
        finally:
            store.close()
    except psycopg.Error as exc:
        error = storage_error(exc, url)
        if error is None:
            raise
        raise error from None
