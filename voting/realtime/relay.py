"""The relay: hears the other processes' doorbells and refreshes this process's rooms.

One listener task per process (started in the app's lifespan, voting/app.py) subscribes
to the doorbell channel (voting/realtime/doorbell.py). On another process's doorbell for an
event this process holds in memory, it rereads the event from the store and takes it into
the same `Room` object (`Room.adopt`: sockets and the hub hold references to it), then
shows what changed through the hub, the path a local change takes (`Hub.show_*`). On
`RESYNC` (a doorbell may have been lost) it refreshes every room it holds. An event gone
from the database closes its screens here with 4404.

Doorbells are coalesced here too: codes heard while a refresh runs are refreshed once after.

A doorbell can be lost (its process killed between commit and doorbell, a dropped bus
message), so when the bus reaches other processes the relay also polls the committed
`events.version` of the events it holds every `poll` seconds (one small query) and rereads
an event whose version moved with no doorbell to explain it (voting/realtime/watch.py).
A phone whose own votes changed in a reread (cast through a process that died before its
doorbell, then reconnected here) gets its welcome again, with them.

The relay also starts the presence exchange (voting/realtime/presence.py): the phones
connected on the other processes count in every screen's `connected`.

What a refresh reads depends on what changed since the version this process last read
of the event (`events.version`, voting/store/versions.py): when only votes were stored
meanwhile (`events.reread_version` not above it), just those votes (`votes.version` above
it: one indexed query, applied by `take_votes`); otherwise, the first time, and for every
event after a lost bus (`RESYNC`), the whole event (statements, every vote, comments,
roles, tickets, undo), compared with the room in memory (`Room.adopt`). Versions of one
event are committed in the order they were drawn (under SQLite's single writer, under the
event's row lock on PostgreSQL), so the votes above version V read after V was read
include every vote this process has not seen. Reads run on the relay's own connection in
a worker thread so the event loop keeps serving. A change made on this process that
commits while a read runs is already in memory but may be missing from what was read:
the refresh then also reads what was stored since the version it read first (only votes,
unless something else changed too), rather than reading it all again, which during a
burst of votes here would be overtaken again and again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

from voting.live import PARTICIPANT, Room
from voting.realtime.bus import RESYNC, Bus, listen_forever
from voting.realtime.bus_memory import MemoryBus
from voting.realtime.doorbell import CHANNEL, Doorbell, parse_doorbell
from voting.realtime.presence import Presence
from voting.realtime.watch import Watch
from voting.services import Voting
from voting.store import Store, votes_since

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # after a failed read or a failed bus
POLL_SECONDS = 0.25  # how often the committed versions are compared (other processes only)
CATCH_UP = 5  # reads of what was stored meanwhile, while local changes keep coming


class Relay:
    def __init__(
        self, voting: Voting, bus: Bus, doorbell: Doorbell, db: str, poll: float = POLL_SECONDS
    ) -> None:
        self.voting = voting
        self.bus = bus
        self.doorbell = doorbell
        self.store = Store(db)  # the relay's own reading connection, used by one thread at a time
        self.poll = poll
        self.shared = not isinstance(bus, MemoryBus)  # other processes may write the events
        self.refreshes = 0
        self.resyncs = 0
        self.welcomes_resent = 0
        self.ready = asyncio.Event()  # subscribed: doorbells from now on are heard
        self._began: dict[str, float] = {}  # when the last reread of an event began
        self._seen: dict[str, tuple[Room, int]] = {}  # the room and the version it holds
        self._whole: set[str] = set()  # events to reread whole (after a lost bus)
        self.partial = 0  # refreshes that read only the new votes
        self.watch = Watch(lambda code: self.doorbell.rung[code], self._began.get)
        self.presence: Presence | None = None
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._reading = threading.Lock()  # a read still in its thread when stop() closes

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="voting-relay-listen"),
            asyncio.create_task(self._work(), name="voting-relay-work"),
        ]
        if self.shared:
            self._tasks.append(asyncio.create_task(self._poll_forever(), name="voting-relay-poll"))
            hub = self.voting.hub
            self.presence = Presence(
                self.bus, self.doorbell.sender, hub.local_connected, hub.presence_changed, hub.tick
            )
            hub.presence = self.presence
            await self.presence.start()
        await self.ready.wait()

    async def stop(self) -> None:
        if self.presence is not None:
            await self.presence.stop()
            self.voting.hub.presence = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        with self._reading:
            self.store.close()

    def _read(self, code: str, seen: int | None) -> tuple[Room | list[Any] | None, int]:
        """The whole event (None: deleted), or only the votes above version `seen` when
        nothing else changed since; with the event's version read before."""
        with self._reading:
            change = self.store.event_change(code)
            if change is None:
                return None, 0
            event_id, version, reread = change
            if seen is None or reread > seen:
                return Room.read(self.store, code), version
            return votes_since(self.store.conn, event_id, seen), version

    def _versions(self, codes: list[str]) -> dict[str, int]:
        with self._reading:
            return self.store.event_versions(codes)

    def heard(self, message: str) -> None:
        """A doorbell (or RESYNC): queue the rooms to refresh."""
        rooms = self.voting.rooms
        if message == RESYNC:
            self.resyncs += 1
            self._pending.update(rooms)
            self._whole.update(rooms)
        else:
            code, sender = parse_doorbell(message)
            if sender == self.doorbell.sender or code not in rooms:
                return  # our own change, or an event this process does not hold
            self._pending.add(code)
        self._wake.set()

    async def _read_settled(
        self, code: str, room: Room, since: int | None
    ) -> tuple[Room | list[Any] | None, int, list[Any]] | None:
        """What `_read` reads, and the votes stored while it was read when a change other
        than a vote was made here meanwhile (None: the room was deleted or reloaded here)."""
        rung, votes, writer = self.doorbell.rung, self.doorbell.votes_rung, self.voting.writer
        before = (rung[code], votes[code], writer.changes)
        self._began[code] = time.monotonic()
        fresh, version = await asyncio.to_thread(self._read, code, since)
        later: list[Any] = []  # votes stored while that was read
        for _ in range(CATCH_UP):
            if self.voting.rooms.get(code) is not room:
                return None
            if fresh is None or (
                rung[code] - before[0] == votes[code] - before[1] and writer.changes == before[2]
            ):
                break  # only votes changed here meanwhile (or nothing): memory has them
            # Another change made here was committed while reading (memory may hold it,
            # whether or not its doorbell rang yet): what was read may be older. Read what
            # was stored since the version read before it (only votes, cheap, unless
            # something else changed too).
            before = (rung[code], votes[code], writer.changes)
            self._began[code] = time.monotonic()
            since_read, version_read = await asyncio.to_thread(self._read, code, version)
            if isinstance(since_read, list):
                later += since_read
            else:
                fresh, later = since_read, []
            version = version_read
        else:
            self._pending.add(code)  # still changing here: once more, after this one
        if self.voting.rooms.get(code) is not room:
            return None
        return fresh, version, later

    async def refresh(self, code: str) -> None:
        """Reread one event (or its new votes) and show what changed on this process's screens."""
        room = self.voting.rooms.get(code)
        if room is None:
            return
        seen = self._seen.get(code)
        since = None if code in self._whole or seen is None or seen[0] is not room else seen[1]
        self._whole.discard(code)
        local = self.doorbell.watch(code)
        try:
            settled = await self._read_settled(code, room, since)
        finally:
            self.doorbell.unwatch(code)
        if settled is None:
            return  # deleted (or reloaded) here meanwhile
        fresh, version, later = settled
        # Votes cast here during the reads are in memory, committed, and as new as what
        # was read or newer: they win over what was read. If one differs, what was read
        # may have been the newer: read once more, from the version read first.
        if isinstance(fresh, list):
            fresh, differed = keep_local(room, fresh + later, local)
            later = []
        else:
            later, differed = keep_local(room, later, local)
            if isinstance(fresh, Room):
                differed = keep_local_in(room, fresh, local) or differed
        if differed:
            self._pending.add(code)
        placed = True
        if isinstance(fresh, list):
            voters = take_votes(room, fresh + later)
            if voters is not None:
                self.refreshes += 1
                self.partial += 1
                self._seen[code] = (room, version)
                self._show_votes(room, voters)
                return
            placed = False
        elif isinstance(fresh, Room) and later:
            placed = take_votes(fresh, later) is not None
        if not placed:  # a vote on a statement or round not held here: read it all
            fresh, version = await asyncio.to_thread(self._read, code, None)
            if self.voting.rooms.get(code) is not room:
                return
        hub = self.voting.hub
        self.refreshes += 1
        if not isinstance(fresh, Room):
            self.voting.rooms.pop(code, None)
            self.doorbell.forget(code)
            self._began.pop(code, None)
            self._seen.pop(code, None)
            hub.close_screens(room)
            return
        self._seen[code] = (room, version)
        now = time.time()
        offered = {u.id for u in room.undo if u.expires_at > now}
        voters = changed_voters(room, fresh)
        changed = room.adopt(fresh)
        undone = offered - {u.id for u in room.undo}
        if "comments" in changed:
            hub.show_comments(room)
        if "state" in changed:
            self.voting.state_read(room)  # e.g. this process's timer for a countdown started there
            hub.show_state(room)  # with the tallies and comments
        elif changed:
            if "tally" in changed:
                hub.show_tally(room)
            hub.flush(room)
        if undone:  # an undo restored votes: phones get theirs back (as after a local undo)
            hub.send_welcomes(room, PARTICIPANT)
        elif voters:  # e.g. cast through a process that died before its doorbell
            self.welcomes_resent += hub.send_welcomes_to(room, voters)

    def _show_votes(self, room: Room, voters: set[str]) -> None:
        if not voters:
            return
        hub = self.voting.hub
        hub.show_tally(room)
        hub.flush(room)
        self.welcomes_resent += hub.send_welcomes_to(room, voters)

    async def _listen(self) -> None:
        await listen_forever(self.bus, CHANNEL, self.heard, self.ready, "relay", RETRY_SECONDS)

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            codes = list(self.voting.rooms)
            if not codes:
                continue
            polled_at = time.monotonic()
            try:
                versions = await asyncio.to_thread(self._versions, codes)
            except Exception as error:  # e.g. the database is busy: the next poll will do
                log.warning("relay: cannot read the event versions (%s)", error)
                continue
            held = [code for code in codes if code in self.voting.rooms]
            reread = self.watch.check(held, versions, polled_at, self._pending)
            for code in list(self._began):
                if code not in self.voting.rooms:
                    del self._began[code]
                    self._seen.pop(code, None)
            if reread:
                self._pending.update(reread)
                self._wake.set()

    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                code = self._pending.pop()
                try:
                    await self.refresh(code)
                except Exception:  # e.g. the database is busy: try again shortly
                    log.exception("relay: cannot refresh event %s; retrying", code)
                    self._pending.add(code)
                    await asyncio.sleep(RETRY_SECONDS)


