"""Statements in two languages: a French phone reads French, the projector shows Dutch
above French at every size, and the switcher changes a page's language."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_screenshots import LONG_STATEMENT, assert_projector_fits, shoot

T = 10_000  # ms
LONG_FR = (
    "Pour vraiment améliorer la sécurité dans nos quartiers, la commune ne doit pas seulement"
    " investir dans des caméras et davantage de police dans la rue, mais aussi dans le travail"
    " de rue, un bon éclairage, la médiation de quartier et un point de contact joignable le soir."
)
STATEMENTS = ["Meer camera's op pleinen.", LONG_STATEMENT]
TRANSLATIONS = [{"fr": "Plus de caméras sur les places.", "en": "More cameras on squares."}, {"fr": LONG_FR}]


@pytest.mark.timeout(120)
def test_bilingual_statements(start_app: Any, new_context: Any, phone_args: dict[str, Any]) -> None:
    assert len(LONG_FR) <= 280
    app = start_app("Veiligheid / Sécurité", STATEMENTS, "likert5", None, TRANSLATIONS)
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.goto(app.moderator_url)
    projectors = [
        new_context(viewport=size, locale="nl-BE").new_page()
        for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080},
                     {"width": 3840, "height": 2160})
    ]
    for projector in projectors:
        projector.goto(app.projector_url)
    french = new_context(**{**phone_args, "locale": "fr-BE"}).new_page()
    french.goto(app.participant_url)
    dutch = new_context(**phone_args).new_page()
    dutch.goto(app.participant_url)

    moderator.locator("[data-second-language]").select_option("fr")
    moderator.locator(f"li[data-id='{app.statement_ids[0]}'] button[data-action=goto]").click()
    moderator.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(french.locator("[data-statement]")).to_have_text("Plus de caméras sur les places.", timeout=T)
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    expect(french.locator("form[data-options] button.option").first).to_have_text("Tout à fait d'accord")
    expect(dutch.locator("[data-statement]")).to_have_text("Meer camera's op pleinen.", timeout=T)
    for projector in projectors:
        expect(projector.locator("[data-statement]")).to_have_text("Meer camera's op pleinen.", timeout=T)
        expect(projector.locator("[data-statement-second]")).to_have_text("Plus de caméras sur les places.")
    french.locator("button.option[value=agree]").click()
    expect(french.locator("[data-vote-status]")).to_have_text("✓ Votre vote est enregistré", timeout=T)
    shoot(french, "phone-fr.png", scale="css")

    # The longest statement in two languages, with results, fits at 720p, 1080p and 4K.
    moderator.locator("#moderator .controls [data-action=next]").click()
    moderator.locator("#moderator .controls [data-action=toggle-projector]").click()
    for projector in projectors:
        expect(projector.locator("[data-statement-second]")).to_have_text(LONG_FR, timeout=T)
        expect(projector.locator("[data-results]")).to_be_visible(timeout=T)
        assert_projector_fits(projector)
    shoot(projectors[1], "projector-bilingual.png")

    # The switcher: the Dutch phone picks French, and keeps it after a reload.
    dutch.locator(".languages a[hreflang=fr]").click()
    expect(dutch.locator("html")).to_have_attribute("lang", "fr", timeout=T)
    expect(dutch.locator("[data-statement]")).to_have_text(LONG_FR)
    dutch.reload()
    expect(dutch.locator("html")).to_have_attribute("lang", "fr")
    # Editing a translation in the console reaches the phones.
    moderator.locator(f"li[data-id='{app.statement_ids[1]}'] button[data-action=edit]").click()
    moderator.locator("[data-edit-translation=fr]").fill("Une autre traduction.")
    moderator.locator("button[data-action=save-edit]").click()
    expect(french.locator("[data-statement]")).to_have_text("Une autre traduction.", timeout=T)
