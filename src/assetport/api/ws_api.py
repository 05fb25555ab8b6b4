"""The WebSocket API at `/ws-api/v3` (docs/binance-api.md, "The WebSocket API").

A request is `{"id", "method", "params"}`; the answer `{"id", "status": 200, "result",
"rateLimits"}` or `{"id", "status": 4xx, "error": {"code", "msg"}, "rateLimits"}` with the
same codes and messages as REST. Signed params are `apiKey`, `timestamp`, `recvWindow` and a
`signature` over the other params sorted by name. After `session.logon` with an Ed25519 key,
requests need only their `timestamp`.

Most methods are REST endpoints under another name (`ws_api_methods.py`, one row each):
the same handler answers both, with the same weight and errors. The methods of the
connection itself (session.*, userDataStream.*, ping, time) are here.

A request's `returnRateLimits` (true/false) decides whether its answer shows `rateLimits`,
over the connection's `?returnRateLimits=`. A method name may carry Binance's version
prefix (`v3/order.place`).

The connection itself (handshake, frames, pings) is `ws_server.py`'s; it hands each text
message to `WebSocketApi.receive` and gets the answers through its `Sink`. The order path
is kept lean, as market makers live on it: a request to an endpoint with a `submit` form
(order.place, order.cancel, order.cancelReplace, order.amend.keepPriority,
openOrders.cancelAll) is decoded, checked and submitted to the engine from the socket's
callback, without a task; the answer is sent from the callback of the engine's future.
Requests are handled in the order they arrive, so an order and its cancel sent back to
back are sequenced in that order; a method that has to wait (the reads, which run as
tasks) holds the connection's later requests until it is answered. Decimal numbers sent
as JSON numbers are read as `Decimal` (never float) and signed as written.
"""

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Final, Protocol

import msgspec

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway, refusal_error
from assetport.api.http import Call
from assetport.api.params import Params
from assetport.api.ratelimit import RateLimitType, Usage
from assetport.api.signing import check_key, check_timestamp, verify_signature, ws_payload
from assetport.api.user_data import UserData
from assetport.api.ws_api_methods import REST_METHODS, RestMethod
from assetport.domain.commands import Command
from assetport.edge import bounded_json
from assetport.edge.keys import ApiKey, KeyKind, Permission
from assetport.marketdata.time_unit import from_ms, in_microseconds
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome

MAX_SUBSCRIPTIONS: Final = 1000
CONNECT_WEIGHT: Final = 2
# Binance's request weights of the methods written here (a REST method weighs as its
# endpoint: `ws_api_methods.RestMethod.weight`).
WEIGHTS: Final = {
    "ping": 1,
    "time": 1,
    "session.logon": 2,
    "session.status": 2,
    "session.logout": 2,
    "userDataStream.subscribe": 2,
    "userDataStream.subscribe.signature": 2,
    "userDataStream.unsubscribe": 2,
}
_VERSION_PREFIX: Final = "v3/"  # Binance accepts "v3/order.place" for "order.place"
_NO_PARAMS: Final = Params({})  # a method's weight when its params were refused
logger = logging.getLogger(__name__)

_DEFERRED: Final = object()  # the answer comes later, from the engine's callback


class _Request(msgspec.Struct):
    method: str
    id: str | int | None = None
    params: dict[str, Any] = {}


_decoder: Final = bounded_json.Decoder(msgspec.json.Decoder(_Request, float_hook=Decimal))
_encode: Final = msgspec.json.encode


class Sink(Protocol):
    """Where a connection's messages go (`ws_server.ApiConnection`)."""

    def send_json(self, payload: bytes) -> None:
        """Queue one text message (UTF-8 JSON); a client too slow to read is disconnected."""
        ...


