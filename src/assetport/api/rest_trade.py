"""Trading and account endpoints (Binance /api/v3): orders, cancels, cancel-replace,
amend, open and past orders, trades, balances."""

import functools
from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api.errors import ApiError, RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security, Submission, run_submission
from assetport.api.params import CancelReplaceMode, NewOrderRespType, Params
from assetport.api.render import (
    balance_json,
    cancel_json,
    from_units,
    ms,
    new_order_json,
    order_json,
    prevented_match_json,
    stored_trade_json,
)
from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelReplace,
    PlaceOrder,
)
from assetport.domain.events import (
    CommandRejected,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    refusal,
)
from assetport.domain.orders import OrderType, TimeInForce
from assetport.domain.results import RejectReason
from assetport.marketdata.time_unit import from_ms
from assetport.runtime.errors import ServiceFailed
from assetport.runtime.service import Outcome
from assetport.views.markets import Markets, fee_rates
from assetport.views.orders import OrderRecord

DAY_MS = 86_400_000
# Binance: MARKET and LIMIT answer FULL by default, every other type ACK.
_FULL_BY_DEFAULT = (OrderType.MARKET, OrderType.LIMIT)
_NEEDS_PRICE = (
    OrderType.LIMIT,
    OrderType.LIMIT_MAKER,
    OrderType.STOP_LOSS_LIMIT,
    OrderType.TAKE_PROFIT_LIMIT,
)
_NEEDS_STOP = (
    OrderType.STOP_LOSS,
    OrderType.STOP_LOSS_LIMIT,
    OrderType.TAKE_PROFIT,
    OrderType.TAKE_PROFIT_LIMIT,
)
_NEEDS_TIF = (OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT)


def _symbol(call: Call) -> str:
    symbol = call.params.symbol()
    if symbol not in call.gateway.markets.terms:
        raise errors.BAD_SYMBOL.error()
    return symbol


def read_new_order(
    call: Call, symbol: str, params: Params
) -> tuple[PlaceOrder, NewOrderRespType | None]:
    """The PlaceOrder a request describes (POST /order, /order/test, cancelReplace), with
    Binance's parameter errors, before the engine sees it."""
    markets = call.gateway.markets
    bp = markets.base(symbol)
    qp = markets.quote(symbol)
    side = params.side()
    order_type = params.order_type()
    tif = params.time_in_force()
    quantity = params.optional_units("quantity", bp)
    quote_quantity = params.optional_units("quoteOrderQty", qp)
    price = params.optional_units("price", qp)
    stop_price = params.optional_units("stopPrice", qp)
    iceberg = params.optional_units("icebergQty", bp)
    params.mark_read("strategyId", "strategyType", "newOrderRespType")
    if params.peek("trailingDelta") is not None:
        raise errors.MANDATORY_PARAM_EMPTY.error()  # trailing stops are not offered
    if order_type is OrderType.MARKET:
        if quantity is None and quote_quantity is None:
            raise errors.one_of_mandatory("quantity", "quoteOrderQty")
        if tif is not None:
            raise errors.param_not_required("timeInForce")
        if price is not None:
            raise errors.param_not_required("price")
    else:
        if quantity is None:
            raise errors.mandatory_missing("quantity")
        if quote_quantity is not None:
            raise errors.param_not_required("quoteOrderQty")
        if order_type in _NEEDS_PRICE and price is None:
            raise errors.mandatory_missing("price")
        if order_type not in _NEEDS_PRICE and price is not None:
            raise errors.param_not_required("price")
        if order_type in _NEEDS_TIF and tif is None:
            raise errors.mandatory_missing("timeInForce")
        if order_type not in _NEEDS_TIF and tif is not None and tif is not TimeInForce.GTC:
            raise errors.TIF_NOT_REQUIRED.error()
    if order_type in _NEEDS_STOP and stop_price is None:
        raise errors.mandatory_missing("stopPrice")
    if order_type not in _NEEDS_STOP and stop_price is not None:
        raise errors.param_not_required("stopPrice")
    client_order_id = params.client_order_id("newClientOrderId")
    command = PlaceOrder(
        call.account,
        symbol,
        side,
        order_type,
        quantity=quantity or 0,
        price=price or 0,
        time_in_force=tif if order_type in _NEEDS_TIF else None,
        quote_quantity=quote_quantity or 0,
        stop_price=stop_price or 0,
        iceberg_qty=iceberg or 0,
        client_order_id=client_order_id or call.gateway.new_client_order_id(),
        stp_mode=params.stp_mode(),
    )
    return command, params.new_order_resp_type()


