"""Recent trades and aggregate trades per symbol, in bounded memory.

A trade is kept as the engine's `TradeExecuted` event itself (no copy). An aggregate trade
joins the fills of one taker order at one price, as Binance's aggTrades do; a taker's fills
all come from one command, so an aggregate is complete when its command has been applied.

Both kinds sit in plain lists trimmed by half when they reach twice their capacity: appends
stay O(1) amortised and the lists can be bisected by time, which a deque cannot do cheaply.
Trade ids and aggregate ids are contiguous per symbol, so a lookup by id is an index.
"""

from bisect import bisect_left, bisect_right
from typing import Any, Final, Protocol

from assetport.domain.events import TradeExecuted
from assetport.domain.units import from_units
from assetport.marketdata.time_unit import from_us

DEFAULT_LIMIT: Final = 500
MAX_LIMIT: Final = 1000
CAPACITY: Final = 10_000


class AggTrade:
    __slots__ = (
        "agg_id",
        "buyer_is_maker",
        "first_id",
        "last_id",
        "price",
        "qty",
        "seq",
        "taker",
        "time_ms",
        "time_us",
    )

    def __init__(self, agg_id: int, trade: TradeExecuted, taker: int) -> None:
        self.agg_id = agg_id
        self.price = trade.price
        self.qty = trade.quantity
        self.first_id = self.last_id = trade.trade_id
        self.time_us = trade.time
        self.time_ms = trade.time // 1000  # what aggTrades' startTime and endTime look up
        self.buyer_is_maker = trade.buyer_is_maker
        self.seq = trade.seq
        self.taker = taker


class SymbolTrades:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.trades: list[TradeExecuted] = []
        self.aggs: list[AggTrade] = []
        self.next_agg_id = 1

    def add(self, trade: TradeExecuted) -> AggTrade | None:
        """Record a trade; return the aggregate it opened, or None if it joined one."""
        trades = self.trades
        trades.append(trade)
        if len(trades) >= 2 * self.capacity:
            del trades[: self.capacity]
        taker = trade.seller_order_id if trade.buyer_is_maker else trade.buyer_order_id
        aggs = self.aggs
        if aggs:
            last = aggs[-1]
            if last.seq == trade.seq and last.taker == taker and last.price == trade.price:
                last.qty += trade.quantity
                last.last_id = trade.trade_id
                return None
        agg = AggTrade(self.next_agg_id, trade, taker)
        self.next_agg_id += 1
        aggs.append(agg)
        if len(aggs) >= 2 * self.capacity:
            del aggs[: self.capacity]
        return agg

    def recent(self, limit: int = DEFAULT_LIMIT) -> list[TradeExecuted]:
        """The latest `limit` trades, oldest first (`/api/v3/trades`)."""
        return self.trades[-_clamp(limit) :]

    def from_id(self, from_id: int, limit: int = DEFAULT_LIMIT) -> list[TradeExecuted]:
        """Trades from id `from_id` on (`/api/v3/historicalTrades`), as far as kept."""
        trades = self.trades
        if not trades:
            return []
        start = max(0, from_id - trades[0].trade_id)
        return trades[start : start + _clamp(limit)]

    def agg_trades(
        self,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[AggTrade]:
        """`/api/v3/aggTrades`: from an id, or within [start, end] from the oldest, or the
        latest `limit` (up to `end_ms` when only that is given)."""
        aggs = self.aggs
        limit = _clamp(limit)
        if not aggs:
            return []
        if from_id is not None:
            start = max(0, from_id - aggs[0].agg_id)
            return aggs[start : start + limit]
        stop = len(aggs) if end_ms is None else bisect_right(aggs, end_ms, key=_agg_time)
        if start_ms is None:
            return aggs[max(0, stop - limit) : stop]
        start = bisect_left(aggs, start_ms, key=_agg_time)
        return aggs[start : min(stop, start + limit)]


def _agg_time(agg: AggTrade) -> int:
    return agg.time_ms


def _clamp(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


# ----------------------------------------------------------------- Binance shapes
# One renderer each for a trade and an aggregate trade, whether it is in memory (the event,
# `AggTrade`) or read from the SQL history (`store/history.py`'s records, named alike).


class PublicTrade(Protocol):
    @property
    def trade_id(self) -> int: ...
    @property
    def price(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def quote_quantity(self) -> int: ...
    @property
    def time(self) -> int: ...  # µs
    @property
    def buyer_is_maker(self) -> bool: ...


class AggregateTrade(Protocol):
    @property
    def agg_id(self) -> int: ...
    @property
    def price(self) -> int: ...
    @property
    def qty(self) -> int: ...
    @property
    def first_id(self) -> int: ...
    @property
    def last_id(self) -> int: ...
    @property
    def time_us(self) -> int: ...
    @property
    def buyer_is_maker(self) -> bool: ...


def trade_rest(trade: PublicTrade, pp: int, qp: int, quote_p: int) -> dict[str, Any]:
    """`/api/v3/trades` and `/api/v3/historicalTrades` row."""
    return {
        "id": trade.trade_id,
        "price": from_units(trade.price, pp),
        "qty": from_units(trade.quantity, qp),
        "quoteQty": from_units(trade.quote_quantity, quote_p),
        "time": from_us(trade.time),
        "isBuyerMaker": trade.buyer_is_maker,
        "isBestMatch": True,
    }


def trade_payload(trade: TradeExecuted, pp: int, qp: int) -> dict[str, Any]:
    """`<symbol>@trade` stream event."""
    time = from_us(trade.time)
    return {
        "e": "trade",
        "E": time,
        "s": trade.symbol,
        "t": trade.trade_id,
        "p": from_units(trade.price, pp),
        "q": from_units(trade.quantity, qp),
        "T": time,
        "m": trade.buyer_is_maker,
        "M": True,
    }


def agg_trade_rest(agg: AggregateTrade, pp: int, qp: int) -> dict[str, Any]:
    return {
        "a": agg.agg_id,
        "p": from_units(agg.price, pp),
        "q": from_units(agg.qty, qp),
        "f": agg.first_id,
        "l": agg.last_id,
        "T": from_us(agg.time_us),
        "m": agg.buyer_is_maker,
        "M": True,
    }


def agg_trade_payload(symbol: str, agg: AggTrade, pp: int, qp: int) -> dict[str, Any]:
    """`<symbol>@aggTrade` stream event."""
    return {"e": "aggTrade", "E": from_us(agg.time_us), "s": symbol, **agg_trade_rest(agg, pp, qp)}
