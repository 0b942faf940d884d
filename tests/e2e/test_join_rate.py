"""The console's join rate in a real browser: phones joining count up, a script minting
identities past the per-network limit raises the warning, and the console still fits."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from playwright.sync_api import expect

T = 10_000  # ms


def join_without_cookie(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_console_shows_the_join_rate_and_warns_of_a_script(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(live_app.moderator_url)
    joins = moderator.locator("[data-joins]")
    warning = moderator.locator("[data-join-warning]")
    expect(joins).to_have_text("+0 in de laatste minuut", timeout=T)
    expect(warning).to_be_hidden()

    new_context(**phone_args).new_page().goto(live_app.participant_url)
    expect(joins).to_have_text("+1 in de laatste minuut", timeout=T)

    # A script on the same network throws its cookie away each time (default burst: 200).
    answers = [join_without_cookie(live_app.participant_url) for _ in range(210)]
    assert 429 in answers
    expect(warning).to_be_visible(timeout=T)
    expect(warning).to_contain_text("Lijkt op een script", timeout=T)
    expect(joins).to_contain_text("in de laatste minuut")
    fits = moderator.evaluate(
        "() => [document.documentElement.scrollHeight, window.innerHeight,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert fits[0] <= fits[1] and fits[2] <= fits[3], fits
