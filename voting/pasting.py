"""What organisers paste: statements and roles with their translations, one per line
(`Tekst | fr: Texte | en: Text`, `Burgemeester | fr: Bourgmestre`), checked and cleaned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voting.models import InputError, RoleTranslations, clean_statement_text, plain_text

MAX_ROLES = 8
MAX_ROLE_LENGTH = 40




def clean_roles(roles: object) -> list[str]:
    """A short list of distinct role names (empty: the event asks nobody for a role)."""
    return parse_roles(roles)[0]


def parse_roles(roles: object) -> tuple[list[str], RoleTranslations]:
    """Role names and their translations, from text (roles separated by commas or lines, each
    optionally followed by translations as statements are: `Burgemeester | fr: Bourgmestre`),
    a list of such entries, or a list of {"name": …, "translations": {"fr": …}}."""
    if isinstance(roles, str):
        roles = roles.replace("\n", ",").split(",")
    if not isinstance(roles, list) or not all(isinstance(r, str | dict) for r in roles):
        raise InputError("invalid_roles", "Roles are a list of names.")
    names: list[str] = []
    translations: RoleTranslations = {}
    for entry in roles:
        name, other = _role_entry(entry)
        if not name:
            continue
        if name in names:
            raise InputError("invalid_roles", "Each role can be listed only once.")
        names.append(name)
        if other:
            translations[name] = other
    if len(names) > MAX_ROLES:
        raise InputError("invalid_roles", "An event can have at most {limit} roles.", limit=MAX_ROLES)
    return names, translations


def _role_entry(entry: str | dict[str, Any]) -> tuple[str, dict[str, str]]:
    if isinstance(entry, dict):
        name, other = entry.get("name"), entry.get("translations") or {}
        if not isinstance(name, str) or not isinstance(other, dict):
            raise InputError("invalid_roles", "A role is a name with its translations.")
    else:
        name, other = split_translations(entry)
    name = plain_text(name)[:MAX_ROLE_LENGTH]
    if not name and other:
        line = str(entry).strip()[:60]
        raise InputError("invalid_roles", "A role needs a name before its translations: {line}", line=line)
    cleaned = {}
    for language, text in other.items():
        if language not in TRANSLATION_LANGUAGES:
            raise InputError("invalid_translations", "Unknown language {language!r}.", language=language)
        label = plain_text(text)[:MAX_ROLE_LENGTH] if isinstance(text, str) else ""
        if label:
            cleaned[language] = label
    return name, cleaned


def split_translations(line: str) -> tuple[str, dict[str, str]]:
    """A line as its original text and its translations, uncleaned: `Tekst | fr: Texte`."""
    original, *others = line.split("|")
    pairs = [part.split(":", 1) for part in others]
    if any(len(pair) != 2 for pair in pairs):
        raise InputError(
            "invalid_translations", "Write translations as 'fr: text' in: {line}", line=line.strip()[:60]
        )
    translations: dict[str, str] = {}
    for language, text in pairs:
        code = language.strip().lower()
        if code in translations:
            raise InputError(
                "invalid_translations", "{language!r} is given twice in: {line}",
                language=code, line=line.strip()[:60],
            )
        translations[code] = text
    return original, translations


@dataclass
class EventFile:
    """A pasted list or a statements file, read: statements with their translations, roles
    with theirs."""

    statements: list[str] = field(default_factory=list)
    translations: list[dict[str, str]] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    role_translations: RoleTranslations = field(default_factory=dict)


def parse_event_file(text: str) -> EventFile:
    """Statements, one per line, optionally with translations after a bar
    (`Tekst | fr: Texte | en: Text`), and optionally a line of roles, translated the same way
    (`roles: Burgemeester | fr: Bourgmestre, Politie | fr: Police`).

    Blank lines and lines starting with # are ignored."""
    parsed = EventFile()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("roles:"):
            parsed.roles, parsed.role_translations = parse_roles(line.split(":", 1)[1])
            continue
        statement, translations = parse_statement_line(line)
        parsed.statements.append(statement)
        parsed.translations.append(translations)
    return parsed


def parse_statement_line(line: str) -> tuple[str, dict[str, str]]:
    """One statement with its translations: `Tekst | fr: Texte | en: Text`, cleaned."""
    original, translations = split_translations(line)
    return clean_statement_text(original), clean_translations(translations)


TRANSLATION_LANGUAGES = ("nl", "fr", "en")


def clean_translations(translations: object) -> dict[str, str]:
    """A statement's text in other languages: {"fr": "…", "en": "…"} (empty ones dropped)."""
    if not isinstance(translations, dict):
        raise InputError("invalid_translations", "Translations are an object of language: text.")
    cleaned = {}
    for language, text in translations.items():
        if language not in TRANSLATION_LANGUAGES:
            raise InputError("invalid_translations", "Unknown language {language!r}.", language=language)
        if isinstance(text, str) and text.strip():
            cleaned[language] = clean_statement_text(text)
    return cleaned
