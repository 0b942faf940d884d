"""HTTP pages against the real app: join, participant, form vote, projector, moderator, exports."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, join, moderate, new_phone
from voting import store as sql
from voting.app import CONTENT_SECURITY_POLICY
from voting.models import Event, LiveState
from voting.store import Store

CROSS_SITE = {"origin": "https://evil.example"}
WANTS_JSON = {"accept": "application/json"}
UNKNOWN_EVENT_NL = "Er is geen sessie met deze code."
REFS = itertools.count(1)


# -- helpers ----------------------------------------------------------------------------------


def statement_ids(env: Env) -> list[int]:
    store = Store(env.db)
    ids = [s.id for s in store.statements(env.event.id)]
    store.close()
    return ids


def set_state(env: Env, state: LiveState, event: Event | None = None) -> None:
    """Write the live state straight to the database (before a client starts the app)."""
    store = Store(env.db)
    store.write(sql.save_state, (event or env.event).id, state)
    store.close()


def stored_votes(env: Env, event: Event | None = None) -> list[tuple[int, str, str]]:
    store = Store(env.db)
    rows = store.votes((event or env.event).id)
    found = [(r["statement_id"], r["participant_id"], r["option"]) for r in rows]
    store.close()
    return found


def participant_count(env: Env) -> int:
    store = Store(env.db)
    count = store.participant_count(env.event.id)
    store.close()
    return count


def add_event(env: Env, title: str, texts: list[str], scale: str = "likert5") -> Event:
    store = Store(env.db)
    event = store.write(sql.insert_event, title, texts, scale)
    store.close()
    return event


def pressed(html: str) -> list[str]:
    """The vote buttons shown as chosen (aria-pressed="true")."""
    return re.findall(r'<button[^>]*name="option" value="([a-z_]+)"[^>]*aria-pressed="true"', html)


def vote_buttons(html: str) -> list[str]:
    return re.findall(r'<button[^>]*name="option" value="([a-z_]+)"', html)


def session_payload(set_cookie: str) -> dict[str, Any]:
    """The data inside the signed session cookie (payload.timestamp.signature)."""
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    payload = value.split(".", 1)[0]
    data: dict[str, Any] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def vote_status(html: str) -> str:
    """The text under the vote buttons (what a phone without JavaScript is told)."""
    match = re.search(r'<p class="vote-status[^"]*" data-vote-status role="status">(.*?)</p>', html, re.S)
    assert match is not None
    return match.group(1)


def unknown_code(env: Env) -> str:
    return "999999" if env.event.code != "999999" else "999998"


def vote(client: TestClient, code: str, statement: object, option: str | None, **kwargs: Any) -> Any:
    data = {"statement": str(statement)}
    if option is not None:
        data["option"] = option
    return client.post(f"/j/{code}/vote", data=data, follow_redirects=False, **kwargs)


@pytest.fixture
def first(env: Env) -> int:
    return statement_ids(env)[0]


@pytest.fixture
def open_client(env: Env, first: int) -> Iterator[TestClient]:
    """A client of an event whose first statement is on screen with voting open."""
    set_state(env, LiveState(statement_id=first, voting_open=True))
    with env.client() as client:
        yield client


# -- join page ---------------------------------------------------------------------------------


def test_join_page_renders_the_code_form(app_client: TestClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form class="join" method="get" action="/">' in response.text
    assert '<input id="code" name="code" inputmode="numeric"' in response.text
    assert "Doe mee met de stemming" in response.text
    assert 'role="alert"' not in response.text
    assert 'aria-invalid="true"' not in response.text


def test_known_code_redirects_to_the_event(app_client: TestClient, env: Env) -> None:
    response = app_client.get(f"/?code={env.event.code}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{env.event.code}"


def test_code_typed_as_shown_on_the_projector_with_a_space(app_client: TestClient, env: Env) -> None:
    code = env.event.code
    response = app_client.get("/", params={"code": f" {code[:3]} {code[3:]} "}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{code}"


def test_unknown_code_is_a_404_with_a_clear_message(app_client: TestClient, env: Env) -> None:
    code = unknown_code(env)
    response = app_client.get(f"/?code={code}", follow_redirects=False)
    assert response.status_code == 404
    assert f'<p class="error" id="code-error" role="alert">{UNKNOWN_EVENT_NL}' in response.text
    assert 'aria-invalid="true" aria-describedby="code-error"' in response.text
    assert f'value="{code}"' in response.text  # what was typed stays in the box


@pytest.mark.parametrize("junk", ["abc", "", "<script>alert(1)</script>", "²²²²²²", "١٢٣٤٥٦", "9" * 5000])
def test_junk_in_the_code_is_a_404_not_a_500(app_client: TestClient, junk: str) -> None:
    response = app_client.get("/", params={"code": junk}, follow_redirects=False)
    assert response.status_code == 404
    assert UNKNOWN_EVENT_NL in response.text
    assert "<script>alert" not in response.text
    assert 'value="abc"' not in response.text  # only digits are kept


# -- participant page ----------------------------------------------------------------------------


def test_participant_page_sets_an_httponly_signed_cookie(app_client: TestClient, env: Env) -> None:
    response = app_client.get(f"/j/{env.event.code}")
    assert response.status_code == 200
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("voting=")
    attributes = [part.strip().lower() for part in set_cookie.split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # plain http in tests; https_only follows public_url
    assert isinstance(session_payload(set_cookie)["pid"], str)


def test_a_forged_cookie_is_not_accepted(app_client: TestClient, env: Env) -> None:
    forged = base64.b64encode(json.dumps({"pid": "forged", "admin": True}).encode()).decode()
    app_client.cookies.set("voting", f"{forged}.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA")
    response = app_client.get(f"/j/{env.event.code}")
    assert response.status_code == 200
    session = session_payload(response.headers["set-cookie"])
    assert session["pid"] != "forged"
    assert "admin" not in session


def test_reload_keeps_the_participant_identity(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    cookie = open_client.cookies["voting"]
    pid = session_payload(f"voting={cookie}")["pid"]
    assert vote(open_client, env.event.code, first, "agree").status_code == 303

    page = open_client.get(f"/j/{env.event.code}")
    assert page.status_code == 200
    assert pressed(page.text) == ["agree"]
    assert open_client.cookies["voting"] == cookie
    assert stored_votes(env) == [(first, pid, "agree")]
    assert participant_count(env) == 1


def test_another_phone_is_another_participant(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    assert vote(open_client, env.event.code, first, "agree").status_code == 303
    other = new_phone(open_client, env.event.code)
    page = open_client.get(f"/j/{env.event.code}", headers=other)
    assert page.status_code == 200
    assert pressed(page.text) == []
    assert participant_count(env) == 2


def test_participant_page_shows_the_current_statement_and_the_options(
    open_client: TestClient, env: Env
) -> None:
    page = open_client.get(f"/j/{env.event.code}")
    assert '<h1 class="statement" data-statement>First statement</h1>' in page.text
    assert "Stelling 1 van 3" in page.text
    assert f'<form class="options" data-options method="post" action="/j/{env.event.code}/vote">' in page.text
    # Most agreeing first, then "pass"; enabled while voting is open.
    assert vote_buttons(page.text) == [
        "strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "pass",
    ]
    assert "disabled" not in page.text


def test_participant_page_waits_before_the_first_statement(app_client: TestClient, env: Env) -> None:
    page = app_client.get(f"/j/{env.event.code}")
    assert page.status_code == 200
    assert '<section class="waiting" data-view="waiting" >' in page.text
    assert '<section class="ballot" data-view="ballot" hidden>' in page.text
    assert vote_buttons(page.text) == []


def test_participant_buttons_are_disabled_while_voting_is_closed(env: Env, first: int) -> None:
    set_state(env, LiveState(statement_id=first, voting_open=False))
    with env.client() as client:
        page = client.get(f"/j/{env.event.code}")
    assert len(vote_buttons(page.text)) == 6
    assert page.text.count("disabled>") == 6
    assert "De stemming is gesloten. Wacht op de moderator." in page.text


@pytest.mark.parametrize("path", ["/j/000000", "/j/abc", "/j/1234567", "/p/000000", "/p/abc", "/m/000000"])
def test_unknown_event_pages_are_404(app_client: TestClient, path: str) -> None:
    response = app_client.get(path)
    assert response.status_code == 404
    assert "<h1>Onbekende code</h1>" in response.text
    assert UNKNOWN_EVENT_NL in response.text
    assert '<a class="button" href="/">' in response.text


def test_voting_on_an_unknown_event_is_a_404(app_client: TestClient) -> None:
    response = app_client.post("/j/000000/vote", data={"statement": "1", "option": "agree"})
    assert response.status_code == 404


# -- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "lang", "text"),
    [
        ("en", "en", "Join the vote"),
        ("en-GB,en;q=0.9", "en", "Join the vote"),
        ("nl", "nl", "Doe mee met de stemming"),
        ("nl-BE", "nl", "Doe mee met de stemming"),
        (None, "nl", "Doe mee met de stemming"),
        ("fr", "fr", "Participez au vote"),
        ("fr-BE,fr;q=0.9,en;q=0.5", "fr", "Participez au vote"),
        ("de-DE,en;q=0.5", "en", "Join the vote"),
        ("de-DE", "nl", "Doe mee met de stemming"),
        ("en;q=0.3,nl;q=0.8", "nl", "Doe mee met de stemming"),
    ],
)
def test_language_follows_accept_language(
    app_client: TestClient, accept_language: str | None, lang: str, text: str
) -> None:
    headers = {} if accept_language is None else {"accept-language": accept_language}
    response = app_client.get("/", headers=headers)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{text}</h1>" in response.text


def test_pages_and_errors_in_english(open_client: TestClient, env: Env) -> None:
    english = {"accept-language": "en"}
    page = open_client.get(f"/j/{env.event.code}", headers=english)
    assert "Statement 1 of 3" in page.text
    assert ">Strongly agree</button>" in page.text
    missing = open_client.get("/j/000000", headers=english)
    assert missing.status_code == 404
    assert "<h1>Unknown code</h1>" in missing.text


# -- form vote (the no-JavaScript fallback) -------------------------------------------------------


def test_form_vote_is_stored_and_redirects_back(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    response = vote(open_client, env.event.code, first, "agree")
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{env.event.code}?notice=saved"
    assert [(sid, option) for sid, _, option in stored_votes(env)] == [(first, "agree")]

    page = open_client.get(response.headers["location"])
    assert vote_status(page.text) == "✓ Je stem is bewaard"
    assert pressed(page.text) == ["agree"]


def test_form_vote_can_be_changed_the_latest_counts(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    for option in ("agree", "strongly_disagree", "pass"):
        assert vote(open_client, env.event.code, first, option).status_code == 303
    assert [(sid, option) for sid, _, option in stored_votes(env)] == [(first, "pass")]
    assert pressed(open_client.get(f"/j/{env.event.code}").text) == ["pass"]


def test_form_vote_answers_json_when_asked(open_client: TestClient, env: Env, first: int) -> None:
    response = vote(open_client, env.event.code, first, "neutral", headers=WANTS_JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"type": "ack", "statement": first, "option": "neutral"}
    assert [option for _, _, option in stored_votes(env)] == ["neutral"]


def test_form_vote_from_our_own_origin_is_accepted(open_client: TestClient, env: Env, first: int) -> None:
    response = vote(open_client, env.event.code, first, "agree", headers={"origin": "http://testserver"})
    assert response.status_code == 303
    assert len(stored_votes(env)) == 1


@pytest.mark.parametrize("origin", ["https://evil.example", "http://testserver.evil.example", "null"])
def test_cross_origin_form_vote_is_forbidden(
    open_client: TestClient, env: Env, first: int, origin: str
) -> None:
    join(open_client, env.event.code)
    response = vote(open_client, env.event.code, first, "agree", headers={"origin": origin})
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "Cross-site request."}
    assert stored_votes(env) == []


def test_form_vote_refused_while_voting_is_closed(env: Env, first: int) -> None:
    set_state(env, LiveState(statement_id=first, voting_open=False))
    with env.client() as client:
        response = vote(client, env.event.code, first, "agree")
        assert response.status_code == 303
        assert response.headers["location"] == f"/j/{env.event.code}?notice=voting_closed"
        as_json = vote(client, env.event.code, first, "agree", headers=WANTS_JSON)
        assert as_json.status_code == 400
        # The message is in the page's language (Dutch by default).
        closed = "De stemming over deze stelling is gesloten."
        assert as_json.json() == {"error": "voting_closed", "message": closed}
        page = client.get(response.headers["location"])
    assert stored_votes(env) == []
    assert '<p class="vote-status warn" data-vote-status role="status">' in page.text
    assert vote_status(page.text) == "De stemming is gesloten."


def test_form_vote_refused_on_a_statement_not_on_screen(open_client: TestClient, env: Env) -> None:
    second = statement_ids(env)[1]
    response = vote(open_client, env.event.code, second, "agree")
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{env.event.code}?notice=not_current"
    page = open_client.get(response.headers["location"])
    assert vote_status(page.text) == "Over deze stelling kan niet meer gestemd worden."
    assert stored_votes(env) == []


def test_form_vote_refused_on_the_welcome_screen(app_client: TestClient, env: Env, first: int) -> None:
    response = vote(app_client, env.event.code, first, "agree", headers=WANTS_JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "not_current"
    assert stored_votes(env) == []


@pytest.mark.parametrize("option", ["yes", "AGREE", "", None])
def test_form_vote_refused_with_an_invalid_option(
    open_client: TestClient, env: Env, first: int, option: str | None
) -> None:
    response = vote(open_client, env.event.code, first, option, headers=WANTS_JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_option"
    assert stored_votes(env) == []


def test_refused_change_does_not_claim_the_vote_was_saved(
    open_client: TestClient, env: Env, first: int
) -> None:
    join(open_client, env.event.code)
    assert vote(open_client, env.event.code, first, "agree").status_code == 303
    refused = vote(open_client, env.event.code, first, "maybe")
    assert refused.headers["location"] == f"/j/{env.event.code}?notice=invalid_option"
    page = open_client.get(refused.headers["location"])
    assert vote_status(page.text) == "Er liep iets mis. Probeer opnieuw."
    assert pressed(page.text) == ["agree"]  # the earlier vote still stands


@pytest.mark.parametrize("notice", ["", "nonsense", "<script>alert(1)</script>"])
def test_other_notices_show_nothing(open_client: TestClient, env: Env, notice: str) -> None:
    page = open_client.get(f"/j/{env.event.code}", params={"notice": notice})
    assert page.status_code == 200
    assert vote_status(page.text) == ""
    assert "<script>alert" not in page.text


@pytest.mark.parametrize("statement", ["abc", "", "1.0", "-1", "²", "1" * 5000, "١"])
def test_form_vote_with_a_junk_statement_id_is_refused_not_a_500(
    open_client: TestClient, env: Env, statement: str
) -> None:
    response = vote(open_client, env.event.code, statement, "agree", headers=WANTS_JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "not_current"
    assert stored_votes(env) == []


def test_form_vote_follows_the_moderator_live(env: Env, first: int) -> None:
    """Voting opened and closed over the moderator socket applies to form votes at once."""
    with env.client() as client:
        phone = new_phone(client, env.event.code)
        assert vote(client, env.event.code, first, "agree", headers=phone).status_code == 303
        assert stored_votes(env) == []  # nothing on screen yet

        moderate(client, env.event)
        with client.websocket_connect(f"/ws/{env.event.code}?role=moderator") as ws:
            moderator_action(ws, {"type": "goto", "statement": first})
            moderator_action(ws, {"type": "voting", "open": True})
            saved = vote(client, env.event.code, first, "agree", headers=phone)
            assert saved.headers["location"] == f"/j/{env.event.code}?notice=saved"
            moderator_action(ws, {"type": "voting", "open": False})
            refused = vote(client, env.event.code, first, "disagree", headers=phone)
            assert refused.headers["location"] == f"/j/{env.event.code}?notice=voting_closed"
        console = client.get(f"/m/{env.event.code}")
    assert [(sid, option) for sid, _, option in stored_votes(env)] == [(first, "agree")]
    assert "<strong data-voters>1</strong>" in console.text


def moderator_action(ws: Any, action: dict[str, Any], limit: int = 20) -> None:
    ref = next(REFS)
    ws.send_json({**action, "id": ref})
    for _ in range(limit):
        message = ws.receive_json()
        if message.get("ref") == ref:
            assert message["type"] == "ok", message
            return
    raise AssertionError(f"no reply to {action}")


# -- projector -------------------------------------------------------------------------------------


def test_projector_shows_statement_qr_and_code(env: Env, first: int) -> None:
    set_state(env, LiveState(statement_id=first, voting_open=True))
    code = env.event.code
    with env.client() as client:
        response = client.get(f"/p/{code}")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="statement" data-statement>First statement</h1>' in html
    assert f'<img class="qr" src="/qr/{code}.svg" alt="QR-code om deel te nemen">' in html
    assert f'<p class="join-code">{code[:3]} {code[3:]}</p>' in html
    assert '<p class="join-url">testserver</p>' in html
    assert '<p class="event-title">Veiligheid</p>' in html
    assert "Stelling 1 van 3" in html
    assert '<span class="pill" data-voting>Stemming open</span>' in html


def test_projector_welcome_screen(app_client: TestClient, env: Env) -> None:
    response = app_client.get(f"/p/{env.event.code}")
    assert response.status_code == 200
    assert 'class="welcome"' in response.text
    assert "First statement" not in response.text


def test_projector_hides_results_until_revealed(env: Env, first: int) -> None:
    set_state(env, LiveState(statement_id=first, voting_open=True))
    with env.client() as client:
        assert vote(client, env.event.code, first, "agree").status_code == 303
        hidden = client.get(f"/p/{env.event.code}").text
    assert '<div class="results" data-results hidden>' in hidden
    assert '"results":null' in hidden.replace("&#34;", '"')


def test_moderator_token_never_reaches_participants_or_the_projector(
    open_client: TestClient, env: Env
) -> None:
    token = env.event.moderator_token
    code = env.event.code
    for path in (f"/j/{code}", f"/p/{code}", f"/?code={code}", "/", f"/qr/{code}.svg"):
        response = open_client.get(path)
        assert response.status_code == 200, path
        assert token not in response.text, path
        assert token not in str(response.headers), path
    moderate(open_client, env.event)
    for path in (f"/m/{code}", f"/m/{code}/export.json", f"/m/{code}/export.csv"):
        response = open_client.get(path)
        assert response.status_code == 200, path
        assert token not in response.text, path


# -- moderator console -----------------------------------------------------------------------------


def test_moderator_console_without_session_is_forbidden(app_client: TestClient, env: Env) -> None:
    response = app_client.get(f"/m/{env.event.code}")
    assert response.status_code == 403
    assert "<h1>Alleen voor moderatoren</h1>" in response.text
    assert "First statement" not in response.text


@pytest.mark.parametrize("token", ["wrong", "", "x" * 500, "é"])
def test_moderator_with_a_wrong_token_is_forbidden(app_client: TestClient, env: Env, token: str) -> None:
    response = app_client.get(f"/m/{env.event.code}", params={"token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert "Alleen voor moderatoren" in response.text
    assert app_client.get(f"/m/{env.event.code}").status_code == 403  # nothing was granted


def test_moderator_token_logs_in_and_leaves_the_address_bar(app_client: TestClient, env: Env) -> None:
    code = env.event.code
    response = app_client.get(f"/m/{code}?token={env.event.moderator_token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/m/{code}"
    assert "httponly" in response.headers["set-cookie"].lower()

    console = app_client.get(f"/m/{code}")
    assert console.status_code == 200
    assert f'<main id="moderator" data-code="{code}"' in console.text
    assert [m for m in re.findall(r'<span class="text">([^<]*)</span>', console.text)] == [
        "First statement", "Second statement", "Third",
    ]
    assert f'<a href="http://testserver/p/{code}" target="_blank" rel="noopener">' in console.text
    assert f'<a href="/m/{code}/export.csv">' in console.text
    # The session keeps working without the token.
    assert app_client.get(f"/m/{code}").status_code == 200
    assert app_client.get(f"/m/{code}/export.json").status_code == 200


def test_moderator_session_is_for_one_event_only(env: Env) -> None:
    other = add_event(env, "Andere", ["Elsewhere"])
    with env.client() as client:
        moderate(client, env.event)
        assert client.get(f"/m/{env.event.code}").status_code == 200
        assert client.get(f"/m/{other.code}").status_code == 403
        assert client.get(f"/m/{other.code}/export.json").status_code == 403
        # Nor does this event's token open the other one.
        response = client.get(f"/m/{other.code}?token={env.event.moderator_token}", follow_redirects=False)
        assert response.status_code == 403


# -- exports -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "xml"])
def test_export_needs_a_moderator(app_client: TestClient, env: Env, fmt: str) -> None:
    response = app_client.get(f"/m/{env.event.code}/export.{fmt}")
    assert response.status_code == 403
    assert "content-disposition" not in response.headers


def test_export_of_an_unknown_event_is_404(app_client: TestClient) -> None:
    assert app_client.get("/m/000000/export.csv").status_code == 404


def test_export_csv(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    assert vote(open_client, env.event.code, first, "agree").status_code == 303
    moderate(open_client, env.event)
    response = open_client.get(f"/m/{env.event.code}/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="voting-{env.event.code}.csv"'
    # For Excel in Belgium (the page's language, Dutch): a BOM, ";" and a decimal comma.
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["position", "statement", "scale", "round", "option", "score", "count", "percent"]
    assert len(rows) == 1 + 3 * 6  # five options and "pass" per statement
    assert rows[1] == ["1", "First statement", "likert5", "1", "strongly_disagree", "-2", "0", "0,0"]
    assert rows[4] == ["1", "First statement", "likert5", "1", "agree", "1", "1", "100,0"]
    assert rows[6] == ["1", "First statement", "likert5", "1", "pass", "", "0", ""]
    assert rows[7][:2] == ["2", "Second statement"]
    assert rows[-1] == ["3", "Third", "likert5", "1", "pass", "", "0", ""]


def test_export_json(open_client: TestClient, env: Env, first: int) -> None:
    join(open_client, env.event.code)
    assert vote(open_client, env.event.code, first, "agree").status_code == 303
    other = new_phone(open_client, env.event.code)
    assert vote(open_client, env.event.code, first, "pass", headers=other).status_code == 303
    moderate(open_client, env.event)
    response = open_client.get(f"/m/{env.event.code}/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="voting-{env.event.code}.json"'
    data = response.json()
    assert data["schema"] == "voting.export/2" and data["scope"] == "organiser"
    assert {k: data["event"][k] for k in ("code", "title", "created_at", "participants", "roles")} == {
        "code": env.event.code,
        "title": "Veiligheid",
        "created_at": env.event.created_at,
        "participants": 2,
        "roles": [],
    }
    assert [(s["position"], s["text"], s["scale"]) for s in data["statements"]] == [
        (1, "First statement", "likert5"), (2, "Second statement", "likert5"), (3, "Third", "likert5"),
    ]
    results = data["statements"][0]["results"]
    assert results["voters"] == 2
    assert results["pass"] == 1
    assert results["counts"] == {
        "strongly_disagree": 0, "disagree": 0, "neutral": 0, "agree": 1, "strongly_agree": 0,
    }
    assert results["percent"]["agree"] == 100.0
    assert results["agreement"] == 100.0
    votes = data["statements"][0]["votes"]
    assert [(v["participant"], v["option"], v["round"], v["role"]) for v in votes] == [
        (1, "agree", 1, None), (2, "pass", 1, None),
    ]
    assert data["statements"][1]["votes"] == []
    assert data["statements"][1]["results"]["voters"] == 0
    assert "participant_id" not in response.text  # anonymous: participants are numbers


@pytest.mark.parametrize("fmt", ["xml", "CSV", "csv.exe"])
def test_export_in_an_unknown_format_is_404(app_client: TestClient, env: Env, fmt: str) -> None:
    moderate(app_client, env.event)
    response = app_client.get(f"/m/{env.event.code}/export.{fmt}")
    assert response.status_code == 404
    assert "content-disposition" not in response.headers


def test_csv_export_defuses_spreadsheet_formulas(env: Env) -> None:
    texts = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2", "@SUM(A1)", "Gewoon = veilig"]
    event = add_event(env, "Formules", texts)
    with env.client() as client:
        moderate(client, event)
        response = client.get(f"/m/{event.code}/export.csv")
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    statements = [row[1] for row in rows][1::6]
    assert statements == [
        '\'=HYPERLINK("http://evil.example","klik")', "'+1+1", "'-2", "'@SUM(A1)", "Gewoon = veilig",
    ]


# -- QR code and health ----------------------------------------------------------------------------------


def test_qr_code_is_an_svg(app_client: TestClient, env: Env) -> None:
    response = app_client.get(f"/qr/{env.event.code}.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert "<svg" in response.text
    assert "<path" in response.text


def test_qr_code_of_an_unknown_event_is_404(app_client: TestClient) -> None:
    for path in ("/qr/000000.svg", "/qr/abc.svg"):
        response = app_client.get(path)
        assert response.status_code == 404
        assert response.text == "unknown code"


def test_health(app_client: TestClient) -> None:
    response = app_client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


# -- security headers and escaping --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/", "/?code=999999", "/j/{code}", "/p/{code}", "/m/{code}", "/j/000000", "/qr/{code}.svg",
        "/healthz", "/admin", "/static/css/common.css", "/nowhere",
    ],
)
def test_security_headers_on_every_response(app_client: TestClient, env: Env, path: str) -> None:
    response = app_client.get(path.format(code=env.event.code))
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_pages_need_nothing_the_policy_forbids(open_client: TestClient, env: Env) -> None:
    """No inline scripts, inline styles or event-handler attributes: they would be blocked."""
    moderate(open_client, env.event)
    code = env.event.code
    for path in ("/", f"/j/{code}", f"/p/{code}", f"/m/{code}", "/j/000000", "/admin"):
        html = open_client.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert re.findall(r"<style\b", html) == [], path
        assert re.findall(r"\sstyle=", html) == [], path
        assert re.findall(r"\son[a-z]+=", html) == [], path


def test_user_text_is_escaped_everywhere(env: Env) -> None:
    event = add_event(
        env, '<b onmouseover="x">Titel</b>', ["<script>alert(1)</script>", 'Quote " onfocus="alert(2)']
    )
    store = Store(env.db)
    first = store.statements(event.id)[0].id
    store.close()
    set_state(env, LiveState(statement_id=first, voting_open=True), event)
    with env.client() as client:
        moderate(client, event)
        pages = {path: client.get(f"{path}{event.code}") for path in ("/j/", "/p/", "/m/")}
    for path, response in pages.items():
        assert response.status_code == 200, path
        html = response.text
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert '<b onmouseover="x">' not in html, path
        assert "&lt;b onmouseover=&#34;x&#34;&gt;Titel&lt;/b&gt;" in html, path
        assert ' onfocus="alert(2)' not in html, path