def rejection(outcome: Outcome) -> CommandRejected | None:
    return refusal(outcome.events)


def _accepted_record(call: Call, events: list[Event]) -> OrderRecord:
    for event in events:
        if isinstance(event, OrderAccepted):
            record = call.gateway.orders.get(event.order_id)
            if record is not None:
                return record
    raise errors.UNKNOWN.error()


def new_order_reply(
    call: Call, command: PlaceOrder, response_type: NewOrderRespType | None, events: list[Event]
) -> dict[str, Any]:
    record = _accepted_record(call, events)
    if response_type is None:
        kind = "FULL" if command.type in _FULL_BY_DEFAULT else "ACK"
    else:
        kind = response_type.value
    return new_order_json(record, list(record.fills), kind, call.gateway.markets)


def placed_reply(
    call: Call, command: PlaceOrder, response_type: NewOrderRespType | None, outcome: Outcome
) -> dict[str, Any]:
    """The answer to a new order (REST and WebSocket API): the order, or the refusal."""
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.NEW_ORDER)
    return new_order_reply(call, command, response_type, outcome.events)


def new_order_submission(call: Call) -> Submission:
    symbol = _symbol(call)
    command, response_type = read_new_order(call, symbol, call.params)
    call.params.ensure_all_read()
    return Submission(command, functools.partial(placed_reply, call, command, response_type))


async def new_order(call: Call) -> Any:
    return await run_submission(call, new_order_submission(call))


async def test_order(call: Call) -> Any:
    """Every check a new order passes before money moves, without placing it; with
    `computeCommissionRates=true`, the rates the order would pay."""
    symbol = _symbol(call)
    command, _ = read_new_order(call, symbol, call.params)
    compute = _boolean(call.params, "computeCommissionRates")
    call.params.ensure_all_read()
    try:
        reason = await call.gateway.engine.order_problem(command)
    except ServiceFailed as exc:
        raise errors.DISCONNECTED.error() from exc
    if reason is not None:
        raise reject_error(reason, RejectContext.NEW_ORDER)
    if not compute:
        return {}
    maker, taker = commission_bps(call, symbol)
    return {
        "standardCommissionForOrder": {"maker": rate(maker), "taker": rate(taker)},
        "specialCommissionForOrder": {"maker": rate(0), "taker": rate(0)},
        "taxCommissionForOrder": {"maker": rate(0), "taker": rate(0)},
        "discount": _NO_DISCOUNT,
    }


# Assetport has no fee-discount token; Binance's shape, switched off.
_NO_DISCOUNT: Final = {
    "enabledForAccount": False,
    "enabledForSymbol": False,
    "discountAsset": None,
    "discount": "0.00000000",
}


