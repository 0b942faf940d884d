"""The version watch: which events to reread because their committed version moved unexplained.

Doorbells can be lost: a process killed between its commit and its coalesced doorbell, a
bus that dropped a message. So the relay also polls `events.version` (raised in the
transaction of every write to an event) of the events this process holds, a few times a
second, and hands each poll's versions to `Watch.check`, which says which events to
reread:

- an event gone from the database: reread (which closes its screens);
- an event seen for the first time: reread once (it may have been loaded just before a
  change that no doorbell will announce any more);
- a version that moved since the last poll while this process wrote nothing to the event:
  another process changed it; reread, unless a reread began after the poll read the
  version (that one sees the change already) or one is queued;
- a version that moved while this process wrote to the event too: the move may be ours
  alone (already in memory) or hide another process's. Rereading on every such poll
  would reread a busy event all the time, so this doubt is settled by one reread within
  `doubt_seconds`, or sooner by any reread that begins meanwhile (a doorbell's).

`local(code)` counts this process's writes to an event (the doorbell's rings); `began(code)`
is when the last reread of the event began (monotonic), or None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

DOUBT_SECONDS = 1.0


class Watch:
    def __init__(
        self,
        local: Callable[[str], int],
        began: Callable[[str], float | None],
        doubt_seconds: float = DOUBT_SECONDS,
    ) -> None:
        self.local = local
        self.began = began
        self.doubt_seconds = doubt_seconds
        self.rereads = 0  # moves found by polling with no reread under way for them
        self._versions: dict[str, int] = {}  # at the last poll
        self._writes: dict[str, int] = {}  # local writes counted at the last poll
        self._doubt: dict[str, float] = {}  # since when a move may hide another process's

    def check(
        self, held: Iterable[str], versions: Mapping[str, int], polled_at: float, queued: set[str]
    ) -> set[str]:
        """The events to reread, given the `versions` read at `polled_at` (monotonic) of the
        events `held`; `queued`: rereads waiting to begin."""
        reread: set[str] = set()
        held = set(held)
        for code in list(self._versions):
            if code not in held:  # let go or deleted: forget it
                self._forget(code)
        for code in held:
            version, writes = versions.get(code), self.local(code)
            last, wrote = self._versions.get(code), writes != self._writes.get(code, writes)
            if version is None:
                reread.add(code)
                self._forget(code)
                continue
            self._versions[code], self._writes[code] = version, writes
            began = self.began(code)
            if began is not None and code in self._doubt and began >= self._doubt[code]:
                del self._doubt[code]  # a reread began after the doubt: it sees everything
            if last is None:
                reread.add(code)
                continue
            if version == last or code in queued:
                pass
            elif began is not None and began >= polled_at:
                pass  # a reread that began after this poll's read sees the change
            elif not wrote:
                self.rereads += 1
                reread.add(code)
            else:
                self._doubt.setdefault(code, polled_at)
            doubt = self._doubt.get(code)
            if doubt is not None and polled_at - doubt >= self.doubt_seconds:
                reread.add(code)
        for code in reread:
            self._doubt.pop(code, None)
        return reread

    def _forget(self, code: str) -> None:
        self._versions.pop(code, None)
        self._writes.pop(code, None)
        self._doubt.pop(code, None)
