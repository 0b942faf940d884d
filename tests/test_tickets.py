"""Attendance tickets: made by `voting event tickets`, printed as PDF cards, redeemed once on
one phone, required before a phone votes, comments or picks a role; wrong codes limited."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from starlette.testclient import TestClient

from tests.conftest import Env, moderate
from tests.test_comments import ask, receive_where
from tests.test_sockets import connect, receive_until, statement_ids
from voting import store as sql
from voting import tickets
from voting.cli import main
from voting.store import Store

ROLES = ["Burgemeester", "Politie"]
ENGLISH = {"accept-language": "en"}
USED = "This ticket has already been used on another phone."
GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


# -- helpers ----------------------------------------------------------------------------------


def make_event(db: str, roles: list[str] | None = None) -> Env:
    store = Store(db)
    event = store.write(sql.insert_event, "Stemavond", ["Eerste", "Tweede"], "likert5", roles or [])
    store.close()
    return Env(db, event)


def print_tickets(env: Env, count: int, role: str | None = None, required: bool = True) -> list[str]:
    """Tickets made straight in the database, as `voting event tickets` makes them."""
    store = Store(env.db)
    codes = store.write(sql.insert_tickets, env.event.id, tickets.new_code, count, role)
    store.write(sql.set_tickets_required, env.event.id, required)
    store.close()
    return codes


def ticket_rows(env: Env) -> dict[str, tuple[str | None, str | None]]:
    store = Store(env.db)
    rows = store.conn.execute("SELECT code, role, participant_id FROM tickets").fetchall()
    store.close()
    return {code: (role, pid) for code, role, pid in rows}


def stored_votes(env: Env) -> list[tuple[str, str]]:
    store = Store(env.db)
    votes = [(r["participant_id"], r["option"]) for r in store.votes(env.event.id)]
    store.close()
    return votes


class Room:
    """One TestClient whose cookie jar plays several browsers in turn."""

    def __init__(self, client: TestClient, env: Env) -> None:
        self.client, self.env = client, env
        self.code = env.event.code

    def browser(self, cookie: str | None) -> None:
        self.client.cookies.clear()
        if cookie is not None:
            self.client.cookies.set("voting", cookie)

    def new_phone(self) -> str:
        self.browser(None)
        page = self.client.get(f"/j/{self.code}")
        assert page.status_code == 200
        return self.client.cookies["voting"]

    def moderator(self) -> str:
        self.browser(None)
        moderate(self.client, self.env.event)
        return self.client.cookies["voting"]

    def redeem(self, phone: str, typed: str, **headers: str) -> Any:
        self.browser(phone)
        return self.client.post(
            f"/j/{self.code}/ticket", data={"ticket": typed}, headers=headers, follow_redirects=False
        )

    def socket(self, phone: str) -> Any:
        self.browser(phone)
        return connect(self.client, self.code, "participant")


@pytest.fixture
def ticketed(db: str) -> Env:
    return make_event(db, ROLES)


@pytest.fixture
def room(ticketed: Env) -> Iterator[Room]:
    with ticketed.client() as client:
        yield Room(client, ticketed)


def open_voting(room: Room) -> int:
    mod = room.moderator()
    first = statement_ids(room.env)[0]
    room.browser(mod)
    with connect(room.client, room.code, "moderator") as ws:
        assert ask(ws, {"type": "goto", "statement": first}) == {"type": "ok"}
        assert ask(ws, {"type": "voting", "open": True}) == {"type": "ok"}
    return first


# -- with tickets off, nothing changes --------------------------------------------------------


def test_without_tickets_phones_vote_as_before(room: Room) -> None:
    first = open_voting(room)
    phone = room.new_phone()
    page = room.client.get(f"/j/{room.code}")
    assert 'data-need-ticket="false"' in page.text
    assert re.search(r'<section class="ticket-entry"[^>]* hidden>', page.text)
    with room.socket(phone) as ws:
        welcome = ws.receive_json()
        assert (welcome["ticket"], welcome["role_locked"]) == (False, False)
        assert receive_until(ws, "state")["tickets"] is False
        assert ask(ws, {"type": "vote", "statement": first, "option": "agree"})["type"] == "ack"
        assert ask(ws, {"type": "role", "role": "Politie"}) == {"type": "role.ack", "role": "Politie"}
    assert [option for _, option in stored_votes(room.env)] == ["agree"]


# -- with tickets on -------------------------------------------------------------------------


def test_a_phone_without_a_ticket_cannot_vote_comment_support_or_pick_a_role(room: Room) -> None:
    [code] = print_tickets(room.env, 1)
    first = open_voting(room)
    holder = room.new_phone()
    assert room.redeem(holder, code).status_code == 303
    with room.socket(holder) as ws:
        comment = ask(ws, {"type": "comment", "statement": first, "text": "Goed idee"})["comment"]
    mod = room.moderator()
    with connect(room.client, room.code, "moderator") as ws:
        assert ask(ws, {"type": "comment.status", "comment": comment["id"], "status": "published"})

    phone = room.new_phone()
    page = room.client.get(f"/j/{room.code}", headers=ENGLISH)
    assert 'data-need-ticket="true"' in page.text
    assert f'action="/j/{room.code}/ticket"' in page.text
    assert re.search(r'<section class="ballot"[^>]* hidden>', page.text)
    with room.socket(phone) as ws:
        assert ws.receive_json()["ticket"] is False
        assert receive_until(ws, "state")["tickets"] is True
        for message in (
            {"type": "vote", "statement": first, "option": "agree"},
            {"type": "comment", "statement": first, "text": "Ik ook"},
            {"type": "support", "comment": comment["id"], "on": True},
            {"type": "role", "role": "Politie"},
        ):
            refusal = ask(ws, message)
            assert refusal["type"] == "error" and refusal["code"] == "ticket_required", message
    # The form post, with and without JavaScript, is refused too.
    room.browser(phone)
    form = {"statement": str(first), "option": "agree"}
    refused = room.client.post(
        f"/j/{room.code}/vote", data=form, headers={"accept": "application/json", **ENGLISH}
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "ticket_required",
        "message": "This event needs an attendance ticket: enter the code on your ticket.",
    }
    redirected = room.client.post(f"/j/{room.code}/vote", data=form, follow_redirects=False)
    assert redirected.headers["location"] == f"/j/{room.code}?notice=ticket_required"
    assert room.client.post(f"/j/{room.code}/role", data={"role": "Politie"}).status_code == 400
    assert stored_votes(room.env) == []
    room.browser(mod)


def test_a_ticket_works_once_on_one_phone(room: Room) -> None:
    first = open_voting(room)
    code, other = print_tickets(room.env, 2)
    phone, second_phone = room.new_phone(), room.new_phone()
    # Typed sloppily: lower case, spaces, O for 0 and I/L for 1 still find it.
    typed = tickets.grouped(code).lower().replace("-", " ")
    typed = typed.replace("0", "o").replace("1", "l")
    redeemed = room.redeem(phone, typed)
    assert (redeemed.status_code, redeemed.headers["location"]) == (303, f"/j/{room.code}")
    page = room.client.get(f"/j/{room.code}")
    assert 'data-need-ticket="false"' in page.text
    with room.socket(phone) as ws:
        assert ws.receive_json()["ticket"] is True
        assert ask(ws, {"type": "vote", "statement": first, "option": "agree"})["type"] == "ack"
    holder = ticket_rows(room.env)[code][1]
    assert holder is not None and stored_votes(room.env) == [(holder, "agree")]

    # The same phone again: nothing changes, and no second ticket is spent.
    assert room.redeem(phone, code).status_code == 303
    assert room.redeem(phone, other).status_code == 303
    assert ticket_rows(room.env)[other] == (None, None)

    # Another phone with the same ticket is told so, in its language, and cannot vote.
    refused = room.redeem(second_phone, code, **ENGLISH)
    assert refused.status_code == 400
    assert USED in refused.text and 'aria-invalid="true"' in refused.text
    as_json = room.redeem(second_phone, code, accept="application/json", **ENGLISH)
    assert as_json.json() == {"error": "ticket_used", "message": USED}
    assert ticket_rows(room.env)[code][1] == holder
    with room.socket(second_phone) as ws:
        refusal = ask(ws, {"type": "vote", "statement": first, "option": "disagree"})
        assert refusal["code"] == "ticket_required"
    assert stored_votes(room.env) == [(holder, "agree")]


def test_the_card_link_fills_in_the_code(room: Room) -> None:
    [code] = print_tickets(room.env, 1)
    room.new_phone()
    page = room.client.get(f"/j/{room.code}?ticket={tickets.grouped(code)}")
    assert f'name="ticket" value="{tickets.grouped(code)}"' in page.text


def test_the_tickets_role_is_the_participants_and_cannot_be_changed(room: Room) -> None:
    [code] = print_tickets(room.env, 1, role="Politie")
    [plain] = print_tickets(room.env, 1)
    phone = room.new_phone()
    assert room.redeem(phone, code).status_code == 303
    page = room.client.get(f"/j/{room.code}")
    assert 'data-role-locked="true"' in page.text
    assert re.search(r'<section class="role-choice"[^>]* hidden>', page.text)  # not asked
    with room.socket(phone) as ws:
        welcome = ws.receive_json()
        assert (welcome["my_role"], welcome["role_asked"], welcome["role_locked"]) == ("Politie", True, True)
        refusal = ask(ws, {"type": "role", "role": "Burgemeester"})
        assert (refusal["type"], refusal["code"]) == ("error", "role_from_ticket")
        assert ask(ws, {"type": "role", "role": None})["code"] == "role_from_ticket"
    room.browser(phone)
    assert room.client.post(f"/j/{room.code}/role", data={"role": "Burgemeester"}).status_code == 400
    store = Store(room.env.db)
    roles = store.roles_of(room.env.event.id)
    languages = store.languages(room.env.event.id)
    store.close()
    assert list(roles.values()) == ["Politie"]
    assert languages == {"nl": 1}  # the page's language when the ticket was redeemed

    # A ticket without a role: the phone picks one as usual.
    other = room.new_phone()
    assert room.redeem(other, plain).status_code == 303
    with room.socket(other) as ws:
        assert ws.receive_json()["role_locked"] is False
        assert ask(ws, {"type": "role", "role": "Burgemeester"})["type"] == "role.ack"


def test_wrong_codes_are_limited_per_address(ticketed: Env) -> None:
    [code] = print_tickets(ticketed, 1)
    with ticketed.client(ticket_guesses_per_minute=3) as client:
        room = Room(client, ticketed)
        phone = room.new_phone()
        for guess in ("AAAAA-AAAAA", "short", "BBBBB-BBBBB"):
            assert room.redeem(phone, guess).status_code == 400
        # A fresh cookie does not help: the limit is kept by the client's address.
        limited = room.redeem(room.new_phone(), code, **ENGLISH)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "Too many wrong ticket codes" in limited.text
        assert room.redeem(phone, code, accept="application/json").json()["error"] == "too_many_guesses"
        assert ticket_rows(ticketed)[code] == (None, None)  # not even the right code got through


def test_right_codes_do_not_use_up_the_allowance(ticketed: Env) -> None:
    codes = print_tickets(ticketed, 4)
    with ticketed.client(ticket_guesses_per_minute=1) as client:
        room = Room(client, ticketed)
        for code in codes:
            assert room.redeem(room.new_phone(), code).status_code == 303


def test_the_moderator_sees_the_counts_and_switches_tickets(room: Room) -> None:
    first = open_voting(room)
    codes = print_tickets(room.env, 3)
    mod = room.moderator()
    page = room.client.get(f"/m/{room.code}", headers=ENGLISH)
    assert 'title="0 of 3 tickets used">0/3</span>' in page.text
    assert "data-tickets-required checked" in page.text
    phone = room.new_phone()
    assert room.redeem(phone, codes[0]).status_code == 303
    late = room.new_phone()
    room.browser(mod)
    with connect(room.client, room.code, "moderator") as console:
        tally = receive_where(console, "tally", lambda t: "tickets" in t)
        assert tally["tickets"] == {"printed": 3, "redeemed": 1}
        assert ask(console, {"type": "tickets", "required": "yes"})["code"] == "invalid_value"
        room.browser(late)
        with connect(room.client, room.code, "participant") as ws:
            assert receive_until(ws, "state")["tickets"] is True
            assert ask(console, {"type": "tickets", "required": False}) == {"type": "ok"}
            assert receive_until(ws, "state")["tickets"] is False
            assert ask(ws, {"type": "vote", "statement": first, "option": "agree"})["type"] == "ack"
    store = Store(room.env.db)
    event = store.event_by_code(room.code)
    store.close()
    assert event is not None and event.tickets is False


def test_tickets_cannot_be_required_before_any_are_printed(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        with connect(client, env.event.code, "moderator") as console:
            refusal = ask(console, {"type": "tickets", "required": True})
            assert (refusal["type"], refusal["code"]) == ("error", "no_tickets")
            assert "voting event tickets" in refusal["message"]


def test_tickets_printed_while_the_server_runs_count_at_the_next_page_load(room: Room) -> None:
    phone = room.new_phone()  # the event is in memory now, without tickets
    [code] = print_tickets(room.env, 1)
    page = room.client.get(f"/j/{room.code}")
    assert 'data-need-ticket="true"' in page.text
    assert room.redeem(phone, code).status_code == 303


def test_the_organiser_switches_tickets_from_the_admin_page(room: Room) -> None:
    from tests.conftest import ADMIN_PASSWORD

    print_tickets(room.env, 2, required=False)
    room.browser(None)
    assert room.client.post("/admin/login", data={"password": ADMIN_PASSWORD}, headers={
        "origin": "http://testserver"}).status_code in (200, 303)
    listing = room.client.get("/admin", headers=ENGLISH)
    assert "0 of 2 tickets used" in listing.text and "Require tickets" in listing.text
    room.client.post(f"/admin/events/{room.code}/tickets", data={"required": "on"})
    assert "Stop requiring tickets" in room.client.get("/admin", headers=ENGLISH).text
    assert 'data-need-ticket="true"' in room.client.get(f"/j/{room.code}").text


# -- the command ------------------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"VOTING_PUBLIC_URL": None})


def test_the_command_makes_tickets_and_requires_them(ticketed: Env) -> None:
    result = run("event", "tickets", ticketed.event.code, "--count", "5", "--role", "Politie",
                 "--db", ticketed.db)  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 5 and all(line.endswith("  Politie") for line in lines)
    printed = [line.split()[0] for line in lines]
    assert all(GROUPED.match(code) for code in printed) and len(set(printed)) == 5
    rows = ticket_rows(ticketed)
    assert sorted(rows) == sorted(code.replace("-", "") for code in printed)
    assert set(rows.values()) == {("Politie", None)}
    store = Store(ticketed.db)
    event = store.event_by_code(ticketed.event.code)
    store.close()
    assert event is not None and event.tickets is True


def test_the_command_prints_json(ticketed: Env) -> None:
    result = run("event", "tickets", ticketed.event.code, "--count", "2", "--db", ticketed.db,
                 "--json", "--public-url", "https://stem.example.be/")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["event"], data["tickets_required"]) == (ticketed.event.code, True)
    assert [t["role"] for t in data["tickets"]] == [None, None]
    for ticket in data["tickets"]:
        assert ticket["url"] == f"https://stem.example.be/j/{ticketed.event.code}?ticket={ticket['code']}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "between 1 and 2000"),
        (["--count", "2001"], "between 1 and 2000"),
        (["--count", "3", "--role", "Brandweer"], "'Brandweer' is not one of this event's roles"),
    ],
)
def test_the_command_checks_count_and_role(ticketed: Env, args: list[str], message: str) -> None:
    result = run("event", "tickets", ticketed.event.code, *args, "--db", ticketed.db)
    assert result.exit_code == 2
    assert message in result.output
    assert ticket_rows(ticketed) == {}


def test_the_command_refuses_an_unknown_event(ticketed: Env) -> None:
    result = run("event", "tickets", "999999", "--count", "3", "--db", ticketed.db)
    assert result.exit_code == 1 and "no event with code '999999'" in result.output


def test_the_command_writes_printable_cards(ticketed: Env, tmp_path: Path) -> None:
    pdf = tmp_path / "cards.pdf"
    result = run("event", "tickets", ticketed.event.code, "--count", "10", "--role", "Burgemeester",
                 "--pdf", str(pdf), "--db", ticketed.db,
                 "--public-url", "https://stem.example.be")  # fmt: skip
    assert result.exit_code == 0, result.output
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == 2  # eight cards a page
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    first, second = (page.extract_text() for page in reader.pages)
    assert [c for c in codes if c in first] == codes[:8]
    assert [c for c in codes if c in second] == codes[8:]
    assert first.count("Stemavond") == 8 and first.count("Burgemeester") == 8
    assert f"stem.example.be/j/{ticketed.event.code}" in first
    for instruction in ("Scan de code", "Scannez le code", "Scan the code"):
        assert instruction in first
