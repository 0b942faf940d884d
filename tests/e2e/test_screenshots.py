"""A realistic evening, photographed for docs/screenshots/, plus layout checks on the beamer.

One phone is a real (emulated) iPhone page; eleven more phones are plain WebSocket
clients that join with a cookie, like a browser would, and vote. Twelve participants in
all. The projector must never scroll and a 280-character statement must fit, at 1080p
and at 720p.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone
from voting.demo import DEMO_STATEMENTS, DEMO_TITLE

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The pictures land in docs/screenshots/ only when asked (make screenshots); an ordinary
# test run writes them to a temporary folder, so it never dirties the checkout.
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("VOTING_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="voting-screenshots-"))
)
T = 10_000  # ms

LONG_STATEMENT = (
    "Om de veiligheid in onze wijken echt te verbeteren, moet de gemeente niet alleen"
    " investeren in camera's en extra politie op straat, maar ook in straathoekwerk, goede"
    " verlichting, buurtbemiddeling en een meldpunt dat 's avonds en in het weekend"
    " bereikbaar is voor al haar inwoners."
)
DECK = [*DEMO_STATEMENTS, LONG_STATEMENT]

# Eleven WebSocket phones per statement; the browser phone adds one more vote.
BOT_VOTES = {
    0: ["strongly_agree"] * 3 + ["agree"] * 3 + ["neutral", "disagree", "disagree"]
    + ["strongly_disagree", "pass"],
    len(DECK) - 1: ["strongly_agree", "agree", "agree", "neutral", "neutral", "disagree"]
    + ["disagree", "disagree", "strongly_disagree", "strongly_disagree", "agree"],
}
PHONE_VOTE = {0: "agree", len(DECK) - 1: "neutral"}


def shoot(page: Page, name: str, **options: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled", **options)


LAYOUT = """() => {
  const root = document.documentElement;
  const box = (el) => el.getBoundingClientRect().toJSON();
  const statement = document.querySelector('[data-statement]');
  const stage = statement.closest('.stage');
  const live = stage.querySelector('.live');
  return {
    scrollHeight: root.scrollHeight, innerHeight: window.innerHeight,
    scrollWidth: root.scrollWidth, innerWidth: window.innerWidth,
    statement: box(statement), stage: box(stage), live: box(live),
    statementScroll: [statement.scrollWidth, statement.clientWidth,
                      statement.scrollHeight, statement.clientHeight],
    fontSize: getComputedStyle(statement).fontSize,
    second: (() => {
      const el = document.querySelector('[data-statement-second]');
      if (!el || el.hidden) return null;
      return { ...box(el), scroll: [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight] };
    })(),
    joinCode: box(document.querySelector('.join-code')),
    joinCodeFont: parseFloat(getComputedStyle(document.querySelector('.join-code')).fontSize),
    joinPanel: box(document.querySelector('.join-panel')),
  };
}"""


def assert_projector_fits(page: Page) -> dict[str, Any]:
    m = page.evaluate(LAYOUT)
    where = f"at {m['innerWidth']}x{m['innerHeight']}: {m}"
    assert m["scrollHeight"] <= m["innerHeight"], f"projector scrolls vertically {where}"
    assert m["scrollWidth"] <= m["innerWidth"], f"projector scrolls horizontally {where}"
    s, stage, live = m["statement"], m["stage"], m["live"]
    sw, cw, sh, ch = m["statementScroll"]
    # One pixel is the browser rounding a fractional line box, not text that overflows.
    assert sw <= cw + 1 and sh <= ch + 1, f"statement text overflows its own box {where}"
    assert stage["left"] - 0.5 <= s["left"] and s["right"] <= stage["right"] + 0.5, where
    assert stage["top"] - 0.5 <= s["top"] and s["bottom"] <= stage["bottom"] + 0.5, where
    assert s["bottom"] <= live["top"] + 0.5, f"statement runs into the counts/chart {where}"
    assert live["bottom"] <= stage["bottom"] + 0.5, f"chart pushed off the stage {where}"
    second = m["second"]
    if second is not None:  # a second language under the statement fits too
        sw2, cw2, sh2, ch2 = second["scroll"]
        assert sw2 <= cw2 and sh2 <= ch2, f"second language overflows its box {where}"
        assert s["bottom"] <= second["top"] + 0.5 and second["bottom"] <= live["top"] + 0.5, where
    code, panel = m["joinCode"], m["joinPanel"]
    assert code["height"] < 1.6 * m["joinCodeFont"], f"join code wraps onto two lines {where}"
    assert panel["left"] <= code["left"] and code["right"] <= panel["right"], where
    return m


@pytest.mark.timeout(180)
def test_screenshots(
    start_app: Any,
    new_context: Any,
    phone_args: dict[str, Any],
    join_bots: Callable[[Any, int], list[BotPhone]],
) -> None:
    assert len(LONG_STATEMENT) == 280
    app = start_app(DEMO_TITLE, DECK, "likert5")
    first, long_id = app.statement_ids[0], app.statement_ids[-1]

    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(app.projector_url)
    small = new_context(viewport={"width": 1280, "height": 720}, locale="nl-BE").new_page()
    small.goto(app.projector_url)
    phone_size = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
    phone = new_context(**{**phone_args, **phone_size}).new_page()
    phone.goto(app.participant_url)

    bots = join_bots(app, 11)
    expect(moderator.locator("[data-connected]")).to_have_text("12", timeout=T)

    # Before the first statement: the welcome screen with the join panel.
    expect(projector.locator("#projector")).to_have_class("welcome", timeout=T)
    expect(projector.locator("img.qr")).to_have_js_property("complete", True, timeout=T)
    shoot(projector, "projector-welcome.png")
    expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)
    shoot(phone, "phone-waiting.png", scale="css")

    # Statement 1: voting opens, everybody votes, results still hidden.
    moderator.locator(f"li[data-id='{first}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(phone.locator("button.option[value=agree]")).to_be_enabled(timeout=T)
    phone.locator(f"button.option[value={PHONE_VOTE[0]}]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text("✓ Je stem is bewaard", timeout=T)
    for bot, option in zip(bots, BOT_VOTES[0], strict=True):
        bot.vote(first, option)
    expect(projector.locator("[data-voters]")).to_have_text("12", timeout=T)
    expect(projector.locator("[data-joined]")).to_have_text("12", timeout=T)
    expect(projector.locator("[data-results-hidden]")).to_be_visible()
    shoot(phone, "phone-ballot.png", scale="css")
    shoot(projector, "projector-hidden.png")

    # Results on the projector: 7 of the 11 opinions agree (one phone passed).
    moderator.locator("#moderator .controls [data-action=toggle-projector]").click()
    expect(projector.locator("[data-results]")).to_be_visible(timeout=T)
    legend = projector.locator("[data-results] .chart-legend li[data-option=strongly_agree] .pct")
    expect(legend).to_have_text("27%", timeout=T)  # 3 of the 11 who did not pass
    shoot(projector, "projector-results.png")
    expect(small.locator("[data-results]")).to_be_visible(timeout=T)
    shoot(small, "projector-720p.png")
    assert_projector_fits(projector)
    assert_projector_fits(small)

    # Results on the phones too.
    moderator.locator("#moderator .controls [data-action=toggle-phones]").click()
    results = phone.locator("[data-results]")
    expect(results).to_be_visible(timeout=T)
    expect(results.locator(".chart-legend li[data-option=agree] .pct")).to_have_text("36%")
    results.scroll_into_view_if_needed()
    shoot(phone, "phone-results.png", scale="css")

    expect(moderator.locator("#moderator [data-voters]")).to_have_text("12", timeout=T)
    shoot(moderator, "moderator.png")
    # On a laptop the statement list stands beside the controls, not below them.
    current = moderator.locator("#moderator .current").bounding_box()
    listing = moderator.locator("#moderator .list").bounding_box()
    assert current is not None and listing is not None
    assert abs(listing["y"] - current["y"]) < 2 and listing["x"] > current["x"] + current["width"]
    # Comments: three from the room, one from the phone; the moderator publishes two and
    # puts one on the projector.
    comments = [
        ("Zonder gedeelde databank blijft dit dweilen met de kraan open.", "Korpschef Zone Noord"),
        ("Kleine gemeenten kunnen zo'n medewerker niet alleen betalen: deel hem per zone.", None),
        ("Eerst de bestaande APA-netwerken versterken.", "Schepen Els"),
    ]
    for bot, (text, name) in zip(bots, comments, strict=False):
        bot.comment(first, text, name)
    phone.locator("#comment-text").fill("Graag een voorbeeld uit een kleine gemeente.")
    phone.locator("[data-comment-form] button[type=submit]").click()
    expect(phone.locator("[data-comment-status]")).to_contain_text("Verstuurd", timeout=T)
    queue = moderator.locator("[data-queue] li")
    expect(queue).to_have_count(4, timeout=T)
    by_text = {text: queue.filter(has_text=text) for text, _ in comments}
    by_text[comments[1][0]].locator("button[data-queue-action=approve]").click()
    by_text[comments[0][0]].locator("button[data-queue-action=screen]").click()
    expect(projector.locator("[data-highlight] blockquote")).to_have_text(comments[0][0], timeout=T)
    expect(moderator.locator("[data-pending-count]")).to_have_text("2 wachtend", timeout=T)
    expect(phone.locator("[data-comment-list] button.support")).to_have_count(2, timeout=T)
    phone.locator("[data-comment-list] li").filter(has_text=comments[0][0]).locator("button").click()
    expect(projector.locator("[data-highlight-support]")).to_have_text("1 × ik ook", timeout=T)
    shoot(projector, "projector-comment.png")
    moderator.locator(".queue").scroll_into_view_if_needed()
    shoot(moderator, "moderator-comments.png")
    phone.locator("[data-comments]").scroll_into_view_if_needed()
    shoot(phone, "phone-comments.png", scale="css")
    assert_projector_fits(projector)
    moderator.locator("[data-queue] button[data-queue-action=screen]").filter(
        has_text="Van het scherm"
    ).click()
    expect(projector.locator("[data-highlight]")).to_be_hidden(timeout=T)

    tablet = new_context(viewport={"width": 820, "height": 1180}, locale="nl-BE").new_page()
    tablet.goto(f"{app.base_url}/m/{app.code}?token={app.token}")
    expect(tablet.locator("#moderator [data-voters]")).to_have_text("12", timeout=T)
    width = tablet.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the console scrolls sideways on a tablet ({width}px)"
    shoot(tablet, "moderator-tablet.png")

    # The longest statement the app accepts, with results, at 1080p and 720p.
    moderator.locator(f"li[data-id='{long_id}'] button[data-action=goto]").click()
    # Toggle only once the console shows the new statement (voting closed), or the click
    # may close the vote the console still believes open.
    toggle = moderator.locator("#moderator .controls [data-action=toggle-voting]")
    expect(toggle).to_have_text("Stemming openen", timeout=T)
    toggle.click()
    expect(phone.locator("[data-statement]")).to_have_text(LONG_STATEMENT, timeout=T)
    expect(phone.locator("button.option[value=neutral]")).to_be_enabled(timeout=T)
    phone.locator(f"button.option[value={PHONE_VOTE[len(DECK) - 1]}]").click()
    for bot, option in zip(bots, BOT_VOTES[len(DECK) - 1], strict=True):
        bot.vote(long_id, option)
    moderator.locator("#moderator .controls [data-action=toggle-projector]").click()
    for page in (projector, small):
        expect(page.locator("[data-statement]")).to_have_text(LONG_STATEMENT, timeout=T)
        expect(page.locator("[data-voters]")).to_have_text("12", timeout=T)
        expect(page.locator("[data-results]")).to_be_visible(timeout=T)
    shoot(projector, "projector-long-statement.png")
    shoot(small, "projector-long-statement-720p.png")
    assert_projector_fits(projector)
    assert_projector_fits(small)