def _boolean(params: Params, name: str) -> bool:
    value = params.optional_string(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise errors.invalid_parameter(name)
    return value == "true"


def commission_bps(call: Call, symbol: str) -> tuple[int, int]:
    """(maker, taker) fees the account pays in the market, by the one fee rule
    (`domain/markets.py`'s `fee_rates`, which the engine settles by)."""
    return call.gateway.markets.fee_rates(call.account, symbol)


def _account_commission_bps(call: Call) -> tuple[int, int]:
    """The (maker, taker) fees `GET /api/v3/account` reports, which names no market: by the
    same rule in each market, the lowest; `account/commission?symbol=` is exact."""
    markets = call.gateway.markets
    override = markets.fee_overrides.get(call.account)
    rates = [fee_rates(terms, override) for terms in markets.terms.values()]
    if not rates:
        return override if override is not None else (0, 0)
    return min(maker for maker, _ in rates), min(taker for _, taker in rates)


def rate(bps: int) -> str:
    """Basis points as Binance writes a commission rate: 5 -> "0.00050000"."""
    return from_units(bps * 10_000, 8)


async def account_commission(call: Call) -> Any:
    symbol = _symbol(call)
    call.params.ensure_all_read()
    maker, taker = commission_bps(call, symbol)
    zero = {"maker": rate(0), "taker": rate(0), "buyer": rate(0), "seller": rate(0)}
    return {
        "symbol": symbol,
        "standardCommission": {**zero, "maker": rate(maker), "taker": rate(taker)},
        "specialCommission": zero,
        "taxCommission": zero,
        "discount": _NO_DISCOUNT,
    }


def find_record(call: Call, symbol: str, prefix: str = "") -> OrderRecord | None:
    """The account's order named by orderId or origClientOrderId (-1102 if neither)."""
    params = call.params
    order_id = params.optional_integer(f"{prefix}OrderId" if prefix else "orderId")
    client_id_name = f"{prefix}OrigClientOrderId" if prefix else "origClientOrderId"
    client_id = params.optional_string(client_id_name)
    if order_id is None and client_id is None:
        raise errors.one_of_mandatory("orderId", "origClientOrderId")
    orders = call.gateway.orders
    record = (
        orders.get(order_id)
        if order_id is not None
        else orders.by_client_id(call.account, client_id or "")
    )
    if record is None or record.account != call.account or record.symbol != symbol:
        return None
    if client_id is not None and record.client_order_id != client_id:
        return None
    return record


async def query_order(call: Call) -> Any:
    symbol = _symbol(call)
    record = find_record(call, symbol)
    call.params.ensure_all_read()
    if record is not None:
        return order_json(record, call.gateway.markets)
    # Not in memory (closed long ago, or before a restart): the SQL history has it.
    account = call.account
    order_id = call.params.optional_integer("orderId") or 0
    client_id = call.params.optional_string("origClientOrderId") or ""
    stored = await call.gateway.from_history(
        lambda history: history.order(account, symbol, order_id, client_id)
    )
    if stored is None:
        raise errors.NO_SUCH_ORDER.error()
    return order_json(stored, call.gateway.markets)


def cancel_report(
    call: Call, record: OrderRecord, cancel_client_id: str | None, time_us: int
) -> dict[str, Any]:
    cancel_id = cancel_client_id or call.gateway.new_client_order_id()
    return cancel_json(record, cancel_id, time_us, call.gateway.markets)


def read_cancel(call: Call, symbol: str, prefix: str = "") -> CancelOrder:
    """The cancel a request asks for, with the cancel's own id: the one it gives
    (`newClientOrderId`, `cancelNewClientOrderId` with the prefix) or one made up."""
    params = call.params
    order_name = f"{prefix}OrderId" if prefix else "orderId"
    client_name = f"{prefix}OrigClientOrderId" if prefix else "origClientOrderId"
    cancel_id_name = f"{prefix}NewClientOrderId" if prefix else "newClientOrderId"
    order_id = params.optional_integer(order_name)
    client_id = params.optional_string(client_name)
    if order_id is None and client_id is None:
        raise errors.one_of_mandatory(order_name, client_name)
    restriction = params.cancel_restrictions()
    cancel_id = params.client_order_id(cancel_id_name) or call.gateway.new_client_order_id()
    return CancelOrder(
        call.account,
        symbol,
        order_id=order_id or 0,
        client_order_id=client_id or "",
        restriction=restriction,
        cancel_client_order_id=cancel_id,
        ids_must_match=True,
    )


def cancel_submission(call: Call) -> Submission:
    command = read_cancel(call, _symbol(call))
    call.params.ensure_all_read()
    answer = functools.partial(canceled_reply, call, command.cancel_client_order_id)
    return Submission(command, answer)


async def cancel_order(call: Call) -> Any:
    return await run_submission(call, cancel_submission(call))


def canceled_reply(call: Call, cancel_client_id: str | None, outcome: Outcome) -> dict[str, Any]:
    """The answer to a cancel (REST and WebSocket API): the canceled order, or the error."""
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.CANCEL)
    canceled = [e for e in outcome.events if isinstance(e, OrderCanceled)]
    record = call.gateway.orders.get(canceled[0].order_id)
    if len(canceled) > 1:
        # A leg of an order list: the whole list was canceled; report the order asked for.
        order_id = call.params.optional_integer("orderId")
        client_id = call.params.optional_string("origClientOrderId")
        for event in canceled:
            leg = call.gateway.orders.get(event.order_id)
            if leg is not None and (event.order_id == order_id or leg.client_order_id == client_id):
                record = leg
    if record is None:
        raise errors.UNKNOWN.error()
    return cancel_report(call, record, cancel_client_id, outcome.time)


