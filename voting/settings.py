"""Settings: one frozen dataclass, read from VOTING_* environment variables.

uvicorn workers call the app factory without arguments, so everything a worker needs
must be expressible as an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    db: str = "voting.db"  # a SQLite file, or postgresql://user:password@host:port/database
    # The doorbell between processes serving the same database (voting/realtime/bus.py):
    # empty is memory:// (one process) on SQLite, the database's own LISTEN/NOTIFY on
    # PostgreSQL (`bus_url`); `voting serve --workers N` on SQLite sets sqlite:///<db path>.
    bus: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # e.g. https://vote.example.org; derived from host/port when empty
    admin_password: str = ""  # when empty a password is generated at first start
    secret_key: str = ""  # signs cookies; generated and stored in the database when empty
    tick_seconds: float = 0.1  # projector/moderator tally updates: at most 10 per second
    phone_tick_seconds: float = 0.5  # live results pushed to all phones: at most 2 per second
    outbox_limit: int = 64  # queued frames per client before it is dropped as too slow
    demo: bool = True  # create the demo event on an empty database
    role_minimum: int = 5  # the privacy minimum of the role split on the room's screens (voting/privacy.py)
    # Limits against a scripted participant (docs/security.md). Per client address:
    trusted_proxies: str = ""  # proxies whose X-Forwarded-For is believed, e.g. "127.0.0.1"
    new_participants_burst: int = 200  # new anonymous identities at once from one address
    new_participants_per_minute: float = 120.0  # …and on average after that burst
    code_lookups_per_minute: float = 20.0  # unknown event codes tried (burst of 10)
    login_attempts_per_minute: float = 5.0  # wrong admin passwords per address (burst of 5)
    login_attempts_total_per_minute: float = 30.0  # …and from all addresses together
    ticket_guesses_per_minute: float = 30.0  # wrong ticket codes tried (burst of as many)
    slow_client_seconds: float = 30.0  # a socket that accepts no frame this long is dropped
    request_header_seconds: float = 10.0  # an HTTP request must arrive whole within this

    def __post_init__(self) -> None:
        if self.role_minimum < 1:
            minimum = self.role_minimum
            raise ValueError(f"VOTING_ROLE_MINIMUM={minimum!r}: the privacy minimum must be at least 1")

    def bus_url(self) -> str:
        """The bus: VOTING_BUS when set, else the PostgreSQL store itself, else memory://."""
        if self.bus:
            return self.bus
        return self.db if self.db.startswith(("postgresql://", "postgres://")) else "memory://"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = os.environ.get(f"VOTING_{field.name.upper()}")
            if raw is None:
                continue
            values[field.name] = _parse(field.type, raw, field.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _parse(kind: object, raw: str, name: str) -> object:
    try:
        if kind in ("int", int):
            return int(raw)
        if kind in ("float", float):
            return float(raw)
        if kind in ("bool", bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
    except ValueError:
        raise ValueError(f"VOTING_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
