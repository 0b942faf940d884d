"""The hub: who is connected to which event, and how updates reach them.

Two kinds of traffic leave the hub:

- **state** (a moderator action): sent at once to every screen of the event, encoded
  once per audience (phones, projector, moderator);
- **tally** (votes and presence) and **comments** (new comments, support, moderation):
  never sent per change. A change only marks its event dirty; a clock publishes the dirty
  events' tallies and comment lists every `tick` to projector and moderator, and every
  `phone_tick` to phones.

Frames go into each client's bounded `Outbox`; nothing here awaits a socket.

The `*_changed` methods are called by the services after a commit: they ring the
`doorbell` (other processes reread the event, voting/realtime/relay.py) and show the change
here. The relay shows a change read back from the store with the `show_*` methods, the
same path without the doorbell.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from voting.live import MODERATOR, PARTICIPANT, PROJECTOR, ROLES, Room
from voting.realtime.doorbell import Doorbell
from voting.realtime.monitor import Collector, LoopMonitor
from voting.realtime.outbox import Outbox
from voting.realtime.presence import Presence

BEAT_SECONDS = 4  # how often every screen gets a `beat` frame
BEAT = '{"type":"beat"}'
CLOSE_UNKNOWN_EVENT = 4404
GONE = '{"type":"error","code":"unknown_event","message":"There is no event with this code."}'


def encode(payload: dict[str, Any]) -> str:
    """A frame's text, always sendable: a lone surrogate ("\\ud800") has no UTF-8 encoding,
    and would fail in the server's send, far from here; it is written as an escape then."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return json.dumps(payload, separators=(",", ":"))
    return text


def _waited_since(outbox: Outbox, deadline: float) -> bool:
    return outbox.sending_since is not None and outbox.sending_since < deadline


@dataclass(eq=False)
class Client:
    """One WebSocket connection as the hub sees it."""

    role: str
    participant: str | None
    outbox: Outbox
    presenter: bool = False  # a projector opened by the event's moderator: it may drive
    beat_slot: int = 0  # which tick of the beat cycle this client's `beat` goes out on

    def send(self, payload: dict[str, Any], key: str | None = None) -> bool:
        return self.outbox.push(encode(payload), key)


@dataclass(eq=False)
class Channel:
    room: Room
    clients: dict[str, set[Client]] = field(default_factory=lambda: {r: set() for r in ROLES})
    presence: Counter[str] = field(default_factory=Counter)
    dirty: bool = True
    phones_dirty: bool = True
    comments_dirty: bool = True
    phone_comments_dirty: bool = True
    comments_statement: int | None = None  # the statement whose comments were last sent
    beats: list[set[Client]] = field(default_factory=list)  # clients by beat slot

    @property
    def connected(self) -> int:
        return len(self.presence)


