"""Settings: one frozen dataclass, read from VOTING_* environment variables.

uvicorn workers call the app factory without arguments, so everything a worker needs
must be expressible as an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    db: str = "voting.db"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # e.g. https://vote.example.org; derived from host/port when empty
    admin_password: str = ""  # when empty a password is generated at first start
    secret_key: str = ""  # signs cookies; generated and stored in the database when empty
    tick_seconds: float = 0.1  # projector/moderator tally updates: at most 10 per second
    phone_tick_seconds: float = 0.5  # live results pushed to all phones: at most 2 per second
    outbox_limit: int = 64  # queued frames per client before it is dropped as too slow
    demo: bool = True  # create the demo event on an empty database
    role_minimum: int = 3  # roles with fewer voters show "too few votes" outside the console

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
