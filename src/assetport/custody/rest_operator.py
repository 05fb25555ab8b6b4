"""Custody's operator endpoints, under /api/v1/admin/custody/: the withdrawals waiting for
approval and in flight, approvals and rejections by named operators, the risk hold, the
custody report (JSON or CSV), the on-chain reserves the proof of reserves states, each
real-world-asset token's supply on chain and in the ledger against its reserve, the
sweeps, refills of the hot wallet from cold, and the custody status.

Two kinds of bearer token open them (`Authorization: Bearer <token>`):

- the admin token (`<data_dir>/admin.token`): reads, and the risk hold;
- an operator's own token (`operators.py`): reads, and the decisions that need N of M
  people — approving or rejecting a withdrawal, requesting or approving a refill. The
  engine records the operator's name with each approval, so one person counts once; the
  admin token cannot approve at all.

Reads answer GET or POST; decisions are POSTs with a JSON body. Errors are Binance-style
`{"code", "msg"}`: the engine's refusals as the other operator endpoints map them
(-7027 unknown withdrawal, -7028 not from its status, -7029 approved already), and this
module's own in -7040..-7049.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api.errors import ApiError, ErrorSpec, RejectContext, reject_error
from assetport.api.gateway import Gateway
from assetport.api.params import decimal_to_units
from assetport.api.rest_admin import AdminCall
from assetport.chain.signer import HOT
from assetport.custody.node_rpc import NodeError, NodeRpc
from assetport.custody.operators import OperatorError, Operators
from assetport.custody.report import (
    AVERAGE_DAYS,
    DAY_MS,
    QUOTE,
    Price,
    chain_holdings,
    chain_reserves,
    custody_report,
    report_csv,
    yearly_average,
)
from assetport.custody.sender import to_chain_units, transfer_call_data
from assetport.custody.service import Custody
from assetport.custody.supply import supply_report
from assetport.custody.sweeper import Sweeper
from assetport.domain.commands import (
    ApproveWithdrawal,
    Command,
    RejectWithdrawal,
    SetWithdrawalRiskHold,
)
from assetport.domain.custody import BINANCE_STATUS, MAX_LABEL_CHARS, WithdrawalStatus
from assetport.domain.events import (
    Event,
    WithdrawalApproved,
    WithdrawalEnded,
    refusal,
)
from assetport.edge import bounded_json
from assetport.edge.keys import AdminToken
from assetport.edge.users import UserStore
from assetport.store.history import AccountWithdrawal, History

PREFIX: Final = "/api/v1/admin/custody"
T = TypeVar("T")
JSON: Final = "application/json"
CSV: Final = "text/csv; charset=utf-8"
# What the operators' queue shows: waiting for them, and on its way out.
QUEUE: Final = (WithdrawalStatus.AWAITING_APPROVAL, WithdrawalStatus.APPROVED,
                WithdrawalStatus.PROCESSING)  # fmt: skip
# Gas a token refill is given when the node cannot estimate it from the cold address.
REFILL_TOKEN_GAS: Final = 100_000
MAX_REASON_CHARS: Final = 200

OPERATOR_TOKEN_REQUIRED: Final = ErrorSpec(
    -7040,
    "Only a named operator's own token may do this: the admin token cannot approve.",
    401,
)
CHAIN_NOT_READY: Final = ErrorSpec(
    -7041, "Custody is not connected to the chain node yet; try again later.", 503
)
NO_HISTORY: Final = ErrorSpec(
    -7042, "This server keeps no SQL history (--engine): custody's queue is unavailable.", 503
)
NO_COLD_ADDRESS: Final = ErrorSpec(
    -7043, "No cold address is configured: set chain.cold_address to refill from it."
)
UNKNOWN_REFILL: Final = ErrorSpec(-7044, "Unknown refill.")
REFILL_ALREADY_APPROVED: Final = ErrorSpec(-7045, "This operator approved the refill already.", 409)
NODE_REFUSED: Final = ErrorSpec(-7046, "The chain node refused the query; try again later.", 503)

Who = tuple[str, str | None]  # ("admin", None) or ("operator", name)
Handler = Callable[["OperatorCall"], Awaitable[Any]]


class OperatorCall(AdminCall):
    """An operator request: the JSON body (or query string), and who sent it."""

    def __init__(self, gateway: Gateway, users: UserStore, body: dict[str, Any], who: Who) -> None:
        super().__init__(gateway, users, body)
        self.who = who

    @property
    def operator(self) -> str:
        """The operator's name; the admin token is refused here."""
        kind, name = self.who
        if kind != "operator" or name is None:
            raise OPERATOR_TOKEN_REQUIRED.error()
        return name

    def require_admin(self) -> None:
        if self.who[0] != "admin":
            raise errors.UNAUTHORIZED.error()

    async def decide(self, command: Command) -> list[Event]:
        """Run an operator's decision; a refusal is the error the admin endpoints answer."""
        outcome = await self.gateway.execute(command)
        refused = refusal(outcome.events)
        if refused is not None:
            raise reject_error(refused.reason, RejectContext.ADMIN)
        events: list[Event] = list(outcome.events)
        return events