class Hub:
    def __init__(self, tick: float = 0.1, phone_tick: float = 0.5, slow_client: float = 30.0) -> None:
        self.tick = tick
        self.phone_tick = phone_tick
        self.slow_client = slow_client  # seconds a frame may wait in a send before its client is dropped
        self.slow_clients_dropped = 0
        self.channels: dict[str, Channel] = {}
        self.beat_slots = max(1, round(BEAT_SECONDS / tick))  # every client beats once a cycle
        self._next_slot = 0
        self._task: asyncio.Task[None] | None = None
        self.frames_sent = 0
        self.ticks_published = 0
        self.monitor = LoopMonitor()
        self.collector = Collector()
        self.storage: dict[str, Any] = {"ok": True}  # the writer's StorageHealth.payload()
        self.doorbell: Doorbell | None = None  # set when other processes serve the same events
        self.presence: Presence | None = None  # the other processes' phones (set with the doorbell)

    async def start(self) -> None:
        self.monitor.start()
        self._task = asyncio.create_task(self._clock(), name="voting-hub-clock")

    async def stop(self) -> None:
        self.monitor.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for channel in self.channels.values():
            for clients in channel.clients.values():
                for client in clients:
                    client.outbox.close()

    def channel(self, room: Room) -> Channel:
        channel = self.channels.get(room.code)
        if channel is None or channel.room is not room:
            channel = self.channels[room.code] = Channel(room)
            channel.beats = [set() for _ in range(self.beat_slots)]
        return channel

    # -- membership -------------------------------------------------------------------------

    def subscribe(self, room: Room, client: Client) -> None:
        channel = self.channel(room)
        channel.clients[client.role].add(client)
        client.beat_slot = self._next_slot
        self._next_slot = (self._next_slot + 1) % self.beat_slots
        channel.beats[client.beat_slot].add(client)
        if client.role == PARTICIPANT and client.participant is not None:
            channel.presence[client.participant] += 1
            channel.dirty = True
            if channel.presence[client.participant] == 1 and self.presence is not None:
                self.presence.local_changed(room.code)

    def unsubscribe(self, room: Room, client: Client) -> None:
        """Idempotent: the clock drops a stalled client, then its socket's end does it again."""
        client.outbox.close()
        channel = self.channels.get(room.code)
        if channel is None or client not in channel.clients[client.role]:
            return
        channel.clients[client.role].discard(client)
        channel.beats[client.beat_slot].discard(client)
        if client.role == PARTICIPANT and client.participant is not None:
            channel.presence[client.participant] -= 1
            if channel.presence[client.participant] <= 0:
                del channel.presence[client.participant]
                if self.presence is not None:
                    self.presence.local_changed(room.code)
            channel.dirty = True

    def connected(self, room: Room) -> int:
        """The participants connected to the event, on this process and the others."""
        return self._connected(self.channel(room))

    def local_connected(self, code: str) -> int:
        """The participants connected to the event on this process (what it tells the others)."""
        channel = self.channels.get(code)
        return 0 if channel is None else channel.connected

    def presence_changed(self, code: str) -> None:
        """Another process's count changed: the tallies say so at the next tick."""
        channel = self.channels.get(code)
        if channel is not None:
            channel.dirty = channel.phones_dirty = True

    def _connected(self, channel: Channel) -> int:
        remote = 0 if self.presence is None else self.presence.remote(channel.room.code)
        return channel.connected + remote

    def stats(self) -> dict[str, Any]:
        """Figures for the organiser and the benchmark (see /admin/stats)."""
        connections = Counter[str]()
        for channel in self.channels.values():
            for role, clients in channel.clients.items():
                connections[role] += len(clients)
        return {
            "events_live": len(self.channels),
            "connections": dict(connections),
            "frames_sent": self.frames_sent,
            "ticks_published": self.ticks_published,
            "slow_clients_dropped": self.slow_clients_dropped,
            **self.monitor.snapshot(),
        }

    # -- publishing -------------------------------------------------------------------------

    def storage_changed(self, storage: dict[str, Any]) -> None:
        """Writes started or stopped failing: tell every moderator console at once."""
        self.storage = storage
        text = encode({"type": "health", "storage": storage})
        for channel in self.channels.values():
            self._fan_out(channel, MODERATOR, text, "health")

    def tally_changed(self, room: Room) -> None:
        self._ring(room)
        self.show_tally(room)

    def vote_taken(self, room: Room, statement_id: int, round_: int, participant: str) -> None:
        """A vote cast here is committed and in the room's tally: a change of the tally
        that the relay knows to be this vote alone (voting/realtime/relay.py)."""
        if self.doorbell is not None:
            self.doorbell.ring(room.code, (statement_id, round_, participant))
        self.show_tally(room)

    def comments_changed(self, room: Room) -> None:
        self._ring(room)
        self.show_comments(room)

    def state_changed(self, room: Room) -> None:
        """Send the new state to every screen now, then the tally and comments with it."""
        self._ring(room)
        self.show_state(room)

    def event_deleted(self, room: Room) -> None:
        """The event is gone from the database: close its screens (here and elsewhere)."""
        self._ring(room)
        self.close_screens(room)

    def _ring(self, room: Room) -> None:
        if self.doorbell is not None:
            self.doorbell.ring(room.code)

    def show_tally(self, room: Room) -> None:
        self.collector.activity()
        channel = self.channel(room)
        channel.dirty = True
        channel.phones_dirty = True

    def show_comments(self, room: Room) -> None:
        self.collector.activity()
        channel = self.channel(room)
        channel.comments_dirty = channel.phone_comments_dirty = True

    def show_state(self, room: Room) -> None:
        channel = self.channel(room)
        for role in ROLES:
            self._fan_out(channel, role, encode(room.state_payload(role)), "state")
        presenters = [c for c in channel.clients[PROJECTOR] if c.presenter]
        if presenters:  # a projector the moderator opened: its own state, which says so
            text = encode(room.state_payload(PROJECTOR, presenter=True))
            for client in presenters:
                client.outbox.push(text, "state")  # replaces the plain one, still queued
        channel.dirty = channel.phones_dirty = True
        if channel.comments_statement != room.state.statement_id:  # a new list to show
            channel.comments_dirty = channel.phone_comments_dirty = True
        self._publish(channel, phones=True)

    def flush(self, room: Room) -> None:
        """Send what is dirty to projector and moderator now, not at the next tick (a change
        read back from another process has waited for its doorbell already)."""
        self._publish(self.channel(room), phones=False)

    def close_screens(self, room: Room) -> None:
        """Every screen of a deleted event gets `unknown_event` and its socket closes with
        4404 (pages do not reconnect after it)."""
        channel = self.channels.get(room.code)
        if channel is None or channel.room is not room:
            return
        del self.channels[room.code]
        for clients in channel.clients.values():
            for client in clients:
                client.outbox.push(GONE)
                client.outbox.finish(CLOSE_UNKNOWN_EVENT)

    def send_welcomes(self, room: Room, role: str) -> None:
        """Send every page of `role` its welcome again (after an undo: a phone's restored
        votes), behind the state already queued."""
        for client in list(self.channel(room).clients[role]):
            if client.send(room.welcome(role, client.participant)):
                self.frames_sent += 1

    def send_welcomes_to(self, room: Room, participants: set[str]) -> int:
        """Send their welcome again to these participants' phones (their votes changed
        elsewhere); how many phones got one."""
        channel = self.channel(room)
        here = {p for p in participants if p in channel.presence}  # most voted elsewhere
        if not here:
            return 0
        sent = 0
        for client in list(channel.clients[PARTICIPANT]):
            if client.participant in here:
                sent += client.send(room.welcome(PARTICIPANT, client.participant))
        self.frames_sent += sent
        return sent

    def _fan_out(self, channel: Channel, role: str, text: str, key: str) -> None:
        for client in list(channel.clients[role]):
            if client.outbox.push(text, key):
                self.frames_sent += 1

    def _publish(self, channel: Channel, phones: bool) -> None:
        self._publish_tallies(channel, phones)
        self._publish_comments(channel, phones)

    def _publish_comments(self, channel: Channel, phones: bool) -> None:
        room = channel.room
        channel.comments_statement = room.state.statement_id
        if channel.comments_dirty:
            channel.comments_dirty = False
            for role in (PROJECTOR, MODERATOR):
                if channel.clients[role]:
                    self._fan_out(channel, role, encode(room.comments_payload(role)), "comments")
        if phones and channel.phone_comments_dirty:
            channel.phone_comments_dirty = False
            if channel.clients[PARTICIPANT]:
                payload = encode(room.comments_payload(PARTICIPANT))
                self._fan_out(channel, PARTICIPANT, payload, "comments")

    def _publish_tallies(self, channel: Channel, phones: bool) -> None:
        room, connected = channel.room, self._connected(channel)
        if channel.dirty:
            channel.dirty = False
            for role in (PROJECTOR, MODERATOR):
                payload = room.tally_payload(role, connected)
                if payload is not None and channel.clients[role]:
                    self._fan_out(channel, role, encode(payload), "tally")
        if phones and channel.phones_dirty:
            channel.phones_dirty = False
            payload = room.tally_payload(PARTICIPANT, connected)
            if payload is not None and channel.clients[PARTICIPANT]:
                self._fan_out(channel, PARTICIPANT, encode(payload), "tally")

    def _age_join_rates(self) -> None:
        """The console's join rate falls as its minute passes, with nothing else happening."""
        for channel in self.channels.values():
            if channel.clients[MODERATOR] and channel.room.joins.aged():
                channel.dirty = True

    def _drop_stalled(self) -> None:
        """Count out every client whose frame has waited longer than `slow_client` in its
        send (it stopped reading): its socket task closes it with 4408 (voting/web/sockets.py)."""
        deadline = time.monotonic() - self.slow_client
        for channel in list(self.channels.values()):
            for clients in channel.clients.values():
                stalled = [c for c in clients if _waited_since(c.outbox, deadline)]
                for client in stalled:
                    client.outbox.stall()
                    self.unsubscribe(channel.room, client)
                    self.slow_clients_dropped += 1

    def _beat(self, slot: int) -> None:
        """A tiny frame to every screen every few seconds, encoded once: a page that hears
        nothing for longer knows its socket died silently (docs/protocol.md), without
        thousands of phones each sending pings to find out. Each tick beats one slot of the
        clients: 10,000 phones woken in one tick would stall the loop as a statement change
        does (hundreds of ms), 250 a tick cost a few."""
        for channel in list(self.channels.values()):
            for client in list(channel.beats[slot]):
                if client.outbox.push(BEAT, "beat"):
                    self.frames_sent += 1

    async def _clock(self) -> None:
        ticks_per_phone_tick = max(1, round(self.phone_tick / self.tick))
        ticks_per_second = max(1, round(1 / self.tick))
        tick = 0
        while True:
            asleep = time.monotonic()
            await asyncio.sleep(self.tick)
            self.monitor.woke_late(time.monotonic() - asleep - self.tick)
            tick += 1
            phones = tick % ticks_per_phone_tick == 0
            if tick % ticks_per_second == 0:  # once a second: both scan every client or event
                self._drop_stalled()
                self._age_join_rates()
            self._beat(tick % self.beat_slots)
            for channel in list(self.channels.values()):
                busy = channel.dirty or channel.comments_dirty
                if busy or (phones and (channel.phones_dirty or channel.phone_comments_dirty)):
                    self._publish(channel, phones)
                    self.ticks_published += 1
            self.collector.on_tick()
