"""Undo: a reset or a deletion of a statement can be taken back for a minute, exactly.

The action stores every row it removes (voting/store/undo.py) in the same transaction;
`undo` puts them back in one transaction and the room reads them back from the store.
"""

from __future__ import annotations

import secrets
import time

from voting.live import PARTICIPANT, Room
from voting.models import InputError, Statement
from voting.results import Tally
from voting.services.base import Base
from voting.store import undo as undo_sql

clock = time.time  # the wall clock the expiries are in (tests replace it)


class Undo(Base):
    async def undo(self, room: Room, undo_id: object) -> None:
        """Put back the statement, votes and comments a reset or a deletion removed."""
        if not isinstance(undo_id, str) or not undo_id:
            raise InputError(
                "invalid_value", 'Send "undo": the id of what to undo, not {value!r}.', value=undo_id
            )
        async with self._lock(room):
            now = clock()
            undo_sql.check(undo_sql.find(self.store.conn, undo_id), room.event.id, now)
            action, statement_id = await self.writer.submit(undo_sql.restore, room.event.id, undo_id, now)
            self._read_back(room, statement_id, action == "delete")
            room.undo = [u for u in room.undo if u.id != undo_id]
            self._state_stored(room)
            self.hub.comments_changed(room)
            self.hub.state_changed(room)  # with the tallies and comments
            self.hub.send_welcomes(room, PARTICIPANT)  # phones get their restored votes back

    def _undoable(self, room: Room, action: str, statement: Statement) -> undo_sql.Undoable:
        now = round(clock(), 3)
        return undo_sql.Undoable(
            secrets.token_urlsafe(12), room.event.id, action, statement.id, statement.text,
            now, round(now + undo_sql.UNDO_SECONDS, 3),
        )  # fmt: skip

    def _offer(self, room: Room, undo: undo_sql.Undoable) -> None:
        """List a new undoable action in the moderator's state (newest first)."""
        now = clock()
        room.undo = [undo, *(u for u in room.undo if u.expires_at > now)]

    def _read_back(self, room: Room, statement_id: int, deleted: bool) -> None:
        """Apply a restore to the room as the store now has it: the statements, the restored
        statement's tallies, and (for a deletion) the comments and what the room shows."""
        event_id = room.event.id
        room.statements = self.store.statements(event_id)
        statement = room.statement(statement_id)
        room.tallies[statement_id] = Tally(statement.scale)
        room.second.pop(statement_id, None)
        if statement.round == 2:
            room.second[statement_id] = Tally(statement.scale)
        for row in self.store.votes(event_id):
            if row["statement_id"] == statement_id:
                rounds = room.tallies if row["round"] == 1 else room.second
                rounds[statement_id].set(row["participant_id"], row["option"])
        if deleted:
            room.comments = {c.id: c for c in self.store.comments(event_id)}
            event = self.store.event_by_code(room.code)
            if event is not None:
                room.event.state = event.state
