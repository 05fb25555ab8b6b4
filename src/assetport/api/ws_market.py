"""Market streams over WebSocket (docs/binance-api.md, "Market streams"): `/ws/<anything>` (raw
payloads) and `/stream?streams=a/b/c` (combined: `{"stream": name, "data": payload}`), with
Binance's JSON commands SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY.

Every command with an `id` is answered (`{"result": null, "id": 1}`): ccxt starts its order
book snapshot only on that acknowledgement. Payloads come from `MarketData` through the
gateway's 100 ms publication; each is encoded once and shared by every connection that
listens to its stream. A listenKey in place of a stream name gives that key's user events.
`?timeUnit=MICROSECOND` on the URL (`/ws/<name>?timeUnit=...`, `/stream?streams=...&timeUnit=...`)
gives the connection every payload with its times in microseconds: market data renders such a
variant only for names someone listens to that way (`streams.MICRO_SUFFIX`), and a listenKey's
events are rendered in it too; another unit is refused at the handshake (-1194, HTTP 400).
An NFT collection's `<code>@nft` stream (`api/nft_stream.py`) is fed from the gateway's NFT
view as each command is applied, not on the cadence: its listings, bids and sales are
events, not batches; the same outboxes bound it.
"""

import asyncio
import contextlib
from collections.abc import Container
from typing import Any, Final
from urllib.parse import unquote

import msgspec

from assetport.api import errors, nft_stream
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.api.listen_keys import ListenKeys
from assetport.api.ws_connection import (
    IncomingLimit,
    Outbox,
    Receive,
    Scope,
    Send,
    frame_text,
)
from assetport.api.ws_frames import POLICY_VIOLATION
from assetport.domain.commands import Command
from assetport.domain.events import Event
from assetport.edge import bounded_json
from assetport.marketdata import time_unit
from assetport.marketdata.streams import MICRO_SUFFIX, parse_stream
from assetport.views.orders import OrderChange

MAX_STREAMS: Final = 1024
MESSAGES_PER_SECOND: Final = 5
_EXPIRY_CHECK_MS: Final = 1000

_encode = msgspec.json.encode
_decode = bounded_json.decode  # size and depth bounded: never a RecursionError


class _CommandError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class _Connection:
    """One client: its streams, its listen keys, how it wants payloads framed and the unit of
    their times (`micro`: `?timeUnit=MICROSECOND` on its URL)."""

    __slots__ = ("combined", "listen_keys", "micro", "outbox", "streams")

    def __init__(self, outbox: Outbox, combined: bool, micro: bool = False) -> None:
        self.outbox = outbox
        self.combined = combined
        self.micro = micro
        self.streams: list[str] = []  # in subscription order, as LIST_SUBSCRIPTIONS shows
        self.listen_keys: dict[str, _ListenKeySocket] = {}

    def count(self) -> int:
        return len(self.streams) + len(self.listen_keys)


class _ListenKeySocket:
    """A listen key's user events on one connection: raw, or wrapped when combined."""

    __slots__ = ("connection", "micro", "name")

    def __init__(self, connection: _Connection, name: str) -> None:
        self.connection = connection
        self.name = name
        self.micro = connection.micro  # user data renders its events in this unit

    def deliver(self, event: dict[str, Any]) -> None:
        if self.connection.combined:
            event = {"stream": self.name, "data": event}
        self.connection.outbox.push(_encode(event).decode())


