"""The countdown: the moderator gives voting N seconds; at zero the server closes it.

The deadline is stored with the event (epoch seconds), so every screen shows the same
remaining time, a reloaded phone too, and a restarted server closes voting when it falls
due (at once when it passed while the server was down). One timer task per event follows
the stored state: any change that drops the deadline (closing voting, another statement,
the end screen) leaves the timer nothing to do.

Every process that holds the event runs the timer, also for a countdown another process
started (the relay hands it the state it read back: `state_read`), so the deadline closes
voting even when the process that started it died. The close is a conditional write (only
if the committed countdown is still this one), so of all the processes' timers one closes
voting and the others find it closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from voting.live import Room
from voting.models import InputError, is_id
from voting.services.base import Base

MIN_SECONDS, MAX_SECONDS = 5, 3600
log = logging.getLogger(__name__)
clock = time.time  # the wall clock the deadlines are in (tests replace it)


class Countdown(Base):
    async def countdown(self, room: Room, seconds: object) -> None:
        """Start a countdown of `seconds` on the current statement (opening voting if it is
        closed), or stop it with None."""
        if seconds is not None and not (is_id(seconds) and MIN_SECONDS <= seconds <= MAX_SECONDS):
            raise InputError(
                "invalid_value", "A countdown lasts between 5 s and 60 minutes, not {seconds!r}.",
                seconds=seconds,
            )  # fmt: skip
        async with self._lock(room):
            no_statement = InputError("no_statement", "Show a statement before starting a countdown.")
            changes: dict[str, object]
            if seconds is None:
                changes = {"countdown_ends_at": None, "countdown_seconds": None}
            elif room.state.ended:
                raise no_statement
            else:
                ends_at = round(clock() + seconds, 3)
                changes = {"voting_open": True, "countdown_ends_at": ends_at, "countdown_seconds": seconds}
            refusal = None if seconds is None else no_statement
            await self._update(room, changes, unless_no_statement=refusal)

    async def resume_countdowns(self) -> None:
        """At start-up: load the events whose countdown was running, which arms their timers;
        a deadline that passed while the server was down closes voting before anyone looks."""
        for code in self.store.running_countdowns():
            room = self.room(code)
            ends_at = None if room is None else room.state.countdown_ends_at
            if room is not None and ends_at is not None and ends_at <= clock():
                await self._close(room, ends_at)

    def state_read(self, room: Room) -> None:
        """Another process changed the room's state (read back by the relay): this process's
        timer follows the countdown too."""
        self._state_stored(room)

    async def stop_countdowns(self) -> None:
        timers = [task for _, task in self._countdown_timers().values()]
        for task in timers:
            task.cancel()
        for task in timers:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _countdown_timers(self) -> dict[str, tuple[float, asyncio.Task[None]]]:
        timers: dict[str, tuple[float, asyncio.Task[None]]] = self.__dict__.setdefault("_timers", {})
        return timers

    def _state_stored(self, room: Room) -> None:
        super()._state_stored(room)
        timers = self._countdown_timers()
        ends_at = room.state.countdown_ends_at
        running = timers.get(room.code)
        if running is not None and running[0] == ends_at:
            return
        if running is not None and running[1] is not asyncio.current_task():
            running[1].cancel()
        timers.pop(room.code, None)
        if ends_at is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._count_down(room, ends_at))
        except RuntimeError:  # no event loop (a command line use): nothing to time
            return
        timers[room.code] = (ends_at, task)

    async def _count_down(self, room: Room, ends_at: float) -> None:
        await asyncio.sleep(max(0.0, ends_at - clock()))
        try:
            await self._close(room, ends_at)
        except Exception:  # e.g. the disk is full: the moderator's console says so
            log.exception("the countdown of event %s could not close voting", room.code)
        finally:
            timers = self._countdown_timers()
            if timers.get(room.code, (None, None))[1] is asyncio.current_task():
                del timers[room.code]

    async def _close(self, room: Room, ends_at: float) -> None:
        """Close voting at the end of the countdown, through the same path as the moderator."""
        async with self._lock(room):
            if room.state.countdown_ends_at != ends_at or not self.is_live(room):
                return  # stopped, replaced or the event deleted meanwhile
            # Only if the committed countdown is still this one (another process may have
            # stopped or replaced it).
            changes = {"voting_open": False, "countdown_ends_at": None, "countdown_seconds": None}
            await self._update(room, changes, where={"countdown_ends_at": ends_at})
