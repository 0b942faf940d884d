"""Comments through the real app: submit, limits, support, moderation, safety, durability, export.

Comment lists reach the screens as coalesced `comments` frames on the hub's clock (0.1 s
for moderator and projector, 0.5 s for phones), so the tests wait for the frame that
matches rather than assume an order.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import Env, moderate, new_phone
from tests.test_sockets import connect, receive_until, statement_ids
from voting.cli import main
from voting.models import Comment, LiveState
from voting.services import comments as services  # its clock and its limits
from voting.store import Store
from voting.web import guards

pytestmark = pytest.mark.both_databases  # the WebSocket contract on SQLite and PostgreSQL (conftest)

Message = dict[str, Any]
LIMIT = 200  # frames to skip while waiting for a particular one

_refs = itertools.count(1000)


# -- helpers ----------------------------------------------------------------------------------


def exchange(ws: Any, message: Message) -> tuple[Message, list[Message]]:
    """Send a message with a fresh id; its reply (without "ref") and the frames before it."""
    ref = next(_refs)
    ws.send_json({**message, "id": ref})
    before: list[Message] = []
    for _ in range(LIMIT):
        reply: Message = ws.receive_json()
        if reply.get("ref") == ref:
            del reply["ref"]
            return reply, before
        before.append(reply)
    raise AssertionError(f"no reply to {message}")


def ask(ws: Any, message: Message) -> Message:
    return exchange(ws, message)[0]


def say(ws: Any, statement: object, text: object, name: object = None) -> Message:
    message: Message = {"type": "comment", "statement": statement, "text": text}
    if name is not None:
        message["name"] = name
    return ask(ws, message)


def frames_until(ws: Any, kind: str, test: Callable[[Message], bool]) -> list[Message]:
    """Every frame of `kind` received up to and including the first that passes `test`."""
    seen: list[Message] = []
    for _ in range(LIMIT):
        message: Message = ws.receive_json()
        if message["type"] == kind:
            seen.append(message)
            if test(message):
                return seen
    raise AssertionError(f"no matching {kind} frame in {LIMIT} messages; last: {seen[-1:]}")


def receive_where(ws: Any, kind: str, test: Callable[[Message], bool]) -> Message:
    return frames_until(ws, kind, test)[-1]


def ids(frame: Message) -> list[int]:
    return [item["id"] for item in frame["items"]]


def listing(*expected: int) -> Callable[[Message], bool]:
    return lambda frame: ids(frame) == list(expected)


def supported(count: int) -> Callable[[Message], bool]:
    """A list whose first comment has `count` supporters."""
    return lambda frame: bool(frame["items"]) and frame["items"][0]["support"] == count


def stored_comments(env: Env) -> list[Comment]:
    store = Store(env.db)
    try:
        return store.comments(env.event.id)
    finally:
        store.close()


def stored_state(env: Env) -> LiveState:
    store = Store(env.db)
    try:
        found = store.event_by_code(env.event.code)
        assert found is not None
        return found.state
    finally:
        store.close()


def support_rows(env: Env) -> list[tuple[int, str]]:
    store = Store(env.db)
    try:
        rows = store.conn.execute("SELECT comment_id, participant_id FROM supports")
        return sorted((r[0], r[1]) for r in rows)
    finally:
        store.close()


def by_id(env: Env) -> dict[int, Comment]:
    return {c.id: c for c in stored_comments(env)}


@dataclass
class Live:
    """A running event with the first statement on screen, a moderator and a projector."""

    env: Env
    client: TestClient
    stack: ExitStack
    moderator: Any
    projector: Any
    statement: int

    @property
    def code(self) -> str:
        return self.env.event.code

    def new_phone(self) -> dict[str, str]:
        return new_phone(self.client, self.code)

    def phone(self, headers: dict[str, str] | None = None) -> Any:
        """A connected phone (a new participant unless `headers` names one)."""
        return self.connect("participant", headers or self.new_phone())

    def connect(self, role: str, headers: dict[str, str] | None = None) -> Any:
        return self.stack.enter_context(connect(self.client, self.code, role, headers))

    def moderate(self, message: Message) -> list[Message]:
        """A moderator action that must succeed; the frames the console got before the reply."""
        reply, before = exchange(self.moderator, message)
        assert reply == {"type": "ok", **({"undo": reply["undo"]} if "undo" in reply else {})}  # reset/delete
        return before


@contextmanager
def live(env: Env, goto: bool = True) -> Iterator[Live]:
    with env.client() as client, ExitStack() as stack:
        moderate(client, env.event)
        moderator = stack.enter_context(connect(client, env.event.code, "moderator"))
        projector = stack.enter_context(connect(client, env.event.code, "projector"))
        first = statement_ids(env)[0]
        room = Live(env, client, stack, moderator, projector, first)
        if goto:
            room.moderate({"type": "goto", "statement": first})
        yield room


def item(comment: Comment, **changes: Any) -> Message:
    """A comment as the moderator's list shows it."""
    shown: Message = {
        "id": comment.id,
        "statement": comment.statement_id,
        "name": comment.name,
        "text": comment.text,
        "support": len(comment.supporters),
        "status": comment.status,
        "created_at": comment.created_at,
    }
    return {**shown, **changes}


