"""Rate limits: a token bucket, and a bounded table of buckets keyed by client or participant.

A limit keyed by something an attacker can mint (a socket, a cookie) is no limit, so the
callers key these by the participant id (votes, comments) or by the client's address
(new identities, unknown event codes, admin logins; see `voting.security.client_address`).
The table forgets the least recently used keys beyond `max_keys`, so a flood of addresses
cannot grow memory without bound.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimit:
    """Token bucket: `rate` actions per second on average, bursts up to `burst`."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "_clock")

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self.tokens, self.stamp = burst, clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def allow(self, cost: float = 1.0) -> bool:
        self._refill()
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def retry_after(self, cost: float = 1.0) -> int:
        """Whole seconds until `cost` tokens are back (at least 1)."""
        self._refill()
        missing = cost - self.tokens
        if missing <= 0:
            return 0
        return max(1, math.ceil(missing / self.rate)) if self.rate > 0 else 3600


class KeyedLimits:
    """One `RateLimit` per key, at most `max_keys` of them (least recently used go first)."""

    def __init__(
        self,
        rate: float,
        burst: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.max_keys, self._clock = rate, burst, max_keys, clock
        self._buckets: OrderedDict[str, RateLimit] = OrderedDict()

    def bucket(self, key: str) -> RateLimit:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = RateLimit(self.rate, self.burst, self._clock)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def allow(self, key: str, cost: float = 1.0) -> bool:
        return self.bucket(key).allow(cost)

    def retry_after(self, key: str, cost: float = 1.0) -> int:
        return self.bucket(key).retry_after(cost)

    def __len__(self) -> int:
        return len(self._buckets)
