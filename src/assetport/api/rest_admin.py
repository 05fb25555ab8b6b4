"""Operator endpoints under /api/v1/admin: users, API keys, deposits, withdrawals, market
status and fees. Binance has no equivalent; the style (JSON errors with code and msg) is the
same. Every call carries the admin token kept in the data directory
(`Authorization: Bearer <token>`); the `assetport admin` command reads it from there. The
issuer endpoints (`rest_issuance.py`) also take an issuer agent's own token
(`edge/issuer_agents.py`): the call then knows the agent, and acts for its issuer alone.
"""

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api.errors import ApiError, RejectContext, reject_error
from assetport.api.gateway import Gateway
from assetport.api.params import decimal_to_units
from assetport.api.render import balance_json
from assetport.domain.commands import (
    Command,
    Deposit,
    SetAccountFees,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
    Withdraw,
)
from assetport.domain.events import refusal
from assetport.domain.markets import MarketStatus, allowed_stp_modes
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.results import RejectReason
from assetport.edge import bounded_json
from assetport.edge.issuer_agents import IssuerAgent, IssuerAgents
from assetport.edge.keys import AdminToken, KeyStoreError, Permission
from assetport.edge.users import UserError, UserStore

JSON = "application/json"
AdminHandler = Callable[["AdminCall"], Awaitable[Any]]


class AdminCall:
    def __init__(
        self,
        gateway: Gateway,
        users: UserStore,
        body: dict[str, Any],
        agent: IssuerAgent | None = None,
    ) -> None:
        self.gateway = gateway
        self.users = users
        self.body = body
        # Who sent it: an issuer's agent, or None for the platform's operator (admin token).
        self.agent = agent

    def text(self, name: str) -> str:
        value = self.body.get(name)
        if not isinstance(value, str) or not value:
            raise errors.mandatory_missing(name)
        return value

    def user_id(self) -> int:
        value = self.body.get("user_id")
        if not isinstance(value, int) or isinstance(value, bool):
            raise errors.mandatory_missing("user_id")
        if self.users.get(value) is None:
            raise errors.invalid_parameter("user_id")
        return value

    def amount(self, asset: str) -> int:
        precision = self.gateway.markets.precision.get(asset)
        if precision is None:
            raise errors.invalid_parameter("asset")
        units = decimal_to_units("amount", self.text("amount"), precision)
        if units <= 0:
            raise errors.invalid_parameter("amount")
        return units

    async def execute(self, command: Command) -> list[Any]:
        outcome = await self.gateway.execute(command)
        refused = refusal(outcome.events)
        if refused is not None and refused.reason is not RejectReason.ALREADY_APPLIED:
            raise reject_error(refused.reason, RejectContext.ADMIN)
        return outcome.events  # the same transfer again is fine: idempotent


def _balance(gateway: Gateway, account: int, asset: str) -> dict[str, str]:
    """The account's balance of `asset` right after the transfer (the engine link's read)."""
    found = [
        (free, held) for _, code, free, held in gateway.engine.balances(account) if code == asset
    ]
    free, held = found[0] if found else (0, 0)
    return balance_json(asset, free, held, gateway.markets)


def _permissions(call: AdminCall) -> list[Permission]:
    names = call.body.get("permissions", ["read", "trade"])
    if not isinstance(names, list):
        raise errors.invalid_parameter("permissions")
    try:
        return [Permission(name) for name in names]
    except ValueError as exc:
        raise errors.invalid_parameter("permissions") from exc


async def create_user(call: AdminCall) -> Any:
    gateway = call.gateway
    try:
        user = call.users.create(call.text("name"), gateway.clock_ms())
    except UserError as exc:
        raise errors.invalid_request(str(exc)) from exc
    key, secret = gateway.keys.create_hmac_key(
        user.user_id,
        permissions=(Permission.READ, Permission.TRADE),
        now_ms=gateway.clock_ms(),
        label="default",
    )
    return {
        "user_id": user.user_id,
        "name": user.name,
        "api_key": key.api_key,
        "secret_key": secret,
    }


