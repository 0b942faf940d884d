"""The catalogues are complete, every UI string goes through them, and the language a page
speaks follows the switcher, then the browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from markupsafe import escape
from starlette.testclient import TestClient

from tests.conftest import Env, join, moderate
from voting import store as sql
from voting.i18n import LANGUAGES, catalogue, negotiate, translator
from voting.models import CountError
from voting.store import Store
from voting.web.client_text import client_text

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def extracted_all() -> set[str | tuple[str, str]]:
    """What `pybabel extract` finds (README): texts, and (singular, plural) pairs."""
    method_map = [("voting/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {
        "_": None, "mark": None, "InputError": (2,), "_n": (1, 2), "mark_n": (1, 2), "CountError": (2, 3),
    }  # fmt: skip
    messages = extract_from_dir(str(ROOT), method_map, keywords=keywords)
    return {message[2] if isinstance(message[2], str) else tuple(message[2]) for message in messages}


def extracted() -> set[str]:
    return {m for m in extracted_all() if isinstance(m, str)}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_ui_message_is_translated(language: str) -> None:
    translations = catalogue(language)
    missing = sorted(extracted() - set(translations))
    assert missing == [], f"{language} misses {missing}"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_text_with_a_count_has_both_plural_forms(language: str) -> None:
    path = ROOT / "voting" / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == {"nl": "(n != 1)", "fr": "(n > 1)"}[language]
    forms = {m.id: m.string for m in catalog if isinstance(m.id, tuple) and not m.fuzzy}
    pairs = [m for m in extracted_all() if isinstance(m, tuple)]
    assert pairs and [p for p in pairs if p not in forms or not all(forms[p])] == []
    for (singular, _), strings in forms.items():
        placeholders = set(PLACEHOLDER.findall(singular))
        assert len(strings) == 2 and all(set(PLACEHOLDER.findall(s)) == placeholders for s in strings)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_catalogues_keep_placeholders_and_have_no_fuzzy_entries(language: str) -> None:
    path = ROOT / "voting" / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        entries = [m for m in read_po(handle, locale=language) if m.id]
    assert not [m.id for m in entries if m.fuzzy]
    for message in entries:
        if message.string and isinstance(message.id, str):
            assert set(PLACEHOLDER.findall(str(message.string))) == set(
                PLACEHOLDER.findall(str(message.id))
            ), message.id


class TextNodes(HTMLParser):
    """Text a template shows outside Jinja expressions (after removing them)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "alt", "aria-label", "placeholder") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.texts.append(data)


@pytest.mark.parametrize("template", sorted(p.name for p in (ROOT / "templates").glob("*.html")))
def test_templates_show_no_text_outside_the_catalogues(template: str) -> None:
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    # A body class is a CSS name, not text.
    source = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", source, flags=re.S)
    source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    parser = TextNodes()
    parser.feed(source)
    words = [w for text in parser.texts for w in re.findall(r"[^\W\d_]{2,}", text)]
    # The product's name and the language codes are the same in every language.
    assert [w for w in words if w not in ("voting",)] == []


def test_scripts_take_their_words_from_the_page() -> None:
    """Scripts show only texts the server translated (`text.…`) or data; a literal word in
    a textContent assignment would be shown untranslated."""
    for script in (ROOT / "static" / "js").glob("*.js"):
        source = script.read_text(encoding="utf-8")
        source = re.sub(r"\$\{[^}]*\}", "", source)  # template literal expressions are data
        literal = re.findall(r"textContent\s*=\s*[\"'`][^\"'`]*[A-Za-z]{2,}", source)
        assert literal == [], f"{script.name}: {literal}"


def test_browser_language_then_dutch() -> None:
    assert negotiate("fr-BE,fr;q=0.9,en;q=0.5") == "fr"
    assert negotiate("de-DE,en;q=0.3") == "en"
    assert negotiate("de-DE") == "nl"
    assert negotiate(None) == "nl"
    assert set(LANGUAGES) == {"nl", "fr", "en"}


def test_french_participant_page(app_client: TestClient, env: Env) -> None:
    page = app_client.get(f"/j/{env.event.code}", headers={"accept-language": "fr-BE"})
    assert '<html lang="fr">' in page.text
    assert str(escape(catalogue("fr")["Waiting for the next statement…"])) in page.text


def test_the_switcher_is_remembered_per_surface(app_client: TestClient, env: Env) -> None:
    code = env.event.code
    join(app_client, code)
    english = app_client.get(f"/j/{code}?lang=en", headers={"accept-language": "nl"})
    assert '<html lang="en">' in english.text
    assert 'href="?lang=fr"' in english.text and '<a href="?lang=en"' in english.text
    # Remembered on this device for the phone page, over the browser's wish ...
    again = app_client.get(f"/j/{code}", headers={"accept-language": "nl"})
    assert '<html lang="en">' in again.text
    # ... but the projector on the same laptop keeps its own language.
    projector = app_client.get(f"/p/{code}", headers={"accept-language": "nl"})
    assert '<html lang="nl">' in projector.text
    french = app_client.get(f"/p/{code}?lang=fr")
    assert '<html lang="fr">' in french.text
    assert '<html lang="fr">' in app_client.get(f"/p/{code}").text
    assert '<html lang="en">' in app_client.get(f"/j/{code}").text
    # Junk is ignored.
    assert '<html lang="en">' in app_client.get(f"/j/{code}?lang=<script>").text


def test_pages_say_1_vote_and_2_votes_in_each_language(env: Env) -> None:
    store = Store(env.db)
    first, second, _third = store.statements(env.event.id)
    store.write(sql.insert_vote, first.id, "p1", "agree")
    for participant in ("p1", "p2"):
        store.write(sql.insert_participant, env.event.id, participant)
        store.write(sql.insert_vote, second.id, participant, "agree")
    store.close()
    with env.client() as client:
        moderate(client, env.event)
        pages = {lang: client.get(f"/m/{env.event.code}/report?lang={lang}").text for lang in LANGUAGES}
    # (the statement without votes is listed as not discussed, without a count)
    assert "1 stem<" in pages["nl"] and "2 stemmen<" in pages["nl"]
    assert "1 vote<" in pages["en"] and "2 votes<" in pages["en"]
    assert "1 vote<" in pages["fr"] and "2 votes<" in pages["fr"]
    assert "2 participants joined and 2 of them voted" in pages["en"]
    assert "2 deelnemers meldden zich aan en 2 van hen stemden" in pages["nl"]


def test_counted_errors_and_the_scripts_plural_pairs_follow_the_language() -> None:
    error = CountError("confirm_edit", "{n} vote left", "{n} votes left", 1)
    assert error.message == "1 vote left"
    stub = CountError(
        "confirm_edit",
        "This statement has {n} vote: changing the text changes what people voted on."
        " Send again with confirmation.",
        "This statement has {n} votes: changing the text changes what people voted on."
        " Send again with confirmation.",
        0,
    )
    assert stub.in_language(translator("fr")).startswith("Cette affirmation a 0 vote :")
    assert stub.in_language(translator("nl")).startswith("Deze stelling heeft 0 stemmen:")
    assert stub.in_language(lambda text: text).startswith("This statement has 0 votes:")  # a plain function
    texts = client_text(translator("nl"))
    assert (texts["votes_one"], texts["votes_other"]) == ("{n} stem", "{n} stemmen")
    assert texts["took_part_one"] == "{n} persoon deed mee"
