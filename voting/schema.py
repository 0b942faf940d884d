"""The database schema and its migrations, for SQLite and PostgreSQL.

The DDL is written once, in SQLite's spelling; `postgres()` turns it into PostgreSQL's
(identity ids, BIGINT, DOUBLE PRECISION, BYTEA), so a new column is added in one place
for both: in its table below and as a step in MIGRATIONS. How far a database is: SQLite's
PRAGMA user_version, PostgreSQL's schema_version table. A PostgreSQL database starts at
version 8 (SCHEMA whole); only steps after 8 ever run there.
"""

from __future__ import annotations

import re
from typing import Any

SCHEMA_VERSION = 8
_CORE = """
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
    title TEXT NOT NULL,
    moderator_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    current_statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
    voting_open INTEGER NOT NULL DEFAULT 0,
    results_projector INTEGER NOT NULL DEFAULT 0,
    results_phones INTEGER NOT NULL DEFAULT 0,
    highlight_comment_id INTEGER REFERENCES comments(id) ON DELETE SET NULL,
    ticker INTEGER NOT NULL DEFAULT 0,
    comments_enabled INTEGER NOT NULL DEFAULT 1,
    premoderation INTEGER NOT NULL DEFAULT 1,
    roles TEXT NOT NULL DEFAULT '[]',  -- JSON list of the roles participants pick from
    by_role INTEGER NOT NULL DEFAULT 0,  -- the projector splits the results by role
    report_token TEXT,  -- the report's share link; NULL when not shared
    show_qr INTEGER NOT NULL DEFAULT 0,  -- the projector shows the QR code full screen
    high_contrast INTEGER NOT NULL DEFAULT 0,  -- the projector's high-contrast theme
    second_language TEXT,  -- the projector also shows statements in this language
    tickets_required INTEGER NOT NULL DEFAULT 0,  -- only phones with a redeemed ticket take part
    blank INTEGER NOT NULL DEFAULT 0,  -- the projector shows black (presenter key B)
    ended INTEGER NOT NULL DEFAULT 0,  -- the end screen is on
    auto_open INTEGER NOT NULL DEFAULT 0,  -- showing a statement opens voting at once
    countdown_ends_at REAL,  -- epoch seconds when the running countdown closes voting
    countdown_seconds INTEGER,  -- its length
    role_translations TEXT NOT NULL DEFAULT '{}',  -- JSON: role → language → name
    place TEXT,  -- where the event is held, for the report
    organiser TEXT,  -- who organises it, for the report
    show_map INTEGER NOT NULL DEFAULT 0,  -- the projector shows the opinion map
    version INTEGER NOT NULL DEFAULT 0,  -- raised by every write that changes the event
    reread_version INTEGER NOT NULL DEFAULT 0  -- the version of its last change that is not a vote
);
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    scale TEXT NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,  -- 2 once the moderator starts a second round
    translations TEXT NOT NULL DEFAULT '{}',  -- JSON: language → the statement's text
    ballot INTEGER NOT NULL DEFAULT 0,  -- +1 whenever its votes are reset: phones start afresh
    edited_after_votes INTEGER NOT NULL DEFAULT 0,  -- its text changed while it had votes
    stale_translations TEXT NOT NULL DEFAULT '[]',  -- JSON: languages older than the text
    excluded INTEGER NOT NULL DEFAULT 0  -- imported, moderated out: for the opinion map only
);
CREATE INDEX IF NOT EXISTS statements_by_event ON statements(event_id, position);
CREATE TABLE IF NOT EXISTS participants (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    role TEXT,  -- NULL: not chosen yet; '': skipped
    language TEXT,  -- the page's language when they joined; NULL: not known
    PRIMARY KEY (event_id, id)
) WITHOUT ROWID;
-- One current vote per participant per statement and round: the primary key enforces it
-- and insert_vote upserts, so changing a vote replaces it.
CREATE TABLE IF NOT EXISTS votes (
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,
    option TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,  -- the event's version in the transaction that stored it
    PRIMARY KEY (statement_id, participant_id, round)
) WITHOUT ROWID;
-- Another process reads only the votes above the version it last saw.
CREATE INDEX IF NOT EXISTS votes_by_version ON votes(statement_id, version);
"""
_COMMENTS = """
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    name TEXT,
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'hidden')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_by_statement ON comments(statement_id);
CREATE INDEX IF NOT EXISTS comments_by_participant ON comments(participant_id, created_at);
-- "Me too": once per participant per comment, enforced by the primary key.
CREATE TABLE IF NOT EXISTS supports (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    PRIMARY KEY (comment_id, participant_id)
) WITHOUT ROWID;
"""
_TICKETS = """
-- Attendance tickets: single-use codes printed for an event. A ticket is bound to the first
-- participant (phone) that redeems it; the unique index keeps it to one ticket per phone.
CREATE TABLE IF NOT EXISTS tickets (
    code TEXT PRIMARY KEY,  -- 10 characters of Crockford's base 32, unique across events
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    role TEXT,  -- the role the holder votes as; NULL: they pick one as usual
    created_at TEXT NOT NULL,
    participant_id TEXT,  -- NULL until redeemed
    redeemed_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tickets_by_event ON tickets(event_id);
CREATE UNIQUE INDEX IF NOT EXISTS tickets_by_holder ON tickets(event_id, participant_id);
"""
_UNDO = """
-- Destructive moderator actions that can still be undone: everything needed to put the
-- rows back exactly (JSON), for a minute.
CREATE TABLE IF NOT EXISTS undo (
    id TEXT PRIMARY KEY,  -- a random token
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('reset', 'delete')),
    statement_id INTEGER NOT NULL,  -- no foreign key: a deleted statement is what it restores
    label TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS undo_by_event ON undo(event_id, created_at);
"""
# The whole schema at SCHEMA_VERSION, for a new database. An older database is brought
# up to date by the steps in MIGRATIONS instead (PRAGMA user_version says how far it is).
_LOGOS = """
-- The organiser's logo for the report: one image per event, kept out of the events row.
CREATE TABLE IF NOT EXISTS event_logos (
    event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL
);
"""
SCHEMA = _CORE + _COMMENTS + _TICKETS + _UNDO + _LOGOS
MIGRATIONS = {
    2: _COMMENTS
    + """
ALTER TABLE events ADD COLUMN highlight_comment_id INTEGER REFERENCES comments(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN ticker INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN comments_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN premoderation INTEGER NOT NULL DEFAULT 1;
""",
    3: """
ALTER TABLE events ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN by_role INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN report_token TEXT;
ALTER TABLE statements ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE participants ADD COLUMN role TEXT;
CREATE TABLE votes_v3 (
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,
    option TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    PRIMARY KEY (statement_id, participant_id, round)
) WITHOUT ROWID;
INSERT INTO votes_v3 SELECT statement_id, participant_id, 1, option, cast_at FROM votes;
DROP TABLE votes;
ALTER TABLE votes_v3 RENAME TO votes;
""",
    4: """
ALTER TABLE events ADD COLUMN show_qr INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN high_contrast INTEGER NOT NULL DEFAULT 0;
""",
    5: """
ALTER TABLE events ADD COLUMN second_language TEXT;
ALTER TABLE statements ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
""",
    6: _TICKETS
    + """
ALTER TABLE events ADD COLUMN tickets_required INTEGER NOT NULL DEFAULT 0;
""",
    7: _UNDO
    + """
ALTER TABLE events ADD COLUMN blank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN auto_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN countdown_ends_at REAL;
ALTER TABLE events ADD COLUMN countdown_seconds INTEGER;
ALTER TABLE events ADD COLUMN role_translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE statements ADD COLUMN ballot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN edited_after_votes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN stale_translations TEXT NOT NULL DEFAULT '[]';
""",
    8: _LOGOS
    + """
ALTER TABLE events ADD COLUMN place TEXT;
ALTER TABLE events ADD COLUMN organiser TEXT;
ALTER TABLE events ADD COLUMN show_map INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN reread_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE votes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS votes_by_version ON votes(statement_id, version);
ALTER TABLE statements ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN language TEXT;
CREATE INDEX IF NOT EXISTS comments_by_participant ON comments(participant_id, created_at);
""",
}


