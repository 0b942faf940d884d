"""Issue 9: a script must not mint identities, stuff votes or enumerate event codes freely.

New identities per client network, messages per participant (not per socket), unknown
codes per client on every door; the moderator sees the join rate and a warning.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ADMIN_PASSWORD, Env, moderate, new_phone
from tests.test_sockets import connect, open_first, receive_until
from voting.app import create_app
from voting.security import client_address, parse_networks
from voting.settings import Settings
from voting.store import Store
from voting.web import guards
from voting.web.guards import limit_key

Message = dict[str, Any]


def client_at(env: Env, address: str, **settings: Any) -> TestClient:
    """A TestClient whose requests come from `address` (the default peer is "testclient")."""
    app = create_app(Settings(db=env.db, demo=False, admin_password=ADMIN_PASSWORD, **settings))
    return TestClient(app, client=(address, 50000))


def participants(env: Env) -> dict[str, str | None]:
    store = Store(env.db)
    try:
        return store.roles_of(env.event.id)
    finally:
        store.close()


def stored_votes(env: Env) -> int:
    store = Store(env.db)
    try:
        return len(store.votes(env.event.id))
    finally:
        store.close()


def fresh_get(client: TestClient, path: str, **kwargs: Any) -> Any:
    """A request without cookies, as a script that throws its cookie away sends it."""
    client.cookies.clear()
    return client.get(path, **kwargs)


def next_tally(ws: Any, test: Any, limit: int = 50) -> Message:
    for _ in range(limit):
        message: Message = ws.receive_json()
        if message["type"] == "tally" and test(message):
            return message
    raise AssertionError("no matching tally")


# -- new identities per client network -------------------------------------------------------------


def test_a_script_minting_identities_past_the_limit_gets_429_and_stores_nothing(env: Env) -> None:
    code = env.event.code
    with env.client(new_participants_burst=5, new_participants_per_minute=6) as client:
        phones = [new_phone(client, code) for _ in range(5)]
        refused = fresh_get(client, f"/j/{code}")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 10
        assert "Te veel nieuwe deelnemers" in refused.text
        assert "set-cookie" not in refused.headers  # no identity handed out
        # The vote form post mints identities too: refused alike, nothing stored.
        client.cookies.clear()
        posted = client.post(
            f"/j/{code}/vote",
            data={"statement": "1", "option": "agree"},
            headers={"accept": "application/json"},
        )
        assert posted.status_code == 429
        assert posted.json()["error"] == "too_many_participants"
        assert posted.headers["retry-after"]
        french = fresh_get(client, f"/j/{code}", headers={"accept-language": "fr"})
        assert "Trop de nouveaux participants" in french.text
        # Phones that already have their identity are not affected.
        assert client.get(f"/j/{code}", headers=phones[0]).status_code == 200
    assert len(participants(env)) == 5
    assert stored_votes(env) == 0


def test_the_default_lets_a_hall_behind_one_address_join_but_not_a_script(env: Env) -> None:
    with env.client() as client:
        for _ in range(200):  # a hall behind one NAT address, all at once
            assert fresh_get(client, f"/j/{env.event.code}").status_code == 200
        more = [fresh_get(client, f"/j/{env.event.code}").status_code for _ in range(40)]
    assert 429 in more  # then 2 a second
    assert len(participants(env)) == 200 + more.count(200)


def test_forwarded_for_is_ignored_from_an_untrusted_peer(env: Env) -> None:
    code = env.event.code
    with client_at(env, "192.0.2.7", new_participants_burst=2, new_participants_per_minute=1) as client:
        for n in range(2):
            assert (
                fresh_get(client, f"/j/{code}", headers={"x-forwarded-for": f"198.51.100.{n}"}).status_code
                == 200
            )
        forged = fresh_get(client, f"/j/{code}", headers={"x-forwarded-for": "198.51.100.99"})
        assert forged.status_code == 429


def test_forwarded_for_is_honoured_from_a_trusted_proxy(env: Env) -> None:
    code = env.event.code
    settings: dict[str, Any] = {"new_participants_burst": 2, "new_participants_per_minute": 1}
    with client_at(env, "10.0.0.1", trusted_proxies="10.0.0.0/8", **settings) as client:
        for address in ("198.51.100.1", "198.51.100.2"):  # two phones on each of two networks
            for _ in range(2):
                headers = {"x-forwarded-for": address}
                assert fresh_get(client, f"/j/{code}", headers=headers).status_code == 200
        assert fresh_get(client, f"/j/{code}", headers={"x-forwarded-for": "198.51.100.1"}).status_code == 429
        # A client cannot pass itself off as another by prepending addresses: the proxy
        # appends the real one, and that is the one counted.
        chained = {"x-forwarded-for": "203.0.113.5, 198.51.100.2"}
        assert fresh_get(client, f"/j/{code}", headers=chained).status_code == 429
    assert len(participants(env)) == 4


def test_limits_are_kept_by_address_from_trusted_proxies_and_by_ipv6_64() -> None:
    proxies = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert client_address("testclient", "198.51.100.1", proxies) == "testclient"
    assert client_address("127.0.0.1", "198.51.100.1", proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    with pytest.raises(ValueError, match="'nonsense'"):
        parse_networks("10.0.0.1, nonsense")
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert limit_key("192.0.2.1") == "192.0.2.1"
    assert limit_key("testclient") == "testclient"


# -- messages per participant, not per socket ------------------------------------------------------


def test_reconnecting_sockets_cannot_exceed_the_participant_vote_rate(env: Env) -> None:
    with env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with connect(client, env.event.code, "moderator") as mod:
            first = open_first(mod, env)
            started = time.monotonic()
            acks = refusals = 0
            for loop in range(5):  # a script reconnecting: each new socket used to get 20 more
                with connect(client, env.event.code, "participant", phone) as ws:
                    receive_until(ws, "state")
                    for n in range(20):
                        option = "agree" if (loop + n) % 2 else "disagree"
                        ws.send_json({"type": "vote", "statement": first, "option": option})
                    for _ in range(20):
                        reply = _reply(ws)
                        acks += reply["type"] == "ack"
                        refusals += reply.get("code") == "rate_limited"
            elapsed = time.monotonic() - started
    # 20 at once, then 5 a second: whatever the number of sockets.
    assert acks <= guards.PARTICIPANT_BURST + guards.PARTICIPANT_RATE * elapsed + 1
    assert acks + refusals == 100 and refusals >= 100 - acks


def _reply(ws: Any) -> Message:
    """The next reply to a message (an ack or an error), skipping tallies and states."""
    for _ in range(50):
        message: Message = ws.receive_json()
        if message["type"] in ("ack", "error", "pong"):
            return message
    raise AssertionError("no reply")


@contextmanager
def no_refill(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The participant's allowance without refill during the test, so counts are exact."""
    monkeypatch.setattr(guards, "PARTICIPANT_RATE", 0.001)
    yield