async def open_orders(call: Call) -> Any:
    symbol = call.params.optional_symbol()
    if symbol is not None and symbol not in call.gateway.markets:
        raise errors.BAD_SYMBOL.error()
    call.params.ensure_all_read()
    markets = call.gateway.markets
    return [
        order_json(record, markets)
        for record in call.gateway.orders.open_orders(call.account, symbol)
    ]


def cancel_open_orders_submission(call: Call) -> Submission:
    symbol = _symbol(call)
    call.params.ensure_all_read()
    return Submission(
        CancelAllOrders(call.account, symbol), functools.partial(_canceled_all_reply, call)
    )


async def cancel_open_orders(call: Call) -> Any:
    return await run_submission(call, cancel_open_orders_submission(call))


def _canceled_all_reply(call: Call, outcome: Outcome) -> list[dict[str, Any]]:
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.CANCEL)
    reports = []
    for event in outcome.events:
        if isinstance(event, OrderCanceled):
            record = call.gateway.orders.get(event.order_id)
            if record is not None:
                reports.append(cancel_report(call, record, None, outcome.time))
    return reports


def cancel_replace_submission(call: Call) -> Submission:
    symbol = _symbol(call)
    params = call.params
    mode = params.cancel_replace_mode()
    cancel = read_cancel(call, symbol, prefix="cancel")
    cancel_client_id = cancel.cancel_client_order_id
    place, response_type = read_new_order(call, symbol, params)
    params.mark_read("orderRateLimitExceededMode")
    params.ensure_all_read()
    allow = mode is CancelReplaceMode.ALLOW_FAILURE
    answer = functools.partial(
        _cancel_replace_reply, call, cancel_client_id, place, response_type, allow
    )
    return Submission(CancelReplace(cancel, place, allow_failure=allow), answer)


async def cancel_replace(call: Call) -> Any:
    return await run_submission(call, cancel_replace_submission(call))


def _cancel_replace_reply(
    call: Call,
    cancel_client_id: str | None,
    place: PlaceOrder,
    response_type: NewOrderRespType | None,
    allow_failure: bool,
    outcome: Outcome,
) -> Any:
    """Binance's outcomes: both succeed (200); one fails (-2021, 409); the cancel fails and
    the new order is not tried, or both fail (-2022, 400). The events come cancel first."""
    events = outcome.events
    canceled = next((e for e in events if isinstance(e, OrderCanceled)), None)
    rejections = [e for e in events if isinstance(e, CommandRejected)]
    cancel_response: Any
    if canceled is not None:
        record = call.gateway.orders.get(canceled.order_id)
        if record is None:
            raise errors.UNKNOWN.error()
        cancel_response = cancel_report(call, record, cancel_client_id, outcome.time)
    else:
        cancel_response = _error_body(rejections.pop(0).reason, RejectContext.CANCEL)
    cancel_ok = canceled is not None
    attempted = cancel_ok or allow_failure
    new_ok = attempted and not rejections
    new_response: Any = None
    if rejections:
        new_response = _error_body(rejections[0].reason, RejectContext.NEW_ORDER)
    elif new_ok:
        new_response = new_order_reply(call, place, response_type, events)
    result = {
        "cancelResult": "SUCCESS" if cancel_ok else "FAILURE",
        "newOrderResult": "SUCCESS" if new_ok else ("FAILURE" if attempted else "NOT_ATTEMPTED"),
        "cancelResponse": cancel_response,
        "newOrderResponse": new_response,
    }
    if cancel_ok and new_ok:
        return result
    if cancel_ok or new_ok:
        raise _DataError(errors.CANCEL_REPLACE_PARTIALLY_FAILED, result)
    raise _DataError(errors.CANCEL_REPLACE_FAILED, result)


class _DataError(ApiError):
    """An error answer that carries a `data` object, as cancel-replace's do."""

    def __init__(self, spec: errors.ErrorSpec, data: Any) -> None:
        super().__init__(spec.code, spec.msg, spec.http_status)
        self.data = data

    def body(self) -> bytes:
        return msgspec.json.encode({"code": self.code, "msg": self.msg, "data": self.data})


def _error_body(reason: RejectReason, context: RejectContext) -> dict[str, Any]:
    error = reject_error(reason, context)
    return {"code": error.code, "msg": error.msg}


