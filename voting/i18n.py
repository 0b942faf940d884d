"""Translations: gettext catalogues (.po) per language, and the language a browser asks for.

Message ids are the English text. Catalogues live in voting/locales/<lang>/LC_MESSAGES/
messages.po and are read with Babel at start-up (no compile step). Texts with a count have
plural forms (`ngettext("{n} vote", "{n} votes", n)`), chosen by the catalogue's
Plural-Forms rule: French says "0 vote", Dutch "0 stemmen".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO

from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from voting.paths import LOCALES

LANGUAGES = ("nl", "fr", "en")
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "nl"

Translate = Callable[[str], str]


@cache
def catalogue(language: str) -> dict[str, str]:
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if isinstance(message.id, str) and message.id and message.string and not message.fuzzy
    }


@cache
def plurals(language: str) -> NullTranslations:
    """The catalogue as gettext translations, for texts with plural forms (an entry with a
    missing form is left out: the English text is better than an empty one)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for message in list(catalog):
        if message.id and not _complete(message):
            catalog.delete(message.id)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _complete(message: Message) -> bool:
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and all(forms)


def mark(text: str) -> str:
    """Mark a message for extraction (pybabel -k mark) without translating it here."""
    return text


def mark_n(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a count for extraction (pybabel -k mark_n:1,2), untranslated."""
    return singular, plural


class Translator:
    """Texts in one language: `_(text)`, and `_.ngettext(singular, plural, n)` for a count."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.messages = catalogue(language)

    def __call__(self, text: str) -> str:
        return self.messages.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return plurals(self.language).ngettext(singular, plural, n)

    def count(self, singular: str, plural: str, n: int) -> str:
        """The form for n with its {n} filled in (the number in the language's digits)."""
        return self.ngettext(singular, plural, n).replace("{n}", format_decimal(n, locale=self.language))


def translator(language: str) -> Translator:
    return Translator(language)


def negotiate(accept_language: str | None) -> str:
    """Pick the best supported language from an Accept-Language header (Dutch by default)."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        q -= position * 1e-6  # earlier wins on ties
        if q > best_q:
            best, best_q = base, q
    return best
