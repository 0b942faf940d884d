"""Pol.is's file formats as plain data: read a conversation, write an event as Pol.is exports.

Reading (a folder as in shared/polis-fixtures, or Pol.is's CSV export):
- `votes.json` + `comments.json` (+ `conversation.json`): Pol.is's API marks agree as −1;
  red-dwarf's dumps (and the fixtures) already flipped it to +1. `agree="auto"` tells them
  apart with the comments' agree counts; `agree=1` or `agree=-1` says which it is.
- `votes.csv` + `comments.csv` (Pol.is's report export): agree is +1; a participant's
  earlier votes on a statement are in the file too, the latest counts.
Statements moderated out (`moderated` −1) and meta statements are `excluded`, as Pol.is's
math does.

Writing (`export_files`, `write_export`): comments.csv, votes.csv, participants-votes.csv
(with each participant's `group-id` and, after the statement columns, a `role` column) and
summary.csv, with Pol.is's headers; agree is +1. comments.csv has an extra `is-meta`
column so that red-dwarf's Loader needs no API call to complete it. Statements by the
organisers (author None) are written with Pol.is's owner id 0 and count for no participant.
Participant ids that are not numbers become 0, 1, 2, … in participant order (Pol.is's
ids are numbers).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voting.analysis.matrix import Vote, build_matrix, participant_order

MODERATED_OUT = -1


@dataclass(frozen=True)
class PolisStatement:
    id: int
    text: str
    author: int | None = None  # a participant's Pol.is id; None: the organisers
    moderated: int = 1  # 1 approved, 0 unmoderated, −1 moderated out
    is_meta: bool = False
    created: int = 0  # seconds since the epoch


@dataclass(frozen=True)
class PolisConversation:
    topic: str
    description: str
    statements: tuple[PolisStatement, ...]
    votes: tuple[Vote, ...]  # agree = +1, the latest vote per participant and statement

    @property
    def excluded(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.statements if s.is_meta or s.moderated == MODERATED_OUT)


def seconds(value: Any) -> int:
    """Pol.is's times: milliseconds (number or digits) or ISO text."""
    if value in (None, ""):
        return 0
    if isinstance(value, int | float) or str(value).lstrip("-").replace(".", "", 1).isdigit():
        number = float(value)
        return int(number / 1000 if number > 1e11 else number)
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())


def pick(record: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    for name in names:
        if name in record and record[name] not in (None, ""):
            return record[name]
    return default


def as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def parse_statements(records: Iterable[Mapping[str, Any]]) -> tuple[PolisStatement, ...]:
    statements = (
        PolisStatement(
            id=int(pick(r, "tid", "statement_id", "comment-id")),
            text=str(pick(r, "txt", "comment-body", default="")),
            author=int(pick(r, "pid", "participant_id", "author-id", default=0)),
            moderated=int(pick(r, "mod", "moderated", default=0)),
            is_meta=as_bool(pick(r, "is_meta", "is-meta", default=False)),
            created=seconds(pick(r, "created", "timestamp")),
        )
        for r in records
    )
    return tuple(sorted(statements, key=lambda s: s.id))


def parse_votes(records: Iterable[Mapping[str, Any]], agree: int = 1) -> tuple[Vote, ...]:
    """(participant, statement, value) with agree = +1, the latest vote of each pair."""
    latest: dict[tuple[str, int], tuple[int, int, int]] = {}
    for order, r in enumerate(records):
        key = (
            str(pick(r, "pid", "participant_id", "voter-id")),
            int(pick(r, "tid", "statement_id", "comment-id")),
        )
        when = seconds(pick(r, "modified", "timestamp"))
        value = int(float(r["vote"])) * agree
        if key not in latest or (when, order) >= latest[key][:2]:
            latest[key] = (when, order, value)
    return tuple(
        sorted(((p, s, v[2]) for (p, s), v in latest.items()), key=lambda t: (participant_order(t[0]), t[1]))
    )


def agree_sign(votes: Sequence[Mapping[str, Any]], comments: Sequence[Mapping[str, Any]]) -> int:
    """+1 if votes of +1 are the agrees the comments count, −1 if votes of −1 are."""
    expected = {int(pick(c, "tid", "statement_id")): c.get("agree_count") for c in comments}
    plus: dict[int, int] = {}
    minus: dict[int, int] = {}
    for v in votes:
        tid = int(pick(v, "tid", "statement_id"))
        if int(v["vote"]) == 1:
            plus[tid] = plus.get(tid, 0) + 1
        elif int(v["vote"]) == -1:
            minus[tid] = minus.get(tid, 0) + 1
    known = {t: n for t, n in expected.items() if n is not None}
    plus_fits = sum(plus.get(t, 0) == n for t, n in known.items())
    minus_fits = sum(minus.get(t, 0) == n for t, n in known.items())
    return -1 if minus_fits > plus_fits else 1


def read_polis(folder: str | Path, agree: int | str = "auto") -> PolisConversation:
    """A Pol.is conversation from `folder` (JSON files preferred, else the CSV export)."""
    path = Path(folder)
    conversation: dict[str, Any] = {}
    if (path / "conversation.json").exists():
        conversation = json.loads((path / "conversation.json").read_text(encoding="utf-8"))
    if (path / "votes.json").exists():
        votes = json.loads((path / "votes.json").read_text(encoding="utf-8"))
        comments = json.loads((path / "comments.json").read_text(encoding="utf-8"))
        sign = agree_sign(votes, comments) if agree == "auto" else int(agree)
    else:
        votes = list(csv.DictReader(io.StringIO((path / "votes.csv").read_text(encoding="utf-8"))))
        comments = list(csv.DictReader(io.StringIO((path / "comments.csv").read_text(encoding="utf-8"))))
        sign = 1 if agree == "auto" else int(agree)
        if (path / "summary.csv").exists():
            conversation = summary_fields((path / "summary.csv").read_text(encoding="utf-8"))
    return PolisConversation(
        topic=str(conversation.get("topic") or ""),
        description=str(
            conversation.get("description") or conversation.get("conversation-description") or ""
        ),
        statements=parse_statements(comments),
        votes=parse_votes(votes, sign),
    )


def summary_fields(text: str) -> dict[str, str]:
    return {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) >= 2}


