from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.pg import postgres_url  # noqa: F401  (the session's PostgreSQL server, when a test asks)
from voting import store as sql
from voting.app import create_app
from voting.models import Event
from voting.settings import Settings
from voting.store import Store

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Env:
    db: str
    event: Event

    def client(self, **kwargs: Any) -> TestClient:
        settings = Settings(db=self.db, demo=False, admin_password=ADMIN_PASSWORD, **kwargs)
        return TestClient(create_app(settings))


DATABASES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_databases: run the module's tests on SQLite and on PostgreSQL (the `db` fixture)"
    )
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite itself (files, PRAGMAs)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked both_databases that use `db` (directly or through `env`) run twice."""
    marked = metafunc.definition.get_closest_marker("both_databases")
    if marked and "db" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("db", DATABASES, indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's database: a SQLite file, or (parametrised) a fresh PostgreSQL database
    with the schema in place, on the session's throwaway server (tests/pg.py)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield str(tmp_path / "test.db")
        return
    from tests.pg import drop_database, fresh_voting_database

    url = fresh_voting_database(request.getfixturevalue("postgres_url"))
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def env(db: str) -> Env:
    store = Store(db)
    event = store.write(
        sql.insert_event, "Veiligheid", ["First statement", "Second statement", "Third"], "likert5"
    )
    store.close()
    return Env(db, event)


@pytest.fixture
def app_client(env: Env) -> Iterator[TestClient]:
    with env.client() as client:
        yield client


def join(client: TestClient, code: str) -> None:
    """Load the participant page as a phone does (sets the participant cookie)."""
    response = client.get(f"/j/{code}")
    assert response.status_code == 200


def new_phone(client: TestClient, code: str) -> dict[str, str]:
    """Join as a new phone (its own cookie jar) and return the headers it sends."""
    saved = dict(client.cookies)
    client.cookies.clear()
    join(client, code)
    cookie = client.cookies["voting"]
    client.cookies.clear()
    client.cookies.update(saved)
    return {"cookie": f"voting={cookie}"}


def moderate(client: TestClient, event: Event) -> None:
    response = client.get(f"/m/{event.code}?token={event.moderator_token}", follow_redirects=False)
    assert response.status_code == 303
