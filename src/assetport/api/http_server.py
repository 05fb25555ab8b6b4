"""The REST endpoints answered on uvicorn's HTTP protocol, below the ASGI layer.

`http_protocol(gateway, endpoints, admission)` makes the protocol class for uvicorn's
`http` setting: uvicorn's own httptools protocol (parsing, keep-alive, pipelining, flow
control, shutdown all unchanged), except that a request for one of the Binance REST
endpoints gets a `RestCycle` instead of uvicorn's ASGI request cycle. The cycle runs the
same pipeline as the Starlette routes (`http.answer_request`) from the raw request parts,
and writes the status line, headers and body in one `transport.write`. Placing and
canceling an order (endpoints with a `submit` form) go further: when the whole request
arrived in one read, they are checked right there and their answer is written from the
engine's reply callback (`http.answer_submitted`), with no task, coroutine or future per
request. Everything else (the operator, account and web pages, the market streams'
upgrade, a path written with %-escapes) goes through the ASGI app as before.

Why: a signed order is a few tens of microseconds of our own work; the ASGI layer (scope,
receive and send message dicts, an event per request, header checks, the headers and the
body written apart, then Starlette's routing and Request/Response objects) cost more than
that per request, and a task with its future cost about a tenth of the server's time per
order (benchmarks/api_load.py: 4,500-5,500 signed REST orders/s with it, 6,200-7,200
without).

Every request, whichever way it goes, is held to the transport's limits here, as the
parser reads it and before anything else sees it (`transport_limits`, `admission`): a
banned address's 418, the URL (414) and the headers (431) once the head is in, and a head
that grows past both while it arrives (the parser is fed a slice at a time, so one endless
header line is cut off too), the body (413, from Content-Length before it is read, or as a
chunked one grows; its chunk framing and trailers are held to the header limit), the time
to read it (408; a connection that sends nothing is closed), and the connections per
address (-1034, 429). A refused request is
weighed against its address, answered with Binance's JSON error and `connection: close`;
what the client still sends is read and dropped for a moment, so that it reads the answer
rather than a reset.
"""

import asyncio
from collections.abc import Iterable
from typing import Any, Final

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from assetport.api import errors
from assetport.api.admission import Admission
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.api.http import (
    Answer,
    Endpoint,
    RawRequest,
    answer_request,
    answer_submitted,
)
from assetport.api.proxies import TrustedProxies
from assetport.api.transport_limits import (
    MALFORMED_REQUEST,
    headers_too_large,
    request_timeout,
    url_too_long,
)
from assetport.edge.sessions import session_credentials

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"
# What a client sends is handed to the parser this much at a time, and counted in between.
_SLICE: Final = 8192
# After a refusal, what the client still sends is read and dropped for this long, or until
# this much has come, whichever is first; then the connection is reset. Enough for a plain
# client that writes a whole oversized body before it reads (the 9.9 MB); dropping
# costs the loop a copy per byte, so beyond it the client is not worth it.
_LINGER_S: Final = 2.0
_LINGER_BYTES: Final = 16 << 20


class _Refused(Exception):
    """Raised in a parser callback to stop parsing a request already answered."""


class _Signal:
    """What uvicorn's protocol sets when the request's body grows or ends, or the client
    goes away (an `asyncio.Event` in its own cycle; here a future made only if waited on)."""

    __slots__ = ("waiter",)

    def __init__(self) -> None:
        self.waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        self.waiter = asyncio.get_running_loop().create_future()
        await self.waiter
        self.waiter = None


