"""Use cases of the phones: joining, a role, a vote."""

from __future__ import annotations

from voting import store as sql
from voting.live import Room
from voting.models import InputError, is_id
from voting.services.base import Base


class Participants(Base):

    async def join(self, room: Room, participant: str, language: str | None = None) -> None:
        """A phone joins (`language`: its page's, for the turnout per language)."""
        if participant in room.role_of:  # joined before: a reload writes nothing
            return
        await self.writer.submit(sql.insert_participant, room.event.id, participant, language)
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
        """Store a participant's vote (replacing an earlier one) and fold it into the tally.

        The store decides, in the transaction that stores it, on the committed state: the
        statement on screen, voting open, an option of its scale, a ticket if one is needed.
        Memory may be behind another process either way, so it decides nothing here."""
        round_ = await self.writer.submit_grouped(
            sql.cast_votes, room.event.id, statement_id, participant, option
        )
        assert is_id(statement_id) and isinstance(option, str)  # the store took them
        for statement in room.statements:
            # Counted here only in the round the store counted it in (a round this process
            # has not seen yet comes with the next refresh from the store).
            if statement.id == statement_id and statement.round == round_:
                room.tally(statement).set(participant, option)
                self.hub.vote_taken(room, statement.id, round_, participant)
                break
