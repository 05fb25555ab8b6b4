"""Order lists (Binance /api/v3): OCO (`POST /orderList/oco`, and the deprecated
`POST /order/oco`), OTO (`/orderList/oto`), OTOCO (`/orderList/otoco`); cancel a list
(`DELETE /orderList`); query one (`GET /orderList`), all (`GET /allOrderList`) and the open
ones (`GET /openOrderList`). The rules are the engine's (engine/spot/order_lists.py); the
answers Binance's shapes (docs/binance-api.md#order-lists).

A list is one command to the engine: all its orders are placed or none. A request's
parameter errors are answered here, before it is sequenced, with Binance's codes (-1102,
-1106, -1196..-1199); the engine's refusals come back as -2010 with its reason.
"""

import functools
from typing import Any, Final

from assetport.api import errors
from assetport.api.errors import RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security, Submission, run_submission
from assetport.api.params import NewOrderRespType, Params
from assetport.api.render import cancel_json, ms, new_order_json
from assetport.api.rest_trade import SIGNED, SYMBOL, WINDOW, rejection
from assetport.domain.commands import CancelOrderList, PlaceOrder, PlaceOrderList
from assetport.domain.events import OrderCanceled, OrderListPlaced, OrderListStatus
from assetport.domain.order_lists import (
    WORKING_TYPES,
    LegProblem,
    ListKind,
    ListOrderStatus,
    ListStatusType,
    legs_of,
    oco_leg_problem,
)
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.runtime.service import Outcome
from assetport.store.order_list_history import all_order_lists as all_order_lists_in
from assetport.store.order_list_history import order_list as order_list_in
from assetport.views.order_lists import ListRecord

_PRICED: Final = (
    OrderType.LIMIT,
    OrderType.LIMIT_MAKER,
    OrderType.STOP_LOSS_LIMIT,
    OrderType.TAKE_PROFIT_LIMIT,
)
_STOPPED: Final = (
    OrderType.STOP_LOSS,
    OrderType.STOP_LOSS_LIMIT,
    OrderType.TAKE_PROFIT,
    OrderType.TAKE_PROFIT_LIMIT,
)
_TIMED: Final = (OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT)
# What an OCO's above and below orders may be (Binance: aboveType, belowType).
_OCO_TYPES: Final = (
    OrderType.LIMIT_MAKER,
    OrderType.STOP_LOSS,
    OrderType.STOP_LOSS_LIMIT,
    OrderType.TAKE_PROFIT,
    OrderType.TAKE_PROFIT_LIMIT,
)
_LEG_PROBLEMS: Final = {
    LegProblem.BUY_STOP_LOSS_MUST_BE_ABOVE: errors.OCO_BUY_STOP_LOSS_ABOVE,
    LegProblem.SELL_STOP_LOSS_MUST_BE_BELOW: errors.OCO_SELL_STOP_LOSS_BELOW,
    LegProblem.BUY_TAKE_PROFIT_MUST_BE_BELOW: errors.OCO_BUY_TAKE_PROFIT_BELOW,
    LegProblem.SELL_TAKE_PROFIT_MUST_BE_ABOVE: errors.OCO_SELL_TAKE_PROFIT_ABOVE,
    LegProblem.UNSUPPORTED: errors.UNSUPPORTED_ORDER_COMBINATION,
}


def _symbol(call: Call) -> str:
    symbol = call.params.symbol()
    if symbol not in call.gateway.markets.terms:
        raise errors.BAD_SYMBOL.error()
    return symbol


def _side(params: Params, name: str) -> Side:
    value = params.string(name)
    if value not in Side.__members__:
        raise errors.INVALID_SIDE.error()
    return Side(value)


def _order_type(params: Params, name: str, allowed: tuple[OrderType, ...]) -> OrderType:
    value = params.string(name)
    if value not in OrderType.__members__ or OrderType(value) not in allowed:
        raise errors.invalid_parameter(name)
    return OrderType(value)


