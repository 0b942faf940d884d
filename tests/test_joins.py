"""The join rate the moderator sees: new participants in the last minute, and warnings."""

from __future__ import annotations

from voting.joins import SURGE, JoinRate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_join_rate_counts_the_last_minute_and_warns_of_a_surge() -> None:
    clock = Clock()
    rate = JoinRate(clock)
    for _ in range(30):
        rate.join()
        clock.now += 1
    assert rate.figures() == {"last_minute": 30, "refused": 0, "warning": None}  # a hall
    clock.now += 45
    assert rate.figures()["last_minute"] == 14  # the joins of the last minute only
    clock.now += 60
    assert rate.figures() == {"last_minute": 0, "refused": 0, "warning": None}
    for _ in range(SURGE + 1):  # a script: more in ten seconds than a hall manages
        rate.join()
    assert rate.figures()["warning"] == "surge"
    clock.now += 299
    assert rate.figures() == {"last_minute": 0, "refused": 0, "warning": "surge"}
    clock.now += 2
    assert rate.figures()["warning"] is None


def test_join_rate_tells_the_hub_when_time_alone_changed_it() -> None:
    clock = Clock()
    rate = JoinRate(clock)
    assert not rate.aged()  # nothing handed out yet
    rate.join()
    rate.refuse()
    assert rate.figures() == {"last_minute": 1, "refused": 1, "warning": "refused"}
    clock.now += 30
    assert not rate.aged()
    clock.now += 31
    assert rate.aged()
    assert rate.figures()["last_minute"] == 0
    assert not rate.aged()
    clock.now += 300
    assert rate.aged() and rate.figures()["warning"] is None
