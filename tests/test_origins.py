"""Which pages may open a socket or post a form: our own origins, scheme and port included.
A Host header proves nothing (a DNS-rebinding page sends its own name as both)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import Env, join
from voting.security import origin_of, own_origins, same_origin

LAN = "192.168.1.23"


@pytest.fixture(autouse=True)
def lan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LAN address `voting serve` prints (see voting/netaddr.py), the same everywhere."""
    monkeypatch.setattr("voting.web.common.lan_address", lambda: LAN)


def handshake(client: TestClient, code: str, headers: dict[str, str]) -> int | None:
    """None when the socket opened (and spoke), else the close code of the refusal."""
    try:
        with client.websocket_connect(f"/ws/{code}?role=projector", headers=headers) as ws:
            assert ws.receive_json()["type"] == "welcome"
    except WebSocketDisconnect as refused:
        return refused.code
    return None


@pytest.fixture
def served(env: Env) -> Iterator[TestClient]:
    """Like `voting serve` on 0.0.0.0:8000, no public URL (reached here as http://testserver)."""
    with env.client(host="0.0.0.0", port=8000) as client:
        yield client


@pytest.fixture
def public(env: Env) -> Iterator[TestClient]:
    with env.client(host="0.0.0.0", port=8000, public_url="https://vote.example.org/") as client:
        yield client


@pytest.mark.parametrize(
    "origin",
    [f"http://{LAN}:8000", "http://localhost:8000", "http://127.0.0.1:8000", "http://testserver"],
)
def test_the_printed_addresses_may_connect(served: TestClient, env: Env, origin: str) -> None:
    assert handshake(served, env.event.code, {"origin": origin}) is None


@pytest.mark.parametrize(
    "origin, host",
    [
        ("https://testserver", "testserver"),  # our host and port, another scheme
        ("https://localhost:8000", "localhost:8000"),
        (f"http://{LAN}:8001", f"{LAN}:8001"),  # another port
        ("http://evil.example", "evil.example"),  # DNS rebinding: the Host says evil.example too
        ("http://evil.example:8000", "evil.example:8000"),
        ("http://192.168.1.99:8000", "192.168.1.99:8000"),  # another machine on the LAN
        ("null", "testserver"),
    ],
)
def test_other_origins_are_refused_even_when_the_host_header_agrees(
    served: TestClient, env: Env, origin: str, host: str
) -> None:
    assert handshake(served, env.event.code, {"origin": origin, "host": host}) == 4403


def test_with_a_public_url_only_its_origin_may_connect(public: TestClient, env: Env) -> None:
    code = env.event.code
    assert handshake(public, code, {"origin": "https://vote.example.org"}) is None
    assert handshake(public, code, {"origin": "https://VOTE.example.org:443"}) is None
    for origin in ["http://vote.example.org", "https://vote.example.org:8443", f"http://{LAN}:8000"]:
        host = origin.split("://", 1)[1]
        assert handshake(public, code, {"origin": origin, "host": host}) == 4403, origin


def test_a_form_post_follows_the_same_rules(served: TestClient, env: Env) -> None:
    join(served, env.event.code)

    def vote(origin: str, host: str = "testserver") -> Any:
        headers = {"origin": origin, "host": host, "accept": "application/json"}
        form = {"statement": "1", "option": "agree"}
        return served.post(f"/j/{env.event.code}/vote", data=form, headers=headers)

    assert vote("http://evil.example", "evil.example").status_code == 403
    assert vote("https://testserver").status_code == 403
    assert vote("http://localhost:8000").status_code != 403  # refused later: voting is closed


def test_origins_compare_scheme_host_and_port() -> None:
    assert origin_of("HTTP://Example.org") == "http://example.org:80"
    assert origin_of("https://example.org/path?q=1") == "https://example.org:443"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert [origin_of(bad) for bad in ["null", "example.org", "file:///x", "http://x:99999"]] == [None] * 4
    assert own_origins("0.0.0.0", 8000, "", LAN) == {
        f"http://{LAN}:8000", "http://localhost:8000", "http://127.0.0.1:8000"
    }
    assert own_origins("vote.lan", 80, "", LAN) >= {"http://vote.lan:80", "http://localhost:80"}
    assert own_origins("0.0.0.0", 8000, "https://vote.example.org/x", LAN) == {
        "https://vote.example.org:443"
    }
    assert same_origin(None, set())  # not from a browser page
    assert not same_origin("http://localhost:8000", {"https://vote.example.org:443"})