def _time_in_force(params: Params, name: str) -> TimeInForce | None:
    value = params.optional_string(name)
    if value is None:
        return None
    if value not in TimeInForce.__members__:
        raise errors.INVALID_TIF.error()
    return TimeInForce(value)


def read_leg(
    call: Call,
    symbol: str,
    prefix: str,
    side: Side,
    quantity: int,
    order_type: OrderType,
    *,
    names: dict[str, str] | None = None,
) -> PlaceOrder:
    """One order of a list from its prefixed parameters (`abovePrice`, `workingTimeInForce`,
    `pendingAboveStopPrice`...); `names` renames some (the deprecated OCO's `stopLimitPrice`)."""
    params = call.params
    markets = call.gateway.markets
    qp = markets.quote(symbol)
    bp = markets.base(symbol)
    name = {
        field: f"{prefix}{field[0].upper()}{field[1:]}"
        for field in (
            "price",
            "stopPrice",
            "timeInForce",
            "icebergQty",
            "clientOrderId",
            "trailingDelta",
            "strategyId",
            "strategyType",
        )
    }
    name.update(names or {})
    price = params.optional_units(name["price"], qp)
    stop_price = params.optional_units(name["stopPrice"], qp)
    tif = _time_in_force(params, name["timeInForce"])
    iceberg = params.optional_units(name["icebergQty"], bp)
    client_order_id = params.client_order_id(name["clientOrderId"])
    params.mark_read(name["strategyId"], name["strategyType"])
    if params.peek(name["trailingDelta"]) is not None:
        raise errors.param_not_required(name["trailingDelta"])  # trailing stops: not offered
    if order_type in _PRICED and price is None:
        raise errors.mandatory_missing(name["price"])
    if order_type not in _PRICED and price is not None:
        raise errors.param_not_required(name["price"])
    if order_type in _STOPPED and stop_price is None:
        raise errors.mandatory_missing(name["stopPrice"])
    if order_type not in _STOPPED and stop_price is not None:
        raise errors.param_not_required(name["stopPrice"])
    if order_type in _TIMED and tif is None:
        raise errors.mandatory_missing(name["timeInForce"])
    if order_type not in _TIMED and tif is not None and tif is not TimeInForce.GTC:
        raise errors.TIF_NOT_REQUIRED.error()
    return PlaceOrder(
        call.account,
        symbol,
        side,
        order_type,
        quantity=quantity,
        price=price or 0,
        time_in_force=tif if order_type in _TIMED else None,
        stop_price=stop_price or 0,
        iceberg_qty=iceberg or 0,
        client_order_id=client_order_id or call.gateway.new_client_order_id(),
        stp_mode=params.stp_mode(),
    )


def _check_pair(side: Side, above: OrderType, below: OrderType) -> None:
    problem = oco_leg_problem(side, above, below)
    if problem is not None:
        raise _LEG_PROBLEMS[problem].error()


def _list_client_id(call: Call) -> str:
    return call.params.client_order_id("listClientOrderId") or call.gateway.new_client_order_id()


def oco_command(call: Call) -> PlaceOrderList:
    """POST /api/v3/orderList/oco: above and below orders of one side and quantity."""
    symbol = _symbol(call)
    params = call.params
    side = _side(params, "side")
    quantity = params.units("quantity", call.gateway.markets.base(symbol))
    above_type = _order_type(params, "aboveType", _OCO_TYPES)
    below_type = _order_type(params, "belowType", _OCO_TYPES)
    _check_pair(side, above_type, below_type)
    above = read_leg(call, symbol, "above", side, quantity, above_type)
    below = read_leg(call, symbol, "below", side, quantity, below_type)
    return PlaceOrderList(call.account, symbol, ListKind.OCO, (above, below), _list_client_id(call))


