"""Attendance tickets in real browsers: a phone opens the event, is asked for its ticket,
types the code from its card, gets the ticket's role and votes; the console counts it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from voting import store as sql
from voting import tickets
from voting.store import Store

T = 10_000  # ms


def test_a_phone_enters_its_ticket_and_votes(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app(roles=["Burgemeester", "Politie"])
    store = Store(app.db)  # as `voting event tickets` does, while the server runs
    event = store.event_by_code(app.code)
    assert event is not None
    code, _ = store.write(sql.insert_tickets, event.id, tickets.new_code, 2, "Politie")
    store.write(sql.set_tickets_required, event.id, True)
    store.close()

    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(app.moderator_url)
    expect(moderator.locator("[data-ticket-count]")).to_have_text("0/2", timeout=T)
    expect(moderator.locator("[data-ticket-count]")).to_have_attribute("title", "0 van 2 tickets gebruikt")
    expect(moderator.locator("[data-tickets-required]")).to_be_checked()
    moderator.locator(f"li[data-id='{app.statement_ids[0]}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()

    phone = new_context(**phone_args).new_page()
    phone.goto(app.participant_url)
    expect(phone.locator("[data-view=ticket]")).to_be_visible(timeout=T)
    expect(phone.locator("[data-view=ballot]")).to_be_hidden()
    field = phone.locator("#ticket-code")
    field.fill("WRONG-CODE0")
    phone.get_by_role("button", name="Dit ticket gebruiken").click()
    expect(phone.locator("#ticket-error")).to_contain_text("Er is geen ticket met deze code", timeout=T)
    field.fill(tickets.grouped(code).lower())
    phone.get_by_role("button", name="Dit ticket gebruiken").click()

    expect(phone.locator("[data-view=ticket]")).to_be_hidden(timeout=T)
    expect(phone.locator("[data-statement]")).to_have_text(app.statements[0], timeout=T)
    expect(phone.locator("[data-view=role]")).to_be_hidden()  # the role came with the ticket
    expect(phone.locator("[data-change-role]")).to_be_hidden()
    phone.locator("form[data-options] button.option[value=agree]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text("✓ Je stem is bewaard", timeout=T)
    expect(moderator.locator("[data-ticket-count]")).to_have_text("1/2", timeout=T)
    expect(moderator.locator("[data-ticket-count]")).to_have_attribute("title", "1 van 2 tickets gebruikt")
    expect(moderator.locator("[data-voters]")).to_have_text("1", timeout=T)

    # The tickets sit in the console's top bar (compact: "1/2", the full count as a title),
    # which stays within two lines at 1440×900.
    bar = moderator.locator("header.topbar").bounding_box()
    tickets_box = moderator.locator("[data-tickets]").bounding_box()
    assert bar is not None and tickets_box is not None
    assert tickets_box["y"] + tickets_box["height"] <= bar["y"] + bar["height"] <= 110
