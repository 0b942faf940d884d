"""The opinion map over HTTP (voting/web/opinion.py) and `event_map` (voting/analysis/event.py):
who may read which map, what the projector's room-safe map leaves out, the cache, and that
a slow computation does not hold up other requests."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from tests.conftest import Env, moderate
from tests.test_comments import Live
from tests.test_sockets import connect, statement_ids
from voting import store as sql
from voting.analysis.event import event_map, public_map, snapshot
from voting.live import Room
from voting.store import Store
from voting.web import opinion

ROLES = ["Burgemeester", "Politie", "Parket"]
STATEMENTS = [f"Stelling {i}" for i in range(8)]
OPTIONS = {1: "agree", 0: "neutral", -1: "disagree"}


def planted_event(db: str, sizes: tuple[int, ...] = (8, 8, 8), seed: int = 3) -> tuple[Env, list[int]]:
    """An event whose participants vote in len(sizes) opinion groups (≤ 3) with distinct
    stances, each with one vote made neutral at random (so the points differ); in group g
    everyone has the role ROLES[g]. Returns the env and each participant's group."""
    store = Store(db)
    event = store.write(sql.insert_event, "Kaart", STATEMENTS, "agree3", ROLES)
    ids = [s.id for s in store.statements(event.id)]
    half = len(ids) // 2
    # Each group agrees with something (see the report: a group that agrees with nothing
    # gets no representative statements, as in red-dwarf).
    stances = [[1] * len(ids), [-1] * (len(ids) - 1) + [1], [1] * half + [-1] * (len(ids) - half)]
    rng = np.random.default_rng(seed)
    truth = [g for g, n in enumerate(sizes) for _ in range(n)]
    for i, g in enumerate(truth):
        pid = f"p{i:03d}"
        store.write(sql.insert_participant, event.id, pid)
        store.write(sql.set_role, event.id, pid, ROLES[g])
        neutral = int(rng.integers(len(ids)))
        for j, sid in enumerate(ids):
            store.write(sql.insert_vote, sid, pid, OPTIONS[0 if j == neutral else stances[g][j]])
    store.close()
    return Env(db, event), truth


@contextmanager
def console(env: Env, **settings: Any) -> Iterator[TestClient]:
    with env.client(**settings) as client:
        moderate(client, env.event)
        yield client


def get_map(client: TestClient, code: str, surface: str = "m", **params: str) -> Any:
    """The map, as the console polls it: a 503 ("computing": the worker process is still
    starting) is asked again."""
    deadline = time.monotonic() + 60
    while (response := client.get(f"/{surface}/{code}/map.json", params=params)).status_code == 503:
        assert response.json() == {"status": "computing"}
        assert time.monotonic() < deadline
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def show_map(client: TestClient, env: Env, on: bool) -> None:
    with connect(client, env.event.code, "moderator") as ws:
        live = Live(env, client, None, ws, None, statement_ids(env)[0])  # type: ignore[arg-type]
        live.moderate({"type": "goto", "statement": statement_ids(env)[0]})
        live.moderate({"type": "settings", "show_map": on})


def test_the_console_map_is_for_the_moderator_only(db: str) -> None:
    env, _ = planted_event(db)
    with env.client() as client:
        assert client.get(f"/m/{env.event.code}/map.json").status_code == 403
        assert client.get("/m/000000/map.json").status_code == 404
        client.get(f"/m/{env.event.code}?token=wrong", follow_redirects=False)
        assert client.get(f"/m/{env.event.code}/map.json").status_code == 403


def test_the_console_map_has_the_planted_groups_roles_and_texts(db: str) -> None:
    env, truth = planted_event(db)
    with console(env) as client:
        data = get_map(client, env.event.code)
    assert data["status"] == "ok"
    assert data["participants"] == data["in_analysis"] == 24
    assert len(data["groups"]) == 3
    assert sorted(g["members"] for g in data["groups"]) == [8, 8, 8]
    by_pid = {p["participant"]: p for p in data["points"]}
    for i, g in enumerate(truth):  # each planted group is one opinion group, with one role
        assert by_pid[f"p{i:03d}"]["role"] == ROLES[g]
    groups_of = {g: {by_pid[f"p{i:03d}"]["group"] for i, t in enumerate(truth) if t == g} for g in range(3)}
    assert all(len(found) == 1 for found in groups_of.values())
    assert data["roles"]["ami"] == pytest.approx(1.0)
    assert data["texts"][str(statement_ids(env)[0])]["text"] == "Stelling 0"
    assert data["role_order"] == ROLES
    assert data["statements_voted"] == len(STATEMENTS)
    for group in data["groups"]:
        assert group["representative"], group
        assert {r["direction"] for r in group["representative"]} <= {"agree", "disagree"}


