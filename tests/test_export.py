"""The exports (voting/exports): the JSON against its documented schema, the workbook's
figures against the JSON, CSV that Belgian Excel opens, and the room's scope."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from voting import store as sql
from voting.exports import FORMATS, ORGANISER, ROOM, SCHEMA, results, write
from voting.live import Room
from voting.models import SCALES, Event
from voting.store import Store

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROLES = ["Burgemeester", "Politie", "Parket"]
TEXTS = ["Eén euro in preventie", "=SUM(A1:A9)", "Nooit besproken"]


@pytest.fixture
def evening(tmp_path: Path) -> Iterator[tuple[Store, Room]]:
    store = Store(str(tmp_path / "e.db"))
    room = Room.load(store, scripted_evening(store))
    room.role_minimum = 3
    yield store, room
    store.close()


def scripted_evening(store: Store) -> Event:
    """Six mayors, two police chiefs (below the minimum of 3), four without a role; a second
    round on the first statement; comments in every status; a statement that looks like a
    formula; one never voted on. The room sees the mayors on their own (6 = 2 × minimum)
    and everybody else as one block."""
    event = store.write(sql.insert_event, "Veiligheid in de zone", TEXTS, "likert5", ROLES)
    first, second, _ = store.statements(event.id)
    store.write(sql.update_statement, second.id, second.text, "agree3")
    people = [(f"m{i}", "Burgemeester") for i in range(6)] + [("p0", "Politie"), ("p1", "Politie")]
    people += [(f"x{i}", None) for i in range(4)]
    likert = ["agree", "strongly_agree", "disagree", "agree", "neutral", "pass", "strongly_disagree", "agree"]
    likert += ["agree", "agree", "strongly_agree", "neutral"]
    for (pid, role), option in zip(people, likert, strict=True):
        store.write(sql.set_role, event.id, pid, role)
        store.write(sql.insert_vote, first.id, pid, option)
    for pid, option in [("m0", "agree"), ("m1", "disagree"), ("p0", "agree"), ("x0", "neutral")]:
        store.write(sql.insert_vote, second.id, pid, option)
    store.write(sql.set_round, first.id, 2)
    for pid, option in [("m0", "disagree"), ("m2", "disagree"), ("p1", "strongly_agree")]:
        store.write(sql.insert_vote, first.id, pid, option, 2)
    shown = store.write(sql.insert_comment, first.id, "m0", "@Jan", "=HYPERLINK(\"x\")", "published")
    store.write(sql.set_support, shown.id, "m1", True)
    store.write(sql.insert_comment, first.id, "m1", None, "Weg ermee", "hidden")
    store.write(sql.insert_comment, second.id, "p0", None, "Nog niet bekeken", "pending")
    return event


# -- the JSON against docs/export.schema.json, with a small validator ---------------------------

TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
    "integer": int, "number": (int, float),
}  # fmt: skip


def is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[name])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> list[str]:
    """The errors of `value` against the subset of JSON Schema that docs/export.schema.json uses."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return validate(value, root["$defs"][name], root, where)
    if "anyOf" in schema:
        if any(not validate(value, option, root, where) for option in schema["anyOf"]):
            return []
        return [f"{where}: matches none of anyOf"]
    errors: list[str] = []
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(value, n) for n in names):
            return [f"{where}: {value!r} is not of type {names}"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{where}[{i}]")
    if isinstance(value, dict):
        errors += [f"{where}: {key!r} is missing" for key in schema.get("required", []) if key not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                errors += validate(item, properties[key], root, f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: {key!r} is not in the schema")
            elif isinstance(extra, dict):
                errors += validate(item, extra, root, f"{where}.{key}")
    return errors


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCS / "export.schema.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("scope", [ORGANISER, ROOM])
def test_the_json_export_follows_its_documented_schema(evening: tuple[Store, Room], scope: str) -> None:
    store, room = evening
    data = json.loads(write("json", store, room, "nl", scope))
    assert data["schema"] == SCHEMA == schema()["$id"]
    assert validate(data, schema(), schema()) == []


def test_the_validator_catches_what_the_schema_forbids(evening: tuple[Store, Room]) -> None:
    store, room = evening
    data = results(store, room)
    data["statements"][0]["per_round"][0]["results"]["voters"] = "9"
    data["statements"][1]["comments"][0]["status"] = "deleted"
    data["event"]["extra"] = 1
    del data["statements"][2]["per_round"]
    assert validate(data, schema(), schema()) == [
        "$.event: 'extra' is not in the schema",
        "$.statements[0].per_round[0].results.voters: '9' is not of type ['integer']",
        "$.statements[1].comments[0].status: 'deleted' not in ['pending', 'published', 'hidden']",
        "$.statements[2]: 'per_round' is missing",
    ]


def test_the_doc_describes_every_field_of_the_schema() -> None:
    doc = (DOCS / "export.md").read_text(encoding="utf-8")
    assert SCHEMA in doc
    root = schema()
    names = set(root["properties"]) | set(root["properties"]["event"]["properties"])
    for definition in root["$defs"].values():
        names |= set(definition.get("properties", {}))
    assert sorted(n for n in names if f"`{n}`" not in doc) == []
    assert sorted(n for n in FORMATS if f"`{n}`" not in doc) == []


def test_the_json_holds_rounds_roles_exact_and_for_the_room(evening: tuple[Store, Room]) -> None:
    store, room = evening
    data = results(store, room)
    one = data["statements"][0]
    assert [r["round"] for r in one["per_round"]] == [1, 2]
    assert one["per_round"][0]["sides"] == {
        "agree": 7, "neutral": 2, "disagree": 2,
        "percent": {"agree": 63.6, "neutral": 18.2, "disagree": 18.2},
    }  # fmt: skip
    exact = {e["role"]: e for e in one["per_round"][0]["by_role"]}
    assert exact["Politie"]["voters"] == 2 and exact["Politie"]["results"]["counts"]["agree"] == 1
    assert exact["Politie"]["private"] is True and "private" not in exact["Burgemeester"]
    # The room: the mayors on their own, everybody else as one block without a size.
    mayors, others = one["per_round"][0]["by_role_room"]
    assert mayors["kind"] == "role" and mayors["results"] == exact["Burgemeester"]["results"]
    assert others == {"kind": "others", "band": "most_agree"}
    assert data["event"]["turnout"] == [
        {"role": "Burgemeester", "participants": 6}, {"role": "Politie", "participants": 2},
        {"role": "Parket", "participants": 0}, {"role": None, "participants": 4},
    ]  # fmt: skip
    assert [v["participant"] for v in one["votes"]][:3] == [1, 2, 3]
    assert data["statements"][2]["per_round"][0]["results"]["voters"] == 0


def test_the_rooms_scope_has_no_exact_split_no_votes_and_only_published_comments(
    evening: tuple[Store, Room],
) -> None:
    store, room = evening
    data = results(store, room, ROOM)
    text = json.dumps(data)
    assert '"by_role_room"' in text
    for s in data["statements"]:
        assert "votes" not in s
        assert all("by_role" not in r for r in s["per_round"])
        assert all(set(e) == {"kind", "band"} for e in s["by_role"] if e["kind"] == "others")
        assert all(e["voters"] >= 2 * room.role_minimum for e in s["by_role"] if e["kind"] == "role")
        assert all(c["status"] == "published" for c in s["comments"])
    assert [c["text"] for c in data["statements"][0]["comments"]] == ['=HYPERLINK("x")']
    assert data["event"]["turnout"] is None
    with pytest.raises(ValueError, match="unknown export scope 'all'"):
        results(store, room, "all")


# -- the workbook ----------------------------------------------------------------------------


def sheet_rows(content: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def side_figures(results: dict[str, Any], sides: dict[str, Any]) -> list[Any]:
    p = sides["percent"]
    return [
        results["voters"], sides["agree"], sides["neutral"], sides["disagree"], results["pass"],
        p["agree"], p["neutral"], p["disagree"],
        results["mean"], results["consensus"], results["polarisation"],
    ]  # fmt: skip


def test_every_figure_in_the_workbook_equals_the_jsons(evening: tuple[Store, Room]) -> None:
    store, room = evening
    data = json.loads(write("json", store, room, "en"))
    sheets = sheet_rows(write("xlsx", store, room, "en"))
    assert list(sheets) == [
        "Overview",
        "Per answer",
        "Roles (room rules)",
        "Roles exact (organiser)",
        "Votes",
        "Comments",
    ]
    rounds = [(s, r) for s in data["statements"] for r in s["per_round"]]
    assert sheets["Overview"][1:] == [
        [s["position"], s["text"], r["round"], *side_figures(r["results"], r["sides"])] for s, r in rounds
    ]
    labels = {"strongly_disagree": "Strongly disagree", "disagree": "Disagree", "neutral": "Neutral",
              "agree": "Agree", "strongly_agree": "Strongly agree", "pass": "No opinion / pass"}  # fmt: skip
    expected = []
    for s, r in rounds:
        scale = SCALES[s["scale"]]
        for option in s["options"]:
            expected.append([s["position"], s["text"], "5-point agreement" if s["scale"] == "likert5"
                             else "3-point agreement", r["round"], labels[option], scale.score(option),
                             r["results"]["counts"][option], r["results"]["percent"][option]])  # fmt: skip
        expected.append([*expected[-1][:4], labels["pass"], None, r["results"]["pass"], None])
    assert sheets["Per answer"][1:] == expected
    for sheet, key in (("Roles (room rules)", "by_role_room"), ("Roles exact (organiser)", "by_role")):
        wanted = []
        for s, r in rounds:
            shown = {e["role"] for e in r["by_role_room"] if e["kind"] == "role"}
            for e in r[key]:
                if e.get("kind") == "others":
                    bands = {"most_agree": "most agree", "divided": "divided"}
                    wanted.append([s["position"], s["text"], r["round"], "All other roles together",
                                   *[None] * 11, bands[e["band"]]])  # fmt: skip
                    continue
                note = None
                if key == "by_role" and e["role"] not in shown and e["voters"]:
                    note = "not shown to the room on its own"
                figures = side_figures(e["results"], e["sides"])
                wanted.append([s["position"], s["text"], r["round"], e["role"] or "No role", *figures, note])
        assert sheets[sheet][1:] == wanted
    votes = [
        [s["position"], s["text"], v["participant"], v["role"] or "No role", v["round"], labels[v["option"]],
         SCALES[s["scale"]].score(v["option"]), datetime.fromisoformat(v["cast_at"]).replace(tzinfo=None)]
        for s in data["statements"] for v in s["votes"]
    ]  # fmt: skip
    assert [row[:7] for row in sheets["Votes"][1:]] == [row[:7] for row in votes]
    # Excel keeps milliseconds only to the millisecond: compare to it.
    assert all(
        abs((a[7] - b[7]).total_seconds()) < 0.001 for a, b in zip(sheets["Votes"][1:], votes, strict=True)
    )
    statuses = {"published": "published", "hidden": "hidden", "pending": "waiting for moderation"}
    assert [row[:6] for row in sheets["Comments"][1:]] == [
        [s["position"], s["text"], c["text"], c["name"] or None, statuses[c["status"]], c["support"]]
        for s in data["statements"] for c in s["comments"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "first_sheet", "headers"),
    [
        ("nl", "Overzicht", ["Nr.", "Stelling", "Ronde", "Stemmers"]),
        ("fr", "Vue d’ensemble", ["N°", "Affirmation", "Tour", "Votants"]),
        ("en", "Overview", ["No.", "Statement", "Round", "Voters"]),
    ],
)
def test_the_workbook_is_translated_frozen_typed_and_fitted(
    evening: tuple[Store, Room], language: str, first_sheet: str, headers: list[str]
) -> None:
    store, room = evening
    book = load_workbook(io.BytesIO(write("xlsx", store, room, language)))
    overview = book.worksheets[0]
    assert overview.title == first_sheet
    assert [c.value for c in overview[1]][:4] == headers
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABC")
    row = [c for c in overview[2]]
    assert isinstance(row[0].value, int) and isinstance(row[3].value, int)
    assert isinstance(row[8].value, float) and row[8].data_type == "n"
    formula = overview.cell(row=4, column=2)  # the second statement, round 1
    assert formula.value == "=SUM(A1:A9)" and formula.data_type == "s"  # text, never a formula
    assert overview.column_dimensions["B"].width > overview.column_dimensions["C"].width


def test_the_rooms_workbook_has_no_exact_sheet_and_no_votes(evening: tuple[Store, Room]) -> None:
    store, room = evening
    sheets = sheet_rows(write("xlsx", store, room, "en", ROOM))
    assert list(sheets) == ["Overview", "Per answer", "Roles (room rules)", "Comments"]
    assert [row[2] for row in sheets["Comments"][1:]] == ['=HYPERLINK("x")']


# -- CSV -------------------------------------------------------------------------------------


def csv_rows(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize(
    ("language", "delimiter", "decimal"), [("nl", ";", ","), ("fr", ";", ","), ("en", ",", ".")]
)
def test_csv_opens_in_the_locales_excel_with_a_round_column(
    evening: tuple[Store, Room], language: str, delimiter: str, decimal: str
) -> None:
    store, room = evening
    data = results(store, room)
    tables = {name: csv_rows(write(name, store, room, language), delimiter) for name in
              ("csv", "votes-csv", "comments-csv", "roles-csv")}  # fmt: skip
    for name in ("csv", "votes-csv", "roles-csv"):
        assert "round" in tables[name][0], name
    header, *rows = tables["csv"]
    assert header == ["position", "statement", "scale", "round", "option", "score", "count", "percent"]
    assert len(rows) == sum(len(s["options"]) + 1 for s in data["statements"] for _ in s["per_round"])
    agree_2 = [r for r in rows if r[0] == "1" and r[3] == "2" and r[4] == "disagree"]
    assert agree_2 == [["1", TEXTS[0], "likert5", "2", "disagree", "-1", "2", f"66{decimal}7"]]
    assert [r[1] for r in rows if r[0] == "2"][0] == "'=SUM(A1:A9)"  # defused
    header, *rows = tables["roles-csv"]
    assert header[:5] == ["position", "statement", "round", "role", "voters"] and header[-1] == "note"
    police = [r for r in rows if r[:4] == ["1", TEXTS[0], "1", "Politie"]]
    percents = [f"50{decimal}0", f"0{decimal}0", f"50{decimal}0"]
    assert police == [
        ["1", TEXTS[0], "1", "Politie", "2", "1", "0", "1", "0", *percents,
         f"-0{decimal}5", police[0][13], f"0{decimal}5", "not_for_room"],
    ]  # fmt: skip
    assert len(tables["votes-csv"]) == 1 + 12 + 4 + 3
    assert [r[2] for r in tables["comments-csv"][1:]] == [
        '\'=HYPERLINK("x")',
        "Weg ermee",
        "Nog niet bekeken",
    ]


def test_unknown_formats_and_languages_are_refused(evening: tuple[Store, Room]) -> None:
    store, room = evening
    with pytest.raises(ValueError, match="unknown export format 'pdf'; use json, csv"):
        write("pdf", store, room)
    with pytest.raises(ValueError, match="unknown language 'de'"):
        write("csv", store, room, "de")


def test_the_zip_holds_every_table_the_workbook_and_the_json(evening: tuple[Store, Room]) -> None:
    import zipfile

    store, room = evening
    with zipfile.ZipFile(io.BytesIO(write("zip", store, room, "fr"))) as archive:
        assert archive.namelist() == [
            "results.csv",
            "votes.csv",
            "comments.csv",
            "roles.csv",
            "results.xlsx",
            "event.json",
        ]
        assert archive.read("results.csv") == write("csv", store, room, "fr")
        assert json.loads(archive.read("event.json")) == results(store, room)
    assert write("zip", store, room, "fr") == write("zip", store, room, "fr")


def test_the_json_carries_the_opinion_map_and_the_tables_do_not_wait_for_it(
    evening: tuple[Store, Room], monkeypatch: pytest.MonkeyPatch
) -> None:
    from voting.analysis import event as event_analysis

    store, room = evening
    full = results(store, room)["opinion_map"]
    assert full is not None and {"status", "points", "groups"} <= set(full)
    assert "computed_at" not in full  # the same data gives the same export
    shared = results(store, room, ROOM)["opinion_map"]
    assert shared is not None and all(set(p) == {"x", "y", "group"} for p in shared["points"])

    def refuse(room: Room) -> None:
        raise AssertionError("the tables computed the opinion map")

    monkeypatch.setattr(event_analysis, "event_map", refuse)
    for fmt in ("csv", "roles-csv", "votes-csv", "comments-csv", "xlsx"):
        assert write(fmt, store, room)
    with pytest.raises(AssertionError, match="computed the opinion map"):
        write("json", store, room)
