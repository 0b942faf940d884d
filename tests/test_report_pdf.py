"""The report as a PDF: one click on the page (moderator and share link) and
`voting event report CODE --pdf FILE`, rendered by WeasyPrint from the page's template."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from tests.conftest import Env
from tests.test_report import ENGLISH, evening, moderator
from voting.cli import main
from voting.store import Store


@pytest.fixture
def eenv(db: str) -> Env:
    return Env(db, evening(db))


def pages_of(document: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(document)).pages]


def test_the_pdf_download_is_the_report_as_sent(eenv: Env) -> None:
    code = eenv.event.code
    with moderator(eenv) as client:
        response = client.get(f"/m/{code}/report.pdf", headers=ENGLISH)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == f'attachment; filename="report-{code}.pdf"'
        assert f'href="/m/{code}/report.pdf?lang=en"' in client.get(f"/m/{code}/report", headers=ENGLISH).text
        client.cookies.clear()
        assert client.get(f"/m/{code}/report.pdf").status_code == 403
    pages = pages_of(response.content)
    text = " ".join(pages)
    assert 2 <= len(pages) <= 6
    # Page 1 is full: the title block, the findings and the start of the overview table.
    assert "Zonale veiligheidsraad" in pages[0] and "Main findings" in pages[0] and "Overview" in pages[0]
    assert "12 participants joined and 12 of them voted." in text
    assert "Roles differed most on statement 2" in text
    assert "Not discussed" in text and "Een gedeelde databank per zone." in text
    assert "2 more comments were not published." in text
    # The room's rules, also in the moderator's PDF: small roles together, in words.
    assert "All other roles together" in text and "Justitie" not in text
    for number, page in enumerate(pages, 1):
        assert f"Page {number} / {len(pages)}" in page
        assert "Zonale veiligheidsraad ·" in page  # the footer: the event and its date


def test_the_shared_link_has_its_pdf_in_french(eenv: Env) -> None:
    with moderator(eenv) as client:
        client.post(f"/m/{eenv.event.code}/report/share", data={"shared": "1"})
        store = Store(eenv.db)
        event = store.event_by_code(eenv.event.code)
        store.close()
        assert event is not None and event.report_token
        client.cookies.clear()
        page = client.get(f"/r/{event.report_token}?lang=fr").text
        assert 'href="?pdf=1&amp;lang=fr"' in page
        by_link = client.get(f"/r/{event.report_token}?pdf=1&lang=fr")
        by_path = client.get(f"/r/{event.report_token}.pdf?lang=fr")
    assert by_link.status_code == by_path.status_code == 200
    assert by_link.content[:5] == by_path.content[:5] == b"%PDF-"
    text = " ".join(pages_of(by_path.content))
    assert "Plus de caméras sur les places." in text and "Principaux constats" in text
    assert "Page 1 / " in text


def test_the_cli_writes_the_pdf(eenv: Env, tmp_path: Path) -> None:
    target = tmp_path / "verslag.pdf"
    runner = CliRunner()
    env = {"VOTING_ROLE_MINIMUM": "2"}
    result = runner.invoke(
        main,
        [
            "event",
            "report",
            eenv.event.code,
            "--pdf",
            str(target),
            "--language",
            "nl",
            "--both",
            "--db",
            eenv.db,
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    text = " ".join(pages_of(target.read_bytes()))
    assert "Belangrijkste bevindingen" in text and "Pagina 1 / " in text
    # --both: the findings in Dutch and in French, the statements in both languages.
    assert "De breedste overeenstemming" in text and "Le plus large accord" in text
    assert "Meer camera's op pleinen." in text and "Plus de caméras sur les places." in text
    assert "12 deelnemers meldden zich aan en 12 van hen stemden." in text

    missing = runner.invoke(
        main, ["event", "report", "999999", "--pdf", str(tmp_path / "x.pdf"), "--db", eenv.db]
    )
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines() == [
        f"Error: there is no event with code '999999' in {eenv.db}"
    ]
    assert not (tmp_path / "x.pdf").exists()


def test_pdfs_are_rendered_one_at_a_time(eenv: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from voting.reporting import pdf

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_render(page: str) -> bytes:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return b"%PDF-1.7 test"

    monkeypatch.setattr(pdf, "render", slow_render)
    with moderator(eenv) as client:
        answers: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(client.get(f"/m/{eenv.event.code}/report.pdf").status_code)
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [200, 200, 200] and most[0] == 1
