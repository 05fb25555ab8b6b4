"""Binance JSON shapes of orders, fills, trades and balances, from integer units.

One renderer per thing. An order is always the order view's `OrderRecord`
(`views/orders.py`), whether it is in memory or was read from the SQL history, and
`order_fields` writes its fields once for every shape that shows them: the order object
(REST, WebSocket API, allOrders), a new order's RESULT/FULL reply, a cancel's report and
the user data stream's `executionReport`. Klines, live or from SQL, are
`marketdata/klines.py`'s `kline_row` over a `Candle`; public trades and aggregate trades
`marketdata/trades.py`'s `trade_rest` and `agg_trade_rest`.

Numbers are decimal strings at the asset's precision (a price at the quote asset's, a
quantity at the base asset's); times are milliseconds, or microseconds for a client that
asked (`ms`, `marketdata/time_unit.py`). The misspelt `cummulativeQuoteQty` is
Binance's and part of the contract.
"""

from typing import Any, Final

from assetport.domain.events import MatchPrevented
from assetport.domain.orders import OrderStatus, OrderType
from assetport.domain.units import from_units as _from_units
from assetport.marketdata.time_unit import from_us
from assetport.store.history import AccountTrade
from assetport.views.markets import Markets
from assetport.views.orders import Fill, OrderChange, OrderRecord

_ZEROS = tuple(_from_units(0, precision) for precision in range(19))
_OPEN: Final = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


def from_units(units: int, precision: int) -> str:
    """`domain.units.from_units`, with the zeros an order's reply is full of (stop price,
    iceberg, executed...) made once."""
    if units == 0 and precision < 19:
        return _ZEROS[precision]
    return _from_units(units, precision)


# A time kept in microseconds, in the answer's unit: Binance's milliseconds, or microseconds
# for a client that asked for them (`marketdata/time_unit.py`).
ms = from_us


def order_fields(record: OrderRecord, markets: Markets) -> dict[str, Any]:
    """What every order object shows of the order itself, after its ids and times."""
    qp = markets.quote(record.symbol)
    bp = markets.base(record.symbol)
    return {
        "price": from_units(record.price, qp),
        "origQty": from_units(record.quantity, bp),
        "executedQty": from_units(record.executed, bp),
        "cummulativeQuoteQty": from_units(record.executed_quote, qp),
        "status": record.status.value,
        "timeInForce": record.time_in_force.value,
        "type": record.type.value,
        "side": record.side.value,
        "stopPrice": from_units(record.stop_price, qp),
        "icebergQty": from_units(record.iceberg_qty, bp),
    }


def order_json(record: OrderRecord, markets: Markets) -> dict[str, Any]:
    """The order object of GET /api/v3/order, openOrders, allOrders and RESULT replies;
    `preventedMatchId` and `preventedQuantity` only for an order self-trade prevention
    expired, as Binance shows them."""
    answer = {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": record.order_list_id,
        "clientOrderId": record.client_order_id,
        **order_fields(record, markets),
        "time": ms(record.created),
        "updateTime": ms(record.updated),
        "isWorking": record.working,
        "workingTime": ms(record.working_time) if record.working else -1,
        "origQuoteOrderQty": from_units(record.quote_quantity, markets.quote(record.symbol)),
        "selfTradePreventionMode": record.stp_mode.value,
    }
    if record.prevented_quantity:
        answer["preventedMatchId"] = record.prevented_match_id
        answer["preventedQuantity"] = from_units(
            record.prevented_quantity, markets.base(record.symbol)
        )
    return answer


def fill_json(fill: Fill, record: OrderRecord, markets: Markets) -> dict[str, Any]:
    return {
        "price": from_units(fill.price, markets.quote(record.symbol)),
        "qty": from_units(fill.quantity, markets.base(record.symbol)),
        "commission": markets.amount(fill.commission_asset, fill.commission),
        "commissionAsset": fill.commission_asset,
        "tradeId": fill.trade_id,
    }


def new_order_json(
    record: OrderRecord, fills: list[Fill], response_type: str, markets: Markets
) -> dict[str, Any]:
    """The reply of POST /api/v3/order: ACK, RESULT or FULL."""
    ack = {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": record.order_list_id,
        "clientOrderId": record.client_order_id,
        "transactTime": ms(record.created),
    }
    if response_type == "ACK":
        return ack
    result = order_json(record, markets)
    del result["time"], result["updateTime"], result["isWorking"]
    result = {**ack, **result}
    if response_type == "FULL":
        result["fills"] = [fill_json(fill, record, markets) for fill in fills]
    return result