def public(comment: Comment, **changes: Any) -> Message:
    """A comment as phones and the projector see it."""
    shown = item(comment, **changes)
    del shown["status"], shown["created_at"]
    return shown


# -- submit -----------------------------------------------------------------------------------


def test_a_premoderated_comment_reaches_phones_and_projector_only_once_published(env: Env) -> None:
    with live(env) as room:
        first = room.statement
        p1, p2 = room.phone(), room.phone()
        # Voting is closed: commenting is still allowed while the statement is current.
        assert receive_until(p1, "state")["voting"] is False
        ack = say(p1, first, "Eerst preventie, dan handhaving", "Anna")
        a = ack["comment"]["id"]
        assert ack == {
            "type": "comment.ack",
            "comment": {
                "id": a, "statement": first, "name": "Anna",
                "text": "Eerst preventie, dan handhaving", "support": 0, "status": "pending",
            },
        }  # fmt: skip
        b = say(p2, first, "Zonder budget lukt het niet")["comment"]["id"]
        stored = by_id(env)
        assert [(c.text, c.name, c.status) for c in stored.values()] == [
            ("Eerst preventie, dan handhaving", "Anna", "pending"),
            ("Zonder budget lukt het niet", None, "pending"),
        ]
        queue = receive_where(room.moderator, "comments", listing(a, b))
        assert queue == {
            "type": "comments",
            "statement": first,
            "items": [item(stored[a]), item(stored[b])],
            "pending": {str(first): 2},
        }
        # Screens that connect now get the list without the pending comments.
        late_phone = room.phone()
        assert receive_until(late_phone, "comments") == {"type": "comments", "statement": first, "items": []}
        late_projector = room.connect("projector")
        assert receive_until(late_projector, "comments") == {
            "type": "comments", "statement": first, "items": [], "highlight": None,
        }  # fmt: skip

        room.moderate({"type": "comment.status", "comment": a, "status": "published"})
        for screen in (p1, p2, late_phone, room.projector, late_projector):
            seen = frames_until(screen, "comments", lambda f: a in ids(f))
            assert all(b not in ids(f) for f in seen)  # b is still waiting
            assert seen[-1]["items"] == [public(stored[a])]
        queue = receive_where(room.moderator, "comments", lambda f: f["pending"] == {str(first): 1})
        assert queue["items"] == [item(stored[a], status="published"), item(stored[b])]

        room.moderate({"type": "comment.status", "comment": b, "status": "published"})
        for phone in (p1, p2, late_phone):  # newest first (no support yet)
            assert receive_where(phone, "comments", lambda f: b in ids(f))["items"] == [
                public(stored[b]), public(stored[a]),
            ]  # fmt: skip
        for projector in (room.projector, late_projector):  # the ticker: in order of arrival
            assert ids(receive_where(projector, "comments", lambda f: b in ids(f))) == [a, b]
        assert receive_where(room.moderator, "comments", lambda f: f["pending"] == {})["items"] == [
            item(stored[a], status="published"), item(stored[b], status="published"),
        ]  # fmt: skip
    assert {c.id: c.status for c in stored_comments(env)} == {a: "published", b: "published"}


def test_without_premoderation_a_comment_is_published_at_once(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        before = room.moderate({"type": "settings", "premoderation": False})
        states = [f for f in before if f["type"] == "state"]
        for screen in (phone, room.projector):
            states.append(receive_until(screen, "state", premoderation=False))
        for state in states:
            assert (state["comments"], state["premoderation"], state["ticker"]) == (True, False, False)
        ack = say(phone, room.statement, "Meteen zichtbaar")
        c = ack["comment"]["id"]
        assert ack["comment"]["status"] == "published"
        [stored] = stored_comments(env)
        assert (stored.id, stored.status) == (c, "published")
        for screen in (phone, room.projector):
            assert receive_where(screen, "comments", lambda f: c in ids(f))["items"] == [public(stored)]
        queue = receive_where(room.moderator, "comments", lambda f: c in ids(f))
        assert queue["items"] == [item(stored)]
        assert queue["pending"] == {}
    assert stored_state(env).premoderation is False


def test_with_comments_switched_off_nothing_is_accepted(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        room.moderate({"type": "settings", "comments": False})
        assert receive_until(phone, "state", comments=False)["premoderation"] is True
        error = say(phone, room.statement, "Mag dit?")
        assert error["type"] == "error" and error["code"] == "comments_off" and error["message"]
        assert stored_comments(env) == []
        assert stored_state(env).comments is False
        room.moderate({"type": "settings", "comments": True})
        assert say(phone, room.statement, "Nu wel")["type"] == "comment.ack"
    assert [c.text for c in stored_comments(env)] == ["Nu wel"]


def test_a_comment_on_a_statement_that_is_not_current_is_refused(env: Env) -> None:
    first, second, _ = statement_ids(env)
    with live(env, goto=False) as room:
        phone = room.phone()
        assert say(phone, first, "Nog niets op het scherm")["code"] == "not_current"
        room.moderate({"type": "goto", "statement": first})
        assert say(phone, second, "Te vroeg")["code"] == "not_current"
        assert say(phone, str(first), "Tekst als id")["code"] == "not_current"
        assert say(phone, None, "Zonder statement")["code"] == "not_current"
    assert stored_comments(env) == []


# -- limits and bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("", None, "empty_comment"),
        ("   \n\t  ", None, "empty_comment"),
        ("\u200b\u202e\ufeff\x00", None, "empty_comment"),  # only invisible characters
        ("x" * 281, None, "comment_too_long"),
        (" " + "é" * 281 + " ", None, "comment_too_long"),
        (42, None, "invalid_comment"),
        (None, None, "invalid_comment"),
        (["a list"], None, "invalid_comment"),
        ({"html": "<b>"}, None, "invalid_comment"),
        ("Goed punt", 7, "invalid_name"),
    ],
)
def test_bad_comments_are_refused_and_not_stored(env: Env, text: object, name: object, code: str) -> None:
    with live(env) as room:
        phone = room.phone()
        message: Message = {"type": "comment", "statement": room.statement, "text": text}
        if name is not None:
            message["name"] = name
        error = ask(phone, message)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        assert ask(phone, {"type": "ping"}) == {"type": "pong"}  # the connection stays usable
    assert stored_comments(env) == []