def legacy_oco_command(call: Call) -> PlaceOrderList:
    """The deprecated POST /api/v3/order/oco: a LIMIT_MAKER at `price` and a stop at
    `stopPrice` (a STOP_LOSS_LIMIT at `stopLimitPrice` when given), above and below by side."""
    symbol = _symbol(call)
    params = call.params
    side = _side(params, "side")
    quantity = params.units("quantity", call.gateway.markets.base(symbol))
    limit = read_leg(
        call,
        symbol,
        "limit",
        side,
        quantity,
        OrderType.LIMIT_MAKER,
        names={"price": "price", "stopPrice": "limitStopPrice", "timeInForce": "limitTimeInForce"},
    )
    stop_type = OrderType.STOP_LOSS_LIMIT if "stopLimitPrice" in params else OrderType.STOP_LOSS
    stop = read_leg(
        call,
        symbol,
        "stop",
        side,
        quantity,
        stop_type,
        names={
            "price": "stopLimitPrice",
            "stopPrice": "stopPrice",
            "timeInForce": "stopLimitTimeInForce",
            "trailingDelta": "trailingDelta",
        },
    )
    pair = (limit, stop) if side is Side.SELL else (stop, limit)
    return PlaceOrderList(call.account, symbol, ListKind.OCO, pair, _list_client_id(call))


def _working(call: Call, symbol: str) -> PlaceOrder:
    params = call.params
    working_type = _order_type(params, "workingType", tuple(WORKING_TYPES))
    side = _side(params, "workingSide")
    quantity = params.units("workingQuantity", call.gateway.markets.base(symbol))
    return read_leg(call, symbol, "working", side, quantity, working_type)


def oto_command(call: Call) -> PlaceOrderList:
    """POST /api/v3/orderList/oto: a working order and the order its fill places."""
    symbol = _symbol(call)
    params = call.params
    working = _working(call, symbol)
    pending_type = _order_type(params, "pendingType", tuple(OrderType))
    side = _side(params, "pendingSide")
    quantity = params.units("pendingQuantity", call.gateway.markets.base(symbol))
    pending = read_leg(call, symbol, "pending", side, quantity, pending_type)
    return PlaceOrderList(
        call.account, symbol, ListKind.OTO, (working, pending), _list_client_id(call)
    )


def otoco_command(call: Call) -> PlaceOrderList:
    """POST /api/v3/orderList/otoco: a working order and the OCO pair its fill places."""
    symbol = _symbol(call)
    params = call.params
    working = _working(call, symbol)
    side = _side(params, "pendingSide")
    quantity = params.units("pendingQuantity", call.gateway.markets.base(symbol))
    above_type = _order_type(params, "pendingAboveType", _OCO_TYPES)
    below_type = _order_type(params, "pendingBelowType", _OCO_TYPES)
    _check_pair(side, above_type, below_type)
    above = read_leg(call, symbol, "pendingAbove", side, quantity, above_type)
    below = read_leg(call, symbol, "pendingBelow", side, quantity, below_type)
    return PlaceOrderList(
        call.account, symbol, ListKind.OTOCO, (working, above, below), _list_client_id(call)
    )


# ------------------------------------------------------------------------- answers


def _legs(record: ListRecord) -> list[tuple[int, str]]:
    """(order id, client order id) of each order of the list, by id."""
    ids = record.client_order_ids or ("",) * len(record.order_ids)
    return sorted(zip(record.order_ids, ids, strict=True))


def list_json(record: ListRecord) -> dict[str, Any]:
    """An order list as GET /api/v3/orderList, allOrderList and openOrderList answer it:
    its orders by id, each with its client order id."""
    entries = [
        {"symbol": record.symbol, "orderId": order_id, "clientOrderId": client_order_id}
        for order_id, client_order_id in _legs(record)
    ]
    return {
        "orderListId": record.order_list_id,
        "contingencyType": record.contingency_type.value,
        "listStatusType": record.list_status_type.value,
        "listOrderStatus": record.list_order_status.value,
        "listClientOrderId": record.list_client_order_id,
        "transactionTime": ms(record.transaction_time),
        "symbol": record.symbol,
        "orders": entries,
    }


