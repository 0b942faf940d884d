"""The store, on SQLite and on PostgreSQL: schema and migrations, constraints, statement
order, live state, event versions."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from voting import schema
from voting import store as sql
from voting.models import Event, InputError, LiveState
from voting.schema import SCHEMA_VERSION
from voting.store import Store

pytestmark = pytest.mark.both_databases
INTEGRITY = (sqlite3.IntegrityError, psycopg.IntegrityError)


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    opened = Store(db)
    yield opened
    opened.close()


@pytest.fixture
def event(store: Store) -> Event:
    return store.write(sql.insert_event, "Veiligheid", ["Een", "Twee", "Drie", "Vier"], "likert5")


def count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def texts(store: Store, event_id: int) -> list[tuple[int, str]]:
    return [(s.position, s.text) for s in store.statements(event_id)]


# -- schema and migrations --------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_new_database_gets_the_schema_in_wal_mode(store: Store) -> None:
    tables = {
        row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"settings", "events", "statements", "participants", "votes"} <= tables
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1


@pytest.mark.sqlite_only
def test_wal_mode_and_version_persist_for_other_connections(db: str) -> None:
    Store(db).close()
    plain = sqlite3.connect(db)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert plain.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        plain.close()


def test_reopening_keeps_the_data(db: str) -> None:
    first = Store(db)
    created = first.write(sql.insert_event, "Veiligheid", ["Een"], "yesno")
    first.close()
    second = Store(db)
    try:
        assert second.event_by_code(created.code) == created
        assert [s.text for s in second.statements(created.id)] == ["Een"]
    finally:
        second.close()


@pytest.mark.sqlite_only
def test_a_newer_schema_version_is_refused_clearly(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = sqlite3.connect(db)
    plain.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    plain.close()
    opened: list[sqlite3.Connection] = []

    def spy(path: str) -> sqlite3.Connection:
        opened.append(sql_connect(path))
        return opened[-1]

    sql_connect = sql.connect
    monkeypatch.setattr("voting.store.core.connect", spy)  # where Store looks it up
    with pytest.raises(RuntimeError) as raised:
        Store(db)
    message = str(raised.value)
    assert db in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"knows {SCHEMA_VERSION}" in message
    # The refused database is left alone, and its connection is not leaked.
    [conn] = opened
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    plain = sqlite3.connect(db)
    try:
        assert plain.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert plain.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        plain.close()


def test_write_rolls_back_a_failing_function(store: Store) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        sql.put_setting(conn, "half", "done")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        store.write(half_done)
    assert store.setting("half") is None
    assert not store.conn.in_transaction
    store.write(sql.put_setting, "after", "ok")  # the connection is still usable
    assert store.setting("after") == "ok"


def test_settings_are_upserted(store: Store) -> None:
    assert store.setting("secret_key") is None
    store.write(sql.put_setting, "secret_key", "one")
    store.write(sql.put_setting, "secret_key", "two")
    assert store.setting("secret_key") == "two"
    assert count(store, "settings") == 1


# -- votes and participants -------------------------------------------------------------------


def test_one_vote_per_participant_per_statement_the_latest_counts(store: Store, event: Event) -> None:
    first, second, *_ = store.statements(event.id)
    store.write(sql.insert_vote, first.id, "p1", "agree")
    store.write(sql.insert_vote, first.id, "p1", "strongly_disagree")
    store.write(sql.insert_vote, second.id, "p1", "pass")
    store.write(sql.insert_vote, first.id, "p2", "neutral")
    votes = {(r["statement_id"], r["participant_id"]): r["option"] for r in store.votes(event.id)}
    assert votes == {
        (first.id, "p1"): "strongly_disagree",
        (second.id, "p1"): "pass",
        (first.id, "p2"): "neutral",
    }
    assert count(store, "votes") == 3


def test_the_primary_key_itself_refuses_a_second_vote(store: Store, event: Event) -> None:
    first = store.statements(event.id)[0]
    store.write(sql.insert_vote, first.id, "p1", "agree")
    with pytest.raises(INTEGRITY):
        store.conn.execute(
            "INSERT INTO votes (statement_id, participant_id, option, cast_at) VALUES (?, ?, ?, ?)",
            (first.id, "p1", "disagree", sql.now()),
        )
    assert [r["option"] for r in store.votes(event.id)] == ["agree"]


def test_a_vote_on_an_unknown_statement_is_refused(store: Store, event: Event) -> None:
    with pytest.raises(INTEGRITY):
        store.write(sql.insert_vote, 999_999, "p1", "agree")
    assert count(store, "votes") == 0


def test_participants_are_counted_once_per_event(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Ander", ["X"], "yesno")
    store.write(sql.insert_participant, event.id, "p1")
    store.write(sql.insert_participant, event.id, "p1")
    store.write(sql.insert_participant, event.id, "p2")
    store.write(sql.insert_participant, other.id, "p1")
    assert store.participant_count(event.id) == 2
    assert store.participant_count(other.id) == 1


def test_votes_of_an_event_exclude_other_events(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Ander", ["X"], "yesno")
    store.write(sql.insert_vote, store.statements(event.id)[0].id, "p1", "agree")
    store.write(sql.insert_vote, store.statements(other.id)[0].id, "p1", "yes")
    assert [r["option"] for r in store.votes(event.id)] == ["agree"]
    assert [r["option"] for r in store.votes(other.id)] == ["yes"]


def test_delete_votes_clears_one_statement(store: Store, event: Event) -> None:
    first, second, *_ = store.statements(event.id)
    store.write(sql.insert_vote, first.id, "p1", "agree")
    store.write(sql.insert_vote, second.id, "p1", "agree")
    store.write(sql.delete_votes, first.id)
    assert [r["statement_id"] for r in store.votes(event.id)] == [second.id]


def test_deleting_an_event_cascades(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Blijft", ["X", "Y"], "yesno")
    for e in (event, other):
        store.write(sql.insert_participant, e.id, "p1")
        for s in store.statements(e.id):
            store.write(sql.insert_vote, s.id, "p1", "pass")
    first = store.statements(event.id)[0]
    store.write(sql.save_state, event.id, LiveState(statement_id=first.id, voting_open=True))

    store.write(sql.delete_event, event.id)

    assert store.event_by_code(event.code) is None
    assert store.statements(event.id) == []
    assert store.votes(event.id) == []
    assert store.participant_count(event.id) == 0
    assert count(store, "statements") == 2
    assert count(store, "votes") == 2
    assert count(store, "participants") == 1
    assert store.event_by_code(other.code) == other


# -- statements -------------------------------------------------------------------------------


def test_statements_come_in_position_order(store: Store, event: Event) -> None:
    assert texts(store, event.id) == [(0, "Een"), (1, "Twee"), (2, "Drie"), (3, "Vier")]
    assert {s.scale for s in store.statements(event.id)} == {"likert5"}
    assert all(s.event_id == event.id for s in store.statements(event.id))


def test_added_statements_go_to_the_end(store: Store, event: Event) -> None:
    added = store.write(sql.insert_statements, event.id, ["Vijf", "Zes"], "yesno")
    assert [(s.position, s.text, s.scale) for s in added] == [(4, "Vijf", "yesno"), (5, "Zes", "yesno")]
    assert store.statements(event.id)[-2:] == added


def test_statements_of_a_new_event_start_at_zero(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Ander", ["X"], "agree3")
    assert [(s.position, s.text, s.scale) for s in store.statements(other.id)] == [(0, "X", "agree3")]


def test_reorder_statements(store: Store, event: Event) -> None:
    a, b, c, d = (s.id for s in store.statements(event.id))
    store.write(sql.reorder_statements, [d, b, a, c])
    assert texts(store, event.id) == [(0, "Vier"), (1, "Twee"), (2, "Een"), (3, "Drie")]
    assert [s.id for s in store.statements(event.id)] == [d, b, a, c]


def test_update_statement(store: Store, event: Event) -> None:
    first = store.statements(event.id)[0]
    store.write(sql.update_statement, first.id, "Nieuw", "yesno")
    changed = store.statements(event.id)[0]
    assert (changed.id, changed.position, changed.text, changed.scale) == (first.id, 0, "Nieuw", "yesno")


def test_delete_statement_renumbers_the_rest_and_saves_the_state(store: Store, event: Event) -> None:
    a, b, c, d = (s.id for s in store.statements(event.id))
    store.write(sql.insert_vote, b, "p1", "agree")
    store.write(sql.insert_vote, c, "p1", "agree")
    store.write(sql.save_state, event.id, LiveState(statement_id=b, voting_open=True))

    state = LiveState(statement_id=None, voting_open=False, results_projector=True)
    store.write(sql.delete_statement, event.id, b, [a, c, d], state)

    assert texts(store, event.id) == [(0, "Een"), (1, "Drie"), (2, "Vier")]
    assert [r["statement_id"] for r in store.votes(event.id)] == [c]  # its votes went with it
    found = store.event_by_code(event.code)
    assert found is not None and found.state == state


def test_deleting_the_current_statement_clears_it_from_the_event(store: Store, event: Event) -> None:
    first = store.statements(event.id)[0]
    store.write(sql.save_state, event.id, LiveState(statement_id=first.id))
    store.write(lambda conn: conn.execute("DELETE FROM statements WHERE id = ?", (first.id,)))
    found = store.event_by_code(event.code)
    assert found is not None and found.state.statement_id is None


# -- events and live state --------------------------------------------------------------------


def test_insert_event_returns_what_is_stored(store: Store, event: Event) -> None:
    found = store.event_by_code(event.code)
    assert found == event
    assert found.title == "Veiligheid"
    assert found.state == LiveState()
    assert len(event.moderator_token) >= 24
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", event.created_at)


def test_unknown_code_is_none(store: Store, event: Event) -> None:
    assert store.event_by_code("000000") is None


@pytest.mark.parametrize(
    "state",
    [
        LiveState(),
        LiveState(statement_id=-1, voting_open=True),
        LiveState(statement_id=-1, voting_open=False, results_projector=True, results_phones=True),
        LiveState(statement_id=-1, voting_open=True, results_projector=False, results_phones=True),
    ],
)
def test_save_state_round_trips(store: Store, event: Event, state: LiveState) -> None:
    if state.statement_id == -1:
        state.statement_id = store.statements(event.id)[2].id
    store.write(sql.save_state, event.id, state)
    found = store.event_by_code(event.code)
    assert found is not None
    assert found.state == state
    assert isinstance(found.state.voting_open, bool)
    assert (found.id, found.title, found.moderator_token) == (event.id, event.title, event.moderator_token)


def test_save_state_touches_only_its_event(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Ander", ["X"], "yesno")
    store.write(sql.save_state, event.id, LiveState(voting_open=True, results_phones=True))
    found = store.event_by_code(other.code)
    assert found is not None and found.state == LiveState()


def test_events_are_listed_newest_first(store: Store) -> None:
    created = [store.write(sql.insert_event, f"E{i}", ["X"], "yesno") for i in range(3)]
    assert [e.code for e in store.events()] == [e.code for e in reversed(created)]


def test_event_codes_are_six_digits_and_unique(store: Store) -> None:
    codes = [store.write(sql.insert_event, f"E{i}", ["X"], "yesno").code for i in range(300)]
    assert all(re.fullmatch(r"[1-9]\d{5}", code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_a_taken_code_is_drawn_again(store: Store, event: Event, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = int(event.code) - 100_000
    draws = iter([taken, taken, 23_456])
    monkeypatch.setattr(secrets, "randbelow", lambda n: next(draws))
    assert store.write(sql.insert_event, "Nieuw", ["X"], "yesno").code == "123456"


def test_the_database_refuses_a_duplicate_or_malformed_code(store: Store, event: Event) -> None:
    insert = "INSERT INTO events (code, title, moderator_token, created_at) VALUES (?, 't', 'x', 'now')"
    with pytest.raises(INTEGRITY):
        store.conn.execute(insert, (event.code,))
    with pytest.raises(INTEGRITY):
        store.conn.execute(insert, ("12345",))


def test_a_second_store_sees_committed_writes(db: str, tmp_path: Path) -> None:
    writer, reader = Store(db), Store(db)
    try:
        created = writer.write(sql.insert_event, "Gedeeld", ["X"], "yesno")
        assert reader.event_by_code(created.code) == created
    finally:
        writer.close()
        reader.close()


# -- migration from schema version 1 ----------------------------------------------------------

# The schema of version 1 (git show 711ecd2:voting/store.py), copied literally: databases
# made by that release must open with this one.
V1_SCHEMA = """
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
    results_phones INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    scale TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_by_event ON statements(event_id, position);