def amend_submission(call: Call) -> Submission:
    symbol = _symbol(call)
    params = call.params
    order_id = params.optional_integer("orderId")
    client_id = params.optional_string("origClientOrderId")
    if order_id is None and client_id is None:
        raise errors.one_of_mandatory("orderId", "origClientOrderId")
    new_quantity = params.units("newQty", call.gateway.markets.base(symbol))
    # As Binance: the amended order takes `newClientOrderId`, else an id made up for it
    # (sending the current id keeps it).
    new_client_id = params.client_order_id() or call.gateway.new_client_order_id()
    params.ensure_all_read()
    command = AmendOrder(
        call.account,
        symbol,
        new_quantity,
        order_id=order_id or 0,
        client_order_id=client_id or "",
        ids_must_match=True,
        new_client_order_id=new_client_id,
    )
    return Submission(command, functools.partial(_amended_reply, call, new_client_id))


async def amend_keep_priority(call: Call) -> Any:
    return await run_submission(call, amend_submission(call))


def _amended_reply(call: Call, new_client_id: str, outcome: Outcome) -> dict[str, Any]:
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.AMEND)
    # The order the amend named, which took the new id (an OCO's other leg is amended with
    # it and keeps its own).
    amended = next(
        e
        for e in outcome.events
        if isinstance(e, OrderAmended) and e.client_order_id == new_client_id
    )
    record = call.gateway.orders.get(amended.order_id)
    if record is None:
        raise errors.UNKNOWN.error()
    return {
        "transactTime": ms(outcome.time),
        "executionId": outcome.seq,
        "amendedOrder": _amended_order_json(
            record, amended.orig_client_order_id, call.gateway.markets
        ),
    }


def _amended_order_json(
    record: OrderRecord, orig_client_order_id: str, markets: Markets
) -> dict[str, Any]:
    """Binance's `amendedOrder`: its own names (`qty`, `cumulativeQuoteQty`...), not the
    order object's; `stopPrice` and `icebergQty` only for orders that have them."""
    qp = markets.quote(record.symbol)
    bp = markets.base(record.symbol)
    answer: dict[str, Any] = {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": record.order_list_id,
        "origClientOrderId": orig_client_order_id,
        "clientOrderId": record.client_order_id,
        "price": from_units(record.price, qp),
        "qty": from_units(record.quantity, bp),
        "executedQty": from_units(record.executed, bp),
        # Self-trade prevention here expires the order (no DECREMENT mode): an order open to
        # amend has prevented none, but say what the view knows.
        "preventedQty": from_units(record.prevented_quantity, bp),
        "quoteOrderQty": from_units(record.quote_quantity, qp),
        "cumulativeQuoteQty": from_units(record.executed_quote, qp),
        "status": record.status.value,
        "timeInForce": record.time_in_force.value,
        "type": record.type.value,
        "side": record.side.value,
        "workingTime": ms(record.working_time) if record.working else -1,
        "selfTradePreventionMode": record.stp_mode.value,
    }
    if record.stop_price:
        answer["stopPrice"] = from_units(record.stop_price, qp)
    if record.iceberg_qty:
        answer["icebergQty"] = from_units(record.iceberg_qty, bp)
    return answer


async def order_amendments(call: Call) -> Any:
    """`GET /api/v3/order/amendments`: one order's amendments, oldest first, from the SQL
    history (by `executionId`, from `fromExecutionId` on)."""
    symbol = _symbol(call)
    params = call.params
    order_id = params.integer("orderId")
    from_id = params.optional_integer("fromExecutionId")
    limit = _history_limit(params)
    params.ensure_all_read()
    account = call.account
    found = await call.gateway.from_history(
        lambda history: history.amendments(account, symbol, order_id, from_id, limit)
    )
    bp = call.gateway.markets.base(symbol)
    return [
        {
            "symbol": amendment.symbol,
            "orderId": amendment.order_id,
            "executionId": amendment.execution_id,
            "origClientOrderId": amendment.orig_client_order_id,
            "newClientOrderId": amendment.new_client_order_id,
            "origQty": from_units(amendment.orig_qty, bp),
            "newQty": from_units(amendment.new_qty, bp),
            "time": ms(amendment.time_us),
        }
        for amendment in found
    ]


def _time_window(params: Params) -> tuple[int | None, int | None]:
    start = params.optional_integer("startTime")
    end = params.optional_integer("endTime")
    if start is not None and end is not None and end - start > DAY_MS:
        raise errors.more_than_hours(24)
    return start, end


def _history_limit(params: Params) -> int:
    limit = params.optional_integer("limit")
    if limit is None:
        return 500
    if limit <= 0:
        raise errors.invalid_parameter("limit")
    return min(limit, 1000)


