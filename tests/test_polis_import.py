"""`voting event import` of the real Pol.is conversations in shared/polis-fixtures, the
opinion map of the imported event against the raw files and red-dwarf, and the Pol.is
export read back by red-dwarf's Loader."""

from __future__ import annotations

import html
import json
import time
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from tests.test_analysis_polis import ALL, FIXTURES, Case, loader_reads, reddwarf_stats
from voting.analysis.event import analyse, compute, snapshot
from voting.analysis.matrix import vote_value
from voting.analysis.opinion_map import OpinionMap
from voting.analysis.polis import PolisConversation, export_files, read_polis, write_export
from voting.cli import main
from voting.live import Room
from voting.store import Store

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared/polis-fixtures is not there")
def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def imported(db: Path, folder: Path, *extra: str) -> dict[str, Any]:
    result = run("event", "import", str(folder), "--db", str(db), "--json", *extra)
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.output)
    return out


def imported_map(db: Path, code: str, conv: PolisConversation) -> tuple[OpinionMap, dict[int, int], Room]:
    """The opinion map of the imported event as the console, the report and the exports
    compute it (from its Room), and each statement's Pol.is id (the import keeps the order)."""
    store = Store(str(db))
    try:
        room = Room.read(store, code)
        assert room is not None
    finally:
        store.close()
    ids = sorted([s.id for s in room.statements] + [sid for sid, _, _ in room.excluded_votes])
    tid_of = dict(zip(ids, [s.id for s in conv.statements], strict=True))
    return analyse(snapshot(room)), tid_of, room


def in_tids(omap: OpinionMap, tid_of: dict[int, int]) -> OpinionMap:
    """`omap` with its statements named by their Pol.is ids."""
    groups = tuple(
        replace(g, representative=tuple(replace(r, statement=tid_of[r.statement]) for r in g.representative))
        for g in omap.groups
    )
    statements = tuple(replace(s, statement=tid_of[s.statement]) for s in omap.statements)
    consensus = replace(
        omap.consensus,
        agree=tuple(replace(c, statement=tid_of[c.statement]) for c in omap.consensus.agree),
        disagree=tuple(replace(c, statement=tid_of[c.statement]) for c in omap.consensus.disagree),
    )
    return replace(omap, groups=groups, statements=statements, consensus=consensus)


def same_map(ours: OpinionMap, theirs: OpinionMap) -> None:
    """The same groups, representative and consensus statements, and group-informed
    consensus."""
    assert ours.labels() == theirs.labels()
    assert [[(r.statement, r.direction) for r in g.representative] for g in ours.groups] == [
        [(r.statement, r.direction) for r in g.representative] for g in theirs.groups
    ]
    for side in ("agree", "disagree"):
        mine, other = getattr(ours.consensus, side), getattr(theirs.consensus, side)
        assert [c.statement for c in mine] == [c.statement for c in other]
    assert [s.statement for s in ours.statements] == [s.statement for s in theirs.statements]
    mine, other = ([s.consensus_agree for s in m.statements] for m in (ours, theirs))
    np.testing.assert_allclose(mine, other, rtol=1e-9)


