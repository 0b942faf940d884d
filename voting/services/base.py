"""The services' common ground: the store, writer and hub, the rooms in memory, one lock per event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from voting import store as sql
from voting.health import StorageError
from voting.live import Room
from voting.models import Event, InputError, LiveState, check_scale, clean_statement_text, clean_title
from voting.pasting import parse_roles
from voting.realtime.hub import Hub
from voting.results import DEFAULT_ROLE_MINIMUM
from voting.store import Store
from voting.writer import Writer

MAX_STATEMENTS = 200
COMMENTS_PER_MINUTE = 5  # per participant
COMMENTS_PER_STATEMENT = 20  # per participant


class Base:
    def __init__(
        self, store: Store, writer: Writer, hub: Hub, role_minimum: int = DEFAULT_ROLE_MINIMUM
    ) -> None:
        self.store = store
        self.role_minimum = role_minimum
        self.writer = writer
        self.hub = hub
        self.rooms: dict[str, Room] = {}
        self._locks: dict[str, asyncio.Lock] = {}  # per event in `rooms`; dropped with it

    def room(self, code: str) -> Room | None:
        room = self.rooms.get(code)
        if room is None:
            if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
                return None
            event = self.store.event_by_code(code)
            if event is None:
                return None
            room = self.rooms[code] = Room.load(self.store, event)
            room.role_minimum = self.role_minimum
            self._state_stored(room)  # e.g. a countdown still running
        return room

    async def storage_health(self, fresh_seconds: float = 10.0) -> dict[str, Any]:
        """The writer's view of the database; with no good commit for `fresh_seconds`, a
        probe write first finds out (a quiet disk may have filled or gone read-only)."""
        health = self.writer.health
        if health.ok and time.monotonic() - health.last_ok > fresh_seconds:
            try:
                async with asyncio.timeout(5):
                    await self.writer.submit(sql.put_setting, "health_probe", sql.now())
            except StorageError:
                pass  # recorded in writer.health
            except TimeoutError:
                message = "The database did not answer within 5 s."
                return {"ok": False, "reason": "stalled", "message": message}
        return health.payload()

    def is_live(self, room: Room) -> bool:
        """False once the room's event has been deleted (screens may still hold the room)."""
        return self.rooms.get(room.code) is room

    def _lock(self, room: Room) -> asyncio.Lock:
        lock = self._locks.get(room.code)
        if lock is None:
            # Bounded by the rooms held: drop the idle locks of events no longer held (deleted
            # here or on another process, or let go).
            for code in [c for c, held in self._locks.items() if c not in self.rooms and not held.locked()]:
                del self._locks[code]
            lock = self._locks[room.code] = asyncio.Lock()
        return lock

    async def _update(
        self,
        room: Room,
        changes: Mapping[str, object],
        where: Mapping[str, object] | None = None,
        unless_no_statement: InputError | None = None,
    ) -> None:
        """Store the fields of the live state this action sets, and only those (another
        process may have changed the others meanwhile; `where`: only if the committed state
        still matches), then follow the committed state."""
        state = await self.writer.submit(
            sql.update_state, room.event.id, dict(changes), where, unless_no_statement
        )
        self._follow(room, state, announce=where is None)

    def _follow(self, room: Room, state: LiveState | None, announce: bool = True) -> None:
        """Take the committed state into memory; the screens see it when it changed (or always,
        with `announce`)."""
        before = room.event.state
        if state is not None:  # None: the event was deleted meanwhile
            room.event.state = state
        self._state_stored(room)
        if announce or room.event.state != before:
            self.hub.state_changed(room)

    def _state_stored(self, room: Room) -> None:
        """Called with every new state of a room (the countdown's timer follows it)."""


    # -- organiser ----------------------------------------------------------------------------

    async def create_event(
        self,
        title: str,
        texts: list[str],
        scale: str,
        roles: object = (),
        translations: list[dict[str, str]] | None = None,
    ) -> Event:
        title = clean_title(title)
        scale = check_scale(scale)
        texts = [clean_statement_text(t) for t in texts]
        cleaned_roles, role_translations = parse_roles(list(roles) if isinstance(roles, tuple) else roles)
        if len(texts) > MAX_STATEMENTS:
            raise InputError(
                "too_many", "An event can have at most {limit} statements.", limit=MAX_STATEMENTS
            )
        return await self.writer.submit(
            sql.insert_event, title, texts, scale, cleaned_roles, translations or [], role_translations
        )

    async def delete_event(self, room: Room) -> None:
        async with self._lock(room):
            await self.writer.submit(sql.delete_event, room.event.id)
            self.rooms.pop(room.code, None)
        self._locks.pop(room.code, None)

