"""The organiser in a real browser: log in, paste statements, open the new event's console."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

T = 10_000  # ms


def test_organiser_creates_an_event_and_moderates_it(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    page = new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.goto(f"{live_app.base_url}/admin")
    page.locator("input[name=password]").fill("wrong")
    page.locator("form button[type=submit]").click()
    expect(page.locator(".error")).to_have_text("Wrong password.", timeout=T)

    page.locator("input[name=password]").fill("pw")  # the test server's admin password
    page.locator("form button[type=submit]").click()
    expect(page.locator("#new-heading")).to_be_visible(timeout=T)
    # The event the server started with is listed.
    expect(page.locator("table.events")).to_contain_text(live_app.code)

    page.locator("#title").fill("Zonale veiligheidsraad")
    page.locator("#statements").fill(
        "# comments and blank lines are ignored\n\nCameras help.\nWardens need more powers.\n"
    )
    page.locator("#scale").select_option("yesno")
    page.locator("#roles").fill("Burgemeester, Politie, Andere")
    page.locator("form.stack button[type=submit]").click()
    created = page.locator("section.created")
    expect(created).to_be_visible(timeout=T)
    expect(created.locator("img.qr")).to_have_js_property("complete", True, timeout=T)
    assert created.locator("img.qr").evaluate("img => img.naturalWidth") > 0  # a real image
    code = created.locator("h2").inner_text().split()[-1]
    assert len(code) == 6 and code.isdigit() and code != live_app.code

    page.locator("a.button.primary").click()
    expect(page).to_have_url(f"{live_app.base_url}/m/{code}", timeout=T)
    expect(page.locator("[data-statements] li")).to_have_count(2, timeout=T)
    expect(page.locator("[data-statements] li").first).to_contain_text("Cameras help.")

    # A phone joins the new event by typing its code on the home page.
    phone = new_context(**{**phone_args, "locale": "en-GB"}).new_page()
    phone.goto(live_app.base_url)
    phone.locator("#code").fill(code)
    phone.locator("form.join button").click()
    expect(phone).to_have_url(f"{live_app.base_url}/j/{code}", timeout=T)
    # The event has roles: the phone is asked once, before anything else.
    choice = phone.locator("[data-view=role]")
    expect(choice).to_be_visible(timeout=T)
    expect(choice.locator("button")).to_have_text(["Burgemeester", "Politie", "Andere", "Skip"])
    expect(phone.locator("[data-view=waiting]")).to_be_hidden()
    choice.locator("button", has_text="Politie").click()
    expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)
    expect(phone.locator("[data-change-role]")).to_have_text("Politie ✎")
    phone.reload()  # asked once: not again after a reload
    expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)
    expect(phone.locator("[data-view=role]")).to_be_hidden()
    page.locator("#moderator .controls [data-action=next]").click()
    page.locator("#moderator .controls [data-action=toggle-voting]").click()
    expect(phone.locator("[data-statement]")).to_have_text("Cameras help.", timeout=T)
    expect(phone.locator("form[data-options] button.option")).to_have_text(
        ["Yes", "No", "No opinion / pass"], timeout=T
    )
