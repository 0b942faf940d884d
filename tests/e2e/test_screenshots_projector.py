"""The beamer photographed for docs/screenshots/ (only with VOTING_UPDATE_SCREENSHOTS=1):
results at 1080p, round 2, the countdown and the end screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.bots import BotPhone
from tests.e2e.projector_helpers import ModeratorBot, vote_all
from tests.e2e.test_projector_screens import projector
from tests.e2e.test_screenshots import assert_projector_fits, shoot
from voting.demo import DEMO_STATEMENTS, DEMO_TITLE

T = 10_000  # ms
ROUND_1 = (
    ["strongly_agree"] * 2
    + ["agree"] * 3
    + ["neutral", "disagree", "disagree"]
    + ["strongly_disagree", "strongly_disagree", "pass", "agree"]
)
ROUND_2 = (
    ["strongly_agree"] * 3 + ["agree"] * 4 + ["neutral", "disagree", "strongly_disagree"] + ["pass", "agree"]
)


@pytest.mark.timeout(120)
def test_projector_screenshots(
    start_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    app = start_app(DEMO_TITLE, DEMO_STATEMENTS, "likert5")
    page = projector(new_context, app, language="nl-BE")
    bots = join_bots(app, 12)
    moderator = ModeratorBot(app)
    try:
        first = app.statement_ids[0]
        moderator.do({"type": "goto", "statement": first})
        moderator.do({"type": "voting", "open": True})
        vote_all(bots, first, ROUND_1)
        expect(page.locator("[data-turnout]")).to_have_text("12 van 12 stemden", timeout=T)

        # The countdown while voting is open (the server's).
        moderator.do({"type": "countdown", "seconds": 45})
        expect(page.locator("[data-countdown-time]")).to_have_text("0:45", timeout=T)
        page.wait_for_timeout(300)
        shoot(page, "projector-countdown.png")
        moderator.do({"type": "countdown", "seconds": None})

        # The results at 1080p.
        moderator.do({"type": "voting", "open": False})
        moderator.do({"type": "results", "target": "projector", "shown": True})
        expect(page.locator("[data-results]")).to_be_visible(timeout=T)
        page.wait_for_timeout(800)  # the bar's animation
        assert_projector_fits(page)
        shoot(page, "projector-results-1080p.png")

        # Round 2: announced, then both rounds side by side.
        moderator.do({"type": "round", "statement": first})
        expect(page.locator("[data-round-banner]")).to_be_visible(timeout=T)
        shoot(page, "projector-round2.png")
        vote_all(bots, first, ROUND_2)
        moderator.do({"type": "voting", "open": False})
        moderator.do({"type": "results", "target": "projector", "shown": True})
        expect(page.locator("[data-rounds]")).to_be_visible(timeout=T)
        page.wait_for_timeout(800)
        assert_projector_fits(page)
        shoot(page, "projector-rounds-1080p.png")
        # The end of the evening.
        moderator.do({"type": "end", "on": True})
        expect(page.locator("[data-end]")).to_be_visible(timeout=T)
        shoot(page, "projector-end.png")
    finally:
        moderator.close()
