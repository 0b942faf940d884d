"""Who may do what: participant ids, moderator access, the admin password, origins."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection, Mapping
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
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


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The origin of a URL or an Origin header as `scheme://host:port` (lower case, the
    default port written out), or None when it has none ("null", a bare name, file:)."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a port out of range, a broken IPv6 literal
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}"


def origin_at(scheme: str, host: str, port: int) -> str | None:
    return origin_of(f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}")


def own_origins(host: str, port: int, public_url: str, lan: str) -> frozenset[str]:
    """The origins our pages are served from: the public URL's when it is set; else those
    `voting serve` prints and answers on (`http://` the LAN address, localhost, 127.0.0.1
    and the address it is bound to, on its port)."""
    if public_url:
        return frozenset(o for o in [origin_of(public_url)] if o)
    names = {lan, "localhost", "127.0.0.1"}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host)
    return frozenset(o for name in names if (o := origin_at("http", name, port)))


def same_origin(origin: str | None, allowed: Collection[str]) -> bool:
    """A browser's Origin must be one of ours, scheme, host and port (cross-site request and
    WebSocket hijacking). The Host header proves nothing: a DNS-rebinding page sends its own
    name as both. Requests without an Origin header do not come from a web page: allowed.
    """
    return origin is None or origin_of(origin) in allowed


def parse_networks(spec: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """`VOTING_TRUSTED_PROXIES`: comma-separated addresses or networks ("127.0.0.1, 10.0.0.0/8")."""
    networks = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"VOTING_TRUSTED_PROXIES: {part!r} is not an address or network") from None
    return tuple(networks)


def _trusted(address: str, proxies: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, proxies: tuple[IPv4Network | IPv6Network, ...]
) -> str:
    """The address a request came from, for per-client limits.

    `X-Forwarded-For` is believed only when the peer is a trusted proxy, and then only as
    far back as the chain of trusted proxies goes: the first untrusted hop from the right
    is the client (anything left of it is whatever the client chose to send).
    """
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, proxies):
        return address
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while hops:
        address = hops.pop()
        if not _trusted(address, proxies):
            return address
    return address
