"""One REST endpoint: its declaration, and the pipeline every request goes through.

    parameters (raw query + form body) -> request weight -> key, signature, time ->
    handler -> JSON body with the X-MBX-* headers

Any `ApiError` becomes Binance's `{"code": ..., "msg": ...}` with its HTTP status; anything
else is a bug, logged with its traceback and answered as -1000 with status 500, never with
the traceback.
"""

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, NamedTuple

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway, refusal_error
from assetport.api.params import Params
from assetport.api.ratelimit import Usage, request_weight
from assetport.api.signing import authenticate_rest, check_key
from assetport.domain.commands import Command
from assetport.edge.keys import ApiKey, Permission
from assetport.edge.requests import client_ip
from assetport.edge.sessions import SessionCredentials, session_credentials
from assetport.marketdata import time_unit
from assetport.marketdata.time_unit import in_microseconds
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome

logger = logging.getLogger(__name__)

_NO_PARAMS: Final = Params({})  # an endpoint's weight when its parameters were refused

_json = msgspec.json.Encoder()
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class Security(Enum):
    """Binance's endpoint security types."""

    NONE = "NONE"
    USER_DATA = "USER_DATA"  # signed, needs the read permission
    TRADE = "TRADE"  # signed, needs the trade permission
    # Signed, needs the withdraw permission (a key with an IP allowlist, as Binance's);
    # a web session may call it too, with its two-factor code when it has one on.
    WITHDRAW = "WITHDRAW"
    USER_STREAM = "USER_STREAM"  # API key only, no signature (legacy listenKey)
    MARKET_DATA = "MARKET_DATA"  # API key only, no signature (historicalTrades)


@dataclass(frozen=True)
class ParamDoc:
    """A parameter, as the OpenAPI document describes it."""

    name: str
    type: str = "string"
    required: bool = False
    description: str = ""


@dataclass
class Call:
    """One request as a handler sees it."""

    gateway: Gateway
    params: Params
    key: ApiKey | None
    now_ms: int
    ip: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    # The account of a web session (cookie) when the request came without an API key.
    session_account: int | None = None

    @property
    def account(self) -> int:
        if self.key is not None:
            return self.key.account
        if self.session_account is not None:
            return self.session_account
        raise errors.REJECTED_API_KEY.error()


Handler = Callable[[Call], Awaitable[Any]]


class Submission(NamedTuple):
    """An endpoint's request as a command for the engine and how to answer its outcome."""

    command: Command
    answer: Callable[[Outcome], Any]


Submit = Callable[[Call], Submission]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    security: Security = Security.NONE
    summary: str = ""
    params: tuple[ParamDoc, ...] = ()
    counts_as_order: bool = False
    # The same endpoint as a command and its answer (`handler` then awaits it): the server
    # answers it without a task or a future per request (`answer_submitted`).
    submit: Submit | None = None


