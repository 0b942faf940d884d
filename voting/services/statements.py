"""Use cases of the moderator on the statement list: add, edit, delete, move, reset, rounds, roles, report."""

from __future__ import annotations

import secrets
from typing import Any

from voting import store as sql
from voting.live import Room
from voting.models import (
    CountError,
    InputError,
    LiveState,
    Statement,
    check_scale,
    clean_statement_text,
    is_id,
)
from voting.pasting import clean_translations, parse_roles, parse_statement_line
from voting.results import Tally
from voting.services.base import MAX_STATEMENTS
from voting.services.undo import Undo
from voting.store import undo as undo_sql


class Statements(Undo):
    async def reset_votes(self, room: Room, statement_id: object) -> dict[str, Any]:
        """Delete the votes of the statement's current round; returns the undo's {id, expires_at}."""
        async with self._lock(room):
            statement = room.statement(statement_id)
            undo = self._undoable(room, "reset", statement)
            statement.ballot = await self.writer.submit(undo_sql.reset_votes, undo, statement.round)
            room.tally(statement).clear()
            self._offer(room, undo)
            self.hub.state_changed(room)
            return undo.reply()

    async def add_statements(self, room: Room, texts: object, scale: object) -> None:
        if not isinstance(texts, list) or not texts:
            raise InputError("invalid_text", "Send at least one statement.")
        # A line may carry its translations, as in the organiser's list: "Tekst | fr: Texte".
        if not all(isinstance(t, str) for t in texts):
            raise InputError("invalid_text", "A statement must be text.")
        lines = [parse_statement_line(t) for t in texts]
        cleaned = [text for text, _ in lines]
        scale = check_scale(scale)
        async with self._lock(room):
            if len(room.statements) + len(cleaned) > MAX_STATEMENTS:
                raise InputError(
                    "too_many", "An event can have at most {limit} statements.", limit=MAX_STATEMENTS
                )
            created = await self.writer.submit(
                sql.insert_statements, room.event.id, cleaned, scale, [other for _, other in lines]
            )
            room.statements.extend(created)
            for statement in created:
                room.tallies[statement.id] = Tally(scale)
            self.hub.state_changed(room)

    async def edit_statement(
        self,
        room: Room,
        statement_id: object,
        text: object,
        scale: object,
        translations: object = None,
        confirm: object = False,
    ) -> None:
        """Change a statement's text, scale or translations. New text on a statement with votes
        needs `confirm` (people voted on the old text) and marks it edited; its translations
        that the same edit leaves as they were are then flagged stale until edited."""
        async with self._lock(room):
            statement = room.statement(statement_id)
            cleaned = clean_statement_text(text)
            other = None if translations is None else clean_translations(translations)
            scale = check_scale(scale if scale is not None else statement.scale)
            rounds = [room.tallies[statement.id]]
            if statement.id in room.second:  # round 2: its votes count too
                rounds.append(room.second[statement.id])
            votes = sum(tally.voters for tally in rounds)
            if scale != statement.scale and votes:
                raise InputError(
                    "has_votes", "This statement has votes: reset them before changing its scale."
                )
            new_text = cleaned != statement.text
            if new_text and votes and confirm is not True:
                raise CountError(
                    "confirm_edit",
                    "This statement has {n} vote: changing the text changes what people voted on."
                    " Send again with confirmation.",
                    "This statement has {n} votes: changing the text changes what people voted on."
                    " Send again with confirmation.",
                    votes,
                )
            edited = statement.edited or (new_text and votes > 0)
            stale = _stale(statement, other, new_text)
            await self.writer.submit(sql.update_statement, statement.id, cleaned, scale, other, edited, stale)
            statement.text, statement.scale = cleaned, scale
            statement.edited, statement.stale = edited, stale
            if other is not None:
                statement.translations = other
            for tally in rounds:
                tally.scale = scale
            self.hub.state_changed(room)

    async def delete_statement(self, room: Room, statement_id: object) -> dict[str, Any]:
        """Delete a statement with its votes and comments; returns the undo's {id, expires_at}."""
        async with self._lock(room):
            statement = room.statement(statement_id)
            remaining = [s for s in room.statements if s.id != statement.id]
            undo = self._undoable(room, "delete", statement)
            state = await self.writer.submit(_delete_statement, undo, [s.id for s in remaining])
            room.statements = remaining
            for position, s in enumerate(remaining):
                s.position = position
            del room.tallies[statement.id]
            room.second.pop(statement.id, None)
            room.comments = {k: c for k, c in room.comments.items() if c.statement_id != statement.id}
            if state is not None:
                room.event.state = state
                self._state_stored(room)
            self._offer(room, undo)
            self.hub.state_changed(room)
            return undo.reply()

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
        """The roles participants pick from (an empty list: nobody is asked), each a name
        with its translations: `"Burgemeester | fr: Bourgmestre"` or {"name", "translations"}.
        Votes keep the name; the translations only change what the screens show."""
        if not isinstance(roles, list):  # parse_roles also splits text, for the CLI and forms
            raise InputError("invalid_roles", "Roles are a list of names.")
        cleaned, translations = parse_roles(roles)
        async with self._lock(room):
            await self.writer.submit(sql.set_roles, room.event.id, cleaned, translations)
            room.event.roles = cleaned
            room.event.role_translations = translations
            self.hub.state_changed(room)

    async def start_round(self, room: Room, statement_id: object) -> None:
        """Vote again on a statement after the discussion: round 2, on screen, voting open."""
        async with self._lock(room):
            statement = room.statement(statement_id)
            if statement.round == 2:
                raise InputError("has_round", "This statement already has a second round.")
            changes = {**sql.moved_to(statement.id), "voting_open": True}
            state = await self.writer.submit(_start_round, room.event.id, statement.id, changes)
            statement.round = 2
            room.second[statement.id] = Tally(statement.scale)
            if state is not None:
                room.event.state = state
                self._state_stored(room)
            self.hub.state_changed(room)

    async def share_report(self, room: Room, shared: bool) -> str | None:
        """Create (or revoke, with False) the report's unguessable share link token."""
        token = secrets.token_urlsafe(24) if shared else None
        await self.writer.submit(sql.set_report_token, room.event.id, token)
        room.event.report_token = token
        return token



def _stale(statement: Statement, translations: dict[str, str] | None, new_text: bool) -> list[str]:
    """The languages whose translation is older than the text: with new text, those the edit
    leaves unchanged; a translation the edit changes is fresh again."""
    after = statement.translations if translations is None else translations
    fresh = {lang for lang, text in after.items() if statement.translations.get(lang) != text}
    stale = set(statement.stale) | (set(after) if new_text else set())
    return sorted(lang for lang in stale - fresh if lang in after)


def _delete_statement(conn: Any, undo: undo_sql.Undoable, remaining: list[int]) -> LiveState | None:
    undo_sql.delete_statement(conn, undo)  # keeps its rows first
    return sql.delete_statement(conn, undo.event_id, undo.statement_id, remaining)


def _start_round(
    conn: Any, event_id: int, statement_id: int, changes: dict[str, object]
) -> LiveState | None:
    sql.set_round(conn, statement_id, 2)
    return sql.update_state(conn, event_id, changes)

