"""The moderator's cockpit in a real browser against the real server: one screen without
scrolling (laptop and tablet), the projector's mirror, the next step, presenter keys, the
countdown, the end screen, undo, the edit warning, live counts with plurals."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone

T = 10_000  # ms

LAPTOP = {"width": 1440, "height": 900}
TABLETS = [{"width": 1024, "height": 768}, {"width": 820, "height": 1180}]

# Every control the evening needs, and where it is: inside the viewport, the page not scrolling.
FITS = """() => {
  const root = document.documentElement;
  const outside = [];
  const drawer = document.querySelector('#moderator .list');
  const drawerClosed = getComputedStyle(drawer).visibility === 'hidden';
  const selector = '.topbar a, .topbar button, .topbar summary, .screen iframe, [data-next-statement], ' +
    '#moderator .current button, #moderator .current input, #moderator .current select, ' +
    '.queue h2, .queue input, .list h2, .list .sort select';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden]') || el.closest('details:not([open]) > :not(summary)')) continue;
    if (drawerClosed && drawer.contains(el)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) {
      const name = el.dataset.action || el.textContent.trim().slice(0, 30);
      outside.push(`${el.tagName}.${el.className}[${name}] ${JSON.stringify(r)}`);
    }
  }
  return {scrollHeight: root.scrollHeight, innerHeight, scrollWidth: root.scrollWidth, innerWidth,
          scrollY, outside, drawerClosed};
}"""


def console(new_context: Any, app: Any, viewport: dict[str, int] = LAPTOP, locale: str = "en-GB") -> Page:
    page: Page = new_context(viewport=viewport, locale=locale).new_page()
    page.goto(app.moderator_url)
    expect(page.locator("[data-conn]")).to_have_attribute("data-status", "online", timeout=T)
    return page


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirmation, keeping what it said."""
    said: list[str] = []

    def answer(dialog: Any) -> None:
        said.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    return said


def assert_fits(page: Page) -> dict[str, Any]:
    m = page.evaluate(FITS)
    where = f"at {m['innerWidth']}x{m['innerHeight']}: {m}"
    assert m["scrollHeight"] <= m["innerHeight"], f"the console scrolls {where}"
    assert m["scrollWidth"] <= m["innerWidth"], f"the console scrolls sideways {where}"
    assert m["outside"] == [], f"controls outside the viewport {where}"
    return m


def goto(page: Page, statement_id: int) -> None:
    """Show a statement from the list (on a tablet: from the side panel, which then closes)."""
    if page.locator(".list-toggle").is_visible():
        page.locator(".list-toggle").click()
    page.locator(f"li[data-id='{statement_id}'] button[data-action=goto]").click()
    expect(page.locator(f"li[data-id='{statement_id}']")).to_have_attribute("aria-current", "true", timeout=T)


@pytest.mark.parametrize("viewport", [LAPTOP, *TABLETS], ids=lambda v: f"{v['width']}x{v['height']}")
def test_one_screen_without_scrolling(
    start_app: Any,
    new_context: Any,
    join_bots: Callable[[Any, int], list[BotPhone]],
    viewport: dict[str, int],
) -> None:
    long = "Om de veiligheid in onze wijken echt te verbeteren, moet de gemeente " * 4
    app = start_app(
        "Veiligheidsavond met een lange titel voor de burgemeesters van de regio",
        [long[:280], "Tweede stelling.", "Derde stelling."],
        roles=["Burgemeester", "Politie", "Justitie", "Personeel", "Andere"],
    )
    page = console(new_context, app, viewport)
    assert_fits(page)
    bots = join_bots(app, 9)
    goto(page, app.statement_ids[0])
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    for index, bot in enumerate(bots):
        bot.ask({"type": "role", "role": ["Burgemeester", "Politie", "Justitie"][index % 3]}, "state")
        bot.vote(app.statement_ids[0], ["agree", "disagree", "neutral"][index % 3])
        bot.comment(app.statement_ids[0], f"Reactie nummer {index} met wat meer tekst erbij om te wrappen.")
    expect(page.locator("#moderator [data-voters]")).to_have_text("9", timeout=T)
    expect(page.locator("[data-queue] li")).to_have_count(9, timeout=T)
    page.locator("#moderator .controls [data-action=toggle-by-role]").click()
    expect(page.locator("#moderator .controls [data-action=toggle-by-role]")).to_have_attribute(
        "aria-pressed", "true", timeout=T
    )
    expect(page.locator("[data-by-role]")).to_be_visible(timeout=T)
    m = assert_fits(page)
    # On a tablet the statement list is a side panel: it opens over the cockpit, fits, closes.
    if m["drawerClosed"]:
        page.locator(".list-toggle").click()
        expect(page.locator("#moderator .list")).to_be_in_viewport(ratio=1, timeout=T)
        box = page.locator("#moderator .list").bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"] + 0.5
        assert box["height"] <= viewport["height"] + 0.5
        page.locator(".list-close").click()
        expect(page.locator("#moderator .list")).to_be_hidden(timeout=T)
    else:  # on a laptop it stands beside the controls, under a top bar of one line
        bar = page.locator(".topbar").bounding_box()
        assert bar is not None and bar["height"] < 64, f"the top bar wraps: {bar}"
        current = page.locator("#moderator .current").bounding_box()
        listing = page.locator("#moderator .list").bounding_box()
        assert current is not None and listing is not None
        assert listing["x"] >= current["x"] + current["width"]
    # The presenter keys never scroll the page, not even with the focus on the comment list.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("PageDown")
    page.keyboard.press("Space")
    assert page.evaluate("scrollY") == 0
    assert_fits(page)


