"""Who may do what: participant ids, moderator access, the admin password, origins."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from voting.models import Event

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(12)


def participant_id(session: dict[str, Any]) -> str:
    """The anonymous participant id kept in the signed session cookie (created once)."""
    pid = session.get("pid")
    if not isinstance(pid, str):
        pid = session["pid"] = secrets.token_urlsafe(12)
    return pid


def token_matches(event: Event, token: str) -> bool:
    return hmac.compare_digest(event.moderator_token.encode(), token.encode())


def grant_moderator(session: dict[str, Any], event: Event) -> None:
    codes = [c for c in session.get("mod", []) if c != event.code][-19:]
    session["mod"] = [*codes, event.code]


def is_moderator(session: Mapping[str, Any], event: Event) -> bool:
    return bool(session.get("admin")) or event.code in session.get("mod", [])


def is_admin(session: Mapping[str, Any]) -> bool:
    return bool(session.get("admin"))


def same_origin(origin: str | None, host: str | None, public_url: str) -> bool:
    """A browser's Origin must be our own host (cross-site WebSocket hijacking defence).

    Requests without an Origin header do not come from a web page and are allowed.
    """
    if origin is None:
        return True
    origin_host = urlsplit(origin).netloc.lower()
    allowed = {(host or "").lower()}
    if public_url:
        allowed.add(urlsplit(public_url).netloc.lower())
    return origin_host in allowed