class _Subscription:
    """A user data subscription: events wrapped with the subscription's id."""

    __slots__ = ("account", "micro", "sink", "subscription_id")

    def __init__(self, sink: Sink, subscription_id: int, account: int, micro: bool) -> None:
        self.sink = sink
        self.subscription_id = subscription_id
        self.account = account
        self.micro = micro  # the connection's ?timeUnit=MICROSECOND

    def deliver(self, event: dict[str, Any]) -> None:
        self.sink.send_json(_encode({"subscriptionId": self.subscription_id, "event": event}))


class Session:
    """One connection's state: its logon, subscriptions, and requests waiting their turn."""

    __slots__ = (
        "authorized_since",
        "backlog",
        "connected_since",
        "ip",
        "key",
        "micro",
        "next_subscription",
        "return_rate_limits",
        "sink",
        "subscriptions",
        "task",
    )

    def __init__(
        self, sink: Sink, ip: str, now_ms: int, return_rate_limits: bool, micro: bool = False
    ) -> None:
        self.sink = sink
        self.ip = ip
        # ?timeUnit=MICROSECOND: every answer and user data event in microseconds.
        self.micro = micro
        self.connected_since = now_ms
        self.return_rate_limits = return_rate_limits
        self.key: ApiKey | None = None
        self.authorized_since = 0
        self.subscriptions: dict[int, _Subscription] = {}
        self.next_subscription = 0
        # While a method runs as a task: the requests received meanwhile, in order.
        self.backlog: deque[str] | None = None
        self.task: asyncio.Task[None] | None = None


class _Reply:
    """Where one request's answer goes, with the rate limits it used and whether to show
    them (the connection's choice unless the request made its own)."""

    __slots__ = ("rate_limits", "request_id", "session", "show_rate_limits")

    def __init__(self, session: Session, request_id: str | int | None) -> None:
        self.session = session
        self.request_id = request_id
        self.rate_limits: list[dict[str, Any]] = []
        self.show_rate_limits = session.return_rate_limits

    def ok(self, result: Any) -> None:
        answer: dict[str, Any] = {"id": self.request_id, "status": 200, "result": result}
        if self.show_rate_limits:
            answer["rateLimits"] = self.rate_limits
        self.session.sink.send_json(_encode(answer))

    def fail(self, error: ApiError) -> None:
        # REST's error body as it is: {"code", "msg"}, and cancel-replace's `data`.
        answer: dict[str, Any] = {
            "id": self.request_id,
            "status": error.http_status,
            "error": msgspec.Raw(error.body()),
        }
        if self.show_rate_limits and self.rate_limits:
            answer["rateLimits"] = self.rate_limits
        self.session.sink.send_json(_encode(answer))


Method = Callable[[Session, dict[str, Any], Params, int, _Reply], Any]
SlowMethod = Callable[[Session, dict[str, Any], Params, int, _Reply], Awaitable[Any]]


