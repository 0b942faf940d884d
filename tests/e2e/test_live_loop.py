"""The whole live loop in real browsers: moderator drives, phones vote, projector shows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

T = 10_000  # ms: generous for a loaded CI machine; nothing here should take more than ~1 s
SAVED = "✓ Je stem is bewaard"  # every context asks for Dutch (locale nl-BE)


def click(page: Page, action: str) -> None:
    page.locator(f"#moderator .controls [data-action={action}]").click()


def vote(phone: Page, option: str) -> None:
    phone.locator(f"form[data-options] button.option[value={option}]").click()


def expect_voted(phone: Page, option: str) -> None:
    buttons = phone.locator("form[data-options] button.option")
    expect(buttons.and_(phone.locator(f"[value={option}]"))).to_have_attribute(
        "aria-pressed", "true", timeout=T
    )
    expect(buttons.and_(phone.locator("[aria-pressed=true]"))).to_have_count(1, timeout=T)
    expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)


def expect_pct(projector: Page, option: str, pct: str) -> None:
    legend = projector.locator(f"[data-results] .chart-legend li[data-option={option}] .pct")
    expect(legend).to_have_text(pct, timeout=T)


def test_live_loop(live_app: Any, new_context: Any, phone_args: dict[str, Any]) -> None:
    stmt1, stmt2, _ = live_app.statements
    id1, id2, _ = live_app.statement_ids

    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(live_app.moderator_url)
    expect(moderator).to_have_url(f"{live_app.base_url}/m/{live_app.code}")  # token gone

    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(live_app.projector_url)

    phones = [new_context(**phone_args).new_page() for _ in range(3)]
    for phone in phones:
        phone.goto(live_app.participant_url)
        expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)
    expect(projector.locator("[data-joined]")).to_have_text("3", timeout=T)

    # The moderator puts statement 1 on screen and opens voting.
    moderator.locator(f"li[data-id='{id1}'] button[data-action=goto]").click()
    expect(moderator.locator("#moderator [data-statement]")).to_have_text(stmt1, timeout=T)
    click(moderator, "toggle-voting")
    expect(projector.locator("[data-voting]")).to_have_class("pill open", timeout=T)
    for phone in phones:
        expect(phone.locator("[data-statement]")).to_have_text(stmt1, timeout=T)
        expect(phone.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)

    for phone, option in zip(phones, ["agree", "agree", "disagree"], strict=True):
        vote(phone, option)
    for phone, option in zip(phones, ["agree", "agree", "disagree"], strict=True):
        expect_voted(phone, option)

    expect(projector.locator("[data-statement]")).to_have_text(stmt1, timeout=T)
    expect(projector.locator("[data-voters]")).to_have_text("3", timeout=T)
    expect(projector.locator("[data-joined]")).to_have_text("3", timeout=T)
    expect(moderator.locator("#moderator [data-voters]")).to_have_text("3", timeout=T)

    # Results stay off the projector until the moderator reveals them.
    expect(projector.locator("[data-results]")).to_be_hidden()
    expect(projector.locator("[data-results-hidden]")).to_be_visible()
    click(moderator, "toggle-projector")
    expect(projector.locator("[data-results]")).to_be_visible(timeout=T)
    expect(projector.locator("[data-results-hidden]")).to_be_hidden()
    expect_pct(projector, "agree", "67%")
    expect_pct(projector, "disagree", "33%")
    expect_pct(projector, "strongly_agree", "0%")
    # Results on the projector only: the phones still do not see them.
    for phone in phones:
        expect(phone.locator("[data-results]")).to_be_hidden()

    # A phone changes its vote while voting is open; the projector follows.
    vote(phones[2], "strongly_agree")
    expect_voted(phones[2], "strongly_agree")
    expect_pct(projector, "strongly_agree", "33%")
    expect_pct(projector, "disagree", "0%")
    expect_pct(projector, "agree", "67%")
    expect(projector.locator("[data-voters]")).to_have_text("3", timeout=T)

    # Next statement: every phone follows, with a fresh ballot.
    click(moderator, "next")
    for phone in phones:
        expect(phone.locator("[data-statement]")).to_have_text(stmt2, timeout=T)
        expect(phone.locator("form[data-options] [aria-pressed=true]")).to_have_count(0)
        expect(phone.locator("[data-vote-status]")).to_have_text("")
    expect(projector.locator("[data-statement]")).to_have_text(stmt2, timeout=T)
    expect(projector.locator("[data-voters]")).to_have_text("0", timeout=T)
    expect(projector.locator("[data-results]")).to_be_hidden()  # goto hides results again

    # A phone reloads while on statement 2; back on statement 1 it still sees its vote.
    phones[0].reload()
    expect(phones[0].locator("[data-statement]")).to_have_text(stmt2, timeout=T)
    expect(projector.locator("[data-joined]")).to_have_text("3", timeout=T)
    click(moderator, "prev")
    for phone, option in zip(phones, ["agree", "agree", "strongly_agree"], strict=True):
        expect(phone.locator("[data-statement]")).to_have_text(stmt1, timeout=T)
        expect(phone.locator(f"button.option[value={option}]")).to_have_attribute(
            "aria-pressed", "true", timeout=T
        )
        expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)
        # Going back closes voting: the ballot is shown but cannot be changed.
        expect(phone.locator(f"button.option[value={option}]")).to_be_disabled(timeout=T)
    expect(projector.locator("[data-voters]")).to_have_text("3", timeout=T)
    assert id2 != id1
