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
a ping within `ping_timeout` seconds is dropped. A client that reads slower than it is fed
(more than `OUTGOING_LIMIT` bytes waiting to be written) is disconnected with 1013 rather
than growing the server's memory. The server's shutdown closes each connection with 1012
(service restart).
"""

import asyncio
import base64
import hashlib
import logging
import struct
from collections.abc import Callable
from typing import Any, Final, cast
from urllib.parse import parse_qsl

from websockets import speedups

from assetport.api.ws_api import Session, WebSocketApi

logger = logging.getLogger(__name__)

API_PATH: Final = b"/ws-api/v3"
OUTGOING_LIMIT: Final = 4 << 20
_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_CLOSE_WAIT_S: Final = 1.0

# Opcodes (RFC 6455 §5.2) and close codes (§7.4).
_CONTINUATION, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
NORMAL: Final = 1000
PROTOCOL_ERROR: Final = 1002
INVALID_DATA: Final = 1007
TOO_BIG: Final = 1009
SERVICE_RESTART: Final = 1012
TRY_AGAIN_LATER: Final = 1013


# The websockets library's C unmasking (the library is pinned; its frames are not used here).
_unmask: Final = cast(Callable[[bytes | bytearray, bytes | bytearray], bytes], speedups.apply_mask)


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
        limits: "Limits",
        connections: set[Any],
    ) -> None:
        self.api = api
        self.transport = transport
        self.limits = limits
        self.connections = connections
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.fragments: list[bytes] | None = None  # a fragmented message's parts so far
        self.fragments_opcode = _TEXT
        self.outgoing: list[bytes] = []
        self.flush_scheduled = False
        self.closing = False  # a close frame was sent: nothing more after it
        self.ping_sent_at: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if peer else "0.0.0.0"
        wants_limits = query.get("returnRateLimits", "true") != "false"
        connections.add(self)
        self.session: Session | None = api.open(self, ip, wants_limits)
        self._restart_timer(min(limits.ping_interval, limits.ping_timeout), self._keep_alive)

    # -- out ----------------------------------------------------------------------------

    def send_json(self, payload: bytes) -> None:
        if self.closing:
            return
        self.outgoing.append(frame(_TEXT, payload))
        if not self.flush_scheduled:
            self.flush_scheduled = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self.flush_scheduled = False
        outgoing = self.outgoing
        if not outgoing or self.transport.is_closing():
            outgoing.clear()
            return
        self.transport.write(outgoing[0] if len(outgoing) == 1 else b"".join(outgoing))
        outgoing.clear()
        if self.transport.get_write_buffer_size() > OUTGOING_LIMIT:
            self.close(TRY_AGAIN_LATER, "Client is too slow to read its messages.")

    def close(self, code: int, reason: str = "") -> None:
        """Send what is queued, then a close frame; the client's close (or a short wait)
        ends the connection."""
        if self.closing:
            return
        self._flush()
        self.closing = True
        self.outgoing.clear()
        if not self.transport.is_closing():
            self.transport.write(frame(_CLOSE, _close_payload(code, reason)))
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
        limits = self.limits
        sent = self.ping_sent_at
        if sent is not None and self.loop.time() - sent >= limits.ping_timeout:
            self.transport.abort()  # the client stopped answering
            return
        if sent is None:
            self.ping_sent_at = self.loop.time()
            self.transport.write(frame(_PING, b""))
        self._restart_timer(min(limits.ping_interval, limits.ping_timeout), self._keep_alive)

    # -- in -----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        size = len(buffer)
        at = 0
        max_size = self.limits.max_size
        while size - at >= 2:
            first = buffer[at]
            second = buffer[at + 1]
            length = second & 0x7F
            start = at + 2
            if length == 126:
                if size - at < 4:
                    break
                length = (buffer[at + 2] << 8) | buffer[at + 3]
                start = at + 4
            elif length == 127:
                if size - at < 10:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 10], "big")
                start = at + 10
            if length > max_size:
                self._fail(TOO_BIG, "Message too big.")
                return
            if not second & 0x80 or first & 0x70:  # unmasked, or RSV bits without extension
                self._fail(PROTOCOL_ERROR, "Protocol error.")
                return
            end = start + 4 + length
            if size < end:
                break
            payload = _unmask(buffer[start + 4 : end], buffer[start : start + 4])
            at = end
            if self._frame(first & 0x0F, first & 0x80 != 0, payload):
                return
        del buffer[:at]

    def _fail(self, code: int, reason: str) -> None:
        """The client broke the protocol: send a close frame and end the connection at once
        (RFC 6455 §7.1.7: what follows cannot be trusted to be frames)."""
        self.buffer.clear()
        self.close(code, reason)
        self.transport.close()

    def _frame(self, opcode: int, final: bool, payload: bytes) -> bool:
        """Handle one frame; True when nothing more is to be read."""
        if opcode in (_TEXT, _BINARY):
            if self.fragments is not None:
                self._fail(PROTOCOL_ERROR, "Expected a continuation frame.")
                return True
            if final:
                self._message(opcode, payload)
            else:
                self.fragments = [payload]
                self.fragments_opcode = opcode
        elif opcode == _CONTINUATION:
            fragments = self.fragments
            if fragments is None:
                self._fail(PROTOCOL_ERROR, "Unexpected continuation frame.")
                return True
            fragments.append(payload)
            if sum(len(part) for part in fragments) > self.limits.max_size:
                self._fail(TOO_BIG, "Message too big.")
                return True
            if final:
                self.fragments = None
                self._message(self.fragments_opcode, b"".join(fragments))
        elif not final or len(payload) > 125:
            self._fail(PROTOCOL_ERROR, "Control frames are final and short.")
            return True
        elif opcode == _PING:
            if not self.closing:
                self.outgoing.append(frame(_PONG, payload))
                if not self.flush_scheduled:
                    self.flush_scheduled = True
                    self.loop.call_soon(self._flush)
        elif opcode == _PONG:
            self.ping_sent_at = None
        elif opcode == _CLOSE:
            self._closed_by_client(payload)
            return True
        else:
            self._fail(PROTOCOL_ERROR, "Unknown opcode.")
            return True
        return False

    def _message(self, opcode: int, payload: bytes) -> None:
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            if opcode == _TEXT:
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
            self.transport.write(frame(_CLOSE, struct.pack("!H", code)))
        self.transport.close()

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
        pass  # the outgoing limit above bounds what waits

    def resume_writing(self) -> None:
        pass


class Limits:
    __slots__ = ("max_size", "ping_interval", "ping_timeout")

    def __init__(self, ping_interval: float, ping_timeout: float, max_size: int) -> None:
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.max_size = max_size


class Upgrade(asyncio.Protocol):
    """What uvicorn gets a WebSocket upgrade request into: `/ws-api/v3` is served by an
    `ApiConnection`, anything else by uvicorn's own protocol (`fallback`), to which every
    later call is passed on. `websocket_protocol()` sets the class attributes."""

    api: WebSocketApi
    fallback: Callable[..., asyncio.Protocol]
    limits: Limits

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
        # uvicorn passes the whole request head at once, names in lower case.
        transport = self.transport
        assert transport is not None
        head, _, rest = data.partition(b"\r\n\r\n")
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
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        query_params = dict(parse_qsl(query.decode("latin-1")))
        connection = ApiConnection(self.api, transport, query_params, self.limits, self.connections)
        self.inner = connection
        if rest:
            connection.data_received(rest)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
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
    fallback: Callable[..., asyncio.Protocol],
    *,
    ping_interval: float,
    ping_timeout: float,
    max_size: int,
) -> type[Upgrade]:
    """The protocol class for uvicorn's `ws` setting."""
    limits = Limits(ping_interval, ping_timeout, max_size)
    attributes = {"api": api, "fallback": staticmethod(fallback), "limits": limits}
    return type("GatewayWebSocketProtocol", (Upgrade,), attributes)