class MarketStreams:
    def __init__(self, gateway: Gateway, listen_keys: ListenKeys) -> None:
        self.gateway = gateway
        self.listen_keys = listen_keys
        self.symbols: Container[str] = gateway.markets
        # Stream name -> the connections listening: also what market data renders.
        self.listeners: dict[str, set[_Connection]] = {}
        gateway.stream_sinks.append(self.publish)
        gateway.stream_interest = self.listeners
        gateway.listeners.append(self._nft_events)
        self._nft_streams = 0  # NFT streams someone listens to: none, nothing to render
        self._next_expiry_check = 0

    # -- publication (on the gateway's 100 ms cadence) -------------------------------------

    def publish(self, messages: dict[str, list[Any]]) -> None:
        self._deliver(messages)
        now = self.gateway.clock_ms()
        if now >= self._next_expiry_check:
            self._next_expiry_check = now + _EXPIRY_CHECK_MS
            self.listen_keys.expire(now)

    def _nft_events(
        self, seq: int, command: Command, events: list[Event], changes: list[OrderChange]
    ) -> None:
        """A command's NFT market events, to those who listen to their collection's stream
        (called after the gateway's views took the command)."""
        if self._nft_streams:
            gateway = self.gateway
            found = nft_stream.messages(events, gateway.nft, gateway.markets, self.listeners)
            if found:
                self._deliver(found)

    def _deliver(self, messages: dict[str, list[Any]]) -> None:
        listeners = self.listeners
        for key, payloads in messages.items():
            connections = listeners.get(key)
            if not connections:
                continue
            name = key.removesuffix(MICRO_SUFFIX)  # a microsecond variant's stream
            for payload in payloads:
                raw = _encode(payload).decode()
                wrapped = ""
                for connection in connections:
                    if connection.combined:
                        if not wrapped:
                            wrapped = f'{{"stream":"{name}","data":{raw}}}'
                        connection.outbox.push(wrapped)
                    else:
                        connection.outbox.push(raw)

    # -- connections --------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app of `/ws`, `/ws/<name>` and `/stream`."""
        if (await receive())["type"] != "websocket.connect":
            return
        combined = scope["path"].startswith("/stream")
        query = _query(scope)
        if combined:
            names = [n for n in query.get("streams", "").split("/") if n]
        else:
            tail = scope.get("path_params", {}).get("name", "")
            names = [tail] if tail else []
        micro = time_unit.parse(query.get("timeUnit", "MILLISECOND"))
        if micro is None:
            await _refuse(send, errors.INVALID_TIME_UNIT.error())
            return
        await send({"type": "websocket.accept"})
        outbox = Outbox(send)
        connection = _Connection(outbox, combined, micro)
        try:
            for name in names[:MAX_STREAMS]:
                # A path tail that is not a stream (ccxt's /ws/0) just waits for SUBSCRIBE.
                with contextlib.suppress(_CommandError):
                    self._subscribe(connection, name)
            await self._serve(connection, receive)
        except asyncio.CancelledError:
            pass  # the outbox gave up on a client that stopped reading
        finally:
            self._drop(connection)
            await outbox.stop()

    async def _serve(self, connection: _Connection, receive: Receive) -> None:
        limit = IncomingLimit(MESSAGES_PER_SECOND)
        outbox = connection.outbox
        while True:
            text = frame_text(await receive())
            if text is None:
                return
            if not limit.allow(self.gateway.clock_ms()):
                outbox.close(POLICY_VIOLATION, "Too many messages; the limit is 5 per second.")
                continue
            reply = self._command(connection, text)
            if reply is not None:
                outbox.push(_encode(reply).decode())

    def _command(self, connection: _Connection, text: str) -> dict[str, Any] | None:
        try:
            message = _decode(text)
        except msgspec.DecodeError as exc:
            return {"error": {"code": 3, "msg": f"Invalid JSON: {exc}"}, "id": None}
        request_id = message.get("id") if isinstance(message, dict) else None
        try:
            if not isinstance(message, dict):
                raise _CommandError(2, "Invalid request: expected an object.")
            if request_id is not None and (
                isinstance(request_id, bool) or not isinstance(request_id, (int, str))
            ):
                raise _CommandError(2, "Invalid request: 'id' must be an integer or a string.")
            result = self._run(connection, message.get("method"), message.get("params"))
        except _CommandError as error:
            return {"error": {"code": error.code, "msg": error.msg}, "id": request_id}
        return {"result": result, "id": request_id}

    def _run(self, connection: _Connection, method: Any, params: Any) -> Any:
        if method == "SUBSCRIBE":
            names = _names(params)
            for name in names:
                self._check(connection, name)
            if connection.count() + len(set(names)) > MAX_STREAMS:
                raise _CommandError(2, f"Invalid request: more than {MAX_STREAMS} streams.")
            for name in names:
                self._subscribe(connection, name)
            return None
        if method == "UNSUBSCRIBE":
            for name in _names(params):
                self._unsubscribe(connection, name)
            return None
        if method == "LIST_SUBSCRIPTIONS":
            return [*connection.streams, *connection.listen_keys]
        if method == "SET_PROPERTY":
            if not isinstance(params, list) or len(params) != 2:
                raise _CommandError(2, "Invalid request: SET_PROPERTY takes [name, value].")
            if params[0] != "combined":
                raise _CommandError(0, "Unknown property")
            if not isinstance(params[1], bool):
                raise _CommandError(1, "Invalid value type: expected Boolean")
            connection.combined = params[1]
            return None
        if method == "GET_PROPERTY":
            if not isinstance(params, list) or len(params) != 1:
                raise _CommandError(2, "Invalid request: GET_PROPERTY takes [name].")
            if params[0] != "combined":
                raise _CommandError(0, "Unknown property")
            return connection.combined
        raise _CommandError(2, f"Invalid request: unknown method {method!r}.")

    def _check(self, connection: _Connection, name: str) -> bool:
        """Whether `name` is a listen key (else a stream); `_CommandError` for neither."""
        if self.listen_keys.is_key(name):
            return True
        collection = nft_stream.collection_of(name) if isinstance(name, str) else None
        if collection is not None:
            if self.gateway.nft.collection(collection) is None:
                raise _CommandError(2, f"Invalid request: no NFT collection {collection!r}")
            return False
        stream = parse_stream(name, self.symbols)
        if isinstance(stream, str):
            raise _CommandError(2, f"Invalid request: {stream}")
        return False

    def _subscribe(self, connection: _Connection, name: str) -> None:
        if self._check(connection, name):
            if name not in connection.listen_keys:
                socket = _ListenKeySocket(connection, name)
                if self.listen_keys.attach(name, socket):
                    connection.listen_keys[name] = socket
            return
        if name not in connection.streams:
            connection.streams.append(name)
            key = _key(connection, name)
            listening = self.listeners.setdefault(key, set())
            if not listening and name.endswith(nft_stream.SUFFIX):
                self._nft_streams += 1
            listening.add(connection)

    def _unsubscribe(self, connection: _Connection, name: str) -> None:
        socket = connection.listen_keys.pop(name, None)
        if socket is not None:
            self.listen_keys.detach(name, socket)
        if name in connection.streams:
            connection.streams.remove(name)
            key = _key(connection, name)
            listening = self.listeners.get(key)
            if listening is not None:
                listening.discard(connection)
                if not listening:
                    del self.listeners[key]
                    if name.endswith(nft_stream.SUFFIX):
                        self._nft_streams -= 1

    def _drop(self, connection: _Connection) -> None:
        for name in [*connection.streams, *connection.listen_keys]:
            self._unsubscribe(connection, name)


