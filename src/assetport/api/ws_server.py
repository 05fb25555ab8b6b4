"""The WebSocket API's connections (`/ws-api/v3`), served on the socket itself.

uvicorn hands every WebSocket upgrade to the protocol class given as its `ws` setting:
`websocket_protocol()` makes that class. For `/ws-api/v3` the connection is served here,
as an `asyncio.Protocol` speaking RFC 6455 directly: the handshake, frames in (masked, as
clients must send them; fragmented messages put together; at most `max_size` bytes),
frames out, ping and pong, the close handshake. Every other path (the market streams) goes
to uvicorn's own WebSocket protocol and the ASGI app, unchanged.

Why: a market maker's order over the WebSocket API is a small text frame in and one out,
and the ASGI layer (a task per connection, message dicts through a queue, an awaited
`send` per frame, then the websockets library's frame parser) cost more CPU than the
request itself. Here a frame is parsed in the socket's `data_received`, handed to
`WebSocketApi.receive`, and the answers written to one connection in the same turn of the
event loop leave in one `transport.write`.

Keep-alive as Binance: a ping every `ping_interval` seconds; a client that has not answered
a ping within `ping_timeout` seconds is dropped. The server's shutdown closes each
connection with 1012 (service restart).

Limits (`transport_limits`, the same as the market streams' in `ws_stream_protocol`): frames
are read by `ws_frames.FrameReader` (messages of at most `ws_max_message_bytes` in at most
`ws_max_fragments` frames, 1009/1008); more than `ws_control_frames_per_s` pings and pongs
a second close with 1008; a client that breaks a limit costs its address request weight. A
read is handled at most `_FRAMES_PER_TURN` frames at a time: the rest waits for the next
turn of the event loop, reading paused meanwhile, so one client's burst never holds the
others up for long. A client that reads slower than it is fed (more than
`ws_max_queued_bytes` waiting: the kernel's send queue, bounded by `ws_send_buffer_bytes`,
and the transport's buffer) is disconnected with 1013 rather than growing the server's
memory.
"""

import asyncio
import base64
import hashlib
import logging
import struct
from collections.abc import Callable
from typing import Any, Final, cast
from urllib.parse import parse_qsl

from assetport.api import errors
from assetport.api.admission import Admission
from assetport.api.send_queue import limit_send_buffer, too_much_queued
from assetport.api.ws_api import Session, WebSocketApi
from assetport.api.ws_connection import IncomingLimit
from assetport.api.ws_frames import (
    BINARY,
    CLOSE,
    PING,
    POLICY_VIOLATION,
    PONG,
    PROTOCOL_ERROR,
    TEXT,
    FrameError,
    FrameReader,
)
from assetport.api.ws_stream_protocol import stream_protocol
from assetport.marketdata import time_unit

logger = logging.getLogger(__name__)

API_PATH: Final = b"/ws-api/v3"
_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_CLOSE_WAIT_S: Final = 1.0
_FRAMES_PER_TURN: Final = 256