def list_status_event(
    record: ListRecord,
    status_type: ListStatusType,
    order_status: ListOrderStatus,
    time_us: int,
) -> dict[str, Any]:
    """The user data stream's `listStatus` of a list as it stood at one of its events."""
    legs = [{"s": record.symbol, "i": i, "c": c} for i, c in _legs(record)]
    return {
        "e": "listStatus",
        "E": ms(time_us),
        "s": record.symbol,
        "g": record.order_list_id,
        "c": record.contingency_type.value,
        "l": status_type.value,
        "L": order_status.value,
        "r": "NONE",
        "C": record.list_client_order_id,
        "T": ms(time_us),
        "O": legs,
    }


def placed_list_reply(
    call: Call, response_type: NewOrderRespType | None, outcome: Outcome
) -> dict[str, Any]:
    """The answer to a new order list (REST and WebSocket API): the list as it started,
    with a report of each order, or the refusal."""
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.NEW_ORDER)
    record = _list_of(call, outcome)
    answer = list_json(record)
    # Binance answers a list as it started, whatever its orders did in the same step.
    answer["listStatusType"] = ListStatusType.EXEC_STARTED.value
    answer["listOrderStatus"] = ListOrderStatus.EXECUTING.value
    kind = "RESULT" if response_type is None else response_type.value
    markets = call.gateway.markets
    reports = []
    for order_id in sorted(record.order_ids):
        leg = call.gateway.orders.get(order_id)
        if leg is not None:
            reports.append(new_order_json(leg, list(leg.fills), kind, markets))
    answer["orderReports"] = reports
    return answer


def _list_of(call: Call, outcome: Outcome) -> ListRecord:
    for event in outcome.events:
        if isinstance(event, OrderListPlaced):
            record = call.gateway.orders.lists.get(event.order_list_id)
            if record is not None:
                return record
    raise errors.UNKNOWN.error()


def list_submission(call: Call, read: Any) -> Submission:
    command: PlaceOrderList = read(call)
    response_type = call.params.new_order_resp_type()
    call.params.mark_read("newOrderRespType")
    call.params.ensure_all_read()
    _count_legs(call, command.kind)
    answer = functools.partial(placed_list_reply, call, response_type)
    return Submission(command, answer)


def _count_legs(call: Call, kind: ListKind) -> None:
    """A list counts its orders in the order-count limits (the endpoint counted one)."""
    limiter = call.gateway.limiter
    usage = None
    for _ in range(legs_of(kind) - 1):
        usage = limiter.check_order(call.account, call.now_ms)
    if usage is not None:
        fresh = usage.headers()
        names = {name.lower() for name, _ in fresh}
        call.headers[:] = [h for h in call.headers if h[0].lower() not in names] + list(fresh)


def oco_submission(call: Call) -> Submission:
    return list_submission(call, oco_command)


def legacy_oco_submission(call: Call) -> Submission:
    return list_submission(call, legacy_oco_command)


def oto_submission(call: Call) -> Submission:
    return list_submission(call, oto_command)


def otoco_submission(call: Call) -> Submission:
    return list_submission(call, otoco_command)


async def new_oco(call: Call) -> Any:
    return await run_submission(call, oco_submission(call))


async def new_legacy_oco(call: Call) -> Any:
    return await run_submission(call, legacy_oco_submission(call))


async def new_oto(call: Call) -> Any:
    return await run_submission(call, oto_submission(call))


async def new_otoco(call: Call) -> Any:
    return await run_submission(call, otoco_submission(call))


def cancel_list_submission(call: Call) -> Submission:
    symbol = _symbol(call)
    params = call.params
    list_id = params.optional_integer("orderListId")
    client_id = params.optional_string("listClientOrderId")
    if list_id is None and client_id is None:
        raise errors.one_of_mandatory("orderListId", "listClientOrderId")
    cancel_id = params.client_order_id("newClientOrderId")
    params.ensure_all_read()
    command = CancelOrderList(call.account, symbol, list_id or 0, client_id or "")
    return Submission(command, functools.partial(_canceled_list_reply, call, cancel_id))


