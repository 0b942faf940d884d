"""The phone during the evening, photographed for docs/screenshots/ (390×844): a reset
notice, round 2, the countdown and the end screen. The files land in docs/screenshots/
only with VOTING_UPDATE_SCREENSHOTS=1 (make screenshots); otherwise in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.bots import BotPhone
from tests.e2e.test_phone_ballot import RESET, ROUND_2, Moderator, vote
from tests.e2e.test_screenshots import shoot
from voting.demo import DEMO_STATEMENTS, DEMO_TITLE

T = 10_000  # ms
ROLES = ["Burgemeester", "Politie", "Parket", "Andere"]


@pytest.mark.timeout(120)
def test_phone_screenshots(
    start_app: Any,
    new_context: Any,
    phone_args: dict[str, Any],
    join_bots: Callable[[Any, int], list[BotPhone]],
) -> None:
    app = start_app(DEMO_TITLE, list(DEMO_STATEMENTS), "likert5", roles=ROLES)
    first, second = app.statement_ids[:2]
    moderator = Moderator(app)
    try:
        moderator.do("goto", statement=first)
        moderator.do("voting", open=True)
        phone = new_context(**{**phone_args, "viewport": {"width": 390, "height": 844}}).new_page()
        phone.goto(app.participant_url)
        phone.locator("[data-role-form] button[value=Burgemeester]").click()
        expect(phone.locator("[data-change-role]")).to_contain_text("Burgemeester", timeout=T)
        vote(phone, "agree")
        bots = join_bots(app, 7)
        options = ["agree", "strongly_agree", "neutral", "disagree", "agree", "pass", "agree"]
        for bot, option in zip(bots, options, strict=True):
            bot.vote(first, option)

        moderator.do("reset", statement=first)
        expect(phone.locator("[data-ballot-notice]")).to_have_text(RESET, timeout=T)
        shoot(phone, "phone-reset.png")

        vote(phone, "agree")
        moderator.do("round", statement=first)
        expect(phone.locator("[data-round-banner]")).to_have_text(ROUND_2, timeout=T)
        shoot(phone, "phone-round2.png")

        moderator.do("goto", statement=second)
        moderator.do("countdown", seconds=60)
        for bot, option in zip(bots, reversed(options), strict=True):
            bot.vote(second, option)
        expect(phone.locator("[data-countdown]")).to_be_visible(timeout=T)
        phone.locator("form[data-options] button.option[value=strongly_agree]").click()
        expect(phone.locator("[data-vote-status]")).to_contain_text("✓", timeout=T)
        shoot(phone, "phone-countdown.png")

        moderator.do("end", on=True)
        expect(phone.locator("[data-view=end]")).to_be_visible(timeout=T)
        expect(phone.locator("[data-end-count]")).to_have_text("8 mensen deden mee", timeout=T)
        shoot(phone, "phone-end.png")
    finally:
        moderator.close()
