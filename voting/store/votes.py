"""Votes: cast in the app (`cast_votes`: the votes that arrive together, in one statement;
`cast_vote`: one), stored as given (`insert_vote`), and read back by another process from
the version it last saw (`votes_since`, voting/realtime/relay.py)."""

from __future__ import annotations

from typing import Any

from voting.models import PASS, SCALES, InputError, is_id
from voting.store.core import now
from voting.store.dialect import Connection, text_rows
from voting.store.versions import touch_statement, touch_vote


def insert_vote(
    conn: Connection, statement_id: int, participant: str, option: str, round: int = 1
) -> None:
    touch_statement(conn, statement_id)
    _upsert_vote(conn, statement_id, participant, option, round)


def _upsert_vote(
    conn: Connection, statement_id: int, participant: str, option: str, round: int
) -> None:
    conn.execute(
        "INSERT INTO votes (statement_id, participant_id, round, option, cast_at, version)"
        " VALUES (?, ?, ?, ?, ?, coalesce((SELECT e.version FROM events e JOIN statements s"
        " ON s.event_id = e.id WHERE s.id = ?), 0))"
        " ON CONFLICT(statement_id, participant_id, round) DO UPDATE"
        " SET option = excluded.option, cast_at = excluded.cast_at, version = excluded.version",
        (statement_id, participant, round, option, now(), statement_id),
    )


# A vote in one statement (after the event's touch): stored only if the committed state
# takes it. No row back: refused, and `cast_vote` finds out why.
_CAST = (
    "INSERT INTO votes (statement_id, participant_id, round, option, cast_at, version)"
    " SELECT s.id, ?, s.round, ?, ?, e.version FROM events e"
    " JOIN statements s ON s.id = e.current_statement_id"
    " WHERE e.id = ? AND s.id = ? AND e.voting_open <> 0 AND s.scale IN ({scales})"
    " AND (e.tickets_required = 0 OR EXISTS (SELECT 1 FROM tickets t"
    " WHERE t.event_id = e.id AND t.participant_id = ?))"
    " ON CONFLICT(statement_id, participant_id, round) DO UPDATE"
    " SET option = excluded.option, cast_at = excluded.cast_at, version = excluded.version"
    " RETURNING round"
)


def cast_vote(
    conn: Connection, event_id: int, statement_id: object, participant: str, option: object
) -> int:
    """Store a participant's vote if the committed state takes it: the statement is the
    event's current one, voting is open, the option is one of its scale's, and the
    participant holds a ticket when the event needs one. Returns the round it counts in."""
    # Once per batch, the event's version (and on PostgreSQL its row lock, so that what
    # follows sees every committed change); then one statement per vote that the store takes.
    touch_vote(conn, event_id)
    scales = [name for name, scale in SCALES.items() if isinstance(option, str) and scale.accepts(option)]
    if is_id(statement_id) and scales:
        taken = conn.execute(
            _CAST.format(scales=", ".join("?" for _ in scales)),
            (participant, option, now(), event_id, statement_id, *scales, participant),
        ).fetchone()
        if taken is not None:
            return int(taken[0])
    row = conn.execute(
        "SELECT e.tickets_required, e.current_statement_id, e.voting_open, s.scale, s.round"
        " FROM events e LEFT JOIN statements s ON s.id = e.current_statement_id WHERE e.id = ?",
        (event_id,),
    ).fetchone()
    if row is not None and row["tickets_required"]:
        check_ticket(conn, event_id, participant)
    if row is None or row["scale"] is None or not is_id(statement_id) or (
        row["current_statement_id"] != statement_id
    ):
        raise InputError("not_current", "This statement is not the one being voted on.")
    if not row["voting_open"]:
        raise InputError("voting_closed", "Voting on this statement is closed.")
    if not isinstance(option, str) or not SCALES[row["scale"]].accepts(option):
        raise InputError(
            "invalid_option", "{option!r} is not an option of this statement.", option=option
        )
    round_ = int(row["round"])
    _upsert_vote(conn, row["current_statement_id"], participant, option, round_)
    return round_


