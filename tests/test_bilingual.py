"""A bilingual room: role names translated like statements (`Burgemeester | fr: Bourgmestre`),
the organiser's form and the console's add box taking translated lines, `role_labels` in
the state, and the report and its share link in the reader's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import Env, moderate
from tests.test_admin import create, error_message, events, log_in, statements
from tests.test_comments import exchange, receive_where
from tests.test_roles import choose, cookies_of, event_row, running, share, vote
from tests.test_sockets import connect, receive_until
from voting import store as sql
from voting.cli import main
from voting.models import InputError
from voting.pasting import parse_event_file, parse_roles
from voting.store import Store

FRENCH = {"accept-language": "fr"}
ENGLISH = {"accept-language": "en"}
ROLES = ["Burgemeester", "Politie", "Andere"]
ROLE_TRANSLATIONS = {"Burgemeester": {"fr": "Bourgmestre", "en": "Mayor"}, "Politie": {"fr": "Police"}}
TEXTS = ["Meer camera's op pleinen.", "Elke gemeente een handhaver.", "Geen vertaling hier."]
TRANSLATIONS = [
    {"fr": "Plus de caméras sur les places.", "en": "More cameras on squares."},
    {"fr": "Un agent de contrôle par commune."},
    {},
]


@pytest.fixture
def benv(db: str) -> Env:
    """An event in Dutch with French (and some English) for two statements and two roles."""
    store = Store(db)
    event = store.write(
        sql.insert_event, "Tweetalig", TEXTS, "likert5", ROLES, TRANSLATIONS, ROLE_TRANSLATIONS
    )
    store.close()
    return Env(db, event)


# -- reading role lines -------------------------------------------------------------------------


def test_role_lines_carry_translations_like_statements() -> None:
    pasted = "Burgemeester | fr: Bourgmestre | en: Mayor\nPolitie | FR: Police, Andere\n\n"
    assert parse_roles(pasted) == (ROLES, ROLE_TRANSLATIONS)
    as_lines = ["Burgemeester | fr: Bourgmestre | en: Mayor", "Politie | fr: Police", "Andere"]
    assert parse_roles(as_lines) == (ROLES, ROLE_TRANSLATIONS)
    as_objects = [
        {"name": "Burgemeester", "translations": {"fr": "Bourgmestre", "en": "Mayor"}},
        {"name": "Politie", "translations": {"fr": " Police ", "en": ""}},  # empty: none
        {"name": "Andere"},
    ]
    assert parse_roles(as_objects) == (ROLES, ROLE_TRANSLATIONS)
    assert parse_roles("Mayor, Police,, Other") == (["Mayor", "Police", "Other"], {})  # as before


def test_a_statements_file_translates_its_roles_line() -> None:
    parsed = parse_event_file(
        "roles: Burgemeester | fr: Bourgmestre | en: Mayor, Politie | fr: Police, Andere\n"
        "Meer camera's op pleinen. | fr: Plus de caméras sur les places.\n"
        "Geen vertaling hier.\n"
    )
    assert parsed.statements == ["Meer camera's op pleinen.", "Geen vertaling hier."]
    assert parsed.translations == [{"fr": "Plus de caméras sur les places."}, {}]
    assert (parsed.roles, parsed.role_translations) == (ROLES, ROLE_TRANSLATIONS)


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ("Politie | fr", "Write translations as 'fr: text' in: Politie | fr"),
        ("Politie | de: Polizei", "Unknown language 'de'."),
        (" | fr: Police", "A role needs a name before its translations: | fr: Police"),
        ("Politie | fr: Police | fr: Flics", "'fr' is given twice in: Politie | fr: Police | fr: Flics"),
        ("Politie | fr: Police, Politie", "Each role can be listed only once."),
        ([{"name": 3}], "A role is a name with its translations."),
        ([{"name": "Politie", "translations": ["fr"]}], "A role is a name with its translations."),
        ([7], "Roles are a list of names."),
    ],
)
def test_bad_role_lines_say_what_is_wrong(roles: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_roles(roles)
    assert raised.value.message == message


# -- the console: roles editor and add box ------------------------------------------------------


def test_the_console_sets_translated_roles_and_the_state_carries_their_labels(benv: Env) -> None:
    with benv.client() as client:
        moderate(client, benv.event)
        with connect(client, benv.event.code, "moderator") as moderator, connect(
            client, benv.event.code, "projector"
        ) as projector:
            state = receive_until(projector, "state")
            assert state["roles"] == ROLES
            assert state["role_labels"] == ROLE_TRANSLATIONS
            receive_until(moderator, "state")
            lines = ["Burgemeester | fr: Bourgmestre", "Parket | fr: Parquet | en: Prosecution", "Andere"]
            reply, _ = exchange(moderator, {"type": "roles", "roles": lines})
            assert reply == {"type": "ok"}
            state = receive_until(projector, "state", roles=["Burgemeester", "Parket", "Andere"])
            assert state["role_labels"] == {
                "Burgemeester": {"fr": "Bourgmestre"},
                "Parket": {"fr": "Parquet", "en": "Prosecution"},
            }
        row = event_row(benv)
        assert row["roles"] == '["Burgemeester", "Parket", "Andere"]'
        assert "Parquet" in row["role_translations"]


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (["Politie | fr"], "Write translations as 'fr: text' in: Politie | fr"),
        (["Politie | es: Policía"], "Unknown language 'es'."),
        (["Politie", "Politie | fr: Police"], "Each role can be listed only once."),
    ],
)
def test_bad_role_lines_from_the_console_change_nothing(benv: Env, roles: list[str], message: str) -> None:
    before = event_row(benv)
    with benv.client() as client:
        moderate(client, benv.event)
        with connect(client, benv.event.code, "moderator", ENGLISH) as moderator:
            receive_until(moderator, "state")
            reply, _ = exchange(moderator, {"type": "roles", "roles": roles})
            assert reply["type"] == "error" and reply["message"] == message
    after = event_row(benv)
    assert (after["roles"], after["role_translations"]) == (before["roles"], before["role_translations"])


def test_the_console_adds_statements_with_their_translations(benv: Env) -> None:
    with benv.client() as client:
        moderate(client, benv.event)
        with connect(client, benv.event.code, "moderator", ENGLISH) as moderator:
            receive_until(moderator, "state")
            texts = ["Nieuwe stelling. | fr: Nouvel énoncé. | en: New statement.", "Zonder vertaling."]
            reply, _ = exchange(moderator, {"type": "statement.add", "texts": texts, "scale": "likert5"})
            assert reply == {"type": "ok"}
            wrong = {"type": "statement.add", "texts": ["Fout | fr"], "scale": "likert5"}
            bad, _ = exchange(moderator, wrong)
            assert bad["message"] == "Write translations as 'fr: text' in: Fout | fr"
    added = statements(benv, benv.event)[3:]
    assert [(s.text, s.translations) for s in added] == [
        ("Nieuwe stelling.", {"fr": "Nouvel énoncé.", "en": "New statement."}),
        ("Zonder vertaling.", {}),
    ]


# -- the organiser's form ----------------------------------------------------------------------------


PASTED = """\
Meer camera's op pleinen. | fr: Plus de caméras sur les places. | en: More cameras on squares.
Elke gemeente een handhaver. | fr: Un agent de contrôle par commune.
Geen vertaling hier.
"""


def created_event(admin: TestClient, env: Env, response: Any) -> Any:
    assert response.status_code == 303, error_message(response.text)
    match = re.fullmatch(r"/admin\?created=(\d{6})", response.headers["location"])
    assert match is not None
    return next(e for e in events(env) if e.code == match.group(1))


def test_the_organiser_creates_a_bilingual_event(app_client: TestClient, env: Env) -> None:
    assert log_in(app_client).status_code == 303
    roles = "Burgemeester | fr: Bourgmestre | en: Mayor\nPolitie | fr: Police\nAndere"
    response = create(app_client, title="Tweetalig", statements=PASTED, scale="likert5", roles=roles)
    event = created_event(app_client, env, response)
    expected = list(zip(TEXTS, TRANSLATIONS, strict=True))
    assert [(s.text, s.translations) for s in statements(env, event)] == expected
    assert (event.roles, event.role_translations) == (ROLES, ROLE_TRANSLATIONS)
    # The roles may also come as a `roles:` line of the pasted list.
    pasted = "roles: Burgemeester | fr: Bourgmestre | en: Mayor, Politie | fr: Police, Andere\n" + PASTED
    event = created_event(app_client, env, create(app_client, title="Ook", statements=pasted))
    assert (event.roles, event.role_translations) == (ROLES, ROLE_TRANSLATIONS)


def test_the_organiser_form_explains_translations(app_client: TestClient) -> None:
    assert log_in(app_client).status_code == 303
    page = app_client.get("/admin", headers=FRENCH).text
    assert "Burgemeester | fr: Bourgmestre | en: Mayor" in page  # the example
    assert 'data-preview' in page and '<script type="module" src="/static/js/admin.js' in page
    assert 'name="roles"' in page and "<textarea" in page.split('name="roles"')[0][-200:]


def test_a_bad_role_line_in_the_form_is_said_and_creates_nothing(app_client: TestClient, env: Env) -> None:
    assert log_in(app_client).status_code == 303
    before = len(events(env))
    response = create(
        app_client, ENGLISH, title="Fout", statements=PASTED, roles="Politie | fr", scale="likert5"
    )
    assert response.status_code == 400
    assert error_message(response.text) == "Write translations as &#39;fr: text&#39; in: Politie | fr"
    assert len(events(env)) == before
    assert "Politie | fr" in response.text  # the typed roles come back


def test_the_cli_takes_translated_roles(db: str, tmp_path: Any) -> None:
    path = tmp_path / "stellingen.txt"
    path.write_text(PASTED, encoding="utf-8")
    roles = "Burgemeester | fr: Bourgmestre | en: Mayor, Politie | fr: Police, Andere"
    result = CliRunner().invoke(
        main, ["event", "create", "--title", "T", "--statements", str(path), "--roles", roles, "--db", db]
    )
    assert result.exit_code == 0, result.output
    store = Store(db)
    [event] = store.events()
    store.close()
    assert (event.roles, event.role_translations) == (ROLES, ROLE_TRANSLATIONS)


# -- phones, report and share link in the reader's language -------------------------------------------


def test_a_french_phone_is_asked_for_its_role_in_french(benv: Env) -> None:
    with benv.client() as client:
        page = client.get(f"/j/{benv.event.code}", headers=FRENCH).text
        assert '<button type="submit" name="role" value="Burgemeester"' in page
        buttons = re.findall(r'name="role" value="([^"]*)"[^>]*>([^<]*)</button>', page)
        assert buttons == [
            ("Burgemeester", "Bourgmestre"), ("Politie", "Police"), ("Andere", "Andere"), ("", "Passer"),
        ]


def vote_by_role(live: Any) -> None:
    """3 Burgemeester agree, 3 Politie disagree, 1 Andere agrees, on statement 1."""
    plan = [("Burgemeester", "agree")] * 3 + [("Politie", "disagree")] * 3 + [("Andere", "agree")]
    for role, option in plan:
        ws = live.phone()
        assert choose(ws, role) == {"type": "role.ack", "role": role}
        vote(ws, live.statement, option)
    receive_where(live.moderator, "tally", lambda t: t["voters"] == 7)


def assert_in_french(html: str, roles: bool = True) -> None:
    """`roles`: the role split is shown (the moderator's exact figures; the room's rules
    show no role of this small evening on its own)."""
    assert "Plus de caméras sur les places." in html and "Meer camera" not in html
    assert "Un agent de contrôle par commune." in html
    assert "Geen vertaling hier." in html  # no French: the original
    assert "Burgemeester (3)" not in html
    if roles:
        assert "Bourgmestre (3)" in html and "Police (3)" in html and "Andere (1)" in html
        assert "Les rôles divergeaient le plus" in html and "Bourgmestre en moyenne +1, Police -1" in html


def test_the_report_and_its_share_link_speak_the_readers_language(benv: Env) -> None:
    with running(benv) as live:
        vote_by_role(live)
        html = live.client.get(f"/m/{live.code}/report?exact=1", headers=FRENCH).text
        assert_in_french(html)
        dutch = live.client.get(f"/m/{live.code}/report?exact=1", headers={"accept-language": "nl"}).text
        assert "Meer camera&#39;s op pleinen." in dutch and "Burgemeester (3)" in dutch
        assert "Bourgmestre" not in dutch
        english = live.client.get(f"/m/{live.code}/report?exact=1", headers={"accept-language": "en"}).text
        assert "More cameras on squares." in english and "Mayor (3)" in english
        assert "Elke gemeente een handhaver." in english and "Politie (3)" in english

        assert share(live, "1").status_code == 303
        token = event_row(benv)["report_token"]
        with cookies_of(live.client, None):
            shared = live.client.get(f"/r/{token}", headers=FRENCH)
            assert shared.status_code == 200
            assert_in_french(shared.text, roles=False)
            # A reader whose browser asks for Dutch picks French with the switcher.
            assert 'href="?lang=fr"' in live.client.get(f"/r/{token}", headers={"accept-language": "nl"}).text
            assert_in_french(live.client.get(f"/r/{token}?lang=fr").text, roles=False)