class RestCycle:
    """One request to a REST endpoint, with the attributes uvicorn's protocol reads and
    writes on its request cycles (`body`, `more_body`, `message_event`, `disconnected`,
    `keep_alive`, `response_complete`, `run_asgi`)."""

    __slots__ = (
        "body",
        "disconnected",
        "endpoint",
        "expect_continue",
        "headers",
        "keep_alive",
        "message_event",
        "more_body",
        "protocol",
        "query",
        "response_complete",
    )

    def __init__(
        self,
        protocol: "GatewayHttp",
        endpoint: Endpoint,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        keep_alive: bool,
    ) -> None:
        self.protocol = protocol
        self.endpoint = endpoint
        self.query = query
        self.headers = headers
        self.keep_alive = keep_alive
        self.expect_continue = protocol.expect_100_continue
        self.body = bytearray()
        self.more_body = True
        self.message_event = _Signal()
        self.disconnected = False
        self.response_complete = False

    async def run_asgi(self, app: Any) -> None:
        """Read the body, answer, write the response (the name is uvicorn's)."""
        protocol = self.protocol
        transport = protocol.transport
        if self.more_body and self.expect_continue and not transport.is_closing():
            transport.write(_CONTINUE)
        while self.more_body and not self.disconnected:
            protocol.flow.resume_reading()
            await self.message_event.wait()
        if self.disconnected:
            return
        answer = await answer_request(protocol.gateway, self.endpoint, self._raw())
        self.respond(answer)

    def answer_now(self) -> None:
        """The whole request is here and its endpoint has a `submit` form: check it and
        hand its command to the engine now; the response is written from the engine's
        acknowledgement, with no task and no future in between."""
        answer_submitted(self.protocol.gateway, self.endpoint, self._raw(), self.respond)

    def _raw(self) -> RawRequest:
        content_type = ""
        api_key: str | None = None
        repeated_api_key = False
        cookie: str | None = None
        csrf_token: str | None = None
        forwarded_for: bytes | None = None
        time_unit: str | None = None
        for name, value in self.headers:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"x-mbx-apikey":
                if api_key is None:
                    api_key = value.decode("latin-1")
                else:
                    repeated_api_key = True
            elif name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"x-csrf-token":
                csrf_token = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded_for = value  # the last one, as `GatewayHttp.client_address` reads
            elif name == b"x-mbx-time-unit":
                time_unit = value.decode("latin-1")
        return RawRequest(
            raw_query=self.query,
            body=bytes(self.body),
            content_type=content_type,
            api_key=api_key,
            ip=self.protocol.client_address(forwarded_for),
            session=session_credentials(cookie, csrf_token),
            repeated_api_key=repeated_api_key,
            time_unit=time_unit,
        )

    def respond(self, answer: Answer) -> None:
        """Write the status line, headers and body in one write; then let the protocol take
        the connection's next request."""
        if self.disconnected:
            return
        protocol = self.protocol
        transport = protocol.transport
        parts = [STATUS_LINE[answer.status]]
        for name, value in protocol.server_state.default_headers:
            parts += (name, b": ", value, b"\r\n")
        for text_name, text_value in answer.headers:
            parts += (text_name.encode(), b": ", text_value.encode(), b"\r\n")
        if not self.keep_alive:
            parts.append(b"connection: close\r\n")
        body = answer.body
        parts += (
            b"content-type: application/json\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\n\r\n",
            body,
        )
        transport.write(b"".join(parts))
        self.response_complete = True
        if not self.keep_alive:
            transport.close()
        protocol.on_response_complete()


class GatewayHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with the REST endpoints taken before the ASGI app, and
    every request held to the transport's limits (see the module's docstring).

    A request to an endpoint with a `submit` form (placing and canceling orders) waits in
    `_waiting` while the parser reads its body; when the message ends within the same
    read, as a small order's does, it is answered from the engine's callback
    (`RestCycle.answer_now`) instead of by a task per request. A body still arriving when
    the read ends, or a request pipelined behind another, takes the task path, whose cycle
    waits for the rest of the body with uvicorn's flow control.
    """

    gateway: Gateway
    endpoints: dict[tuple[bytes, bytes], Endpoint]
    admission: Admission
    # Paths whose bodies are files (NFT media): the most each may carry, above the limit.
    uploads: dict[bytes, int]
    _waiting: RestCycle | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.url = b""  # uvicorn sets both at a request's first byte: read before that too
        self.headers = []
        self.proxies: TrustedProxies = self.admission.proxies
        limits = self.limits = self.admission.limits
        # The exact limits are checked on the whole head (`_admit`); these bounds on the
        # bytes a request takes on the wire stop one that never ends: a head (e.g. one
        # endless line) a slice past the URL and headers together, and after it a chunked
        # body's framing and trailers (header lines the parser keeps, as it does a head's)
        # past the body and headers limits.
        self.head_bound = limits.max_head_bytes + _SLICE
        self.request_bound = self.head_bound + limits.max_body_bytes + limits.max_header_bytes
        self.bound = self.head_bound  # of the part of the request being read
        self.peer = "0.0.0.0"
        self.behind_proxy = False  # the peer is a trusted proxy: X-Forwarded-For is believed
        self.reading_body = False
        self.body_limit = limits.max_body_bytes  # of the request being read
        self.request_bytes = 0  # read of the request begun (with at most a slice more)
        self.body_bytes = 0
        self.deadline: float | None = None  # when the request being read must be in
        self.timer: asyncio.TimerHandle | None = None
        self.linger: asyncio.TimerHandle | None = None
        self.refused = False
        self.dropped = 0  # bytes read and dropped since the refusal
        self.fed = 0  # of the read being parsed, the bytes before the piece being parsed

    # -- the connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        client = self.client
        self.peer = client[0] if client else "0.0.0.0"
        self.behind_proxy = bool(self.proxies) and self.proxies.trusts(self.peer)
        self._read_by()  # a connection that never sends a request is closed too
        error = self.admission.connect(transport, self.peer)
        if error is not None:
            self._refuse(error, weigh=False)  # weighed already, if it is to be

    def connection_lost(self, exc: Exception | None) -> None:
        self.admission.disconnect(self.transport)
        self.deadline = None
        for timer in (self.timer, self.linger):
            if timer is not None:
                timer.cancel()
        self.timer = self.linger = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:  # answered and closing: what still comes is dropped, up to a point
            self.dropped += len(data)
            if self.dropped > _LINGER_BYTES:
                self.transport.abort()
            return
        if self.timeout_keep_alive_task is not None:  # idle since an answer, until now
            self._unset_keepalive_if_required()
            self._read_by()  # what comes must make a request in time, be it bare line ends
        self.fed = 0
        try:
            self._feed(data)
        except httptools.HttpParserUpgrade as upgrade:
            self.deadline = None  # a WebSocket now: its protocol keeps its own time
            if self._should_upgrade():
                self.handle_websocket_upgrade()
                # What came with the head is the WebSocket's (uvicorn drops it): a client
                # that did not wait for the 101 is still held to the frame limits.
                rest = data[self.fed + int(upgrade.args[0]) :] if upgrade.args else b""
                if rest and not self.transport.is_closing():
                    self.transport.get_protocol().data_received(rest)  # type: ignore[attr-defined]
            else:
                self._unsupported_upgrade_warning()
            return
        except (httptools.HttpParserError, _Refused):
            if not self.refused:  # the parser's own error: not HTTP
                self._refuse(MALFORMED_REQUEST.error())
            return
        waiting = self._waiting
        if waiting is not None:  # its body goes on in a later read
            self._waiting = None
            self._start_asgi_task(waiting, self.app)  # type: ignore[arg-type]

    def _feed(self, data: bytes) -> None:
        """Hand `data` to the parser a slice at a time, counted in between, so the parser
        never holds much more of a request's header lines than the limits allow (it keeps
        a line it has not finished in memory, growing with each piece)."""
        parser = self.parser
        if len(data) <= _SLICE:
            parser.feed_data(data)
            self._count(len(data))
            return
        view = memoryview(data)
        for at in range(0, len(data), _SLICE):
            self.fed = at  # where the piece being parsed starts
            piece = view[at : at + _SLICE]
            parser.feed_data(piece)
            self._count(len(piece))

    def _count(self, size: int) -> None:
        self.request_bytes += size
        if self.request_bytes > self.bound:
            limits = self.limits
            if self.reading_body:
                error = errors.body_too_large(self.body_limit)
            elif len(self.url) > limits.max_url_bytes:  # the URL is read as it arrives
                error = url_too_long(limits)
            else:
                error = headers_too_large(limits)
            self._refuse(error, self._client_address())
            raise _Refused

    # -- the parser's callbacks -----------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.body_bytes = 0
        self._read_by()

    def on_headers_complete(self) -> None:
        self._admit()
        self.reading_body = True
        self.bound = self.request_bound + self.body_limit - self.limits.max_body_bytes
        parser = self.parser
        endpoint = None
        if self.limit_concurrency is None and not parser.should_upgrade():
            url = self.url
            at = url.find(b"?")
            path = url if at < 0 else url[:at]
            endpoint = self.endpoints.get((parser.get_method(), path))
        if endpoint is None:
            super().on_headers_complete()
            return
        at = self.url.find(b"?")
        query = b"" if at < 0 else self.url[at + 1 :]
        keep_alive = parser.get_http_version() != "1.0" and parser.should_keep_alive()
        cycle = RestCycle(self, endpoint, query, self.headers, keep_alive)
        existing = self.cycle
        self.cycle = cycle  # type: ignore[assignment]
        if existing is None or existing.response_complete:
            if endpoint.submit is not None:
                self._waiting = cycle
            else:
                self._start_asgi_task(cycle, self.app)  # type: ignore[arg-type]
        else:  # pipelined behind the request being answered: uvicorn queues it
            self.flow.pause_reading()
            self.pipeline.appendleft((cycle, self.app))  # type: ignore[arg-type]

    def _admit(self) -> None:
        """The head is in: a banned address gets its 418; a URL, headers or a declared
        body over the limits their 414, 431 or 413, before the body is read or anything
        parsed. (A head that grows past the limits while it arrives is cut off earlier,
        by `_count`.)"""
        client = self._client_address()
        banned = self.admission.banned(client)
        if banned is not None:
            self._refuse(banned, client, weigh=False)
            raise _Refused
        limits = self.limits
        if len(self.url) > limits.max_url_bytes:
            self._refuse(url_too_long(limits), client)
            raise _Refused
        at = self.url.find(b"?")
        path = self.url if at < 0 else self.url[:at]
        self.body_limit = max(limits.max_body_bytes, self.uploads.get(path, 0))
        headers = self.headers
        size = 0
        declared = 0
        for name, value in headers:
            size += len(name) + len(value)
            if name == b"content-length":
                declared = int(value)
        if size > limits.max_header_bytes or len(headers) > limits.max_headers:
            self._refuse(headers_too_large(limits), client)
            raise _Refused
        if declared > self.body_limit:
            self._refuse(errors.body_too_large(self.body_limit), client)
            raise _Refused

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.body_limit:  # a chunked body, growing
            self._refuse(errors.body_too_large(self.body_limit), self._client_address())
            raise _Refused
        super().on_body(body)

    def on_message_complete(self) -> None:
        self.reading_body = False
        self.body_limit = self.limits.max_body_bytes
        self.bound = self.head_bound
        self.request_bytes = 0
        self.deadline = None
        super().on_message_complete()
        waiting = self._waiting  # the request whose message just ended, if it waits
        if waiting is not None:
            self._waiting = None
            waiting.answer_now()

    def client_address(self, forwarded_for: bytes | None) -> str:
        """The address a request is weighed and banned by: the peer's, or for a trusted
        proxy the client its X-Forwarded-For names."""
        if forwarded_for is None or not self.behind_proxy:
            return self.peer
        return self.proxies.client(self.peer, forwarded_for.decode("latin-1"))

    def _client_address(self) -> str:
        """`client_address` of the request being read. Of several X-Forwarded-For headers
        the last counts, as everywhere (`api/proxies.py`): a proxy that adds its own header
        puts it after any the client sent."""
        forwarded_for = None
        if self.behind_proxy:
            for name, value in self.headers:
                if name == b"x-forwarded-for":
                    forwarded_for = value
        return self.client_address(forwarded_for)

    # -- time ----------------------------------------------------------------------------

    def _read_by(self) -> None:
        """The request now begun (or the first one) must be in within the timeout. One
        timer per connection, moved on lazily: most requests take no timer call at all."""
        timeout = self.limits.request_timeout_s
        self.deadline = self.loop.time() + timeout
        if self.timer is None:
            self.timer = self.loop.call_later(timeout, self._check_deadline)

    def _check_deadline(self) -> None:
        self.timer = None
        deadline = self.deadline
        if deadline is None or self.refused or self.transport.is_closing():
            return
        remaining = deadline - self.loop.time()
        if remaining > 0:
            self.timer = self.loop.call_later(remaining, self._check_deadline)
        elif self.request_bytes:
            self._refuse(request_timeout(self.limits), self._client_address())
        else:  # sent nothing at all: closed without a word
            self.transport.close()

    # -- refusing --------------------------------------------------------------------------

    def _refuse(self, error: ApiError, client: str | None = None, *, weigh: bool = True) -> None:
        """Answer `error` and close the connection. A refused request is weighed against
        its address (its 429 or 418 is then the answer). What the client still sends is
        read and dropped for `_LINGER_S` or `_LINGER_BYTES` (a banned address's is not
        read): closing at once with unread input would reset the connection, and a client
        still writing could lose the answer on the way."""
        if self.refused:
            return
        self.refused = True
        self.deadline = None
        client = client if client is not None else self.peer
        if weigh:
            error = self.admission.refused(client, error)
        transport = self.transport
        cycle = self.cycle
        self._waiting = None
        if self.reading_body and cycle is not None:  # its own cycle never answers now
            cycle.disconnected = True
            cycle.message_event.set()
        earlier = cycle is not None and not self.reading_body and not cycle.response_complete
        if earlier or self.pipeline or transport.is_closing():
            # An earlier request's answer is still due, and answers go in order: none.
            transport.abort()
            return
        transport.write(self._refusal(error, client))
        if transport.can_write_eof():
            transport.write_eof()
        if error.http_status == 418:  # a banned address's input is not worth reading
            self.linger = self.loop.call_later(0.1, transport.abort)
            return
        self.flow.resume_reading()
        self.linger = self.loop.call_later(_LINGER_S, transport.abort)

    def _refusal(self, error: ApiError, client: str) -> bytes:
        status = error.http_status
        parts = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            parts += (name, b": ", value, b"\r\n")
        now = self.gateway.clock_ms()
        headers = self.gateway.limiter.weight_usage(client, now).headers()
        if error.retry_after is not None:
            headers.append(("Retry-After", str(error.retry_after)))
        for text_name, text_value in headers:
            parts += (text_name.encode(), b": ", text_value.encode(), b"\r\n")
        body = error.body()
        parts += (
            b"content-type: application/json\r\nconnection: close\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\n\r\n",
            body,
        )
        return b"".join(parts)


def http_protocol(
    gateway: Gateway,
    endpoints: Iterable[Endpoint],
    admission: Admission,
    uploads: dict[str, int] | None = None,
) -> type[GatewayHttp]:
    """The protocol class for uvicorn's `http` setting; `admission` (its limits and trusted
    proxies) is shared with the WebSocket protocol; `uploads` the paths whose bodies are
    files, each with the most it may carry (above the body limit)."""
    table = {(e.method.encode(), e.path.encode()): e for e in endpoints}
    files = {path.encode(): most for path, most in (uploads or {}).items()}
    attributes = {"gateway": gateway, "endpoints": table, "admission": admission, "uploads": files}
    return type("GatewayHttpProtocol", (GatewayHttp,), attributes)
