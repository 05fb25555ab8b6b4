"""The market streams' WebSocket connections (`/ws`, `/stream`, listenKey sockets): uvicorn's
own protocol on the websockets library (sans-I/O), held to the same limits as the WebSocket
API's connections (`ws_server`).

What the library leaves open, and is bounded here:

- Fragments: the library bounds a message's bytes (`ws_max_size`, 1009) but not its
  frames, and parses all of a read before uvicorn sees any: a message of 40,000 empty
  continuation frames took 60 ms of the event loop in one read, and an endless one grew
  memory without a bound. More than `ws_max_fragments` frames in a message close the
  connection with 1008, and a read is handed to the library 4 KiB at a time, so a client
  breaking a limit costs a few hundred frames' work at most.
- Control frames: more than `ws_control_frames_per_s` pings and pongs a second close the
  connection with 1008 (Binance counts them in its 5 messages a second).
- Slow readers: after each message written, the bytes still waiting for the client (the
  kernel's send queue, bounded by `ws_send_buffer_bytes`, and the transport's buffer) are
  counted; beyond `ws_max_queued_bytes` the connection is aborted. uvicorn's own close
  (keep-alive timeout, the app's close, shutdown) waits for the buffer to drain, which a
  client that stopped reading never lets happen: here a close that has not ended the
  connection within `_CLOSE_GRACE_S` aborts it.

A client that breaks a frame limit costs its address request weight (`Admission.refused`).
"""

import asyncio
from typing import Any, Final, cast

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame
from websockets.protocol import State

from assetport.api.admission import Admission
from assetport.api.send_queue import limit_send_buffer, too_much_queued
from assetport.api.ws_connection import IncomingLimit
from assetport.api.ws_frames import POLICY_VIOLATION

_SLICE: Final = 4096
_CLOSE_GRACE_S: Final = 2.0


class StreamProtocol(WebSocketsSansIOProtocol):
    """uvicorn's `websockets-sansio` protocol with the limits above; `stream_protocol()`
    sets `admission`."""

    admission: Admission

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fragments = 0  # frames of the message being received
        self.control_frames = IncomingLimit(self.admission.limits.ws_control_frames_per_s)
        self.fd = -1
        self.limit_breaker = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        guarded = AbortingClose(cast(asyncio.Transport, transport), _CLOSE_GRACE_S)
        super().connection_made(guarded)
        limits = self.admission.limits
        self.fd = limit_send_buffer(guarded.inner, limits.ws_send_buffer_bytes)
        # What is written never waits in a paused writer: the queue check below sees it.
        guarded.set_write_buffer_limits(high=limits.ws_max_queued_bytes)

    def connection_lost(self, exc: Exception | None) -> None:
        transport = self.transport
        if isinstance(transport, AbortingClose):
            transport.ended()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if len(data) <= _SLICE:
            super().data_received(data)
            return
        for start in range(0, len(data), _SLICE):
            if self.transport.is_closing():
                return  # failed: what follows is not read
            super().data_received(data[start : start + _SLICE])

    # -- limits on what comes in ------------------------------------------------------------

    def handle_text(self, event: Frame) -> None:
        self.fragments = 1
        super().handle_text(event)

    def handle_bytes(self, event: Frame) -> None:
        self.fragments = 1
        super().handle_bytes(event)

    def handle_cont(self, event: Frame) -> None:
        if self.transport.is_closing():
            return
        self.fragments += 1
        if self.fragments > self.admission.limits.ws_max_fragments:
            self._fail("Message in too many fragments.")
            return
        super().handle_cont(event)

    def handle_ping(self) -> None:
        if self._control_frame_allowed():
            super().handle_ping()

    def handle_pong(self, event: Frame) -> None:
        if self._control_frame_allowed():
            super().handle_pong(event)

    def _control_frame_allowed(self) -> bool:
        if self.transport.is_closing():
            return False
        if self.control_frames.allow(int(self.loop.time() * 1000)):
            return True
        self._fail("Too many control frames.")
        return False

    def _fail(self, reason: str) -> None:
        """Close with 1008 at once, and weigh the client's address."""
        self.frames = []
        if self.conn.state is State.OPEN:
            self.conn.fail(POLICY_VIOLATION, reason)
            self.handle_parser_exception()  # tells the app, sends the close frame, closes
        else:
            self.transport.abort()
        if self.client is not None and not self.limit_breaker:
            self.limit_breaker = True
            self.admission.charge(self.client[0])

    # -- slow readers -------------------------------------------------------------------

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.send":
            transport = self.transport
            if too_much_queued(transport, self.fd, self.admission.limits.ws_max_queued_bytes):
                transport.abort()  # too slow to read: no close frame could reach it anyway


def stream_protocol(admission: Admission) -> type[StreamProtocol]:
    """The market streams' protocol class (the fallback of `ws_server.websocket_protocol`)."""
    return type("GatewayStreamProtocol", (StreamProtocol,), {"admission": admission})


class AbortingClose(asyncio.Transport):
    """A transport whose `close()` becomes an abort when the connection has not ended
    `grace` seconds later (a client that stopped reading never lets the buffer drain)."""

    def __init__(self, inner: asyncio.Transport, grace: float) -> None:
        super().__init__()
        self.inner = inner
        self.grace = grace
        self.timer: asyncio.TimerHandle | None = None
        self.over = False

    def close(self) -> None:
        self.inner.close()
        if self.timer is None and not self.over:
            self.timer = asyncio.get_running_loop().call_later(self.grace, self.inner.abort)

    def ended(self) -> None:
        """The connection is over: no abort is needed any more."""
        self.over = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def abort(self) -> None:
        self.inner.abort()

    def is_closing(self) -> bool:
        return self.inner.is_closing()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.inner.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self.inner.writelines(list_of_data)

    def write_eof(self) -> None:
        self.inner.write_eof()

    def can_write_eof(self) -> bool:
        return self.inner.can_write_eof()

    def get_write_buffer_size(self) -> int:
        return self.inner.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.inner.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.inner.set_write_buffer_limits(high, low)

    def pause_reading(self) -> None:
        self.inner.pause_reading()

    def resume_reading(self) -> None:
        self.inner.resume_reading()

    def is_reading(self) -> bool:
        return self.inner.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.inner.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.inner.get_protocol()
