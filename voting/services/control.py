"""Use cases of the moderator that move the room: which statement, voting, results, settings."""

from __future__ import annotations

from voting import store as sql
from voting.live import Room
from voting.models import InputError
from voting.pasting import TRANSLATION_LANGUAGES
from voting.services.base import Base


class Control(Base):
    async def goto(self, room: Room, statement_id: int | None) -> None:
        """Put a statement (or the welcome screen) on every screen; voting on the one left
        behind closes, results go back to hidden."""
        async with self._lock(room):
            state = await self.writer.submit(sql.move_to, room.event.id, statement_id)
            self._follow(room, state, announce=False)

    async def step(self, room: Room, delta: int) -> None:
        index = room.index_of(room.state.statement_id)
        if not room.statements:
            raise InputError("no_statements", "This event has no statements yet.")
        if index is None and delta < 0:  # the welcome screen: nothing before it
            raise InputError("no_more", "There is no statement in that direction.")
        target = -1 if index is None else index
        target += delta
        if not 0 <= target < len(room.statements):
            raise InputError("no_more", "There is no statement in that direction.")
        await self.goto(room, room.statements[target].id)

    async def set_voting(self, room: Room, open_: bool) -> None:
        async with self._lock(room):
            refusal = None
            if open_:
                refusal = InputError("no_statement", "Pick a statement before opening the vote.")
            changes: dict[str, object] = {"voting_open": open_}
            if not open_:  # closing stops a running countdown
                changes.update(countdown_ends_at=None, countdown_seconds=None)
            await self._update(room, changes, unless_no_statement=refusal)

    async def set_results(self, room: Room, target: str, shown: bool) -> None:
        async with self._lock(room):
            if target not in ("projector", "phones"):
                raise InputError("invalid_target", "Unknown results target {target!r}.", target=target)
            await self._update(room, {f"results_{target}": shown})

    async def settings(self, room: Room, settings: dict[str, object]) -> None:
        """Switch comments, pre-moderation, or the projector's ticker, split by role,
        full-screen QR code, high-contrast theme and black screen, or opening voting as
        soon as a statement is shown."""
        async with self._lock(room):
            changes: dict[str, object] = {}
            names = ("comments", "premoderation", "ticker", "by_role", "show_qr", "show_map")
            for name in (*names, "high_contrast", "blank", "auto_open"):
                if name in settings:
                    value = settings[name]
                    if not isinstance(value, bool):
                        raise InputError("invalid_value", '"{name}" must be true or false.', name=name)
                    changes[name] = value
            if "second_language" in settings:
                language = settings["second_language"]
                if language is not None and language not in TRANSLATION_LANGUAGES:
                    raise InputError("invalid_value", "Unknown language {language!r}.", language=language)
                changes["second_language"] = language
            if not changes:
                raise InputError("invalid_value", "Nothing to change.")
            await self._update(room, changes)

