"""Binance JSON shapes of orders, fills and balances, from integer units.

Numbers are decimal strings at the asset's precision (a price at the quote asset's, a
quantity at the base asset's); times are milliseconds. The misspelt `cummulativeQuoteQty` is
Binance's and part of the contract.
"""

from typing import Any

from assetport.api.order_records import Fill, OrderRecord
from assetport.domain.events import MatchPrevented
from assetport.domain.units import from_units as _from_units
from assetport.store.history import AccountTrade, AggTradeRecord, KlineRecord, TradeRecord
from assetport.store.history import OrderRecord as StoredOrder

_ZEROS = tuple(_from_units(0, precision) for precision in range(19))


def from_units(units: int, precision: int) -> str:
    """`domain.units.from_units`, with the zeros an order's reply is full of (stop price,
    iceberg, executed...) made once."""
    if units == 0 and precision < 19:
        return _ZEROS[precision]
    return _from_units(units, precision)


class Precisions:
    """Decimal places per asset and per market, learned from the listings."""

    def __init__(self) -> None:
        self.assets: dict[str, int] = {}
        self.markets: dict[str, tuple[str, str]] = {}

    def list_asset(self, code: str, precision: int) -> None:
        self.assets[code] = precision

    def list_market(self, symbol: str, base: str, quote: str) -> None:
        self.markets[symbol] = (base, quote)

    def base(self, symbol: str) -> int:
        return self.assets[self.markets[symbol][0]]

    def quote(self, symbol: str) -> int:
        return self.assets[self.markets[symbol][1]]

    def amount(self, asset: str, units: int) -> str:
        return from_units(units, self.assets[asset])


def ms(time_us: int) -> int:
    return time_us // 1000


def order_json(record: OrderRecord, precisions: Precisions) -> dict[str, Any]:
    """The order object of GET /api/v3/order, openOrders, allOrders and RESULT replies."""
    qp = precisions.quote(record.symbol)
    bp = precisions.base(record.symbol)
    return {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": -1,
        "clientOrderId": record.client_order_id,
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
        "time": ms(record.created),
        "updateTime": ms(record.updated),
        "isWorking": record.working,
        "workingTime": ms(record.working_time) if record.working else -1,
        "origQuoteOrderQty": from_units(record.quote_quantity, qp),
        "selfTradePreventionMode": record.stp_mode.value,
    }


def fill_json(fill: Fill, record: OrderRecord, precisions: Precisions) -> dict[str, Any]:
    return {
        "price": from_units(fill.price, precisions.quote(record.symbol)),
        "qty": from_units(fill.quantity, precisions.base(record.symbol)),
        "commission": precisions.amount(fill.commission_asset, fill.commission),
        "commissionAsset": fill.commission_asset,
        "tradeId": fill.trade_id,
    }


def new_order_json(
    record: OrderRecord, fills: list[Fill], response_type: str, precisions: Precisions
) -> dict[str, Any]:
    """The reply of POST /api/v3/order: ACK, RESULT or FULL."""
    ack = {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": -1,
        "clientOrderId": record.client_order_id,
        "transactTime": ms(record.created),
    }
    if response_type == "ACK":
        return ack
    result = order_json(record, precisions)
    del result["time"], result["updateTime"], result["isWorking"]
    result = {**ack, **result}
    if response_type == "FULL":
        result["fills"] = [fill_json(fill, record, precisions) for fill in fills]
    return result


def prevented_match_json(event: MatchPrevented, precisions: Precisions) -> dict[str, Any]:
    """One row of GET /api/v3/myPreventedMatches."""
    return {
        "symbol": event.symbol,
        "preventedMatchId": event.prevented_match_id,
        "takerOrderId": event.taker_order_id,
        "makerSymbol": event.symbol,
        "makerOrderId": event.maker_order_id,
        "tradeGroupId": -1,
        "selfTradePreventionMode": event.mode.value,
        "price": from_units(event.price, precisions.quote(event.symbol)),
        "makerPreventedQuantity": from_units(
            event.maker_prevented_qty, precisions.base(event.symbol)
        ),
        "transactTime": ms(event.time),
    }


