"""The exports through the real app: every link of the console's export menu and of the
report page downloads, the share link gives the room's view only, bad requests get one
clear sentence and no file."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.conftest import Env, moderate
from tests.test_export import scripted_evening
from voting import store as sql
from voting.models import Event
from voting.store import Store


@pytest.fixture
def evening(env: Env) -> Event:
    store = Store(env.db)
    event = scripted_evening(store)
    store.close()
    return event


def links(html: str, prefix: str) -> list[str]:
    found = re.findall(rf'href="({re.escape(prefix)}/export\.[^"]+)"', html)
    return [href.replace("&amp;", "&") for href in found]


def formats(found: list[str]) -> list[str]:
    return sorted({link.split("?")[0].split("/export.")[1] for link in found})


EXPECTED = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "roles.csv": "text/csv; charset=utf-8",
    "votes.csv": "text/csv; charset=utf-8",
    "comments.csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
    "polis.zip": "application/zip",
}


@pytest.mark.both_databases
def test_every_export_of_the_console_menu_downloads(env: Env, evening: Event) -> None:
    base = f"/m/{evening.code}"
    with env.client() as client:
        moderate(client, evening)
        menu = links(client.get(base).text, base)
        assert formats(menu) == sorted(EXPECTED)
        for link in menu:
            response = client.get(link)
            fmt = link.split("?")[0].removeprefix(f"{base}/export.")
            assert response.status_code == 200, link
            assert response.headers["content-type"] == EXPECTED[fmt], link
            suffix = {"csv": ".csv", "json": ".json", "xlsx": ".xlsx", "zip": ".zip"}.get(fmt, "-" + fmt)
            name = f'attachment; filename="voting-{evening.code}{suffix}"'
            assert response.headers["content-disposition"] == name
        french = client.get(f"{base}/export.xlsx?lang=fr")
        english_csv = client.get(f"{base}/export.roles.csv?lang=en")
    book = load_workbook(io.BytesIO(french.content))
    assert book.sheetnames == [
        "Vue d’ensemble", "Par réponse", "Rôles (règles salle)", "Rôles exacts (organisateur)",
        "Votes", "Commentaires",
    ]  # fmt: skip
    rows = list(csv.reader(io.StringIO(english_csv.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["position", "statement", "round", "role", "voters"]


def test_the_report_page_lists_the_exports_of_its_reader(env: Env) -> None:
    """The moderator's report links to the organiser's full export (the console's list); a
    share link's page lists none (it never shows its own token)."""
    base = f"/m/{env.event.code}"
    store = Store(env.db)
    store.write(sql.set_report_token, env.event.id, "plain-token")
    store.close()
    with env.client() as client:
        shared = client.get("/r/plain-token").text
        moderate(client, env.event)
        console = links(client.get(base).text, base)
        report = links(client.get(f"{base}/report").text, base)
    assert report == console
    assert formats(console) == sorted(set(EXPECTED) - {"roles.csv"})  # an event without roles
    assert "/export." not in shared and "plain-token" not in shared


def test_the_share_link_exports_the_rooms_view_only(env: Env, evening: Event) -> None:
    store = Store(env.db)
    store.write(sql.set_report_token, evening.id, "share-token-123")
    store.close()
    with env.client() as client:
        data = client.get("/r/share-token-123/export.json").json()
        workbook = client.get("/r/share-token-123/export.xlsx?lang=en")
        roles = client.get("/r/share-token-123/export.roles.csv?lang=en")
        organiser_only = ("votes.csv", "zip", "polis.zip")
        refused = [client.get(f"/r/share-token-123/export.{fmt}") for fmt in organiser_only]
        unknown = client.get("/r/not-the-token/export.json")
        organiser = client.get(f"/m/{evening.code}/export.json")  # this client is no moderator
    assert data["scope"] == "room"
    assert all("votes" not in s for s in data["statements"])
    assert [c["status"] for s in data["statements"] for c in s["comments"]] == ["published"]
    name = f'attachment; filename="voting-{evening.code}-shared.xlsx"'
    assert workbook.headers["content-disposition"] == name
    rows = list(csv.reader(io.StringIO(roles.content.decode("utf-8-sig"))))
    assert {r[3] for r in rows[1:]} <= {"Burgemeester", "(others)"}  # no small role by name
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames == [
        "Overview", "Per answer", "Roles (room rules)", "Comments",
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [404, 404, 404]
    assert all("content-disposition" not in r.headers for r in refused)
    assert unknown.status_code == 404 and organiser.status_code == 403


def test_bad_formats_and_languages_get_one_sentence(env: Env, evening: Event) -> None:
    with env.client() as client:
        moderate(client, evening)
        unknown = client.get(f"/m/{evening.code}/export.pdf", headers={"accept-language": "en"})
        language = client.get(f"/m/{evening.code}/export.xlsx?lang=de", headers={"accept-language": "en"})
        dutch = client.get(f"/m/{evening.code}/export.pdf", headers={"accept-language": "nl"})
        gone = client.get("/m/000000/export.xlsx")
    assert unknown.status_code == 404
    assert unknown.text == (
        "Unknown export format 'pdf'; use one of:"
        " json, csv, votes.csv, comments.csv, roles.csv, xlsx, zip, polis.zip."
    )
    assert language.status_code == 400
    assert language.text == "Unknown language 'de'; use nl, fr or en."
    assert dutch.text.startswith("Onbekend exportformaat 'pdf'")
    assert gone.status_code == 404
    for response in (unknown, language, gone):
        assert "content-disposition" not in response.headers


def test_the_pol_is_zip_of_the_console(env: Env, evening: Event) -> None:
    with env.client() as client:
        moderate(client, evening)
        response = client.get(f"/m/{evening.code}/export.polis.zip")
        as_json = client.get(f"/m/{evening.code}/export.json").json()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]
        participants = list(csv.DictReader(io.StringIO(archive.read("participants-votes.csv").decode())))
    numbers = {v["participant"]: v["role"] for s in as_json["statements"] for v in s["votes"]}
    # Pol.is's voter ids are the JSON export's participant numbers, with their roles.
    assert {int(p["participant"]): p["role"] or None for p in participants} == numbers
    assert json.dumps(as_json).count('"schema"') == 1


def test_an_export_is_made_off_the_event_loop(
    env: Env, evening: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow export (a big event's opinion map and workbook) leaves the server answering."""
    import threading
    import time

    from voting.web import exports

    real = exports.write

    def slow(*args: object) -> bytes:
        time.sleep(1.5)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(exports, "write", slow)
    with env.client() as client:
        moderate(client, evening)
        done: list[int] = []
        worker = threading.Thread(
            target=lambda: done.append(client.get(f"/m/{evening.code}/export.xlsx").status_code)
        )
        worker.start()
        time.sleep(0.3)
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        answered = time.perf_counter() - started
        worker.join()
    assert done == [200]
    assert answered < 0.5, f"the server waited {answered:.2f} s for the export"
