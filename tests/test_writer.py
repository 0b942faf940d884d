"""The single writer thread: durable acknowledgements, batching, isolation of failures,
on SQLite and on PostgreSQL.

Plain test functions driving `asyncio.run(...)`: no pytest-asyncio needed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
import pytest

from voting import store as sql
from voting.models import Event, InputError
from voting.store import Store, versions
from voting.writer import Writer

T = TypeVar("T")
INTEGRITY = (sqlite3.IntegrityError, psycopg.IntegrityError)
pytestmark = pytest.mark.both_databases  # one writer thread per process, on either store


@pytest.fixture
def event(db: str) -> Event:
    store = Store(db)
    created = store.write(sql.insert_event, "Veiligheid", ["Een", "Twee"], "likert5")
    store.close()
    return created


def statement_ids(db: str, event: Event) -> list[int]:
    store = Store(db)
    ids = [s.id for s in store.statements(event.id)]
    store.close()
    return ids


def rows(db: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read with a separate, plain connection: sees only what is committed."""
    conn = sql.connect(db)
    try:
        return [tuple(row) for row in conn.execute(query, params).fetchall()]
    finally:
        conn.close()


def run_with_writer(db: str, body: Callable[[Writer], Awaitable[T]]) -> tuple[T, Writer]:
    """Start a writer, run `body` with it, always stop it; all on a fresh event loop."""
    writer = Writer(db)

    async def main() -> T:
        writer.start()
        try:
            return await body(writer)
        finally:
            await writer.stop()

    return asyncio.run(main()), writer


