"""`voting event import` of the real Pol.is conversations in shared/polis-fixtures, the
opinion map of the imported event against the raw files and red-dwarf, and the Pol.is
export read back by red-dwarf's Loader."""

from __future__ import annotations

import json
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from tests.test_analysis_polis import ALL, FIXTURES, Case, loader_reads, reddwarf_stats
from voting.analysis import OpinionMap, opinion_map, vote_value
from voting.analysis.polis import export_files, read_polis, write_export
from voting.cli import main
from voting.store import Store

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared/polis-fixtures is not there")
# Dropping their moderated-out or meta comments leaves the map of these as Pol.is's data gives it.
UNCHANGED = ["below-100-ptpts", "50ptpt-3gp-strict-no-meta", "150ptpt-3gp-no-strict-no-meta"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def imported(db: Path, folder: Path, *extra: str) -> dict[str, Any]:
    result = run("event", "import", str(folder), "--db", str(db), "--json", *extra)
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.output)
    return out


def event_votes(db: Path, code: str, tids: list[int]) -> tuple[list[tuple[str, int, int]], list[int]]:
    """The imported event's votes as the analysis takes them, its statements named by their
    Pol.is ids (the import keeps their order)."""
    store = Store(str(db))
    try:
        event = store.event_by_code(code)
        assert event is not None
        statements = store.statements(event.id)
        tid_of = {s.id: tid for s, tid in zip(statements, tids, strict=True)}
        scale = {s.id: s.scale for s in statements}
        votes = [
            (row["participant_id"], tid_of[sid], vote_value(scale[sid], row["option"]))
            for row in store.votes(event.id)
            for sid in [row["statement_id"]]
        ]
    finally:
        store.close()
    return votes, [tid_of[s.id] for s in statements]


def same_map(ours: OpinionMap, theirs: OpinionMap) -> None:
    """The same groups, representative and consensus statements, and group-informed
    consensus on the statements both have."""
    assert ours.labels() == theirs.labels()
    assert [[(r.statement, r.direction) for r in g.representative] for g in ours.groups] == [
        [(r.statement, r.direction) for r in g.representative] for g in theirs.groups
    ]
    assert [c.statement for c in ours.consensus.agree] == [c.statement for c in theirs.consensus.agree]
    mine = {s.statement: s.consensus_agree for s in ours.statements}
    other = {s.statement: s.consensus_agree for s in theirs.statements if s.statement in mine}
    assert sorted(other) == sorted(mine)
    np.testing.assert_allclose([mine[k] for k in other], list(other.values()), rtol=1e-9)


@pytest.mark.parametrize("name", ALL)
def test_an_imported_conversation_maps_as_its_files(tmp_path: Path, name: str) -> None:
    conv = read_polis(FIXTURES / name)
    left_out = set(conv.excluded)
    kept = [s.id for s in conv.statements if s.id not in left_out]
    db = tmp_path / "i.db"
    started = time.perf_counter()
    links = imported(db, FIXTURES / name)
    seconds = time.perf_counter() - started
    assert seconds < 10, f"importing {name} took {seconds:.1f} s"
    kept_votes = [v for v in conv.votes if v[1] not in left_out]
    assert (links["statements"], links["votes"], links["left_out"]) == (
        len(kept),
        len(kept_votes),
        len(left_out),
    )
    votes, statements = event_votes(db, links["code"], kept)
    assert sorted(votes) == sorted(kept_votes)  # every vote, agree +1 / disagree −1 / pass 0
    ours = opinion_map(votes, statements)
    assert ours.status == "ok"
    # The map of the event is the map of the files without the comments left out ...
    same_map(ours, opinion_map(kept_votes, kept))
    if name in UNCHANGED:
        # ... which is Pol.is's data as red-dwarf computes it.
        case = Case(name)
        same_map(ours, case.map)
        repness, _, gac = reddwarf_stats(case, ours)
        assert {g: [(r["tid"], r["repful-for"]) for r in reps] for g, reps in repness.items()} == {
            g.id: [(r.statement, r.direction) for r in g.representative] for g in ours.groups
        }
        theirs = gac["group-aware-consensus-agree"].loc[[s.statement for s in ours.statements]]
        np.testing.assert_allclose([s.consensus_agree for s in ours.statements], theirs, rtol=1e-6)