def test_a_10000_character_paste_is_refused_before_it_is_parsed(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        phone.send_json({"type": "comment", "statement": room.statement, "text": "<b>é</b>" * 1250})
        error = receive_until(phone, "error")  # refused before parsing: no "ref"
        assert error["code"] == "too_large" and error["message"]
    assert stored_comments(env) == []


def test_exactly_280_characters_are_accepted(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        assert say(phone, room.statement, "x" * 280)["comment"]["text"] == "x" * 280
        # Surrounding whitespace does not count.
        assert say(phone, room.statement, "  " + "y" * 280 + "\n")["comment"]["text"] == "y" * 280
    assert [len(c.text) for c in stored_comments(env)] == [280, 280]


def test_the_name_is_cut_to_40_characters_and_blank_names_are_anonymous(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        assert say(phone, room.statement, "Een", "N" * 50)["comment"]["name"] == "N" * 40
        assert say(phone, room.statement, "Twee", "   ")["comment"]["name"] is None
        assert say(phone, room.statement, "Drie", "")["comment"]["name"] is None
        assert say(phone, room.statement, "Vier", "  Burgemeester  Jansen ")["comment"]["name"] == (
            "Burgemeester Jansen"
        )
        # Cut at a space: no trailing space is kept.
        assert say(phone, room.statement, "Vijf", "A" * 39 + " Bob")["comment"]["name"] == "A" * 39
    assert [c.name for c in stored_comments(env)] == [
        "N" * 40, None, None, "Burgemeester Jansen", "A" * 39,
    ]  # fmt: skip


def test_bidi_zero_width_and_control_characters_are_stripped(env: Env) -> None:
    text = "Stop\u202e evil\u200b zero\ufeffwidth\x00\x07 bell\nnew\u2066line\u200f\x1b[31m"
    name = "\u202eAnna\u200b\x1b\u2069"
    with live(env) as room:
        phone = room.phone()
        ack = say(phone, room.statement, text, name)
        assert ack["comment"]["text"] == "Stop evil zerowidth bell newline[31m"
        assert ack["comment"]["name"] == "Anna"
        queue = receive_where(room.moderator, "comments", lambda f: bool(f["items"]))
        assert (queue["items"][0]["text"], queue["items"][0]["name"]) == (
            "Stop evil zerowidth bell newline[31m", "Anna",
        )  # fmt: skip
    [stored] = stored_comments(env)
    assert (stored.text, stored.name) == ("Stop evil zerowidth bell newline[31m", "Anna")


def test_lone_surrogates_are_stripped_and_do_not_break_the_connection(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        raw = '{"type": "comment", "statement": %d, "text": "half \\ud800 pair\\udfff", "name": "\\ud83d"'
        phone.send_text(raw % room.statement + ', "id": 5}')
        ack = receive_until(phone, "comment.ack", ref=5)
        assert (ack["comment"]["text"], ack["comment"]["name"]) == ("half pair", None)
        assert ask(phone, {"type": "ping"}) == {"type": "pong"}
        assert receive_where(room.moderator, "comments", lambda f: bool(f["items"]))["items"][0]["text"] == (
            "half pair"
        )
    assert [c.text for c in stored_comments(env)] == ["half pair"]


class FakeClock:
    """The wall clock the comment limits read (comments are stored with its time)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now


def test_a_sixth_comment_within_a_minute_is_too_fast(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(services, "time", clock)
    with live(env) as room:
        phone = room.phone()
        for number in range(5):
            assert say(phone, room.statement, f"Punt {number}")["type"] == "comment.ack"
            clock.now += 10
        error = say(phone, room.statement, "Punt 5")
        assert error["type"] == "error" and error["code"] == "comments_too_fast" and error["message"]
        assert len(stored_comments(env)) == 5
        # Another participant is not held back.
        assert say(room.phone(), room.statement, "Ander")["type"] == "comment.ack"
        # A minute after the first comment, one more fits.
        clock.now += 11
        assert say(phone, room.statement, "Punt 6")["type"] == "comment.ack"
        assert say(phone, room.statement, "Punt 7")["code"] == "comments_too_fast"
    assert [c.text for c in stored_comments(env)] == [
        "Punt 0", "Punt 1", "Punt 2", "Punt 3", "Punt 4", "Ander", "Punt 6",
    ]  # fmt: skip


def test_twenty_comments_per_statement_per_participant(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "COMMENTS_PER_MINUTE", 1000)
    monkeypatch.setattr(guards, "PARTICIPANT_BURST", 1000)  # 22 messages in a row
    with live(env) as room:
        headers = room.new_phone()
        # Two connections of the same phone: the limit counts the participant, not the socket.
        for batch in range(2):
            with connect(room.client, room.code, "participant", headers) as phone:
                for number in range(10):
                    assert say(phone, room.statement, f"{batch}-{number}")["type"] == "comment.ack"
        phone = room.phone(headers)
        error = say(phone, room.statement, "21")
        assert error["type"] == "error" and error["code"] == "too_many_comments" and error["message"]
        assert len(stored_comments(env)) == 20
        # Another participant, and the same one on the next statement, can still comment.
        assert say(room.phone(), room.statement, "Ander")["type"] == "comment.ack"
        room.moderate({"type": "next"})
        second = statement_ids(env)[1]
        assert say(phone, second, "Volgende")["type"] == "comment.ack"
    stored = stored_comments(env)
    assert len(stored) == 22
    assert [c.text for c in stored if c.statement_id == second] == ["Volgende"]


def test_limits_hold_across_two_connections_of_one_participant(env: Env) -> None:
    with live(env) as room:
        headers = room.new_phone()
        one, two = room.phone(headers), room.phone(headers)
        for number in range(4):  # interleaved, without waiting for the replies
            for ws in (one, two):
                ws.send_json({"type": "comment", "statement": room.statement, "text": f"x{number}"})
        replies = [_reply(ws) for ws in (one, two) for _ in range(4)]
        assert replies.count("comment.ack") == 5
        assert replies.count("comments_too_fast") == 3
    assert len(stored_comments(env)) == 5


def _reply(ws: Any) -> str:
    """The next reply to a message: "comment.ack", or an error's code."""
    for _ in range(LIMIT):
        message: Message = ws.receive_json()
        if message["type"] == "comment.ack":
            return "comment.ack"
        if message["type"] == "error":
            return str(message["code"])
    raise AssertionError("no reply")


# -- support ----------------------------------------------------------------------------------


def test_support_once_per_participant_and_withdraw(env: Env) -> None:
    with live(env) as room:
        room.moderate({"type": "settings", "premoderation": False})
        author_headers, fan_headers = room.new_phone(), room.new_phone()
        author, fan, other = room.phone(author_headers), room.phone(fan_headers), room.phone()
        c = say(author, room.statement, "Steun mij")["comment"]["id"]
        for _ in range(2):  # twice: still one
            assert ask(fan, {"type": "support", "comment": c, "on": True}) == {
                "type": "support.ack", "comment": c, "on": True, "support": 1,
            }  # fmt: skip
        assert [row[0] for row in support_rows(env)] == [c]
        assert ask(other, {"type": "support", "comment": c, "on": True})["support"] == 2
        assert len({row[1] for row in support_rows(env)}) == 2
        for screen in (author, fan, other, room.projector):
            assert ids(receive_where(screen, "comments", supported(2))) == [c]
        assert ids(receive_where(room.moderator, "comments", supported(2))) == [c]
        # A reconnecting phone learns what it supports.
        with connect(room.client, room.code, "participant", fan_headers) as again:
            welcome = again.receive_json()
            assert welcome["supported"] == [c]
            assert welcome["my_comments"] == []
        with connect(room.client, room.code, "participant", author_headers) as again:
            welcome = again.receive_json()
            assert welcome["supported"] == []
            assert welcome["my_comments"] == [
                {"id": c, "statement": room.statement, "name": None, "text": "Steun mij", "support": 2,
                 "status": "published"},
            ]
        # Withdrawn (twice: still withdrawn once).
        for _ in range(2):
            assert ask(fan, {"type": "support", "comment": c, "on": False}) == {
                "type": "support.ack", "comment": c, "on": False, "support": 1,
            }  # fmt: skip
        assert len(support_rows(env)) == 1
        receive_where(room.moderator, "comments", supported(1))
        receive_where(fan, "comments", supported(1))
        assert ask(fan, {"type": "support", "comment": c, "on": "yes"})["code"] == "invalid_value"
        assert ask(fan, {"type": "support", "comment": c})["code"] == "invalid_value"
    [stored] = stored_comments(env)
    assert len(stored.supporters) == 1


def test_support_needs_a_published_comment_of_the_current_statement(env: Env) -> None:
    with live(env) as room:
        author, fan = room.phone(), room.phone()
        pending = say(author, room.statement, "Wacht nog")["comment"]["id"]
        hidden = say(author, room.statement, "Verborgen")["comment"]["id"]
        room.moderate({"type": "comment.status", "comment": hidden, "status": "hidden"})
        shown = say(author, room.statement, "Gepubliceerd")["comment"]["id"]
        room.moderate({"type": "comment.status", "comment": shown, "status": "published"})
        for target in (pending, hidden, 999_999, str(shown), None, True):
            error = ask(fan, {"type": "support", "comment": target, "on": True})
            assert error["type"] == "error" and error["code"] == "unknown_comment", target
        assert ask(fan, {"type": "support", "comment": shown, "on": True})["support"] == 1
        room.moderate({"type": "next"})
        assert ask(fan, {"type": "support", "comment": shown, "on": False})["code"] == "unknown_comment"
    assert support_rows(env)[0][0] == shown
    assert len(support_rows(env)) == 1


def test_support_updates_the_highlight_on_the_projector(env: Env) -> None:
    with live(env) as room:
        author, fan = room.phone(), room.phone()
        c = say(author, room.statement, "Op het scherm", "Piet")["comment"]["id"]
        room.moderate({"type": "highlight", "comment": c})
        highlighted = receive_where(room.projector, "state", lambda s: s["highlight"] is not None)
        assert highlighted["highlight"]["support"] == 0
        assert ask(fan, {"type": "support", "comment": c, "on": True})["support"] == 1
        frame = receive_where(room.projector, "comments", lambda f: f["highlight"]["support"] == 1)
        assert frame["highlight"] == {
            "id": c, "statement": room.statement, "name": "Piet", "text": "Op het scherm", "support": 1,
        }
        assert frame["items"] == [frame["highlight"]]


# -- moderation -------------------------------------------------------------------------------


def states_everywhere(
    room: Live, before: list[Message], phones: list[Any], test: Callable[[Message], bool]
) -> list[Message]:
    """The state frame passing `test` on every screen: the console's came before its "ok"."""
    states = [f for f in before if f["type"] == "state" and test(f)]
    assert states, f"no matching state before the reply: {before}"
    for screen in (room.projector, *phones):
        states.append(receive_where(screen, "state", test))
    return states


def test_hiding_keeps_the_comment_but_takes_it_off_phones_and_projector(env: Env) -> None:
    with live(env) as room:
        room.moderate({"type": "settings", "premoderation": False})
        phone = room.phone()
        c = say(phone, room.statement, "Ongepast")["comment"]["id"]
        for screen in (phone, room.projector):
            receive_where(screen, "comments", listing(c))
        room.moderate({"type": "comment.status", "comment": c, "status": "hidden"})
        for screen in (phone, room.projector):
            receive_where(screen, "comments", listing())
        queue = receive_where(room.moderator, "comments", lambda f: f["items"][0]["status"] == "hidden")
        [stored] = stored_comments(env)
        assert (stored.id, stored.status, stored.text) == (c, "hidden", "Ongepast")
        assert queue["items"] == [item(stored)]
        assert queue["pending"] == {}
        # A new projector does not get it either; the moderator can publish it again.
        assert ids(receive_until(room.connect("projector"), "comments")) == []
        room.moderate({"type": "comment.status", "comment": c, "status": "published"})
        receive_where(phone, "comments", listing(c))
        for bad, code in [
            ({"comment": c, "status": "deleted"}, "invalid_status"),
            ({"comment": c}, "invalid_status"),
            ({"comment": 999_999, "status": "hidden"}, "unknown_comment"),
            ({"comment": str(c), "status": "hidden"}, "unknown_comment"),
        ]:
            assert ask(room.moderator, {"type": "comment.status", **bad})["code"] == code
    assert [c.status for c in stored_comments(env)] == ["published"]


def test_highlight_replace_clear_and_hide(env: Env) -> None:
    with live(env) as room:
        p1, p2 = room.phone(), room.phone()
        a = say(p1, room.statement, "Eerste gedachte", "Anna")["comment"]["id"]
        b = say(p2, room.statement, "Tweede gedachte")["comment"]["id"]
        # Highlighting a pending comment publishes it and puts it on every screen.
        before = room.moderate({"type": "highlight", "comment": a})
        expected_a = {
            "id": a, "statement": room.statement, "name": "Anna", "text": "Eerste gedachte", "support": 0,
        }  # fmt: skip
        for state in states_everywhere(room, before, [p1, p2], lambda s: s["highlight"] is not None):
            assert state["highlight"] == expected_a
        assert by_id(env)[a].status == "published"
        assert by_id(env)[b].status == "pending"
        assert stored_state(env).highlight == a
        for phone in (p1, p2):
            assert ids(receive_where(phone, "comments", lambda f: a in ids(f))) == [a]
        assert receive_where(room.projector, "comments", lambda f: a in ids(f))["highlight"] == expected_a
        # Only one at a time: highlighting another replaces it.
        before = room.moderate({"type": "highlight", "comment": b})
        showing_b: Callable[[Message], bool] = lambda s: (s["highlight"] or {}).get("id") == b  # noqa: E731
        for state in states_everywhere(room, before, [p1, p2], showing_b):
            assert state["highlight"] == {
                "id": b, "statement": room.statement, "name": None, "text": "Tweede gedachte", "support": 0,
            }
        assert stored_state(env).highlight == b
        assert by_id(env)[b].status == "published"
        # None returns the projector to the results.
        before = room.moderate({"type": "highlight", "comment": None})
        states_everywhere(room, before, [p1, p2], lambda s: s["highlight"] is None)
        assert stored_state(env).highlight is None
        assert {c.status for c in stored_comments(env)} == {"published"}  # both stay published
        # Hiding the highlighted comment takes it off the screen.
        room.moderate({"type": "highlight", "comment": a})
        before = room.moderate({"type": "comment.status", "comment": a, "status": "hidden"})
        states_everywhere(room, before, [p1, p2], lambda s: s["highlight"] is None)
        assert receive_where(room.projector, "comments", listing(b))["highlight"] is None
        assert stored_state(env).highlight is None
        assert by_id(env)[a].status == "hidden"
        # Sending it back to the queue (pending) does too.
        room.moderate({"type": "highlight", "comment": b})
        before = room.moderate({"type": "comment.status", "comment": b, "status": "pending"})
        states_everywhere(room, before, [p1, p2], lambda s: s["highlight"] is None)
        assert stored_state(env).highlight is None
        assert ask(room.moderator, {"type": "highlight", "comment": 999_999})["code"] == "unknown_comment"
        assert ask(room.moderator, {"type": "highlight", "comment": str(b)})["code"] == "unknown_comment"


def test_moving_on_clears_the_highlight_but_keeps_the_comment_settings(env: Env) -> None:
    first, second, _ = statement_ids(env)
    with live(env) as room:
        phone = room.phone()
        c = say(phone, first, "Over de eerste")["comment"]["id"]
        room.moderate({"type": "settings", "premoderation": False, "ticker": True})
        room.moderate({"type": "highlight", "comment": c})
        before = room.moderate({"type": "next"})
        for state in states_everywhere(room, before, [phone], lambda s: s["index"] == 1):
            assert state["statement"]["id"] == second
            assert state["highlight"] is None
            assert (state["comments"], state["premoderation"], state["ticker"]) == (True, False, True)
        assert stored_state(env) == LiveState(
            statement_id=second, highlight=None, ticker=True, comments=True, premoderation=False
        )
        # The new statement starts with an empty list; the old comment stays published.
        assert receive_where(phone, "comments", lambda f: f["statement"] == second)["items"] == []
        # (the console's list came with the new state, before the reply)
        [queue] = [f for f in before if f["type"] == "comments" and f["statement"] == second]
        assert queue == {"type": "comments", "statement": second, "items": [], "pending": {}}
        # A comment of another statement cannot be highlighted.
        error = ask(room.moderator, {"type": "highlight", "comment": c})
        assert error["type"] == "error" and error["code"] == "not_current" and error["message"]
        assert stored_state(env).highlight is None
        # The moderator can still moderate it.
        room.moderate({"type": "comment.status", "comment": c, "status": "hidden"})
        assert by_id(env)[c].status == "hidden"
        # And the settings are kept going back too.
        before = room.moderate({"type": "prev"})
        [state] = [f for f in before if f["type"] == "state"][-1:]
        assert (state["index"], state["premoderation"], state["ticker"]) == (0, False, True)


def test_settings_refuse_bad_values(env: Env) -> None:
    with live(env) as room:
        for bad in ({}, {"ticker": "on"}, {"comments": 1}, {"premoderation": None}, {"colour": True}):
            error = ask(room.moderator, {"type": "settings", **bad})
            assert error["type"] == "error" and error["code"] == "invalid_value", bad
        # One bad value refuses the whole message.
        assert ask(room.moderator, {"type": "settings", "ticker": True, "comments": "no"})["code"] == (
            "invalid_value"
        )
    assert stored_state(env) == LiveState(statement_id=room.statement)



def test_deleting_a_statement_deletes_its_comments_and_the_highlight(env: Env) -> None:
    first, second, _ = statement_ids(env)
    with live(env) as room:
        author, fan = room.phone(), room.phone()
        room.moderate({"type": "goto", "statement": second})
        kept = say(author, second, "Over de tweede")["comment"]["id"]
        room.moderate({"type": "goto", "statement": first})
        gone = say(author, first, "Over de eerste")["comment"]["id"]
        room.moderate({"type": "highlight", "comment": gone})
        ask(fan, {"type": "support", "comment": gone, "on": True})
        before = room.moderate({"type": "statement.delete", "statement": first})
        [state] = [f for f in before if f["type"] == "state"]
        assert (state["statement"], state["highlight"]) == (None, None)
        queue = [f for f in before if f["type"] == "comments"][-1]  # sent with the state
        assert queue == {"type": "comments", "statement": None, "items": [], "pending": {str(second): 1}}
        error = ask(room.moderator, {"type": "comment.status", "comment": gone, "status": "published"})
        assert error["code"] == "unknown_comment"
    assert [c.id for c in stored_comments(env)] == [kept]
    assert support_rows(env) == []
    assert stored_state(env) == LiveState()


def test_json_true_is_not_comment_number_one(env: Env) -> None:
    with live(env) as room:
        room.moderate({"type": "settings", "premoderation": False})
        author, fan = room.phone(), room.phone()
        assert say(author, room.statement, "Nummer een")["comment"]["id"] == 1
        assert ask(fan, {"type": "support", "comment": True, "on": True})["code"] == "unknown_comment"
        for message in (
            {"type": "comment.status", "comment": True, "status": "hidden"},
            {"type": "highlight", "comment": True},
        ):
            assert ask(room.moderator, message)["code"] == "unknown_comment"
    [stored] = stored_comments(env)
    assert (stored.status, stored.supporters) == ("published", set())
    assert stored_state(env).highlight is None

# -- safety -----------------------------------------------------------------------------------


def test_a_participant_cannot_moderate_and_a_projector_cannot_comment(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        c = say(phone, room.statement, "Zelf goedkeuren?")["comment"]["id"]
        for message in (
            {"type": "comment.status", "comment": c, "status": "published"},
            {"type": "comment.status", "comment": c, "status": "hidden"},
            {"type": "highlight", "comment": c},
            {"type": "highlight", "comment": None},
            {"type": "settings", "premoderation": False},
            {"type": "settings", "comments": False, "ticker": True},
        ):
            error = ask(phone, message)
            assert error["type"] == "error" and error["code"] == "forbidden" and error["message"], message
        for message in (
            {"type": "comment", "statement": room.statement, "text": "Van de beamer"},
            {"type": "support", "comment": c, "on": True},
            {"type": "comment.status", "comment": c, "status": "published"},
            {"type": "highlight", "comment": c},
            {"type": "settings", "premoderation": False},
        ):
            assert ask(room.projector, message)["code"] == "forbidden", message
        # The moderator does not comment or support as a participant either.
        assert say(room.moderator, room.statement, "Van de moderator")["code"] == "forbidden"
        assert receive_until(room.connect("projector"), "comments")["items"] == []
    [stored] = stored_comments(env)
    assert (stored.id, stored.status, stored.supporters) == (c, "pending", set())
    assert stored_state(env) == LiveState(statement_id=room.statement)


def test_hostile_text_is_stored_and_sent_literally(env: Env) -> None:
    hostile = [
        '<script>alert("x")</script>',
        '<img src=x onerror="alert(1)">',
        "</textarea><svg/onload=alert(1)>",
        "javascript:alert(document.cookie)",
        "{{ 7*7 }} {% raw %}",
    ]
    with live(env) as room:
        room.moderate({"type": "settings", "premoderation": False})
        phone = room.phone()
        for text in hostile:
            assert say(phone, room.statement, text, text[:40])["comment"]["text"] == text
        frame = receive_where(phone, "comments", lambda f: len(f["items"]) == len(hostile))
        assert sorted(i["text"] for i in frame["items"]) == sorted(hostile)
    assert [c.text for c in stored_comments(env)] == hostile


# -- durability -------------------------------------------------------------------------------


def test_a_comment_is_stored_before_it_is_acknowledged(env: Env) -> None:
    with live(env) as room:
        phone = room.phone()
        c = say(phone, room.statement, "Meteen op schijf")["comment"]["id"]
        # Read by another connection right after the ack: committed.
        [stored] = stored_comments(env)
        assert (stored.id, stored.text, stored.status) == (c, "Meteen op schijf", "pending")
        fan = room.phone()
        room.moderate({"type": "comment.status", "comment": c, "status": "published"})
        assert by_id(env)[c].status == "published"
        ask(fan, {"type": "support", "comment": c, "on": True})
        assert len(support_rows(env)) == 1


def test_a_restart_restores_comments_supports_statuses_highlight_and_settings(env: Env) -> None:
    with live(env) as room:
        author_headers, fan_headers = room.new_phone(), room.new_phone()
        author, fan = room.phone(author_headers), room.phone(fan_headers)
        shown = say(author, room.statement, "Op het scherm", "Anna")["comment"]["id"]
        hidden = say(author, room.statement, "Verborgen")["comment"]["id"]
        waiting = say(fan, room.statement, "Wacht nog")["comment"]["id"]
        room.moderate({"type": "highlight", "comment": shown})
        room.moderate({"type": "comment.status", "comment": hidden, "status": "hidden"})
        assert ask(fan, {"type": "support", "comment": shown, "on": True})["support"] == 1
        room.moderate({"type": "settings", "premoderation": False, "ticker": True})
        later = say(fan, room.statement, "Na de instelling")["comment"]["id"]
        room.moderate({"type": "settings", "comments": False})
        before = stored_comments(env)
    # A new app on the same database: a restarted server.
    with env.client() as fresh:
        moderate(fresh, env.event)
        with connect(fresh, env.event.code, "projector") as projector:
            state = receive_until(projector, "state")
            assert state["highlight"] == {
                "id": shown, "statement": room.statement, "name": "Anna", "text": "Op het scherm",
                "support": 1,
            }  # fmt: skip
            assert (state["comments"], state["premoderation"], state["ticker"]) == (False, False, True)
            frame = receive_until(projector, "comments")
            assert ids(frame) == [shown, later]
            assert frame["highlight"] == state["highlight"]
        with connect(fresh, env.event.code, "moderator") as console:
            frame = receive_until(console, "comments")
            assert frame["items"] == [item(c) for c in before]
            assert [i["status"] for i in frame["items"]] == ["published", "hidden", "pending", "published"]
            assert frame["pending"] == {str(room.statement): 1}
        with connect(fresh, env.event.code, "participant", fan_headers) as phone:
            welcome = phone.receive_json()
            assert welcome["supported"] == [shown]
            assert [(c["id"], c["status"]) for c in welcome["my_comments"]] == [
                (waiting, "pending"), (later, "published"),
            ]  # fmt: skip
            assert ids(receive_until(phone, "comments")) == [shown, later]  # most supported first
        with connect(fresh, env.event.code, "participant", author_headers) as phone:
            welcome = phone.receive_json()
            assert [(c["id"], c["status"]) for c in welcome["my_comments"]] == [
                (shown, "published"), (hidden, "hidden"),
            ]  # fmt: skip
    assert stored_comments(env) == before
    assert stored_state(env) == LiveState(
        statement_id=room.statement, highlight=shown, ticker=True, comments=False, premoderation=False
    )


# -- export -----------------------------------------------------------------------------------

COMMENT_HEADER = ["position", "statement", "comment", "name", "status", "support", "created_at"]


def test_exports_have_every_comment_with_status_support_and_statement(env: Env) -> None:
    first, second, _ = statement_ids(env)
    with live(env) as room:
        author, fan = room.phone(), room.phone()
        formula = say(author, first, "=HYPERLINK(\"http://evil\")", "@baas")["comment"]["id"]
        hidden = say(author, first, "Weg ermee")["comment"]["id"]
        waiting = say(fan, first, "Nog niet bekeken")["comment"]["id"]
        room.moderate({"type": "comment.status", "comment": formula, "status": "published"})
        room.moderate({"type": "comment.status", "comment": hidden, "status": "hidden"})
        ask(fan, {"type": "support", "comment": formula, "on": True})
        room.moderate({"type": "next"})
        minus = say(fan, second, "-1 voor dit plan, zegt \"Piet\", echt")["comment"]["id"]
        stored = by_id(env)

        # Moderators only.
        saved = dict(room.client.cookies)
        room.client.cookies.clear()
        for path in ("export.comments.csv", "export.json"):
            refused = room.client.get(f"/m/{room.code}/{path}")
            assert refused.status_code == 403
            assert "HYPERLINK" not in refused.text
        room.client.cookies.update(saved)

        response = room.client.get(f"/m/{room.code}/export.comments.csv")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="voting-{room.code}-comments.csv"'
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows == [
            COMMENT_HEADER,
            ["1", "First statement", "'=HYPERLINK(\"http://evil\")", "'@baas", "published", "1",
             stored[formula].created_at],
            ["1", "First statement", "Weg ermee", "", "hidden", "0", stored[hidden].created_at],
            ["1", "First statement", "Nog niet bekeken", "", "pending", "0", stored[waiting].created_at],
            ["2", "Second statement", "'-1 voor dit plan, zegt \"Piet\", echt", "", "pending", "0",
             stored[minus].created_at],
        ]

        exported = room.client.get(f"/m/{room.code}/export.json")
        assert exported.status_code == 200
        statements = exported.json()["statements"]
        assert statements[0]["comments"] == [
            {"text": "=HYPERLINK(\"http://evil\")", "name": "@baas", "status": "published", "support": 1,
             "created_at": stored[formula].created_at},
            {"text": "Weg ermee", "name": None, "status": "hidden", "support": 0,
             "created_at": stored[hidden].created_at},
            {"text": "Nog niet bekeken", "name": None, "status": "pending", "support": 0,
             "created_at": stored[waiting].created_at},
        ]
        assert [c["text"] for c in statements[1]["comments"]] == ["-1 voor dit plan, zegt \"Piet\", echt"]
        assert statements[2]["comments"] == []
        assert stored[formula].participant not in exported.text  # comments stay anonymous
        served = response.text

    for args in (["--format", "comments-csv"], ["--format", "json"]):
        result = CliRunner().invoke(main, ["event", "export", env.event.code, *args, "--db", env.db])
        assert result.exit_code == 0, result.output
        if args[1] == "comments-csv":
            assert list(csv.reader(io.StringIO(result.output.removeprefix("\ufeff")), delimiter=";")) == rows
            assert result.stdout_bytes.decode() == served  # (.output turns \r\n into \n)
        else:
            assert [s["comments"] for s in json.loads(result.output)["statements"]] == [
                s["comments"] for s in statements
            ]