class Gate:
    """A write that holds the writer thread until released, so later writes queue up."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, conn: sqlite3.Connection) -> str:
        self.entered.set()
        assert self.release.wait(10), "gate never released"
        return "gate"

    async def hold(self, writer: Writer) -> asyncio.Task[str]:
        task = asyncio.ensure_future(writer.submit(self))
        assert await asyncio.to_thread(self.entered.wait, 10)
        return task

    async def batch(self, writer: Writer, submits: Callable[[], list[Awaitable[Any]]]) -> list[Any]:
        """Submit while the gate holds the writer, so that everything lands in one batch;
        the outcomes (exceptions included) in order."""
        held = await self.hold(writer)
        outcomes = asyncio.gather(*submits(), return_exceptions=True)
        await asyncio.sleep(0)
        self.release.set()
        await held
        return await outcomes


def test_a_write_is_committed_before_its_future_resolves(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]

    async def body(writer: Writer) -> list[tuple[Any, ...]]:
        await writer.submit(sql.insert_vote, first, "p1", "agree")
        # Straight after the acknowledgement, still inside the writer's lifetime.
        return rows(db, "SELECT statement_id, participant_id, option FROM votes")

    seen, _ = run_with_writer(db, body)
    assert seen == [(first, "p1", "agree")]


def test_submit_returns_the_function_result(db: str, event: Event) -> None:
    async def body(writer: Writer) -> Event:
        return await writer.submit(sql.insert_event, "Nieuw", ["X", "Y"], "yesno")

    created, _ = run_with_writer(db, body)
    store = Store(db)
    try:
        assert store.event_by_code(created.code) == created
        assert [s.text for s in store.statements(created.id)] == ["X", "Y"]
    finally:
        store.close()


def test_concurrent_writes_are_batched_into_few_commits(db: str, event: Event) -> None:
    first, second = statement_ids(db, event)
    votes = [(first if i % 2 else second, f"p{i}", "agree" if i % 3 else "pass") for i in range(500)]

    async def body(writer: Writer) -> None:
        await asyncio.gather(*(writer.submit(sql.insert_vote, *vote) for vote in votes))

    _, writer = run_with_writer(db, body)
    assert writer.writes == 500
    assert 1 <= writer.commits < 50  # one fsync per batch, not per vote
    stored = rows(db, "SELECT statement_id, participant_id, option FROM votes")
    assert sorted(stored) == sorted(votes)


def test_writes_queued_behind_a_busy_writer_share_one_commit(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]
    gate = Gate()

    async def body(writer: Writer) -> int:
        held = await gate.hold(writer)
        votes = [
            asyncio.ensure_future(writer.submit(sql.insert_vote, first, f"p{i}", "agree"))
            for i in range(200)
        ]
        await asyncio.sleep(0)  # every submit is now queued behind the gate
        gate.release.set()
        assert await held == "gate"
        await asyncio.gather(*votes)
        return writer.commits

    commits, writer = run_with_writer(db, body)
    assert commits == 2  # the gate's batch, then all 200 votes together
    assert writer.writes == 201
    assert rows(db, "SELECT count(*) FROM votes") == [(200,)]


def test_a_failing_write_fails_alone_and_the_batch_still_commits(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]
    gate = Gate()

    def half_then_fail(conn: sqlite3.Connection) -> None:
        sql.insert_vote(conn, first, "p-bad", "agree")  # rolled back with its savepoint
        raise ValueError("bad write")

    async def body(writer: Writer) -> list[Any]:
        return await gate.batch(writer, lambda: [
            writer.submit(sql.insert_vote, first, "p1", "agree"),
            writer.submit(half_then_fail),
            writer.submit(sql.insert_vote, 999_999, "p2", "agree"),  # foreign key violation
            writer.submit(sql.insert_vote, first, "p3", "disagree"),
        ])

    outcomes, writer = run_with_writer(db, body)
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "bad write"
    assert isinstance(outcomes[2], INTEGRITY)
    assert writer.commits == 2  # the four writes were one batch
    assert sorted(rows(db, "SELECT participant_id, option FROM votes")) == [
        ("p1", "agree"),
        ("p3", "disagree"),
    ]


def test_the_writer_keeps_working_after_a_failure(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]

    async def body(writer: Writer) -> None:
        with pytest.raises(INTEGRITY):
            await writer.submit(sql.insert_vote, 999_999, "p1", "agree")
        await writer.submit(sql.insert_vote, first, "p1", "agree")

    run_with_writer(db, body)
    assert rows(db, "SELECT participant_id FROM votes") == [("p1",)]


def test_stop_finishes_the_queued_writes(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]
    gate = Gate()
    writer = Writer(db)

    async def main() -> list[None]:
        writer.start()
        held = await gate.hold(writer)
        votes = [
            asyncio.ensure_future(writer.submit(sql.insert_vote, first, f"p{i}", "agree"))
            for i in range(50)
        ]
        await asyncio.sleep(0)  # queued behind the gate
        stopping = asyncio.ensure_future(writer.stop())
        await asyncio.sleep(0.05)  # stop has asked the thread to finish
        assert not stopping.done()
        gate.release.set()
        await stopping
        await held
        assert all(v.done() for v in votes)
        return await asyncio.gather(*votes)

    assert asyncio.run(main()) == [None] * 50
    assert rows(db, "SELECT count(*) FROM votes") == [(50,)]


def test_submit_when_not_running_raises(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]
    writer = Writer(db)

    async def before_start() -> None:
        await writer.submit(sql.insert_vote, first, "p1", "agree")

    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(before_start())

    async def after_stop() -> None:
        writer.start()
        await writer.stop()
        await writer.submit(sql.insert_vote, first, "p1", "agree")

    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(after_stop())
    assert rows(db, "SELECT count(*) FROM votes") == [(0,)]


def test_submit_while_stopping_raises_instead_of_hanging(db: str, event: Event) -> None:
    first = statement_ids(db, event)[0]
    gate = Gate()
    writer = Writer(db)

    async def main() -> None:
        writer.start()
        held = await gate.hold(writer)
        stopping = asyncio.ensure_future(writer.stop())
        await asyncio.sleep(0.05)  # the stop request is queued
        try:
            with pytest.raises(RuntimeError, match="not running"):
                # Without the fix this write lands behind the stop request and never resolves.
                await asyncio.wait_for(writer.submit(sql.insert_vote, first, "late", "agree"), 5)
        finally:
            gate.release.set()
            await stopping
            await held

    asyncio.run(main())
    assert rows(db, "SELECT count(*) FROM votes") == [(0,)]


def test_stop_without_start_is_harmless(db: str) -> None:
    asyncio.run(Writer(db).stop())


def _open_voting(db: str, event: Event) -> int:
    first = statement_ids(db, event)[0]
    store = Store(db)
    store.write(sql.update_state, event.id, {"statement_id": first, "voting_open": True})
    store.close()
    return first


def _version(db: str, event: Event) -> tuple[int, int]:
    (row,) = rows(db, "SELECT version, reread_version FROM events WHERE id = ?", event.id)
    return int(row[0]), int(row[1])


def test_a_batch_of_votes_raises_the_event_version_once(db: str, event: Event) -> None:
    first = _open_voting(db, event)
    before, reread = _version(db, event)
    gate = Gate()

    async def body(writer: Writer) -> list[int]:
        def votes() -> list[Awaitable[Any]]:
            return [writer.submit(sql.cast_vote, event.id, first, f"p{i}", "agree") for i in range(50)]

        return await gate.batch(writer, votes)

    rounds, writer = run_with_writer(db, body)
    assert rounds == [1] * 50 and writer.commits == 2
    assert _version(db, event) == (before + 1, reread)  # once, and a vote: no whole reread
    assert rows(db, "SELECT DISTINCT version FROM votes") == [(before + 1,)]
    conn = sql.connect(db)
    try:
        assert len(sql.votes_since(conn, event.id, before)) == 50
        assert sql.votes_since(conn, event.id, before + 1) == []
    finally:
        conn.close()


def test_a_failing_write_in_a_batch_does_not_lose_the_others_version(db: str, event: Event) -> None:
    first = _open_voting(db, event)
    before, _ = _version(db, event)
    gate = Gate()

    def touch_then_fail(conn: sqlite3.Connection) -> None:
        versions.touch_vote(conn, event.id)  # undone with its savepoint
        raise ValueError("bad write")

    async def body(writer: Writer) -> list[Any]:
        return await gate.batch(writer, lambda: [
            writer.submit(touch_then_fail),
            writer.submit(sql.cast_vote, event.id, first, "p1", "agree"),
            writer.submit(sql.cast_vote, event.id, first + 1, "p2", "agree"),  # not on screen
            writer.submit(sql.cast_vote, event.id, first, "p3", "disagree"),
        ])

    outcomes, writer = run_with_writer(db, body)
    assert isinstance(outcomes[0], ValueError) and outcomes[1] == 1 and outcomes[3] == 1
    assert isinstance(outcomes[2], InputError) and outcomes[2].code == "not_current"
    assert writer.commits == 2
    version, _ = _version(db, event)
    assert version > before
    conn = sql.connect(db)
    try:  # another process that saw `before` reads both votes
        assert sorted((r[1], r[3]) for r in sql.votes_since(conn, event.id, before)) == [
            ("p1", "agree"),
            ("p3", "disagree"),
        ]
    finally:
        conn.close()


def test_a_refused_vote_says_why(db: str, event: Event) -> None:
    first = _open_voting(db, event)

    async def body(writer: Writer) -> list[Any]:
        return await asyncio.gather(
            writer.submit(sql.cast_vote, event.id, first, "p1", "maybe"),
            writer.submit(sql.cast_vote, event.id, True, "p2", "agree"),
            writer.submit(sql.cast_vote, event.id, first, "p3", "agree"),
            return_exceptions=True,
        )

    outcomes, _ = run_with_writer(db, body)
    assert [getattr(o, "code", o) for o in outcomes] == ["invalid_option", "not_current", 1]
    assert rows(db, "SELECT participant_id FROM votes") == [("p3",)]


def test_votes_that_arrive_together_are_one_statement_and_each_gets_its_own_answer(
    db: str, event: Event
) -> None:
    first = _open_voting(db, event)
    calls: list[int] = []

    def counted(conn: sqlite3.Connection, votes: list[sql.votes.Vote]) -> list[Any]:
        calls.append(len(votes))
        return sql.cast_votes(conn, votes)

    def submits(writer: Writer) -> list[Awaitable[Any]]:
        votes = [writer.submit_grouped(counted, event.id, first, f"p{i}", "agree") for i in range(40)]
        return [
            *votes,
            writer.submit_grouped(counted, event.id, first, "p1", "disagree"),  # p1 again: latest counts
            writer.submit_grouped(counted, event.id, first, "p41", "maybe"),
            writer.submit_grouped(counted, event.id, first + 1, "p42", "agree"),  # not on screen
            writer.submit_grouped(counted, event.id, True, "p43", "agree"),
            writer.submit_grouped(counted, event.id, first, "p44", "pass"),
        ]

    outcomes, writer = run_with_writer(db, lambda w: Gate().batch(w, lambda: submits(w)))
    assert calls == [45] and writer.commits == 2  # one call, one transaction
    assert outcomes[:41] == [1] * 41 and outcomes[44] == 1
    assert [o.code for o in outcomes[41:44]] == ["invalid_option", "not_current", "not_current"]
    stored = dict(rows(db, "SELECT participant_id, option FROM votes"))
    assert len(stored) == 41 and stored["p1"] == "disagree" and stored["p0"] == "agree"
    assert stored["p44"] == "pass" and "p41" not in stored


def test_a_grouped_write_that_fails_is_run_again_alone(db: str, event: Event) -> None:
    first = _open_voting(db, event)

    def fails_for_p2(conn: sqlite3.Connection, votes: list[sql.votes.Vote]) -> list[Any]:
        if any(vote[2] == "p2" for vote in votes):
            sql.cast_votes(conn, [vote for vote in votes if vote[2] != "p2"])  # written, then undone
            raise ValueError("bad write")
        return sql.cast_votes(conn, votes)

    def submits(writer: Writer) -> list[Awaitable[Any]]:
        return [writer.submit_grouped(fails_for_p2, event.id, first, f"p{i}", "agree") for i in range(4)]

    outcomes, writer = run_with_writer(db, lambda w: Gate().batch(w, lambda: submits(w)))
    assert outcomes[:2] == [1, 1] and isinstance(outcomes[2], ValueError) and outcomes[3] == 1
    assert sorted(rows(db, "SELECT participant_id FROM votes")) == [("p0",), ("p1",), ("p3",)]


def test_many_votes_at_once_end_as_one_after_the_other(db: str) -> None:
    """cast_votes gives every vote the answer cast_vote gives it in order, and stores the
    same: over random votes (repeats, bad options, other statements, a closed event, an
    event that needs tickets)."""
    import random

    store = Store(db)
    try:
        pairs = []
        for name in ("many", "one"):
            made = store.write(sql.insert_event, name, ["Een", "Twee"], "agree3")
            ids = [s.id for s in store.statements(made.id)]
            store.write(sql.update_state, made.id, {"statement_id": ids[0], "voting_open": True})
            pairs.append((made, ids))
        closed = store.write(sql.insert_event, "closed", ["Een"], "agree3")
        ticketed = store.write(sql.insert_event, "tickets", ["Een"], "agree3")
        t_first = store.statements(ticketed.id)[0].id
        store.write(sql.update_state, ticketed.id, {"statement_id": t_first, "voting_open": True})
        codes = iter(f"{n:08d}" for n in range(100))
        (code, *_) = store.write(sql.insert_tickets, ticketed.id, lambda: next(codes), 3, None)
        store.write(sql.redeem_ticket, ticketed.id, code, "p1")
        store.write(sql.set_tickets_required, ticketed.id, True)
        rng = random.Random(11)
        options = ["agree", "disagree", "neutral", "pass", "maybe", 3]
        drawn = [(rng.randrange(4), f"p{rng.randrange(8)}", rng.choice(options)) for _ in range(300)]

        def votes(event: Event, ids: list[int]) -> list[Any]:
            targets = [ids[0], ids[1], "x", None]
            return [(event.id, targets[t], p, o) for t, p, o in drawn]

        many = store.write(sql.cast_votes, votes(*pairs[0]))
        one = []
        for vote in votes(*pairs[1]):
            try:
                one.append(store.write(sql.cast_vote, *vote))
            except InputError as refused:
                one.append(refused)
        assert [getattr(o, "code", o) for o in many] == [getattr(o, "code", o) for o in one]
        assert {getattr(o, "code", o) for o in many} == {1, "invalid_option", "not_current"}

        def table(event: Event, ids: list[int]) -> list[tuple[Any, ...]]:
            found = rows(
                db, "SELECT statement_id, participant_id, option FROM votes v JOIN statements s"
                " ON s.id = v.statement_id WHERE s.event_id = ? ORDER BY 1, 2", event.id,
            )  # fmt: skip
            return [(ids.index(s), p, o) for s, p, o in found]

        assert table(*pairs[0]) == table(*pairs[1]) and len(table(*pairs[0])) == 8
        for event, statement in ((closed, store.statements(closed.id)[0].id), (ticketed, t_first)):
            answers = store.write(sql.cast_votes, [(event.id, statement, p, "agree") for p in ("p1", "p2")])
            assert [getattr(o, "code", o) for o in answers] == (
                ["not_current"] * 2 if event is closed else [1, "ticket_required"]
            )
    finally:
        store.close()