@pytest.mark.parametrize("name", ALL)
def test_an_imported_conversation_maps_as_pol_is(tmp_path: Path, name: str) -> None:
    conv = read_polis(FIXTURES / name)
    left_out = set(conv.excluded)
    db = tmp_path / "i.db"
    started = time.perf_counter()
    links = imported(db, FIXTURES / name)
    seconds = time.perf_counter() - started
    assert seconds < 10, f"importing {name} took {seconds:.1f} s"
    shown_votes = [v for v in conv.votes if v[1] not in left_out]
    assert (links["statements"], links["votes"], links["excluded"]) == (
        len(conv.statements) - len(left_out),
        len(shown_votes),
        len(left_out),
    )
    omap, tid_of, room = imported_map(db, links["code"], conv)
    # every vote kept, the moderated-out ones for the map only (agree +1 / disagree −1 / pass 0)
    data = snapshot(room)
    votes, excluded = (
        [(pid, tid_of[sid], vote_value(scale, o)) for sid, scale, c in choices for pid, o in c.items()]
        for choices in (data.choices, data.excluded)
    )
    assert sorted(votes) == sorted(shown_votes)
    assert sorted(votes + excluded) == sorted(conv.votes)
    assert sorted(tid_of[sid] for sid, _, _ in data.excluded) == sorted(left_out)
    assert omap.status == "ok"
    ours = in_tids(omap, tid_of)
    case = Case(name)
    same_map(ours, case.map)  # the map of the files, which red-dwarf checks (test_analysis_polis)
    # ... and red-dwarf's statistics with the imported event's groups fed in:
    repness, consensus, gac = reddwarf_stats(case, ours)
    assert {g: [(r["tid"], r["repful-for"]) for r in reps] for g, reps in repness.items()} == {
        g.id: [(r.statement, r.direction) for r in g.representative] for g in ours.groups
    }
    for side in ("agree", "disagree"):
        assert [c.statement for c in getattr(ours.consensus, side)] == [c["tid"] for c in consensus[side]]
    assert [s.statement for s in ours.statements] == list(gac.index)
    for column, attribute in (("agree", "consensus_agree"), ("disagree", "consensus_disagree")):
        mine = [getattr(s, attribute) for s in ours.statements]
        np.testing.assert_allclose(mine, gac[f"group-aware-consensus-{column}"], rtol=1e-6)
    # PCA up to sign, as red-dwarf computes it
    ref = case.reddwarf()
    xy = np.array([[p.x, p.y] for p in ours.points])
    theirs = ref.participants_df.loc[[int(p.participant) for p in ours.points], ["x", "y"]].to_numpy()
    sign = np.sign((xy * theirs).sum(axis=0))
    np.testing.assert_allclose(xy * sign, theirs, rtol=1e-6, atol=1e-9)
    # the payload the screens get names no excluded statement
    shown = {s.id for s in room.statements}
    full = compute(data)
    assert {s["statement"] for s in full["statements"]} <= shown
    assert {int(k) for k in full["texts"]} == shown
    assert all(r["statement"] in shown for g in full["groups"] for r in g["representative"])


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
        assert store.participant_count(event.id) == len({pid for pid, _, _ in conv.votes})
        assert len(store.votes(event.id)) == links["votes"] == 4739
    finally:
        store.close()


def test_a_pol_is_csv_export_imports_too(tmp_path: Path) -> None:
    conv = read_polis(FIXTURES / "below-100-ptpts")
    folder = tmp_path / "export"
    write_export(folder, export_files(conv.statements, conv.votes, topic="Een gesprek"))
    links = imported(tmp_path / "c.db", folder)
    assert links["votes"] == 499 and links["excluded"] == 2
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


def test_the_moderated_out_comments_are_never_on_a_screen(tmp_path: Path) -> None:
    """Kept for the map only: not in the moderator's list, not pushable, not counted, not in
    the report (not even as "not discussed") nor in the export's statements."""
    from tests.conftest import Env, moderate
    from tests.test_sockets import receive_until

    name = "25ptpt-3gp-no-strict-with-meta"
    conv = read_polis(FIXTURES / name)
    db = str(tmp_path / "s.db")
    links = imported(Path(db), FIXTURES / name)
    store = Store(db)
    try:
        event = store.event_by_code(links["code"])
        assert event is not None
        hidden = [sid for sid, _, _ in (Room.load(store, event)).excluded_votes]
    finally:
        store.close()
    left_out = set(conv.excluded)
    texts = [s.text for s in conv.statements if s.id in left_out]
    assert len(hidden) == len(texts) > 0
    with Env(db, event).client() as client:
        moderate(client, event)
        with client.websocket_connect(f"/ws/{event.code}?role=moderator") as ws:
            state = receive_until(ws, "state")
            assert state["count"] == links["statements"] == 53
            listed = [s["id"] for s in state["statements"]]
            assert [s["position"] for s in state["statements"]] == list(range(53))
            assert not set(hidden) & set(listed)
            ws.send_json({"type": "goto", "statement": hidden[0], "id": 1})
            assert receive_until(ws, "error")["ref"] == 1
        report = client.get(f"/m/{event.code}/report", headers={"accept-language": "en"}).text
        exported = client.get(f"/m/{event.code}/export.json").json()
    shown = [s.text for s in conv.statements if s.id not in left_out]
    assert all(html.escape(text[:40], quote=True) in report for text in shown)  # "not discussed"
    for text in texts:
        assert html.escape(text[:40], quote=True) not in report
    assert len(exported["statements"]) == 53
    assert not {s["id"] for s in exported["statements"]} & set(hidden)
