"""Use cases: every change goes store first (durable), then room (memory), then hub (screens).

The HTTP and WebSocket entry points call these and nothing else to change an event.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from voting import store as sql
from voting.live import Room
from voting.models import (
    SCALES,
    Event,
    InputError,
    LiveState,
    check_scale,
    clean_statement_text,
    clean_title,
)
from voting.realtime.hub import Hub
from voting.results import Tally
from voting.store import Store
from voting.writer import Writer

MAX_STATEMENTS = 200


class Voting:
    def __init__(self, store: Store, writer: Writer, hub: Hub) -> None:
        self.store = store
        self.writer = writer
        self.hub = hub
        self.rooms: dict[str, Room] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def room(self, code: str) -> Room | None:
        room = self.rooms.get(code)
        if room is None:
            if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
                return None
            event = self.store.event_by_code(code)
            if event is None:
                return None
            room = self.rooms[code] = Room.load(self.store, event)
        return room

    def _lock(self, room: Room) -> asyncio.Lock:
        return self._locks.setdefault(room.code, asyncio.Lock())

    # -- organiser ----------------------------------------------------------------------------

    async def create_event(self, title: str, texts: list[str], scale: str) -> Event:
        title = clean_title(title)
        scale = check_scale(scale)
        texts = [clean_statement_text(t) for t in texts]
        if len(texts) > MAX_STATEMENTS:
            raise InputError("too_many", f"An event can have at most {MAX_STATEMENTS} statements.")
        return await self.writer.submit(sql.insert_event, title, texts, scale)

    async def delete_event(self, room: Room) -> None:
        async with self._lock(room):
            await self.writer.submit(sql.delete_event, room.event.id)
            self.rooms.pop(room.code, None)

    # -- participants -------------------------------------------------------------------------

    async def join(self, room: Room, participant: str) -> None:
        await self.writer.submit(sql.insert_participant, room.event.id, participant)

    async def cast_vote(
        self, room: Room, participant: str, statement_id: object, option: object
    ) -> None:
        """Store a participant's vote (replacing an earlier one) and fold it into the tally."""
        statement = room.current()
        if statement is None or statement.id != statement_id:
            raise InputError("not_current", "This statement is not the one being voted on.")
        if not room.state.voting_open:
            raise InputError("voting_closed", "Voting on this statement is closed.")
        if not isinstance(option, str) or not SCALES[statement.scale].accepts(option):
            raise InputError("invalid_option", f"{option!r} is not an option of this statement.")
        await self.writer.submit(sql.insert_vote, statement.id, participant, option)
        tally = room.tallies.get(statement.id)
        if tally is not None:  # the statement may have been deleted meanwhile
            tally.set(participant, option)
            self.hub.tally_changed(room)

    # -- moderator ----------------------------------------------------------------------------

    async def _set_state(self, room: Room, state: LiveState) -> None:
        await self.writer.submit(sql.save_state, room.event.id, state)
        room.event.state = state
        self.hub.state_changed(room)

    async def goto(self, room: Room, statement_id: int | None) -> None:
        """Put a statement (or the welcome screen) on every screen; voting on the one left
        behind closes, results go back to hidden."""
        async with self._lock(room):
            if statement_id is not None:
                room.statement(statement_id)
            if statement_id == room.state.statement_id:
                return
            await self._set_state(room, LiveState(statement_id=statement_id))

    async def step(self, room: Room, delta: int) -> None:
        index = room.index_of(room.state.statement_id)
        if not room.statements:
            raise InputError("no_statements", "This event has no statements yet.")
        target = (-1 if delta > 0 else len(room.statements)) if index is None else index
        target += delta
        if not 0 <= target < len(room.statements):
            raise InputError("no_more", "There is no statement in that direction.")
        await self.goto(room, room.statements[target].id)

    async def set_voting(self, room: Room, open_: bool) -> None:
        async with self._lock(room):
            if open_ and room.current() is None:
                raise InputError("no_statement", "Pick a statement before opening the vote.")
            await self._set_state(room, replace(room.state, voting_open=open_))

    async def set_results(self, room: Room, target: str, shown: bool) -> None:
        async with self._lock(room):
            if target == "projector":
                state = replace(room.state, results_projector=shown)
            elif target == "phones":
                state = replace(room.state, results_phones=shown)
            else:
                raise InputError("invalid_target", f"Unknown results target {target!r}.")
            await self._set_state(room, state)

    async def reset_votes(self, room: Room, statement_id: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            await self.writer.submit(sql.delete_votes, statement.id)
            room.tallies[statement.id].clear()
            self.hub.state_changed(room)

    async def add_statements(self, room: Room, texts: object, scale: object) -> None:
        if not isinstance(texts, list) or not texts:
            raise InputError("invalid_text", "Send at least one statement.")
        cleaned = [clean_statement_text(t) for t in texts]
        scale = check_scale(scale)
        async with self._lock(room):
            if len(room.statements) + len(cleaned) > MAX_STATEMENTS:
                raise InputError(
                    "too_many", f"An event can have at most {MAX_STATEMENTS} statements."
                )
            created = await self.writer.submit(sql.insert_statements, room.event.id, cleaned, scale)
            room.statements.extend(created)
            for statement in created:
                room.tallies[statement.id] = Tally(scale)
            self.hub.state_changed(room)

    async def edit_statement(
        self, room: Room, statement_id: object, text: object, scale: object
    ) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            cleaned = clean_statement_text(text)
            scale = check_scale(scale if scale is not None else statement.scale)
            if scale != statement.scale and room.tallies[statement.id].voters:
                raise InputError(
                    "has_votes", "This statement has votes: reset them before changing its scale."
                )
            await self.writer.submit(sql.update_statement, statement.id, cleaned, scale)
            statement.text, statement.scale = cleaned, scale
            room.tallies[statement.id].scale = scale
            self.hub.state_changed(room)

    async def delete_statement(self, room: Room, statement_id: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            remaining = [s for s in room.statements if s.id != statement.id]
            state = LiveState() if room.state.statement_id == statement.id else room.state
            await self.writer.submit(
                sql.delete_statement, room.event.id, statement.id, [s.id for s in remaining], state
            )
            room.statements = remaining
            for position, s in enumerate(remaining):
                s.position = position
            del room.tallies[statement.id]
            room.event.state = state
            self.hub.state_changed(room)

    async def move_statement(self, room: Room, statement_id: object, position: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            if not isinstance(position, int) or not 0 <= position < len(room.statements):
                raise InputError("invalid_position", f"Position {position!r} is out of range.")
            ordered = [s for s in room.statements if s.id != statement.id]
            ordered.insert(position, statement)
            await self.writer.submit(sql.reorder_statements, [s.id for s in ordered])
            room.statements = ordered
            for index, s in enumerate(ordered):
                s.position = index
            self.hub.state_changed(room)
