"""The countdown and the end screen on phones, driven by the real moderator socket."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_phone_ballot import Moderator, open_phone, vote

T = 10_000  # ms
# A phone whose clock runs five minutes fast still shows the server's time left.
FAST_CLOCK = "(() => { const real = Date.now; Date.now = () => real() + 300000; })()"


def seconds_left(phone: Page) -> int:
    box = phone.locator("[data-countdown]")
    expect(box).to_be_visible(timeout=T)
    return int(box.get_attribute("data-seconds") or "-1")


@pytest.mark.timeout(90)
def test_the_countdown_shows_the_time_left_also_after_a_reload(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=live_app.statement_ids[0])
        phone = open_phone(live_app, new_context, phone_args)
        skewed_context = new_context(**phone_args)
        skewed_context.add_init_script(FAST_CLOCK)
        skewed = skewed_context.new_page()
        skewed.goto(live_app.participant_url)
        expect(phone.locator("[data-countdown]")).to_be_hidden()

        moderator.do("countdown", seconds=90)  # opens voting too
        expect(phone.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)
        left = seconds_left(phone)
        assert 85 <= left <= 90, left
        expect(phone.locator("[data-countdown-text]")).to_have_text(
            f"Nog 1:{left - 60:02d} om te stemmen", timeout=2000
        )
        assert abs(seconds_left(skewed) - seconds_left(phone)) <= 1

        phone.wait_for_timeout(2000)
        before = seconds_left(phone)
        assert before < left
        skewed.reload()  # a reloaded phone (with a wrong clock) shows the same time left
        expect(skewed.locator("[data-countdown]")).to_be_visible(timeout=T)
        assert abs(seconds_left(skewed) - seconds_left(phone)) <= 1

        moderator.do("countdown", seconds=None)  # stopped: gone from the phones
        expect(phone.locator("[data-countdown]")).to_be_hidden(timeout=T)
        expect(skewed.locator("[data-countdown]")).to_be_hidden(timeout=T)
    finally:
        moderator.close()


@pytest.mark.timeout(60)
def test_at_zero_voting_closes_on_the_phone(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=live_app.statement_ids[0])
        phone = open_phone(live_app, new_context, phone_args)
        moderator.do("countdown", seconds=5)
        assert seconds_left(phone) <= 5
        expect(phone.locator("[data-countdown]")).to_have_class("countdown ending")
        expect(phone.locator("[data-voting-state]")).to_have_text(
            "De stemming is gesloten. Wacht op de moderator.", timeout=T
        )
        expect(phone.locator("[data-countdown]")).to_be_hidden()
        expect(phone.locator("form[data-options] button.option").first).to_be_disabled()
    finally:
        moderator.close()


def test_the_end_screen_thanks_and_says_how_many_took_part(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = Moderator(live_app)
    try:
        moderator.do("goto", statement=live_app.statement_ids[0])
        moderator.do("voting", open=True)
        phones = [open_phone(live_app, new_context, phone_args) for _ in range(2)]
        vote(phones[0], "agree")

        moderator.do("end", on=True)
        for phone in phones:
            expect(phone.locator("[data-view=end]")).to_be_visible(timeout=T)
            expect(phone.locator("#end-heading")).to_have_text("Bedankt om mee te doen!")
            expect(phone.locator("[data-end-count]")).to_have_text("1 persoon deed mee")
            expect(phone.locator("[data-end-report]")).to_have_text(
                "De organisator deelt het rapport achteraf."
            )
            expect(phone.locator("[data-view=ballot]")).to_be_hidden()
            expect(phone.locator("[data-view=waiting]")).to_be_hidden()
        vote_later = phones[1]
        vote_later.reload()  # the page's own render is the end screen too
        expect(vote_later.locator("[data-view=end]")).to_be_visible()
        expect(vote_later.locator("[data-end-count]")).to_have_text("1 persoon deed mee")
        expect(vote_later.locator("[data-view=waiting]")).to_be_hidden()

        moderator.do("end", on=False)  # back to the evening
        expect(phones[0].locator("[data-view=end]")).to_be_hidden(timeout=T)
    finally:
        moderator.close()


def test_the_end_screen_links_the_shared_report(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    console = new_context(locale="nl-BE").new_page()
    console.goto(live_app.moderator_url)
    shared = console.request.post(
        f"{live_app.base_url}/m/{live_app.code}/report/share",
        form={"shared": "1"},
        headers={"Origin": live_app.base_url},
    )
    assert shared.ok, shared.status
    moderator = Moderator(live_app)
    try:
        phone = open_phone(live_app, new_context, phone_args)
        moderator.do("end", on=True)
        link = phone.locator("[data-end-report] a")
        expect(link).to_have_text("Lees het rapport", timeout=T)
        link.click()
        expect(phone.locator("h1").first).to_be_visible(timeout=T)
        assert "/r/" in phone.url
    finally:
        moderator.close()