def _canceled_list_reply(call: Call, cancel_id: str | None, outcome: Outcome) -> dict[str, Any]:
    rejected = rejection(outcome)
    if rejected is not None:
        raise reject_error(rejected.reason, RejectContext.CANCEL)
    status = next(e for e in outcome.events if isinstance(e, OrderListStatus))
    record = call.gateway.orders.lists.get(status.order_list_id)
    if record is None:
        raise errors.UNKNOWN.error()
    answer = list_json(record)
    markets = call.gateway.markets
    reports = []
    for event in outcome.events:
        if isinstance(event, OrderCanceled):
            leg = call.gateway.orders.get(event.order_id)
            if leg is not None:
                leg_cancel_id = cancel_id or call.gateway.new_client_order_id()
                reports.append(cancel_json(leg, leg_cancel_id, outcome.time, markets))
    answer["orderReports"] = sorted(reports, key=lambda report: report["orderId"])
    return answer


async def cancel_list(call: Call) -> Any:
    return await run_submission(call, cancel_list_submission(call))


def find_list(call: Call) -> ListRecord | None:
    """The account's list in the view named by orderListId or origClientOrderId (-1102 if
    neither), or None."""
    params = call.params
    list_id = params.optional_integer("orderListId")
    client_id = params.optional_string("origClientOrderId")
    if list_id is None and client_id is None:
        raise errors.one_of_mandatory("orderListId", "origClientOrderId")
    lists = call.gateway.orders.lists
    record = (
        lists.get(list_id)
        if list_id is not None
        else lists.by_client_id(call.account, client_id or "")
    )
    return _named(record, call.account, client_id)


def _named(record: ListRecord | None, account: int, client_id: str | None) -> ListRecord | None:
    if record is None or record.account != account:
        return None
    if client_id is not None and record.list_client_order_id != client_id:
        return None
    return record


async def query_list(call: Call) -> Any:
    record = find_list(call)
    call.params.ensure_all_read()
    if record is None and call.gateway.history is not None:
        # Not in memory (closed long ago, or before a restart): the SQL history has it.
        account = call.account
        list_id = call.params.optional_integer("orderListId") or 0
        client_id = call.params.optional_string("origClientOrderId")
        stored = await call.gateway.from_history(
            lambda history: order_list_in(history.database, account, list_id, client_id or "")
        )
        record = _named(stored, account, client_id)
    if record is None:
        raise errors.NO_SUCH_ORDER.error()
    return list_json(record)


def _window(call: Call) -> tuple[int | None, int | None, int | None, int]:
    """GET /api/v3/allOrderList's `fromId`, or `startTime`/`endTime` (not both), `limit`
    (500, at most 1000)."""
    params = call.params
    from_id = params.optional_integer("fromId")
    start = params.optional_integer("startTime")
    end = params.optional_integer("endTime")
    limit = params.optional_integer("limit")
    if from_id is not None and (start is not None or end is not None):
        raise errors.BAD_PARAM_COMBO.error()
    if limit is not None and limit <= 0:
        raise errors.invalid_parameter("limit")
    params.ensure_all_read()
    return from_id, start, end, 500 if limit is None else min(limit, 1000)


