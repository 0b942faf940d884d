"""A client's outbox: a small queue of encoded frames drained by the client's own task.

A frame pushed with a key replaces a still-unsent frame with the same key, so a client
that reads slowly gets the latest state rather than a backlog of stale snapshots.
A client whose queue still overflows is dropped (it reconnects and resynchronises),
so one slow phone can never stall the broadcast to everybody else. Coalescing means a
client that stops reading may never overflow: its send blocks instead (full TCP buffers),
so the outbox also tells how long the frame being sent has waited (`sending_since`), and
the hub's clock `stall()`s a client whose frame waited too long.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class Outbox:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._frames: deque[list[str | None]] = deque()
        self._keyed: dict[str, list[str | None]] = {}
        self._ready = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.stalled = False
        self.close_code: int | None = None  # set by finish(): close the socket with it
        self.sending_since: float | None = None  # time.monotonic() when the send began
        self._drainer: asyncio.Task[None] | None = None

    def push(self, text: str, key: str | None = None) -> bool:
        """Queue a frame; False when the client is too slow and must be dropped."""
        if self.closed or self.overflowed or self.close_code is not None:
            return False
        if key is not None:
            entry = self._keyed.get(key)
            if entry is not None:
                entry[1] = text
                return True
        if len(self._frames) >= self.limit:
            self.overflowed = True
            self._ready.set()
            return False
        entry = [key, text]
        self._frames.append(entry)
        if key is not None:
            self._keyed[key] = entry
        self._ready.set()
        return True

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    def finish(self, code: int) -> None:
        """Send what is queued, then stop: the socket closes with `code` (a deleted event)."""
        self.close_code = code
        self._ready.set()

    def stall(self) -> None:
        """The client took no frame for too long: stop, and interrupt the blocked send
        (`drain` raises CancelledError with `stalled` set)."""
        self.stalled = True
        self.close()
        if self._drainer is not None and self.sending_since is not None:
            self._drainer.cancel()

    async def drain(self, send: Callable[[str], Awaitable[None]]) -> None:
        """Send frames as they come until closed or overflowed."""
        self._drainer = asyncio.current_task()
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                while self._frames and not self.closed:
                    key, text = self._frames.popleft()
                    if key is not None:
                        del self._keyed[key]
                    assert text is not None
                    self.sending_since = time.monotonic()
                    await send(text)
                    self.sending_since = None
                if self.closed or self.overflowed or self.close_code is not None:
                    return
        finally:
            self._drainer = None  # the task refers to this outbox: no cycle to outlive it
