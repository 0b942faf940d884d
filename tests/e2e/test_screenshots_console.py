"""The moderator's cockpit photographed for docs/screenshots/ (VOTING_UPDATE_SCREENSHOTS=1,
i.e. `make screenshots`; otherwise into a temporary folder): during voting, with results,
with the undo bar, on a laptop (1440×900) and on a tablet (1024×768). Each picture is also
a layout check: the page does not scroll."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone
from tests.e2e.test_cockpit import accept_dialogs, assert_fits, goto
from voting.demo import DEMO_STATEMENTS, DEMO_TITLE

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("VOTING_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="voting-screenshots-"))
)
T = 10_000  # ms
ROLES = ["Burgemeester", "Politie", "Parket"]
VOTES = [
    "strongly_agree",
    "agree",
    "agree",
    "agree",
    "neutral",
    "disagree",
    "disagree",
    "strongly_disagree",
    "agree",
    "strongly_agree",
    "pass",
]
COMMENTS = [
    ("Zonder gedeelde databank blijft dit dweilen met de kraan open.", "Korpschef Zone Noord"),
    ("Kleine gemeenten kunnen zo'n medewerker niet alleen betalen: deel hem per zone.", None),
    ("Eerst de bestaande APA-netwerken versterken.", "Schepen Els"),
]


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert_fits(page)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled")


@pytest.mark.timeout(120)
def test_screenshots_console(
    start_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    app = start_app(DEMO_TITLE, DEMO_STATEMENTS[:6], roles=ROLES)
    first = app.statement_ids[0]
    laptop = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    laptop.goto(app.moderator_url)
    tablet = new_context(viewport={"width": 1024, "height": 768}, locale="nl-BE").new_page()
    tablet.goto(app.moderator_url)
    accept_dialogs(laptop)
    bots = join_bots(app, len(VOTES) + 1)  # one joined and did not vote (yet)
    for index, bot in enumerate(bots):
        bot.ask({"type": "role", "role": ROLES[index % 3]}, "state")
    expect(laptop.locator("[data-connected]")).to_have_text(str(len(bots)), timeout=T)

    # During voting: the statement shown, voting open, a countdown running, comments waiting.
    goto(laptop, first)
    laptop.locator("[data-next-step]").click()
    expect(laptop.locator("#moderator [data-voting]")).to_have_text("Stemming open", timeout=T)
    for bot, option in zip(bots, VOTES[:8], strict=False):
        bot.vote(first, option)
    for bot, (text, name) in zip(bots, COMMENTS, strict=False):
        bot.comment(first, text, name)
    laptop.locator("#moderator [data-action=countdown][data-seconds='90']").click()
    expect(laptop.locator("[data-countdown-left]")).to_be_visible(timeout=T)
    expect(laptop.locator("[data-queue] li")).to_have_count(3, timeout=T)
    expect(laptop.locator("#moderator [data-voters]")).to_have_text("8", timeout=T)
    mirror = laptop.frame_locator("[data-mirror-frame]")
    expect(mirror.locator("[data-statement]")).to_have_text(app.statements[0], timeout=T)
    shoot(laptop, "cockpit-voting.png")
    expect(tablet.locator("#moderator [data-voters]")).to_have_text("8", timeout=T)
    shoot(tablet, "cockpit-voting-tablet.png")

    # With results: everyone voted, the next step closed voting and showed the results.
    for bot, option in zip(bots[8:], VOTES[8:], strict=False):
        bot.vote(first, option)
    expect(laptop.locator("#moderator [data-voters]")).to_have_text(str(len(VOTES)), timeout=T)
    laptop.locator("#moderator [data-action=countdown-stop]").click()
    laptop.locator("[data-next-step]").click()
    expect(mirror.locator("[data-results]")).to_be_visible(timeout=T)
    laptop.locator("[data-queue] li").filter(has_text=COMMENTS[1][0]).locator(
        "button[data-queue-action=approve]"
    ).click()
    expect(laptop.locator("[data-next-step]")).not_to_have_text(
        "Stemming sluiten en resultaten tonen", timeout=T
    )
    shoot(laptop, "cockpit-results.png")
    expect(tablet.frame_locator("[data-mirror-frame]").locator("[data-results]")).to_be_visible(timeout=T)
    shoot(tablet, "cockpit-results-tablet.png")

    # The undo bar: the votes on the statement were reset a moment ago.
    laptop.locator("#moderator .controls [data-action=reset]").click()
    expect(laptop.locator("[data-undo-bar]")).to_be_visible(timeout=T)
    shoot(laptop, "cockpit-undo.png")
