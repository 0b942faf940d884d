"""The phone keeps up with the moderator in a real browser: a reset, a deleted statement and
a second round clear the ballot at once (with the reason), and a new statement comes into
view on a phone that was scrolled down. The moderator is a real moderator socket."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.projector_helpers import ModeratorBot as Moderator  # the console without a browser

T = 10_000  # ms
SAVED = "✓ Je stem is bewaard"  # the phones ask for Dutch (locale nl-BE)
RESET = "De stemmen op deze stelling zijn gewist: stem opnieuw."
ROUND_2 = "Ronde 2: stem opnieuw"


def open_phone(app: Any, new_context: Any, phone_args: dict[str, Any]) -> Page:
    phone = new_context(**phone_args).new_page()
    phone.goto(app.participant_url)
    expect(phone.locator("[data-conn]")).to_be_empty(timeout=T)
    return phone


def vote(phone: Page, option: str) -> None:
    phone.locator(f"form[data-options] button.option[value={option}]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)


def expect_fresh_ballot(phone: Page) -> None:
    expect(phone.locator("form[data-options] [aria-pressed=true]")).to_have_count(0, timeout=T)
    expect(phone.locator("[data-vote-status]")).to_have_text("", timeout=T)
    expect(phone.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)


def test_reset_gives_every_phone_a_fresh_ballot_with_the_reason(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    first = live_app.statement_ids[0]
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=first)
        moderator.do("voting", open=True)
        phones = [open_phone(live_app, new_context, phone_args) for _ in range(2)]
        vote(phones[0], "agree")
        vote(phones[1], "strongly_disagree")

        moderator.do("reset", statement=first)
        for phone in phones:
            expect_fresh_ballot(phone)
            expect(phone.locator("[data-ballot-notice]")).to_have_text(RESET, timeout=T)
            expect(phone.locator("[data-announce]")).to_have_text(RESET, timeout=T)
        # Voting again stores the vote and the notice gives way to "saved".
        vote(phones[0], "neutral")
        expect(phones[0].locator("[data-ballot-notice]")).to_be_hidden()
        expect(phones[0].locator("button.option[value=neutral]")).to_have_attribute(
            "aria-pressed", "true"
        )
        # A reload shows the truth: the new vote, no notice.
        phones[0].reload()
        expect(phones[0].locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)
        expect(phones[0].locator("[data-ballot-notice]")).to_be_hidden()
    finally:
        moderator.close()


def test_reset_of_a_statement_off_screen_clears_the_vote_when_it_comes_back(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    first, second = live_app.statement_ids[:2]
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=first)
        moderator.do("voting", open=True)
        phone = open_phone(live_app, new_context, phone_args)
        vote(phone, "agree")
        moderator.do("goto", statement=second)
        expect(phone.locator("[data-statement]")).to_have_text(live_app.statements[1], timeout=T)
        moderator.do("reset", statement=first)
        moderator.do("goto", statement=first)
        expect(phone.locator("[data-statement]")).to_have_text(live_app.statements[0], timeout=T)
        expect(phone.locator("form[data-options] [aria-pressed=true]")).to_have_count(0, timeout=T)
        expect(phone.locator("[data-vote-status]")).to_have_text("")
        expect(phone.locator("[data-ballot-notice]")).to_have_text(RESET)
    finally:
        moderator.close()


def test_round_two_clears_the_ballot_and_shows_a_banner(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    first = live_app.statement_ids[0]
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=first)
        moderator.do("voting", open=True)
        phone = open_phone(live_app, new_context, phone_args)
        vote(phone, "agree")
        expect(phone.locator("[data-round-banner]")).to_be_hidden()

        moderator.do("round", statement=first)
        expect_fresh_ballot(phone)
        expect(phone.locator("[data-round-banner]")).to_have_text(ROUND_2, timeout=T)
        expect(phone.locator("[data-announce]")).to_have_text(ROUND_2, timeout=T)
        vote(phone, "disagree")
        expect(phone.locator("[data-round-banner]")).to_have_text("Ronde 2")
        phone.reload()  # the page's own render says round 2 too
        expect(phone.locator("[data-round-banner]")).to_have_text("Ronde 2", timeout=T)
        expect(phone.locator("button.option[value=disagree]")).to_have_attribute(
            "aria-pressed", "true", timeout=T
        )
    finally:
        moderator.close()


def test_deleting_the_statement_on_screen_leaves_no_stale_vote(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    first = live_app.statement_ids[0]
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=first)
        moderator.do("voting", open=True)
        phone = open_phone(live_app, new_context, phone_args)
        vote(phone, "agree")
        moderator.do("statement.delete", statement=first)
        # The statement is gone from every phone at once (the welcome screen) …
        expect(phone.locator("[data-view=ballot]")).to_be_hidden(timeout=T)
        expect(phone.locator("[data-view=waiting]")).to_be_visible()
        # … and the next one on screen is a fresh ballot, not the deleted one's vote.
        moderator.do("goto", statement=live_app.statement_ids[1])
        moderator.do("voting", open=True)
        expect(phone.locator("[data-statement]")).to_have_text(live_app.statements[1], timeout=T)
        expect_fresh_ballot(phone)
    finally:
        moderator.close()


def test_a_new_statement_comes_into_view_on_a_phone_scrolled_down(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    first, second = live_app.statement_ids[:2]
    moderator = Moderator(live_app)
    try:
        moderator.do("settings", comments=True)
        moderator.do("goto", statement=first)
        phone = open_phone(live_app, new_context, phone_args)
        expect(phone.locator("[data-comments]")).to_be_visible(timeout=T)
        phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert phone.evaluate("window.scrollY") > 200
        expect(phone.locator("[data-statement]")).not_to_be_in_viewport()

        moderator.do("goto", statement=second)
        expect(phone.locator("[data-statement]")).to_have_text(live_app.statements[1], timeout=T)
        expect(phone.locator("[data-statement]")).to_be_in_viewport(timeout=T)
        expect(phone.locator("[data-position]")).to_be_in_viewport()
        expect(phone.locator("[data-announce]")).to_contain_text(live_app.statements[1])
    finally:
        moderator.close()
