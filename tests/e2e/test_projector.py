"""The beamer: full-screen QR code, the high-contrast theme, 4K, and contrast of the text."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.test_screenshots import LONG_STATEMENT, assert_projector_fits, shoot

T = 10_000  # ms
CONTRAST = """(selector) => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const element = document.querySelector(selector);
  let background = element;
  while (background && getComputedStyle(background).backgroundColor === "rgba(0, 0, 0, 0)") {
    background = background.parentElement;
  }
  const fg = luminance(getComputedStyle(element).color);
  const bg = luminance(background ? getComputedStyle(background).backgroundColor : "rgb(255,255,255)");
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


def setting(moderator: Page, name: str) -> None:
    moderator.locator(f"[data-setting={name}]").click()


def test_show_qr_high_contrast_and_4k(start_app: Any, new_context: Any) -> None:
    app = start_app("Provinciale veiligheidsavond", ["Kort.", LONG_STATEMENT])
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(app.projector_url)
    uhd = new_context(viewport={"width": 3840, "height": 2160}, locale="nl-BE").new_page()
    uhd.goto(app.projector_url)

    # "Show QR" at the start: the code fills the beamer and stays a readable size.
    setting(moderator, "show_qr")
    expect(projector.locator("#projector")).to_have_class("welcome qr-full", timeout=T)
    expect(projector.locator(".stage")).to_be_hidden()
    box = projector.locator("img.qr").bounding_box()
    assert box is not None and box["height"] >= 0.6 * 1080 and box["width"] == box["height"]
    shoot(projector, "projector-qr.png")
    # Moving to a statement puts the statement back.
    moderator.locator(f"li[data-id='{app.statement_ids[1]}'] button[data-action=goto]").click()
    expect(projector.locator("#projector")).to_have_class("has-statement", timeout=T)
    expect(moderator.locator("[data-setting=show_qr]")).not_to_be_checked()

    # The longest statement with results fits at 1080p and at 4K; the text contrast is ≥ 7:1.
    moderator.locator("#moderator .controls [data-action=toggle-projector]").click()
    for page in (projector, uhd):
        expect(page.locator("[data-statement]")).to_have_text(LONG_STATEMENT, timeout=T)
        expect(page.locator("[data-results]")).to_be_visible(timeout=T)
        assert_projector_fits(page)
        assert page.evaluate(CONTRAST, "[data-statement]") >= 7
    shoot(uhd, "projector-4k.png")

    # High contrast for a weak beamer: white on black, still fitting, QR still on white.
    setting(moderator, "high_contrast")
    expect(projector.locator("body")).to_have_class("projector high-contrast", timeout=T)
    assert projector.evaluate(CONTRAST, "[data-statement]") >= 15
    assert projector.evaluate("getComputedStyle(document.querySelector('img.qr')).backgroundColor") == (
        "rgb(255, 255, 255)"
    )
    assert_projector_fits(projector)
    shoot(projector, "projector-high-contrast.png")
    projector.reload()  # the theme is part of the event's state
    expect(projector.locator("body")).to_have_class("projector high-contrast")
