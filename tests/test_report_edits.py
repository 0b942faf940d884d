"""The moderator's edits to the report: place and organiser, and the organiser's logo
(checked by its bytes, size-limited while it streams; a bad one changes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env
from tests.test_report import ENGLISH, evening, moderator, text_of
from voting.store import Store, report_facts


@pytest.fixture
def eenv(db: str) -> Env:
    return Env(db, evening(db))


CROSS_SITE = {"origin": "https://evil.example"}


def facts_in_store(env: Env) -> tuple[str | None, str | None]:
    store = Store(env.db)
    try:
        event = store.event_by_code(env.event.code)
        assert event is not None
        return event.place, event.organiser
    finally:
        store.close()


@pytest.mark.both_databases
def test_place_and_organiser_are_saved_checked_and_shown(eenv: Env) -> None:
    code = eenv.event.code
    with moderator(eenv) as client:
        saved = client.post(
            f"/m/{code}/report/facts", data={"place": "  Provinciehuis\tLeuven ", "organiser": "Gouverneur"},
            follow_redirects=False,
        )  # fmt: skip
        assert (saved.status_code, saved.headers["location"]) == (303, f"/m/{code}/report")
        assert facts_in_store(eenv) == ("Provinciehuis Leuven", "Gouverneur")
        head = text_of(client.get(f"/m/{code}/report", headers=ENGLISH).text.split("</header>")[0])
        assert "Place Provinciehuis Leuven Organiser Gouverneur" in head
        assert (
            "Participants 12 joined, 12 voted" in head and "Statements 3 discussed, 1 not discussed" in head
        )

        too_long = client.post(
            f"/m/{code}/report/facts", data={"place": "x" * 121, "organiser": "Ander"}, headers=ENGLISH
        )
        assert too_long.status_code == 400
        assert "The place can have at most 120 characters (this one has 121)." in too_long.text
        refused = client.post(f"/m/{code}/report/facts", data={"place": "Elders"}, headers=CROSS_SITE)
        assert refused.status_code == 403
        client.cookies.clear()
        assert client.post(f"/m/{code}/report/facts", data={"place": "Elders"}).status_code == 403
        assert facts_in_store(eenv) == ("Provinciehuis Leuven", "Gouverneur")  # nothing changed


def png(width: int = 40, height: int = 20) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), (31, 78, 153)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_logo(env: Env) -> tuple[str, bytes] | None:
    store = Store(env.db)
    try:
        return report_facts.logo(store.conn, env.event.id)
    finally:
        store.close()


def upload(client: TestClient, code: str, data: bytes, name: str = "logo.png", **kwargs: Any) -> Any:
    return client.post(
        f"/m/{code}/report/logo", files={"logo": (name, data, "image/png")}, headers=ENGLISH,
        follow_redirects=False, **kwargs,
    )  # fmt: skip


@pytest.mark.both_databases
def test_a_logo_is_checked_stored_shown_and_removed(eenv: Env) -> None:
    code = eenv.event.code
    with moderator(eenv) as client:
        assert upload(client, code, png()).status_code == 303
        assert stored_logo(eenv) == ("image/png", png())
        assert '<img class="logo" src="data:image/png;base64,' in client.get(f"/m/{code}/report").text
        removed = client.post(f"/m/{code}/report/logo", data={"remove": "1"}, follow_redirects=False)
        assert removed.status_code == 303 and stored_logo(eenv) is None


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"GIF89a not allowed", 400, "The logo must be a PNG or JPEG image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 400, "The logo must be a PNG or JPEG image."),
        (png()[:60], 400, "This image file is damaged or incomplete."),
        (b"", 400, "Choose an image file first."),
        (png(4001, 10), 400, "The logo can be at most 4000 × 4000 pixels."),
        (
            b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 2**20),
            413,
            "The logo can be at most 1 MB (this file is larger).",
        ),
    ],
    ids=["gif", "svg", "truncated", "empty", "too-wide", "20MB"],
)
def test_a_bad_logo_gets_a_clear_error_and_changes_nothing(
    eenv: Env, data: bytes, status: int, message: str
) -> None:
    code = eenv.event.code
    with moderator(eenv) as client:
        assert upload(client, code, png()).status_code == 303
        response = upload(client, code, data)
        assert response.status_code == status
        assert message in response.text
        assert stored_logo(eenv) == ("image/png", png())  # the earlier logo stays


def test_a_big_upload_without_a_length_is_cut_off(eenv: Env) -> None:
    code = eenv.event.code

    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="logo"; filename="x.png"\r\n\r\n'
        for _ in range(40):
            yield b"\0" * 2**19  # 20 MB in all, streamed without a Content-Length

    with moderator(eenv) as client:
        response = client.post(
            f"/m/{code}/report/logo",
            content=chunks(),
            headers={**ENGLISH, "content-type": "multipart/form-data; boundary=b"},
        )
        assert response.status_code == 413 and "at most 1 MB" in response.text
        assert stored_logo(eenv) is None
        client.cookies.clear()
        assert upload(client, code, png()).status_code == 403
        assert stored_logo(eenv) is None
