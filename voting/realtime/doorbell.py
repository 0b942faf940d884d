"""The doorbell: after a commit that changed an event, tell the other processes "event X changed".

The hub rings it (`Hub.state_changed`, `tally_changed`, `comments_changed`,
`event_deleted`) right after the services committed; it publishes `"<code> <sender>"` on
one bus channel. A doorbell never carries the change: a process that hears it rereads the
event from the store (voting/realtime/relay.py), and ignores its own doorbells by `sender`.

Votes arrive by thousands, so doorbells are coalesced: the first change of an event rings
at once (a moderator's action reaches the other processes without waiting for a tick),
further changes within the next `interval` ring once at its end. At most one doorbell per
event per hub tick, from each process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections import Counter

from voting.realtime.bus import Bus

log = logging.getLogger(__name__)

CHANNEL = "voting.events"
Vote = tuple[int, int, str]  # statement id, round, participant


def doorbell_message(code: str, sender: str) -> str:
    return f"{code} {sender}"


def parse_doorbell(message: str) -> tuple[str, str]:
    """(event code, sender) of a doorbell."""
    code, _, sender = message.partition(" ")
    return code, sender


class Doorbell:
    def __init__(self, bus: Bus, interval: float = 0.1) -> None:
        self.bus = bus
        self.interval = interval
        # Unique across hosts too (process ids are not): which process rang.
        self.sender = f"{os.getpid()}-{secrets.token_hex(4)}"
        # Local changes per event, ever: the relay rereads an event when one happened
        # while it was reading (its snapshot may predate that commit), unless all of them
        # were votes (`votes_rung`), which it takes from memory instead (`watch`).
        self.rung: Counter[str] = Counter()
        self.votes_rung: Counter[str] = Counter()
        self._watched: dict[str, set[Vote]] = {}
        self.published = 0
        self.failures = 0
        self._pending: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._failing = False

    def ring(self, code: str, vote: Vote | None = None) -> None:
        """An event changed here (committed): tell the other processes, soon. `vote`: the
        change was only this vote (statement id, round, participant), now in memory."""
        self.rung[code] += 1
        if vote is not None:
            self.votes_rung[code] += 1
            watched = self._watched.get(code)
            if watched is not None:
                watched.add(vote)
        self._pending.add(code)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="voting-doorbell")

    def watch(self, code: str) -> set[Vote]:
        """From now until `unwatch`, the votes cast here in the event (the set returned
        fills as they come)."""
        watched: set[Vote] = set()
        self._watched[code] = watched
        return watched

    def unwatch(self, code: str) -> None:
        self._watched.pop(code, None)

    def forget(self, code: str) -> None:
        """The event is gone: its counters need not grow the dicts forever."""
        self.rung.pop(code, None)
        self.votes_rung.pop(code, None)

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None

    async def _flush(self) -> None:
        while self._pending:
            codes, self._pending = self._pending, set()
            for code in sorted(codes):
                try:
                    await self.bus.publish(CHANNEL, doorbell_message(code, self.sender))
                except Exception as error:  # a busy or lost bus: ring again next time
                    self.failures += 1
                    self._pending.add(code)
                    if not self._failing:
                        log.warning("doorbell: cannot publish (%s); retrying", error)
                    self._failing = True
                else:
                    self.published += 1
                    if self._failing:
                        log.warning("doorbell: publishing again")
                        self._failing = False
            await asyncio.sleep(self.interval)