# Close codes (RFC 6455 §7.4).
NORMAL: Final = 1000
INVALID_DATA: Final = 1007
SERVICE_RESTART: Final = 1012
TRY_AGAIN_LATER: Final = 1013


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final frame, as a server sends them."""
    n = len(payload)
    if n < 126:
        return bytes((0x80 | opcode, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, n) + payload


def _close_payload(code: int, reason: str) -> bytes:
    return struct.pack("!H", code) + reason.encode()[:123]


class ApiConnection(asyncio.Protocol):
    """One `/ws-api/v3` connection after its handshake; the `Sink` of its session."""

    def __init__(
        self,
        api: WebSocketApi,
        transport: asyncio.Transport,
        query: dict[str, str],
        settings: "Settings",
        connections: set[Any],
        forwarded_for: str | None = None,
    ) -> None:
        self.api = api
        self.transport = transport
        self.settings = settings
        limits = settings.admission.limits
        self.limits = limits
        self.connections = connections
        self.loop = asyncio.get_running_loop()
        self.reader = FrameReader(limits.ws_max_message_bytes, limits.ws_max_fragments)
        self.reading_paused = False
        self.more_scheduled = False
        self.control_frames = IncomingLimit(limits.ws_control_frames_per_s)
        self.outgoing: list[bytes] = []
        self.flush_scheduled = False
        self.closing = False  # a close frame was sent: nothing more after it
        self.ping_sent_at: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.fd = limit_send_buffer(transport, limits.ws_send_buffer_bytes)
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if peer else "0.0.0.0"
        # Behind a trusted proxy, the client it names (its keys' IP allowlists, its weight).
        ip = settings.admission.proxies.client(ip, forwarded_for)
        self.ip = ip
        wants_limits = query.get("returnRateLimits", "true") != "false"
        micro = time_unit.parse(query.get("timeUnit", "MILLISECOND")) is True
        connections.add(self)
        self.session: Session | None = api.open(self, ip, wants_limits, micro)
        self._restart_timer(settings.keep_alive_s, self._keep_alive)

    # -- out ----------------------------------------------------------------------------

    def send_json(self, payload: bytes) -> None:
        if self.closing:
            return
        self.outgoing.append(frame(TEXT, payload))
        if not self.flush_scheduled:
            self.flush_scheduled = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self.flush_scheduled = False
        outgoing = self.outgoing
        transport = self.transport
        if not outgoing or transport.is_closing():
            outgoing.clear()
            return
        transport.write(outgoing[0] if len(outgoing) == 1 else b"".join(outgoing))
        outgoing.clear()
        if too_much_queued(transport, self.fd, self.limits.ws_max_queued_bytes):
            self.close(TRY_AGAIN_LATER, "Client is too slow to read its messages.")

    def close(self, code: int, reason: str = "") -> None:
        """Send what is queued, then a close frame; the client's close (or a short wait)
        ends the connection."""
        if self.closing:
            return
        self._flush()
        if self.closing:  # the flush found the client too slow and closed already
            return
        self.closing = True
        self.outgoing.clear()
        if not self.transport.is_closing():
            self.transport.write(frame(CLOSE, _close_payload(code, reason)))
        self._restart_timer(_CLOSE_WAIT_S, self.transport.abort)

    def shutdown(self) -> None:
        """uvicorn's shutdown: tell the client the service restarts."""
        self.close(SERVICE_RESTART)

    # -- keep-alive ---------------------------------------------------------------------

    def _restart_timer(self, delay: float, callback: Callable[[], None]) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.loop.call_later(delay, callback)

    def _keep_alive(self) -> None:
        settings = self.settings
        sent = self.ping_sent_at
        if sent is not None and self.loop.time() - sent >= settings.ping_timeout:
            self.transport.abort()  # the client stopped answering
            return
        if sent is None:
            self.ping_sent_at = self.loop.time()
            self.transport.write(frame(PING, b""))
        self._restart_timer(settings.keep_alive_s, self._keep_alive)

    # -- in -----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        if not self.more_scheduled:
            self._read_frames()

    def _read_frames(self) -> None:
        """Handle what has arrived, at most `_FRAMES_PER_TURN` frames now; the rest in the
        next turn of the event loop, with reading paused until it is done."""
        self.more_scheduled = False
        if self.transport.is_closing():
            return
        reader = self.reader
        for _ in range(_FRAMES_PER_TURN):
            try:
                item = reader.next()
            except FrameError as error:
                self._fail(error.code, error.reason)
                return
            if item is None:
                if self.reading_paused:
                    self.reading_paused = False
                    self.transport.resume_reading()
                return
            if self._frame(*item):
                return
        if self.transport.is_closing():
            return
        if not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        self.more_scheduled = True
        self.loop.call_soon(self._read_frames)

    def _fail(self, code: int, reason: str) -> None:
        """The client broke the protocol or a limit: send a close frame and end the
        connection at once (RFC 6455 §7.1.7: what follows cannot be trusted to be frames);
        its address is charged for it."""
        self.close(code, reason)
        self.transport.close()
        self.settings.admission.charge(self.ip)

    def _frame(self, opcode: int, payload: bytes) -> bool:
        """Handle one message or control frame; True when nothing more is to be read."""
        if opcode in (TEXT, BINARY):
            self._message(opcode, payload)
            return False
        if not self.control_frames.allow(int(self.loop.time() * 1000)):
            self._fail(POLICY_VIOLATION, "Too many control frames.")
            return True
        if opcode == PING:
            if not self.closing:
                self.outgoing.append(frame(PONG, payload))
                if not self.flush_scheduled:
                    self.flush_scheduled = True
                    self.loop.call_soon(self._flush)
        elif opcode == PONG:
            self.ping_sent_at = None
        else:  # CLOSE
            self._closed_by_client(payload)
            return True
        return False

    def _message(self, opcode: int, payload: bytes) -> None:
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            if opcode == TEXT:
                self.close(INVALID_DATA, "Invalid UTF-8.")
                return
            text = payload.decode("utf-8", "replace")
        if self.session is not None and not self.closing:
            self.api.receive(self.session, text)

    def _closed_by_client(self, payload: bytes) -> None:
        if not self.closing:
            self._flush()
            self.closing = True
            code = NORMAL
            if len(payload) >= 2:
                code = int.from_bytes(payload[:2], "big")
                if code < 1000 or code in (1004, 1005, 1006, 1015) or 1016 <= code < 3000:
                    code = PROTOCOL_ERROR
            self.transport.write(frame(CLOSE, struct.pack("!H", code)))
        self.transport.close()
        # A client that sent its close but reads nothing more cannot hold the socket.
        self._restart_timer(_CLOSE_WAIT_S, self.transport.abort)

    def eof_received(self) -> bool | None:
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.connections.discard(self)
        if self.session is not None:
            self.api.closed(self.session)
            self.session = None

    def pause_writing(self) -> None:
        pass  # the queued-bytes limit above bounds what waits

    def resume_writing(self) -> None:
        pass


