"""Copy a whole database into another, empty one: from a SQLite file to the PostgreSQL
database several hosts share (or back), every table row for row with its ids, in one
transaction on the target (`voting database copy`, voting/cli/database.py).

The tables are copied in the order the schema creates them. A column that refers to a
table copied later (the event's current statement and highlighted comment) is filled in
once that table is there. PostgreSQL's id sequences are then moved past the copied ids,
so new statements and comments never collide with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from voting.schema import SCHEMA
from voting.store.dialect import Connection, PgConnection, begin

CHUNK = 5000  # rows written at a time


def _tables() -> list[tuple[str, list[str]]]:
    """Each table in the schema's order, with its columns that refer to a later table."""
    tables: list[tuple[str, list[str]]] = []
    for match in re.finditer(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\)", SCHEMA, re.S):
        name, body = match.groups()
        earlier = {table for table, _ in tables} | {name}
        references = re.findall(r"^\s*(\w+) \w+[^\n]*?REFERENCES (\w+)\(", body, re.M)
        tables.append((name, [column for column, table in references if table not in earlier]))
    return tables


TABLES = _tables()
# Tables whose id PostgreSQL draws from a sequence (an identity column there).
NUMBERED = {
    match.group(1)
    for match in re.finditer(r"CREATE TABLE IF NOT EXISTS (\w+) \(\s*id INTEGER PRIMARY KEY\b", SCHEMA)
}


class TargetNotEmpty(Exception):
    """The target database already holds events: copying into it could mix two evenings."""


def copy_database(source: Connection, target: Connection) -> dict[str, int]:
    """Copy every row of every table from `source` to `target` (both at the current
    schema; the target holds no event). Returns the rows copied per table."""
    if target.execute("SELECT count(*) FROM events").fetchone()[0]:
        raise TargetNotEmpty()
    copied: dict[str, int] = {}
    later: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    begin(target)
    try:
        target.execute("DELETE FROM settings")  # the source's secret and settings, not a fresh one's
        for table, forward in TABLES:
            copied[table] = 0
            for columns, rows in _read(source, table):
                # Refers to a table not copied yet: NULL now, the value once that table is in.
                deferred = [columns.index(c) for c in forward]
                if deferred:
                    later.append((table, [columns[i] for i in deferred], [
                        (*(row[i] for i in deferred), row[columns.index("id")]) for row in rows
                        if any(row[i] is not None for i in deferred)
                    ]))  # fmt: skip
                    rows = [tuple(None if i in deferred else v for i, v in enumerate(row)) for row in rows]
                target.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                    rows,
                )
                copied[table] += len(rows)
        for table, columns, values in later:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            target.executemany(f"UPDATE {table} SET {assignments} WHERE id = ?", values)
        if isinstance(target, PgConnection):
            for table in sorted(NUMBERED):
                target.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id))"
                    f" FROM {table} HAVING max(id) IS NOT NULL"
                )
        target.execute("COMMIT")
    except BaseException:
        if target.in_transaction:
            target.execute("ROLLBACK")
        raise
    return copied


def _read(source: Connection, table: str) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
    """The table's rows in primary-key order, in chunks, with their column names."""
    chunk: list[tuple[Any, ...]] = []
    columns: list[str] = []
    for row in source.execute(f"SELECT * FROM {table} ORDER BY 1"):
        columns = columns or list(row.keys())
        chunk.append(tuple(row))
        if len(chunk) == CHUNK:
            yield columns, chunk
            chunk = []
    if chunk:
        yield columns, chunk


def counts(conn: Connection) -> dict[str, int]:
    """Rows per table."""
    return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table, _ in TABLES}