async def create_api_key(call: AdminCall) -> Any:
    gateway = call.gateway
    account = call.user_id()
    permissions = _permissions(call)
    ip_allow = call.body.get("ip_allow", [])
    label = str(call.body.get("label", ""))
    public_key = call.body.get("ed25519_public_key")
    try:
        if isinstance(public_key, str) and public_key:
            key = gateway.keys.register_ed25519_key(
                account,
                public_key_pem=public_key,
                permissions=permissions,
                now_ms=gateway.clock_ms(),
                label=label,
                ip_allowlist=ip_allow,
            )
            return {"user_id": account, "api_key": key.api_key, "type": "ED25519"}
        key, secret = gateway.keys.create_hmac_key(
            account,
            permissions=permissions,
            now_ms=gateway.clock_ms(),
            label=label,
            ip_allowlist=ip_allow,
        )
    except (KeyStoreError, ValueError) as exc:
        raise errors.invalid_key_request(str(exc)) from exc
    return {"user_id": account, "api_key": key.api_key, "secret_key": secret, "type": "HMAC"}


async def deposit(call: AdminCall) -> Any:
    account = call.user_id()
    asset = call.text("asset")
    amount = call.amount(asset)
    ref = str(call.body.get("ref") or f"admin-{secrets.token_hex(12)}")
    await call.execute(Deposit(account, asset, amount, ref))
    return {"user_id": account, "ref": ref, "balance": _balance(call.gateway, account, asset)}


async def withdraw(call: AdminCall) -> Any:
    account = call.user_id()
    asset = call.text("asset")
    amount = call.amount(asset)
    ref = str(call.body.get("ref") or f"admin-{secrets.token_hex(12)}")
    await call.execute(Withdraw(account, asset, amount, ref))
    return {"user_id": account, "ref": ref, "balance": _balance(call.gateway, account, asset)}


async def market_status(call: AdminCall) -> Any:
    symbol = call.text("symbol")
    try:
        status = MarketStatus(call.text("status"))
    except ValueError as exc:
        raise errors.invalid_parameter("status") from exc
    await call.execute(SetMarketStatus(symbol, status))
    return {"symbol": symbol, "status": status.value}


async def market_fees(call: AdminCall) -> Any:
    symbol = call.text("symbol")
    maker, taker = call.body.get("maker_fee_bps"), call.body.get("taker_fee_bps")
    if not isinstance(maker, int) or not isinstance(taker, int):
        raise errors.mandatory_missing("maker_fee_bps")
    await call.execute(SetMarketFees(symbol, maker, taker))
    return {"symbol": symbol, "maker_fee_bps": maker, "taker_fee_bps": taker}


async def market_stp(call: AdminCall) -> Any:
    """A market's self-trade prevention policy: the default mode, and whether orders may use
    NONE (wash trades are unlawful in Korea: allow it only for a market that needs it)."""
    symbol = call.text("symbol")
    try:
        default_stp = SelfTradePrevention(call.text("default_stp"))
    except ValueError as exc:
        raise errors.invalid_parameter("default_stp") from exc
    allow_none = call.body.get("allow_stp_none", False)
    if not isinstance(allow_none, bool):
        raise errors.invalid_parameter("allow_stp_none")
    await call.execute(SetMarketSelfTradePrevention(symbol, default_stp, allow_none))
    return {
        "symbol": symbol,
        "defaultSelfTradePreventionMode": default_stp.value,
        # The engine refuses a default of NONE that does not allow NONE.
        "allowedSelfTradePreventionModes": allowed_stp_modes(allow_none),
    }


async def account_fees(call: AdminCall) -> Any:
    account = call.user_id()
    maker, taker = call.body.get("maker_fee_bps"), call.body.get("taker_fee_bps")
    if not isinstance(maker, int) or not isinstance(taker, int):
        raise errors.mandatory_missing("maker_fee_bps")
    await call.execute(SetAccountFees(account, maker, taker))
    return {"user_id": account, "maker_fee_bps": maker, "taker_fee_bps": taker}