def cancel_json(
    record: OrderRecord, cancel_client_id: str, time_us: int, markets: Markets
) -> dict[str, Any]:
    """A canceled order as DELETE /api/v3/order (and openOrders, cancelReplace) report it:
    `clientOrderId` is the cancel request's own id, `origClientOrderId` the order's."""
    return {
        "symbol": record.symbol,
        "origClientOrderId": record.client_order_id,
        "orderId": record.order_id,
        "orderListId": record.order_list_id,
        "clientOrderId": cancel_client_id,
        "transactTime": ms(time_us),
        **order_fields(record, markets),
        "origQuoteOrderQty": from_units(record.quote_quantity, markets.quote(record.symbol)),
        "selfTradePreventionMode": record.stp_mode.value,
    }


def execution_report(
    execution_id: int,
    change: OrderChange,
    status: OrderStatus,
    executed: int,
    executed_quote: int,
    markets: Markets,
) -> dict[str, Any]:
    """The user data stream's `executionReport` of one change of an order: the order's
    fields as they stood right after it (`status`, and the running totals `executed` and
    `executed_quote`, which the caller rebuilds)."""
    record = change.record
    qp = markets.quote(record.symbol)
    bp = markets.base(record.symbol)
    fill = change.fill
    time_ms = ms(change.time)
    on_book = status in _OPEN and record.working and record.type is not OrderType.MARKET
    report: dict[str, Any] = {
        "e": "executionReport",
        "E": time_ms,
        "s": record.symbol,
        "c": record.client_order_id,
        "S": record.side.value,
        "o": record.type.value,
        "f": record.time_in_force.value,
        "q": from_units(record.quantity, bp),
        "p": from_units(record.price, qp),
        "P": from_units(record.stop_price, qp),
        "F": from_units(record.iceberg_qty, bp),
        "g": record.order_list_id,
        # The original id on a cancel (whose `c` is the cancel request's own id), and on an
        # amend the id the order had before it (its `c` is the new one).
        "C": record.client_order_id
        if change.execution_type == "CANCELED"
        else change.orig_client_order_id,
        "x": change.execution_type,
        "X": status.value,
        "r": "NONE",
        "i": record.order_id,
        "l": from_units(fill.quantity if fill else 0, bp),
        "z": from_units(executed, bp),
        "L": from_units(fill.price if fill else 0, qp),
        "n": markets.amount(fill.commission_asset, fill.commission) if fill else "0",
        "N": fill.commission_asset if fill else None,
        "T": time_ms,
        "t": fill.trade_id if fill else -1,
        "I": execution_id,
        "w": on_book,
        "m": fill.is_maker if fill else False,
        "M": False,
        "O": ms(record.created),
        "Z": from_units(executed_quote, qp),
        "Y": from_units(fill.quote_quantity if fill else 0, qp),
        "Q": from_units(record.quote_quantity, qp),
        "W": ms(record.working_time) if record.working else -1,
        "V": record.stp_mode.value,
    }
    if change.prevented_match_id:
        report["v"] = change.prevented_match_id
    return report


def balance_json(asset: str, free: int, held: int, markets: Markets) -> dict[str, str]:
    """A balance row of GET /api/v3/account (and the operator's transfers)."""
    return {
        "asset": asset,
        "free": markets.amount(asset, free),
        "locked": markets.amount(asset, held),
    }


def prevented_match_json(event: MatchPrevented, markets: Markets) -> dict[str, Any]:
    """One row of GET /api/v3/myPreventedMatches."""
    return {
        "symbol": event.symbol,
        "preventedMatchId": event.prevented_match_id,
        "takerOrderId": event.taker_order_id,
        "makerSymbol": event.symbol,
        "makerOrderId": event.maker_order_id,
        "tradeGroupId": -1,
        "selfTradePreventionMode": event.mode.value,
        "price": from_units(event.price, markets.quote(event.symbol)),
        "makerPreventedQuantity": from_units(event.maker_prevented_qty, markets.base(event.symbol)),
        "transactTime": ms(event.time),
    }


def stored_trade_json(trade: AccountTrade, markets: Markets) -> dict[str, Any]:
    """One row of GET /api/v3/myTrades from the SQL read model."""
    qp = markets.quote(trade.symbol)
    return {
        "symbol": trade.symbol,
        "id": trade.trade_id,
        "orderId": trade.order_id,
        "orderListId": trade.order_list_id,
        "price": from_units(trade.price, qp),
        "qty": from_units(trade.qty, markets.base(trade.symbol)),
        "quoteQty": from_units(trade.quote_qty, qp),
        "commission": markets.amount(trade.commission_asset, trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": ms(trade.time_us),
        "isBuyer": trade.is_buyer,
        "isMaker": trade.is_maker,
        "isBestMatch": True,
    }