def _query(scope: Scope) -> dict[str, str]:
    """The URL's query parameters, %-escapes decoded but a `+` kept as it is: it is part of
    stream names (`btcusdt@kline_1d@+08:00`), not a space. A second `?` starts more of them:
    python-binance's `multiplex_socket` writes `/stream?streams=a/b?timeUnit=MICROSECOND`."""
    found: dict[str, str] = {}
    raw: bytes = scope.get("query_string", b"")
    for part in raw.decode("latin-1").replace("?", "&").split("&"):
        name, _, value = part.partition("=")
        if name:
            found.setdefault(unquote(name), unquote(value))
    return found


def _key(connection: _Connection, name: str) -> str:
    """Where `connection`'s listening to `name` is kept in `MarketStreams.listeners`: a
    microsecond listener under the name with `MICRO_SUFFIX`, whose payloads market data
    renders apart. The NFT streams (`api/nft_stream.py`) are rendered in milliseconds only."""
    if connection.micro and not name.endswith(nft_stream.SUFFIX):
        return name + MICRO_SUFFIX
    return name


async def _refuse(send: Send, error: ApiError) -> None:
    """Refuse the handshake with Binance's error as an HTTP answer."""
    body = error.body()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "websocket.http.response.start", "status": error.http_status, "headers": headers}
    )
    await send({"type": "websocket.http.response.body", "body": body})


def _names(params: Any) -> list[str]:
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise _CommandError(2, "Invalid request: 'params' must be a list of stream names.")
    return params
