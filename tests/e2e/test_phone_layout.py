"""Small phones, big text and fingers: the role screen and the ballot in a real browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.test_phone_ballot import Moderator

T = 10_000  # ms
ROLES = ["Burgemeester", "Politie", "Parket", "Gemeentelijke ambtenaar", "Andere"]


def statement_open(app: Any) -> None:
    moderator = Moderator(app)
    try:
        moderator.do("goto", statement=app.statement_ids[0])
        moderator.do("voting", open=True)
    finally:
        moderator.close()


def no_sideways_scroll(page: Page) -> None:
    # A mobile browser widens its layout viewport to fit content that is too wide (and
    # zooms out): compare with the screen's width, not with innerWidth.
    width = page.viewport_size["width"] if page.viewport_size else 0
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= width and sizes[1] <= width, f"the page is wider than {width}: {sizes}"


def test_a_tapped_role_leaves_no_option_looking_selected(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app(roles=ROLES)
    statement_open(app)
    phone = new_context(**phone_args).new_page()
    phone.goto(app.participant_url)
    role = phone.locator("[data-role-form] button[value=Burgemeester]")
    box = role.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    phone.touchscreen.tap(x, y)
    expect(phone.locator("[data-view=ballot]")).to_be_visible(timeout=T)
    # A real phone follows a tap with compatibility mouse events at the same point, which
    # leave :hover on whatever is under the finger; the emulated tap does not, so add them.
    phone.mouse.move(x, y)
    borders = phone.evaluate(
        """([x, y]) => {
            const under = document.elementFromPoint(x, y).closest('button.option');
            const other = [...document.querySelectorAll('form[data-options] button.option')]
                .find((b) => b !== under);
            return [under && getComputedStyle(under).borderColor, getComputedStyle(other).borderColor,
                    under && under.matches(':hover')];
        }""",
        [x, y],
    )
    assert borders[0] is not None, "no ballot option under the finger: move the tap"
    assert borders[0] == borders[1], f"the option under the finger looks chosen: {borders}"
    expect(phone.locator("form[data-options] [aria-pressed=true]")).to_have_count(0)


def test_the_whole_scale_shows_on_a_320_by_568_phone(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    statement = "Elke gemeente moet een aanspreekpunt bestuurlijke handhaving hebben."
    app = start_app(statements=[statement, "stmt 2"])
    statement_open(app)
    small = {**phone_args, "viewport": {"width": 320, "height": 568}, "screen": {
        "width": 320, "height": 568}}
    phone = new_context(**small).new_page()
    phone.goto(app.participant_url)
    expect(phone.locator("[data-statement]")).to_have_text(statement, timeout=T)
    # Both ends of the scale, and the middle, are on the first screen without scrolling.
    for option in ["strongly_agree", "neutral", "strongly_disagree"]:
        expect(phone.locator(f"form[data-options] button[value={option}]")).to_be_in_viewport(
            ratio=1
        )
    no_sideways_scroll(phone)


def test_at_200_percent_text_the_role_screen_does_not_scroll_sideways(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app(title="Veiligheidsavond Provincie Antwerpen", roles=ROLES)
    phone = new_context(**{**phone_args, "viewport": {"width": 320, "height": 640}}).new_page()
    phone.goto(app.participant_url)
    phone.evaluate("document.documentElement.style.fontSize = '200%'")  # the phone's text size
    expect(phone.locator("[data-view=role]")).to_be_visible(timeout=T)
    phone.wait_for_timeout(100)
    no_sideways_scroll(phone)
    for button in phone.locator("[data-role-form] button").all():
        assert button.evaluate("(b) => b.scrollWidth <= b.clientWidth"), button.inner_text()


def test_the_header_shows_the_whole_role(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app(title="Veiligheidsavond Provincie Antwerpen", roles=ROLES)
    for width in (320, 390):
        phone = new_context(**{**phone_args, "viewport": {"width": width, "height": 640}}).new_page()
        phone.goto(app.participant_url)
        phone.locator("[data-role-form] button[value=Burgemeester]").click()
        header = phone.locator("[data-change-role]")
        expect(header).to_be_visible(timeout=T)
        expect(header).to_contain_text("Burgemeester")
        assert header.evaluate(
            "(b) => b.scrollWidth <= b.clientWidth && b.scrollHeight <= b.clientHeight + 1"
        ), f"the role is cut off at {width} px"
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        no_sideways_scroll(phone)