def postgres(ddl: str) -> str:
    """SQLite DDL of this module in PostgreSQL's spelling."""
    ddl = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ddl)
    ddl = re.sub(r"\bINTEGER\b", "BIGINT", ddl)
    ddl = re.sub(r"\bREAL\b", "DOUBLE PRECISION", ddl)
    ddl = re.sub(r"\bBLOB\b", "BYTEA", ddl)
    return ddl.replace(") WITHOUT ROWID;", ");")


# PostgreSQL checks a foreign key's table when the constraint is made: the events table's
# references to tables created after it are added at the end.
_FORWARD = re.compile(r"(\w+) (INTEGER) (REFERENCES (?:statements|comments)\(id\) ON DELETE SET NULL)")
POSTGRES_SCHEMA = postgres(_FORWARD.sub(r"\1 \2", SCHEMA)) + "".join(
    f"\nALTER TABLE events ADD FOREIGN KEY ({column}) {reference};"
    for column, _, reference in _FORWARD.findall(_CORE)
)
_LOCK = 7_421_001  # pg_advisory_xact_lock key: one process migrates at a time


def migrate(conn: Any, path: str) -> None:
    """Create the schema in a new database, or bring an older one up to date."""
    if path.startswith(("postgresql://", "postgres://")):
        _migrate_postgres(conn, path)
        return
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    _refuse_newer(version, path)
    if version == 0:
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    # Each step commits with its version number: a start interrupted between steps goes on
    # from the last one done (ALTER TABLE ADD COLUMN cannot run twice).
    for step in range(version + 1, SCHEMA_VERSION + 1):
        conn.executescript(f"BEGIN; {MIGRATIONS[step]} PRAGMA user_version = {step}; COMMIT;")


def _refuse_newer(version: int, path: str) -> None:
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"{_safe(path)} has schema version {version}; this voting knows {SCHEMA_VERSION}")


def _safe(path: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", path)


def _migrate_postgres(conn: Any, path: str) -> None:
    """The same on PostgreSQL, in one transaction (DDL is transactional there), with an
    advisory lock so that processes starting together migrate once."""
    conn.execute("BEGIN")
    try:
        conn.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        version = int(row[0] or 0)
        _refuse_newer(version, path)
        if version == 0:
            conn.executescript(POSTGRES_SCHEMA)
        else:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                conn.executescript(postgres(MIGRATIONS[step]))
        if version < SCHEMA_VERSION:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
