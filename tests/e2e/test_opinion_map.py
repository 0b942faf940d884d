"""The opinion map in the browser: 30 bot phones vote in three planted opinion groups (each
group one role); the console's map view shows the three groups and their statements, and
its role colouring; the moderator puts the map on the projector, which shows it without
any role; the next statement takes the projector back to the statement.

Screenshots (console 1440×900, projector 1920×1080) go to docs/screenshots/ with
VOTING_UPDATE_SCREENSHOTS=1, otherwise to a temporary folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.bots import BotPhone
from tests.e2e.test_cockpit import assert_fits, goto

SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("VOTING_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="voting-screenshots-"))
)
T = 15_000  # ms
ROLES = ["Burgemeester", "Korpschef", "Procureur"]
STATEMENTS = [
    "Elke gemeente moet een vaste medewerker hebben voor de bestuurlijke aanpak van "
    "georganiseerde criminaliteit.",
    "De burgemeester moet vaker gebruikmaken van zijn bevoegdheid om panden te sluiten.",
    "Camera's met nummerplaatherkenning horen aan elke invalsweg van de gemeente.",
    "Overlast door jongeren op pleinen los je beter op met jeugdwerkers dan met samenscholingsverboden.",
    "Het parket moet GAS-boetes voor drugsbezit overlaten aan de gemeenten.",
    "Politiezones moeten fuseren tot zones van minstens 300 agenten.",
]
# Three opinion groups: +1 agree, −1 disagree, per statement.
STANCES = [
    [1, 1, 1, 1, 1, -1],
    [-1, -1, -1, -1, 1, 1],
    [1, 1, -1, -1, -1, -1],
]
PER_GROUP = 10
OPTION = {1: "agree", -1: "disagree", 0: "neutral"}
GROUP_COLOURS = {"#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#c2185b", "#b7bdc5"}


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled")


def projector_fits(page: Page) -> None:
    size = page.evaluate(
        "[document.documentElement.scrollHeight, innerHeight,"
        " document.documentElement.scrollWidth, innerWidth]"
    )
    assert size[0] <= size[1] and size[2] <= size[3], size


@pytest.mark.timeout(180)
def test_the_opinion_map_on_the_console_and_the_projector(
    start_app: Any, new_context: Any, join_bots: Callable[[Any, int], list[BotPhone]]
) -> None:
    app = start_app("Integrale veiligheid", STATEMENTS, scale="agree3", roles=ROLES)
    console = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    console.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(app.projector_url)
    bots = join_bots(app, 3 * PER_GROUP)
    for index, bot in enumerate(bots):
        bot.ask({"type": "role", "role": ROLES[index // PER_GROUP]}, "state")
    expect(console.locator("[data-connected]")).to_have_text(str(len(bots)), timeout=T)

    for position, statement in enumerate(app.statement_ids):
        goto(console, statement)
        console.locator("#moderator [data-voting-button]").click()
        expect(console.locator("#moderator [data-voting]")).to_have_text("Stemming open", timeout=T)
        for index, bot in enumerate(bots):
            group = index // PER_GROUP
            neutral = index % PER_GROUP == position  # a little noise: one neutral vote each
            bot.vote(statement, OPTION[0 if neutral else STANCES[group][position]])

    # The console's map view: three groups of ten, each with its statements and readings.
    console.locator(".topbar [data-action=toggle-map-view]").click()
    view = console.locator("[data-map-view]")
    expect(view).to_be_visible()
    expect(view.locator(".group-card")).to_have_count(3, timeout=T)
    expect(view.locator(".group-card h4").first).to_contain_text("10")
    expect(view.locator(".group-card .rep").first).to_be_visible()
    expect(view.locator(".map-block.roles .ami")).to_contain_text("AMI 1")
    expect(view.locator("[data-map-svg] .dots circle")).to_have_count(30)
    assert_fits(console)
    shoot(console, "console-opinion-map.png")
    # On a tablet the map view takes the place of the controls too, without page scrolling.
    tablet = new_context(viewport={"width": 1024, "height": 768}, locale="nl-BE").new_page()
    tablet.goto(app.moderator_url)
    tablet.locator(".topbar [data-action=toggle-map-view]").click()
    expect(tablet.locator("[data-map-view] .group-card")).to_have_count(3, timeout=T)
    assert_fits(tablet)
    tablet.screenshot(path=str(SCREENSHOTS / "console-opinion-map-tablet.png"), animations="disabled")
    tablet.close()
    # By role (the console only): the legend names the roles.
    view.locator("[data-map-colour=role]").click()
    expect(view.locator("[data-map-legend]")).to_contain_text("Procureur")
    view.locator("[data-map-colour=group]").click()

    # On the projector: the map and what each group believes, no role anywhere.
    expect(projector.locator("[data-map-screen]")).to_be_hidden()
    view.locator("[data-action=toggle-show-map]").click()
    screen = projector.locator("[data-map-screen]")
    expect(screen).to_be_visible(timeout=T)
    expect(screen.locator(".belief")).to_have_count(3, timeout=T)
    expect(screen.locator(".dots circle")).to_have_count(30)
    expect(projector.locator("[data-statement]")).to_be_hidden()
    shown = projector.locator("body").inner_text()
    for role in ROLES:
        assert role not in shown
    fills = set(screen.locator(".dots circle").evaluate_all("dots => dots.map(d => d.getAttribute('fill'))"))
    assert fills <= GROUP_COLOURS and len(fills) == 3, fills
    size = screen.locator(".belief-statement").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36  # readable from the back row at 1920×1080
    projector_fits(projector)
    heading = screen.locator("h1").bounding_box()
    last = screen.locator(".belief").last.bounding_box()
    assert heading and last and heading["y"] >= 0 and last["y"] + last["height"] <= 1080, (heading, last)
    shoot(projector, "projector-opinion-map.png")

    # The next statement: the projector shows the statement again, the map is off.
    console.locator("[data-map-view] [data-action=toggle-map-view]").click()
    goto(console, app.statement_ids[0])
    expect(screen).to_be_hidden(timeout=T)
    expect(projector.locator("[data-statement]")).to_have_text(STATEMENTS[0], timeout=T)
    expect(console.locator(".controls [data-action=toggle-show-map]")).to_have_attribute(
        "aria-pressed", "false"
    )
