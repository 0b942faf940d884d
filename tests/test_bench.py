"""The benchmark, small: 200 phones vote in one second. Correctness only, never timings
(those are figures for docs/performance.md, measured with `make bench`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("run")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.timeout(180)
@pytest.mark.parametrize("target", ["app", "baseline"])
@pytest.mark.parametrize("live_results", [False, True])
def test_every_vote_is_acknowledged_stored_and_counted(
    bench: Any, target: str, live_results: bool
) -> None:
    figures = bench.summary(bench.run_target(target, 200, 1.0, live_results))
    assert figures["connected"] == 200
    assert figures["connect_failures"] == 0
    assert figures["votes_sent"] == figures["votes_acked"] == figures["votes_stored"] == 200
    assert figures["projector_final_total"] == 200
    assert figures["errors"] == 0 and figures["dropped"] == 0
    assert figures["phones_following_next"] == 200
    if live_results:
        assert figures["phone_tally_frames"] > 0  # results reached the phones while voting
    else:
        assert figures["phone_tally_frames"] == 0  # hidden results never leave the server
    if target == "app":
        assert figures["longest_loop_stall_ms"] is not None  # /admin/stats answered