def _in_memory(
    call: Call, from_id: int | None, start: int | None, end: int | None, limit: int
) -> list[ListRecord]:
    found = [
        record
        for record in call.gateway.orders.lists.all_lists(call.account)
        if (from_id is None or record.order_list_id >= from_id)
        and (start is None or record.transaction_time // 1000 >= start)
        and (end is None or record.transaction_time // 1000 <= end)
    ]
    return found[:limit] if from_id is not None or start is not None else found[-limit:]


async def all_order_lists(call: Call) -> Any:
    """The account's lists, oldest first: from the SQL history, which keeps every list
    across restarts, or the view's (open lists and the latest closed) without one."""
    from_id, start, end, limit = _window(call)
    account = call.account
    if call.gateway.history is None:
        records = _in_memory(call, from_id, start, end, limit)
    else:
        records = await call.gateway.from_history(
            lambda history: all_order_lists_in(
                history.database, account, from_id, start, end, limit
            )
        )
    return [list_json(record) for record in records]


def open_lists(call: Call) -> list[dict[str, Any]]:
    call.params.ensure_all_read()
    return [list_json(record) for record in call.gateway.orders.lists.open_lists(call.account)]


async def open_order_lists(call: Call) -> Any:
    return open_lists(call)


# fmt: off
_LIST = (
    ParamDoc("listClientOrderId"),
    ParamDoc("newOrderRespType", description="ACK, RESULT or FULL"),
    ParamDoc("selfTradePreventionMode"),
)


def _leg_docs(prefix: str, *required: str) -> tuple[ParamDoc, ...]:
    fields = ("Type", "Side", "Quantity", "Price", "StopPrice", "TimeInForce", "IcebergQty",
              "ClientOrderId", "StrategyId", "StrategyType")
    return tuple(ParamDoc(f"{prefix}{field}", required=field in required) for field in fields
                 if field not in ("Side", "Quantity") or field in required)


ENDPOINTS = (
    Endpoint("POST", "/api/v3/orderList/oco", new_oco, Security.TRADE, "New order list - OCO",
             (SYMBOL, ParamDoc("side", required=True), ParamDoc("quantity", required=True),
              *_leg_docs("above", "Type"), *_leg_docs("below", "Type"), *_LIST, *SIGNED),
             counts_as_order=True, submit=oco_submission),
    Endpoint("POST", "/api/v3/order/oco", new_legacy_oco, Security.TRADE,
             "New OCO (deprecated: use /api/v3/orderList/oco)",
             (SYMBOL, ParamDoc("side", required=True), ParamDoc("quantity", required=True),
              ParamDoc("price", required=True), ParamDoc("stopPrice", required=True),
              ParamDoc("stopLimitPrice"), ParamDoc("stopLimitTimeInForce"),
              ParamDoc("limitClientOrderId"), ParamDoc("stopClientOrderId"),
              ParamDoc("limitIcebergQty"), ParamDoc("stopIcebergQty"), *_LIST, *SIGNED),
             counts_as_order=True, submit=legacy_oco_submission),
    Endpoint("POST", "/api/v3/orderList/oto", new_oto, Security.TRADE, "New order list - OTO",
             (SYMBOL, *_leg_docs("working", "Type", "Side", "Quantity", "Price"),
              *_leg_docs("pending", "Type", "Side", "Quantity"), *_LIST, *SIGNED),
             counts_as_order=True, submit=oto_submission),
    Endpoint("POST", "/api/v3/orderList/otoco", new_otoco, Security.TRADE,
             "New order list - OTOCO",
             (SYMBOL, *_leg_docs("working", "Type", "Side", "Quantity", "Price"),
              ParamDoc("pendingSide", required=True), ParamDoc("pendingQuantity", required=True),
              *_leg_docs("pendingAbove", "Type"), *_leg_docs("pendingBelow", "Type"), *_LIST,
              *SIGNED),
             counts_as_order=True, submit=otoco_submission),
    Endpoint("DELETE", "/api/v3/orderList", cancel_list, Security.TRADE, "Cancel order list",
             (SYMBOL, ParamDoc("orderListId", "integer"), ParamDoc("listClientOrderId"),
              ParamDoc("newClientOrderId"), *SIGNED), submit=cancel_list_submission),
    Endpoint("GET", "/api/v3/orderList", query_list, Security.USER_DATA, "Query order list",
             (ParamDoc("orderListId", "integer"), ParamDoc("origClientOrderId"), *SIGNED)),
    Endpoint("GET", "/api/v3/allOrderList", all_order_lists, Security.USER_DATA,
             "Query all order lists", (ParamDoc("fromId", "integer"), *WINDOW, *SIGNED)),
    Endpoint("GET", "/api/v3/openOrderList", open_order_lists, Security.USER_DATA,
             "Query open order lists", SIGNED),
)
# fmt: on
