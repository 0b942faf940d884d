"""The projector the moderator opened drives the evening with clicker keys; B blacks out
every projector; F and the button go full screen; other projectors ignore the keys."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

T = 10_000  # ms


def record_frames(page: Page) -> list[dict[str, Any]]:
    """Every message the page sends on its WebSocket."""
    frames: list[dict[str, Any]] = []

    def on_socket(ws: Any) -> None:
        ws.on("framesent", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    return frames


def presenter_keys(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] in ("advance", "back", "next", "prev", "settings")]


def test_presenter_projector_blanks_every_projector(live_app: Any, new_context: Any) -> None:
    # The moderator's laptop: the console's link, then the projector in the same browser.
    laptop = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE")
    laptop.new_page().goto(live_app.moderator_url)
    presenter = laptop.new_page()
    frames = record_frames(presenter)
    presenter.goto(live_app.projector_url)
    # A projector anybody opened: no keys.
    other = new_context(viewport={"width": 1280, "height": 720}, locale="nl-BE").new_page()
    other_frames = record_frames(other)
    other.goto(live_app.projector_url)
    expect(presenter.locator("#projector")).to_have_attribute("data-presenter", "", timeout=T)
    expect(other.locator("[data-conn]")).to_be_empty(timeout=T)
    expect(other.locator("#projector")).not_to_have_attribute("data-presenter", "")

    # B: black on every projector, nothing visible; B again: back.
    presenter.keyboard.press("b")
    for page in (presenter, other):
        expect(page.locator("body")).to_have_class("projector blank", timeout=T)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
        expect(page.locator(".join-code")).not_to_be_visible()
        expect(page.locator("[data-statement]")).not_to_be_visible()
    other.reload()  # black is part of the event's state
    expect(other.locator("body")).to_have_class("projector blank")
    presenter.keyboard.press("b")
    for page in (presenter, other):
        expect(page.locator("body")).to_have_class("projector", timeout=T)
        expect(page.locator(".join-code")).to_be_visible()
    assert presenter_keys(frames) == [
        {"type": "settings", "blank": True},
        {"type": "settings", "blank": False},
    ]

    # The clicker's keys go out as advance / back, and never scroll.
    presenter.keyboard.press("PageDown")
    presenter.keyboard.press("PageUp")
    presenter.keyboard.press("ArrowRight")
    presenter.keyboard.press("Space")
    assert presenter_keys(frames)[2:] == [
        {"type": "advance"},
        {"type": "back"},
        {"type": "advance"},
        {"type": "advance"},
    ]
    assert presenter.evaluate("window.scrollY") == 0

    # Another projector's keys do nothing.
    other.locator("body").click(position={"x": 400, "y": 400})
    for key in ("b", "PageDown", "ArrowRight", "PageUp"):
        other.keyboard.press(key)
    other.wait_for_timeout(300)
    assert presenter_keys(other_frames) == []
    expect(other.locator("body")).to_have_class("projector")


def test_fullscreen_button_and_f(live_app: Any, new_context: Any) -> None:
    page = new_context(viewport={"width": 1280, "height": 720}, locale="en").new_page()
    page.goto(live_app.projector_url)
    button = page.locator("[data-fullscreen]")
    expect(button).to_have_text("Full screen")
    button.click()
    page.wait_for_function("() => document.fullscreenElement !== null", timeout=T)
    expect(button).to_be_hidden()
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null", timeout=T)
    expect(button).to_be_visible()
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null", timeout=T)
