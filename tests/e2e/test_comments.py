"""Comments in real browsers: a phone comments, the moderator approves and highlights it,
the projector quotes it, another phone supports it; hostile text stays text everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from voting.services import comments as comment_service

T = 10_000  # ms


def open_statement(moderator: Page, statement_id: int) -> None:
    moderator.locator(f"li[data-id='{statement_id}'] button[data-action=goto]").click()
    expect(moderator.locator("#moderator .controls [data-action=toggle-voting]")).to_be_enabled(timeout=T)
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()


def comment(phone: Page, text: str, name: str = "") -> None:
    phone.locator("#comment-text").fill(text)
    phone.locator("#comment-name").fill(name)
    phone.locator("[data-comment-form] button[type=submit]").click()


def test_comment_moderate_highlight_and_support(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(live_app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(live_app.projector_url)
    alice, bob = (new_context(**phone_args).new_page() for _ in range(2))
    for phone in (alice, bob):
        phone.goto(live_app.participant_url)
    open_statement(moderator, live_app.statement_ids[0])

    # Alice comments; the counter counts; pre-moderation holds it back.
    alice.locator("#comment-text").fill("Meer wijkagenten")
    expect(alice.locator("[data-counter]")).to_have_text("16 / 280")
    comment(alice, "Meer wijkagenten, minder camera's.", "Burgemeester An")
    expect(alice.locator("[data-comment-status]")).to_have_text(
        "✓ Verstuurd — wacht op de moderator", timeout=T
    )
    expect(alice.locator("#comment-text")).to_have_value("")
    queue = moderator.locator("[data-queue] li")
    expect(queue).to_have_count(1, timeout=T)
    expect(queue.first).to_contain_text("Meer wijkagenten, minder camera's.")
    expect(queue.first).to_contain_text("Burgemeester An · wacht")
    expect(moderator.locator("[data-pending-count]")).to_have_text("1 wachtend", timeout=T)
    expect(bob.locator("[data-comment-list] li")).to_have_count(0)
    expect(bob.locator("[data-no-comments]")).to_be_visible()

    # The moderator approves it with the keyboard (A): Bob sees it, Alice sees "published".
    moderator.locator("body").press("a")
    expect(moderator.locator("[data-pending-count]")).to_be_hidden(timeout=T)
    expect(bob.locator("[data-comment-list] li")).to_have_count(1, timeout=T)
    expect(bob.locator("[data-comment-list] li .comment-meta")).to_have_text("Burgemeester An")
    expect(alice.locator("[data-comment-status]")).to_have_text("✓ Gepubliceerd", timeout=T)

    # ... and puts it on the projector (S): a large quote instead of the results.
    moderator.locator("body").press("s")
    quote = projector.locator("[data-highlight]")
    expect(quote).to_be_visible(timeout=T)
    expect(quote.locator("blockquote")).to_have_text("Meer wijkagenten, minder camera's.")
    expect(quote.locator("[data-highlight-name]")).to_have_text("Burgemeester An")
    expect(projector.locator("[data-results-hidden]")).to_be_hidden()

    # Bob supports it: the count follows on his phone, the moderator's queue and the projector.
    bob.locator("button.support").click()
    expect(bob.locator("button.support")).to_have_attribute("aria-pressed", "true", timeout=T)
    expect(bob.locator("button.support")).to_have_text("Ik ook · 1", timeout=T)
    expect(moderator.locator("[data-queue] li").first).to_contain_text("1 × ik ook", timeout=T)
    expect(quote.locator("[data-highlight-support]")).to_have_text("1 × ik ook", timeout=T)
    expect(alice.locator("button.support")).to_have_text("Ik ook · 1", timeout=T)
    # Support is once per participant: a second tap withdraws it.
    bob.locator("button.support").click()
    expect(bob.locator("button.support")).to_have_text("Ik ook · 0", timeout=T)
    expect(quote.locator("[data-highlight-support]")).to_have_text("", timeout=T)

    # Taking it off the screen returns the projector to the results (hidden, by default).
    moderator.locator("[data-queue] button[data-queue-action=screen]").click()
    expect(quote).to_be_hidden(timeout=T)
    expect(projector.locator("[data-results-hidden]")).to_be_visible()

    # Hiding removes it from the phones but keeps it, marked, in the queue.
    moderator.locator("[data-queue] button[data-queue-action=hide]").click()
    expect(bob.locator("[data-comment-list] li")).to_have_count(0, timeout=T)
    expect(moderator.locator("[data-queue] li").first).to_contain_text("verborgen", timeout=T)

    # The help overlay lists the shortcuts.
    moderator.locator("body").press("?")
    expect(moderator.locator("[data-help]")).to_be_visible()
    expect(moderator.locator("[data-help]")).to_contain_text("Sneltoetsen")


HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    '<img src=x onerror="window.__pwned = \'img\'">',
    "</textarea><script>window.__pwned = 'textarea'</script>",
    '<svg onload="window.__pwned = \'svg\'"><circle r="1"/></svg>',
    "javascript:window.__pwned = 'url'",
    '" onmouseover="window.__pwned = \'attribute\'" x="',
    "bidi \u202egnp.exe\u202c and zero\u200bwidth\ufeff",
]
SHOWN = [
    *HOSTILE[:-1],
    "bidi gnp.exe and zerowidth",  # control and format characters are removed
]


@pytest.mark.timeout(120)
def test_hostile_comments_stay_plain_text_on_every_screen(
    live_app: Any, new_context: Any, phone_args: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comment_service, "COMMENTS_PER_MINUTE", 100)
    pages: list[Page] = []
    dialogs: list[str] = []

    def watch(page: Page) -> Page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        pages.append(page)
        return page

    moderator = watch(new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page())
    moderator.goto(live_app.moderator_url)
    projector = watch(new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page())
    projector.goto(live_app.projector_url)
    phone = watch(new_context(**phone_args).new_page())
    phone.goto(live_app.participant_url)
    open_statement(moderator, live_app.statement_ids[0])
    moderator.locator("[data-setting=premoderation]").uncheck()  # published at once
    moderator.locator("[data-setting=ticker]").check()
    expect(phone.locator("[data-statement]")).to_have_text(live_app.statements[0], timeout=T)

    for text in HOSTILE:
        comment(phone, text, name='<b onclick="x()">Naam</b>')
        expect(phone.locator("[data-comment-status]")).to_have_text("✓ Gepubliceerd", timeout=T)

    expect(phone.locator("[data-comment-list] .comment-text")).to_have_count(len(HOSTILE), timeout=T)
    assert sorted(phone.locator("[data-comment-list] .comment-text").all_text_contents()) == sorted(SHOWN)
    queue = moderator.locator("[data-queue] .comment-text")
    expect(queue).to_have_count(len(HOSTILE), timeout=T)
    assert sorted(queue.all_text_contents()) == sorted(SHOWN)
    expect(moderator.locator("[data-queue] .comment-meta").first).to_contain_text('<b onclick="x()">Naam</b>')
    # The projector's ticker shows the latest three, literally.
    ticker = projector.locator("[data-ticker] li")
    expect(ticker).to_have_count(3, timeout=T)
    assert ticker.all_text_contents() == [f'{t} — <b onclick="x()">Naam</b>' for t in SHOWN[-3:]]
    # Each one highlighted on the projector, one after the other.
    for index in range(len(HOSTILE)):
        moderator.locator("[data-queue] button[data-queue-action=screen]").nth(index).click()
        shown = projector.locator("[data-highlight] blockquote")
        expect(shown).to_have_text(SHOWN[len(HOSTILE) - 1 - index], timeout=T)  # queue: newest first
    # Hover everything, then check: nothing ran anywhere.
    for page in pages:
        page.mouse.move(200, 300)
        page.mouse.move(900, 700)
        page.reload()
    expect(moderator.locator("[data-queue] .comment-text")).to_have_count(len(HOSTILE), timeout=T)
    expect(projector.locator("[data-highlight] blockquote")).to_have_text(SHOWN[0], timeout=T)
    for page in pages:
        assert page.evaluate("window.__pwned") is None, page.url
        # The payload's own elements (the projector's countdown ring is an SVG of ours).
        assert page.locator('img[src=x], svg circle[r="1"]').count() == 0, page.url
    assert dialogs == []