# Each scale's options as (scale, option) pairs: literals from the code, not from input.
_ACCEPTED = ", ".join(
    f"('{key}', '{option}')" for key, scale in SCALES.items() for option in (*scale.options, PASS)
)

# Many votes on one statement (one per participant) in one statement: those the committed
# state takes come back with their participant and round; the others wrote nothing.
_CAST_MANY = (
    " INSERT INTO votes (statement_id, participant_id, round, option, cast_at, version)"
    " SELECT s.id, v.participant_id, s.round, v.option, v.cast_at, e.version"
    " FROM v JOIN events e ON e.id = ? JOIN statements s ON s.id = e.current_statement_id"
    " WHERE s.id = ? AND e.voting_open <> 0 AND (s.scale, v.option) IN (VALUES " + _ACCEPTED + ")"
    " AND (e.tickets_required = 0 OR EXISTS (SELECT 1 FROM tickets t"
    " WHERE t.event_id = e.id AND t.participant_id = v.participant_id))"
    " ON CONFLICT(statement_id, participant_id, round) DO UPDATE"
    " SET option = excluded.option, cast_at = excluded.cast_at, version = excluded.version"
    " RETURNING participant_id, round"
)

Vote = tuple[int, object, str, object]  # event id, statement id, participant, option (as received)


def cast_votes(conn: Connection, votes: list[Vote]) -> list[int | InputError]:
    """`cast_vote` for many votes at once, as if one after the other: for each, the round it
    counts in, or the InputError saying why it was refused (and nothing of it written).
    The votes on one statement are one statement, a participant's second vote on it in
    the next one."""
    outcomes: list[int | InputError | None] = [None] * len(votes)
    chunks: dict[tuple[int, int], list[dict[str, int]]] = {}  # participant → index, in order
    alone: list[int] = []
    for index, (event_id, statement_id, participant, option) in enumerate(votes):
        if not is_id(statement_id) or not isinstance(option, str):
            alone.append(index)
            continue
        assert isinstance(statement_id, int)
        runs = chunks.setdefault((event_id, statement_id), [{}])
        if participant in runs[-1]:
            runs.append({})
        runs[-1][participant] = index
    for (event_id, statement_id), runs in chunks.items():
        touch_vote(conn, event_id)
        for run in runs:
            cast = now()
            source, values = text_rows(
                conn, ("participant_id", "option", "cast_at"),
                [(p, str(votes[i][3]), cast) for p, i in run.items()],
            )  # fmt: skip
            for participant, round_ in conn.execute(source + _CAST_MANY, (*values, event_id, statement_id)):
                outcomes[run.pop(participant)] = int(round_)
            alone += run.values()  # refused: cast_vote says why
    for index in sorted(alone):
        try:
            outcomes[index] = cast_vote(conn, *votes[index])
        except InputError as refused:
            outcomes[index] = refused
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def check_ticket(conn: Connection, event_id: int, participant: str) -> None:
    """Refuse a participant without a redeemed ticket while the event requires tickets."""
    row = conn.execute(
        "SELECT tickets_required <> 0 AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.event_id = e.id"
        " AND t.participant_id = ?) FROM events e WHERE e.id = ?",
        (participant, event_id),
    ).fetchone()
    if row is not None and row[0]:
        raise InputError(
            "ticket_required", "This event needs an attendance ticket: enter the code on your ticket."
        )


def votes_since(conn: Connection, event_id: int, version: int) -> list[Any]:
    """The event's votes stored by a transaction numbered above `version` (each row:
    statement_id, participant_id, round, option)."""
    return conn.execute(
        "SELECT v.statement_id, v.participant_id, v.round, v.option FROM votes v"
        " JOIN statements s ON s.id = v.statement_id WHERE s.event_id = ? AND v.version > ?",
        (event_id, version),
    ).fetchall()
