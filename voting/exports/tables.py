"""The export's tables, made from the JSON data (voting/exports/data.py): one list of rows
per table, with typed columns, written as CSV (voting/exports/csvs.py) and as sheets of the
workbook (voting/exports/xlsx.py). Both show the same figures because both read these.

A column's `kind` says how a cell is written: "text" (user text: defused against formulas),
"int", "float", "time" (ISO 8601 text, UTC), "key" (a machine word: CSV writes the word,
the workbook its translation), "role" (a role's name; None: "no role").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from voting.exports.data import ORGANISER
from voting.i18n import mark
from voting.models import SCALES

Row = list[Any]


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header (stable, for scripts)
    header: str  # the workbook's header (translated)
    kind: str = "int"


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # the sheet's name (translated; at most 31 characters in any language)
    columns: tuple[Column, ...]
    rows: list[Row]


STATEMENT = (Column("position", mark("No."), "int"), Column("statement", mark("Statement"), "text"))
ROUND = Column("round", mark("Round"), "int")
SIDE_COLUMNS = (
    Column("voters", mark("Voters")),
    Column("agree", mark("Agree")),
    Column("neutral", mark("Neutral")),
    Column("disagree", mark("Disagree")),
    Column("pass", mark("Pass")),
    Column("agree_percent", mark("Agree %"), "float"),
    Column("neutral_percent", mark("Neutral %"), "float"),
    Column("disagree_percent", mark("Disagree %"), "float"),
    Column("mean", mark("Mean score"), "float"),
    Column("consensus", mark("Consensus"), "float"),
    Column("polarisation", mark("Polarisation"), "float"),
)
OTHERS = "(others)"  # the room's block of every group not shown on its own
KEY_LABELS = {
    "not_for_room": mark("not shown to the room on its own"),
    OTHERS: mark("All other roles together"),
    "pending": mark("waiting for moderation"),
    "published": mark("published"),
    "hidden": mark("hidden"),
}


def statement_rounds(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for s in data["statements"]:
        for entry in s["per_round"]:
            yield s, entry


def side_cells(results: dict[str, Any] | None, sides: dict[str, Any] | None) -> Row:
    if results is None or sides is None:
        return [None] * len(SIDE_COLUMNS)
    percent = sides["percent"]
    return [
        results["voters"], sides["agree"], sides["neutral"], sides["disagree"], results["pass"],
        percent["agree"], percent["neutral"], percent["disagree"],
        results["mean"], results["consensus"], results["polarisation"],
    ]  # fmt: skip


def overview(data: dict[str, Any]) -> Table:
    rows = [
        [s["position"], s["text"], e["round"], *side_cells(e["results"], e["sides"])]
        for s, e in statement_rounds(data)
    ]
    return Table("overview", mark("Overview"), (*STATEMENT, ROUND, *SIDE_COLUMNS), rows)


def counts(data: dict[str, Any]) -> Table:
    """One row per statement, round and option (and one for "pass")."""
    rows: list[Row] = []
    for s, e in statement_rounds(data):
        results = e["results"]
        scores = dict(zip(s["options"], SCALES[s["scale"]].scores, strict=True))
        for option in s["options"]:
            rows.append(
                [s["position"], s["text"], s["scale"], e["round"], option, scores[option],
                 results["counts"][option], results["percent"][option]]
            )  # fmt: skip
        rows.append([s["position"], s["text"], s["scale"], e["round"], "pass", None, results["pass"], None])
    columns = (
        *STATEMENT,
        Column("scale", mark("Scale"), "key"),
        ROUND,
        Column("option", mark("Answer"), "key"),
        Column("score", mark("Score")),
        Column("count", mark("Votes")),
        Column("percent", mark("Percent"), "float"),
    )
    return Table("results", mark("Per answer"), columns, rows)


def roles(data: dict[str, Any], exact: bool) -> Table:
    """Per statement, round and role: the room's view (the groups shown on their own, then
    all others together as a band), or (exact) every group's figures, with a note on the
    groups the room does not see on their own."""
    rows: list[Row] = []
    for s, e in statement_rounds(data):
        shown = {g["role"] for g in e.get("by_role_room", []) if g["kind"] == "role"}
        for group in e.get("by_role" if exact else "by_role_room", []):
            if group.get("kind") == "others":
                blank = side_cells(None, None)
                rows.append([s["position"], s["text"], e["round"], OTHERS, *blank, group["band"]])
                continue
            note = "not_for_room" if exact and group["role"] not in shown and group["voters"] else None
            cells = side_cells(group["results"], group["sides"])
            rows.append([s["position"], s["text"], e["round"], group["role"], *cells, note])
    columns = (
        *STATEMENT, ROUND, Column("role", mark("Role"), "role"), *SIDE_COLUMNS,
        Column("note", mark("Note"), "key"),
    )  # fmt: skip
    if exact:
        return Table("roles_exact", mark("Roles exact (organiser)"), columns, rows)
    return Table("roles", mark("Roles (room rules)"), columns, rows)


def votes(data: dict[str, Any]) -> Table:
    """One row per vote: the participant's number, role, round, option, time."""
    rows: list[Row] = []
    for s in data["statements"]:
        scale = SCALES[s["scale"]]
        for v in s.get("votes", []):
            option = v["option"]
            score = scale.score(option) if scale.accepts(option) else None
            rows.append(
                [s["position"], s["text"], v["participant"], v["role"], v["round"], option, score,
                 v["cast_at"]]
            )  # fmt: skip
    columns = (
        *STATEMENT,
        Column("participant", mark("Participant"), "int"),
        Column("role", mark("Role"), "role"),
        ROUND,
        Column("option", mark("Answer"), "key"),
        Column("score", mark("Score")),
        Column("cast_at", mark("Time (UTC)"), "time"),
    )
    return Table("votes", mark("Votes"), columns, rows)


def comments(data: dict[str, Any]) -> Table:
    """One row per comment, with its status and support (comments belong to a statement,
    not to a round)."""
    rows = [
        [s["position"], s["text"], c["text"], c["name"] or "", c["status"], c["support"], c["created_at"]]
        for s in data["statements"]
        for c in s["comments"]
    ]
    columns = (
        *STATEMENT,
        Column("comment", mark("Comment"), "text"),
        Column("name", mark("Name"), "text"),
        Column("status", mark("Status"), "key"),
        Column("support", mark("Support"), "int"),
        Column("created_at", mark("Time (UTC)"), "time"),
    )
    return Table("comments", mark("Comments"), columns, rows)


def all_tables(data: dict[str, Any]) -> list[Table]:
    """The workbook's sheets, in order; the exact role sheet only in the organiser's export."""
    tables = [overview(data), counts(data)]
    if data["event"]["roles"]:
        tables.append(roles(data, exact=False))
        if data["scope"] == ORGANISER:
            tables.append(roles(data, exact=True))
    if data["scope"] == ORGANISER:
        tables.append(votes(data))
    tables.append(comments(data))
    return tables


TABLES: dict[str, Callable[[dict[str, Any]], Table]] = {
    "csv": counts,
    "votes-csv": votes,
    "comments-csv": comments,
    "roles-csv": lambda data: roles(data, exact=data["scope"] == ORGANISER),
}
