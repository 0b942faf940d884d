"""Use cases that walk the evening: the one next step, back, the end screen."""

from __future__ import annotations

from voting.live import Room
from voting.models import InputError
from voting.services.control import Control
from voting.steps import CLOSE_AND_SHOW, END, NEXT, OPEN, SHOW, next_step


class Evening(Control):
    async def advance(self, room: Room) -> str:
        """Take the one obvious next step (see voting/steps.py); returns which it took."""
        step = next_step(room)
        if step is None:
            if not room.statements:
                raise InputError("no_statements", "This event has no statements yet.")
            raise InputError("no_more", "The evening is over: this is the end screen.")
        if step == SHOW:
            await self.goto(room, room.statements[0].id)
        elif step == OPEN:
            await self.set_voting(room, True)
        elif step == CLOSE_AND_SHOW:
            async with self._lock(room):
                await self._update(room, {"voting_open": False, "results_projector": True, **NO_COUNTDOWN})
        elif step == NEXT:
            await self.step(room, +1)
        else:
            assert step == END
            await self.set_end(room, True)
        return step

    async def back(self, room: Room) -> None:
        """The previous statement; from the end screen, back to the statement it covered."""
        if room.state.ended:
            await self.set_end(room, False)
            return
        await self.step(room, -1)

    async def set_end(self, room: Room, on: object) -> None:
        """The end screen on phones and projector (voting closes, a countdown stops), or off."""
        if not isinstance(on, bool):
            raise InputError("invalid_value", '"on" must be true or false, not {on!r}.', on=on)
        async with self._lock(room):
            changes: dict[str, object] = {"ended": on}
            if on:
                changes.update(voting_open=False, **NO_COUNTDOWN)
            await self._update(room, changes)


NO_COUNTDOWN: dict[str, object] = {"countdown_ends_at": None, "countdown_seconds": None}

