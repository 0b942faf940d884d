"""Roles, a second round and the report, in real browsers: phones with different roles
vote, the projector splits the results by role under the room's privacy rules (the mayors
on their own, everybody else as one block in words), round 2 shows the shift, and the
report prints to a PDF with a section per statement."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.bots import BotPhone

T = 10_000  # ms
ROLES = ["Burgemeester", "Politie", "Justitie", "Andere"]
STATEMENTS = ["Meer camera's op pleinen.", "Een gedeelde databank per zone.", "Meer jeugdwerkers."]
# (role, round 1, round 2) for the 19 bots; the browser phone is police, disagree → agree.
# 10 mayors get a bar of their own (2 × the minimum of 5); police (6), justice (2) and no
# role (2) are one block of 10: 1 agree, 7 disagree, 2 neutral.
BOTS = [
    ("Burgemeester", "strongly_agree", "strongly_agree"),
    *[("Burgemeester", "agree", "agree")] * 9,
    ("Politie", "disagree", "agree"),
    *[("Politie", "strongly_disagree", "strongly_disagree")] * 4,
    *[("Justitie", "neutral", "neutral")] * 2,
    (None, "agree", "agree"),
    (None, "disagree", "disagree"),
]


def control(moderator: Page, action: str) -> None:
    moderator.locator(f"#moderator .controls [data-action={action}]").click()


@pytest.mark.timeout(180)
def test_roles_round_two_and_the_report(
    start_app: Any,
    new_context: Any,
    phone_args: dict[str, Any],
    join_bots: Any,
    tmp_path: Any,
) -> None:
    app = start_app("Zonale veiligheidsraad", STATEMENTS, "likert5", ROLES)
    first = app.statement_ids[0]
    moderator = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    moderator.on("dialog", lambda dialog: dialog.accept())
    moderator.goto(app.moderator_url)
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE").new_page()
    projector.goto(app.projector_url)
    phone = new_context(**phone_args).new_page()
    phone.goto(app.participant_url)
    phone.locator("[data-view=role] button", has_text="Politie").click()
    expect(phone.locator("[data-view=waiting]")).to_be_visible(timeout=T)

    bots: list[BotPhone] = join_bots(app, len(BOTS))
    for bot, (role, _, _) in zip(bots, BOTS, strict=True):
        bot.ask({"type": "role", "role": role}, "role.ack")

    # Round 1: everybody votes.
    moderator.locator(f"li[data-id='{first}'] button[data-action=goto]").click()
    control(moderator, "toggle-voting")
    expect(phone.locator("form[data-options] button.option").first).to_be_enabled(timeout=T)
    phone.locator("button.option[value=disagree]").click()
    for bot, (_, option, _) in zip(bots, BOTS, strict=True):
        bot.vote(first, option)
    expect(projector.locator("[data-voters]")).to_have_text("20", timeout=T)

    # The console always shows the split, turnout and the largest gap.
    by_role = moderator.locator("#moderator [data-by-role]")
    expect(by_role).to_be_visible(timeout=T)
    expect(by_role.locator("[data-gap]")).to_contain_text("Burgemeester vs Politie", timeout=T)
    expect(by_role.locator(".role-row[data-role=Politie] .turnout")).to_have_text("6 van 6 stemden")
    expect(by_role.locator(".role-row[data-role=Justitie] .role-name")).to_contain_text("te weinig stemmen")
    expect(by_role.locator(".not-for-room")).to_have_text("Exacte cijfers per rol: niet voor de zaal")

    # The projector splits by role when asked, under the room's rules: the mayors on their
    # own, everybody else as one block in words, with no size and no bar to measure.
    control(moderator, "toggle-voting")  # closed: every vote is published
    control(moderator, "toggle-projector")
    control(moderator, "toggle-by-role")
    rows = projector.locator("[data-by-role] .role-row")
    expect(projector.locator("[data-by-role]")).to_be_visible(timeout=T)
    expect(projector.locator("[data-results]")).to_be_hidden()
    expect(rows).to_have_count(2, timeout=T)
    mayors = projector.locator(".role-row[data-role=Burgemeester]")
    expect(mayors.locator(".role-name")).to_have_text("Burgemeester (10)")
    expect(mayors.locator("[data-side=agree]")).to_have_text("Eens 100%", timeout=T)
    others = projector.locator(".role-row.others")
    expect(others.locator(".role-name")).to_have_text("Alle andere rollen samen")
    expect(others.locator(".band")).to_have_text("de meesten niet akkoord")  # 7 of 10
    expect(others.locator(".chart")).to_have_count(0)
    expect(projector.locator("[data-by-role]")).not_to_contain_text("Justitie")
    expect(projector.locator("[data-by-role]")).not_to_contain_text("Politie")
    projector.screenshot(path=str(tmp_path / "projector-by-role.png"))
    _docs_screenshot(projector, "projector-by-role.png")

    # Round 2 after the discussion: two police officers change their minds.
    control(moderator, "toggle-by-role")
    control(moderator, "toggle-projector")
    control(moderator, "round")
    expect(phone.locator("form[data-options] [aria-pressed=true]")).to_have_count(0, timeout=T)
    expect(phone.locator("button.option[value=agree]")).to_be_enabled(timeout=T)
    phone.locator("button.option[value=agree]").click()
    expect(phone.locator("[data-vote-status]")).to_have_text("✓ Je stem is bewaard", timeout=T)
    for bot, (_, _, option) in zip(bots, BOTS, strict=True):
        bot.vote(first, option)
    control(moderator, "toggle-voting")  # closed: the room sees every vote, not the last step
    control(moderator, "toggle-projector")
    rounds = projector.locator("[data-rounds]")
    expect(rounds).to_be_visible(timeout=T)
    expect(rounds.locator("[data-shift]")).to_have_text(
        "2 van 20 veranderden hun stem: 2 richting eens, 0 richting oneens", timeout=T
    )
    expect(rounds.locator("[data-round-chart='1'] [data-side=agree]")).to_have_text("Eens 55%")
    expect(rounds.locator("[data-round-chart='2'] [data-side=agree]")).to_have_text("Eens 65%")
    _docs_screenshot(projector, "projector-rounds.png")

    # The report: a section per statement with votes, the others listed as not discussed,
    # printable to a PDF.
    report = new_context(viewport={"width": 900, "height": 1200}, locale="nl-BE").new_page()
    report.goto(app.moderator_url)
    report.goto(f"{app.base_url}/m/{app.code}/report")
    expect(report.locator("section.statement-report")).to_have_count(1)
    expect(report.locator(".not-discussed li")).to_have_count(len(STATEMENTS) - 1)
    expect(report.locator("section.statement-report").first.locator("svg")).not_to_have_count(0)
    expect(report.locator(".findings")).to_contain_text("veranderde een tweede stemming over stelling 1")
    _docs_screenshot(report, "report.png")
    pdf = PdfReader(io.BytesIO(report.pdf(format="A4", print_background=True)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for number, statement in enumerate(STATEMENTS, start=1):
        assert f"{number}. {statement}" in text, (statement, text[:500])
    assert "Gedeel het rapport" not in text and "Deel dit rapport" not in text  # not printed

    # A share link lets someone without the moderator cookie read it, until it is revoked.
    report.locator(".report-edit summary").click()
    report.locator("form[action$='/report/share'] button").click()
    link = report.locator(".share a").get_attribute("href")
    assert link is not None and "/r/" in link
    stranger = new_context(locale="nl-BE").new_page()
    stranger.goto(link)
    expect(stranger.locator("section.statement-report")).to_have_count(1)
    expect(stranger.locator(".share")).to_have_count(0)
    report.locator(".report-edit summary").click()
    report.locator("form[action$='/report/share'] button").click()
    response = stranger.goto(link)
    assert response is not None and response.status == 404


def _docs_screenshot(page: Page, name: str) -> None:
    from tests.e2e.test_screenshots import shoot

    shoot(page, name)
