"""Translations: gettext catalogues (.po) per language, and the language a browser asks for.

Message ids are the English text. Catalogues live in voting/locales/<lang>/LC_MESSAGES/
messages.po and are read with Babel at start-up (no compile step).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel.messages.pofile import read_po

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
        if message.id and message.string and not message.fuzzy
    }


def mark(text: str) -> str:
    """Mark a message for extraction (pybabel -k mark) without translating it here."""
    return text


def translator(language: str) -> Translate:
    messages = catalogue(language)

    def translate(text: str) -> str:
        return messages.get(text, text)

    return translate


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