class OperatorEndpoints:
    """The handlers, over one chain's custody."""

    def __init__(self, custody: Custody, operators: Operators) -> None:
        self.custody = custody
        self.operators = operators

    @property
    def sweeper(self) -> Sweeper | None:
        """Custody's sweeper, once it is connected to the node (made after the routes)."""
        sweeper = getattr(self.custody, "sweeper", None)
        return sweeper if isinstance(sweeper, Sweeper) else None

    @property
    def required(self) -> int:
        """N: distinct operators a decision needs."""
        return self.custody.config.policy.approvals_required

    # -- withdrawals --------------------------------------------------------------------

    async def withdrawals(self, call: OperatorCall) -> Any:
        network = self.custody.config.network
        rows = await _history(call, lambda h: h.withdrawals_by_status(QUEUE, network))
        return {
            "approvalsRequired": self.required,
            "operators": self.operators.count(),
            "withdrawals": [self._withdrawal_json(call.gateway, row) for row in rows],
        }

    def _withdrawal_json(self, gateway: Gateway, row: AccountWithdrawal) -> dict[str, Any]:
        w = row.withdrawal
        return {
            "id": w.withdrawal_id,
            "account": row.account,
            "coin": w.asset,
            "network": w.network,
            "address": w.address,
            "amount": gateway.markets.amount(w.asset, w.amount),
            "transactionFee": gateway.markets.amount(w.asset, w.fee),
            "status": w.status.value,
            "binanceStatus": int(BINANCE_STATUS[w.status]),
            "approvals": w.approvals,
            "approvalsRequired": self.required,
            "txId": w.tx_hash,
            "applyTime": w.requested_us // 1000,
            "withdrawOrderId": w.client_ref,
        }

    async def approve(self, call: OperatorCall) -> Any:
        operator = call.operator
        withdrawal_id = call.text("id")
        events = await call.decide(ApproveWithdrawal(withdrawal_id, operator))
        approved = next(e for e in events if isinstance(e, WithdrawalApproved))
        return {
            "id": withdrawal_id,
            "operator": operator,
            "approvals": approved.approvals,
            "approvalsRequired": self.required,
            "status": approved.status.value,
        }

    async def reject(self, call: OperatorCall) -> Any:
        operator = call.operator
        withdrawal_id = call.text("id")
        reason = call.text("reason")
        if len(reason) > MAX_REASON_CHARS:
            raise errors.invalid_parameter("reason")
        events = await call.decide(RejectWithdrawal(withdrawal_id, operator, reason))
        ended = next(e for e in events if isinstance(e, WithdrawalEnded))
        return {
            "id": withdrawal_id,
            "operator": operator,
            "status": ended.status.value,
            "released": call.gateway.markets.amount(ended.asset, ended.released),
            "reason": reason,
        }

    async def risk_hold(self, call: OperatorCall) -> Any:
        call.require_admin()
        account = call.user_id()
        held = call.body.get("held")
        if not isinstance(held, bool):
            raise errors.mandatory_missing("held")
        reason = str(call.body.get("reason", ""))
        if len(reason) > MAX_LABEL_CHARS:
            raise errors.invalid_parameter("reason")
        await call.decide(SetWithdrawalRiskHold(account, held, reason))
        return {"user_id": account, "held": held, "reason": reason}

    # -- report, sweeps, status ---------------------------------------------------------

    async def report(self, call: OperatorCall) -> Any:
        custody = self.custody
        history = custody.history
        if history is None:
            raise NO_HISTORY.error()
        if custody.sender is None:  # not connected: the sandbox's tokens may not exist yet
            raise CHAIN_NOT_READY.error()
        now = call.gateway.clock_ms()
        quote_precision = call.gateway.markets.precision.get(QUOTE, 0)
        liabilities = await call.gateway.from_history(lambda h: h.liabilities())
        assets = list(custody.assets.values())
        prices = await asyncio.to_thread(_prices, history, [a.asset for a in assets],
                                         quote_precision, now)  # fmt: skip
        cold = custody.config.cold_address
        hot = custody.signer.address(HOT)
        addresses = sorted(custody.deposits.addresses())
        holdings = await _from_node(
            custody,
            lambda rpc: chain_holdings(rpc, assets, addresses, hot, cold, liabilities),
        )
        report = custody_report(
            holdings, prices, quote_precision, as_of_ms=now,
            cold_address=None if cold is None else str(cold), hot_address=str(hot),
        )  # fmt: skip
        report["network"] = custody.config.network
        report["depositAddressCount"] = len(addresses)
        if str(call.body.get("format", "json")).lower() == "csv":
            return Csv(report_csv(report))
        return report

    async def reserves(self, call: OperatorCall) -> Any:
        """The on-chain reserves in the form `assetport por build --reserves` reads: per
        asset, each address of ours that holds some, its balance in the ledger's precision
        (rounded down: a reserve is never stated above what is there), all read at one
        block, which is named with the chain."""
        custody = self.custody
        sender = custody.sender
        if sender is None:
            raise CHAIN_NOT_READY.error()
        assets = list(custody.assets.values())
        addresses = sorted(custody.deposits.addresses())
        hot, cold = custody.signer.address(HOT), custody.config.cold_address
        found = await _from_node(
            custody, lambda rpc: chain_reserves(rpc, assets, addresses, hot, cold)
        )
        markets = call.gateway.markets
        stated: dict[str, list[dict[str, str]]] = {}
        for asset in assets:
            stated[asset.asset] = [
                {"address": held.address, "role": held.role,
                 "balance": markets.amount(asset.asset, asset.to_ledger_units(held.units)[0])}
                for held in found.held[asset.asset]
            ]  # fmt: skip
        return {
            "chain": {"network": custody.config.network, "chainId": sender.chain_id,
                      "block": found.block, "readAt": call.gateway.clock_ms()},
            "reserves": stated,
        }  # fmt: skip

    async def supply(self, call: OperatorCall) -> Any:
        """Each real-world-asset token on the chain, its supply reconciled (custody/supply.py):
        the contract's total supply and our addresses' share of it at one block, the
        ledger's supply, the claims they make together and the reserve that backs them."""
        custody = self.custody
        sender = custody.sender
        if sender is None:
            raise CHAIN_NOT_READY.error()
        issuance = call.gateway.issuance
        tokens = [a for a in custody.assets.values() if a.asset in issuance.supplies]
        addresses = sorted(custody.deposits.addresses())
        hot, cold = custody.signer.address(HOT), custody.config.cold_address
        backing = {
            a.asset: issuance.backing(a.asset) if a.asset in issuance.reserves else None
            for a in tokens
        }
        found = await _from_node(
            custody,
            lambda rpc: supply_report(
                rpc, tokens, addresses, hot, cold, issuance.supplies, backing
            ),
        )
        amount = call.gateway.markets.amount
        lines = [
            {"asset": line.asset,
             "chainTotalSupply": amount(line.asset, line.chain_total),
             "heldByExchangeOnChain": amount(line.asset, line.held_by_us),
             "ledgerSupply": amount(line.asset, line.ledger_supply),
             "ledgerOnly": amount(line.asset, line.off_chain),
             "claims": amount(line.asset, line.claims),
             "reserve": None if line.reserve is None else amount(line.asset, line.reserve),
             "reconciled": line.reconciled}
            for line in found.lines
        ]  # fmt: skip
        return {
            "chain": {"network": custody.config.network, "chainId": sender.chain_id,
                      "block": found.block, "readAt": call.gateway.clock_ms()},
            "tokens": lines,
        }  # fmt: skip

    async def sweeps(self, call: OperatorCall) -> Any:
        if self.sweeper is None:
            return {"network": self.custody.config.network, "state": "not running"}
        return self.sweeper.status()

    async def status(self, call: OperatorCall) -> Any:
        sweeper = self.sweeper
        return {
            **self.custody.status(),
            "sweeper": None if sweeper is None else sweeper.status(),
            "approvals_required": self.required,
            "operators": [op.name for op in self.operators.registered()],
        }

    # -- refills ------------------------------------------------------------------------

    async def request_refill(self, call: OperatorCall) -> Any:
        """An unsigned transaction moving `amount` of `asset` from the cold address to the
        hot wallet, for the offline signer; ready once N operators approved it (the
        requester's request is their approval)."""
        operator = call.operator
        custody = self.custody
        cold = custody.config.cold_address
        if cold is None:
            raise NO_COLD_ADDRESS.error()
        code = call.text("asset")
        asset = custody.assets.get(code)
        if asset is None:
            raise errors.invalid_parameter("asset")
        units = decimal_to_units("amount", call.text("amount"), asset.ledger_precision)
        if units <= 0:
            raise errors.invalid_parameter("amount")
        amount = to_chain_units(units, asset.chain_decimals, asset.ledger_precision)
        sender = custody.sender
        if sender is None:
            raise CHAIN_NOT_READY.error()
        hot = custody.signer.address(HOT)
        rpc = NodeRpc(custody.rpc_url, 10.0)
        try:
            nonce = int(await rpc.call("eth_getTransactionCount", cold.hex, "pending"), 16)
            block = await rpc.call("eth_getBlockByNumber", "latest", False)
            base_fee = int(block.get("baseFeePerGas", "0x0"), 16)
            tip = int(await rpc.call("eth_maxPriorityFeePerGas"), 16)
            tx: dict[str, Any] = {"from": str(cold), "type": "0x2", "chainId": hex(sender.chain_id),
                                  "nonce": hex(nonce), "maxFeePerGas": hex(2 * base_fee + tip),
                                  "maxPriorityFeePerGas": hex(tip)}  # fmt: skip
            if asset.contract is None:
                tx |= {"to": str(hot), "value": hex(amount), "gas": hex(21_000)}
            else:
                data = "0x" + transfer_call_data(hot, amount).hex()
                tx |= {"to": asset.contract, "value": "0x0", "data": data}
                try:
                    call_ = {"from": cold.hex, "to": asset.contract, "data": data}
                    estimate = int(await rpc.call("eth_estimateGas", call_), 16)
                    tx["gas"] = hex(estimate + estimate // 4)
                except NodeError:  # the cold address lacks the tokens now: a fixed allowance
                    tx["gas"] = hex(REFILL_TOKEN_GAS)
        except RuntimeError as exc:  # NodeUnavailable, or an answer that is not one
            raise CHAIN_NOT_READY.error() from exc
        finally:
            await rpc.close()
        refill = self.operators.request_refill(
            code, call.gateway.markets.amount(code, units), operator, tx, self.required
        )
        return refill.to_json()

    async def approve_refill(self, call: OperatorCall) -> Any:
        operator = call.operator
        refill_id = call.body.get("id")
        if not isinstance(refill_id, int) or isinstance(refill_id, bool):
            raise errors.mandatory_missing("id")
        if self.operators.refill(refill_id) is None:
            raise UNKNOWN_REFILL.error()
        try:
            return self.operators.approve_refill(refill_id, operator).to_json()
        except OperatorError as exc:
            raise REFILL_ALREADY_APPROVED.error() from exc

    async def refills(self, call: OperatorCall) -> Any:
        return {"refills": [refill.to_json() for refill in self.operators.refills()]}


async def _from_node(custody: Custody, read: Callable[[NodeRpc], Awaitable[T]]) -> T:
    """What `read` asks of the chain node, through a connection of its own; the node's
    refusal or absence is the operator's error, and the connection is closed either way."""
    rpc = NodeRpc(custody.rpc_url, 10.0)
    try:
        return await read(rpc)
    except NodeError as exc:
        raise NODE_REFUSED.error() from exc
    except RuntimeError as exc:  # NodeUnavailable
        raise CHAIN_NOT_READY.error() from exc
    finally:
        await rpc.close()


class Csv:
    """An answer sent as CSV rather than JSON."""

    def __init__(self, text: str) -> None:
        self.text = text


def _prices(
    history: History, assets: list[str], quote_precision: int, now_ms: int
) -> dict[str, Price | None]:
    """Each asset's trailing one-year average KRW price from its daily candles."""
    prices: dict[str, Price | None] = {}
    start = now_ms - AVERAGE_DAYS * DAY_MS
    for asset in assets:
        candles = history.klines(f"{asset}{QUOTE}", "1d", start_ms=start, now_ms=now_ms,
                                 limit=AVERAGE_DAYS + 1)  # fmt: skip
        prices[asset] = yearly_average(candles, now_ms, quote_precision)
    return prices


async def _history(call: OperatorCall, query: Callable[[History], Any]) -> Any:
    if call.gateway.history is None:
        raise NO_HISTORY.error()
    return await call.gateway.from_history(query)


def operator_routes(
    custody: Custody,
    gateway: Gateway,
    users: UserStore,
    admin_token: AdminToken,
    operators: Operators,
) -> list[Route]:
    """The custody operator endpoints (see the module), for the server's routes."""
    handlers = OperatorEndpoints(custody, operators)
    reads: tuple[tuple[str, Handler], ...] = (
        ("/withdrawals", handlers.withdrawals),
        ("/report", handlers.report),
        ("/reserves", handlers.reserves),
        ("/supply", handlers.supply),
        ("/sweeps", handlers.sweeps),
        ("/refills", handlers.refills),
        ("/status", handlers.status),
    )
    decisions: tuple[tuple[str, Handler], ...] = (
        ("/withdrawals/approve", handlers.approve),
        ("/withdrawals/reject", handlers.reject),
        ("/risk-hold", handlers.risk_hold),
        ("/refill", handlers.request_refill),
        ("/refill/approve", handlers.approve_refill),
    )
    routes = [
        _route(path, handler, ["GET", "POST"], gateway, users, admin_token, operators)
        for path, handler in reads
    ]
    routes += [
        _route(path, handler, ["POST"], gateway, users, admin_token, operators)
        for path, handler in decisions
    ]
    return routes


def _route(
    path: str,
    handler: Handler,
    methods: list[str],
    gateway: Gateway,
    users: UserStore,
    admin_token: AdminToken,
    operators: Operators,
) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            who: Who
            if admin_token.check(token):
                who = ("admin", None)
            else:
                name = await asyncio.to_thread(operators.authenticate, token)
                if name is None:
                    raise errors.UNAUTHORIZED.error()
                who = ("operator", name)
            body: dict[str, Any] = dict(request.query_params)
            if request.method == "POST":
                try:
                    decoded = bounded_json.decode(await request.body() or b"{}")
                except msgspec.DecodeError as exc:
                    raise errors.BODY_NOT_JSON.error() from exc
                if not isinstance(decoded, dict):
                    raise errors.BODY_NOT_OBJECT.error()
                body |= decoded
            result = await handler(OperatorCall(gateway, users, body, who))
            if isinstance(result, Csv):
                return Response(result.text, 200, media_type=CSV)
            return Response(msgspec.json.encode(result), 200, media_type=JSON)
        except ApiError as error:
            return Response(error.body(), error.http_status, media_type=JSON)

    return Route(PREFIX + path, endpoint, methods=methods)
