"""The REST endpoints answered on uvicorn's HTTP protocol, below the ASGI layer.

`http_protocol(gateway, endpoints)` makes the protocol class for uvicorn's `http` setting:
uvicorn's own httptools protocol (parsing, keep-alive, pipelining, flow control, shutdown
all unchanged), except that a request for one of the Binance REST endpoints gets a
`RestCycle` instead of uvicorn's ASGI request cycle. The cycle runs the same pipeline as
the Starlette routes (`http.answer_request`) from the raw request parts, and writes the
status line, headers and body in one `transport.write`. Placing and canceling an order
(endpoints with a `submit` form) go further: when the whole request arrived in one read,
they are checked right there and their answer is written from the engine's reply callback
(`http.answer_submitted`), with no task, coroutine or future per request. Everything else
(the operator, account and web pages, the market streams' upgrade, a path written with
%-escapes) goes through the ASGI app as before.

Why: a signed order is a few tens of microseconds of our own work; the ASGI layer (scope,
receive and send message dicts, an event per request, header checks, the headers and the
body written apart, then Starlette's routing and Request/Response objects) cost more than
that per request, and a task with its future cost about a tenth of the server's time per
order (benchmarks/api_load.py: 4,500-5,500 signed REST orders/s with it, 6,200-7,200
without).
"""

import asyncio
from collections.abc import Iterable
from typing import Any, Final

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from assetport.api.gateway import Gateway
from assetport.api.http import (
    Answer,
    Endpoint,
    RawRequest,
    answer_request,
    answer_submitted,
    session_credentials,
)

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


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
        cookie: str | None = None
        csrf_token: str | None = None
        for name, value in self.headers:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"x-mbx-apikey":
                api_key = value.decode("latin-1")
            elif name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"x-csrf-token":
                csrf_token = value.decode("latin-1")
        client = self.protocol.client
        return RawRequest(
            raw_query=self.query,
            body=bytes(self.body),
            content_type=content_type,
            api_key=api_key,
            ip=client[0] if client else "0.0.0.0",
            session=session_credentials(cookie, csrf_token),
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
    """uvicorn's httptools protocol with the REST endpoints taken before the ASGI app.

    A request to an endpoint with a `submit` form (placing and canceling orders) waits in
    `_waiting` while the parser reads its body; when the message ends within the same
    read, as a small order's does, it is answered from the engine's callback
    (`RestCycle.answer_now`) instead of by a task per request. A body still arriving when
    the read ends, or a request pipelined behind another, takes the task path, whose cycle
    waits for the rest of the body with uvicorn's flow control.
    """

    gateway: Gateway
    endpoints: dict[tuple[bytes, bytes], Endpoint]
    _waiting: RestCycle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        waiting = self._waiting
        if waiting is not None:  # its body goes on in a later read
            self._waiting = None
            self._start_asgi_task(waiting, self.app)  # type: ignore[arg-type]

    def on_message_complete(self) -> None:
        super().on_message_complete()
        waiting = self._waiting  # the request whose message just ended, if it waits
        if waiting is not None:
            self._waiting = None
            waiting.answer_now()

    def on_headers_complete(self) -> None:
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


def http_protocol(gateway: Gateway, endpoints: Iterable[Endpoint]) -> type[GatewayHttp]:
    """The protocol class for uvicorn's `http` setting."""
    table = {(e.method.encode(), e.path.encode()): e for e in endpoints}
    return type("GatewayHttpProtocol", (GatewayHttp,), {"gateway": gateway, "endpoints": table})
