"""Replay every frame the room saw of a scripted evening and prove nobody's vote leaks.

The real app runs under uvicorn; a projector and a phone that does not vote are connected
over real WebSockets while 18 phones vote one by one on a yes/no statement, with results
live on the projector and the phones and the projector's "by role" view on: 12 mayors,
3 police, 1 prosecutor and 2 who gave no role (the issue's hall, small). Two of the small
group change their vote on the way. Voting then closes.

The observer is stronger than any one person in the hall: they know the app's code, who
tapped when (they watched), and every mayor's vote (the mayors colluded). For every tap of
a police officer, the prosecutor or a phone without a role, we enumerate all the options
the small groups could have tapped (3^8 histories), replay each history through the app's
own payload builder (`Room.tally_payload`, the function the real frames come from), and
keep those whose frames equal what the projector and the phone received. Every such tap
must have at least two different options among the histories that remain.

Before issue 12 the projector showed "Justitie (1)" with its bar, live, at every tap: only
the true history remains, and this test fails.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.server import HOST, free_port, http_get, running
from voting import store as sql
from voting.live import PARTICIPANT, PROJECTOR, Room
from voting.settings import Settings
from voting.store import Store

ROLES = ["Burgemeester", "Politie", "Justitie"]
OPTIONS = ("yes", "no", "pass")
SMALL = {"Politie", "Justitie", None}
# Who is in the hall: participant → role (None: skipped the role question).
HALL: dict[str, str | None] = {
    **{f"m{i}": "Burgemeester" for i in range(12)},
    **{f"p{i}": "Politie" for i in range(3)},
    "j0": "Justitie",
    "n0": None,
    "n1": None,
}
# The taps in order; j0 and p0 change their minds. The small groups do not vote unanimously
# (else the total minus the colluding mayors would give them all away, see docs/metrics.md).
TAPS = [
    ("m0", "yes"), ("m1", "no"), ("j0", "yes"), ("m2", "yes"), ("p0", "no"), ("m3", "yes"),
    ("n0", "no"), ("m4", "pass"), ("p1", "yes"), ("m5", "yes"), ("j0", "no"), ("m6", "no"),
    ("p2", "yes"), ("m7", "yes"), ("n1", "yes"), ("m8", "yes"), ("m9", "no"), ("p0", "yes"),
    ("m10", "yes"), ("m11", "yes"),
]  # fmt: skip
SETTLE = 0.3  # after each tap: the clocks below tick every 0.02 s and 0.04 s
# What a frame tells the room about the votes (the rest is the same in every history).
SEEN = ("statement", "round", "voters", "results", "first", "shift", "by_role")


class Screen:
    """A socket whose every frame is kept, with the number of taps sent before it came."""

    def __init__(self, ws: ClientConnection, clock: list[int]) -> None:
        self.ws, self.clock = ws, clock
        self.frames: list[tuple[int, dict[str, Any]]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                self.frames.append((self.clock[0], json.loads(raw)))
        except ConnectionClosed:
            return

    def ask(self, message: dict[str, Any], reply: str) -> dict[str, Any]:
        start = len(self.frames)
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for _, frame in self.frames[start:]:
                assert frame["type"] != "error", frame
                if frame["type"] == reply:
                    return frame
            time.sleep(0.005)
        raise AssertionError(f"no {reply} after {message}")


@contextmanager
def screens(port: int, code: str, token: str, clock: list[int]) -> Iterator[dict[str, Screen]]:
    with ExitStack() as stack:

        def open_screen(role: str, cookie: str) -> Screen:
            ws = stack.enter_context(
                connect(
                    f"ws://{HOST}:{port}/ws/{code}?role={role}",
                    additional_headers={"Cookie": cookie, "Origin": f"http://{HOST}:{port}"},
                    open_timeout=10,
                )
            )
            return Screen(ws, clock)

        def cookie(path: str) -> str:
            status, cookies = http_get(port, path)
            assert status in (200, 303), (status, path)
            return f"voting={cookies['voting']}"

        out = {"moderator": open_screen("moderator", cookie(f"/m/{code}?token={token}"))}
        out["projector"] = open_screen("projector", "")
        out["spectator"] = open_screen("participant", cookie(f"/j/{code}"))
        for name in HALL:
            out[name] = open_screen("participant", cookie(f"/j/{code}"))
        yield out


def play(tmp_path: Path) -> tuple[Room, int, list[tuple[str, int, dict[str, Any]]]]:
    """Run the evening; the room as the server had it, the statement, and every tally frame
    the projector and the spectator phone got: (screen, taps acknowledged, frame)."""
    db = str(tmp_path / "privacy.db")
    store = Store(db)
    event = store.write(sql.insert_event, "Veiligheidsavond", ["Meer camera's op pleinen."], "yesno", ROLES)
    statement = store.statements(event.id)[0].id
    store.close()
    settings = Settings(
        db=db, demo=False, admin_password="pw", host=HOST, port=free_port(),
        tick_seconds=0.02, phone_tick_seconds=0.04,
    )  # fmt: skip
    clock = [0]
    with running(settings), screens(settings.port, event.code, event.moderator_token, clock) as room:
        moderator = room["moderator"]
        for name, role in HALL.items():
            assert room[name].ask({"type": "role", "role": role}, "role.ack")["role"] == role
        for message in (
            {"type": "goto", "statement": statement},
            {"type": "voting", "open": True},
            {"type": "results", "target": "projector", "shown": True},
            {"type": "results", "target": "phones", "shown": True},
            {"type": "settings", "by_role": True},
        ):
            moderator.ask(message, "ok")
        time.sleep(SETTLE)
        for name, option in TAPS:
            clock[0] += 1  # frames from now on may show this tap
            room[name].ask({"type": "vote", "statement": statement, "option": option}, "ack")
            time.sleep(SETTLE)
        clock[0] += 1
        moderator.ask({"type": "voting", "open": False}, "ok")
        time.sleep(SETTLE * 2)
        frames = [
            (screen, taps, frame)
            for screen in ("projector", "spectator")
            for taps, frame in room[screen].frames
            if frame["type"] == "tally" and frame["statement"] == statement and taps > 0
        ]
    store = Store(db)
    event = store.event_by_code(event.code)
    assert event is not None
    server_room = Room.load(store, event)
    store.close()
    return server_room, statement, frames


def views(room: Room, statement: int, taps: list[tuple[str, str]]) -> Iterator[dict[str, dict[str, Any]]]:
    """What the projector and a phone get after each tap, then after voting closes."""
    fresh = Room(room.event, room.statements)
    fresh.role_minimum = Settings().role_minimum
    fresh.role_of = dict(HALL)
    tally = fresh.tallies[statement]
    state = replace(
        room.event.state, statement_id=statement, voting_open=True,
        results_projector=True, results_phones=True, by_role=True,
    )  # fmt: skip
    fresh.event = replace(room.event, state=state)
    for index, (participant, option) in enumerate([*taps, ("", "")]):
        if index == len(taps):
            fresh.event = replace(fresh.event, state=replace(state, voting_open=False))
        else:
            tally.set(participant, option)
        yield {
            screen: {k: v for k, v in (fresh.tally_payload(role, 0) or {}).items() if k in SEEN}
            for screen, role in (("projector", PROJECTOR), ("spectator", PARTICIPANT))
        }


def consistent(
    room: Room, statement: int, taps: list[tuple[str, str]], seen: dict[int, list[tuple[str, dict[str, Any]]]]
) -> bool:
    """Whether the tap history could have produced every frame seen: a frame that arrived
    once tap i was sent shows the room after tap i, or (sent just before) after tap i - 1."""
    before: dict[str, dict[str, Any]] = {}
    for index, now in enumerate(views(room, statement, taps), start=1):
        for screen, frame in seen.get(index, []):
            if {k: v for k, v in frame.items() if k in SEEN} not in (now[screen], before.get(screen)):
                return False
        before = now
    return True


@pytest.mark.timeout(180)  # 3^8 replayed histories: about 10 s on one core
def test_no_vote_of_a_small_role_can_be_inferred_from_every_frame_the_room_saw(tmp_path: Path) -> None:
    room, statement, frames = play(tmp_path)
    assert len({taps for _, taps, _ in frames}) > len(TAPS) // 2  # the screens followed along
    assert frames[-1][2]["results"]["voters"] == 18  # closing showed everyone's vote
    seen: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for screen, taps, frame in frames:
        seen.setdefault(taps, []).append((screen, frame))
    assert consistent(room, statement, TAPS, seen), "the replay does not reproduce the real frames"

    unknown = [i for i, (name, _) in enumerate(TAPS) if HALL[name] in SMALL]
    possible: dict[int, set[str]] = {i: set() for i in unknown}
    started = time.monotonic()
    for guess in itertools.product(OPTIONS, repeat=len(unknown)):
        history = list(TAPS)
        for i, option in zip(unknown, guess, strict=True):
            history[i] = (TAPS[i][0], option)
        if consistent(room, statement, history, seen):
            for i, option in zip(unknown, guess, strict=True):
                possible[i].add(option)
    print(f"{3 ** len(unknown)} histories replayed in {time.monotonic() - started:.1f} s")
    exposed = {
        f"tap {i}: {TAPS[i][0]} ({HALL[TAPS[i][0]]})": possible[i] for i in unknown if len(possible[i]) < 2
    }
    assert not exposed, f"the room can tell these votes: {exposed}"