def test_the_projector_map_only_while_shown_and_without_roles(db: str) -> None:
    env, _ = planted_event(db)
    with console(env) as client:
        refused = client.get(f"/p/{env.event.code}/map.json")
        assert refused.status_code == 404
        assert refused.json()["error"] == "map_not_shown"
        show_map(client, env, True)
        client.cookies.clear()  # the projector has no moderator session
        response = client.get(f"/p/{env.event.code}/map.json")
        assert response.status_code == 200
        body = response.text
        data = response.json()
        moderate(client, env.event)
        show_map(client, env, False)
        assert client.get(f"/p/{env.event.code}/map.json").status_code == 404
    assert set(data) == {"status", "participants", "points", "groups", "texts", "computed_at"}
    assert all(set(p) == {"x", "y", "group"} for p in data["points"])
    assert len(data["points"]) == 24
    for word in [*ROLES, "role", '"participant"', "p000", "votes"]:
        assert word not in body
    assert [g["id"] for g in data["groups"]] == [0, 1, 2]
    assert all(1 <= len(g["representative"]) <= 3 for g in data["groups"])
    assert all(set(r) == {"statement", "direction"} for g in data["groups"] for r in g["representative"])


def test_the_map_is_off_again_on_the_next_statement(db: str) -> None:
    env, _ = planted_event(db)
    with console(env) as client:
        show_map(client, env, True)
        assert client.get(f"/p/{env.event.code}/map.json").status_code == 200
        with connect(client, env.event.code, "moderator") as ws:
            live = Live(env, client, None, ws, None, statement_ids(env)[0])  # type: ignore[arg-type]
            live.moderate({"type": "goto", "statement": statement_ids(env)[1]})
        assert client.get(f"/p/{env.event.code}/map.json").status_code == 404


def test_a_group_below_the_privacy_minimum_is_not_described_on_the_projector(db: str) -> None:
    env, truth = planted_event(db, sizes=(10, 10, 4))
    with console(env, role_minimum=5) as client:
        full = get_map(client, env.event.code)
        show_map(client, env, True)
        public = get_map(client, env.event.code, "p")
    assert sorted(g["members"] for g in full["groups"]) == [4, 10, 10]
    assert sorted(g["members"] for g in public["groups"]) == [10, 10]
    assert [g["id"] for g in public["groups"]] == [0, 1]
    # The small group's members are drawn like those outside the groups: no colour.
    assert sum(p["group"] is None for p in public["points"]) == 4
    assert len(public["points"]) == sum(1 for _ in truth)


def test_not_enough_votes_says_so(env: Env) -> None:
    with console(env) as client:
        data = get_map(client, env.event.code)
    assert data["status"] == "not_enough_votes"
    assert data["participants"] == 0 and data["statements_voted"] == 0
    assert data["groups"] == [] and data["points"] == []


def test_the_map_is_cached_until_the_votes_change(db: str) -> None:
    env, _ = planted_event(db)
    with console(env) as client:
        first = get_map(client, env.event.code)
        again = get_map(client, env.event.code)
        maps: opinion.Maps = client.app.state.opinion_maps  # type: ignore[attr-defined]
        assert maps.computations == 1 and again["computed_at"] == first["computed_at"]
        unchanged = client.get(f"/m/{env.event.code}/map.json", params={"since": str(first["computed_at"])})
        assert unchanged.status_code == 204
        maps.min_seconds = 0.0
        with connect(client, env.event.code, "moderator") as ws:
            live = Live(env, client, None, ws, None, statement_ids(env)[0])  # type: ignore[arg-type]
            live.moderate({"type": "reset", "statement": statement_ids(env)[0]})
        fresh = get_map(client, env.event.code)
        assert maps.computations == 2
        assert fresh["computed_at"] > first["computed_at"]
        assert fresh["votes"] == first["votes"] - 24


