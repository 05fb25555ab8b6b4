"""One REST endpoint: its declaration, and the pipeline every request goes through.

    parameters (raw query + form body) -> request weight -> key, signature, time ->
    handler -> JSON body with the X-MBX-* headers

Any `ApiError` becomes Binance's `{"code": ..., "msg": ...}` with its HTTP status; anything
else is a bug, logged with its traceback and answered as -1000 with status 500, never with
the traceback.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.api.keys import ApiKey, Permission
from assetport.api.params import Params
from assetport.api.ratelimit import request_weight
from assetport.api.signing import authenticate_rest

logger = logging.getLogger(__name__)

_json = msgspec.json.Encoder()
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class Security(Enum):
    """Binance's endpoint security types."""

    NONE = "NONE"
    USER_DATA = "USER_DATA"  # signed, needs the read permission
    TRADE = "TRADE"  # signed, needs the trade permission
    USER_STREAM = "USER_STREAM"  # API key only, no signature (legacy listenKey)


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

    @property
    def account(self) -> int:
        if self.key is None:
            raise errors.REJECTED_API_KEY.error()
        return self.key.account


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    security: Security = Security.NONE
    summary: str = ""
    params: tuple[ParamDoc, ...] = ()
    counts_as_order: bool = False


def client_ip(request: Request) -> str:
    client = request.client
    return client.host if client is not None else "0.0.0.0"


async def respond(gateway: Gateway, endpoint: Endpoint, request: Request) -> Response:
    now = gateway.clock_ms()
    ip = client_ip(request)
    headers: list[tuple[str, str]] = []
    try:
        raw_query: bytes = request.scope["query_string"]
        body = await request.body()
        form = body if body and request.headers.get("content-type", "").startswith(FORM) else b""
        params = Params.parse(raw_query, form)
        usage = gateway.limiter.check_request(
            ip, request_weight(endpoint.method, endpoint.path, params), now
        )
        headers.extend(usage.headers())
        key = _authenticate(gateway, endpoint, request, params, raw_query, form, ip, now)
        if endpoint.counts_as_order and key is not None:
            headers.extend(gateway.limiter.check_order(key.account, now).headers())
        call = Call(gateway, params, key, now, ip, headers)
        result = await endpoint.handler(call)
        return Response(_json.encode(result), 200, dict(headers), JSON)
    except ApiError as error:
        return error_response(gateway, error, ip, now, headers)
    except Exception:
        logger.exception("%s %s failed", endpoint.method, endpoint.path)
        return error_response(gateway, errors.UNKNOWN.error(), ip, now, headers, status=500)


def _authenticate(
    gateway: Gateway,
    endpoint: Endpoint,
    request: Request,
    params: Params,
    raw_query: bytes,
    form: bytes,
    ip: str,
    now: int,
) -> ApiKey | None:
    security = endpoint.security
    if security is Security.NONE:
        params.mark_read("timestamp", "recvWindow", "signature")
        return None
    api_key = request.headers.get("x-mbx-apikey")
    if security is Security.USER_STREAM:
        from assetport.api.signing import check_key

        return check_key(gateway.keys, api_key, ip, Permission.READ)
    permission = Permission.TRADE if security is Security.TRADE else Permission.READ
    return authenticate_rest(
        gateway.keys,
        api_key=api_key,
        raw_query=raw_query,
        raw_body=form,
        params=params,
        client_ip=ip,
        server_time_ms=now,
        permission=permission,
    )


def error_response(
    gateway: Gateway,
    error: ApiError,
    ip: str,
    now: int,
    headers: list[tuple[str, str]],
    status: int | None = None,
) -> Response:
    all_headers = dict(headers)
    if not any(name.startswith("X-MBX-USED-WEIGHT") for name in all_headers):
        all_headers.update(gateway.limiter.weight_usage(ip, now).headers())
    if error.retry_after is not None:
        all_headers["Retry-After"] = str(error.retry_after)
    return Response(error.body(), status or error.http_status, all_headers, JSON)
