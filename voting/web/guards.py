"""Per-client limits at the doors of the app: new identities, unknown codes, admin logins.

One `Guards` per process, kept in the lifespan state (`request.state.guards`). Limits are
keyed by the client's address as `client_address` sees it (X-Forwarded-For only from
`VOTING_TRUSTED_PROXIES`). See docs/security.md for what each limit is for.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from voting.ratelimit import KeyedLimits, RateLimit
from voting.security import client_address, parse_networks
from voting.settings import Settings

TOTAL = "*"


class Guards:
    def __init__(self, settings: Settings) -> None:
        self.proxies = parse_networks(settings.trusted_proxies)
        self.new_participants = KeyedLimits(
            settings.new_participants_per_minute / 60, settings.new_participants_burst
        )
        self.code_lookups = KeyedLimits(settings.code_lookups_per_minute / 60, 10)
        self.logins = KeyedLimits(settings.login_attempts_per_minute / 60, 5)
        self.all_logins = RateLimit(settings.login_attempts_total_per_minute / 60, 30)
        # Wrong ticket codes. A hall behind one Wi-Fi address makes typos together, so the
        # burst is generous; 50-bit codes stay out of reach at any such rate.
        guesses = settings.ticket_guesses_per_minute
        self.tickets = KeyedLimits(guesses / 60, max(1.0, guesses))

    def address(self, conn: HTTPConnection) -> str:
        peer = conn.client.host if conn.client else None
        return client_address(peer, conn.headers.get("x-forwarded-for"), self.proxies)


def guards(conn: HTTPConnection) -> Guards:
    value: Guards = conn.state.guards
    return value
