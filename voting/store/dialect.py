"""SQLite or PostgreSQL: the few differences between the two stores, in one place.

The store's SQL is written once, in the dialect both accept (`?` placeholders,
`INSERT … ON CONFLICT … DO UPDATE/NOTHING`, `RETURNING id`, `IS NOT DISTINCT FROM`).
A SQLite file gets a plain `sqlite3.Connection` (nothing in between on the hot path); a
`postgresql://` URL gets a `PgConnection`, which looks like one to the store: it turns
`?` into psycopg's `%s`, gives rows that answer by name and by position (as `sqlite3.Row`)
and reconnects when the server was lost between transactions (a statement outside a
transaction that finds the connection lost runs again on a new one). What else differs: how a
write transaction starts (`begin`), where new row ids come from (`next_id`), and the DDL
(voting/schema.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import psycopg

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 5  # seconds before an unreachable server is reported as such


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store needs of a connection: `sqlite3.Connection` or `PgConnection`."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...

    @property
    def in_transaction(self) -> bool: ...

    def close(self) -> None: ...


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


def connect(db: str) -> Connection:
    """A connection to a SQLite file or a PostgreSQL URL, in autocommit mode: transactions
    are begun explicitly (`begin`)."""
    if is_postgres(db):
        return PgConnection(db)
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk before we acknowledge it, even across a power cut.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def begin(conn: Connection) -> None:
    """Start a write transaction. SQLite: take the write lock now (IMMEDIATE), so that the
    transaction never fails half-way on a busy database. PostgreSQL: a plain BEGIN, sent
    with the first statement (`soon`); the write functions lock the event's row first
    (voting/store/versions.py)."""
    if isinstance(conn, PgConnection):
        conn.soon("BEGIN")
    else:
        conn.execute("BEGIN IMMEDIATE")


def soon(conn: Connection, sql: str, parameters: Sequence[Any] = ()) -> None:
    """Run a statement whose result nobody reads: on PostgreSQL it goes to the server with
    the next statement, in one round trip (psycopg's pipeline mode), which matters most
    while the transaction holds an event's row lock; SQLite runs it now."""
    if isinstance(conn, PgConnection):
        conn.soon(sql, parameters)
    else:
        conn.execute(sql, parameters)


def next_id(conn: Connection, table: str, floor: int) -> int:
    """A new id for `table` (statements, comments) above `floor` and above every id ever
    handed out. PostgreSQL draws it from the column's sequence, which never goes back and is
    safe when several processes insert at once; SQLite's single writer takes max(id) + 1."""
    if isinstance(conn, PgConnection):
        row = conn.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))").fetchone()
        drawn = int(row[0])
        if drawn > floor:
            return drawn
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ?)", (floor + 1,))
        return floor + 1
    taken = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
    return max(int(taken), floor) + 1


def text_rows(
    conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[str, tuple[Any, ...]]:
    """`WITH v(<columns>) AS (…)`: a table of `rows` of text values to select from, and its
    parameters. Whatever the number of rows the statement's text is the same (so it is
    prepared once): a JSON array read by `json_each` on SQLite, one text array per column
    unnested on PostgreSQL."""
    names = ", ".join(columns)
    if isinstance(conn, PgConnection):
        arrays = ", ".join("?::text[]" for _ in columns)
        values = tuple([row[i] for row in rows] for i in range(len(columns)))
        return f"WITH v({names}) AS (SELECT * FROM unnest({arrays}))", values
    fields = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    return f"WITH v({names}) AS (SELECT {fields} FROM json_each(?))", (json.dumps(rows),)


class Row(tuple[Any, ...]):
    """A row that answers by column name and by position, as `sqlite3.Row` does."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self.names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: Any) -> Any:
    return _row_class(tuple(column.name for column in cursor.description or ()))


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"names": names, "__slots__": ()})


@lru_cache(maxsize=1024)
def placeholders(sql: str) -> str:
    """The store's `?` placeholders as psycopg's `%s` (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A psycopg connection with the face of a `sqlite3.Connection` (see the module)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None  # opened by the first statement
        self._soon: list[tuple[str, tuple[Any, ...]]] = []  # sent with the next statement

    def _open(self) -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(
            self.url, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT
        )

    def _live(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:  # lost (server restart, network): reconnect
            self._conn = self._open()
        return self._conn

    def soon(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        """Send this statement with the next one (see `soon()` above)."""
        self._soon.append((placeholders(sql), tuple(parameters)))

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        import psycopg

        conn = self._live()
        query, values = placeholders(sql), tuple(parameters)
        queued, self._soon = self._soon, []
        if sql == "ROLLBACK" and queued and not self._server_in_transaction:
            return None  # its BEGIN was never sent: nothing to roll back
        if sql == "ROLLBACK":
            queued = []  # what the rollback undoes anyway
        if self._server_in_transaction:
            return _send(conn, queued, query, values)
        try:
            return _send(conn, queued, query, values)
        except psycopg.OperationalError:
            if not conn.closed:
                raise
            # The connection was found lost by a statement outside a transaction (a read, or
            # BEGIN): nothing of it happened, so it runs once more on a new connection.
            return _send(self._live(), queued, query, values)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        if self._soon:
            self.execute("SELECT 1")  # the statements waiting to be sent go first
        cursor = self._live().cursor()
        cursor.executemany(placeholders(sql), [tuple(p) for p in parameters])
        return cursor

    def executescript(self, script: str) -> None:
        self._live().execute(script.encode())  # several statements, no parameters

    @property
    def in_transaction(self) -> bool:
        """In a transaction on the server, or one begun and waiting to be sent."""
        return bool(self._soon) or self._server_in_transaction

    @property
    def _server_in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        conn = self._conn
        return conn is not None and not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def _send(conn: Any, queued: list[tuple[str, tuple[Any, ...]]], query: str, values: tuple[Any, ...]) -> Any:
    """The statements queued by `soon`, then this one, in one round trip: its cursor."""
    if not queued:
        return conn.execute(query, values)
    with conn.pipeline():
        for earlier, arguments in queued:
            conn.execute(earlier, arguments)
        cursor = conn.execute(query, values)
    return cursor
