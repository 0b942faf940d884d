"""Legible from the back of a hall: computed font sizes on the beamer at 1080p and 720p,
with results shown on the real server (one chart, by role), and the counts that add up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone
from tests.e2e.projector_helpers import ModeratorBot, font_sizes, pick_roles, vote_all
from tests.e2e.test_screenshots import LONG_STATEMENT, assert_projector_fits

T = 10_000  # ms
SIZES = ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720})
# px at 1920×1080; at 1280×720 two thirds of them (the same share of the screen).
MINIMUM = {
    "statement": 56,
    "headline": 48,
    "segment": 48,
    "legend": 48,
    "join_code": 72,
    "join_url": 40,
    "turnout": 48,
}
CHART = {
    "statement": "[data-statement]",
    "headline": "[data-results] .chart-side",
    "segment": "[data-results] .segment span",
    "legend": "[data-results] .chart-legend li",
    "join_code": ".join-code",
    "join_url": ".join-url",
    "turnout": "[data-turnout]",
}
ROLES = {
    "role_label": "[data-by-role] .role-name",
    "headline": "[data-by-role] .chart-side",
}
VOTES = ["strongly_agree"] * 2 + ["agree"] * 3 + ["neutral", "disagree", "disagree", "strongly_disagree"]


def assert_at_least(page: Page, sizes: dict[str, float | None], minimum: dict[str, float]) -> None:
    scale = page.viewport_size["width"] / 1920 if page.viewport_size else 1
    for name, wanted in minimum.items():
        got = sizes.get(name)
        assert got is not None, f"{name} not shown: {sizes}"
        assert got >= wanted * scale - 0.01, f"{name} is {got}px, wants ≥ {wanted * scale:.1f}px: {sizes}"


@pytest.mark.timeout(120)
def test_results_are_legible_at_1080p_and_720p(
    start_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    app = start_app("Veiligheidsavond", [LONG_STATEMENT, "Kort."], "likert5", ["Burgemeester", "Politie"])
    assert len(LONG_STATEMENT) == 280
    projectors = [new_context(viewport=size, locale="nl-BE").new_page() for size in SIZES]
    for page in projectors:
        page.goto(app.projector_url)
    # Ten per role: a role gets its own bar on the projector with 2 × the privacy minimum (5).
    bots = join_bots(app, 20)
    pick_roles(bots, ["Burgemeester"] * 10 + ["Politie"] * 10)
    moderator = ModeratorBot(app)
    try:
        first = app.statement_ids[0]
        moderator.do({"type": "goto", "statement": first})
        moderator.do({"type": "voting", "open": True})
        vote_all(bots, first, VOTES * 2 + ["agree", "neutral"])
        moderator.do({"type": "results", "target": "projector", "shown": True})
        for page in projectors:
            expect(page.locator("[data-results]")).to_be_visible(timeout=T)
            expect(page.locator("[data-voters]")).to_have_text("20", timeout=T)
            page.wait_for_timeout(700)  # the segments' width transition decides their labels
            sizes = font_sizes(page, CHART)
            assert_at_least(page, sizes, MINIMUM)
            assert_projector_fits(page)
        # When results are shown they take most of the stage.
        for page in projectors:
            stage = page.locator(".stage").bounding_box()
            results = page.locator("[data-results]").bounding_box()
            assert stage and results and results["width"] >= 0.95 * stage["width"]

        # By role: the role names as large as the results.
        moderator.do({"type": "settings", "by_role": True})
        for page in projectors:
            expect(page.locator("[data-by-role] .role-row")).to_have_count(2, timeout=T)
            page.wait_for_timeout(700)
            sizes = font_sizes(page, ROLES)
            assert_at_least(page, sizes, {"role_label": 48, "headline": 48})
            assert_projector_fits(page)
    finally:
        moderator.close()


def test_counts_add_up_voters_of_joined(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    """'2 of 3 voted': against the people who joined, not the open sockets."""
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="en").new_page()
    projector.goto(live_app.projector_url)
    bots = join_bots(live_app, 3)
    moderator = ModeratorBot(live_app)
    try:
        first = live_app.statement_ids[0]
        moderator.do({"type": "goto", "statement": first})
        moderator.do({"type": "voting", "open": True})
        vote_all(bots[:2], first, ["agree", "disagree"])
        turnout = projector.locator("[data-turnout]")
        expect(turnout).to_have_text("2 of 3 voted", timeout=T)
        # A phone that locks its screen (its socket closes) still counts as joined.
        bots[2].close()
        bots[0].close()
        projector.wait_for_timeout(500)
        expect(turnout).to_have_text("2 of 3 voted")
        expect(projector.locator("[data-joined]")).to_have_text("3")
        projector.reload()
        expect(turnout).to_have_text("2 of 3 voted", timeout=T)
    finally:
        moderator.close()
