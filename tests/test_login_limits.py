"""Issue 9, item 2: wrong admin logins must not freeze the phones, and are limited."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, Env
from voting import security
from voting.app import create_app
from voting.settings import Settings

SAME_SITE = {"origin": "http://testserver"}


def log_in(client: TestClient, password: str, **headers: str) -> Any:
    return client.post(
        "/admin/login", data={"password": password}, headers={**SAME_SITE, **headers},
        follow_redirects=False,
    )


def hashed_client(env: Env, **settings: Any) -> TestClient:
    """An app whose admin password is stored hashed (argon2), as `voting serve` makes it."""
    app = create_app(Settings(db=env.db, demo=False, **settings))
    from voting import store as sql
    from voting.store import Store

    store = Store(env.db)
    store.write(sql.put_setting, "admin_password_hash", security.hash_password(ADMIN_PASSWORD))
    store.close()
    return TestClient(app, client=("10.0.0.1", 50000))


def test_the_password_is_checked_off_the_event_loop(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    verify = security.verify_password

    def spy(stored: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        return verify(stored, password)

    monkeypatch.setattr("voting.web.admin.verify_password", spy)
    with hashed_client(env) as client:
        loop_thread = client.portal.call(lambda: threading.current_thread().name)  # type: ignore[union-attr]
        assert log_in(client, "wrong").status_code == 403
        assert log_in(client, ADMIN_PASSWORD).status_code == 303
    assert len(threads) == 2
    assert loop_thread not in threads  # argon2 never ran on the loop that serves the phones


def test_wrong_passwords_are_limited_per_client(env: Env) -> None:
    with hashed_client(env) as client:
        for _ in range(5):
            assert log_in(client, "guess").status_code == 403
        refused = log_in(client, ADMIN_PASSWORD, **{"accept-language": "en"})
        assert refused.status_code == 429  # even the right password waits now
        assert int(refused.headers["retry-after"]) >= 1
        assert "Too many login attempts. Wait" in refused.text
        assert "/admin" in client.get("/admin").text and "admin/login" in client.get("/admin").text


def test_another_client_is_not_locked_out_by_one_guesser(env: Env) -> None:
    with hashed_client(env, trusted_proxies="10.0.0.1") as client:
        for _ in range(6):
            log_in(client, "guess", **{"x-forwarded-for": "192.0.2.7"})
        assert log_in(client, "guess", **{"x-forwarded-for": "192.0.2.7"}).status_code == 429
        assert log_in(client, ADMIN_PASSWORD, **{"x-forwarded-for": "192.0.2.8"}).status_code == 303


def test_logins_are_limited_in_total_across_addresses(env: Env) -> None:
    # One attempt a minute after the burst: 40 argon2 checks on a busy machine cannot earn one.
    with hashed_client(env, trusted_proxies="10.0.0.1", login_attempts_total_per_minute=1) as client:
        statuses = [
            log_in(client, "guess", **{"x-forwarded-for": f"192.0.2.{n}"}).status_code for n in range(40)
        ]
    assert statuses.count(403) == 30  # the burst for all addresses together
    assert statuses[30:] == [429] * 10


def test_forwarded_for_from_an_untrusted_peer_changes_nothing(env: Env) -> None:
    with hashed_client(env) as client:  # 10.0.0.1 is not a trusted proxy here
        for n in range(5):
            log_in(client, "guess", **{"x-forwarded-for": f"192.0.2.{n}"})
        assert log_in(client, "guess", **{"x-forwarded-for": "192.0.2.99"}).status_code == 429


@pytest.mark.parametrize("headers", [{}, {"origin": "null"}, {"origin": "https://evil.example"}])
def test_login_needs_a_same_origin_form_post(env: Env, headers: dict[str, str]) -> None:
    with hashed_client(env) as client:
        response = client.post(
            "/admin/login", data={"password": ADMIN_PASSWORD}, headers=headers, follow_redirects=False
        )
        assert response.status_code == 403
        assert "admin/login" in client.get("/admin").text  # not logged in


def test_client_address_believes_forwarded_for_only_from_trusted_proxies() -> None:
    proxies = security.parse_networks("127.0.0.1, 10.0.0.0/8")
    assert security.client_address("192.0.2.1", "203.0.113.9", proxies) == "192.0.2.1"
    assert security.client_address("127.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    # A client cannot hide behind a made-up hop: the first untrusted one from the right counts.
    assert security.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.1.1", proxies) == "203.0.113.9"
    assert security.client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    with pytest.raises(ValueError, match="'nonsense' is not an address"):
        security.parse_networks("nonsense")