# Structs rather than frozen dataclasses: made for every request, and a frozen dataclass's
# __init__ sets each field through object.__setattr__.
class Answer(msgspec.Struct, frozen=True, gc=False):
    """A response before any framework sees it: status, headers, JSON body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


async def respond(gateway: Gateway, endpoint: Endpoint, request: Request) -> Response:
    """The pipeline for a Starlette request (the app's routes)."""
    body = await request.body()
    api_keys = request.headers.getlist("x-mbx-apikey")
    raw = RawRequest(
        raw_query=request.scope["query_string"],
        body=body,
        content_type=request.headers.get("content-type", ""),
        api_key=api_keys[0] if api_keys else None,
        ip=client_ip(request),
        session=session_credentials(
            request.headers.get("cookie"), request.headers.get("x-csrf-token")
        ),
        repeated_api_key=len(api_keys) > 1,
        time_unit=request.headers.get("x-mbx-time-unit"),
    )
    answer = await answer_request(gateway, endpoint, raw)
    return Response(answer.body, answer.status, dict(answer.headers), JSON)


class RawRequest(msgspec.Struct, frozen=True, gc=False):
    """What the pipeline reads of a request, as it arrived."""

    raw_query: bytes
    body: bytes
    content_type: str
    api_key: str | None
    ip: str
    session: SessionCredentials | None = None
    # Two X-MBX-APIKEY headers: refused, so that no two readers can take different keys.
    repeated_api_key: bool = False
    # X-MBX-TIME-UNIT as sent: MICROSECOND switches the answer's times to microseconds.
    time_unit: str | None = None


async def answer_request(gateway: Gateway, endpoint: Endpoint, request: RawRequest) -> Answer:
    """The whole pipeline from the raw request parts; never raises."""
    run = _Run(gateway, endpoint, request)
    try:
        call = run.checked_call()
        if not run.micro:
            return run.ok(await endpoint.handler(call))
        with in_microseconds():
            return run.ok(await endpoint.handler(call))
    except Exception as exc:
        return run.failed(exc)


def answer_submitted(
    gateway: Gateway, endpoint: Endpoint, request: RawRequest, deliver: Callable[[Answer], None]
) -> None:
    """`answer_request` for an endpoint with a `submit` form, without a task or a future:
    the checks run now, the command goes to the engine with a reply callback, and `deliver`
    gets the answer from that callback (or at once, for a refusal). Never raises."""
    assert endpoint.submit is not None
    run = _Run(gateway, endpoint, request)

    def answer(submission: Submission, outcome: "Outcome | ServiceFailed | CommandRefused") -> None:
        try:
            if isinstance(outcome, ServiceFailed | CommandRefused):
                raise refusal_error(outcome)
            if not run.micro:
                deliver(run.ok(submission.answer(outcome)))
                return
            with in_microseconds():
                result = submission.answer(outcome)
            deliver(run.ok(result))
        except Exception as exc:
            deliver(run.failed(exc))

    try:
        submission = endpoint.submit(run.checked_call())
        try:
            gateway.submit_with_reply(submission.command, functools.partial(answer, submission))
        except CommandRefused as exc:
            raise refusal_error(exc) from exc
    except Exception as exc:
        deliver(run.failed(exc))


class _Run:
    """One request going through the pipeline: its time, its usage headers and the unit of
    the times in its answer (`micro`: X-MBX-TIME-UNIT MICROSECOND)."""

    __slots__ = ("endpoint", "gateway", "headers", "micro", "now", "request")

    def __init__(self, gateway: Gateway, endpoint: Endpoint, request: RawRequest) -> None:
        self.gateway = gateway
        self.endpoint = endpoint
        self.request = request
        self.now = gateway.clock_ms()
        self.headers: list[tuple[str, str]] = []
        self.micro = False

    def checked_call(self) -> Call:
        """Everything before the handler: parameters, request weight, key, signature and
        time, the order count; the usage headers go into `headers`. Raises `ApiError`."""
        gateway, endpoint, request, now = self.gateway, self.endpoint, self.request, self.now
        limiter = gateway.limiter
        limiter.check_ban(request.ip, now)  # before anything of the request is parsed
        session_weigher = _session_weigher(gateway, request, now)
        body = request.body
        form = body if body and request.content_type.startswith(FORM) else b""
        try:
            if request.repeated_api_key:
                raise errors.REPEATED_API_KEY.error()
            params = Params.parse(request.raw_query, form)
        except ApiError:  # refused, yet it reached the server: it costs the usual weight
            self._weigh(request_weight(endpoint.method, endpoint.path, _NO_PARAMS), session_weigher)
            raise
        usage = self._weigh(request_weight(endpoint.method, endpoint.path, params), session_weigher)
        headers = self.headers
        headers.extend(usage.headers())
        if request.time_unit is not None:
            micro = time_unit.parse(request.time_unit)
            if micro is None:
                raise errors.INVALID_TIME_UNIT.error()
            self.micro = micro
        key: ApiKey | None = None
        session_account = _session_account(gateway, endpoint, request, params, now)
        if session_account is None:
            key = _authenticate(gateway, endpoint, request, params, form, now)
        account = key.account if key is not None else session_account
        if endpoint.counts_as_order and account is not None:
            headers.extend(gateway.limiter.check_order(account, now).headers())
        return Call(gateway, params, key, now, request.ip, headers, session_account)

    def _weigh(self, weight: int, session_weigher: str | None) -> Usage:
        """Count the request against its address and, for a web session, its account too:
        many accounts behind one address never lift the address above its limit. The
        usage is the address's, as Binance reports it."""
        limiter = self.gateway.limiter
        usage = limiter.check_request(self.request.ip, weight, self.now)
        if session_weigher is not None:
            limiter.check_request(session_weigher, weight, self.now)
        return usage

    def ok(self, result: Any) -> Answer:
        return Answer(200, self.headers, _json.encode(result))

    def failed(self, exc: Exception) -> Answer:
        """Binance's answer for an `ApiError`; anything else is a bug: logged, -1000/500."""
        if isinstance(exc, ApiError):
            return error_answer(self.gateway, exc, self.request.ip, self.now, self.headers)
        logger.error("%s %s failed", self.endpoint.method, self.endpoint.path, exc_info=exc)
        error = errors.UNKNOWN.error()
        return error_answer(self.gateway, error, self.request.ip, self.now, self.headers, 500)


async def run_submission(call: Call, submission: "Submission") -> Any:
    """A `submit` form run the awaiting way (the Starlette routes, the task path)."""
    return submission.answer(await call.gateway.execute(submission.command))


def _session_weigher(gateway: Gateway, request: RawRequest, now: int) -> str | None:
    """The second request weight a logged-in web session's request (the cookie and no API
    key) uses, besides its address's: its account's, so one account's page cannot use up
    what others behind the same address (a campus, a mobile carrier's NAT) still have of the
    account limit. None for any other request."""
    session = request.session
    if request.api_key is not None or session is None or gateway.sessions is None:
        return None
    try:
        account = gateway.sessions.account_of(session, state_changing=False, now_ms=now)
    except ApiError:  # an expired or unknown session: the request is answered as usual
        return None
    return None if account is None else f"account {account}"


def _authenticate(
    gateway: Gateway,
    endpoint: Endpoint,
    request: RawRequest,
    params: Params,
    form: bytes,
    now: int,
) -> ApiKey | None:
    api_key, ip = request.api_key, request.ip
    security = endpoint.security
    if security is Security.NONE:
        params.mark_read("timestamp", "recvWindow", "signature")
        return None
    if security is Security.USER_STREAM or security is Security.MARKET_DATA:
        params.mark_read("timestamp", "recvWindow", "signature")
        return check_key(gateway.keys, api_key, ip, Permission.READ)
    permission = _PERMISSIONS.get(security, Permission.READ)
    return authenticate_rest(
        gateway.keys,
        api_key=api_key,
        raw_query=request.raw_query,
        raw_body=form,
        params=params,
        client_ip=ip,
        server_time_ms=now,
        permission=permission,
    )


_PERMISSIONS: Final = {Security.TRADE: Permission.TRADE, Security.WITHDRAW: Permission.WITHDRAW}
_SESSION_SECURITY = (Security.USER_DATA, Security.TRADE, Security.WITHDRAW, Security.USER_STREAM)


def _session_account(
    gateway: Gateway, endpoint: Endpoint, request: RawRequest, params: Params, now: int
) -> int | None:
    """The web session's account for a USER_DATA, TRADE or USER_STREAM request sent with the session
    cookie and no API key (the page's way in); None otherwise. A request with an API key is
    checked exactly as before, whatever cookie it also carries. A session request has no
    signature, so its timestamp, recvWindow and signature parameters are only tolerated."""
    session = request.session
    if request.api_key is not None or session is None or gateway.sessions is None:
        return None
    # USER_STREAM too: the page follows its own account through a listenKey stream.
    if endpoint.security not in _SESSION_SECURITY:
        return None
    # A TRADE request of an account whose email is not verified is refused (-8020).
    account = gateway.sessions.account_of(
        session,
        state_changing=endpoint.method != "GET",
        now_ms=now,
        # Moving money off the platform needs a verified email as trading does.
        trading=endpoint.security in (Security.TRADE, Security.WITHDRAW),
    )
    if account is not None:
        params.mark_read("timestamp", "recvWindow", "signature")
    return account


def error_answer(
    gateway: Gateway,
    error: ApiError,
    ip: str,
    now: int,
    headers: list[tuple[str, str]],
    status: int | None = None,
) -> Answer:
    if not any(name.startswith("X-MBX-USED-WEIGHT") for name, _ in headers):
        headers.extend(gateway.limiter.weight_usage(ip, now).headers())
    if error.retry_after is not None:
        headers.append(("Retry-After", str(error.retry_after)))
    return Answer(status or error.http_status, headers, error.body())


def error_response(
    gateway: Gateway,
    error: ApiError,
    ip: str,
    now: int,
    headers: list[tuple[str, str]],
    status: int | None = None,
) -> Response:
    answer = error_answer(gateway, error, ip, now, list(headers), status)
    return Response(answer.body, answer.status, dict(answer.headers), JSON)
