"""Per-client limits at the doors of the app: new identities, unknown codes, admin logins.

One `Guards` per process, kept in the lifespan state (`request.state.guards`). Limits are
keyed by the client's address as `client_address` sees it (X-Forwarded-For only from
`VOTING_TRUSTED_PROXIES`; an IPv6 client by its /64). See docs/security.md for what each limit is for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from ipaddress import ip_address, ip_network
from typing import Any

from starlette.requests import HTTPConnection

from voting.live import Room
from voting.ratelimit import KeyedLimits, RateLimit
from voting.security import client_address, is_moderator, parse_networks
from voting.settings import Settings

TOTAL = "*"
# Messages per participant (votes, comments, pings: all of its sockets and its form posts
# together), so that opening more sockets or reconnecting buys nothing.
PARTICIPANT_RATE, PARTICIPANT_BURST = 5.0, 20.0
UNKNOWN_CODES_BURST = 10
SEEN_CODES = 10  # events a browser opened, remembered in its session (see lookup_wait)


class Guards:
    def __init__(self, settings: Settings) -> None:
        self.proxies = parse_networks(settings.trusted_proxies)
        self.new_participants = KeyedLimits(
            settings.new_participants_per_minute / 60, settings.new_participants_burst
        )
        self.code_lookups = KeyedLimits(settings.code_lookups_per_minute / 60, UNKNOWN_CODES_BURST)
        self.participant_messages = KeyedLimits(PARTICIPANT_RATE, PARTICIPANT_BURST)
        self.logins = KeyedLimits(settings.login_attempts_per_minute / 60, 5)
        self.all_logins = RateLimit(settings.login_attempts_total_per_minute / 60, 30)
        self.login_checks = asyncio.Semaphore(1)  # password hashing: one at a time, off the loop
        # Wrong ticket codes. A hall behind one Wi-Fi address makes typos together, so the
        # burst is generous; 50-bit codes stay out of reach at any such rate.
        guesses = settings.ticket_guesses_per_minute
        self.tickets = KeyedLimits(guesses / 60, max(1.0, guesses))

    def address(self, conn: HTTPConnection) -> str:
        peer = conn.client.host if conn.client else None
        return client_address(peer, conn.headers.get("x-forwarded-for"), self.proxies)

    def key(self, conn: HTTPConnection) -> str:
        """What per-client limits are kept by: the address, or for IPv6 its /64 (a phone
        or a home network is handed a whole /64 and can pick any address in it)."""
        return limit_key(self.address(conn))

    def new_participant_wait(self, conn: HTTPConnection) -> int:
        """0 when `conn` may be given a new anonymous identity (using up one of its
        network's allowance), else the seconds to wait."""
        limit = self.new_participants.bucket(self.key(conn))
        return 0 if limit.allow() else limit.retry_after()

    def lookup_wait(self, conn: HTTPConnection, code: str, room: Room | None) -> int:
        """0 when `conn` may learn whether `code` names an event, else the seconds to wait.

        Only unknown codes use up the allowance. Once it is spent, a real code is refused
        like an unknown one (else the refusals would tell real codes apart at full speed),
        except to a browser that was already there: a joined phone, the moderator, or a
        screen that opened the event before (its session remembers the code).
        """
        if room is not None and _known(conn.session, room):
            return 0
        limit = self.code_lookups.bucket(self.key(conn))
        if room is None:
            return 0 if limit.allow() else limit.retry_after()
        return limit.retry_after()

    def participant_limit(self, code: str, participant: str) -> RateLimit:
        """The message allowance one participant of one event shares across its sockets
        and its form posts."""
        return self.participant_messages.bucket(f"{code} {participant}")


def limit_key(address: str) -> str:
    try:
        ip = ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ip_network(f"{ip}/64", strict=False))
    return address


def remember_code(session: dict[str, Any], code: str) -> None:
    """Note in the session that this browser opened event `code` (see `lookup_wait`)."""
    seen = session.get("seen")
    if not isinstance(seen, list) or code not in seen:
        codes = seen if isinstance(seen, list) else []
        session["seen"] = [*codes, code][-SEEN_CODES:]


def _known(session: Mapping[str, Any], room: Room) -> bool:
    seen = session.get("seen")
    pid = session.get("pid")
    return (
        (isinstance(seen, list) and room.code in seen)
        or (isinstance(pid, str) and pid in room.role_of)
        or is_moderator(session, room.event)
    )


def guards(conn: HTTPConnection) -> Guards:
    value: Guards = conn.state.guards
    return value
