"""Use cases of comments: a phone's comment and "me too", the moderator's queue and highlight."""

from __future__ import annotations

import time

from voting import store as sql
from voting.live import Room
from voting.models import (
    COMMENT_STATUSES,
    PUBLISHED,
    Comment,
    InputError,
    clean_comment,
    is_id,
)
from voting.services.base import COMMENTS_PER_MINUTE, COMMENTS_PER_STATEMENT, Base


class Comments(Base):
    async def add_comment(
        self, room: Room, participant: str, statement_id: object, text: object, name: object
    ) -> Comment:
        """A participant's comment on the current statement: published at once, or held for
        the moderator when the event pre-moderates. The store decides on the committed state
        (comments on, the statement on screen, the participant's limits over every process)
        in the transaction that stores it; memory only turns away what cannot be a statement."""
        if not is_id(statement_id):
            raise InputError("not_current", "This statement is no longer on screen.")
        cleaned, shown_name = clean_comment(text, name)
        comment = await self.writer.submit(
            sql.post_comment, room.event.id, statement_id, participant, shown_name, cleaned,
            time.time(), COMMENTS_PER_MINUTE, COMMENTS_PER_STATEMENT,
        )  # fmt: skip
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
            if status != PUBLISHED:  # off the projector, if the committed state shows it
                await self._update(room, {"highlight": None}, where={"highlight": comment.id})
            self.hub.comments_changed(room)

    async def highlight(self, room: Room, comment_id: object) -> None:
        """Show a comment of the current statement large on the projector (publishing it),
        or, with None, return the projector to the results."""
        async with self._lock(room):
            if comment_id is None:
                await self._update(room, {"highlight": None})
                return
            comment = room.comment(comment_id)
            if comment.statement_id != room.state.statement_id:
                raise InputError("not_current", "Only comments on the current statement can be shown.")
            if comment.status != PUBLISHED:
                await self.writer.submit(sql.set_comment_status, comment.id, PUBLISHED)
                comment.status = PUBLISHED
            await self._update(room, {"highlight": comment.id})
            self.hub.comments_changed(room)