def test_mirror_shows_what_the_projector_shows(live_app: Any, new_context: Any) -> None:
    page = console(new_context, live_app)
    frame = page.frame_locator("[data-mirror-frame]")
    # The real projector page, scaled into its panel, following the room.
    expect(frame.locator("#projector")).to_have_class("welcome", timeout=T)
    goto(page, live_app.statement_ids[1])
    expect(frame.locator("[data-statement]")).to_have_text(live_app.statements[1], timeout=T)
    box = page.locator("[data-mirror]").bounding_box()
    inner = page.locator("[data-mirror-frame]").bounding_box()
    assert box is not None and inner is not None
    assert abs(inner["width"] - box["width"]) < 3 and inner["height"] <= box["height"] + 3  # scaled, whole
    # It takes no focus and no keys: Tab never lands in it.
    assert page.locator("[data-mirror-frame]").evaluate("(el) => el.inert") is True
    # The next statement is previewed.
    expect(page.locator("[data-next-statement]")).to_contain_text(live_app.statements[2])


def test_results_toggle_says_when_a_comment_covers_them(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    page = console(new_context, live_app)
    goto(page, live_app.statement_ids[0])
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    (bot,) = join_bots(live_app, 1)
    bot.comment(live_app.statement_ids[0], "Een reactie voor het scherm.")
    page.locator("#moderator .controls [data-action=toggle-projector]").click()
    note = page.locator("[data-results-note]")
    expect(page.locator("[data-queue] li")).to_have_count(1, timeout=T)
    expect(note).to_be_hidden()
    page.locator("[data-queue] button[data-queue-action=screen]").click()
    expect(note).to_be_visible(timeout=T)
    expect(note).to_contain_text("comment")
    expect(page.frame_locator("[data-mirror-frame]").locator("[data-highlight]")).to_be_visible(timeout=T)
    page.locator("[data-queue] button[data-queue-action=screen]").click()
    expect(note).to_be_hidden(timeout=T)


def test_live_counts_with_plurals_and_joined(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    page = console(new_context, live_app)
    bots = join_bots(live_app, 3)
    first = live_app.statement_ids[0]
    goto(page, first)
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    meta = page.locator(f"li[data-id='{first}'] .meta")
    expect(meta).to_have_text("0 votes", timeout=T)
    bots[0].vote(first, "agree")
    expect(meta).to_have_text("1 vote", timeout=T)  # live, from the tally, singular
    expect(page.locator("[data-counts]")).to_have_text("1 of 3 voted · Voting is open", timeout=T)
    bots[1].vote(first, "disagree")
    expect(meta).to_have_text("2 votes", timeout=T)
    expect(page.locator("[data-counts]")).to_have_text("2 of 3 voted · Voting is open", timeout=T)
    # Dutch and French say it their way.
    dutch = console(new_context, live_app, locale="nl-BE")
    expect(dutch.locator(f"li[data-id='{first}'] .meta")).to_have_text("2 stemmen", timeout=T)
    french = console(new_context, live_app, locale="fr-BE")
    expect(french.locator(f"li[data-id='{first}'] .meta")).to_have_text("2 votes", timeout=T)
    expect(french.locator("[data-counts]")).to_contain_text("2 sur 3", timeout=T)


def step(page: Page) -> Any:
    return page.locator("[data-next-step]")


def test_next_step_walks_the_evening_with_button_and_keys(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    page = console(new_context, live_app)
    mirror = page.frame_locator("[data-mirror-frame]")
    (bot,) = join_bots(live_app, 1)
    first, second, third = live_app.statement_ids
    expect(step(page)).to_have_text("Show statement 1")
    step(page).click()
    expect(mirror.locator("[data-statement]")).to_have_text(live_app.statements[0], timeout=T)
    expect(step(page)).to_have_text("Open voting", timeout=T)
    step(page).click()
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    bot.vote(first, "agree")
    expect(step(page)).to_have_text("Close voting and show results", timeout=T)
    step(page).click()
    expect(mirror.locator("[data-results]")).to_be_visible(timeout=T)
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is closed", timeout=T)
    expect(page.locator("#moderator .controls [data-action=toggle-projector]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(step(page)).to_have_text("Next statement", timeout=T)
    # The other controls stay at hand: results on the phones too, without leaving the step.
    page.locator("#moderator .controls [data-action=toggle-phones]").click()
    expect(page.locator("#moderator .controls [data-action=toggle-phones]")).to_have_attribute(
        "aria-pressed", "true", timeout=T
    )

    # Presenter keys, with the focus nowhere in particular: PageDown is the next step …
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("PageDown")
    expect(page.locator("#moderator [data-statement]")).to_have_text(live_app.statements[1], timeout=T)
    expect(mirror.locator("[data-statement]")).to_have_text(live_app.statements[1], timeout=T)
    expect(page.locator("[data-next-statement]")).to_contain_text(live_app.statements[2])
    # … → and Space too (here: open voting, then close it and show the results) …
    page.keyboard.press("ArrowRight")
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    # … PageUp and ← go back; B blacks the projector out and back.
    page.keyboard.press("PageUp")
    expect(page.locator("#moderator [data-statement]")).to_have_text(live_app.statements[0], timeout=T)
    page.keyboard.press("b")
    expect(page.locator("#moderator .controls [data-action=blank]")).to_have_attribute(
        "aria-pressed", "true", timeout=T
    )
    expect(page.locator("[data-screen-state]")).to_contain_text("black", timeout=T)
    page.keyboard.press("b")
    expect(page.locator("#moderator .controls [data-action=blank]")).to_have_attribute(
        "aria-pressed", "false", timeout=T
    )
    # Keys typed into a field stay there.
    field = page.locator("[data-countdown-form] input")
    field.click()
    for key in ("PageDown", "ArrowRight", "Space", "b"):
        field.press(key)
    page.wait_for_timeout(500)
    expect(page.locator("#moderator [data-statement]")).to_have_text(live_app.statements[0])
    expect(page.locator("#moderator .controls [data-action=blank]")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert page.evaluate("scrollY") == 0

    # "Open voting as soon as a statement is shown": the next statement opens by itself.
    page.locator("[data-setting=auto_open]").check()
    expect(page.locator("[data-setting=auto_open]")).to_be_checked(timeout=T)
    page.locator("#moderator .controls [data-action=next]").click()
    expect(page.locator("#moderator [data-statement]")).to_have_text(live_app.statements[1], timeout=T)
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    expect(step(page)).to_have_text("Close voting and show results", timeout=T)

    # The last statement done: the next step is the end screen; then nothing more.
    goto(page, third)
    bot.vote(third, "agree")
    step(page).click()  # close and show
    expect(step(page)).to_have_text("Show the end screen", timeout=T)
    step(page).click()
    expect(page.locator("#moderator .controls [data-action=end]")).to_have_attribute(
        "aria-pressed", "true", timeout=T
    )
    expect(step(page)).to_be_disabled(timeout=T)
    expect(step(page)).to_have_text("The evening has ended")
    expect(page.locator("[data-screen-state]")).to_contain_text("end screen")
    # The end screen goes off with its button; the statement is back.
    page.locator("#moderator .controls [data-action=end]").click()
    expect(page.locator("#moderator .controls [data-action=end]")).to_have_attribute(
        "aria-pressed", "false", timeout=T
    )
    expect(step(page)).to_be_enabled(timeout=T)
    assert second  # (shown on the way)


def test_countdown_presets_custom_and_stop(live_app: Any, new_context: Any) -> None:
    page = console(new_context, live_app)
    presets = page.locator("#moderator [data-action=countdown]")
    expect(presets).to_have_count(3)
    expect(presets.first).to_be_disabled()  # nothing on screen yet
    goto(page, live_app.statement_ids[0])
    expect(presets.first).to_be_enabled(timeout=T)
    left = page.locator("[data-countdown-left]")
    expect(left).to_be_hidden()
    page.locator("#moderator [data-action=countdown][data-seconds='30']").click()
    expect(left).to_have_text(re.compile(r"0:(30|2\d)"), timeout=T)
    # Starting a countdown opens voting; the mirror shows the same countdown.
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    page.locator("#moderator [data-action=countdown-stop]").click()
    expect(left).to_be_hidden(timeout=T)
    field = page.locator("[data-countdown-form] input")
    field.fill("90")
    field.press("Enter")
    expect(left).to_have_text(re.compile(r"1:(30|2\d)"), timeout=T)
    page.locator("#moderator [data-action=countdown][data-seconds='60']").click()
    expect(left).to_have_text(re.compile(r"(1:00|0:5\d)"), timeout=T)
    page.locator("#moderator [data-action=countdown-stop]").click()
    expect(left).to_be_hidden(timeout=T)
    # A custom countdown at zero closes voting (server side): 5 s, the shortest.
    field.fill("5")
    field.press("Enter")
    expect(left).to_be_visible(timeout=T)
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is closed", timeout=12_000)
    expect(left).to_be_hidden(timeout=T)


def test_undo_reset_and_delete_with_confirmations_that_say_what_is_lost(
    live_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    page = console(new_context, live_app)
    said = accept_dialogs(page)
    first, second, _ = live_app.statement_ids
    bots = join_bots(live_app, 3)
    goto(page, first)
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(page.locator("#moderator [data-voting]")).to_have_text("Voting is open", timeout=T)
    for bot in bots:
        bot.vote(first, "agree")
    bots[0].comment(first, "Eén reactie.")
    expect(page.locator("#moderator [data-voters]")).to_have_text("3", timeout=T)
    expect(page.locator("[data-queue] li")).to_have_count(1, timeout=T)

    page.locator("#moderator .controls [data-action=reset]").click()
    expect(page.locator("#moderator [data-voters]")).to_have_text("0", timeout=T)
    assert said[-1].startswith(f"Delete 3 votes on “{live_app.statements[0]}”?"), said
    bar = page.locator("[data-undo-bar]")
    expect(bar).to_be_visible(timeout=T)
    expect(bar).to_contain_text(f"Votes on “{live_app.statements[0]}” deleted")
    expect(bar.locator(".left")).to_have_text(re.compile(r"[3-6]\d s"))  # offered for at least 30 s
    bar.locator("button[data-action=undo]").click()
    expect(page.locator("#moderator [data-voters]")).to_have_text("3", timeout=T)  # restored exactly
    expect(bar).to_be_hidden(timeout=T)

    page.locator(f"li[data-id='{first}'] button[data-action=delete]").click()
    assert said[-1].startswith(f"Delete “{live_app.statements[0]}” with its 3 votes and 1 comment?"), said
    expect(page.locator(f"li[data-id='{first}']")).to_have_count(0, timeout=T)
    expect(bar).to_contain_text(f"“{live_app.statements[0]}” deleted", timeout=T)
    bar.locator("button[data-action=undo]").click()
    expect(page.locator(f"li[data-id='{first}'] .meta")).to_have_text("3 votes · 1 waiting", timeout=T)
    expect(page.locator("#moderator .list li").first).to_have_attribute("data-id", str(first))
    assert second


def test_editing_a_statement_with_votes_warns_first_and_is_marked(
    start_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    app = start_app(statements=["Meer camera's.", "Tweede."], translations=[{"fr": "Plus de caméras."}, {}])
    page = console(new_context, app)
    said = accept_dialogs(page)
    first, second = app.statement_ids
    item = page.locator(f"li[data-id='{first}']")
    # Translations the room lacks are flagged from the start.
    expect(item.locator("[data-flag=missing]")).to_have_text(["no EN"])
    expect(page.locator(f"li[data-id='{second}'] [data-flag=missing]")).to_have_text(["no FR", "no EN"])
    goto(page, first)
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    (bot,) = join_bots(app, 1)
    bot.vote(first, "agree")
    expect(item.locator(".meta")).to_have_text("1 vote", timeout=T)
    item.locator("button[data-action=edit]").click()
    item.locator("[data-edit-text]").fill("Meer camera's op pleinen.")
    item.locator("button[data-action=save-edit]").click()
    expect(page.locator("#moderator [data-statement]")).to_have_text("Meer camera's op pleinen.", timeout=T)
    assert any("1 vote" in message and "confirm" in message.lower() for message in said), said
    expect(item.locator("[data-flag=edited]")).to_have_text("edited after votes", timeout=T)
    expect(item.locator("[data-flag=stale]")).to_have_text("FR may be outdated")
