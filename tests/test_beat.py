"""Every screen hears a `beat` every 4 s, spread over the clock's ticks (docs/protocol.md)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from tests.conftest import Env, join
from tests.test_sockets import connect, receive_until
from voting.realtime.hub import BEAT_SECONDS, Client, Hub
from voting.realtime.outbox import Outbox


def test_every_screen_hears_a_beat_within_the_cycle(app_client: object, env: Env) -> None:
    client = app_client
    join(client, env.event.code)  # type: ignore[arg-type]
    with (
        connect(client, env.event.code, "participant") as phone,  # type: ignore[arg-type]
        connect(client, env.event.code, "projector") as projector,  # type: ignore[arg-type]
    ):
        started = time.monotonic()
        for ws in (phone, projector):
            receive_until(ws, "beat", limit=50)
        assert time.monotonic() - started < BEAT_SECONDS + 1.5


def test_beats_are_spread_over_the_ticks_not_sent_to_everyone_at_once() -> None:
    hub = Hub(tick=0.1)
    room = SimpleNamespace(code="123456")
    clients = [Client("participant", f"p{n}", Outbox(8)) for n in range(400)]
    for client in clients:
        hub.subscribe(room, client)  # type: ignore[arg-type]
    hub._beat(7)
    beaten = [c for c in clients if c.outbox._frames]
    assert len(beaten) == 10  # one fortieth of the room on this tick of the 4 s cycle
    for slot in range(hub.beat_slots):
        if slot != 7:
            hub._beat(slot)
    assert all(len(c.outbox._frames) == 1 for c in clients)  # everyone, once per cycle
    hub.unsubscribe(room, clients[0])  # type: ignore[arg-type]
    assert sum(len(slot) for slot in hub.channels["123456"].beats) == 399
