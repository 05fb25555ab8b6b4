"""A client of the engine's command port, for gateways, tools and tests.

Requests are pipelined: `submit` returns a future at once, and many can be outstanding on
one connection. If the connection drops, every outstanding future fails with
`ConnectionError`: the command may or may not have been applied (it was not acknowledged).
"""

import asyncio
import itertools

from assetport.domain.commands import Command, encode_command
from assetport.runtime.wire import (
    Done,
    Refused,
    Reply,
    Status,
    StatusOf,
    Submit,
    frame,
    reply_decoder,
    split_frames,
)


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
        if self._closed is not None:
            await self._closed


class _ClientProtocol(asyncio.Protocol):
    def __init__(self, client: PortClient) -> None:
        self._client = client
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._client._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        for body in split_frames(self._buffer):
            self._client._received(reply_decoder.decode(body))

    def connection_lost(self, exc: Exception | None) -> None:
        self._client._lost(exc)