async def all_orders(call: Call) -> Any:
    symbol = _symbol(call)
    params = call.params
    from_id = params.optional_integer("orderId")
    start, end = _time_window(params)
    limit = _history_limit(params)
    params.ensure_all_read()
    account = call.account
    stored = await call.gateway.from_history(
        lambda history: history.all_orders(account, symbol, from_id, start, end, limit)
    )
    return [order_json(order, call.gateway.markets) for order in stored]


async def my_trades(call: Call) -> Any:
    symbol = _symbol(call)
    params = call.params
    order_id = params.optional_integer("orderId")
    from_id = params.optional_integer("fromId")
    start, end = _time_window(params)
    limit = _history_limit(params)
    params.ensure_all_read()
    account = call.account
    trades = await call.gateway.from_history(
        lambda history: history.my_trades(account, symbol, order_id, from_id, start, end, limit)
    )
    return [stored_trade_json(trade, call.gateway.markets) for trade in trades]


async def my_prevented_matches(call: Call) -> Any:
    """Binance's combinations: preventedMatchId alone, or orderId with an optional
    fromPreventedMatchId and limit (ascending by id)."""
    symbol = _symbol(call)
    params = call.params
    match_id = params.optional_integer("preventedMatchId")
    order_id = params.optional_integer("orderId")
    from_id = params.optional_integer("fromPreventedMatchId")
    limit = _history_limit(params)
    params.ensure_all_read()
    if (match_id is None) == (order_id is None):
        if match_id is None:
            raise errors.one_of_mandatory("preventedMatchId", "orderId")
        raise errors.BAD_PARAM_COMBO.error()
    if match_id is not None and (from_id is not None or "limit" in params):
        raise errors.BAD_PARAM_COMBO.error()
    events = call.gateway.orders.prevented_matches(call.account, symbol)
    if match_id is not None:
        picked = [e for e in events if e.prevented_match_id == match_id]
    else:
        picked = [
            e
            for e in events
            if order_id in (e.taker_order_id, e.maker_order_id)
            and (from_id is None or e.prevented_match_id >= from_id)
        ][:limit]
    markets = call.gateway.markets
    return [prevented_match_json(event, markets) for event in picked]


async def account(call: Call) -> Any:
    omit_zero = (call.params.optional_string("omitZeroBalances") or "false") == "true"
    call.params.ensure_all_read()
    gateway = call.gateway
    markets = gateway.markets
    balances = {
        asset: (free, held) for _, asset, free, held in gateway.engine.balances(call.account)
    }
    rows = []
    for asset in sorted(markets.precision):
        free, held = balances.get(asset, (0, 0))
        if omit_zero and not free and not held:
            continue
        rows.append(balance_json(asset, free, held, markets))
    maker, taker = _account_commission_bps(call)
    return {
        "makerCommission": maker,
        "takerCommission": taker,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": rate(maker),
            "taker": rate(taker),
            "buyer": "0.00000000",
            "seller": "0.00000000",
        },
        "canTrade": True,
        "canWithdraw": False,
        "canDeposit": False,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": from_ms(call.now_ms),
        "accountType": "SPOT",
        "balances": rows,
        "permissions": ["SPOT"],
        "uid": call.account,
    }


async def order_rate_limit(call: Call) -> Any:
    call.params.ensure_all_read()
    limiter = call.gateway.limiter
    usage = limiter.order_usage(call.account, call.now_ms)
    counts = dict(usage.headers())
    rows = []
    for limit in limiter.rate_limits_for_exchange_info():
        if limit["rateLimitType"] != "ORDERS":
            continue
        header = f"X-MBX-ORDER-COUNT-{limit['intervalNum']}{str(limit['interval'])[0]}"
        rows.append({**limit, "count": int(counts.get(header, "0"))})
    return rows


