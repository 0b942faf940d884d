"""Use cases: every change goes store first (durable), then room (memory), then hub (screens).

The HTTP and WebSocket entry points call these and nothing else to change an event.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from dataclasses import replace
from typing import Any

from voting import store as sql
from voting.health import StorageError
from voting.live import Room
from voting.models import (
    COMMENT_STATUSES,
    PENDING,
    PUBLISHED,
    SCALES,
    TRANSLATION_LANGUAGES,
    Comment,
    Event,
    InputError,
    LiveState,
    check_scale,
    clean_comment,
    clean_roles,
    clean_statement_text,
    clean_title,
    clean_translations,
    is_id,
)
from voting.realtime.hub import Hub
from voting.results import DEFAULT_ROLE_MINIMUM, Tally
from voting.store import Store
from voting.writer import Writer

MAX_STATEMENTS = 200
COMMENTS_PER_MINUTE = 5  # per participant
COMMENTS_PER_STATEMENT = 20  # per participant


class Voting:
    def __init__(
        self, store: Store, writer: Writer, hub: Hub, role_minimum: int = DEFAULT_ROLE_MINIMUM
    ) -> None:
        self.store = store
        self.role_minimum = role_minimum
        self.writer = writer
        self.hub = hub
        self.rooms: dict[str, Room] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._recent_comments: dict[tuple[str, str], deque[float]] = {}
        self._comment_locks: dict[tuple[str, str], asyncio.Lock] = {}

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
        return self._locks.setdefault(room.code, asyncio.Lock())

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
        cleaned_roles = clean_roles(list(roles) if isinstance(roles, tuple) else roles)
        if len(texts) > MAX_STATEMENTS:
            raise InputError(
                "too_many", "An event can have at most {limit} statements.", limit=MAX_STATEMENTS
            )
        return await self.writer.submit(
            sql.insert_event, title, texts, scale, cleaned_roles, translations or []
        )

    async def delete_event(self, room: Room) -> None:
        async with self._lock(room):
            await self.writer.submit(sql.delete_event, room.event.id)
            self.rooms.pop(room.code, None)

    # -- participants -------------------------------------------------------------------------

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
            await self._set_state(room, room.state.moved_to(statement_id))

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
                raise InputError("invalid_target", "Unknown results target {target!r}.", target=target)
            await self._set_state(room, state)

    async def reset_votes(self, room: Room, statement_id: object) -> None:
        async with self._lock(room):
            statement = room.statement(statement_id)
            await self.writer.submit(sql.delete_votes, statement.id, statement.round)
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

    # -- comments -----------------------------------------------------------------------------

    async def add_comment(
        self, room: Room, participant: str, statement_id: object, text: object, name: object
    ) -> Comment:
        """A participant's comment on the current statement: published at once, or held for
        the moderator when the event pre-moderates."""
        # One comment at a time per participant (several tabs may be open): the checks see
        # the previous comment stored and counted.
        async with self._comment_locks.setdefault((room.code, participant), asyncio.Lock()):
            room.check_ticket(participant)
            if not room.state.comments:
                raise InputError("comments_off", "Comments are switched off for this event.")
            statement = room.current()
            if statement is None or not is_id(statement_id) or statement.id != statement_id:
                raise InputError("not_current", "This statement is no longer on screen.")
            cleaned, shown_name = clean_comment(text, name)
            mine = [c for c in room.comments_on(statement.id) if c.participant == participant]
            if len(mine) >= COMMENTS_PER_STATEMENT:
                raise InputError(
                    "too_many_comments",
                    "You can send at most {limit} comments per statement.",
                    limit=COMMENTS_PER_STATEMENT,
                )
            recent = self._recent_comments.setdefault((room.code, participant), deque())
            now = time.monotonic()
            while recent and now - recent[0] > 60:
                recent.popleft()
            if len(recent) >= COMMENTS_PER_MINUTE:
                raise InputError("comments_too_fast", "Too many comments: wait a minute.")
            status = PENDING if room.state.premoderation else PUBLISHED
            comment = await self.writer.submit(
                sql.insert_comment, statement.id, participant, shown_name, cleaned, status
            )
            recent.append(now)
            room.comments[comment.id] = comment
        self.hub.comments_changed(room)
        return comment

    async def support(self, room: Room, participant: str, comment_id: object, on: object) -> Comment:
        """ "Me too" on a published comment of the current statement (once; can be withdrawn)."""
        room.check_ticket(participant)
        comment = room.comment(comment_id)
        if comment.status != PUBLISHED or comment.statement_id != room.state.statement_id:
            raise InputError(
                "unknown_comment", "There is no comment {comment_id!r} here.", comment_id=comment_id
            )
        if not isinstance(on, bool):
            raise InputError("invalid_value", '"on" must be true or false, not {on!r}.', on=on)
        if (participant in comment.supporters) != on:
            await self.writer.submit(sql.set_support, comment.id, participant, on)
            if on:
                comment.supporters.add(participant)
            else:
                comment.supporters.discard(participant)
            self.hub.comments_changed(room)
        return comment

    async def moderate_comment(self, room: Room, comment_id: object, status: object) -> None:
        """Publish or hide a comment (hidden ones are kept, with their status)."""
        async with self._lock(room):
            comment = room.comment(comment_id)
            if status not in COMMENT_STATUSES:
                raise InputError("invalid_status", "Unknown comment status {status!r}.", status=status)
            assert isinstance(status, str)
            await self.writer.submit(sql.set_comment_status, comment.id, status)
            comment.status = status
            if status != PUBLISHED and room.state.highlight == comment.id:
                await self._set_state(room, replace(room.state, highlight=None))
            self.hub.comments_changed(room)

    async def highlight(self, room: Room, comment_id: object) -> None:
        """Show a comment of the current statement large on the projector (publishing it),
        or, with None, return the projector to the results."""
        async with self._lock(room):
            if comment_id is None:
                await self._set_state(room, replace(room.state, highlight=None))
                return
            comment = room.comment(comment_id)
            if comment.statement_id != room.state.statement_id:
                raise InputError("not_current", "Only comments on the current statement can be shown.")
            if comment.status != PUBLISHED:
                await self.writer.submit(sql.set_comment_status, comment.id, PUBLISHED)
                comment.status = PUBLISHED
            await self._set_state(room, replace(room.state, highlight=comment.id))
            self.hub.comments_changed(room)

    async def settings(self, room: Room, settings: dict[str, object]) -> None:
        """Switch comments, pre-moderation, or the projector's ticker, split by role,
        full-screen QR code and high-contrast theme."""
        async with self._lock(room):
            changes: dict[str, object] = {}
            for name in ("comments", "premoderation", "ticker", "by_role", "show_qr", "high_contrast"):
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
            await self._set_state(room, replace(room.state, **changes))

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
