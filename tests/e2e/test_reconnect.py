"""A server restart mid-event, seen from a phone and the projector in real browsers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from voting.store import Store

T = 20_000  # ms: reconnecting backs off (0.5 s, 1 s, 2 s …)
SAVED = "✓ Je stem is bewaard"
PENDING = "Nog niet bewaard: je stem wordt verstuurd zodra de verbinding terug is"


def test_restart_mid_vote_loses_nothing_and_every_screen_resyncs(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app()
    first = app.statement_ids[0]
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(app.projector_url)
    phone = new_context(**phone_args).new_page()
    phone.goto(app.participant_url)

    moderator.locator(f"li[data-id='{first}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()
    phone.locator("button.option[value=agree]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)
    expect(projector.locator("[data-voters]")).to_have_text("1", timeout=T)

    start_app.stop(app)
    expect(phone.locator("[data-conn]")).to_have_attribute("data-status", "reconnecting", timeout=T)
    expect(phone.locator("[data-conn]")).not_to_be_empty()
    expect(moderator.locator("[data-conn]")).to_have_attribute("data-status", "reconnecting", timeout=T)

    # While the server is down the phone changes its mind: shown as not saved yet.
    phone.locator("button.option[value=strongly_disagree]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text(PENDING, timeout=T)
    expect(phone.locator("button.option[value=strongly_disagree]")).to_have_attribute(
        "aria-pressed", "true"
    )

    start_app.start_again(app)
    # The phone reconnects, sends the pending vote, and the server acknowledges it.
    expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)
    expect(phone.locator("[data-conn]")).to_be_empty(timeout=T)
    expect(phone.locator("[data-statement]")).to_have_text(app.statements[0])
    expect(projector.locator("[data-conn]")).to_be_empty(timeout=T)
    expect(projector.locator("[data-statement]")).to_have_text(app.statements[0], timeout=T)
    expect(projector.locator("[data-voters]")).to_have_text("1", timeout=T)
    expect(moderator.locator("#moderator [data-voters]")).to_have_text("1", timeout=T)

    store = Store(app.db)
    votes = [(row["statement_id"], row["option"]) for row in store.votes(store.events()[0].id)]
    store.close()
    assert votes == [(first, "strongly_disagree")]
