"""WCAG 2.2 AA checks with axe-core on every page, in every language, in each state."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

T = 10_000  # ms
AXE = Axe()
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def check(page: Page, where: str) -> None:
    results = AXE.run(page, options=WCAG)
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_page_passes_axe(
    start_app: Any, new_context: Any, phone_args: dict[str, Any], language: str
) -> None:
    statements = ["Eerste stelling.", "Tweede stelling."]
    app = start_app("Toegankelijk", statements, "likert5", ["Politie", "Andere"])
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale=language).new_page()
    moderator.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale=language).new_page()
    projector.goto(app.projector_url)
    phone = new_context(**{**phone_args, "locale": language}).new_page()
    phone.goto(app.base_url)
    check(phone, "join page")
    phone.goto(app.participant_url)
    expect(phone.locator("[data-view=role]")).to_be_visible(timeout=T)
    check(phone, "role choice")
    phone.locator("[data-view=role] button").first.click()
    expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)
    check(phone, "phone waiting")
    check(projector, "projector welcome")
    check(moderator, "moderator, nothing on screen")

    moderator.locator(f"li[data-id='{app.statement_ids[0]}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(phone.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)
    check(phone, "phone ballot")
    phone.locator("form[data-options] button.option").nth(1).click()
    expect(phone.locator("[data-vote-status]")).not_to_be_empty(timeout=T)
    phone.locator("#comment-text").fill("Een reactie")
    phone.locator("[data-comment-form] button[type=submit]").click()
    expect(moderator.locator("[data-queue] li")).to_have_count(1, timeout=T)
    check(phone, "phone voted")
    check(moderator, "moderator with a vote and a comment")
    moderator.locator("#moderator .controls [data-action=toggle-projector]").click()
    moderator.locator("#moderator .controls [data-action=toggle-phones]").click()
    expect(projector.locator("[data-results]")).to_be_visible(timeout=T)
    expect(phone.locator("[data-results]")).to_be_visible(timeout=T)
    check(projector, "projector with results")
    check(phone, "phone with results")
    moderator.locator("[data-queue] button[data-queue-action=screen]").click()
    expect(projector.locator("[data-highlight]")).to_be_visible(timeout=T)
    check(projector, "projector with a highlighted comment")
    moderator.locator("[data-action=help]").click()
    check(moderator, "moderator help dialog")

    report = new_context(locale=language).new_page()
    report.goto(app.moderator_url)
    report.goto(f"{app.base_url}/m/{app.code}/report")
    check(report, "report")
    report.goto(f"{app.base_url}/admin")
    check(report, "organiser login")


def test_phone_in_dark_mode_landscape_and_at_200_percent_text(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(live_app.moderator_url)
    moderator.locator(f"li[data-id='{live_app.statement_ids[0]}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()

    dark = new_context(**phone_args, color_scheme="dark").new_page()
    dark.goto(live_app.participant_url)
    expect(dark.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)
    assert dark.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(243, 244, 246)"
    check(dark, "phone ballot, dark mode")

    landscape = {**phone_args, "viewport": {"width": 844, "height": 390}}
    phone = new_context(**landscape).new_page()
    phone.goto(live_app.participant_url)
    phone.evaluate("document.documentElement.style.fontSize = '200%'")
    buttons = phone.locator("form[data-options] button.option")
    expect(buttons.first).to_be_enabled(timeout=T)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 844, f"the ballot scrolls sideways at 200% text in landscape ({width}px)"
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 48, box
    buttons.first.click()
    expect(phone.locator("[data-vote-status]")).not_to_be_empty(timeout=T)
    check(phone, "phone at 200% text, landscape")