def polis_datetime(when: int) -> str:
    return datetime.fromtimestamp(when, tz=UTC).strftime(
        "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)"
    )


def polis_ids(participants: Iterable[str]) -> dict[str, int]:
    ordered = sorted(set(participants), key=participant_order)
    if all(p.isdecimal() for p in ordered):
        return {p: int(p) for p in ordered}
    return {p: i for i, p in enumerate(ordered)}


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def export_files(
    statements: Sequence[PolisStatement],
    votes: Iterable[Vote],
    *,
    groups: Mapping[str, int] | None = None,
    roles: Mapping[str, str | None] | None = None,
    topic: str = "",
    description: str = "",
    url: str = "",
    vote_times: Mapping[tuple[str, int], int] | None = None,
) -> dict[str, str]:
    """File name → CSV text of an event in Pol.is's export format (agree = +1).
    `groups`: participant → opinion group (participants without one get an empty group-id)."""
    groups, roles, vote_times = groups or {}, roles or {}, vote_times or {}
    matrix = build_matrix(votes, [s.id for s in statements])
    ids = polis_ids(matrix.participants)
    current = [
        (pid, sid, int(matrix.values[i, j]))
        for i, pid in enumerate(matrix.participants)
        for j, sid in enumerate(matrix.statements)
        if matrix.values[i, j] == matrix.values[i, j]  # not NaN
    ]
    agrees = {s.id: 0 for s in statements}
    disagrees = {s.id: 0 for s in statements}
    for _, sid, value in current:
        if value == 1:
            agrees[sid] += 1
        elif value == -1:
            disagrees[sid] += 1
    comments = table(
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
            "is-meta",
        ],
        (
            [
                s.created,
                polis_datetime(s.created),
                s.id,
                s.author or 0,
                agrees[s.id],
                disagrees[s.id],
                s.moderated,
                s.text,
                str(s.is_meta).lower(),
            ]
            for s in statements
        ),
    )
    votes_csv = table(
        ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
        (
            [t := vote_times.get((pid, sid), 0), polis_datetime(t), sid, ids[pid], value]
            for pid, sid, value in sorted(current, key=lambda v: (v[1], ids[v[0]]))
        ),
    )
    authored: dict[int, int] = {}
    for s in statements:
        if s.author is not None:
            authored[s.author] = authored.get(s.author, 0) + 1
    columns = [s.id for s in statements]
    col = {sid: j for j, sid in enumerate(matrix.statements)}
    rows = []
    for i, pid in enumerate(matrix.participants):
        row = matrix.values[i]
        cells = [
            "" if sid not in col or row[col[sid]] != row[col[sid]] else int(row[col[sid]]) for sid in columns
        ]
        group = groups.get(pid)
        rows.append(
            [
                ids[pid],
                "" if group is None else group,
                authored.get(ids[pid], 0),
                sum(c != "" for c in cells),
                cells.count(1),
                cells.count(-1),
                *cells,
                roles.get(pid) or "",
            ]
        )
    participants = table(
        [
            "participant",
            "group-id",
            "n-comments",
            "n-votes",
            "n-agree",
            "n-disagree",
            *map(str, columns),
            "role",
        ],
        rows,
    )
    summary = table(
        ["topic", topic],
        [
            ["url", url],
            ["voters", len(matrix.participants)],
            ["voters-in-conv", len(groups)],
            ["commenters", len(authored)],
            ["comments", len(statements)],
            ["groups", len(set(groups.values()))],
            ["conversation-description", description],
        ],
    )
    return {
        "comments.csv": comments,
        "votes.csv": votes_csv,
        "participants-votes.csv": participants,
        "summary.csv": summary,
    }


def write_export(folder: str | Path, files: Mapping[str, str]) -> None:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