class Settings:
    """What every `/ws-api/v3` connection shares: its limits, where refusals are weighed,
    the keep-alive."""

    __slots__ = ("admission", "keep_alive_s", "ping_interval", "ping_timeout")

    def __init__(self, admission: Admission, ping_interval: float, ping_timeout: float) -> None:
        self.admission = admission
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.keep_alive_s = min(ping_interval, ping_timeout)


class Upgrade(asyncio.Protocol):
    """What uvicorn gets a WebSocket upgrade request into: `/ws-api/v3` is served by an
    `ApiConnection`, anything else by the market streams' protocol (`fallback`, uvicorn's
    own with the same limits), to which every later call is passed on. The connection keeps
    the place its address got as an HTTP connection (`Admission`) until it ends.
    `websocket_protocol()` sets the class attributes."""

    api: WebSocketApi
    fallback: Callable[..., asyncio.Protocol]
    settings: Settings

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any]) -> None:
        self.connections: set[Any] = server_state.connections
        self.uvicorn_args = {"config": config, "server_state": server_state, "app_state": app_state}
        self.transport: asyncio.Transport | None = None
        self.inner: asyncio.Protocol | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        if self.inner is not None:
            self.inner.data_received(data)
            return
        # uvicorn passes the whole request head (already held to the HTTP limits) in one
        # call, names in lower case; what came after it follows in later calls
        # (`http_server`), once `inner` takes them.
        transport = self.transport
        assert transport is not None
        head = data.removesuffix(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        request_line = lines[0].split(b" ")
        target = request_line[1] if len(request_line) == 3 else b""
        path, _, query = target.partition(b"?")
        if path != API_PATH:
            self.inner = self.fallback(**self.uvicorn_args)
            self.inner.connection_made(transport)
            self.inner.data_received(data)
            return
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get(b"sec-websocket-key", b"")
        if headers.get(b"sec-websocket-version") != b"13":
            transport.write(
                b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            transport.close()
            return
        if not _valid_key(key) or b"websocket" not in headers.get(b"upgrade", b"").lower():
            transport.write(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            transport.close()
            return
        query_params = dict(parse_qsl(query.decode("latin-1")))
        unit = query_params.get("timeUnit")
        if unit is not None and time_unit.parse(unit) is None:
            body = errors.INVALID_TIME_UNIT.error().body()
            transport.write(
                b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                b"Connection: close\r\n\r\n" + body
            )
            transport.close()
            return
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        connection = ApiConnection(
            self.api,
            transport,
            query_params,
            self.settings,
            self.connections,
            headers.get(b"x-forwarded-for", b"").decode("latin-1") or None,
        )
        self.inner = connection

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.settings.admission.disconnect(self.transport)
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()


def _valid_key(key: bytes) -> bool:
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


def websocket_protocol(
    api: WebSocketApi,
    admission: Admission,
    *,
    ping_interval: float,
    ping_timeout: float,
) -> type[Upgrade]:
    """The protocol class for uvicorn's `ws` setting: the WebSocket API here, the market
    streams on `ws_stream_protocol`, both within `admission`'s limits. (uvicorn's own
    `ws_max_size` and keep-alive settings must say the same for the market streams.)"""
    settings = Settings(admission, ping_interval, ping_timeout)
    fallback = stream_protocol(admission)
    attributes = {"api": api, "fallback": fallback, "settings": settings}
    return type("GatewayWebSocketProtocol", (Upgrade,), attributes)