def changed_voters(room: Room, fresh: Room) -> set[str]:
    """The participants whose votes differ between the room in memory and its reread."""
    voters: set[str] = set()
    for before, after in ((room.tallies, fresh.tallies), (room.second, fresh.second)):
        for statement, tally in after.items():
            old = before.get(statement)
            choices = {} if old is None else old.choices
            if choices != tally.choices:
                voters.update(p for p, option in tally.choices.items() if choices.get(p) != option)
                voters.update(choices.keys() - tally.choices.keys())
    return voters


def take_votes(room: Room, rows: list[Any]) -> set[str] | None:
    """Fold votes read from the store (statement_id, participant_id, round, option) into
    the room's tallies: the participants whose vote changed, or None (nothing changed) when
    a vote is on a statement or round the room does not hold (then reread it whole)."""
    placed = []
    for statement_id, participant, round_, option in rows:
        tally = (room.tallies if round_ == 1 else room.second).get(statement_id)
        if tally is None:
            return None
        placed.append((tally, participant, option))
    voters: set[str] = set()
    for tally, participant, option in placed:
        if tally.choices.get(participant) != option:
            tally.set(participant, option)
            voters.add(participant)
    return voters


def keep_local(room: Room, rows: list[Any], local: set[tuple[int, int, str]]) -> tuple[list[Any], bool]:
    """The votes read (statement_id, participant_id, round, option) without those of the
    votes cast here meanwhile (`local`: memory holds them); True when one of those read
    differed from memory."""
    kept: list[Any] = []
    differed = False
    for row in rows:
        statement, participant, round_, option = row
        if (statement, round_, participant) in local:
            tally = (room.tallies if round_ == 1 else room.second).get(statement)
            differed = differed or tally is None or tally.choices.get(participant) != option
        else:
            kept.append(row)
    return kept, differed


def keep_local_in(room: Room, fresh: Room, local: set[tuple[int, int, str]]) -> bool:
    """Put the votes cast here meanwhile (`local`), as memory holds them, into the event
    read whole; True when one of them differed from what was read."""
    differed = False
    for statement, round_, participant in local:
        mine = (room.tallies if round_ == 1 else room.second).get(statement)
        theirs = (fresh.tallies if round_ == 1 else fresh.second).get(statement)
        option = None if mine is None else mine.choices.get(participant)
        if theirs is None or option is None:
            differed = True  # not held on one side (e.g. reset meanwhile): read again
        elif theirs.choices.get(participant) != option:
            differed = True
            theirs.set(participant, option)
    return differed
