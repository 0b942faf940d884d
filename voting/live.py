"""One event in memory while it runs: its statements, live state and tallies.

The room is loaded once from the store and then changed only by `services`, after the
change is committed. It also builds the payloads each audience sees: phones never get
results while they are hidden from phones, the projector not while hidden from it.
"""

from __future__ import annotations

import time
from typing import Any

from voting.joins import JoinRate
from voting.models import PENDING, PUBLISHED, SCALES, Comment, Event, InputError, Statement, is_id
from voting.pasting import TRANSLATION_LANGUAGES
from voting.privacy import Published, room_split
from voting.results import (
    DEFAULT_ROLE_MINIMUM,
    Tally,
    role_gap,
    role_split,
    round_shift,
    summarize_choices,
    turnout,
)
from voting.steps import next_step
from voting.store import Store
from voting.store import undo as undo_sql
from voting.store.undo import Undoable

PARTICIPANT = "participant"
PROJECTOR = "projector"
MODERATOR = "moderator"
ROLES = (PARTICIPANT, PROJECTOR, MODERATOR)
TICKER_SIZE = 5  # published comments in the projector's ticker
DEFAULT_LANGUAGE = "nl"  # the language statements are written in unless the event says
PHONE_COMMENTS = 50  # the most supported (then newest) comments a phone lists