CREATE TABLE IF NOT EXISTS participants (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (event_id, id)
) WITHOUT ROWID;
-- One current vote per participant per statement: the primary key enforces it and
-- insert_vote upserts, so changing a vote replaces it.
CREATE TABLE IF NOT EXISTS votes (
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    option TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    PRIMARY KEY (statement_id, participant_id)
) WITHOUT ROWID;
"""


def columns(store: Store) -> dict[str, list[tuple[str, str, int, object]]]:
    tables = [
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {
        table: [(c[1], c[2], c[3], c[4]) for c in store.conn.execute(f"PRAGMA table_info({table})")]
        for table in tables
    }


@pytest.mark.sqlite_only
def test_a_version_1_database_is_migrated_to_version_2(db: str) -> None:
    old = sqlite3.connect(db, isolation_level=None)
    old.execute("PRAGMA foreign_keys = ON")
    old.executescript(V1_SCHEMA)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO events (id, code, title, moderator_token, created_at) VALUES (?, ?, ?, ?, ?)",
        (7, "482913", "Veiligheid", "token-of-the-moderator", "2025-03-01T19:00:00.000+00:00"),
    )
    old.executemany(
        "INSERT INTO statements (id, event_id, position, text, scale) VALUES (?, 7, ?, ?, ?)",
        [(11, 0, "Een", "likert5"), (12, 1, "Twee", "yesno")],
    )
    old.execute(
        "UPDATE events SET current_statement_id = 12, voting_open = 1, results_phones = 1 WHERE id = 7"
    )
    old.executemany(
        "INSERT INTO votes (statement_id, participant_id, option, cast_at) VALUES (?, ?, ?, ?)",
        [
            (11, "p1", "agree", "2025-03-01T19:01:00.000+00:00"),
            (11, "p2", "pass", "2025-03-01T19:01:01.000+00:00"),
            (12, "p1", "yes", "2025-03-01T19:02:00.000+00:00"),
        ],
    )
    old.execute("INSERT INTO participants (event_id, id, joined_at) VALUES (7, 'p1', 'then')")
    old.close()

    store = Store(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        event = store.event_by_code("482913")
        assert event == Event(
            7, "482913", "Veiligheid", "token-of-the-moderator", "2025-03-01T19:00:00.000+00:00",
            LiveState(statement_id=12, voting_open=True, results_phones=True),
        )
        # The new columns have their defaults: comments on, pre-moderation on, no ticker, no highlight.
        assert (event.state.comments, event.state.premoderation) == (True, True)
        assert (event.state.ticker, event.state.highlight) == (False, None)
        assert [(s.id, s.position, s.text, s.scale) for s in store.statements(7)] == [
            (11, 0, "Een", "likert5"), (12, 1, "Twee", "yesno"),
        ]  # fmt: skip
        assert [tuple(r) for r in store.votes(7)] == [
            (11, "p1", 1, "agree", "2025-03-01T19:01:00.000+00:00"),
            (11, "p2", 1, "pass", "2025-03-01T19:01:01.000+00:00"),
            (12, "p1", 1, "yes", "2025-03-01T19:02:00.000+00:00"),
        ]
        # Version 3: no roles, nobody asked, every statement in its first round.
        assert event.roles == [] and event.report_token is None
        assert store.roles_of(7) == {"p1": None}
        assert [s.round for s in store.statements(7)] == [1, 1]
        assert store.participant_count(7) == 1
        assert store.comments(7) == []
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The same tables and columns as a database created at version 2.
        fresh = Store(db + ".fresh")
        try:
            assert columns(store) == columns(fresh)
        finally:
            fresh.close()
        # Comments, supports and the comment state work on the migrated database.
        comment = store.write(sql.insert_comment, 12, "p1", "Anna", "Goed idee", "pending")
        store.write(sql.set_comment_status, comment.id, "published")
        store.write(sql.set_support, comment.id, "p2", True)
        state = LiveState(statement_id=12, highlight=comment.id, ticker=True, premoderation=False)
        store.write(sql.save_state, 7, state)
        [stored] = store.comments(7)
        assert (stored.id, stored.statement_id, stored.participant, stored.name, stored.text) == (
            comment.id, 12, "p1", "Anna", "Goed idee",
        )  # fmt: skip
        assert (stored.status, stored.supporters) == ("published", {"p2"})
        found = store.event_by_code("482913")
        assert found is not None and found.state == state
        # The foreign keys of the migrated tables hold: deleting the statement takes its
        # comment and the highlight with it.
        store.write(sql.delete_statement, 7, 12, [11], LiveState(statement_id=11))
        assert store.comments(7) == []
        assert count(store, "supports") == 0
        found = store.event_by_code("482913")
        assert found is not None and found.state.highlight is None
    finally:
        store.close()
    # Opening it again changes nothing.
    again = Store(db)
    try:
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == 8
        assert [s.text for s in again.statements(7)] == ["Een"]
    finally:
        again.close()


@pytest.mark.sqlite_only
def test_each_migration_step_records_its_version_with_its_changes(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start that stops after a step (here: a later step fails) must not run that step
    again next time: ALTER TABLE ADD COLUMN cannot be repeated."""
    old = sqlite3.connect(db, isolation_level=None)
    old.executescript(V1_SCHEMA)
    old.execute("PRAGMA user_version = 1")
    old.close()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 8)
    monkeypatch.setitem(schema.MIGRATIONS, 8, "CREATE TABLE broken (;")
    with pytest.raises(sqlite3.OperationalError):
        Store(db)
    monkeypatch.undo()
    store = Store(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 8
        assert count(store, "comments") == 0
    finally:
        store.close()


@pytest.mark.sqlite_only
def test_a_version_5_database_gets_attendance_tickets(db: str) -> None:
    old = sqlite3.connect(db, isolation_level=None)
    old.executescript(V1_SCHEMA)
    for step in range(2, 6):
        old.executescript(schema.MIGRATIONS[step])
    old.execute("PRAGMA user_version = 5")
    old.execute(
        "INSERT INTO events (id, code, title, moderator_token, created_at, roles)"
        " VALUES (7, '482913', 'Veiligheid', 'token', 'then', '[\"Politie\"]')"
    )
    old.close()

    store = Store(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        event = store.event_by_code("482913")
        assert event is not None and event.tickets is False  # an old event requires none
        assert store.ticket_status(7) == (False, 0, 0) and store.ticket_counts() == {}
        codes = iter(["AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"])  # a taken code is drawn again
        assert store.write(sql.insert_tickets, 7, lambda: next(codes), 2, "Politie") == [
            "AAAAAAAAAA", "BBBBBBBBBB",
        ]  # fmt: skip
        store.write(sql.set_tickets_required, 7, True)
        assert store.write(sql.redeem_ticket, 7, "AAAAAAAAAA", "p1") == ("redeemed", "Politie")
        assert store.write(sql.redeem_ticket, 7, "AAAAAAAAAA", "p2") == ("used", None)
        assert store.write(sql.redeem_ticket, 7, "AAAAAAAAAA", "p1") == ("mine", "Politie")
        assert store.write(sql.redeem_ticket, 7, "BBBBBBBBBB", "p1") == ("holder", "Politie")
        assert store.write(sql.redeem_ticket, 7, "CCCCCCCCCC", "p2") == ("unknown", None)
        assert store.ticket_holders(7) == {"p1": "Politie"}
        assert store.roles_of(7) == {"p1": "Politie"}  # the ticket's role is the participant's
        assert store.ticket_status(7) == (True, 2, 1) and store.ticket_counts() == {7: (2, 1)}
        found = store.event_by_code("482913")
        assert found is not None and found.tickets is True
        # One ticket per participant, enforced by the database itself.
        with pytest.raises(INTEGRITY):
            store.write(
                lambda conn: conn.execute(
                    "UPDATE tickets SET participant_id = 'p1' WHERE code = 'BBBBBBBBBB'"
                )
            )
        fresh = Store(db + ".fresh")
        try:
            assert columns(store) == columns(fresh)
        finally:
            fresh.close()
        store.write(sql.delete_event, 7)  # tickets go with their event
        assert count(store, "tickets") == 0
    finally:
        store.close()


@pytest.mark.sqlite_only
def test_a_version_6_database_gets_the_cockpit_columns_and_undo(db: str) -> None:
    old = sqlite3.connect(db, isolation_level=None)
    old.executescript(V1_SCHEMA)
    for step in range(2, 7):
        old.executescript(schema.MIGRATIONS[step])
    old.execute("PRAGMA user_version = 6")
    old.execute(
        "INSERT INTO events (id, code, title, moderator_token, created_at, voting_open)"
        " VALUES (7, '482913', 'Veiligheid', 'token', 'then', 1)"
    )
    old.execute(
        "INSERT INTO statements (id, event_id, position, text, scale, translations)"
        " VALUES (3, 7, 0, 'Stelling', 'likert5', '{\"fr\": \"Thèse\"}')"
    )
    old.execute("INSERT INTO votes VALUES (3, 'p1', 1, 'agree', 'then')")
    old.close()

    store = Store(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 8
        event = store.event_by_code("482913")
        assert event is not None
        assert event.state.voting_open is True  # what was there stays
        assert (event.state.blank, event.state.ended, event.state.auto_open) == (False, False, False)
        assert event.state.countdown_ends_at is None and event.state.countdown_seconds is None
        [statement] = store.statements(7)
        assert (statement.ballot, statement.edited, statement.stale) == (0, False, [])
        assert statement.translations == {"fr": "Thèse"}
        assert store.write(sql.reset_votes, 3, 1) == 1  # the new column works
        assert count(store, "votes") == 0
        row = store.conn.execute("SELECT role_translations FROM events WHERE id = 7").fetchone()
        assert row[0] == "{}"
        store.write(
            lambda conn: conn.execute(
                "INSERT INTO undo VALUES ('t', 7, 'reset', 3, 'Stelling', '{}', 1.0, 61.0, 0)"
            )
        )
        fresh = Store(db + ".fresh")
        try:
            assert columns(store) == columns(fresh)
        finally:
            fresh.close()
        store.write(sql.delete_event, 7)  # undo records go with their event
        assert count(store, "undo") == 0
    finally:
        store.close()


def test_statement_text_is_plain_text() -> None:
    from voting.models import clean_statement_text

    assert clean_statement_text("  Camera's\u202e  op\u200b pleinen\ud800 ") == "Camera's op pleinen"


# -- events.version: every write that changes an event raises it ------------------------------


def _version(store: Store, event: Event) -> int:
    return store.event_versions([event.code])[event.code]


def test_event_versions_of_existing_events_only(store: Store, event: Event) -> None:
    other = store.write(sql.insert_event, "Ander", ["A"], "likert5")
    versions = store.event_versions([event.code, other.code, "999999", event.code])
    assert sorted(versions) == sorted([event.code, other.code])
    assert all(isinstance(v, int) for v in versions.values())
    assert store.event_versions([]) == {}
    store.write(sql.delete_event, other.id)
    assert store.event_versions([other.code]) == {}


def test_every_write_that_changes_an_event_raises_its_version(store: Store, event: Event) -> None:
    from voting.store import undo as undo_sql

    other = store.write(sql.insert_event, "Ander", ["A"], "likert5")
    untouched = _version(store, other)
    first, second, third, _ = (s.id for s in store.statements(event.id))
    undo = undo_sql.Undoable("u1", event.id, "reset", first, "Een", 0.0, 60.0)
    undo2 = undo_sql.Undoable("u2", event.id, "delete", third, "Drie", 0.0, 60.0)
    writes: list[tuple[str, object, tuple[object, ...]]] = [
        ("statements added", sql.insert_statements, (event.id, ["Vijf"], "likert5")),
        ("statement edited", sql.update_statement, (second, "Twee!", "likert5")),
        ("statements reordered", sql.reorder_statements, ([second, first, third],)),
        ("moved", sql.move_to, (event.id, first)),
        ("state", sql.update_state, (event.id, {"voting_open": True})),
        ("joined", sql.insert_participant, (event.id, "p1")),
        ("vote", sql.cast_vote, (event.id, first, "p1", "agree")),
        ("vote (seeded)", sql.insert_vote, (second, "p2", "agree")),
        ("role", sql.set_role, (event.id, "p1", "")),
        ("roles", sql.set_roles, (event.id, ["a", "b"])),
        ("comment", sql.post_comment, (event.id, first, "p1", None, "Hoi", 1e9, 5, 5)),
        ("seeded comment", sql.insert_comment, (first, "p2", None, "Ja", "published")),
        ("round", sql.set_round, (first, 2)),
        ("votes deleted", sql.delete_votes, (second,)),
        ("votes reset", sql.reset_votes, (second, 1)),
        ("report token", sql.set_report_token, (event.id, "tok")),
        ("tickets required", sql.set_tickets_required, (event.id, False)),
        ("tickets", sql.insert_tickets, (event.id, lambda: secrets.token_hex(5), 2, None)),
        ("undoable reset", undo_sql.reset_votes, (undo, 1)),
        ("undo", undo_sql.restore, (event.id, "u1", 1.0)),
        ("undoable delete", undo_sql.delete_statement, (undo2,)),
        ("statement deleted", sql.delete_statement, (event.id, third, [second, first])),
    ]
    for label, fn, args in writes:
        before = _version(store, event)
        store.write(fn, *args)  # type: ignore[arg-type]
        assert _version(store, event) > before, label
    comment = store.comments(event.id)[0]
    for label, fn, args in [
        ("support", sql.set_support, (comment.id, "p2", True)),
        ("support withdrawn", sql.set_support, (comment.id, "p2", False)),
        ("comment status", sql.set_comment_status, (comment.id, "hidden")),
    ]:
        before = _version(store, event)
        store.write(fn, *args)  # type: ignore[arg-type]
        assert _version(store, event) > before, label
    code = store.write(sql.insert_tickets, event.id, lambda: secrets.token_hex(5), 1, None)[0]
    before = _version(store, event)
    assert store.write(sql.redeem_ticket, event.id, code, "p3")[0] == "redeemed"
    assert _version(store, event) > before
    assert _version(store, other) == untouched, "another event's writes leave it alone"


def test_a_refused_write_or_a_known_phone_leaves_the_version(store: Store, event: Event) -> None:
    store.write(sql.insert_participant, event.id, "p1")
    before = _version(store, event)
    store.write(sql.insert_participant, event.id, "p1")
    assert _version(store, event) == before
    with pytest.raises(InputError):
        store.write(sql.cast_vote, event.id, store.statements(event.id)[0].id, "p1", "agree")
    assert _version(store, event) == before
