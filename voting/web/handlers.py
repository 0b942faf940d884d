"""The WebSocket messages a page may send, and what each does (see docs/protocol.md).

Each handler takes the socket's `Session` and the message, calls the services, and returns
the reply (or raises InputError, which the endpoint sends back as an `error` frame).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from voting import tickets
from voting.i18n import Translate
from voting.live import MODERATOR, PARTICIPANT, ROLES, Room
from voting.models import InputError
from voting.realtime.hub import Client
from voting.services import Voting


@dataclass
class Session:
    """One connected page: what it may do and where replies go."""

    voting: Voting
    room: Room
    client: Client
    translate: Translate  # in the page's language

    def reply(self, payload: dict[str, Any]) -> None:
        self.client.send(payload)

    def refuse(self, problem: InputError, ref: object = None) -> None:
        """Tell this page why its message changed nothing, in its own language."""
        self.client.send(error(problem.code, problem.in_language(self.translate), ref))


Handler = Callable[[Session, dict[str, Any]], Awaitable[dict[str, Any] | None]]


def error(code: str, message: str, ref: object = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        payload["ref"] = ref
    return payload


# -- handlers --------------------------------------------------------------------------------

OK: dict[str, Any] = {"type": "ok"}


async def _ping(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "pong"}


async def _vote(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    participant = session.client.participant
    assert participant is not None
    statement, option = data.get("statement"), data.get("option")
    await session.voting.cast_vote(session.room, participant, statement, option)
    return {"type": "ack", "statement": statement, "option": option}


async def _comment(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    participant = session.client.participant
    assert participant is not None
    comment = await session.voting.add_comment(
        session.room, participant, data.get("statement"), data.get("text"), data.get("name")
    )
    return {"type": "comment.ack", "comment": {**comment.public(), "status": comment.status}}


async def _support(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    participant = session.client.participant
    assert participant is not None
    comment = await session.voting.support(session.room, participant, data.get("comment"), data.get("on"))
    return {
        "type": "support.ack",
        "comment": comment.id,
        "on": data["on"],
        "support": len(comment.supporters),
    }


async def _comment_status(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.moderate_comment(session.room, data.get("comment"), data.get("status"))
    return OK


async def _highlight(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.highlight(session.room, data.get("comment"))
    return OK


async def _settings(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    settings = {k: v for k, v in data.items() if k not in ("type", "id")}
    await session.voting.settings(session.room, settings)
    return OK


async def _role(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    participant = session.client.participant
    assert participant is not None
    await session.voting.set_role(session.room, participant, data.get("role"))
    return {"type": "role.ack", "role": data.get("role")}


async def _roles(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.set_roles(session.room, data.get("roles"))
    return OK


async def _tickets(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await tickets.set_required(session.voting, session.room, data.get("required"))
    return OK


async def _round(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.start_round(session.room, data.get("statement"))
    return OK


async def _goto(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    target = data.get("statement")
    if target is not None and not isinstance(target, int):
        raise InputError("unknown_statement", "There is no statement {target!r} here.", target=target)
    await session.voting.goto(session.room, target)
    return OK


async def _next(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.step(session.room, +1)
    return OK


async def _previous(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.step(session.room, -1)
    return OK


async def _advance(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    return {**OK, "did": await session.voting.advance(session.room)}


async def _back(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.back(session.room)
    return OK


async def _countdown(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    if "seconds" not in data:
        raise InputError("invalid_value", 'Send "seconds" (5 to 3600), or null to stop.')
    await session.voting.countdown(session.room, data["seconds"])
    return OK


async def _end(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.set_end(session.room, data.get("on"))
    return OK


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise InputError(
            "invalid_value", '"{name}" must be true or false, not {value!r}.', name=name, value=value
        )
    return value


async def _voting(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.set_voting(session.room, _flag(data, "open"))
    return OK


async def _results(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.set_results(session.room, str(data.get("target")), _flag(data, "shown"))
    return OK


async def _reset(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    return {**OK, "undo": await session.voting.reset_votes(session.room, data.get("statement"))}


async def _undo(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.undo(session.room, data.get("undo"))
    return OK


async def _add(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.add_statements(session.room, data.get("texts"), data.get("scale", "likert5"))
    return OK


async def _edit(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.edit_statement(
        session.room, data.get("statement"), data.get("text"), data.get("scale"), data.get("translations"),
        data.get("confirm", False),
    )
    return OK


async def _delete(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    return {**OK, "undo": await session.voting.delete_statement(session.room, data.get("statement"))}


async def _move(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    await session.voting.move_statement(session.room, data.get("statement"), data.get("position"))
    return OK


EVERYONE = ROLES
PRESENTER = "presenter"  # a projector opened by the event's moderator (see sockets._may_send)
HANDLERS: dict[str, tuple[Handler, tuple[str, ...]]] = {
    "ping": (_ping, EVERYONE),
    "vote": (_vote, (PARTICIPANT,)),
    "comment": (_comment, (PARTICIPANT,)),
    "support": (_support, (PARTICIPANT,)),
    "comment.status": (_comment_status, (MODERATOR,)),
    "highlight": (_highlight, (MODERATOR,)),
    "settings": (_settings, (MODERATOR, PRESENTER)),
    "role": (_role, (PARTICIPANT,)),
    "roles": (_roles, (MODERATOR,)),
    "round": (_round, (MODERATOR,)),
    "tickets": (_tickets, (MODERATOR,)),
    "goto": (_goto, (MODERATOR,)),
    "next": (_next, (MODERATOR, PRESENTER)),
    "prev": (_previous, (MODERATOR, PRESENTER)),
    "advance": (_advance, (MODERATOR, PRESENTER)),
    "back": (_back, (MODERATOR, PRESENTER)),
    "end": (_end, (MODERATOR,)),
    "countdown": (_countdown, (MODERATOR,)),
    "voting": (_voting, (MODERATOR,)),
    "results": (_results, (MODERATOR,)),
    "reset": (_reset, (MODERATOR,)),
    "undo": (_undo, (MODERATOR,)),
    "statement.add": (_add, (MODERATOR,)),
    "statement.edit": (_edit, (MODERATOR,)),
    "statement.delete": (_delete, (MODERATOR,)),
    "statement.move": (_move, (MODERATOR,)),
}
