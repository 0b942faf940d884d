"""The organiser's pages against the real app: log in, list events, create an event."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, Env
from voting.app import create_app
from voting.bootstrap import prepare
from voting.models import Event, Statement
from voting.settings import Settings
from voting.store import Store

ENGLISH = {"accept-language": "en"}
CROSS_SITE = {"origin": "https://evil.example"}
PASTED = """
# Avond over integrale veiligheid
Elke gemeente heeft een aanspreekpunt voor bestuurlijke handhaving.

  De politie deelt   meer informatie met de burgemeester.
#Nog een opmerking
Het parket krijgt een vaste plek in de veiligheidscel.
"""
PASTED_TEXTS = [
    "Elke gemeente heeft een aanspreekpunt voor bestuurlijke handhaving.",
    "De politie deelt meer informatie met de burgemeester.",
    "Het parket krijgt een vaste plek in de veiligheidscel.",
]


def events(env: Env) -> list[Event]:
    store = Store(env.db)
    found = store.events()
    store.close()
    return found


def statements(env: Env, event: Event) -> list[Statement]:
    store = Store(env.db)
    found = store.statements(event.id)
    store.close()
    return found


SAME_SITE = {"origin": "http://testserver"}  # a browser's login form always sends its Origin


def log_in(client: TestClient, password: str = ADMIN_PASSWORD, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        "/admin/login", data={"password": password}, headers={**SAME_SITE, **(headers or {})},
        follow_redirects=False,
    )


def create(client: TestClient, headers: dict[str, str] | None = None, **form: str) -> Any:
    return client.post("/admin/events", data=form, headers=headers or {}, follow_redirects=False)


def error_message(html: str) -> str:
    match = re.search(r'<p class="error"[^>]*role="alert">(.*?)</p>', html, re.S)
    assert match is not None, "no error message on the page"
    return match.group(1)


def is_login_page(html: str) -> bool:
    return '<form method="post" action="/admin/login" class="join">' in html


@pytest.fixture
def admin(app_client: TestClient) -> TestClient:
    assert log_in(app_client).status_code == 303
    return app_client


# -- logging in ------------------------------------------------------------------------------------------


def test_admin_without_session_shows_the_login_form(app_client: TestClient, env: Env) -> None:
    response = app_client.get("/admin")
    assert response.status_code == 200
    assert is_login_page(response.text)
    assert '<input id="password" name="password" type="password"' in response.text
    assert "<h1>Organisator</h1>" in response.text
    assert env.event.code not in response.text
    assert "Veiligheid" not in response.text
    assert 'action="/admin/events"' not in response.text


@pytest.mark.parametrize(
    ("password", "headers", "message"),
    [
        ("wrong", {}, "Verkeerd wachtwoord."),
        ("wrong", ENGLISH, "Wrong password."),
        ("", {}, "Verkeerd wachtwoord."),
        (ADMIN_PASSWORD.upper(), ENGLISH, "Wrong password."),
        (ADMIN_PASSWORD + " ", ENGLISH, "Wrong password."),
    ],
)
def test_wrong_password_is_refused(
    app_client: TestClient, password: str, headers: dict[str, str], message: str
) -> None:
    response = log_in(app_client, password, headers=headers)
    assert response.status_code == 403
    assert is_login_page(response.text)
    assert error_message(response.text) == message
    assert 'aria-invalid="true" aria-describedby="login-error"' in response.text
    assert is_login_page(app_client.get("/admin").text)  # still not logged in


def test_right_password_logs_in_and_lists_the_events(app_client: TestClient, env: Env) -> None:
    response = log_in(app_client)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert "httponly" in response.headers["set-cookie"].lower()

    page = app_client.get("/admin")
    assert page.status_code == 200
    assert not is_login_page(page.text)
    assert f"<tr><td>{env.event.code}</td><td>Veiligheid</td>" in page.text
    assert f'<a href="/m/{env.event.code}">' in page.text
    assert f'<a href="/p/{env.event.code}">' in page.text
    assert '<form method="post" action="/admin/events" class="stack">' in page.text
    assert '<option value="likert5" selected>' in page.text
    assert env.event.moderator_token not in page.text  # only shown right after creating


def test_admin_may_moderate_every_event(admin: TestClient, env: Env) -> None:
    assert admin.get(f"/m/{env.event.code}").status_code == 200
    assert admin.get(f"/m/{env.event.code}/export.csv").status_code == 200


def test_login_from_another_site_is_refused(app_client: TestClient) -> None:
    response = log_in(app_client, headers=CROSS_SITE)
    assert response.status_code == 403
    assert response.text == "Cross-site request refused: log in from the organiser page."
    assert is_login_page(app_client.get("/admin").text)


def test_log_out(admin: TestClient) -> None:
    refused = admin.post("/admin/logout", headers=CROSS_SITE, follow_redirects=False)
    assert refused.status_code == 303
    assert not is_login_page(admin.get("/admin").text)  # another site cannot log us out
    response = admin.post("/admin/logout", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert is_login_page(admin.get("/admin").text)


# -- creating events -----------------------------------------------------------------------------------------


def test_create_event_from_pasted_statements(admin: TestClient, env: Env) -> None:
    response = create(admin, title="  Avond   integrale veiligheid ", statements=PASTED, scale="agree3")
    assert response.status_code == 303
    match = re.fullmatch(r"/admin\?created=(\d{6})", response.headers["location"])
    assert match is not None
    code = match.group(1)

    created = [e for e in events(env) if e.code == code]
    assert len(created) == 1
    event = created[0]
    assert event.title == "Avond integrale veiligheid"
    assert [(s.position, s.text, s.scale) for s in statements(env, event)] == [
        (0, PASTED_TEXTS[0], "agree3"), (1, PASTED_TEXTS[1], "agree3"), (2, PASTED_TEXTS[2], "agree3"),
    ]

    page = admin.get(response.headers["location"])
    assert page.status_code == 200
    assert f"Sessie aangemaakt · Code {code}</h2>" in page.text
    assert f'<img class="qr" src="/qr/{code}.svg"' in page.text
    base = "http://testserver"
    for url in (f"{base}/j/{code}", f"{base}/p/{code}", f"{base}/m/{code}?token={event.moderator_token}"):
        assert f'<a href="{url}">{url}</a>' in page.text
    assert f"<tr><td>{code}</td><td>Avond integrale veiligheid</td>" in page.text
    assert admin.get(f"/qr/{code}.svg").status_code == 200

    # The moderator link works in a browser that never logged in as organiser.
    admin.cookies.clear()
    login = admin.get(f"/m/{code}?token={event.moderator_token}", follow_redirects=False)
    assert login.status_code == 303
    console = admin.get(f"/m/{code}")
    assert console.status_code == 200
    assert '<span class="text">De politie deelt meer informatie met de burgemeester.</span>' in console.text


def test_create_event_with_the_default_scale(admin: TestClient, env: Env) -> None:
    response = create(admin, title="Standaard", statements="Een\nTwee")
    assert response.status_code == 303
    event = next(e for e in events(env) if e.title == "Standaard")
    assert [(s.text, s.scale) for s in statements(env, event)] == [("Een", "likert5"), ("Twee", "likert5")]


def test_created_code_that_does_not_exist_shows_no_links(admin: TestClient) -> None:
    for created in ("000000", "abc", ""):
        page = admin.get("/admin", params={"created": created})
        assert page.status_code == 200
        assert '<section class="created"' not in page.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "", "statements": "Een"}, "An event needs a title."),
        ({"title": "   ", "statements": "Een"}, "An event needs a title."),
        ({"title": "T" * 121, "statements": "Een"}, "A title can have at most 120 characters."),
        ({"title": "Avond", "statements": ""}, "Paste at least one statement."),
        ({"title": "Avond", "statements": "\n  \n# alleen commentaar\n"}, "Paste at least one statement."),
        (
            {"title": "Avond", "statements": "Een", "scale": "likert7"},
            "Unknown scale &#39;likert7&#39;; use one of likert5, agree3, yesno.",
        ),
        (
            {"title": "Avond", "statements": "Een\n" + "x" * 300},
            "A statement can have at most 280 characters (this one has 300).",
        ),
        (
            {"title": "Avond", "statements": "\n".join(f"Stelling {n}" for n in range(201))},
            "An event can have at most 200 statements.",
        ),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(
    admin: TestClient, env: Env, form: dict[str, str], message: str
) -> None:
    response = create(admin, ENGLISH, **form)
    assert response.status_code == 400
    assert error_message(response.text) == message
    assert [e.code for e in events(env)] == [env.event.code]
    # The form keeps what was typed, so nothing has to be pasted again.
    textarea = f'<textarea id="statements" name="statements" rows="8">{form["statements"]}</textarea>'
    assert textarea in response.text


def test_a_refused_form_keeps_the_chosen_scale(admin: TestClient) -> None:
    response = create(admin, title="", statements="Een", scale="yesno")
    assert response.status_code == 400
    assert '<option value="yesno" selected>' in response.text
    assert '<option value="likert5" selected>' not in response.text


def test_typed_text_is_escaped_when_the_form_comes_back(admin: TestClient) -> None:
    pasted = "</textarea><script>alert(2)</script>\n" + "x" * 300
    response = create(admin, title='"><script>alert(1)</script>', statements=pasted)
    assert response.status_code == 400
    assert "<script>alert" not in response.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in response.text


def test_titles_are_escaped_in_the_list(admin: TestClient, env: Env) -> None:
    assert create(admin, title="<script>alert(1)</script>", statements="Een").status_code == 303
    page = admin.get("/admin")
    assert "<script>alert" not in page.text
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page.text


def test_creating_from_another_site_is_refused(admin: TestClient, env: Env) -> None:
    response = create(admin, CROSS_SITE, title="Aanval", statements="Een")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert [e.code for e in events(env)] == [env.event.code]


def test_creating_without_logging_in_is_refused(app_client: TestClient, env: Env) -> None:
    response = create(app_client, title="Stiekem", statements="Een")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert [e.code for e in events(env)] == [env.event.code]
    assert is_login_page(app_client.get("/admin").text)


# -- the generated password ---------------------------------------------------------------------------


def test_generated_password_works_and_is_stored_hashed(env: Env) -> None:
    settings = Settings(db=env.db, demo=False, admin_password="")
    store = Store(env.db)
    password = prepare(store, settings).generated_password
    assert password is not None and len(password) >= 16
    assert prepare(store, settings).generated_password is None  # shown once, kept after
    stored = store.setting("admin_password_hash")
    values = [row[0] for row in store.conn.execute("SELECT value FROM settings")]
    store.close()

    assert stored is not None and stored.startswith("$argon2id$")
    assert password not in stored
    assert all(password not in value for value in values)

    with TestClient(create_app(settings)) as client:
        assert log_in(client, ADMIN_PASSWORD).status_code == 403
        assert log_in(client, password[:-1]).status_code == 403
        assert log_in(client, stored).status_code == 403  # the hash is not a password
        assert log_in(client, password).status_code == 303
        page = client.get("/admin")
        assert f"<tr><td>{env.event.code}</td><td>Veiligheid</td>" in page.text


def test_an_oversized_paste_is_refused_not_cut(admin: TestClient, env: Env) -> None:
    statements = "Een stelling.\n" * 8_000  # 112,000 characters
    response = create(admin, title="Te lang", statements=statements, scale="likert5")
    assert response.status_code == 400
    assert error_message(response.text) == "De geplakte lijst is te lang: splits ze op."
    assert [e.title for e in events(env)] == ["Veiligheid"]


def test_stats_are_for_the_organiser_only(app_client: TestClient, env: Env) -> None:
    response = app_client.get("/admin/stats")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_stats_count_connections_and_loop_health(admin: TestClient, env: Env) -> None:
    with admin.websocket_connect(f"/ws/{env.event.code}?role=projector") as ws:
        assert ws.receive_json()["type"] == "welcome"
        stats = admin.get("/admin/stats").json()
    assert stats["connections"] == {"participant": 0, "projector": 1, "moderator": 0}
    assert stats["events_live"] == 1
    assert stats["longest_loop_stall_ms"] >= 0
    assert stats["writer"]["commits"] >= 0
    assert set(stats) >= {"frames_sent", "longest_gc_pause_ms", "gc_collections"}
