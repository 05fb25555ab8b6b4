"""The plumbing every `/api/v1/account/...` endpoint shares: JSON in and out, Binance-style
errors, the request-weight limit, the session and its CSRF check, the cookies to set, and
the anti-phishing code in every answer about an account.

`secure` (cookies get `Secure`) is the request's scheme: https when served over TLS, or
when a trusted proxy said so (`api/proxies.py` rewrites the scheme and the client address
of a trusted proxy's requests before any route sees them).
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.accounts import errors
from assetport.accounts.service import Accounts
from assetport.accounts.store import Account
from assetport.edge import bounded_json
from assetport.edge.errors import UNKNOWN, ApiError
from assetport.edge.keys import KeyStore
from assetport.edge.requests import Clock, RequestWeigher, client_ip
from assetport.edge.sessions import SessionCredentials, session_credentials

logger = logging.getLogger(__name__)

JSON: Final = "application/json"
_WEIGHT: Final = 1  # each call counts against the address's REST weight, as Binance's


@dataclass(frozen=True)
class WebContext:
    """What the account endpoints take from the server around them, handed over by the
    composition root (`server/`): the API keys the key page manages (the gateway checks the
    same store), the clock, and the request weight every endpoint of the server counts
    against (the gateway's rate limiter)."""

    keys: KeyStore
    clock_ms: Clock
    weigher: RequestWeigher


@dataclass
class AccountCall:
    accounts: Accounts
    keys: KeyStore
    body: dict[str, Any]
    ip: str
    now_ms: int
    secure: bool  # the request came over https: cookies get `Secure`
    credentials: SessionCredentials | None
    account: Account | None = None  # the session's (or the one just logged into)
    csrf_token: str = ""
    set_cookies: list[str] = field(default_factory=list)
    path_params: dict[str, str] = field(default_factory=dict)

    @property
    def me(self) -> Account:
        if self.account is None:
            raise errors.NOT_LOGGED_IN.error()
        return self.account

    def text(self, name: str) -> str:
        value = self.body.get(name)
        if not isinstance(value, str) or not value:
            raise ApiError(errors.BAD_REQUEST.code, f"Mandatory field '{name}' is missing.")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.body.get(name)
        return value if isinstance(value, str) and value else None

    def reauthentication(self) -> tuple[str | None, str | None]:
        """The password and the second factor (a TOTP code or a recovery code) sent to
        confirm a sensitive change (`Accounts.reauthenticate`)."""
        return self.optional_text("password"), self.optional_text("twoFactorCode")


AccountHandler = Callable[[AccountCall], Awaitable[dict[str, Any]]]


def account_route(
    accounts: Accounts,
    context: WebContext,
    method: str,
    path: str,
    handler: AccountHandler,
    *,
    needs_session: bool,
) -> Route:
    async def endpoint(request: Request) -> Response:
        now = context.clock_ms()
        ip = client_ip(request)
        headers: dict[str, str] = {}
        try:
            headers.update(context.weigher.check_request(ip, _WEIGHT, now).headers())
            call = AccountCall(
                accounts,
                context.keys,
                await _json_body(request),
                ip,
                now,
                request.url.scheme == "https",
                session_credentials(
                    request.headers.get("cookie"), request.headers.get("x-csrf-token")
                ),
                path_params=dict(request.path_params),
            )
            if needs_session:
                _resume_session(call, state_changing=method != "GET")
            result = await handler(call)
            if call.account is not None:
                # Re-read: the handler may just have changed the code.
                result["antiPhishingCode"] = accounts.account(call.account.user_id).anti_phishing
            response = Response(msgspec.json.encode(result), 200, headers, JSON)
            for cookie in call.set_cookies:
                response.headers.append("set-cookie", cookie)
            return response
        except ApiError as error:
            if error.retry_after is not None:
                headers["retry-after"] = str(error.retry_after)
            return Response(error.body(), error.http_status, headers, JSON)
        except Exception:  # the traceback goes to the log, never to the client
            logger.exception("%s %s failed", method, path)
            return Response(UNKNOWN.error().body(), 500, headers, JSON)

    return Route(path, endpoint, methods=[method])


def _resume_session(call: AccountCall, *, state_changing: bool) -> None:
    found = None
    if call.credentials is not None:
        found = call.accounts.sessions.user_of(
            call.credentials, state_changing=state_changing, now_ms=call.now_ms
        )
    if found is None:
        raise errors.NOT_LOGGED_IN.error()
    user_id, call.csrf_token = found
    call.account = call.accounts.account(user_id)


async def _json_body(request: Request) -> dict[str, Any]:
    """The JSON object sent, or {} for none. A body must be declared JSON: a form from
    another site cannot be, without a CORS preflight that this server never grants."""
    raw = await request.body()
    if not raw:
        return {}
    if not request.headers.get("content-type", "").startswith(JSON):
        raise errors.JSON_REQUIRED.error()
    try:
        body = bounded_json.decode(raw)  # size and depth bounded: never a RecursionError
    except msgspec.DecodeError as exc:
        raise errors.BAD_REQUEST.error() from exc
    if not isinstance(body, dict):
        raise errors.BAD_REQUEST.error()
    return body