class Room:
    def __init__(self, event: Event, statements: list[Statement]) -> None:
        self.event = event
        self.statements = statements
        self.tallies: dict[int, Tally] = {s.id: Tally(s.scale) for s in statements}  # round 1
        self.second: dict[int, Tally] = {}  # round 2, for statements that have one
        self.comments: dict[int, Comment] = {}  # by id, in order of arrival
        self.role_of: dict[str, str | None] = {}  # participant → chosen role
        self.answered: set[str] = set()  # participants who chose a role or skipped
        self.role_minimum = DEFAULT_ROLE_MINIMUM
        self.published = Published()  # what the room last saw per role (voting/privacy.py)
        self.joins = JoinRate()  # how fast participants arrive (for the moderator)
        self.tickets: dict[str, str | None] = {}  # ticket holders → the ticket's role
        self.tickets_printed = 0
        self.undo: list[Undoable] = []  # resets and deletions that can be undone, newest first
        # Imported statements moderated out (never shown, never change): for the opinion map
        # only, as (statement id, scale, participant → option).
        self.excluded_votes: tuple[tuple[int, str, dict[str, str]], ...] = ()

    @classmethod
    def load(cls, store: Store, event: Event) -> Room:
        room = cls(event, store.statements(event.id))
        for statement in room.statements:
            if statement.round == 2:
                room.second[statement.id] = Tally(statement.scale)
        for row in store.votes(event.id):
            rounds = room.tallies if row["round"] == 1 else room.second
            rounds[row["statement_id"]].set(row["participant_id"], row["option"])
        for participant, role in store.roles_of(event.id).items():
            room.role_of[participant] = role or None
            if role is not None:
                room.answered.add(participant)
        room.comments = {c.id: c for c in store.comments(event.id)}
        room.tickets = store.ticket_holders(event.id)
        status = store.ticket_status(event.id)
        room.tickets_printed = 0 if status is None else status[1]
        room.undo = undo_sql.offered(store.conn, event.id, time.time())
        room.excluded_votes = store.excluded_votes(event.id)
        return room

    @classmethod
    def read(cls, store: Store, code: str) -> Room | None:
        """The event as committed, or None once it is deleted (any thread: reads only)."""
        event = store.event_by_code(code)
        return None if event is None else cls.load(store, event)

    def refresh(self, store: Store) -> set[str] | None:
        """Reload this room in place from the store (see `adopt`); None: the event is gone."""
        fresh = Room.read(store, self.code)
        return None if fresh is None else self.adopt(fresh)

    def adopt(self, fresh: Room) -> set[str]:
        """Take the committed contents of `fresh` into this object, which sockets and the
        hub hold: what changed, among "state" (event, statements, undo: every screen's
        state), "tally" (votes, roles, tickets) and "comments". Participants it holds that
        this object did not (they joined through another process) count in the join rate,
        so the console's rate is the event's, whichever process it is on."""
        changed: set[str] = set()
        arrived = len(fresh.role_of.keys() - self.role_of.keys())
        if arrived:
            self.joins.join(arrived)
        if (self.event, self.statements, self.undo) != (fresh.event, fresh.statements, fresh.undo):
            changed.add("state")
        if (self.tallies, self.second, self.role_of, self.answered, self.tickets, self.tickets_printed) != (
            fresh.tallies, fresh.second, fresh.role_of, fresh.answered, fresh.tickets, fresh.tickets_printed
        ):  # fmt: skip
            changed.add("tally")
        if self.comments != fresh.comments:
            changed.add("comments")
        self.event, self.statements, self.undo = fresh.event, fresh.statements, fresh.undo
        self.tallies, self.second, self.comments = fresh.tallies, fresh.second, fresh.comments
        self.role_of, self.answered = fresh.role_of, fresh.answered
        self.tickets, self.tickets_printed = fresh.tickets, fresh.tickets_printed
        return changed

    @property
    def code(self) -> str:
        return self.event.code

    @property
    def state(self) -> Any:
        return self.event.state

    def current(self) -> Statement | None:
        sid = self.event.state.statement_id
        return None if sid is None else self.statement(sid)

    def statement(self, statement_id: object) -> Statement:
        if is_id(statement_id):  # `true` and `1.0` compare equal to statement 1
            for statement in self.statements:
                if statement.id == statement_id:
                    return statement
        raise InputError(
            "unknown_statement", "There is no statement {statement_id!r} here.", statement_id=statement_id
        )

    def check_ticket(self, participant: str, changing_role: bool = False) -> None:
        """Refuse a participant without a redeemed ticket while the event requires tickets,
        and a change of the role that came with a ticket."""
        if self.event.tickets and participant not in self.tickets:
            raise InputError(
                "ticket_required", "This event needs an attendance ticket: enter the code on your ticket."
            )
        if changing_role and self.tickets.get(participant) is not None:
            raise InputError("role_from_ticket", "Your role comes with your ticket and cannot be changed.")

    def index_of(self, statement_id: int | None) -> int | None:
        for index, statement in enumerate(self.statements):
            if statement.id == statement_id:
                return index
        return None

    def comment(self, comment_id: object) -> Comment:
        comment = None
        # bool is an int to Python: JSON `true` must not stand for comment 1.
        if isinstance(comment_id, int) and not isinstance(comment_id, bool):
            comment = self.comments.get(comment_id)
        if comment is None:
            raise InputError(
                "unknown_comment", "There is no comment {comment_id!r} here.", comment_id=comment_id
            )
        return comment

    def comments_on(self, statement_id: int | None, *statuses: str) -> list[Comment]:
        return [
            c
            for c in self.comments.values()
            if c.statement_id == statement_id and (not statuses or c.status in statuses)
        ]

    def comments_of(self, participant: str) -> list[dict[str, Any]]:
        """A participant's own comments (with their status) and what they support."""
        return [
            {**c.public(), "status": c.status} for c in self.comments.values() if c.participant == participant
        ]

    def supported_by(self, participant: str) -> list[int]:
        return [c.id for c in self.comments.values() if participant in c.supporters]

    def tally(self, statement: Statement) -> Tally:
        """The tally of the statement's current round."""
        return self.second[statement.id] if statement.round == 2 else self.tallies[statement.id]

    def vote_rounds(self, votes: dict[str, str]) -> dict[str, int]:
        """The round each of votes_of()'s votes belongs to (the statement's current round)."""
        return {key: self.statement(int(key)).round for key in votes}

    def votes_of(self, participant: str) -> dict[str, str]:
        """The participant's vote per statement in its current round (ids as JSON keys)."""
        mine = {}
        for statement in self.statements:
            option = self.tally(statement).choices.get(participant)
            if option is not None:
                mine[str(statement.id)] = option
        return mine

    # -- payloads ---------------------------------------------------------------------------

    def state_payload(self, role: str, presenter: bool = False) -> dict[str, Any]:
        """What `role` sees of the room; `presenter`: this projector may drive the evening."""
        state = self.event.state
        current = self.current()
        payload: dict[str, Any] = {
            "type": "state",
            "server_time": round(time.time(), 3),
            "event": {"code": self.code, "title": self.event.title},
            "statement": None if current is None else current.public(),
            "index": self.index_of(state.statement_id),
            "count": len(self.statements),
            "voting": state.voting_open,
            "results_projector": state.results_projector,
            "results_phones": state.results_phones,
            "comments": state.comments,
            "premoderation": state.premoderation,
            "ticker": state.ticker,
            "highlight": self.highlighted(),
            "by_role": state.by_role,
            "show_qr": state.show_qr,
            "show_map": state.show_map,
            "high_contrast": state.high_contrast,
            "second_language": state.second_language,
            "roles": self.event.roles,
            "role_labels": self.event.role_labels(),  # role → language → name, for display
            "tickets": self.event.tickets,
            "blank": state.blank,
            "ended": state.ended,
            "countdown": state.countdown(),
            "end": self.end_payload(),
        }
        if role in (PROJECTOR, MODERATOR):
            payload["presenter"] = presenter or role == MODERATOR
        if role == MODERATOR:
            payload["auto_open"] = state.auto_open
            payload["can_advance"] = next_step(self)
            payload["statements"] = [self.statement_entry(s) for s in self.statements]
            payload["undo"] = self.undo_payload()
        return payload

    def undo_payload(self) -> list[dict[str, Any]]:
        """What the moderator can still undo, newest first (a reset only while its statement
        is there: undoing the deletion brings it back)."""
        now, present = time.time(), {s.id for s in self.statements}
        return [
            u.listing() for u in self.undo
            if u.expires_at > now and (u.action == "delete" or u.statement_id in present)
        ]  # fmt: skip

    def welcome(self, role: str, participant: str | None) -> dict[str, Any]:
        """The first frame a page gets: for a phone, its own votes, comments and role."""
        welcome: dict[str, Any] = {"type": "welcome", "role": role}
        if participant is not None:
            welcome["votes"] = self.votes_of(participant)
            welcome["vote_rounds"] = self.vote_rounds(welcome["votes"])
            welcome["my_comments"] = self.comments_of(participant)
            welcome["supported"] = self.supported_by(participant)
            welcome["my_role"] = self.role_of.get(participant)
            welcome["role_asked"] = participant in self.answered
            welcome["ticket"] = participant in self.tickets  # a redeemed attendance ticket
            welcome["role_locked"] = self.tickets.get(participant) is not None
        return welcome

    def statement_entry(self, statement: Statement) -> dict[str, Any]:
        """A statement as the moderator's list shows it."""
        language = getattr(self.event, "language", None) or DEFAULT_LANGUAGE
        missing = [
            lang for lang in TRANSLATION_LANGUAGES
            if lang != language and lang not in statement.translations
        ]  # fmt: skip
        return {
            **statement.public(),
            **self.statement_figures(statement),
            "comments": len(self.comments_on(statement.id)),
            "stale": statement.stale,
            "missing": missing,
        }

    def end_payload(self) -> dict[str, Any] | None:
        """The end screen's figures while it is on: who took part, where the report is."""
        if not self.event.state.ended:
            return None
        voted: set[str] = set()
        for tallies in (self.tallies, self.second):
            for tally in tallies.values():
                voted.update(tally.choices)
        token = self.event.report_token
        return {"participants": len(voted), "report": None if token is None else f"/r/{token}"}

    def highlighted(self) -> dict[str, Any] | None:
        comment = self.comments.get(self.event.state.highlight or -1)
        return None if comment is None else comment.public()

    def comments_payload(self, role: str) -> dict[str, Any]:
        """The current statement's comments as `role` may see them: everything for the
        moderator (with pending counts per statement), published ones for the others."""
        sid = self.event.state.statement_id
        payload: dict[str, Any] = {"type": "comments", "statement": sid}
        if role == MODERATOR:
            payload["items"] = [c.for_moderator() for c in self.comments_on(sid)]
            pending: dict[str, int] = {}
            for c in self.comments.values():
                if c.status == PENDING:
                    pending[str(c.statement_id)] = pending.get(str(c.statement_id), 0) + 1
            payload["pending"] = pending
            return payload
        published = self.comments_on(sid, PUBLISHED)
        if role == PROJECTOR:
            payload["items"] = [c.public() for c in published[-TICKER_SIZE:]]
            payload["highlight"] = self.highlighted()
        else:  # phones: most supported first, then newest
            published.sort(key=lambda c: (-len(c.supporters), -c.id))
            payload["items"] = [c.public() for c in published[:PHONE_COMMENTS]]
        return payload

    def results_visible(self, role: str) -> bool:
        if role == MODERATOR:
            return True
        if role == PROJECTOR:
            return self.event.state.results_projector
        return self.event.state.results_phones

    def tally_payload(self, role: str, connected: int) -> dict[str, Any] | None:
        """The live figures of the current statement as `role` may see them."""
        current = self.current()
        if role == PARTICIPANT and not self.results_visible(role):
            return None
        tally = None if current is None else self.tally(current)
        payload: dict[str, Any] = {
            "type": "tally",
            "statement": None if current is None else current.id,
            "round": 1 if current is None else current.round,
            "connected": connected,
            "joined": len(self.role_of),  # every participant of the event, connected or not
            "voters": 0 if tally is None else tally.voters,
            "results": None,
        }
        if role == MODERATOR:
            payload["joins"] = self.joins.figures()
        if role == MODERATOR and (self.tickets_printed or self.event.tickets):
            payload["tickets"] = {"printed": self.tickets_printed, "redeemed": len(self.tickets)}
        if current is None or tally is None or not self.results_visible(role):
            return payload
        if role != MODERATOR and self.event.roles:
            return self._room_figures(payload, current, tally, by_role=role == PROJECTOR)
        payload["results"] = tally.summary()
        scale = SCALES[current.scale]
        if current.round == 2:
            first = self.tallies[current.id]
            payload["first"] = first.summary()
            payload["shift"] = round_shift(scale, first.choices, tally.choices)
        if self.event.roles and role == MODERATOR:  # exact, with small groups: not for the room
            roles, minimum = self.event.roles, self.role_minimum
            split = role_split(scale, tally.choices, self.role_of, roles, minimum, include_small=True)
            payload["by_role"] = [{**entry, "private": True} for entry in split]
            payload["turnout"] = turnout(self.role_of, tally.choices, roles)
            payload["gap"] = role_gap(split, minimum)
        return payload

    def _room_figures(
        self, payload: dict[str, Any], current: Statement, tally: Tally, by_role: bool
    ) -> dict[str, Any]:
        """The results as the room (projector, phones) may see them when the event has roles:
        from the votes published under voting/privacy.py's rules, with the split as
        privacy.room_split() (the projector's "by role" view)."""
        scale, roles, minimum = SCALES[current.scale], self.event.roles, self.role_minimum
        final = not self.event.state.voting_open
        shown = self.published.votes(
            (current.id, current.round), scale, tally.choices, self.role_of, roles, minimum, final
        )
        payload["results"] = summarize_choices(scale, shown)
        if current.round == 2:
            first = self.tallies[current.id]  # round 1 is closed: its votes are all published
            payload["first"] = first.summary()
            payload["shift"] = round_shift(scale, first.choices, shown)
        if by_role and self.event.state.by_role:
            payload["by_role"] = room_split(scale, shown, self.role_of, roles, minimum)
        return payload

    def statement_figures(self, statement: Statement) -> dict[str, Any]:
        """What the moderator sorts the statement list by."""
        tally = self.tally(statement)
        summary = tally.summary()
        gap = None
        if self.event.roles:
            split = role_split(
                SCALES[statement.scale],
                tally.choices,
                self.role_of,
                self.event.roles,
                self.role_minimum,
                include_small=True,
            )
            gap = role_gap(split, self.role_minimum)
        return {
            "voters": tally.voters,
            "consensus": summary["consensus"],
            "polarisation": summary["polarisation"],
            "gap": None if gap is None else gap["mean_gap"],
        }