async def status(call: AdminCall) -> Any:
    """How far the engine and the SQL read model are: the engine's last applied seq and
    the commands waiting, the read model's committed seq and its lag behind the engine, and
    for a gateway over the command port each engine process (a standby's lag)."""
    gateway = call.gateway
    engine = gateway.engine.status()
    engine_seq = engine["last_seq"]
    read_model = gateway.read_model
    return {
        "engine": engine,
        # A gateway over the command port: every engine process it may use (the primary,
        # the standbys with their lag behind the stream).
        "engines": await gateway.engine.engines(),
        "read_model": None
        if read_model is None
        else {
            "last_seq": read_model.last_seq(),
            "lag": max(0, engine_seq - read_model.last_seq()),
            "stopped": read_model.stopped(),
        },
    }


class VerifiedAccount(Protocol):
    @property
    def user_id(self) -> int: ...

    @property
    def email(self) -> str: ...


class EmailVerifier(Protocol):
    """The accounts (`accounts.service.Accounts`), handed over by the composition root."""

    def verify_by_operator(self, email_text: str) -> VerifiedAccount | None:
        """Mark the address verified; None when no account has it."""
        ...


def verify_email_endpoint(verifier: EmailVerifier) -> AdminHandler:
    """`assetport admin account verify EMAIL`: an address verified by hand, for a server
    that sends no mail."""

    async def verify_by_operator(call: AdminCall) -> Any:
        account = verifier.verify_by_operator(call.text("email"))
        if account is None:
            raise errors.NO_ACCOUNT_FOR_EMAIL.error()
        return {"userId": account.user_id, "email": account.email, "emailVerified": True}

    return verify_by_operator


ADMIN_ENDPOINTS: tuple[tuple[str, AdminHandler], ...] = (
    ("/api/v1/admin/users", create_user),
    ("/api/v1/admin/apikeys", create_api_key),
    ("/api/v1/admin/deposits", deposit),
    ("/api/v1/admin/withdrawals", withdraw),
    ("/api/v1/admin/markets/status", market_status),
    ("/api/v1/admin/markets/fees", market_fees),
    ("/api/v1/admin/markets/stp", market_stp),
    ("/api/v1/admin/accounts/fees", account_fees),
    ("/api/v1/admin/status", status),
)


def admin_routes(
    gateway: Gateway,
    users: UserStore,
    token: AdminToken,
    verifier: EmailVerifier | None = None,
) -> list[Route]:
    """The operator endpoints (issuance's, which build on `AdminCall` and also take an
    issuer agent's token, are `rest_issuance.issuance_routes`)."""
    endpoints = list(ADMIN_ENDPOINTS)
    if verifier is not None:
        endpoints.append(("/api/v1/admin/accounts/verify", verify_email_endpoint(verifier)))
    return [admin_route(path, handler, gateway, users, token) for path, handler in endpoints]


def admin_route(
    path: str,
    handler: AdminHandler,
    gateway: Gateway,
    users: UserStore,
    token: AdminToken,
    agents: IssuerAgents | None = None,
) -> Route:
    """One operator endpoint: the admin token (or, given `agents`, an issuer agent's
    token), the JSON body, the answer or the error."""

    async def endpoint(request: Request) -> Response:
        try:
            agent = await _caller(request, token, agents)
            try:
                body = bounded_json.decode(await request.body() or b"{}")
            except msgspec.DecodeError as exc:
                raise errors.BODY_NOT_JSON.error() from exc
            if not isinstance(body, dict):
                raise errors.BODY_NOT_OBJECT.error()
            result = await handler(AdminCall(gateway, users, body, agent))
            return Response(msgspec.json.encode(result), 200, media_type=JSON)
        except ApiError as error:
            return Response(error.body(), error.http_status, media_type=JSON)

    return Route(path, endpoint, methods=["POST"])


async def _caller(
    request: Request, token: AdminToken, agents: IssuerAgents | None
) -> IssuerAgent | None:
    """Who sent the request: None for the admin token, else the issuer agent whose token
    it is; anyone else is refused (401). The agents' file is read at each request (off the
    event loop), so an agent removed is refused at once."""
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token.check(given):
        return None
    agent = None if agents is None else await asyncio.to_thread(agents.authenticate, given)
    if agent is None:
        raise errors.UNAUTHORIZED.error()
    return agent
