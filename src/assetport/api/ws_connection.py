"""What the market streams' WebSocket connections (ASGI) share: a bounded outbox with its
writer, and Binance's limit on incoming messages. (The WebSocket API's connections are
`ws_server.py`'s, below the ASGI layer, with the same rules.)

Messages to a client are queued and written by one task per connection, so producers (the
market-data cadence, the engine's applied batches) never wait for a socket. The queue is
bounded, in messages and in bytes: a client that reads slower than it is fed is
disconnected instead of growing the server's memory (Binance does the same). What waits
below the queue, in the transport's buffer and the kernel's send queue, is bounded by the
connection's protocol (`ws_stream_protocol`), as are the frames coming in. Keep-alive pings
and dropping silent clients are done by the ASGI server (uvicorn's `ws_ping_interval` /
`ws_ping_timeout`), as ASGI gives an application no access to control frames.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Scope = MutableMapping[str, Any]

DEFAULT_OUTBOX_LIMIT: Final = 4096
DEFAULT_OUTBOX_BYTES: Final = 1 << 20
TRY_AGAIN_LATER: Final = 1013
_CLOSE_WAIT_S: Final = 1.0


class Outbox:
    """A connection's queue of text frames to send, and the task that sends them."""

    __slots__ = (
        "_closing",
        "_owner",
        "_queue",
        "_queued_bytes",
        "_send",
        "_task",
        "_wake",
        "limit",
        "limit_bytes",
    )

    def __init__(
        self, send: Send, limit: int = DEFAULT_OUTBOX_LIMIT, limit_bytes: int = DEFAULT_OUTBOX_BYTES
    ) -> None:
        self._send = send
        self.limit = limit
        self.limit_bytes = limit_bytes
        self._queued_bytes = 0  # characters, as good as bytes for JSON
        # The connection's task, which waits on the client: after a close frame the ASGI
        # server tells it the connection is over; if the close cannot be sent (a client that
        # stopped reading), it is cancelled instead.
        self._owner = asyncio.current_task()
        self._queue: deque[str] = deque()
        self._wake = asyncio.Event()
        self._closing: tuple[int, str] | None = None
        self._task = asyncio.get_running_loop().create_task(self._write())

    def push(self, text: str) -> None:
        """Queue one frame; a full queue closes the connection (the client is too slow)."""
        if self._closing is not None:
            return
        queue = self._queue
        self._queued_bytes += len(text)
        if len(queue) >= self.limit or self._queued_bytes > self.limit_bytes:
            queue.clear()
            self._queued_bytes = 0
            self._closing = (TRY_AGAIN_LATER, "Client is too slow to read its messages.")
            # The writer may be stuck on a full socket: drop it and close now.
            self._task.cancel()
            self._task = asyncio.get_running_loop().create_task(self._send_close())
            return
        queue.append(text)
        if len(queue) == 1:
            self._wake.set()

    def close(self, code: int, reason: str = "") -> None:
        """Send what is queued, then a close frame with `code`; the connection then ends."""
        if self._closing is None:
            self._closing = (code, reason)
            self._wake.set()

    async def _write(self) -> None:
        queue, send = self._queue, self._send
        try:
            while True:
                while queue:
                    text = queue.popleft()
                    self._queued_bytes -= len(text)
                    await send({"type": "websocket.send", "text": text})
                if self._closing is not None:
                    await self._send_close()
                    return
                self._wake.clear()
                await self._wake.wait()
        except Exception:
            return  # the client went away; the receive loop sees the disconnect

    async def _send_close(self) -> None:
        assert self._closing is not None
        code, reason = self._closing
        try:
            await asyncio.wait_for(
                self._send({"type": "websocket.close", "code": code, "reason": reason}),
                _CLOSE_WAIT_S,
            )
        except Exception:
            if self._owner is not None:
                self._owner.cancel()

    async def stop(self) -> None:
        """End the writer (the connection is over)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class IncomingLimit:
    """Binance's WebSocket rule: at most `per_second` messages from a client per second
    (fixed one-second windows); beyond that the connection is dropped. Both WebSocket
    protocols count a client's pings and pongs with one too (`ws_control_frames_per_s`)."""

    __slots__ = ("_count", "_second", "per_second")

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._second = -1
        self._count = 0

    def allow(self, now_ms: int) -> bool:
        second = now_ms // 1000
        if second != self._second:
            self._second = second
            self._count = 0
        self._count += 1
        return self._count <= self.per_second


def frame_text(message: Message) -> str | None:
    """The text of a received frame (binary frames as UTF-8), or None when the message
    says the connection is over."""
    if message["type"] != "websocket.receive":
        return None
    text = message.get("text")
    if text is None:
        data = message.get("bytes") or b""
        return data.decode("utf-8", "replace")  # type: ignore[no-any-return,unused-ignore]
    return text  # type: ignore[no-any-return]


def query_params(scope: Scope) -> dict[str, str]:
    from urllib.parse import parse_qsl

    raw: bytes = scope.get("query_string", b"")
    return dict(parse_qsl(raw.decode("latin-1")))