SIGNED = (
    ParamDoc("timestamp", "integer", True),
    ParamDoc("recvWindow"),
    ParamDoc("signature", required=True),
)
SYMBOL = ParamDoc("symbol", required=True)
ORDER_ID = (ParamDoc("orderId", "integer"), ParamDoc("origClientOrderId"))
NEW_ORDER = (
    SYMBOL,
    ParamDoc("side", required=True, description="BUY or SELL"),
    ParamDoc("type", required=True, description="LIMIT, MARKET, LIMIT_MAKER, STOP_LOSS, ..."),
    ParamDoc("timeInForce", description="GTC, IOC or FOK"),
    ParamDoc("quantity"),
    ParamDoc("quoteOrderQty"),
    ParamDoc("price"),
    ParamDoc("stopPrice"),
    ParamDoc("icebergQty"),
    ParamDoc("newClientOrderId"),
    ParamDoc("newOrderRespType", description="ACK, RESULT or FULL"),
    ParamDoc("selfTradePreventionMode"),
)
WINDOW = (
    ParamDoc("startTime", "integer"),
    ParamDoc("endTime", "integer"),
    ParamDoc("limit", "integer"),
)

ENDPOINTS = (
    Endpoint("POST", "/api/v3/order", new_order, Security.TRADE, "New order",
             (*NEW_ORDER, *SIGNED), counts_as_order=True, submit=new_order_submission),
    Endpoint("POST", "/api/v3/order/test", test_order, Security.TRADE, "Test new order",
             (*NEW_ORDER, ParamDoc("computeCommissionRates"), *SIGNED)),
    Endpoint("GET", "/api/v3/order", query_order, Security.USER_DATA, "Query order",
             (SYMBOL, *ORDER_ID, *SIGNED)),
    Endpoint("DELETE", "/api/v3/order", cancel_order, Security.TRADE, "Cancel order",
             (SYMBOL, *ORDER_ID, ParamDoc("newClientOrderId"), ParamDoc("cancelRestrictions"),
              *SIGNED), submit=cancel_submission),
    Endpoint("GET", "/api/v3/openOrders", open_orders, Security.USER_DATA, "Open orders",
             (ParamDoc("symbol"), *SIGNED)),
    Endpoint("DELETE", "/api/v3/openOrders", cancel_open_orders, Security.TRADE,
             "Cancel all open orders of a symbol", (SYMBOL, *SIGNED),
             submit=cancel_open_orders_submission),
    Endpoint("POST", "/api/v3/order/cancelReplace", cancel_replace, Security.TRADE,
             "Cancel an order and place a new one",
             (*NEW_ORDER, ParamDoc("cancelReplaceMode", required=True),
              ParamDoc("cancelOrderId", "integer"), ParamDoc("cancelOrigClientOrderId"),
              ParamDoc("cancelNewClientOrderId"), *SIGNED), counts_as_order=True,
             submit=cancel_replace_submission),
    Endpoint("PUT", "/api/v3/order/amend/keepPriority", amend_keep_priority, Security.TRADE,
             "Reduce an order's quantity keeping its priority",
             (SYMBOL, *ORDER_ID, ParamDoc("newQty", required=True), ParamDoc("newClientOrderId"),
              *SIGNED), submit=amend_submission),
    Endpoint("GET", "/api/v3/order/amendments", order_amendments, Security.USER_DATA,
             "An order's amendments", (SYMBOL, ParamDoc("orderId", "integer", True),
             ParamDoc("fromExecutionId", "integer"), ParamDoc("limit", "integer"), *SIGNED)),
    Endpoint("GET", "/api/v3/allOrders", all_orders, Security.USER_DATA, "All orders",
             (SYMBOL, ParamDoc("orderId", "integer"), *WINDOW, *SIGNED)),
    Endpoint("GET", "/api/v3/myTrades", my_trades, Security.USER_DATA, "Account trades",
             (SYMBOL, ParamDoc("orderId", "integer"), ParamDoc("fromId", "integer"), *WINDOW,
              *SIGNED)),
    Endpoint("GET", "/api/v3/myPreventedMatches", my_prevented_matches, Security.USER_DATA,
             "Matches stopped by self-trade prevention",
             (SYMBOL, ParamDoc("preventedMatchId", "integer"), ParamDoc("orderId", "integer"),
              ParamDoc("fromPreventedMatchId", "integer"), ParamDoc("limit", "integer"),
              *SIGNED)),
    Endpoint("GET", "/api/v3/account/commission", account_commission, Security.USER_DATA,
             "Commission rates of a symbol", (SYMBOL, *SIGNED)),
    Endpoint("GET", "/api/v3/account", account, Security.USER_DATA, "Balances",
             (ParamDoc("omitZeroBalances"), *SIGNED)),
    Endpoint("GET", "/api/v3/rateLimit/order", order_rate_limit, Security.USER_DATA,
             "Current order counts", SIGNED),
)  # fmt: skip
