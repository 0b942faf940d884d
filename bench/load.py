"""The load generator: N phones, one projector and one moderator against a running server.

Every phone does what a browser does: GET /j/<code> (the page that sets the participant
cookie), then one WebSocket with that cookie, then one vote. The projector and the
moderator connect like their pages do. Everything talks to 127.0.0.1 only, every loop is
bounded in count and time, and the run ends by itself.

Measured here (client side):

- connect: time until every phone has its welcome and state;
- vote → ack: per vote, from sending it to its acknowledgement;
- vote → projector: per vote, from sending it to the first projector tally whose total
  reaches the vote's rank in sending order (the k-th vote sent is "included" once the
  projector shows at least k votes); the same rule for the app and the baseline;
- next → phones: from the moderator's "next" to each phone receiving the new statement.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

OPTIONS = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
JOIN_CONCURRENCY = 200  # phones joining at the same moment (a room scanning the QR code)
SOURCES_PER_BLOCK = 4000  # connections per loopback source address (ephemeral ports)


def source_address(index: int) -> str:
    """Spread client sockets over 127.0.x.y so no source runs out of ephemeral ports."""
    block = index // SOURCES_PER_BLOCK
    return f"127.0.{block // 250}.{block % 250 + 2}"


async def http_get(
    host: str, port: int, path: str, source: str, cookie: str = "", form: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A minimal HTTP/1.1 request (one, then close): a GET, or a POST of `form`.
    Returns the status, the headers and the body."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        method = "GET" if form is None else "POST"
        request = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        if cookie:
            request += f"Cookie: {cookie}\r\n"
        if form is not None:  # as a browser's form post: with its Origin
            request += f"Origin: http://{host}:{port}\r\n"
            request += "Content-Type: application/x-www-form-urlencoded\r\n"
            request += f"Content-Length: {len(form)}\r\n"
        writer.write((request + "\r\n").encode() + (form or b""))
        raw = await reader.read(-1)
    finally:
        writer.close()
        await writer.wait_closed()
    if not raw.startswith(b"HTTP/"):  # closed without an answer (an overloaded server)
        raise ConnectionError(f"no HTTP response to {method} {path}")
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}; {value.strip()}" if key in headers else value.strip()
    return status, headers, body


def cookie_from(headers: dict[str, str]) -> str:
    raw = headers.get("set-cookie", "")
    pair = raw.split(";", 1)[0].strip()
    if not pair.startswith("voting="):
        raise RuntimeError(f"no participant cookie in {raw!r}")
    return pair


@dataclass
class Phone:
    index: int
    ws: ClientConnection | None = None
    statement: int | None = None  # the statement the phone currently shows
    voting: bool = False
    vote_sent: float = 0.0
    vote_acked: float = 0.0
    next_seen: float = 0.0
    errors: int = 0
    dropped: bool = False


@dataclass
class Run:
    """Everything the load generator measured, in seconds since the monotonic epoch."""

    participants: int
    connect_seconds: float = 0.0
    connect_failures: int = 0
    votes_sent: int = 0
    votes_acked: int = 0
    errors: int = 0
    dropped: int = 0
    ack_latencies: list[float] = field(default_factory=list)
    projector_latencies: list[float] = field(default_factory=list)
    next_latencies: list[float] = field(default_factory=list)
    phones_following: int = 0
    projector_final: int = 0
    phone_tallies: int = 0
    marks: dict[str, float] = field(default_factory=dict)


def spread(index: int, processes: int) -> int:
    """Which of `processes` a phone joins: the first (the projector's and the moderator's)
    gets half the share of each other one, so most votes reach the projector from another
    process (2 processes: 1/3 and 2/3)."""
    return (index % (2 * processes - 1) + 1) // 2


class Crowd:
    def __init__(
        self, host: str, port: int, code: str, participants: int, ports: list[int] | None = None
    ) -> None:
        self.host, self.port, self.code = host, port, code
        self.ports = ports or [port]  # several: processes serving the same event; phones spread
        self.phones = [Phone(i) for i in range(participants)]
        self.run = Run(participants)
        self.projector_updates: list[tuple[float, int]] = []
        self.current: int | None = None
        self.next_target: int | None = None
        self.statement_ids: list[int] = []
        self.moderator: ClientConnection | None = None
        self.projector: ClientConnection | None = None
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.request_id = 0
        self.states_seen = asyncio.Event()

    # -- connecting -------------------------------------------------------------------------

    def phone_port(self, index: int) -> int:
        return self.ports[spread(index, len(self.ports))]

    async def _open(self, path: str, cookie: str, index: int, port: int | None = None) -> ClientConnection:
        return await connect(
            f"ws://{self.host}:{port or self.port}/ws/{self.code}{path}",
            additional_headers={"Cookie": cookie} if cookie else None,
            compression=None,
            open_timeout=30,
            ping_interval=None,  # phones ping every 25 s; a run is shorter
            max_queue=None,
            local_addr=(source_address(index), 0),
        )

    async def _join(self, phone: Phone, gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                source, port = source_address(phone.index), self.phone_port(phone.index)
                status, headers, _ = await http_get(self.host, port, f"/j/{self.code}", source)
                if status != 200:
                    raise RuntimeError(f"join page answered {status}")
                phone.ws = await self._open("?role=participant", cookie_from(headers), phone.index, port)
                welcome = json.loads(await phone.ws.recv())
                state = json.loads(await phone.ws.recv())
                if welcome["type"] != "welcome" or state["type"] != "state":
                    raise RuntimeError(f"unexpected first frames {welcome} {state}")
                phone.statement = (state["statement"] or {}).get("id")
            except (OSError, RuntimeError, ConnectionClosed, InvalidHandshake, TimeoutError, ValueError):
                self.run.connect_failures += 1
                if phone.ws is not None:
                    await phone.ws.close()
                phone.ws = None
                return
        self.tasks.append(asyncio.create_task(self._listen(phone)))

    async def connect_all(self, moderator_cookie: str) -> None:
        self.moderator = await self._open("?role=moderator", moderator_cookie, 0)
        self.tasks.append(asyncio.create_task(self._moderator_listen()))
        self.projector = await self._open("?role=projector", "", 0)
        self.tasks.append(asyncio.create_task(self._projector_listen(self.projector)))
        gate = asyncio.Semaphore(JOIN_CONCURRENCY)
        started = time.monotonic()
        await asyncio.gather(*(self._join(phone, gate) for phone in self.phones))
        self.run.connect_seconds = time.monotonic() - started

    # -- listening --------------------------------------------------------------------------

    async def _listen(self, phone: Phone) -> None:
        assert phone.ws is not None
        try:
            async for frame in phone.ws:
                message = json.loads(frame)
                kind = message["type"]
                if kind == "ack":
                    phone.vote_acked = time.monotonic()
                elif kind == "state":
                    sid = (message["statement"] or {}).get("id")
                    if sid is not None and sid == self.next_target and not phone.next_seen:
                        phone.next_seen = time.monotonic()
                    phone.statement, phone.voting = sid, message["voting"]
                elif kind == "tally":
                    self.run.phone_tallies += 1
                elif kind == "error":
                    phone.errors += 1
        except ConnectionClosed:
            phone.dropped = True

    async def _projector_listen(self, ws: ClientConnection) -> None:
        async for frame in ws:
            message = json.loads(frame)
            if message["type"] == "tally" and message["statement"] == self.current:
                self.projector_updates.append((time.monotonic(), int(message["voters"])))

    async def _moderator_listen(self) -> None:
        assert self.moderator is not None
        async for frame in self.moderator:
            message = json.loads(frame)
            ref = message.get("ref")
            if ref in self.replies and message["type"] in ("ok", "error"):
                self.replies.pop(ref).set_result(message)
            if message["type"] == "state":
                self.current = (message["statement"] or {}).get("id")
                self.statement_ids = [s["id"] for s in message["statements"]]

    async def moderate(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.moderator is not None
        self.request_id += 1
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies[self.request_id] = reply
        await self.moderator.send(json.dumps({**message, "id": self.request_id}))
        answer = await asyncio.wait_for(reply, 30)
        if answer["type"] != "ok":
            raise RuntimeError(f"moderator action {message} refused: {answer}")
        return answer

    # -- the scenario -----------------------------------------------------------------------

    async def wait_until(self, check: Any, limit: float) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if check():
                return True
            await asyncio.sleep(0.02)
        return check()

    def connected(self) -> list[Phone]:
        return [p for p in self.phones if p.ws is not None]

    async def open_first_statement(self, live_results: bool) -> int:
        await self.moderate({"type": "next"})
        await self.moderate({"type": "voting", "open": True})
        if live_results:
            await self.moderate({"type": "results", "target": "phones", "shown": True})
        await self.wait_until(lambda: self.current is not None, 10)
        assert self.current is not None
        phones = self.connected()
        await self.wait_until(lambda: all(p.voting for p in phones), 30)
        return self.current

    async def burst(self, statement: int, seconds: float, seed: int = 1) -> None:
        """Every connected phone votes once, at a random moment in the burst window."""
        rng = random.Random(seed)
        phones = self.connected()
        schedule = sorted((rng.uniform(0, seconds), p) for p in phones)
        start = time.monotonic()
        self.run.marks["burst_start"] = start
        sent_order: list[Phone] = []
        for offset, phone in schedule:
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            option = OPTIONS[phone.index % len(OPTIONS)]
            vote = {"type": "vote", "statement": statement, "option": option}
            assert phone.ws is not None
            phone.vote_sent = time.monotonic()
            try:
                await phone.ws.send(json.dumps(vote))
            except ConnectionClosed:
                phone.dropped = True
                continue
            sent_order.append(phone)
        self.run.votes_sent = len(sent_order)
        await self.wait_until(lambda: all(p.vote_acked for p in sent_order), 30)
        total = len(sent_order)
        await self.wait_until(
            lambda: bool(self.projector_updates) and self.projector_updates[-1][1] >= total, 10
        )
        self.run.marks["burst_end"] = time.monotonic()
        self.run.votes_acked = sum(1 for p in sent_order if p.vote_acked)
        self.run.ack_latencies = [p.vote_acked - p.vote_sent for p in sent_order if p.vote_acked]
        self.run.projector_latencies = self._projector_latencies(sent_order)
        self.run.projector_final = self.projector_updates[-1][1] if self.projector_updates else 0

    def _projector_latencies(self, sent_order: list[Phone]) -> list[float]:
        latencies = []
        updates = self.projector_updates
        cursor = 0
        for rank, phone in enumerate(sent_order, start=1):
            while cursor < len(updates) and (
                updates[cursor][1] < rank or updates[cursor][0] < phone.vote_sent
            ):
                cursor += 1
            if cursor == len(updates):
                break
            latencies.append(updates[cursor][0] - phone.vote_sent)
        return latencies

    async def next_statement(self) -> None:
        """The moderator moves on; measure until every phone shows the new statement."""
        phones = [p for p in self.connected() if not p.dropped]
        assert self.current is not None
        self.next_target = self.statement_ids[self.statement_ids.index(self.current) + 1]
        started = time.monotonic()
        await self.moderate({"type": "next"})
        await self.wait_until(lambda: all(p.next_seen for p in phones), 30)
        self.run.next_latencies = [p.next_seen - started for p in phones if p.next_seen]
        self.run.phones_following = len(self.run.next_latencies)

    async def close(self) -> None:
        self.run.errors = sum(p.errors for p in self.phones)
        self.run.dropped = sum(1 for p in self.phones if p.dropped)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        closing = [p.ws.close() for p in self.phones if p.ws is not None]
        closing += [ws.close() for ws in (self.moderator, self.projector) if ws is not None]
        await asyncio.gather(*closing, return_exceptions=True)
