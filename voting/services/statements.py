"""Use cases of the moderator on the statement list: add, edit, delete, move, reset, rounds, roles, report."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from voting import store as sql
from voting.live import Room
from voting.models import (
    InputError,
    LiveState,
    check_scale,
    clean_roles,
    clean_statement_text,
    clean_translations,
    is_id,
)
from voting.results import Tally
from voting.services.base import MAX_STATEMENTS, Base


class Statements(Base):
    async def reset_votes(self, room: Room, statement_id: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            statement.ballot = await self.writer.submit(sql.reset_votes, statement.id, statement.round)
            room.tally(statement).clear()
            self.hub.state_changed(room)

    async def add_statements(self, room: Room, texts: object, scale: object) -> None:
        if not isinstance(texts, list) or not texts:
            raise InputError("invalid_text", "Send at least one statement.")
        cleaned = [clean_statement_text(t) for t in texts]
        scale = check_scale(scale)
        async with self._lock(room):
            if len(room.statements) + len(cleaned) > MAX_STATEMENTS:
                raise InputError(
                    "too_many", "An event can have at most {limit} statements.", limit=MAX_STATEMENTS
                )
            created = await self.writer.submit(sql.insert_statements, room.event.id, cleaned, scale)
            room.statements.extend(created)
            for statement in created:
                room.tallies[statement.id] = Tally(scale)
            self.hub.state_changed(room)

    async def edit_statement(
        self, room: Room, statement_id: object, text: object, scale: object, translations: object = None
    ) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            cleaned = clean_statement_text(text)
            other = None if translations is None else clean_translations(translations)
            scale = check_scale(scale if scale is not None else statement.scale)
            rounds = [room.tallies[statement.id]]
            if statement.id in room.second:  # round 2: its votes count too
                rounds.append(room.second[statement.id])
            if scale != statement.scale and any(tally.voters for tally in rounds):
                raise InputError(
                    "has_votes", "This statement has votes: reset them before changing its scale."
                )
            await self.writer.submit(sql.update_statement, statement.id, cleaned, scale, other)
            statement.text, statement.scale = cleaned, scale
            if other is not None:
                statement.translations = other
            for tally in rounds:
                tally.scale = scale
            self.hub.state_changed(room)

    async def delete_statement(self, room: Room, statement_id: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            remaining = [s for s in room.statements if s.id != statement.id]
            state = room.state.moved_to(None) if room.state.statement_id == statement.id else room.state
            await self.writer.submit(
                sql.delete_statement, room.event.id, statement.id, [s.id for s in remaining], state
            )
            room.statements = remaining
            for position, s in enumerate(remaining):
                s.position = position
            del room.tallies[statement.id]
            room.second.pop(statement.id, None)
            room.comments = {k: c for k, c in room.comments.items() if c.statement_id != statement.id}
            room.event.state = state
            self.hub.state_changed(room)

    async def move_statement(self, room: Room, statement_id: object, position: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            if not is_id(position) or not 0 <= position < len(room.statements):
                raise InputError(
                    "invalid_position", "Position {position!r} is out of range.", position=position
                )
            ordered = [s for s in room.statements if s.id != statement.id]
            ordered.insert(position, statement)
            await self.writer.submit(sql.reorder_statements, [s.id for s in ordered])
            room.statements = ordered
            for index, s in enumerate(ordered):
                s.position = index
            self.hub.state_changed(room)

    # -- roles, rounds, report ------------------------------------------------------------

    async def set_roles(self, room: Room, roles: object) -> None:
        """The roles participants pick from (an empty list: nobody is asked)."""
        if not isinstance(roles, list):  # clean_roles also splits text, for the CLI and forms
            raise InputError("invalid_roles", "Roles are a list of names.")
        cleaned = clean_roles(roles)
        async with self._lock(room):
            await self.writer.submit(sql.set_roles, room.event.id, cleaned)
            room.event.roles = cleaned
            self.hub.state_changed(room)

    async def start_round(self, room: Room, statement_id: object) -> None:
        """Vote again on a statement after the discussion: round 2, on screen, voting open."""
        async with self._lock(room):
            statement = room.statement(statement_id)
            if statement.round == 2:
                raise InputError("has_round", "This statement already has a second round.")
            state = replace(room.state.moved_to(statement.id), voting_open=True)
            await self.writer.submit(_start_round, room.event.id, statement.id, state)
            statement.round = 2
            room.second[statement.id] = Tally(statement.scale)
            room.event.state = state
            self.hub.state_changed(room)

    async def share_report(self, room: Room, shared: bool) -> str | None:
        """Create (or revoke, with False) the report's unguessable share link token."""
        token = secrets.token_urlsafe(24) if shared else None
        await self.writer.submit(sql.set_report_token, room.event.id, token)
        room.event.report_token = token
        return token



def _start_round(conn: Any, event_id: int, statement_id: int, state: LiveState) -> None:
    sql.set_round(conn, statement_id, 2)
    sql.save_state(conn, event_id, state)

