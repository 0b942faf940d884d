"""The export menu of the console and the report's download list in a real browser: every
link is on screen when the menu is open, and a click downloads a file that opens
(the workbook with openpyxl, in the console's language). Screenshots go to a temporary
folder (VOTING_SCREENSHOTS_DIR to keep them)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.test_cockpit import LAPTOP, TABLETS, console

T = 10_000  # ms
SHOTS = Path(os.environ.get("VOTING_SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="voting-exports-"))
LABELS = [
    "Excel workbook", "Results per answer (CSV)", "Results per role (CSV)", "Every vote, anonymous (CSV)",
    "Comments (CSV)", "Export JSON", "Everything in one zip", "Pol.is format (zip)",
]  # fmt: skip


def test_the_console_export_menu_downloads_every_format(start_app: Any, new_context: Any) -> None:
    app = start_app("Exportavond", ["Eén stelling", "Twee"], roles=["Burgemeester", "Politie"])
    for viewport in (LAPTOP, TABLETS[0]):
        page = console(new_context, app, viewport)
        menu = page.locator("nav.links details.menu")
        menu.locator("summary").click()
        items = menu.locator(".menu-items a")
        expect(items).to_have_text(LABELS, timeout=T)
        for i in range(items.count()):
            expect(items.nth(i)).to_be_in_viewport(ratio=1)
        page.screenshot(path=str(SHOTS / f"console-export-menu-{viewport['width']}.png"))
    with page.expect_download() as caught:
        items.first.click()
    download = caught.value
    assert download.suggested_filename == f"voting-{app.code}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames[0] == "Overview"  # the console's language (en-GB)
    if not items.nth(7).is_visible():
        menu.locator("summary").click()
    with page.expect_download() as caught:
        items.nth(7).click()
    assert caught.value.suggested_filename == f"voting-{app.code}-polis.zip"


def test_the_report_lists_the_downloads_for_the_moderator(start_app: Any, new_context: Any) -> None:
    app = start_app("Exportavond", ["Eén stelling", "Twee"], roles=["Burgemeester", "Politie"])
    page = console(new_context, app, LAPTOP, locale="nl-BE")
    page.goto(f"{app.base_url}/m/{app.code}/report")
    box = page.locator("details.report-exports")
    box.locator("summary").click()
    expect(box.locator("a")).to_have_count(len(LABELS), timeout=T)
    expect(box.locator("a").first).to_have_text("Excel-werkmap")
    page.screenshot(path=str(SHOTS / "report-exports.png"))
    with page.expect_download() as caught:
        box.locator("a").first.click()
    book = load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes()))
    assert book.sheetnames[0] == "Overzicht"
