"""The domain as plain data: scales, events, statements, the live state. No I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

PASS = "pass"
MAX_STATEMENT_LENGTH = 280
MAX_TITLE_LENGTH = 120
MAX_COMMENT_LENGTH = 280
MAX_NAME_LENGTH = 40
PENDING, PUBLISHED, HIDDEN = "pending", "published", "hidden"
COMMENT_STATUSES = (PENDING, PUBLISHED, HIDDEN)


@dataclass(frozen=True)
class Scale:
    """An answer scale: option keys from most disagreeing to most agreeing, with scores."""

    key: str
    options: tuple[str, ...]
    scores: tuple[int, ...]

    def accepts(self, option: str) -> bool:
        return option == PASS or option in self.options

    def score(self, option: str) -> int | None:
        if option == PASS:
            return None
        return self.scores[self.options.index(option)]


SCALES: dict[str, Scale] = {
    "likert5": Scale(
        "likert5",
        ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"),
        (-2, -1, 0, 1, 2),
    ),
    "agree3": Scale("agree3", ("disagree", "neutral", "agree"), (-1, 0, 1)),
    "yesno": Scale("yesno", ("no", "yes"), (-1, 1)),
}
DEFAULT_SCALE = "likert5"


class InputError(ValueError):
    """Bad input from a user: a stable code and a message that can be shown.

    The message is an English template with named values ("An event can have at most
    {limit} statements.", limit=200): `message` is it in English, `in_language(_)` in
    the reader's language (the templates are extracted into the catalogues with
    `pybabel extract -k InputError:2`)."""

    def __init__(self, code: str, template: str, **values: object) -> None:
        self.code = code
        self.template = template
        self.values = values
        self.message = template.format(**values)
        super().__init__(self.message)

    def in_language(self, translate: Callable[[str], str]) -> str:
        try:
            return self._translated(translate).format(**self.values)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return self.message

    def _translated(self, translate: Callable[[str], str]) -> str:
        return translate(self.template)


class CountError(InputError):
    """An InputError about a count `n`: a singular and a plural template, in the reader's
    language in the form its plural rule picks (extracted with `-k CountError:2,3`)."""

    def __init__(self, code: str, singular: str, plural: str, n: int, **values: object) -> None:
        self.plural = plural
        super().__init__(code, singular if n == 1 else plural, n=n, **values)
        self.singular = singular

    def _translated(self, translate: Callable[[str], str]) -> str:
        ngettext = getattr(translate, "ngettext", None)  # voting.i18n.Translator has it
        n = self.values["n"]
        if ngettext is None or not isinstance(n, int):
            return translate(self.template)
        return str(ngettext(self.singular, self.plural, n))


def is_id(value: object) -> TypeGuard[int]:
    """An id or a position from JSON: an integer, not `true` (bool is an int to Python, and
    True == 1) and not `1.0` (1.0 == 1)."""
    return type(value) is int


def clean_statement_text(text: object) -> str:
    if not isinstance(text, str):
        raise InputError("invalid_text", "A statement must be text.")
    cleaned = plain_text(text)
    if not cleaned:
        raise InputError("invalid_text", "A statement cannot be empty.")
    if len(cleaned) > MAX_STATEMENT_LENGTH:
        raise InputError(
            "invalid_text",
            "A statement can have at most {limit} characters (this one has {length}).",
            limit=MAX_STATEMENT_LENGTH,
            length=len(cleaned),
        )
    return cleaned


def plain_text(text: str) -> str:
    """User text as one line of plain characters: control and format characters (bidi
    overrides, zero-width joiners and spaces, BOMs) and lone surrogates (which JSON can
    carry but UTF-8 cannot store or send) removed, whitespace collapsed."""
    hidden = ("Cc", "Cf", "Cs")
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in hidden or ch.isspace())
    return " ".join(kept.split())


def clean_comment(text: object, name: object) -> tuple[str, str | None]:
    """A comment's text and optional display name, cleaned, or an InputError."""
    if not isinstance(text, str):
        raise InputError("invalid_comment", "A comment must be text.")
    if name is not None and not isinstance(name, str):
        raise InputError("invalid_name", "A name must be text.")
    cleaned = plain_text(text)
    if not cleaned:
        raise InputError("empty_comment", "Write something before sending.")
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise InputError(
            "comment_too_long", "A comment can have at most {limit} characters.", limit=MAX_COMMENT_LENGTH
        )
    shown_name = plain_text(name or "")[:MAX_NAME_LENGTH].rstrip() or None  # no space left at the cut
    return cleaned, shown_name


RoleTranslations = dict[str, dict[str, str]]  # role name → language → the role's name in it


