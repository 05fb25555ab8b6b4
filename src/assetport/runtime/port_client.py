"""A client of the engine's command port, for gateways, tools and tests.

Requests are pipelined: `submit` returns a future at once, and many can be outstanding on
one connection. If the connection drops, every outstanding future fails with
`ConnectionError`: the command may or may not have been applied (it was not acknowledged).

A follower (`read(follow=True)`) also receives every applied batch (`Applied`), unasked: they
go to `on_batch`, in order, once it is set; those that arrive before (right behind the
`ReadOf` a gateway's views must start from first) wait for it.
"""

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any, Final, cast

from assetport.domain.commands import Command, PlaceOrder, encode_command
from assetport.domain.results import RejectReason
from assetport.runtime.wire import (
    Applied,
    Check,
    CheckOf,
    Done,
    Read,
    ReadOf,
    Refused,
    Reply,
    Status,
    StatusOf,
    Submit,
    frame,
    reply_decoder,
    split_frames,
)

logger = logging.getLogger(__name__)

Address = tuple[str, int]
STATUS_TIMEOUT_S: Final = 1.0


def parse_addresses(text: str) -> list[Address]:
    """`HOST:PORT[,HOST:PORT...]` (an IPv6 host in brackets) as a list; ValueError if bad."""
    addresses: list[Address] = []
    for part in text.split(","):
        host, _, port = part.strip().rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{part.strip()!r}: expected HOST:PORT")
        addresses.append((host, int(port)))
    return addresses


