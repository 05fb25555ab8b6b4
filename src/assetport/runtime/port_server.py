"""The engine's command port: an asyncio TCP server speaking `assetport.runtime.wire`.

This is how stateless gateway processes (and the crash tests' client) reach the engine.
A `Done` reply leaves only after the command is durable and applied: it is written from
the command's acknowledgement callback. Replies to one connection are gathered and written
once per turn of the event loop, and a client that stops reading stops being read from
(transport flow control), so a slow client cannot make the server buffer without bound.
"""

import asyncio
import logging
from typing import Protocol

import msgspec

from assetport.domain.commands import Command, decode_command
from assetport.domain.events import encode_events
from assetport.engine.engine import Engine
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome, ReplyCallback
from assetport.runtime.wire import (
    Done,
    FrameTooLarge,
    Refused,
    Reply,
    Status,
    StatusOf,
    Submit,
    frame,
    request_decoder,
    split_frames,
)

logger = logging.getLogger(__name__)


class PortBackend(Protocol):
    """What the port serves: the primary's `EngineService`, or a standby that refuses."""

    @property
    def role(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    def submit_with_reply(
        self, command: Command, reply: ReplyCallback, payload: bytes | None = None
    ) -> None: ...


def status_of(request_id: int, backend: PortBackend) -> StatusOf:
    engine = backend.engine
    nonzero = {asset: total for asset, total in engine.ledger.totals().items() if total}
    return StatusOf(request_id, backend.role, engine.last_seq, engine.state_hash(), nonzero)


class CommandPort:
    def __init__(self, backend: PortBackend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        self.host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the command port is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), self.host, self._requested_port
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


class _Connection(asyncio.Protocol):
    def __init__(self, port: CommandPort) -> None:
        self._port = port
        self._buffer = bytearray()
        self._out: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        # Commands already submitted still run; their replies have nowhere to go.
        self._transport = None

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            bodies = split_frames(self._buffer)
        except FrameTooLarge as exc:
            self._drop(f"bad frame: {exc}")
            return
        for body in bodies:
            try:
                request = request_decoder.decode(body)
            except msgspec.DecodeError as exc:
                self._drop(f"unreadable request: {exc}")
                return
            if type(request) is Submit:
                self._submit(request)
            else:
                assert isinstance(request, Status)
                self._send(status_of(request.id, self._port.backend))

    def _submit(self, request: Submit) -> None:
        try:
            command = decode_command(request.command)
        except msgspec.DecodeError as exc:
            self._send(Refused(request.id, "bad_request", f"not a command: {exc}"))
            return
        request_id = request.id
        try:
            self._port.backend.submit_with_reply(
                command, lambda result: self._acknowledge(request_id, result), request.command
            )
        except CommandRefused as exc:
            self._send(Refused(request_id, exc.code, str(exc)))

    def _acknowledge(self, request_id: int, result: Outcome | ServiceFailed) -> None:
        if isinstance(result, ServiceFailed):
            self._send(Refused(request_id, ServiceFailed.code, str(result)))
            return
        seq, time, events = result
        self._send(Done(request_id, seq, time, encode_events(events)))

    def _send(self, reply: Reply) -> None:
        if self._transport is None:
            return
        if not self._out:
            self._loop.call_soon(self._flush)
        self._out.append(frame(reply))

    def _flush(self) -> None:
        if self._transport is not None and self._out:
            self._transport.write(b"".join(self._out))
        self._out.clear()

    def _drop(self, reason: str) -> None:
        logger.warning("closing a command port connection: %s", reason)
        if self._transport is not None:
            self._transport.close()
            self._transport = None
