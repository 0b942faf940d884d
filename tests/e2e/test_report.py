"""The report of a scripted evening, in a real browser: the findings, the overview table,
"not discussed", the unpublished comments, the facts form, a logo, French, and the PDF
downloaded with one click (its text read back with pypdf, with page numbers).

The evening (40 participants in four roles, six statements of which one skipped, a second
round, comments in every state, French translations) is written to the database before the
server first reads the event. With VOTING_UPDATE_SCREENSHOTS set and poppler's pdftoppm on
the machine, the PDF's first two pages land in docs/screenshots/report-page-{1,2}.png.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import LiveApp, Servers, _free_port, _serve
from tests.e2e.test_screenshots import SCREENSHOTS
from voting import store as sql
from voting.store import Store

T = 10_000  # ms
TITLE = "Zonale veiligheidsavond Leuven"
ROLES = ["Burgemeester", "Politie", "Justitie", "Ambtenaar"]
ROLE_FR = {"Burgemeester": {"fr": "Bourgmestre"}, "Politie": {"fr": "Police"},
           "Justitie": {"fr": "Justice"}, "Ambtenaar": {"fr": "Fonctionnaire"}}  # fmt: skip
STATEMENTS = [
    ("Elke gemeente krijgt een aanspreekpunt voor bestuurlijke handhaving tegen de georganiseerde misdaad.",
     "Chaque commune dispose d'un point de contact pour l'approche administrative du crime organisé."),
    ("Camerabeelden van gemeenten en politie worden in één zonale databank bewaard.",
     "Les images des caméras des communes et de la police sont conservées dans une base de données zonale."),
    ("Het parket wijst per politiezone een vaste referentiemagistraat aan.",
     "Le parquet désigne un magistrat de référence fixe par zone de police."),
    ("Burgemeesters krijgen meer bevoegdheden om drugspanden te sluiten.",
     "Les bourgmestres reçoivent davantage de compétences pour fermer les lieux de trafic de drogue."),
    ("De provincie financiert een gezamenlijk informatie- en expertisecentrum.",
     "La province finance un centre commun d'information et d'expertise."),
    ("Lokale veiligheidsplannen worden elk jaar samen met de bewoners geëvalueerd.",
     "Les plans locaux de sécurité sont évalués chaque année avec les habitants."),
]  # fmt: skip
PEOPLE = {"Burgemeester": 14, "Politie": 11, "Justitie": 4, "Ambtenaar": 6, None: 5}
OPTIONS = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree", "pass"]
# Per statement (index) and role: weights of OPTIONS. Statement 5 (index 4) is skipped.
LEANINGS: dict[int, dict[str | None, list[int]]] = {
    0: {"Burgemeester": [0, 0, 1, 6, 5, 0], "Politie": [0, 0, 1, 5, 6, 0], None: [0, 1, 1, 5, 3, 0],
        "Justitie": [0, 0, 1, 5, 4, 0], "Ambtenaar": [0, 0, 2, 6, 3, 0]},
    1: {"Burgemeester": [1, 2, 3, 5, 2, 0], "Politie": [0, 0, 1, 4, 7, 0], None: [3, 3, 2, 1, 1, 1],
        "Justitie": [2, 4, 2, 1, 0, 0], "Ambtenaar": [1, 2, 4, 2, 1, 0]},
    2: {"Burgemeester": [0, 1, 6, 3, 1, 1], "Politie": [0, 0, 2, 6, 3, 0], None: [0, 1, 4, 3, 1, 1],
        "Justitie": [0, 0, 1, 4, 6, 0], "Ambtenaar": [0, 1, 5, 3, 1, 1]},
    3: {"Burgemeester": [0, 0, 1, 4, 8, 0], "Politie": [5, 5, 1, 1, 0, 0], None: [2, 2, 2, 2, 2, 0],
        "Justitie": [3, 3, 2, 1, 0, 0], "Ambtenaar": [1, 2, 2, 3, 2, 0]},
    5: {"Burgemeester": [4, 3, 1, 2, 3, 0], "Politie": [3, 2, 1, 3, 3, 0], None: [3, 1, 1, 2, 4, 0],
        "Justitie": [2, 2, 1, 2, 2, 0], "Ambtenaar": [3, 2, 0, 2, 3, 0]},
}  # fmt: skip
COMMENTS = [  # (statement index, text, status)
    (0, "Eindelijk een vast aanspreekpunt: dat vragen we al jaren.", "published"),
    (0, "Kleine gemeenten hebben daar geen budget voor.", "published"),
    (0, "Off-topic reclame", "hidden"),
    (0, "Wie leidt die mensen op?", "pending"),
    (1, "Wie heeft toegang tot die beelden, en hoe lang?", "published"),
    (1, "De privacycommissie moet eerst advies geven.", "pending"),
    (1, "Nog een wachtende vraag", "pending"),
    (3, "Sluiten verplaatst het probleem alleen.", "published"),
]


def evening(db: str) -> tuple[Any, list[int]]:
    """The scripted evening in `db`; returns the event and its statement ids."""
    draw = random.Random(13)
    store = Store(db)
    try:
        event = store.write(
            sql.insert_event, TITLE, [nl for nl, _ in STATEMENTS], "likert5", ROLES,
            [{"fr": fr} for _, fr in STATEMENTS], ROLE_FR,
        )  # fmt: skip
        ids = [s.id for s in store.statements(event.id)]
        people = [
            (f"{(role or 'x')[:1].lower()}{n}", role) for role, count in PEOPLE.items() for n in range(count)
        ]
        for pid, role in people:
            store.write(sql.set_role, event.id, pid, role or "")
        votes: dict[int, dict[str, str]] = {}
        for index, leanings in LEANINGS.items():
            votes[index] = {pid: draw.choices(OPTIONS, leanings[role])[0] for pid, role in people}
            for pid, option in votes[index].items():
                store.write(sql.insert_vote, ids[index], pid, option)
        # Round 2 on statement 4: after the debate half of the police move one step towards agree.
        store.write(sql.set_round, ids[3], 2)
        for pid, option in votes[3].items():
            again = option
            if pid.startswith("p") and int(pid[1:]) % 2 == 0 and option in OPTIONS[:4]:
                again = OPTIONS[OPTIONS.index(option) + 1]
            store.write(sql.insert_vote, ids[3], pid, again, 2)
        for index, text, status in COMMENTS:
            store.write(sql.insert_comment, ids[index], "b1", None, text, status)
        return event, ids
    finally:
        store.close()


@pytest.fixture
def report_app(start_app: Servers, tmp_path: Path) -> LiveApp:
    """The evening on a real server (started like start_app's, on its own database)."""
    db = str(tmp_path / "evening.db")
    event, ids = evening(db)
    port = _free_port()
    start_app.running[port] = _serve(db, port)
    return LiveApp(f"http://127.0.0.1:{port}", event.code, event.moderator_token, [], ids, db, port)


def pdf_pages(document: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(document)).pages]


