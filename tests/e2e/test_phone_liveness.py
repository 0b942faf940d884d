"""A socket that died without a close (a frozen server, Wi-Fi gone without a goodbye) is
noticed by the phone within 10 s, and a vote in flight then goes through the form post."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from playwright.sync_api import Request, expect

from tests.e2e.test_phone_ballot import SAVED, Moderator, open_phone
from voting.store import Store

T = 10_000  # ms


def freeze(start_app: Any, app: Any) -> threading.Event:
    """Blocks the server's event loop (every socket stays open, nothing answers) until the
    returned event is set: a frozen server, seen from the phone."""
    server = start_app.running[app.port][0]
    loop = server.servers[0].get_loop()
    thaw = threading.Event()
    frozen = threading.Event()

    def block() -> None:
        frozen.set()
        thaw.wait(60)

    loop.call_soon_threadsafe(block)
    assert frozen.wait(5)
    return thaw


@pytest.mark.timeout(120)
def test_a_frozen_server_is_noticed_and_the_vote_goes_by_form_post(
    start_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    app = start_app()
    first = app.statement_ids[0]
    moderator = Moderator(app)
    moderator.do("goto", statement=first)
    moderator.do("voting", open=True)
    moderator.close()
    phone = open_phone(app, new_context, phone_args)
    posts: list[Request] = []
    phone.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    expect(phone.locator("button.option[value=agree]")).to_be_enabled(timeout=T)

    thaw = freeze(start_app, app)
    try:
        frozen_at = time.monotonic()
        phone.locator("button.option[value=agree]").click()  # into the dead socket
        expect(phone.locator("[data-conn]")).to_have_attribute(
            "data-status", "reconnecting", timeout=T
        )
        assert time.monotonic() - frozen_at < 10.5
        expect(phone.locator("[data-conn]")).not_to_be_empty()
        expect(phone.locator("[data-vote-status]")).not_to_contain_text("✓")
        expect(phone.locator("button.option[value=agree]")).to_have_attribute(
            "aria-pressed", "true"
        )
    finally:
        thaw.set()
    # The server comes back: the form post stores the vote, the socket comes back too.
    expect(phone.locator("[data-vote-status]")).to_have_text(SAVED, timeout=T)
    expect(phone.locator("[data-conn]")).to_be_empty(timeout=20_000)
    assert [r.url for r in posts] == [f"{app.participant_url}/vote"]
    store = Store(app.db)
    votes = [(row["statement_id"], row["option"]) for row in store.votes(store.events()[0].id)]
    store.close()
    assert votes == [(first, "agree")]


def test_a_quiet_healthy_socket_stays_up(
    live_app: Any, new_context: Any, phone_args: dict[str, Any]
) -> None:
    """Nothing happens for a while: the pings keep the socket, no reconnect, no vote lost."""
    phone = open_phone(live_app, new_context, phone_args)
    statuses = phone.evaluate_handle(
        """() => { const seen = []; new MutationObserver(() => seen.push(
            document.querySelector('[data-conn]').dataset.status)).observe(
            document.querySelector('[data-conn]'), {attributes: true}); return seen; }"""
    )
    phone.wait_for_timeout(12_000)
    assert statuses.json_value() == []
    expect(phone.locator("[data-conn]")).to_have_attribute("data-status", "online")