def clean_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise InputError("invalid_title", "An event needs a title.")
    cleaned = " ".join(title.split())
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise InputError(
            "invalid_title", "A title can have at most {limit} characters.", limit=MAX_TITLE_LENGTH
        )
    return cleaned


def check_scale(scale: object) -> str:
    if not isinstance(scale, str) or scale not in SCALES:
        raise InputError(
            "invalid_scale",
            "Unknown scale {scale!r}; use one of {choices}.",
            scale=scale,
            choices=", ".join(SCALES),
        )
    return scale


@dataclass
class Statement:
    id: int
    event_id: int
    position: int
    text: str
    scale: str = DEFAULT_SCALE
    round: int = 1  # 2 once the moderator starts a second round
    translations: dict[str, str] = field(default_factory=dict)  # language → text
    ballot: int = 0  # +1 whenever its votes are reset: phones show a fresh ballot
    edited: bool = False  # its text changed while it had votes
    stale: list[str] = field(default_factory=list)  # translations older than the text

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "position": self.position,
            "text": self.text,
            "scale": self.scale,
            "options": list(SCALES[self.scale].options),
            "round": self.round,
            "translations": self.translations,
            "ballot": self.ballot,
            "edited": self.edited,
        }

    def text_in(self, language: str) -> str:
        return self.translations.get(language, self.text)


@dataclass
class LiveState:
    """What the whole room follows; owned by the server, persisted with the event."""

    statement_id: int | None = None
    voting_open: bool = False
    results_projector: bool = False
    results_phones: bool = False
    highlight: int | None = None  # the comment shown large on the projector
    ticker: bool = False  # a ticker of published comments on the projector
    comments: bool = True  # participants may comment
    premoderation: bool = True  # comments wait for the moderator before anyone sees them
    by_role: bool = False  # the projector splits the results by role
    show_qr: bool = False  # the projector shows the join QR code full screen
    show_map: bool = False  # the projector shows the opinion map (the moderator's choice)
    high_contrast: bool = False  # the projector's theme for weak beamers
    second_language: str | None = None  # the projector also shows statements in this language
    blank: bool = False  # the projector shows black
    ended: bool = False  # the end screen is on
    auto_open: bool = False  # showing a statement opens voting at once
    countdown_ends_at: float | None = None  # epoch seconds when the countdown closes voting
    countdown_seconds: int | None = None  # the countdown's length

    def moved_to(self, statement_id: int | None) -> LiveState:
        """The state after moving to another statement: voting closed (opened at once with
        auto_open), results hidden, nothing highlighted, no countdown, no end screen; the
        event's comment settings and a black projector stay."""
        return LiveState(
            statement_id=statement_id,
            voting_open=self.auto_open and statement_id is not None,
            ticker=self.ticker,
            comments=self.comments,
            premoderation=self.premoderation,
            by_role=self.by_role,
            high_contrast=self.high_contrast,
            second_language=self.second_language,
            blank=self.blank,
            auto_open=self.auto_open,
        )

    def countdown(self) -> dict[str, Any] | None:
        if self.countdown_ends_at is None:
            return None
        return {"ends_at": self.countdown_ends_at, "seconds": self.countdown_seconds}


@dataclass
class Comment:
    id: int
    statement_id: int
    participant: str
    name: str | None
    text: str
    status: str
    created_at: str
    supporters: set[str] = field(default_factory=set)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "statement": self.statement_id,
            "name": self.name,
            "text": self.text,
            "support": len(self.supporters),
        }

    def for_moderator(self) -> dict[str, Any]:
        return {**self.public(), "status": self.status, "created_at": self.created_at}


@dataclass
class Event:
    id: int
    code: str
    title: str
    moderator_token: str
    created_at: str
    state: LiveState = field(default_factory=LiveState)
    roles: list[str] = field(default_factory=list)  # what participants pick from, if any
    report_token: str | None = None  # the report's share link, while shared
    tickets: bool = False  # only participants with a redeemed attendance ticket take part
    role_translations: RoleTranslations = field(default_factory=dict)  # role → language → name
    place: str | None = None  # where it is held (the report's facts)
    organiser: str | None = None  # who organises it (the report's facts)

    def role_label(self, role: str | None, language: str) -> str | None:
        """A role as a reader of `language` sees it; votes keep the role's own name."""
        if role is None:
            return None
        return self.role_translations.get(role, {}).get(language, role)

    def role_lines(self) -> list[str]:
        """The roles as the organiser writes them: `Burgemeester | fr: Bourgmestre`."""
        return [
            " | ".join([role, *(f"{k}: {v}" for k, v in self.role_translations.get(role, {}).items())])
            for role in self.roles
        ]

    def role_labels(self) -> RoleTranslations:
        """The translations of the event's current roles, for the screens."""
        return {r: self.role_translations[r] for r in self.roles if r in self.role_translations}
