"""What the room is told on the beamer: round 2, the countdown, the end screen; the favicon."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone
from tests.e2e.projector_helpers import ModeratorBot, font_sizes, vote_all
from tests.e2e.test_screenshots import assert_projector_fits

T = 10_000  # ms

# Keeps the page's sockets and the latest state it received, so a test can hand the page a
# state frame the server would send (a countdown, the end screen) on its real socket.
CAPTURE = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        if (message.type === 'state') window.__state = message;
      });
    }
  };
})();"""
INJECT = """(changes) => {
  const message = { ...window.__state, ...changes };
  const socket = window.__sockets[window.__sockets.length - 1];
  socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
}"""


def projector(new_context: Any, app: Any, width: int = 1920, language: str = "en") -> Page:
    page = new_context(viewport={"width": width, "height": width * 9 // 16}, locale=language).new_page()
    page.add_init_script(CAPTURE)
    page.goto(app.projector_url)
    page.wait_for_function("() => window.__state !== undefined", timeout=T)
    return page


def inject(page: Page, **changes: Any) -> None:
    page.evaluate(INJECT, changes)


def test_round_two_is_announced(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    page = projector(new_context, live_app)
    bots = join_bots(live_app, 3)
    moderator = ModeratorBot(live_app)
    try:
        first = live_app.statement_ids[0]
        moderator.do({"type": "goto", "statement": first})
        moderator.do({"type": "voting", "open": True})
        vote_all(bots, first, ["agree", "agree", "disagree"])
        banner = page.locator("[data-round-banner]")
        expect(page.locator("[data-turnout]")).to_have_text("3 of 3 voted", timeout=T)
        expect(banner).to_be_hidden()
        moderator.do({"type": "round", "statement": first})
        expect(banner).to_have_text("Round 2: vote again", timeout=T)
        expect(banner).to_be_visible()
        expect(page.locator("[data-turnout]")).to_have_text("0 of 3 voted", timeout=T)
        assert (font_sizes(page, {"banner": "[data-round-banner]"})["banner"] or 0) >= 48
        page.reload()  # the first render from HTTP says it too
        expect(banner).to_be_visible()
        # Closing the second round: the banner goes; results show both rounds.
        moderator.do({"type": "voting", "open": False})
        expect(banner).to_be_hidden(timeout=T)
    finally:
        moderator.close()


def test_countdown_from_the_servers_deadline(live_app: Any, new_context: Any) -> None:
    page = projector(new_context, live_app)
    moderator = ModeratorBot(live_app)
    try:
        moderator.do({"type": "goto", "statement": live_app.statement_ids[0]})
        moderator.do({"type": "voting", "open": True})
        expect(page.locator("[data-voting]")).to_have_class("pill open", timeout=T)
    finally:
        moderator.close()
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_hidden()
    # This computer's clock is an hour behind the server's: the time left still counts from
    # the server's deadline (42 s after the server's now).
    server_now = time.time() + 3600
    inject(page, server_time=server_now, countdown={"ends_at": server_now + 42, "seconds": 60})
    expect(countdown).to_be_visible()
    expect(countdown.locator("[data-countdown-time]")).to_have_text("0:42")
    expect(countdown).to_have_attribute("aria-label", "0:42 left to vote")
    expect(page.locator("[data-voting]")).to_be_hidden()
    sizes = font_sizes(page, {"time": "[data-countdown-time]"})
    assert (sizes["time"] or 0) >= 56, sizes
    box = countdown.bounding_box()
    assert box is not None and box["height"] >= 180
    assert_projector_fits(page)
    # It counts down by itself, and turns red for the last ten seconds.
    expect(countdown.locator("[data-countdown-time]")).to_have_text("0:41", timeout=3000)
    server_now = time.time()
    inject(page, server_time=server_now, countdown={"ends_at": server_now + 3, "seconds": 60})
    expect(countdown).to_have_class("countdown ending")
    expect(countdown.locator("[data-countdown-time]")).to_have_text("0:00", timeout=6000)
    # The server closes voting at zero and stops the countdown.
    inject(page, countdown=None, voting=False)
    expect(countdown).to_be_hidden()
    expect(page.locator("[data-voting]")).to_have_text("Voting is closed")


@pytest.mark.parametrize(
    ("language", "people", "count", "report"),
    [
        ("en", 51, "51 people took part", "The report: 127.0.0.1:{port}/r/abc"),
        ("en", 1, "1 person took part", "The organiser will share the report afterwards."),
        ("fr", 0, "0 personne a participé", None),
    ],
)
def test_end_screen(
    live_app: Any, new_context: Any, language: str, people: int, count: str, report: str | None
) -> None:
    page = projector(new_context, live_app, language=language)
    end = page.locator("[data-end]")
    expect(end).to_be_hidden()
    token = "/r/abc" if report and "{port}" in report else None
    inject(page, ended=True, statement=None, voting=False, end={"participants": people, "report": token})
    expect(end).to_be_visible()
    expect(page.locator(".join-panel")).to_be_hidden()
    expect(page.locator("[data-statement]")).to_be_hidden()  # not "scan the code to take part"
    expect(end.locator("[data-end-count]")).to_have_text(count)
    if report:
        expect(end.locator("[data-end-report]")).to_have_text(report.format(port=live_app.port))
    parts = {"thanks": ".end-thanks", "count": "[data-end-count]", "report": "[data-end-report]"}
    sizes = font_sizes(page, parts)
    assert min(v or 0 for v in sizes.values()) >= 48, sizes
    inject(page, ended=False, end=None)
    expect(end).to_be_hidden()
    expect(page.locator(".join-panel")).to_be_visible()


def test_favicon(live_app: Any, new_context: Any) -> None:
    page = new_context().new_page()
    for url in (live_app.projector_url, live_app.participant_url, live_app.moderator_url):
        page.goto(url)
        href = page.locator("link[rel=icon]").get_attribute("href")
        assert href and href.startswith("/static/favicon.svg?v=")
        response = page.request.get(f"{live_app.base_url}{href}")
        assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in response.body()


def test_real_server_countdown_and_end_screen(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    """End to end: the moderator's countdown and end screen as the server sends them, and
    the presenter projector walking the evening with PageDown."""
    laptop = new_context(viewport={"width": 1920, "height": 1080}, locale="en")
    laptop.new_page().goto(live_app.moderator_url)
    page = laptop.new_page()
    page.goto(live_app.projector_url)
    expect(page.locator("#projector")).to_have_attribute("data-presenter", "", timeout=T)
    bots = join_bots(live_app, 2)
    page.keyboard.press("PageDown")  # welcome → the first statement
    expect(page.locator("[data-statement]")).to_have_text(live_app.statements[0], timeout=T)
    moderator = ModeratorBot(live_app)
    try:
        moderator.do({"type": "countdown", "seconds": 30})
        countdown = page.locator("[data-countdown]")
        expect(countdown).to_be_visible(timeout=T)
        expect(countdown.locator("[data-countdown-time]")).to_have_text(re.compile(r"0:(30|29|28)"))
        vote_all(bots, live_app.statement_ids[0], ["agree", "agree"])
        expect(page.locator("[data-turnout]")).to_have_text("2 of 2 voted", timeout=T)
        moderator.do({"type": "countdown", "seconds": None})
        expect(countdown).to_be_hidden(timeout=T)
        moderator.do({"type": "end", "on": True})
        end = page.locator("[data-end]")
        expect(end).to_be_visible(timeout=T)
        expect(end.locator("[data-end-count]")).to_have_text("2 people took part")
        expect(page.locator(".join-panel")).to_be_hidden()
        page.reload()  # the first render from HTTP is the end screen too
        expect(end).to_be_visible()
        expect(end.locator("[data-end-count]")).to_have_text("2 people took part")
    finally:
        moderator.close()