def test_the_form_post_vote_shares_the_participant_limit(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    with no_refill(monkeypatch), env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with connect(client, env.event.code, "moderator") as mod:
            first = open_first(mod, env)
            with connect(client, env.event.code, "participant", phone) as ws:
                receive_until(ws, "state")
                for _ in range(20):
                    ws.send_json({"type": "ping"})
                assert [_reply(ws)["type"] for _ in range(20)] == ["pong"] * 20
            vote = {"statement": str(first), "option": "agree"}
            refused = client.post(
                f"/j/{env.event.code}/vote", data=vote, headers={**phone, "accept": "application/json"}
            )
            assert refused.status_code == 429
            assert refused.json()["error"] == "rate_limited"
            assert int(refused.headers["retry-after"]) >= 1
            plain = client.post(f"/j/{env.event.code}/vote", data=vote, headers=phone, follow_redirects=False)
            assert plain.headers["location"].endswith("?notice=rate_limited")
            # Another phone is not held back by this one.
            other = new_phone(client, env.event.code)
            assert client.post(f"/j/{env.event.code}/vote", data=vote, headers=other).status_code == 200
    assert stored_votes(env) == 1


def test_form_posts_use_up_the_sockets_allowance(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    with no_refill(monkeypatch), env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with connect(client, env.event.code, "moderator") as mod:
            first = open_first(mod, env)
            vote = {"statement": str(first), "option": "agree"}
            json_phone = {**phone, "accept": "application/json"}
            for _ in range(20):
                assert (
                    client.post(f"/j/{env.event.code}/vote", data=vote, headers=json_phone).status_code == 200
                )
            with connect(client, env.event.code, "participant", phone) as ws:
                receive_until(ws, "state")
                ws.send_json({"type": "vote", "statement": first, "option": "disagree"})
                assert _reply(ws)["code"] == "rate_limited"


def test_the_moderator_keeps_a_limit_per_socket(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    with no_refill(monkeypatch), env.client() as client:
        moderate(client, env.event)
        phone = new_phone(client, env.event.code)
        with connect(client, env.event.code, "participant", phone) as ws:  # a phone's budget...
            receive_until(ws, "state")
            for _ in range(21):
                ws.send_json({"type": "ping"})
            assert [_reply(ws)["type"] for _ in range(21)] == ["pong"] * 20 + ["error"]
        with connect(client, env.event.code, "participant", phone) as ws:  # ...stays spent
            receive_until(ws, "state")
            ws.send_json({"type": "ping"})
            assert _reply(ws)["code"] == "rate_limited"
        for _ in range(2):  # a second console is not held back by the first
            with connect(client, env.event.code, "moderator") as ws:
                receive_until(ws, "state")
                for _ in range(25):
                    ws.send_json({"type": "ping"})
                assert [_reply(ws)["type"] for _ in range(25)] == ["pong"] * 25


# -- unknown event codes ---------------------------------------------------------------------------

UNKNOWN = ["000000", "000001", "000002", "000003", "000004", "000005", "000006", "000007", "000008", "000009"]


def unknown_codes(env: Env) -> list[str]:
    return [code for code in UNKNOWN + ["000010"] if code != env.event.code][:10]


def spend_the_allowance(client: TestClient, env: Env) -> None:
    for code in unknown_codes(env):
        assert fresh_get(client, f"/j/{code}").status_code == 404


@pytest.mark.parametrize(
    "door", ["/?code={code}", "/j/{code}", "/p/{code}", "/m/{code}", "/qr/{code}.svg", "/m/{code}/export.csv"]
)
def test_unknown_codes_past_the_limit_are_429_on_every_door(env: Env, door: str) -> None:
    with env.client() as client:
        spend_the_allowance(client, env)
        refused = fresh_get(client, door.format(code="123457" if env.event.code != "123457" else "123458"))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 10
        if not door.startswith("/qr/"):
            assert "Te veel foute codes vanaf je netwerk; wacht" in refused.text


def test_unknown_codes_past_the_limit_are_refused_on_the_socket_and_form_posts(env: Env) -> None:
    with env.client() as client:
        spend_the_allowance(client, env)
        client.cookies.clear()
        posted = client.post("/j/654321/vote", data={"statement": "1", "option": "agree"})
        assert posted.status_code == 429 and posted.headers["retry-after"]
        with connect(client, "654321", "projector", {"accept-language": "fr"}) as ws:
            error = ws.receive_json()
            assert error["code"] == "too_many_codes" and error["retry_after"] >= 1
            assert error["message"].startswith("Trop de codes erronés depuis votre réseau")
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4429


def test_past_the_limit_a_real_code_works_for_those_already_there(env: Env) -> None:
    code = env.event.code
    here = {"x-forwarded-for": "203.0.113.66"}  # one network, behind a trusted proxy
    with client_at(env, "10.0.0.1", trusted_proxies="10.0.0.1") as client:
        client.headers.update(here)
        phone = new_phone(client, code)
        moderate(client, env.event)
        console = dict(client.cookies)
        client.cookies.clear()
        assert client.get(f"/p/{code}").status_code == 200  # the projector's browser
        projector = dict(client.cookies)
        spend_the_allowance(client, env)
        assert fresh_get(client, "/j/000011").status_code == 429
        client.cookies.clear()
        assert client.get(f"/j/{code}", headers=phone).status_code == 200
        with connect(client, code, "participant", {**phone, **here}) as ws:
            assert ws.receive_json()["type"] == "welcome"
        client.cookies.update(console)
        assert client.get(f"/m/{code}").status_code == 200
        client.cookies.clear()
        client.cookies.update(projector)
        assert client.get(f"/p/{code}").status_code == 200
        with connect(client, code, "projector", here) as ws:
            assert ws.receive_json()["type"] == "welcome"
        # A newcomer on the flooding network must wait too: answering it would tell real
        # codes from unknown ones at full speed.
        assert fresh_get(client, f"/j/{code}").status_code == 429
        with connect(client, code, "projector", here) as ws:
            assert ws.receive_json()["code"] == "too_many_codes"
        # Another network is not held back.
        elsewhere = {"x-forwarded-for": "198.51.100.4"}
        assert fresh_get(client, f"/j/{code}", headers=elsewhere).status_code == 200


def test_real_codes_do_not_use_up_the_allowance(env: Env) -> None:
    with env.client() as client:
        for _ in range(30):
            assert fresh_get(client, f"/p/{env.event.code}").status_code == 200
            assert fresh_get(client, f"/?code={env.event.code}", follow_redirects=False).status_code == 303
        spend_the_allowance(client, env)  # all ten still answered 404
        assert fresh_get(client, "/?code=000011").status_code == 429


# -- what the moderator sees -----------------------------------------------------------------------


def test_the_moderator_tally_carries_the_join_rate_and_the_warning(env: Env) -> None:
    code = env.event.code
    with env.client(new_participants_burst=3, new_participants_per_minute=1) as client:
        moderate(client, env.event)
        with connect(client, code, "moderator") as mod:
            first = next_tally(mod, lambda t: True)
            assert first["joins"] == {"last_minute": 0, "refused": 0, "warning": None}
            for _ in range(3):
                new_phone(client, code)
            tally = next_tally(mod, lambda t: t["joins"]["last_minute"] == 3)
            assert tally["joins"]["warning"] is None
            console = dict(client.cookies)
            assert fresh_get(client, f"/j/{code}").status_code == 429
            client.cookies.clear()
            client.cookies.update(console)
            warned = next_tally(mod, lambda t: t["joins"]["warning"] is not None)
            assert warned["joins"] == {"last_minute": 3, "refused": 1, "warning": "refused"}
            with connect(client, code, "projector") as projector:
                assert "joins" not in receive_until(projector, "tally")
        page = client.get(f"/m/{code}")
    assert "+3 in de laatste minuut" in page.text
    assert "Lijkt op een script: 1 nieuwe deelnemers geweigerd in 5 minuten" in page.text