async def engine_statuses(addresses: list[Address], *, full: bool = False) -> list[dict[str, Any]]:
    """Each engine's `Status` (role, last seq, a standby's lag; with `full` the state hash
    and ledger sums), or why it did not answer: what `assetport engine-status` prints and
    the admin status shows."""

    async def one(host: str, port: int) -> dict[str, Any]:
        where = f"{host}:{port}"
        try:
            client = await asyncio.wait_for(PortClient.connect(host, port), STATUS_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            return {"address": where, "role": "unreachable", "error": str(exc) or "timeout"}
        try:
            status = await asyncio.wait_for(client.status(full=full), STATUS_TIMEOUT_S)
        except (ConnectionError, TimeoutError) as exc:
            return {"address": where, "role": "unreachable", "error": str(exc) or "timeout"}
        finally:
            await client.close()
        answer: dict[str, Any] = {
            "address": where,
            "role": status.role,
            "last_seq": status.last_seq,
            "lag": status.lag,
            "lag_ms": status.lag_ms,
        }
        if full:
            answer |= {"state_hash": status.state_hash, "ledger_nonzero": status.ledger_nonzero}
        return answer

    return list(await asyncio.gather(*(one(host, port) for host, port in addresses)))


class ReadRefused(ConnectionError):
    """The engine would not serve a `Read` (`code`: not_primary, gap)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


# A submitted command's answer without a future: `Done` or `Refused`, or the
# `ConnectionError` of a connection lost before it came (applied or not: unknown).
ReplyHandler = Callable[["Done | Refused | ConnectionError"], None]


class PortClient:
    def __init__(self, address: str = "") -> None:
        self.address = address  # HOST:PORT, for messages
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Reply]] = {}
        # Answered as the reply is read, in the order the engine sent it: a follower's
        # `Done` is handled right behind its batch's `Applied` frame.
        self._handlers: dict[int, ReplyHandler] = {}
        self._transport: asyncio.Transport | None = None
        self._closed: asyncio.Future[None] | None = None
        self._on_batch: Callable[[Applied], None] | None = None
        self._early: list[Applied] = []  # batches that came before `on_batch` was set

    @classmethod
    async def connect(cls, host: str, port: int) -> "PortClient":
        client = cls(f"{host}:{port}")
        loop = asyncio.get_running_loop()
        client._closed = loop.create_future()
        await loop.create_connection(lambda: _ClientProtocol(client), host, port)
        return client

    @property
    def connected(self) -> bool:
        return self._transport is not None

    @property
    def outstanding(self) -> int:
        return len(self._waiting) + len(self._handlers)

    def submit(self, command: Command) -> "asyncio.Future[Done | Refused]":
        """Send a command; the future gets `Done` (durable and applied) or `Refused`."""
        return self.submit_encoded(encode_command(command))

    def submit_with_handler(self, command: Command, handler: ReplyHandler) -> None:
        """`submit`, answered by calling `handler` as soon as the reply is read."""
        if self._transport is None:
            raise ConnectionError("not connected to the command port")
        request_id = next(self._ids)
        self._handlers[request_id] = handler
        self._transport.write(frame(Submit(request_id, encode_command(command))))

    def submit_encoded(self, payload: bytes) -> "asyncio.Future[Done | Refused]":
        request_id = next(self._ids)
        future = self._send(request_id, frame(Submit(request_id, payload)))
        return future  # type: ignore[return-value]

    @property
    def on_batch(self) -> Callable[[Applied], None] | None:
        return self._on_batch

    @on_batch.setter
    def on_batch(self, handler: Callable[[Applied], None]) -> None:
        """Take the applied batches from now on: first those that already arrived."""
        self._on_batch = handler
        early, self._early = self._early, []
        for batch in early:
            handler(batch)

    async def status(self, *, full: bool = True) -> StatusOf:
        """The engine's role, seq and lag; with `full`, its state hash and ledger sums too
        (the hash encodes the whole state: tens of ms on a large book, so a poller that
        only wants the role or the lag asks without)."""
        request_id = next(self._ids)
        reply = await self._send(request_id, frame(Status(request_id, full)))
        assert isinstance(reply, StatusOf)
        return reply

    async def read(self, *, follow: bool = False, since: int = -1) -> ReadOf:
        """The engine's state as a gateway's views start from it (`ReadOf.seed`); with
        `follow`, every batch the engine applies from then on comes to `on_batch`, and with
        `since` >= 0 (the seq a follower's views are at) the batches after it come first
        (`ReadOf.missed` of them), to `on_batch` like the rest. Raises `ConnectionError` if
        the engine refuses (a standby; a gap it cannot fill: the refusal's code)."""
        request_id = next(self._ids)
        reply = await self._send(request_id, frame(Read(request_id, follow, since)))
        if isinstance(reply, Refused):
            raise ReadRefused(reply.code, reply.message)
        assert isinstance(reply, ReadOf)
        return reply

    async def check(self, command: PlaceOrder) -> RejectReason | None:
        """What the engine would refuse the order for, without placing it."""
        request_id = next(self._ids)
        reply = await self._send(request_id, frame(Check(request_id, encode_command(command))))
        if isinstance(reply, Refused):
            raise ConnectionError(f"the command port refused the check: {reply.message}")
        assert isinstance(reply, CheckOf)
        return reply.reason

    def _send(self, request_id: int, data: bytes) -> "asyncio.Future[Reply]":
        if self._transport is None:
            raise ConnectionError("not connected to the command port")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        self._transport.write(data)
        return future

    def _received(self, reply: Reply) -> None:
        if isinstance(reply, Applied):
            if self._on_batch is not None:
                self._on_batch(reply)
            else:
                self._early.append(reply)
            return
        handler = self._handlers.pop(reply.id, None)
        if handler is not None:
            handler(reply)  # type: ignore[arg-type]
            return
        future = self._waiting.pop(reply.id, None)
        if future is not None and not future.done():
            future.set_result(reply)

    def _lost(self, exc: Exception | None) -> None:
        self._transport = None
        error = ConnectionError(f"command port connection lost: {exc}")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        self._waiting.clear()
        handlers, self._handlers = self._handlers, {}
        for handler in handlers.values():
            try:
                handler(error)
            except Exception:
                logger.exception("a reply handler raised")
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        await self.wait_closed()

    async def wait_closed(self) -> None:
        """Return once the connection is gone (closed here, or by the engine)."""
        if self._closed is not None:
            await asyncio.shield(self._closed)


class _ClientProtocol(asyncio.Protocol):
    def __init__(self, client: PortClient) -> None:
        self._client = client
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's are not `asyncio.Transport` instances).
        self._client._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        for body in split_frames(self._buffer):
            self._client._received(reply_decoder.decode(body))

    def connection_lost(self, exc: Exception | None) -> None:
        self._client._lost(exc)