def test_the_biggest_conversation_imports_in_one_transaction_quickly(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    started = time.perf_counter()
    links = imported(db, FIXTURES / "above-100-ptpts", "--title", "Pol.is 3ntrtcehas")
    assert time.perf_counter() - started < 5
    store = Store(str(db))
    try:
        [event] = store.events()
        assert event.title == "Pol.is 3ntrtcehas" and event.code == links["code"]
        conv = read_polis(FIXTURES / "above-100-ptpts")
        voters = {pid for pid, sid, _ in conv.votes if sid not in conv.excluded}
        assert store.participant_count(event.id) == len(voters)
        assert len(store.votes(event.id)) == links["votes"] == 4739
    finally:
        store.close()


def test_a_pol_is_csv_export_imports_too(tmp_path: Path) -> None:
    conv = read_polis(FIXTURES / "below-100-ptpts")
    folder = tmp_path / "export"
    write_export(folder, export_files(conv.statements, conv.votes, topic="Een gesprek"))
    links = imported(tmp_path / "c.db", folder)
    assert links["votes"] == 499 and links["left_out"] == 2
    result = run("event", "import", str(folder), "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0
    assert "Een gesprek" in result.output and "Imported 42 statements and 499 votes" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "is not a folder holding a Pol.is conversation"),
        (lambda p: p, "is not a Pol.is conversation: it needs votes.json and comments.json"),
        (lambda p: (p / "votes.json").write_text("[{") and p, "is not a readable Pol.is conversation"),
    ],
)
def test_what_is_not_a_conversation_is_refused_creating_nothing(
    tmp_path: Path, make: Any, message: str
) -> None:
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "comments.json").write_text("[]")
    path = make(folder)
    db = tmp_path / "n.db"
    result = run("event", "import", str(path), "--db", str(db))
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not db.exists()  # nothing created, not even the database


def test_a_bad_title_is_refused_creating_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = run("event", "import", str(FIXTURES / "below-100-ptpts"), "--title", "x" * 200, "--db", str(db))
    assert result.exit_code == 2 and "at most 120 characters" in result.output
    assert not db.exists()


def test_the_pol_is_export_of_an_imported_event_loads_in_red_dwarf(tmp_path: Path) -> None:
    """Round trip: Pol.is files → `event import` → `event export --format polis` → red-dwarf."""
    name = "25ptpt-3gp-no-strict-with-meta"
    conv = read_polis(FIXTURES / name)
    db = tmp_path / "r.db"
    links = imported(db, FIXTURES / name)
    archive = tmp_path / "polis.zip"
    result = run(
        "event", "export", links["code"], "--format", "polis", "--output", str(archive), "--db", str(db)
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]
        z.extractall(folder)
    loader = loader_reads(folder)
    assert len(loader.comments_data) == links["statements"] == 53
    assert len(loader.votes_data) == links["votes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from reddwarf.utils.matrix import generate_raw_matrix

        matrix = generate_raw_matrix(loader.votes_data)
    voters = {pid for pid, sid, _ in conv.votes if sid not in set(conv.excluded)}
    assert matrix.shape == (len(voters), 53)
    again = read_polis(folder)
    groups = {row["participant"]: row["group-id"] for row in _rows(folder / "participants-votes.csv")}
    assert len(again.votes) == links["votes"]
    assert {g for g in groups.values() if g != ""} == {"0", "1", "2"}  # the opinion groups


def _rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.both_databases
def test_the_import_works_on_either_store(db: str) -> None:
    result = run("event", "import", str(FIXTURES / "below-100-ptpts"), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    code = json.loads(result.output)["code"]
    store = Store(db)
    try:
        event = store.event_by_code(code)
        assert event is not None
        assert len(store.statements(event.id)) == 42 and len(store.votes(event.id)) == 499
    finally:
        store.close()
    again = run("event", "import", str(FIXTURES / "missing"), "--db", db)
    assert again.exit_code == 1
    store = Store(db)
    try:
        assert [e.code for e in store.events()] == [code]  # the refused import created nothing
    finally:
        store.close()