def stored_order_json(record: StoredOrder, precisions: Precisions) -> dict[str, Any]:
    """An order from the SQL read model, in the same shape as `order_json`."""
    qp = precisions.quote(record.symbol)
    bp = precisions.base(record.symbol)
    return {
        "symbol": record.symbol,
        "orderId": record.order_id,
        "orderListId": -1,
        "clientOrderId": record.client_order_id,
        "price": from_units(record.price, qp),
        "origQty": from_units(record.orig_qty, bp),
        "executedQty": from_units(record.executed_qty, bp),
        "cummulativeQuoteQty": from_units(record.cumulative_quote_qty, qp),
        "status": record.status,
        "timeInForce": record.time_in_force,
        "type": record.type,
        "side": record.side,
        "stopPrice": from_units(record.stop_price, qp),
        "icebergQty": from_units(record.iceberg_qty, bp),
        "time": ms(record.time_us),
        "updateTime": ms(record.update_time_us),
        "isWorking": record.working,
        "workingTime": -1 if record.working_time_us is None else ms(record.working_time_us),
        "origQuoteOrderQty": from_units(record.orig_quote_qty, qp),
        "selfTradePreventionMode": record.stp_mode,
    }


def stored_trade_json(trade: AccountTrade, precisions: Precisions) -> dict[str, Any]:
    """One row of GET /api/v3/myTrades from the SQL read model."""
    qp = precisions.quote(trade.symbol)
    return {
        "symbol": trade.symbol,
        "id": trade.trade_id,
        "orderId": trade.order_id,
        "orderListId": -1,
        "price": from_units(trade.price, qp),
        "qty": from_units(trade.qty, precisions.base(trade.symbol)),
        "quoteQty": from_units(trade.quote_qty, qp),
        "commission": precisions.amount(trade.commission_asset, trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": ms(trade.time_us),
        "isBuyer": trade.is_buyer,
        "isMaker": trade.is_maker,
        "isBestMatch": True,
    }


def stored_public_trade_json(trade: TradeRecord, precisions: Precisions) -> dict[str, Any]:
    """One row of GET /api/v3/historicalTrades from the SQL read model."""
    qp = precisions.quote(trade.symbol)
    return {
        "id": trade.trade_id,
        "price": from_units(trade.price, qp),
        "qty": from_units(trade.qty, precisions.base(trade.symbol)),
        "quoteQty": from_units(trade.quote_qty, qp),
        "time": ms(trade.time_us),
        "isBuyerMaker": trade.is_buyer_maker,
        "isBestMatch": True,
    }


def stored_agg_trade_json(
    trade: AggTradeRecord, symbol: str, precisions: Precisions
) -> dict[str, Any]:
    """One row of GET /api/v3/aggTrades from the SQL read model."""
    return {
        "a": trade.agg_id,
        "p": from_units(trade.price, precisions.quote(symbol)),
        "q": from_units(trade.qty, precisions.base(symbol)),
        "f": trade.first_trade_id,
        "l": trade.last_trade_id,
        "T": ms(trade.time_us),
        "m": trade.is_buyer_maker,
        "M": True,
    }


def stored_kline_row(kline: KlineRecord, symbol: str, precisions: Precisions) -> list[Any]:
    """One row of GET /api/v3/klines from the SQL read model (Binance's 12 columns)."""
    qp = precisions.quote(symbol)
    bp = precisions.base(symbol)
    return [
        kline.open_time_ms,
        from_units(kline.open, qp),
        from_units(kline.high, qp),
        from_units(kline.low, qp),
        from_units(kline.close, qp),
        from_units(kline.volume, bp),
        kline.close_time_ms,
        from_units(kline.quote_volume, qp),
        kline.trades,
        from_units(kline.taker_buy_volume, bp),
        from_units(kline.taker_buy_quote, qp),
        "0",
    ]