def test_at_most_every_few_seconds(db: str) -> None:
    env, _ = planted_event(db)
    with console(env) as client:
        first = get_map(client, env.event.code)
        with connect(client, env.event.code, "moderator") as ws:
            live = Live(env, client, None, ws, None, statement_ids(env)[0])  # type: ignore[arg-type]
            live.moderate({"type": "reset", "statement": statement_ids(env)[0]})
        soon = client.get(f"/m/{env.event.code}/map.json")
        assert soon.headers["x-map-stale"] == "1"  # changed, but MIN_SECONDS have not passed
        assert soon.json()["computed_at"] == first["computed_at"]


def test_a_slow_computation_does_not_hold_up_other_requests(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = planted_event(db)
    real = opinion.offload

    def slow(data: Any) -> opinion.Built:
        time.sleep(2.6)
        return real(data)

    monkeypatch.setattr(opinion, "offload", slow)
    with console(env) as client:
        result: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: result.update(r=client.get(f"/m/{env.event.code}/map.json")))
        worker.start()
        time.sleep(0.2)
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        assert time.perf_counter() - started < 0.5
        worker.join(5)
        # The request waited WAIT_SECONDS, then got the "computing" answer; the map arrives.
        assert result["r"].status_code == 503, (result["r"].headers, result["r"].text[:200])
        assert result["r"].json() == {"status": "computing"}
        time.sleep(0.2)
        assert get_map(client, env.event.code)["status"] == "ok"


def test_event_map_is_the_same_data_as_the_console_gets(db: str) -> None:
    env, _ = planted_event(db)
    store = Store(env.db)
    try:
        room = Room.read(store, env.event.code)
        assert room is not None
        data = event_map(room)
    finally:
        store.close()
    json.dumps(data, allow_nan=False)
    assert data["status"] == "ok" and len(data["groups"]) == 3 and len(data["points"]) == 24
    with console(env) as client:
        served = get_map(client, env.event.code)
    ignore = {"computed_at", "seconds"}
    assert {k: v for k, v in data.items() if k not in ignore} == {
        k: v for k, v in served.items() if k not in ignore
    }


def test_public_map_sorts_points_so_their_order_tells_nothing() -> None:
    full = {
        "status": "ok", "participants": 3, "computed_at": 1.0, "texts": {},
        "points": [{"participant": "a", "x": 1.0, "y": 0.0, "group": 0, "role": "X", "votes": 3},
                   {"participant": "b", "x": -1.0, "y": 0.0, "group": 0, "role": "Y", "votes": 3},
                   {"participant": "c", "x": 0.0, "y": 0.0, "group": None, "role": None, "votes": 1}],
        "groups": [{"id": 0, "members": 2, "x": 0.0, "y": 0.0, "representative": []}],
    }  # fmt: skip
    public = public_map(full, minimum=2)
    assert [p["x"] for p in public["points"]] == [-1.0, 0.0, 1.0]
    assert public_map(full, minimum=3)["groups"] == []


def test_the_worker_process_computes_what_this_process_would(db: str) -> None:
    env, _ = planted_event(db)
    store = Store(env.db)
    try:
        room = Room.read(store, env.event.code)
        assert room is not None
        data = snapshot(room)
    finally:
        store.close()
    there, here = opinion.offload(data), opinion.build(data)
    volatile = {"computed_at", "seconds"}
    for a, b in [(there.full, here.full), (there.public, here.public)]:
        assert {k: v for k, v in json.loads(a).items() if k not in volatile} == {
            k: v for k, v in json.loads(b).items() if k not in volatile
        }
    pid = opinion.processes().submit(os.getpid).result()
    assert pid != os.getpid()
    assert opinion.processes().submit(os.nice, 0).result() >= opinion.WORKER_NICENESS


def test_a_dead_worker_process_is_replaced(db: str) -> None:
    env, _ = planted_event(db)
    with console(env) as client:
        first = get_map(client, env.event.code)
        worker = opinion.processes().submit(os.getpid).result()
        os.kill(worker, signal.SIGKILL)
        maps: opinion.Maps = client.app.state.opinion_maps  # type: ignore[attr-defined]
        maps.min_seconds = 0.0
        with connect(client, env.event.code, "moderator") as ws:
            live = Live(env, client, None, ws, None, statement_ids(env)[0])  # type: ignore[arg-type]
            live.moderate({"type": "reset", "statement": statement_ids(env)[0]})
        # The computation that finds the worker dead fails (logged); the next one gets a new worker.
        deadline = time.monotonic() + 60
        while get_map(client, env.event.code)["computed_at"] == first["computed_at"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert opinion.processes().submit(os.getpid).result() != worker
