"""`voting database copy`: an evening's SQLite file moved to PostgreSQL (and back) row for
row, ids included, with nothing lost and the target's id sequences past the copied ids."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.pg import drop_database, postgres_database  # noqa: F401  (a fresh, empty database)
from voting import store as sql
from voting.cli import main
from voting.store import Store
from voting.store import undo as undo_sql
from voting.store.copy import TABLES
from voting.store.report_facts import set_facts, set_logo
from voting.store.undo import Undoable

LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # bytes as stored: never decoded


def an_evening(path: str) -> None:
    """Two events with something in every table."""
    store = Store(path)
    try:
        event = store.write(sql.insert_event, "Veiligheid", ["Een", "Twee", "Drie"], "likert5")
        store.write(sql.insert_event, "Tweede avond", ["Alleen"], "agree3")
        first, second, _ = (s.id for s in store.statements(event.id))
        store.write(sql.set_roles, event.id, ["Burgemeester", "Politie"])
        for n in range(6):
            store.write(sql.insert_participant, event.id, f"p{n}", "nl" if n % 2 else "fr")
            store.write(sql.set_role, event.id, f"p{n}", "Politie" if n % 3 else None)
        store.write(sql.update_state, event.id, {"statement_id": first, "voting_open": True})
        for n in range(6):
            store.write(sql.cast_vote, event.id, first, f"p{n}", ["agree", "disagree"][n % 2])
        comment = store.write(sql.insert_comment, first, "p1", "Anna", "Meer blauw op straat", "published")
        store.write(sql.insert_comment, first, "p2", None, "Nog te bespreken", "pending")
        store.write(sql.set_support, comment.id, "p3", True)
        store.write(sql.update_state, event.id, {"highlight": comment.id})
        store.write(sql.update_state, event.id, {"statement_id": second, "voting_open": True})
        store.write(sql.cast_vote, event.id, second, "p0", "neutral")
        now = time.time()
        undo = Undoable("u1", event.id, "reset", second, "Twee", now, now + 60)
        store.write(undo_sql.reset_votes, undo, 1)
        codes = iter(["11112222", "33334444"])
        (code, _) = store.write(sql.insert_tickets, event.id, lambda: next(codes), 2, "Politie")
        store.write(sql.redeem_ticket, event.id, code, "p5")
        store.write(set_facts, event.id, "Provinciehuis", "De gouverneur")
        store.write(set_logo, event.id, "image/png", LOGO)
        store.write(sql.put_setting, "secret_key", "the-source-secret")
    finally:
        store.close()


def tables(path: str) -> dict[str, list[tuple[Any, ...]]]:
    store = Store(path)
    try:
        return {
            table: [tuple(row) for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table, _ in TABLES
        }
    finally:
        store.close()


def copy(source: str, target: str) -> Any:
    return CliRunner().invoke(main, ["database", "copy", source, target])


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "voting.db")
    an_evening(path)
    yield path


def test_an_evening_moves_to_postgresql_and_back_row_for_row(
    evening: str, postgres_database: str, tmp_path: Path  # noqa: F811
) -> None:
    before = tables(evening)
    assert all(before[table] for table, _ in TABLES), "every table holds something"

    result = copy(evening, postgres_database)
    assert result.exit_code == 0, result.output
    assert "Copied 2 events (4 statements, 6 votes, 2 comments, 6 participants)" in result.output
    moved = tables(postgres_database)
    assert moved == before
    assert tables(evening) == before  # the source is left as it was

    back = str(tmp_path / "back.db")
    result = copy(postgres_database, back)
    assert result.exit_code == 0, result.output
    assert tables(back) == before


def test_new_rows_in_the_copy_get_ids_past_the_copied_ones(
    evening: str, postgres_database: str  # noqa: F811
) -> None:
    assert copy(evening, postgres_database).exit_code == 0
    store = Store(postgres_database)
    try:
        event = store.event_by_code(tables(evening)["events"][0][1])
        assert event is not None
        taken = {s.id for s in store.statements(event.id)}
        store.write(sql.insert_statements, event.id, ["Vier"], "likert5")
        added = {s.id for s in store.statements(event.id)} - taken
        assert len(added) == 1 and min(added) > max(taken)
        other = store.write(sql.insert_event, "Derde avond", ["Nieuw"], "agree3")
        assert other.id > max(row[0] for row in tables(evening)["events"])
    finally:
        store.close()


def test_a_target_that_holds_events_is_refused_and_left_alone(
    evening: str, postgres_database: str, tmp_path: Path  # noqa: F811
) -> None:
    assert copy(evening, postgres_database).exit_code == 0
    before = tables(postgres_database)
    result = copy(evening, postgres_database)
    assert result.exit_code == 1
    assert "already holds events: copy into an empty database" in result.output
    assert tables(postgres_database) == before


def test_a_missing_source_is_said_and_nothing_is_made(tmp_path: Path) -> None:
    missing, target = tmp_path / "nope.db", tmp_path / "target.db"
    result = copy(str(missing), str(target))
    assert result.exit_code == 1 and f"there is no database at {missing}" in result.output
    assert not missing.exists() and not target.exists()
    result = copy(str(target), str(target))
    assert result.exit_code == 1
