"""Presence across processes: the phones connected to an event on every process, not one.

Each process counts the participants connected to it (`Channel.presence` in the hub). The
tally frames' `connected` must be the same on every screen, whichever process serves it,
so each process tells the others its count per event on the bus (`"<code> <sender>
<count>"` on the presence channel) and adds theirs to its own.

A count is not a record: nothing is stored, it lives and dies with the sockets. So unlike
the doorbell it may travel on the bus itself, as long as losing a message only delays it:

- a changed count goes out within one `interval` (coalesced: at most one message per
  event per interval from each process, however many phones join);
- every `heartbeat` each process repeats its non-zero counts, so a lost message, a
  `RESYNC` or a process that started later is corrected within one heartbeat;
- a count not repeated within `expiry` is dropped: a process killed with its phones stops
  counting once they have had time to reconnect elsewhere.

Two sockets of one participant on two processes count twice (each process knows only its
own); everywhere the same number, though.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from voting.realtime.bus import RESYNC, Bus, listen_forever

log = logging.getLogger(__name__)

CHANNEL = "voting.presence"
HEARTBEAT_SECONDS = 2.0
RETRY_SECONDS = 1.0


def presence_message(code: str, sender: str, count: int) -> str:
    return f"{code} {sender} {count}"


def parse_presence(message: str) -> tuple[str, str, int] | None:
    """(event code, sender, count), or None for anything else."""
    parts = message.split(" ")
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


class Presence:
    def __init__(
        self,
        bus: Bus,
        sender: str,
        local: Callable[[str], int],
        changed: Callable[[str], None],
        interval: float = 0.1,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.bus = bus
        self.sender = sender
        self.local = local  # this process's count for an event (the hub's)
        self.changed = changed  # another process's count for an event changed
        self.interval = interval
        self.heartbeat = heartbeat
        self.expiry = 3 * heartbeat + 1
        self.published = 0
        self.ready = asyncio.Event()
        self._remote: dict[str, dict[str, tuple[int, float]]] = {}  # code → sender → (count, heard)
        self._dirty: set[str] = set()
        self._announced: dict[str, int] = {}  # what the others last heard from us
        self._tasks: list[asyncio.Task[None]] = []

    def remote(self, code: str) -> int:
        """The phones connected to the event on the other processes."""
        counts = self._remote.get(code)
        return 0 if not counts else sum(count for count, _ in counts.values())

    def local_changed(self, code: str) -> None:
        """This process's count for the event changed: tell the others within an interval."""
        self._dirty.add(code)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="voting-presence-listen"),
            asyncio.create_task(self._publish_forever(), name="voting-presence-publish"),
        ]
        await self.ready.wait()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def heard(self, message: str, now: float | None = None) -> None:
        if message == RESYNC:  # ours may be lost too: say them again now
            self._dirty.update(self._announced)
            return
        parsed = parse_presence(message)
        if parsed is None:
            log.warning("presence: ignoring %r", message[:80])
            return
        code, sender, count = parsed
        if sender == self.sender:
            return
        counts = self._remote.setdefault(code, {})
        before = counts.get(sender, (0, 0.0))[0]
        if count:
            counts[sender] = (count, time.monotonic() if now is None else now)
        else:
            counts.pop(sender, None)
            if not counts:
                del self._remote[code]
        if count != before:
            self.changed(code)

    def expire(self, now: float | None = None) -> None:
        """Forget the counts of processes that stopped repeating them."""
        deadline = (time.monotonic() if now is None else now) - self.expiry
        for code, counts in list(self._remote.items()):
            stale = [sender for sender, (_, heard) in counts.items() if heard < deadline]
            for sender in stale:
                del counts[sender]
            if not counts:
                del self._remote[code]
            if stale:
                self.changed(code)

    async def _listen(self) -> None:
        await listen_forever(self.bus, CHANNEL, self.heard, self.ready, "presence", RETRY_SECONDS)

    async def _publish_forever(self) -> None:
        last_beat = time.monotonic()
        while True:
            await asyncio.sleep(self.interval)
            now = time.monotonic()
            if now - last_beat >= self.heartbeat:
                last_beat = now
                self._dirty.update(code for code, count in self._announced.items() if count)
                self.expire(now)
            await self._publish(self._dirty)

    async def _publish(self, codes: set[str]) -> None:
        self._dirty = set()
        for code in sorted(codes):
            count = self.local(code)
            if count == 0 and self._announced.get(code, 0) == 0:
                self._announced.pop(code, None)
                continue  # nobody heard of us for this event: nothing to take back
            try:
                await self.bus.publish(CHANNEL, presence_message(code, self.sender, count))
            except Exception as error:  # a busy or lost bus: say it again next time
                self._dirty.add(code)
                log.warning("presence: cannot publish (%s)", error)
                continue
            self.published += 1
            if count:
                self._announced[code] = count
            else:
                self._announced.pop(code, None)
