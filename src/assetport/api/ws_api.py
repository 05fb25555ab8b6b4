"""The WebSocket API at `/ws-api/v3` (docs/binance-api.md, "The WebSocket API").

A request is `{"id", "method", "params"}`; the answer `{"id", "status": 200, "result",
"rateLimits"}` or `{"id", "status": 4xx, "error": {"code", "msg"}, "rateLimits"}` with the
same codes and messages as REST. Signed params are `apiKey`, `timestamp`, `recvWindow` and a
`signature` over the other params sorted by name. After `session.logon` with an Ed25519 key,
requests need only their `timestamp`.

The connection itself (handshake, frames, pings) is `ws_server.py`'s; it hands each text
message to `WebSocketApi.receive` and gets the answers through its `Sink`. The order path
is kept lean, as market makers live on it: a request is decoded, checked and submitted to
the engine from the socket's callback, without a task; the answer is sent from the
callback of the engine's future. Requests are handled in the order they arrive, so an order
and its cancel sent back to back are sequenced in that order; a method that has to wait
(exchangeInfo, openOrders.status, account.status run as tasks) holds the connection's later
requests until it is answered. Decimal numbers sent as JSON numbers are read as `Decimal`
(never float) and signed as written.
"""

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Final, Protocol

import msgspec

from assetport.api import errors, rest_market, rest_trade
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway, refusal_error
from assetport.api.http import Call
from assetport.api.params import Params
from assetport.api.ratelimit import RateLimitType, Usage
from assetport.api.render import order_json
from assetport.api.rest_trade import (
    canceled_reply,
    find_record,
    placed_reply,
    read_cancel,
    read_new_order,
)
from assetport.api.signing import check_key, check_timestamp, verify_signature, ws_payload
from assetport.api.user_data import UserData
from assetport.domain.commands import Command
from assetport.edge import bounded_json
from assetport.edge.keys import ApiKey, KeyKind, Permission
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome

MAX_SUBSCRIPTIONS: Final = 1000
CONNECT_WEIGHT: Final = 2
# Binance's request weights of the methods offered here.
WEIGHTS: Final = {
    "ping": 1,
    "time": 1,
    "exchangeInfo": 20,
    "session.logon": 2,
    "session.status": 2,
    "session.logout": 2,
    "order.place": 1,
    "order.cancel": 1,
    "order.status": 4,
    "openOrders.status": 6,
    "account.status": 20,
    "userDataStream.subscribe": 2,
    "userDataStream.subscribe.signature": 2,
    "userDataStream.unsubscribe": 2,
}
_ALL_OPEN_ORDERS_WEIGHT: Final = 80
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

    __slots__ = ("account", "sink", "subscription_id")

    def __init__(self, sink: Sink, subscription_id: int, account: int) -> None:
        self.sink = sink
        self.subscription_id = subscription_id
        self.account = account

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
        "next_subscription",
        "return_rate_limits",
        "sink",
        "subscriptions",
        "task",
    )

    def __init__(self, sink: Sink, ip: str, now_ms: int, return_rate_limits: bool) -> None:
        self.sink = sink
        self.ip = ip
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
    """Where one request's answer goes, with the rate limits it used."""

    __slots__ = ("rate_limits", "request_id", "session")

    def __init__(self, session: Session, request_id: str | int | None) -> None:
        self.session = session
        self.request_id = request_id
        self.rate_limits: list[dict[str, Any]] = []

    def ok(self, result: Any) -> None:
        answer: dict[str, Any] = {"id": self.request_id, "status": 200, "result": result}
        if self.session.return_rate_limits:
            answer["rateLimits"] = self.rate_limits
        self.session.sink.send_json(_encode(answer))

    def fail(self, error: ApiError) -> None:
        answer: dict[str, Any] = {
            "id": self.request_id,
            "status": error.http_status,
            "error": {"code": error.code, "msg": error.msg},
        }
        if self.session.return_rate_limits and self.rate_limits:
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
            "order.place": self._place,
            "order.cancel": self._cancel,
            "order.status": self._order_status,
            "userDataStream.subscribe": self._subscribe,
            "userDataStream.subscribe.signature": self._subscribe_signed,
            "userDataStream.unsubscribe": self._unsubscribe,
        }
        # Run as a task (they share the REST handlers, which are coroutines).
        self._slow_methods: dict[str, SlowMethod] = {
            "exchangeInfo": self._exchange_info,
            "openOrders.status": self._open_orders,
            "account.status": self._account,
        }

    # -- a connection -------------------------------------------------------------------

    def open(self, sink: Sink, ip: str, return_rate_limits: bool) -> Session:
        """A new connection from `ip` (counted against its request weight)."""
        gateway = self.gateway
        now = gateway.clock_ms()
        session = Session(sink, ip, now, return_rate_limits)
        try:
            gateway.limiter.check_request(ip, CONNECT_WEIGHT, now)
        except ApiError as error:
            _Reply(session, None).fail(error)
        return session

    def receive(self, session: Session, text: str) -> None:
        """One text message from the client: a request, answered through the sink."""
        if session.backlog is not None:
            session.backlog.append(text)
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
        name = request.method
        method = self._methods.get(name)
        slow = self._slow_methods.get(name) if method is None else None
        if method is None and slow is None:
            reply.fail(errors.unknown_method(name))
            return
        gateway = self.gateway
        now = gateway.clock_ms()
        raw = request.params
        try:
            usage = gateway.limiter.check_request(session.ip, self._weight(request), now)
            if session.return_rate_limits:
                reply.rate_limits = self._usage_rows(self._weight_limits, usage)
            params = _params(raw)
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

    def _weight(self, request: _Request) -> int:
        if request.method == "openOrders.status" and "symbol" not in request.params:
            return _ALL_OPEN_ORDERS_WEIGHT
        return WEIGHTS[request.method]

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

    def _symbol(self, params: Params) -> str:
        symbol = params.symbol()
        if symbol not in self.gateway.markets.terms:
            raise errors.BAD_SYMBOL.error()
        return symbol

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
        return {"serverTime": now}

    async def _exchange_info(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        info = await rest_market.exchange_info(self._call(session, params, None, now))
        params.mark_read("permissions", "symbolStatus", "showPermissionSets")
        params.ensure_all_read()
        return info

    # -- session ------------------------------------------------------------------------

    def _session_status(self, session: Session, now: int) -> dict[str, Any]:
        key = session.key
        return {
            "apiKey": key.api_key if key is not None else None,
            "authorizedSince": session.authorized_since if key is not None else None,
            "connectedSince": session.connected_since,
            "returnRateLimits": session.return_rate_limits,
            "serverTime": now,
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

    def _place(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        key = self._key(session, raw, params, now, Permission.TRADE)
        call = self._call(session, params, key, now)
        command, response_type = read_new_order(call, self._symbol(params), params)
        params.ensure_all_read()
        orders = self.gateway.limiter.check_order(key.account, now)
        if session.return_rate_limits:
            reply.rate_limits.extend(self._usage_rows(self._order_limits, orders))
        self._submit(command, reply, functools.partial(placed_reply, call, command, response_type))
        return _DEFERRED

    def _cancel(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        key = self._key(session, raw, params, now, Permission.TRADE)
        call = self._call(session, params, key, now)
        command = read_cancel(call, self._symbol(params))
        params.ensure_all_read()
        cancel_id = command.cancel_client_order_id
        self._submit(command, reply, functools.partial(canceled_reply, call, cancel_id))
        return _DEFERRED

    def _submit(self, command: Command, reply: _Reply, answer: Callable[[Outcome], Any]) -> None:
        try:
            self.gateway.submit_with_reply(command, functools.partial(_answer, reply, answer))
        except CommandRefused as exc:
            raise refusal_error(exc) from exc

    def _order_status(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        key = self._key(session, raw, params, now, Permission.READ)
        call = self._call(session, params, key, now)
        record = find_record(call, self._symbol(params))
        params.ensure_all_read()
        if record is None:
            raise errors.NO_SUCH_ORDER.error()
        return order_json(record, self.gateway.markets)

    async def _open_orders(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        key = self._key(session, raw, params, now, Permission.READ)
        return await rest_trade.open_orders(self._call(session, params, key, now))

    async def _account(
        self, session: Session, raw: dict[str, Any], params: Params, now: int, reply: _Reply
    ) -> Any:
        key = self._key(session, raw, params, now, Permission.READ)
        return await rest_trade.account(self._call(session, params, key, now))

    # -- user data ----------------------------------------------------------------------

    def _start_subscription(self, session: Session, account: int) -> dict[str, Any]:
        if any(s.account == account for s in session.subscriptions.values()):
            raise errors.SUBSCRIPTION_ACTIVE.error()
        if len(session.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise errors.SUBSCRIPTION_ACTIVE.error()
        subscription_id = session.next_subscription
        session.next_subscription += 1
        subscription = _Subscription(session.sink, subscription_id, account)
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
    reply: _Reply, answer: Callable[[Outcome], Any], outcome: "Outcome | ServiceFailed"
) -> None:
    """Send a submitted command's answer once the engine has applied it."""
    if isinstance(outcome, ServiceFailed):
        reply.fail(errors.UNKNOWN.error())
        return
    try:
        reply.ok(answer(outcome))
    except ApiError as error:
        reply.fail(error)
    except Exception:
        logger.exception("WebSocket API answer failed")
        reply.fail(errors.UNKNOWN.error())
