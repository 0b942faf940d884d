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

from tests.conftest import Env, join
from voting.i18n import LANGUAGES, catalogue, negotiate

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def extracted() -> set[str]:
    method_map = [("voting/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "mark": None, "InputError": (2,)}
    messages = extract_from_dir(str(ROOT), method_map, keywords=keywords)
    return {str(message[2]) for message in messages}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_ui_message_is_translated(language: str) -> None:
    translations = catalogue(language)
    missing = sorted(extracted() - set(translations))
    assert missing == [], f"{language} misses {missing}"


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_catalogues_keep_placeholders_and_have_no_fuzzy_entries(language: str) -> None:
    path = ROOT / "voting" / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        entries = [m for m in read_po(handle, locale=language) if m.id]
    assert not [m.id for m in entries if m.fuzzy]
    for message in entries:
        if message.string:
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