class WebSocketApi:
    def __init__(self, gateway: Gateway, user_data: UserData) -> None:
        self.gateway = gateway
        self.user_data = user_data
        limits = gateway.limiter.limits
        self._weight_limits = [
            lim.to_json() for lim in limits if lim.type is RateLimitType.REQUEST_WEIGHT
        ]
        self._order_limits = [lim.to_json() for lim in limits if lim.type is RateLimitType.ORDERS]
        # Answered at once (or from the engine's callback: _DEFERRED).
        self._methods: dict[str, Method] = {
            "ping": self._ping,
            "time": self._time,
            "session.logon": self._logon,
            "session.status": self._status,
            "session.logout": self._logout,
            "userDataStream.subscribe": self._subscribe,
            "userDataStream.subscribe.signature": self._subscribe_signed,
            "userDataStream.unsubscribe": self._unsubscribe,
        }
        # Run as a task (they share the REST handlers, which are coroutines).
        self._slow_methods: dict[str, SlowMethod] = {}
        for name, row in REST_METHODS.items():
            if row.endpoint.submit is not None:  # the order path, from the callback
                self._methods[name] = functools.partial(self._rest_submit, row)
            else:
                self._slow_methods[name] = functools.partial(self._rest_read, row)

    # -- a connection -------------------------------------------------------------------

    def open(self, sink: Sink, ip: str, return_rate_limits: bool, micro: bool = False) -> Session:
        """A new connection from `ip` (counted against its request weight); `micro` when
        its URL asked for microseconds."""
        gateway = self.gateway
        now = gateway.clock_ms()
        session = Session(sink, ip, now, return_rate_limits, micro)
        try:
            gateway.limiter.check_request(ip, CONNECT_WEIGHT, now)
        except ApiError as error:
            _Reply(session, None).fail(error)
        return session

    def receive(self, session: Session, text: str) -> None:
        """One text message from the client: a request, answered through the sink."""
        if session.backlog is not None:
            session.backlog.append(text)
        elif session.micro:
            # Answered in microseconds: the methods render under the unit, and a task one
            # starts (a read) copies it, as does the backlog it then handles.
            with in_microseconds():
                self._handle(session, text)
        else:
            self._handle(session, text)

    def closed(self, session: Session) -> None:
        """The connection is over: end its subscriptions and whatever it was waiting for."""
        for subscription in session.subscriptions.values():
            self.user_data.unsubscribe(subscription.account, subscription)
        session.subscriptions.clear()
        session.backlog = None
        if session.task is not None:
            session.task.cancel()
            session.task = None

    def _handle(self, session: Session, text: str) -> None:
        try:
            request = _decoder.decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError):
            _Reply(session, None).fail(errors.WS_MALFORMED.error())
            return
        reply = _Reply(session, request.id)
        name = request.method.removeprefix(_VERSION_PREFIX)
        method = self._methods.get(name)
        slow = self._slow_methods.get(name) if method is None else None
        if method is None and slow is None:
            reply.fail(errors.unknown_method(request.method))
            return
        gateway = self.gateway
        now = gateway.clock_ms()
        raw = request.params
        refused: ApiError | None = None
        try:
            params = _params(raw)
        except ApiError as error:  # refused, yet it reached the server: it costs its weight
            params, refused = _NO_PARAMS, error
        try:
            usage = gateway.limiter.check_request(session.ip, self._weight(name, params), now)
            if refused is not None:
                raise refused
            if "returnRateLimits" in raw:  # else the connection's choice, set already
                reply.show_rate_limits = _show_rate_limits(params)
            if reply.show_rate_limits:
                reply.rate_limits = self._usage_rows(self._weight_limits, usage)
            if method is None:
                assert slow is not None
                session.backlog = deque()
                session.task = asyncio.get_running_loop().create_task(
                    self._run_slow(session, slow(session, raw, params, now, reply), reply, name)
                )
                return
            result = method(session, raw, params, now, reply)
        except ApiError as error:
            reply.fail(error)
            return
        except Exception:
            logger.exception("WebSocket API %s failed", name)
            reply.fail(errors.UNKNOWN.error())
            return
        if result is not _DEFERRED:
            reply.ok(result)

    async def _run_slow(
        self, session: Session, answer: Awaitable[Any], reply: _Reply, name: str
    ) -> None:
        """Answer a slow method, then handle the requests that arrived meanwhile."""
        try:
            reply.ok(await answer)
        except ApiError as error:
            reply.fail(error)
        except Exception:
            logger.exception("WebSocket API %s failed", name)
            reply.fail(errors.UNKNOWN.error())
        backlog = session.backlog
        session.backlog = None
        session.task = None
        while backlog:
            self._handle(session, backlog.popleft())
            if session.backlog is not None:  # another slow method: the rest waits for it
                session.backlog.extend(backlog)
                return

    @staticmethod
    def _weight(name: str, params: Params) -> int:
        row = REST_METHODS.get(name)
        if row is None:
            return WEIGHTS[name]
        fixed = row.fixed_weight
        return fixed if fixed is not None else row.weight(params)

    @staticmethod
    def _usage_rows(limits: list[dict[str, Any]], usage: Usage) -> list[dict[str, Any]]:
        return [
            {**limit, "count": int(count)}
            for limit, (_, count) in zip(limits, usage.headers(), strict=True)
        ]

    # -- authentication -----------------------------------------------------------------

    def _key(
        self,
        session: Session,
        raw: dict[str, Any],
        params: Params,
        now: int,
        permission: Permission,
    ) -> ApiKey:
        """The key a signed request acts for: its own (apiKey + signature) or the one the
        session logged on with; then the timestamp against recvWindow."""
        signature = raw.get("signature")
        key = session.key
        if signature is None and key is not None and raw.get("apiKey") in (None, key.api_key):
            if self.gateway.keys.get(key.api_key) is None or permission not in key.permissions:
                session.key = None  # Binance revokes the session, as the key went bad
                raise errors.REJECTED_API_KEY.error()
        else:
            api_key = raw.get("apiKey")
            key = check_key(
                self.gateway.keys,
                api_key if isinstance(api_key, str) else None,
                session.ip,
                permission,
            )
            if not isinstance(signature, str) or not signature:
                raise errors.mandatory_missing("signature")
            verify_signature(key, ws_payload(raw), signature.encode())
        check_timestamp(params, now)
        params.mark_read("apiKey", "signature")
        return key

    def _call(self, session: Session, params: Params, key: ApiKey | None, now: int) -> Call:
        return Call(self.gateway, params, key, now, session.ip)

    # -- general ------------------------------------------------------------------------

    def _ping(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        params.ensure_all_read()
        return {}

    def _time(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        params.ensure_all_read()
        return {"serverTime": from_ms(now)}

    # -- session ------------------------------------------------------------------------

    def _session_status(self, session: Session, now: int) -> dict[str, Any]:
        key = session.key
        return {
            "apiKey": key.api_key if key is not None else None,
            "authorizedSince": from_ms(session.authorized_since) if key is not None else None,
            "connectedSince": from_ms(session.connected_since),
            "returnRateLimits": session.return_rate_limits,
            "serverTime": from_ms(now),
            "userDataStream": bool(session.subscriptions),
        }

    def _logon(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        api_key = raw.get("apiKey")
        key = check_key(
            self.gateway.keys, api_key if isinstance(api_key, str) else None, session.ip,
            Permission.READ,
        )  # fmt: skip
        if key.kind is not KeyKind.ED25519:
            raise errors.HMAC_NOT_SUPPORTED.error()
        signature = raw.get("signature")
        if not isinstance(signature, str) or not signature:
            raise errors.mandatory_missing("signature")
        verify_signature(key, ws_payload(raw), signature.encode())
        check_timestamp(params, now)
        params.mark_read("apiKey", "signature")
        params.ensure_all_read()
        session.key = key
        session.authorized_since = now
        return self._session_status(session, now)

    def _status(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        params.ensure_all_read()
        return self._session_status(session, now)

    def _logout(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        params.ensure_all_read()
        session.key = None
        session.authorized_since = 0
        return self._session_status(session, now)

    # -- trading ------------------------------------------------------------------------

    def _rest_call(
        self, row: RestMethod, session: Session, raw: dict[str, Any], params: Params, now: int
    ) -> Call:
        """The REST handler's `Call`: signed (or logged on) when the method needs a key."""
        params.mark_read(*row.ignored)
        key = None
        if row.permission is not None:
            key = self._key(session, raw, params, now, row.permission)
        return self._call(session, params, key, now)

    def _rest_submit(
        self,
        row: RestMethod,
        session: Session,
        raw: dict[str, Any],
        params: Params,
        now: int,
        reply: _Reply,
    ) -> Any:
        """A method with a `submit` form (it changes orders): checked here, submitted to the
        engine, answered from its callback. A new order counts once its request is valid."""
        # `_rest_call`, written out: this is the order path, a call less per request.
        if row.ignored:
            params.mark_read(*row.ignored)
        permission = row.permission
        key = None if permission is None else self._key(session, raw, params, now, permission)
        call = Call(self.gateway, params, key, now, session.ip)
        assert row.endpoint.submit is not None
        submission = row.endpoint.submit(call)
        if row.endpoint.counts_as_order:
            orders = self.gateway.limiter.check_order(call.account, now)
            if reply.show_rate_limits:
                reply.rate_limits.extend(self._usage_rows(self._order_limits, orders))
        self._submit(submission.command, reply, submission.answer)
        return _DEFERRED

    async def _rest_read(
        self,
        row: RestMethod,
        session: Session,
        raw: dict[str, Any],
        params: Params,
        now: int,
        reply: _Reply,
    ) -> Any:
        """A method without a `submit` form: the REST handler's answer (run as a task)."""
        result = await row.endpoint.handler(self._rest_call(row, session, raw, params, now))
        params.ensure_all_read()  # market data handlers leave unknown names to the caller
        return result

    def _submit(self, command: Command, reply: _Reply, answer: Callable[[Outcome], Any]) -> None:
        try:
            self.gateway.submit_with_reply(command, functools.partial(_answer, reply, answer))
        except CommandRefused as exc:
            raise refusal_error(exc) from exc

    # -- user data ----------------------------------------------------------------------

    def _start_subscription(self, session: Session, account: int) -> dict[str, Any]:
        if any(s.account == account for s in session.subscriptions.values()):
            raise errors.SUBSCRIPTION_ACTIVE.error()
        if len(session.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise errors.SUBSCRIPTION_ACTIVE.error()
        subscription_id = session.next_subscription
        session.next_subscription += 1
        subscription = _Subscription(session.sink, subscription_id, account, session.micro)
        session.subscriptions[subscription_id] = subscription
        self.user_data.subscribe(account, subscription)
        return {"subscriptionId": subscription_id}

    def _subscribe(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        params.ensure_all_read()
        if session.key is None:
            raise errors.UNAUTHORIZED.error()  # needs session.logon first
        return self._start_subscription(session, session.key.account)

    def _subscribe_signed(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        if "signature" not in raw:
            raise errors.mandatory_missing("signature")
        key = self._key(session, raw, params, now, Permission.READ)
        params.ensure_all_read()
        return self._start_subscription(session, key.account)

    def _unsubscribe(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        wanted = params.optional_integer("subscriptionId")
        params.ensure_all_read()
        if wanted is None:
            ended = list(session.subscriptions)
        elif wanted in session.subscriptions:
            ended = [wanted]
        else:
            raise errors.SUBSCRIPTION_INACTIVE.error()
        for subscription_id in ended:
            subscription = session.subscriptions.pop(subscription_id)
            self.user_data.unsubscribe(subscription.account, subscription)
        return {}


def _show_rate_limits(params: Params) -> bool:
    """The request's own `returnRateLimits` (true or false)."""
    value = params.optional_string("returnRateLimits")
    if value not in ("true", "false"):
        raise errors.invalid_parameter("returnRateLimits")
    return value == "true"


def _params(raw: dict[str, Any]) -> Params:
    """The request's params as the text REST would carry (JSON arrays as JSON)."""
    values: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            values[name] = value
        elif value is True or value is False:
            values[name] = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            values[name] = _encode(value).decode()
        else:
            values[name] = str(value)
    return Params(values)


def _answer(
    reply: _Reply,
    answer: Callable[[Outcome], Any],
    outcome: "Outcome | ServiceFailed | CommandRefused",
) -> None:
    """Send a submitted command's answer once the engine has applied it (in the engine's
    callback: the connection's time unit is set again here)."""
    if isinstance(outcome, ServiceFailed | CommandRefused):
        reply.fail(refusal_error(outcome))  # as REST answers it
        return
    try:
        if reply.session.micro:
            with in_microseconds():
                reply.ok(answer(outcome))
            return
        reply.ok(answer(outcome))
    except ApiError as error:
        reply.fail(error)
    except Exception:
        logger.exception("WebSocket API answer failed")
        reply.fail(errors.UNKNOWN.error())
