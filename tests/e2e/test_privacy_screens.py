"""The anonymity statement on a phone (390×844): one line under the join form and under the
role question, the rest behind "What is stored?", never pushing the buttons off the first
screen. Photographed for docs/screenshots/ (with VOTING_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_screenshots import shoot

T = 10_000  # ms
ROLES = ["Burgemeester", "Politie", "Parket", "Andere"]
PHONE = {"width": 390, "height": 844}


def on_first_screen(page: Page, selector: str) -> None:
    for box in page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())"):
        assert box["height"] > 0 and box["bottom"] <= PHONE["height"], (selector, box)


@pytest.mark.timeout(60)
def test_the_phone_says_what_is_stored_without_pushing_anything_away(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app("Veiligheidsavond", ["Meer camera's op pleinen."], "likert5", roles=ROLES)
    phone = new_context(**{**phone_args, "viewport": PHONE}).new_page()

    phone.goto(f"{app.base_url}/")
    statement = phone.locator("[data-anonymity]")
    expect(statement.locator("summary")).to_have_text("Anoniem: geen naam, geen account. Wat wordt bewaard?")
    expect(statement.locator("li").first).to_be_hidden()  # one line until asked
    on_first_screen(phone, "form.join button, [data-anonymity] summary")
    shoot(phone, "phone-join-anonymity.png")
    statement.locator("summary").click()
    expect(statement.locator("li")).to_have_count(5)
    expect(statement).to_contain_text("geen IP-adres")
    on_first_screen(phone, "form.join button")  # the list may scroll; the form does not move
    shoot(phone, "phone-join-anonymity-open.png")

    phone.goto(app.participant_url)
    role = phone.locator("[data-view=role]")
    expect(role).to_be_visible(timeout=T)
    on_first_screen(
        phone, "[data-view=role] [data-role-form] button, [data-view=role] [data-anonymity] summary"
    )
    shoot(phone, "phone-role-anonymity.png")
    role.locator("button[value=Parket]").click()
    expect(phone.locator("[data-view=waiting] [data-anonymity] summary")).to_be_visible(timeout=T)
