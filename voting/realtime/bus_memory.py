"""`memory://`: the bus inside one process (one server process, the tests).

Delivery is immediate and in order; a message is lost only to a subscriber that lets more
than `limit` wait, which gets `RESYNC` instead. Other processes see nothing.
"""

from __future__ import annotations

from voting.realtime.bus import Bus, check


class MemoryBus(Bus):
    async def publish(self, channel: str, message: str) -> None:
        check(channel, message)
        self._require_connected()
        self._dispatch(channel, message)
