"""What only PostgreSQL needs: checks that serialise per event across connections (two
processes writing at once), a lost connection, and failures said in one sentence."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from tests.pg import drop_database, fresh_voting_database
from voting import store as sql
from voting.health import StorageError, check_database
from voting.models import Event, InputError
from voting.schema import SCHEMA_VERSION
from voting.store import Store
from voting.store.dialect import begin, soon
from voting.writer import RETRIES, Writer


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    made = fresh_voting_database(postgres_url)
    try:
        yield made
    finally:
        drop_database(made)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = Store(url)
    yield opened
    opened.close()


@pytest.fixture
def event(store: Store) -> Event:
    created = store.write(sql.insert_event, "Twee hosts", ["Een", "Twee"], "likert5")
    first = store.statements(created.id)[0].id
    store.write(sql.move_to, created.id, first)
    store.write(sql.update_state, created.id, {"voting_open": True})
    return created


def _in_thread(fn: object, *args: object) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(fn(*args))  # type: ignore[operator]
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_vote_waits_for_a_moderator_closing_voting_on_another_connection(
    url: str, store: Store, event: Event
) -> None:
    """Host A closes voting (not committed yet) while host B casts a vote: B waits for A's
    row lock and then sees voting closed. Without the lock B would read the old state and
    store a vote after the close."""
    first = store.statements(event.id)[0].id
    moderator = Store(url)
    voter = Store(url)
    try:
        begin(moderator.conn)
        sql.update_state(moderator.conn, event.id, {"voting_open": False})
        thread, outcome = _in_thread(voter.write, sql.cast_vote, event.id, first, "p1", "agree")
        time.sleep(0.3)
        assert thread.is_alive(), "the vote did not wait for the moderator's transaction"
        moderator.conn.execute("COMMIT")
        thread.join(10)
        assert isinstance(outcome[0], InputError) and outcome[0].code == "voting_closed"
        assert store.votes(event.id) == []
    finally:
        moderator.close()
        voter.close()


def test_comment_limits_hold_across_connections(url: str, store: Store, event: Event) -> None:
    first = store.statements(event.id)[0].id
    one, two = Store(url), Store(url)
    try:
        begin(one.conn)
        sql.post_comment(one.conn, event.id, first, "p1", None, "Eerste", time.time(), 5, 1)
        thread, outcome = _in_thread(
            two.write, sql.post_comment, event.id, first, "p1", None, "Tweede", time.time(), 5, 1
        )
        time.sleep(0.3)
        one.conn.execute("COMMIT")
        thread.join(10)
        assert isinstance(outcome[0], InputError) and outcome[0].code == "too_many_comments"
        assert [c.text for c in store.comments(event.id)] == ["Eerste"]
    finally:
        one.close()
        two.close()


def test_ids_from_two_connections_never_collide(url: str, store: Store, event: Event) -> None:
    """Statements and comments take their ids from the sequence, not max(id) + 1."""
    one, two = Store(url), Store(url)
    try:
        begin(one.conn)
        made = sql.insert_statements(one.conn, event.id, ["Drie"], "likert5")
        other = store.write(sql.insert_event, "Ander", ["X"], "yesno")
        made_too = two.write(sql.insert_statements, other.id, ["Y"], "yesno")
        one.conn.execute("COMMIT")
        assert made[0].id != made_too[0].id
    finally:
        one.close()
        two.close()


def test_the_schema_is_recorded_and_a_newer_one_refused(url: str, store: Store) -> None:
    assert store.conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    store.conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match=f"schema version {SCHEMA_VERSION + 1}"):
        Store(url)


def test_the_writer_survives_a_lost_connection(url: str, store: Store, event: Event) -> None:
    """The server drops every connection (a restart, a failover): the next write finds it
    lost at BEGIN, before anything of it ran, and goes through on a new connection; reads
    too."""
    first = store.statements(event.id)[0].id
    writer = Writer(url, linger=0)
    health: list[dict[str, object]] = []
    writer.on_health = health.append

    async def body() -> None:
        writer.start()
        try:
            await writer.submit(sql.cast_vote, event.id, first, "p1", "agree")
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            await writer.submit(sql.cast_vote, event.id, first, "p2", "agree")
        finally:
            await writer.stop()

    asyncio.run(body())
    assert health == [] and writer.health.ok
    assert sorted(participant for _, participant, *_ in store.votes(event.id)) == ["p1", "p2"]


def test_a_writer_without_its_server_refuses_with_the_reason() -> None:
    """No server: each write is refused as "not saved" (phones retry), the console and
    /healthz get one sentence, and no traceback."""
    writer = Writer("postgresql://voting@127.0.0.1:1/voting", linger=0)

    async def body() -> StorageError:
        writer.start()
        try:
            with pytest.raises(StorageError) as caught:
                await writer.submit(sql.put_setting, "k", "v")
            return caught.value
        finally:
            await writer.stop()

    error = asyncio.run(body())
    assert error.code == "not_saved" and error.reason == "unreachable"
    payload = writer.health.payload()
    assert payload["ok"] is False and payload["reason"] == "unreachable"
    assert str(payload["message"]).startswith("The database server at 127.0.0.1:1/voting cannot be reached")


def test_an_unreachable_server_or_a_wrong_database_is_one_sentence(postgres_url: str) -> None:
    closed = "postgresql://voting:geheim@127.0.0.1:1/voting"
    with pytest.raises(StorageError) as caught:
        check_database(closed)
    assert caught.value.reason == "unreachable"
    assert caught.value.sentence.startswith("The database server at 127.0.0.1:1/voting cannot be reached")
    assert "geheim" not in caught.value.sentence
    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StorageError) as caught:
        check_database(missing)
    assert caught.value.reason == "login_refused"
    assert "no_such_database" in caught.value.sentence


def test_two_writers_on_two_events_in_opposite_order_all_commit(url: str, store: Store, event: Event) -> None:
    """Two processes' batches lock the same two events in opposite orders: PostgreSQL
    aborts one of them as a deadlock, and the writer runs that batch again."""
    other = store.write(sql.insert_event, "Ander", ["A"], "likert5")
    store.write(sql.move_to, other.id, store.statements(other.id)[0].id)
    store.write(sql.update_state, other.id, {"voting_open": True})
    current = {e.id: store.statements(e.id)[0].id for e in (event, other)}
    gate = threading.Barrier(2, timeout=10)
    met: list[int] = []

    def meet(conn: object) -> None:
        met.append(1)
        if len(met) <= 2:  # the first time only (not when a batch runs again)
            gate.wait()  # both writers hold their first event's lock before taking the second

    async def votes(writer: Writer, order: list[int], name: str) -> None:
        first, second = order
        await asyncio.gather(
            writer.submit(sql.cast_vote, first, current[first], f"{name}-1", "agree"),
            writer.submit(meet),
            writer.submit(sql.cast_vote, second, current[second], f"{name}-2", "agree"),
        )

    async def body() -> None:
        one, two = Writer(url, linger=0.05), Writer(url, linger=0.05)
        one.start()
        two.start()
        try:
            await asyncio.gather(
                votes(one, [event.id, other.id], "a"), votes(two, [other.id, event.id], "b")
            )
        finally:
            await one.stop()
            await two.stop()

    asyncio.run(body())
    voters = sorted(p for e in (event, other) for _, p, *_ in store.votes(e.id))
    assert voters == ["a-1", "a-2", "b-1", "b-2"]
    # A deadlock victim's batch ran again. Usually once; but the rerun may take the lock the
    # other batch was waiting for before it (PostgreSQL's lock queue lets it), and then
    # that one is the next victim: each batch runs at most RETRIES more times.
    assert 3 <= len(met) <= 2 + 2 * RETRIES, "a batch ran again"


def test_a_statement_sent_soon_goes_with_the_next_and_a_rollback_drops_it(
    url: str, store: Store, event: Event
) -> None:
    """`soon` (the event's version raised with the vote that follows, in one round trip):
    the statement runs in the transaction before the next one; a rollback before anything
    was sent sends nothing; a failing one fails the statement it went with."""

    def committed() -> int:
        return int(store.conn.execute("SELECT version FROM events WHERE id = ?", (event.id,)).fetchone()[0])

    raise_version = "UPDATE events SET version = version + 1 WHERE id = ?"
    before = committed()
    conn = sql.connect(url)
    try:
        begin(conn)
        soon(conn, raise_version, (event.id,))
        assert conn.in_transaction  # begun, although nothing went to the server yet
        conn.execute("ROLLBACK")
        assert not conn.in_transaction and committed() == before

        begin(conn)
        soon(conn, raise_version, (event.id,))
        seen = conn.execute("SELECT version FROM events WHERE id = ?", (event.id,)).fetchone()[0]
        assert seen == before + 1 and committed() == before  # in the transaction, not yet committed
        conn.execute("COMMIT")
        assert committed() == before + 1

        begin(conn)
        soon(conn, "UPDATE no_such_table SET x = 1")
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT 1")
        conn.execute("ROLLBACK")
        assert not conn.in_transaction
        assert conn.execute("SELECT 1").fetchone()[0] == 1  # the stale statement is gone
    finally:
        conn.close()
