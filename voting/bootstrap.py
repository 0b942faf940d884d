"""First-start preparation of a database: cookie secret, admin password, demo event."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from voting import store as sql
from voting.demo import DEMO_ROLES, DEMO_STATEMENTS, DEMO_TITLE
from voting.models import DEFAULT_SCALE, Event
from voting.security import hash_password, new_password
from voting.settings import Settings
from voting.store import Store


@dataclass
class Prepared:
    secret_key: str
    generated_password: str | None = None  # shown once, only when just generated
    demo_event: Event | None = None  # only when just created


def prepare(store: Store, settings: Settings) -> Prepared:
    secret = settings.secret_key or store.setting("secret_key")
    if not secret:
        secret = secrets.token_urlsafe(32)
        store.write(sql.put_setting, "secret_key", secret)
    prepared = Prepared(secret)
    if not settings.admin_password and store.setting("admin_password_hash") is None:
        prepared.generated_password = new_password()
        store.write(
            sql.put_setting, "admin_password_hash", hash_password(prepared.generated_password)
        )
    if settings.demo and not store.events():
        prepared.demo_event = store.write(
            sql.insert_event, DEMO_TITLE, DEMO_STATEMENTS, DEFAULT_SCALE, DEMO_ROLES
        )
    return prepared
