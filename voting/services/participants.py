"""Use cases of the phones: joining, a role, a vote."""

from __future__ import annotations

from voting import store as sql
from voting.live import Room
from voting.models import (
    SCALES,
    InputError,
    is_id,
)
from voting.services.base import Base


class Participants(Base):

    async def join(self, room: Room, participant: str) -> None:
        if participant in room.role_of:  # joined before: a reload writes nothing
            return
        await self.writer.submit(sql.insert_participant, room.event.id, participant)
        if participant not in room.role_of:  # counted in the turnout (without a role) at once
            room.role_of[participant] = None
            room.joins.join()
            self.hub.tally_changed(room)

    def identity_refused(self, room: Room) -> None:
        """A new identity for this event was refused (its network made too many): the
        moderator's console warns that this looks like a script."""
        room.joins.refuse()
        self.hub.tally_changed(room)

    async def set_role(self, room: Room, participant: str, role: object) -> None:
        """A participant's role, chosen once on joining (None: skipped); changeable later."""
        room.check_ticket(participant, changing_role=True)
        if role is not None and role not in room.event.roles:
            raise InputError("invalid_role", "{role!r} is not one of this event's roles.", role=role)
        assert role is None or isinstance(role, str)
        await self.writer.submit(sql.set_role, room.event.id, participant, role)
        room.role_of[participant] = role
        room.answered.add(participant)
        self.hub.tally_changed(room)

    async def cast_vote(self, room: Room, participant: str, statement_id: object, option: object) -> None:
        """Store a participant's vote (replacing an earlier one) and fold it into the tally."""
        room.check_ticket(participant)
        statement = room.current()
        if statement is None or not is_id(statement_id) or statement.id != statement_id:
            raise InputError("not_current", "This statement is not the one being voted on.")
        if not room.state.voting_open:
            raise InputError("voting_closed", "Voting on this statement is closed.")
        if not isinstance(option, str) or not SCALES[statement.scale].accepts(option):
            raise InputError(
                "invalid_option", "{option!r} is not an option of this statement.", option=option
            )
        await self.writer.submit(sql.insert_vote, statement.id, participant, option, statement.round)
        if statement.id in room.tallies:  # it may have been deleted meanwhile
            room.tally(statement).set(participant, option)
            self.hub.tally_changed(room)

