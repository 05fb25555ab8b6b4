"""A client of the engine's command port, for gateways, tools and tests.

Requests are pipelined: `submit` returns a future at once, and many can be outstanding on
one connection. If the connection drops, every outstanding future fails with
`ConnectionError`: the command may or may not have been applied (it was not acknowledged).
"""

import asyncio
import itertools
from typing import cast

from assetport.domain.commands import Command, PlaceOrder, encode_command
from assetport.domain.results import RejectReason
from assetport.runtime.wire import (
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
from assetport.views.seed import Seed


class PortClient:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Reply]] = {}
        self._transport: asyncio.Transport | None = None
        self._closed: asyncio.Future[None] | None = None

    @classmethod
    async def connect(cls, host: str, port: int) -> "PortClient":
        client = cls()
        loop = asyncio.get_running_loop()
        client._closed = loop.create_future()
        await loop.create_connection(lambda: _ClientProtocol(client), host, port)
        return client

    @property
    def connected(self) -> bool:
        return self._transport is not None

    @property
    def outstanding(self) -> int:
        return len(self._waiting)

    def submit(self, command: Command) -> "asyncio.Future[Done | Refused]":
        """Send a command; the future gets `Done` (durable and applied) or `Refused`."""
        return self.submit_encoded(encode_command(command))

    def submit_encoded(self, payload: bytes) -> "asyncio.Future[Done | Refused]":
        request_id = next(self._ids)
        future = self._send(request_id, frame(Submit(request_id, payload)))
        return future  # type: ignore[return-value]

    async def status(self) -> StatusOf:
        request_id = next(self._ids)
        reply = await self._send(request_id, frame(Status(request_id)))
        assert isinstance(reply, StatusOf)
        return reply

    async def read(self, *, follow: bool = False) -> Seed:
        """The engine's state as a gateway's views start from it; with `follow`, every
        later `Done` on this connection carries the book levels its command touched."""
        request_id = next(self._ids)
        reply = await self._send(request_id, frame(Read(request_id, follow)))
        assert isinstance(reply, ReadOf)
        return reply.seed

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
