"""An event in Pol.is's export format (voting/analysis/polis.py writes the files): each
statement becomes a Pol.is comment (id: its position − 1), each participant a voter with
their pseudonym of the JSON export, their opinion group and their role. A participant's
latest vote counts (round 2 where they voted again); agreeing options are +1, disagreeing
−1, neutral and pass 0."""

from __future__ import annotations

from datetime import datetime

from voting.analysis.matrix import Vote, vote_value
from voting.analysis.opinion_map import opinion_map
from voting.analysis.polis import PolisStatement, export_files
from voting.exports.data import latest_choices, pseudonyms
from voting.live import Room
from voting.store import Store


def seconds(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def files(store: Store, room: Room) -> dict[str, str]:
    rows = store.votes(room.event.id)
    numbers = pseudonyms(rows)
    for participant in sorted(room.role_of):  # joined without voting: numbered after the voters
        numbers.setdefault(participant, len(numbers) + 1)
    created = seconds(room.event.created_at)
    statements = [PolisStatement(s.position, s.text, created=created) for s in room.statements]
    ids = {s.id: s.position for s in room.statements}
    votes: list[Vote] = []
    for s in room.statements:
        for participant, option in latest_choices(room, s).items():
            votes.append((str(numbers[participant]), ids[s.id], vote_value(s.scale, option)))
    times = {
        (str(numbers[row["participant_id"]]), ids[row["statement_id"]]): seconds(row["cast_at"])
        for row in rows  # oldest first: the latest time wins
    }
    roles = {str(numbers[p]): role for p, role in room.role_of.items()}
    groups = opinion_map(votes, ids.values(), roles, role_order=room.event.roles).labels()
    return export_files(
        statements, votes, groups=groups, roles=roles, topic=room.event.title, vote_times=times
    )
