"""How fast people join an event, for the moderator: a hall or a script?

A hall fills at the pace people scan a QR code; a script mints identities as fast as the
server answers. The console shows the new participants of the last minute and warns when
identities were refused (a network went past `new_participants_burst`) or when joins came
faster than a hall manages (`SURGE` within `SURGE_SECONDS`). Warnings stay up for
`WARNING_SECONDS`, so a moderator looking away for a moment still sees them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

MINUTE = 60
SURGE, SURGE_SECONDS = 100, 10  # a hall of 1,000 scanning at once stays well below this
WARNING_SECONDS = 300


class Recent:
    """How many things happened in the last `window` seconds, kept in one-second bins (at
    most `window` of them, however many things happen)."""

    def __init__(self, window: int, clock: Callable[[], float]) -> None:
        self.window, self._clock = window, clock
        self._bins: deque[list[int]] = deque()  # [second, count], oldest first

    def add(self, count: int = 1) -> None:
        second = int(self._clock())
        if self._bins and self._bins[-1][0] == second:
            self._bins[-1][1] += count
        else:
            self._bins.append([second, count])
        self._forget(second)

    def count(self, seconds: int | None = None) -> int:
        """Within the last `seconds` (the whole window by default)."""
        now = int(self._clock())
        self._forget(now)
        since = now - (seconds or self.window)
        return sum(n for second, n in self._bins if second > since)

    def _forget(self, now: int) -> None:
        while self._bins and self._bins[0][0] <= now - self.window:
            self._bins.popleft()


class JoinRate:
    """New participants of one event, and the signs of a script among them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.joined = Recent(MINUTE, clock)
        self.refused = Recent(WARNING_SECONDS, clock)  # identities refused (per-network limit)
        self.surging = Recent(WARNING_SECONDS, clock)  # joins beyond a hall's pace
        self._shown: dict[str, Any] | None = None

    def join(self, count: int = 1) -> None:
        """`count` new participants (more than one: joined elsewhere, read together)."""
        self.joined.add(count)
        if self.joined.count(SURGE_SECONDS) > SURGE:
            self.surging.add()

    def refuse(self) -> None:
        self.refused.add()

    def figures(self) -> dict[str, Any]:
        """`last_minute`: new participants; `refused`: identities refused in the last five
        minutes; `warning`: null, "refused" or "surge" (see the module's docstring)."""
        self._shown = self._figures()
        return self._shown

    def aged(self) -> bool:
        """The figures last handed out went out of date by time alone (the minute moved
        on): the console needs them again although nothing happened."""
        return self._shown is not None and self._figures() != self._shown

    def _figures(self) -> dict[str, Any]:
        refused = self.refused.count()
        warning = "refused" if refused else "surge" if self.surging.count() else None
        return {"last_minute": self.joined.count(), "refused": refused, "warning": warning}
