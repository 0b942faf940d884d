"""Presenter keys (static/js/keys.js): clicker and keyboard keys become messages, never scroll."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

T = 10_000  # ms

# A page with keys.js bound to a recording `send`, a tall body (so a key that scrolls
# would show), a text field, a contenteditable, a button and a listbox.
HARNESS = """async () => {
  const keys = await import('/static/js/keys.js');
  document.body.insertAdjacentHTML('beforeend', `
    <div id="harness" style="height: 5000px">
      <input id="field"><textarea id="area"></textarea><div id="editable" contenteditable>x</div>
      <button id="button">b</button><ul id="list" role="listbox" tabindex="0"></ul>
    </div>`);
  document.documentElement.style.overflow = 'auto';
  document.body.style.overflow = 'auto';
  window.sent = [];
  window.blank = false;
  window.fullscreens = 0;
  window.allowed = true;
  window.unbind = keys.bindPresenterKeys({
    send: (message) => window.sent.push(message),
    isBlank: () => window.blank,
    onFullscreen: () => { window.fullscreens += 1; },
    allowed: () => window.allowed,
  });
}"""


def harness(page: Page, url: str) -> None:
    page.goto(url)
    page.evaluate(HARNESS)
    page.locator("body").click(position={"x": 5, "y": 5})


def sent(page: Page) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = page.evaluate("window.sent.splice(0)")
    return messages


def test_keys_send_messages_and_never_scroll(live_app: Any, new_context: Any) -> None:
    page = new_context(viewport={"width": 1280, "height": 720}).new_page()
    harness(page, live_app.base_url + "/")
    for key in ("PageDown", "ArrowRight", "Space"):
        page.keyboard.press(key)
    assert sent(page) == [{"type": "advance"}] * 3
    for key in ("PageUp", "ArrowLeft"):
        page.keyboard.press(key)
    assert sent(page) == [{"type": "back"}] * 2
    page.keyboard.press("b")
    page.evaluate("window.blank = true")
    page.keyboard.press("B")
    page.keyboard.press(".")
    assert sent(page) == [
        {"type": "settings", "blank": True},
        {"type": "settings", "blank": False},
        {"type": "settings", "blank": False},
    ]
    page.keyboard.press("f")
    assert page.evaluate("window.fullscreens") == 1
    # None of them scrolled the (tall) page.
    assert page.evaluate("window.scrollY") == 0
    # Modifiers belong to the browser (Ctrl+PageDown switches tabs).
    page.keyboard.press("Control+PageDown")
    page.keyboard.press("Alt+ArrowLeft")
    assert sent(page) == []


def test_keys_leave_typing_buttons_and_widgets_alone(live_app: Any, new_context: Any) -> None:
    page = new_context(viewport={"width": 1280, "height": 720}).new_page()
    harness(page, live_app.base_url + "/")
    for field in ("#field", "#area", "#editable"):
        page.locator(field).focus()
        for key in ("PageDown", "ArrowRight", "Space", "b", "f", "PageUp"):
            page.keyboard.press(key)
    assert sent(page) == []
    assert page.locator("#field").input_value() == " bf"
    assert page.evaluate("window.fullscreens") == 0
    # Space clicks a focused button; the clicker's PageDown still advances.
    page.evaluate(
        "() => { window.clicks = 0; document.querySelector('#button').onclick = () => window.clicks++; }"
    )
    page.locator("#button").focus()
    page.keyboard.press("Space")
    assert page.evaluate("window.clicks") == 1
    page.keyboard.press("PageDown")
    assert sent(page) == [{"type": "advance"}]
    # Arrows move inside a listbox.
    page.locator("#list").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    assert sent(page) == [{"type": "back"}]
    # Not allowed (a projector without the moderator's session): the keys do nothing.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.evaluate("window.allowed = false")
    page.keyboard.press("PageDown")
    page.keyboard.press("b")
    assert sent(page) == []
    # A held key is one press.
    page.evaluate("window.allowed = true")
    page.keyboard.down("PageDown")
    page.keyboard.down("PageDown")
    page.keyboard.up("PageDown")
    assert sent(page) == [{"type": "advance"}]
    page.evaluate("window.unbind()")
    page.keyboard.press("PageDown")
    assert sent(page) == []
