"""A client's outbox: a small queue of encoded frames drained by the client's own task.

A frame pushed with a key replaces a still-unsent frame with the same key, so a client
that reads slowly gets the latest state rather than a backlog of stale snapshots.
A client whose queue still overflows is dropped (it reconnects and resynchronises),
so one slow phone can never stall the broadcast to everybody else.
"""

from __future__ import annotations

import asyncio
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

    def push(self, text: str, key: str | None = None) -> bool:
        """Queue a frame; False when the client is too slow and must be dropped."""
        if self.closed or self.overflowed:
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

    async def drain(self, send: Callable[[str], Awaitable[None]]) -> None:
        """Send frames as they come until closed or overflowed."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._frames and not self.closed:
                key, text = self._frames.popleft()
                if key is not None:
                    del self._keyed[key]
                assert text is not None
                await send(text)
            if self.closed or self.overflowed:
                return
