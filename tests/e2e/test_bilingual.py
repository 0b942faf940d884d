"""A bilingual room in a real browser: the organiser pastes a list with French translations
and sees what is missing while typing; the console flags the untranslated role; a French
phone gets the French statement and the French role names."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

T = 10_000  # ms

STATEMENTS = """\
# Vertalingen achter een streep
Meer camera's op pleinen. | fr: Plus de caméras sur les places. | en: More cameras on squares.
Elke gemeente een handhaver. | fr: Un agent de contrôle par commune.
De politie deelt meer informatie. | fr: La police partage plus d'informations.
Het parket zit mee aan tafel. | fr: Le parquet est à la table.
Meer geld voor preventie. | fr: Plus d'argent pour la prévention.
Geen vertaling hier.
"""
ROLES = "Burgemeester | fr: Bourgmestre\nPolitie | fr: Police\nParket | fr: Parquet\nAndere"


def test_a_bilingual_room_from_the_organisers_paste_to_a_french_phone(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    page = new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE").new_page()
    page.goto(f"{live_app.base_url}/admin")
    page.locator("input[name=password]").fill("pw")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#new-heading")).to_be_visible(timeout=T)
    preview = page.locator("[data-preview]")
    expect(preview).to_have_text("")

    page.locator("#title").fill("Tweetalige veiligheidsavond")
    page.locator("#statements").fill(STATEMENTS)
    # English appears once: it counts as missing wherever it is not given.
    expect(preview).to_have_text("6 stellingen, Frans ontbreekt bij 1, Engels ontbreekt bij 5", timeout=T)
    page.locator("#statements").fill(STATEMENTS.replace(" | en: More cameras on squares.", ""))
    expect(preview).to_have_text("6 stellingen, Frans ontbreekt bij 1", timeout=T)
    page.locator("#roles").fill(ROLES)
    expect(preview).to_have_text("6 stellingen, 4 rollen, Frans ontbreekt bij 2", timeout=T)
    problem = page.locator("[data-preview-problem]")
    expect(problem).to_be_hidden()
    page.locator("#roles").fill(ROLES.replace("Parket | fr: Parquet", "Parket | fr Parquet"))
    expect(problem).to_have_text(
        "Schrijf vertalingen als 'fr: tekst' in deze regel: Parket | fr Parquet", timeout=T
    )
    page.locator("#roles").fill(ROLES)
    expect(problem).to_be_hidden()
    page.locator("form.stack button[type=submit]").click()
    created = page.locator("section.created")
    expect(created).to_be_visible(timeout=T)
    code = created.locator("h2").inner_text().split()[-1]

    # The console: the role without French is flagged; the add box previews its lines.
    page.locator("a.button.primary").click()
    expect(page).to_have_url(f"{live_app.base_url}/m/{code}", timeout=T)
    expect(page.locator("[data-roles-flags]")).to_have_text("Frans ontbreekt bij 1: Andere", timeout=T)
    expect(page.locator("#roles-input")).to_have_value(ROLES)
    page.locator("#add-text").fill("Nog een stelling. | fr: Encore un énoncé.\nZonder vertaling.")
    expect(page.locator("[data-add-preview]")).to_have_text("2 stellingen, Frans ontbreekt bij 1")

    # A French phone: roles and statement in French; the vote keeps the Dutch role name.
    phone = new_context(**{**phone_args, "locale": "fr-BE"}).new_page()
    phone.goto(f"{live_app.base_url}/j/{code}")
    choice = phone.locator("[data-view=role]")
    expect(choice.locator("button")).to_have_text(["Bourgmestre", "Police", "Parquet", "Andere", "Passer"])
    choice.locator("button", has_text="Police").click()
    expect(phone.locator("[data-change-role]")).to_have_text("Police ✎", timeout=T)
    page.locator("#moderator [data-statements] li").first.locator("[data-action=goto]").click()
    expect(phone.locator("[data-statement]")).to_have_text("Plus de caméras sur les places.", timeout=T)

    # A role translated in the console: the phone names it in French at once.
    page.locator("#roles-input").fill(ROLES.replace("Andere", "Andere | fr: Autre"))
    page.locator("[data-roles-form] button[type=submit]").click()
    expect(page.locator("[data-roles-flags]")).to_be_hidden(timeout=T)
    phone.locator("[data-change-role]").click()
    phone.locator("[data-view=role] button", has_text="Andere").click()
    expect(phone.locator("[data-change-role]")).to_have_text("Autre ✎", timeout=T)