def download_pdf(page: Page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=label).click()
    return Path(info.value.path()).read_bytes()


def png_logo(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 110, 120), fill=(31, 78, 153))
    draw.text((130, 45), "Provincie Vlaams-Brabant", fill=(31, 78, 153))
    image.save(path)
    return path


@pytest.mark.timeout(180)
def test_the_report_of_an_evening_on_screen_and_as_a_pdf(
    report_app: LiveApp, new_context: Any, tmp_path: Path
) -> None:
    page = new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE").new_page()
    page.goto(report_app.moderator_url)
    page.goto(f"{report_app.base_url}/m/{report_app.code}/report?lang=en")

    findings = page.locator(".findings li")
    expect(findings.first).to_contain_text("40 participants joined and 40 of them voted.", timeout=T)
    assert 3 <= findings.count() <= 6
    expect(page.locator(".findings")).to_contain_text("Roles differed most on statement 4")
    expect(page.locator(".findings")).to_contain_text("The broadest agreement was on statement 1")
    table = page.locator(".overview-table")
    expect(table.locator("tbody tr.room-row")).to_have_count(5)  # statement 5 was skipped
    expect(table).to_contain_text("All other roles together")
    expect(page.locator(".not-discussed")).to_contain_text("5. De provincie financiert")
    expect(page.locator(".statement-report")).to_have_count(5)
    expect(page.locator(".unpublished").first).to_have_text("2 more comments were not published.")

    # The facts and the logo, through the forms on the page.
    page.locator(".report-edit summary").click()
    page.locator(".facts-form input[name=place]").fill("Provinciehuis, Leuven")
    page.locator(".facts-form input[name=organiser]").fill("De gouverneur van Vlaams-Brabant")
    page.locator(".facts-form button[type=submit]").click()
    expect(page.locator(".facts")).to_contain_text("Provinciehuis, Leuven", timeout=T)
    page.locator(".report-edit summary").click()
    page.locator(".logo-form input[type=file]").set_input_files(str(png_logo(tmp_path / "logo.png")))
    page.locator(".logo-form button[type=submit]").first.click()
    expect(page.locator("img.logo")).to_be_visible(timeout=T)
    page.locator(".report-edit summary").click()
    page.locator(".logo-form input[type=file]").set_input_files(
        {"name": "virus.png", "mimeType": "image/png", "buffer": b"MZ not an image"}
    )
    page.locator(".logo-form button[type=submit]").first.click()
    expect(page.locator(".report-error")).to_have_text("The logo must be a PNG or JPEG image.", timeout=T)
    expect(page.locator("img.logo")).to_be_visible()  # the logo stays

    # In French: the French statements; the PDF in one click.
    page.goto(f"{report_app.base_url}/m/{report_app.code}/report")
    page.get_by_role("link", name="FR", exact=True).click()
    expect(page.locator(".findings h2")).to_have_text("Principaux constats", timeout=T)
    expect(page.locator(".statement-report h2").first).to_contain_text("Chaque commune dispose")
    expect(page.locator(".not-discussed")).to_contain_text("La province finance")
    document = download_pdf(page, "Télécharger le PDF")
    pages = pdf_pages(document)
    text = " ".join(pages)
    assert "Principaux constats" in text and "40 participants se sont inscrits" in text
    assert "Vue d’ensemble" in text and "Non abordées" in text and "La province finance" in text
    assert "Chaque commune dispose d'un point de contact" in text
    assert "2 autres commentaires n’ont pas été publiés." in text
    assert "Elke gemeente krijgt" not in text
    for number, content in enumerate(pages, 1):
        assert f"Page {number} / {len(pages)}" in content and TITLE in content
    assert "Provinciehuis, Leuven" in pages[0] and "Vue d’ensemble" in pages[0]  # page 1 is full

    # The English PDF, photographed for the docs when asked.
    page.get_by_role("link", name="EN", exact=True).click()
    english = download_pdf(page, "Download PDF")
    assert "Main findings" in pdf_pages(english)[0]
    photograph(english, tmp_path)


def photograph(document: bytes, folder: Path) -> None:
    """The PDF's first two pages as PNG (poppler's pdftoppm, when installed)."""
    if shutil.which("pdftoppm") is None:
        return
    source = folder / "report.pdf"
    source.write_bytes(document)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(source), str(folder / "page")], check=True
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number in (1, 2):
        found = sorted(folder.glob(f"page-*{number}.png"))
        shutil.copyfile(found[0], SCREENSHOTS / f"report-page-{number}.png")
