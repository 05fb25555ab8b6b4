"""Klines: candles of every Binance interval per symbol, built from trades.

A trade updates only the symbol's open one-second candle. When a trade lands in a later
second, the finished second is folded into every interval's series: the per-trade cost stays
one candle update whatever the number of intervals. Reads merge the open second on the fly.

Each series keeps its latest `capacity` candles; older history is the SQL read model's job.
A period without trades has no stored candle; the stream, which Binance sends on a cadence
whether or not anything traded, shows such a period as a flat candle at the last close, as
REST `klines` (answered from SQL, `store/history.py`) does.
"""

from bisect import bisect_left, bisect_right
from typing import Any, Final

from assetport.domain.candles import Candle
from assetport.domain.events import TradeExecuted
from assetport.domain.intervals import (
    INTERVALS,
    SECOND,
    close_time,
    local_close_time,
    local_open_time,
    open_time,
    source_interval,
)
from assetport.domain.units import from_units
from assetport.marketdata.time_unit import from_ms, last_of_ms

DEFAULT_LIMIT: Final = 500
MAX_LIMIT: Final = 1000
CAPACITY: Final = 1500


class SymbolKlines:
    def __init__(self, symbol: str, capacity: int = CAPACITY) -> None:
        self.symbol = symbol
        self.capacity = capacity
        self.second: Candle | None = None  # the open one-second candle, not yet folded
        self.series: dict[str, list[Candle]] = {interval: [] for interval in INTERVALS}
        # (interval, zone offset) -> open time of the candle last streamed, to send its final
        # x=true once.
        self.streamed: dict[tuple[str, int], int] = {}

    def add(self, trade: TradeExecuted) -> None:
        time_ms = trade.time // 1000
        second = self.second
        if second is None or time_ms > second.close_time:
            if second is not None:
                self._fold(second)
            start = time_ms - time_ms % SECOND
            second = self.second = Candle(start, start + SECOND - 1, trade.price)
        second.add(trade, time_ms)

    def _fold(self, second: Candle) -> None:
        for interval, candles in self.series.items():
            start = open_time(interval, second.open_time)
            if candles and candles[-1].open_time == start:
                candles[-1].merge(second)
                continue
            candles.append(second.rebucketed(start, close_time(interval, start)))
            if len(candles) >= 2 * self.capacity:
                del candles[: self.capacity]

    def last_close(self) -> int | None:
        return None if self.second is None else self.second.close

    def candles(self, interval: str) -> list[Candle]:
        """Every kept candle of `interval`, oldest first, the open second merged in. Only the
        last element may be a fresh object: the stored ones are not copied."""
        stored = self.series[interval]
        second = self.second
        if second is None:
            return stored
        start = open_time(interval, second.open_time)
        if stored and stored[-1].open_time == start:
            merged = stored[-1].rebucketed(start, stored[-1].close_time)
            merged.merge(second)
            return [*stored[:-1], merged]
        return [*stored, second.rebucketed(start, close_time(interval, start))]

    def query(
        self,
        interval: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[Candle]:
        """Binance semantics: candles opening in [start, end]; from the oldest when a start
        is given, else the latest `limit`. Default 500, at most 1000."""
        limit = max(1, min(limit, MAX_LIMIT))
        candles = self.candles(interval)
        stop = len(candles) if end_ms is None else bisect_right(candles, end_ms, key=_open)
        if start_ms is None:
            return candles[max(0, stop - limit) : stop]
        start = bisect_left(candles, start_ms, key=_open)
        return candles[start : min(stop, start + limit)]

    def stream_due(
        self, interval: str, now_ms: int, offset_ms: int = 0
    ) -> list[tuple[Candle, bool]]:
        """Candles the `@kline_<interval>` stream sends at `now_ms`: the previously streamed
        candle once more with x=true if it has closed since, then the current one (x=false).
        Nothing until the symbol's first trade. With `offset_ms` (the `@+08:00` streams) the
        periods are counted in a time zone that far ahead of UTC, as REST's `timeZone`."""
        last = self.last_close()
        if last is None:
            return []
        current = local_open_time(interval, now_ms, offset_ms)
        out: list[tuple[Candle, bool]] = []
        key = (interval, offset_ms)
        previous = self.streamed.get(key)
        # The final x=true goes out for the candle streamed last time if it has just closed;
        # after a gap in streaming (nobody subscribed) a stale candle is not resent.
        if (
            previous is not None
            and previous < current
            and local_close_time(interval, previous, offset_ms) + 1 == current
        ):
            out.append((self._candle_at(interval, previous, last, offset_ms), True))
        self.streamed[key] = current
        out.append((self._candle_at(interval, current, last, offset_ms), False))
        return out

    def _candle_at(self, interval: str, start: int, last_close: int, offset_ms: int) -> Candle:
        """The candle of `interval` opening at `start` in the zone `offset_ms`. Where the zone
        moves the interval's boundaries (a day from midnight in Seoul), it is added up from
        the kept candles of the longest interval that tiles it (`source_interval`: an hour's
        for a Korean day), as REST `klines` adds up the stored ones."""
        source = source_interval(interval, offset_ms)
        end = local_close_time(interval, start, offset_ms)
        candles = self.candles(source)
        i = bisect_left(candles, start, key=_open)
        j = bisect_right(candles, end, key=_open)
        if i == j:
            # No trade in this period: flat at the close before it.
            before = candles[i - 1].close if i else last_close
            return Candle(start, end, before)
        if source == interval:
            return candles[i]
        total = Candle(start, end, candles[i].open)
        for candle in candles[i:j]:
            total.merge(candle)
        return total


def _open(candle: Candle) -> int:
    return candle.open_time


# ----------------------------------------------------------------- Binance shapes


def kline_row(candle: Candle, pp: int, qp: int, quote_p: int) -> list[Any]:
    """The 12-column REST row of `/api/v3/klines` and `/api/v3/uiKlines`."""
    return [
        from_ms(candle.open_time),
        from_units(candle.open, pp),
        from_units(candle.high, pp),
        from_units(candle.low, pp),
        from_units(candle.close, pp),
        from_units(candle.volume, qp),
        last_of_ms(candle.close_time),
        from_units(candle.quote_volume, quote_p),
        candle.count,
        from_units(candle.taker_buy_volume, qp),
        from_units(candle.taker_buy_quote, quote_p),
        "0",
    ]


def kline_payload(
    symbol: str,
    interval: str,
    candle: Candle,
    closed: bool,
    event_ms: int,
    pp: int,
    qp: int,
    quote_p: int,
) -> dict[str, Any]:
    """`<symbol>@kline_<interval>` (and `@kline_<interval>@+08:00`) stream event: `i` is the
    interval alone, the times are UTC whatever the zone, as Binance's."""
    return {
        "e": "kline",
        "E": from_ms(event_ms),
        "s": symbol,
        "k": {
            "t": from_ms(candle.open_time),
            "T": last_of_ms(candle.close_time),
            "s": symbol,
            "i": interval,
            "f": candle.first_id,
            "L": candle.last_id,
            "o": from_units(candle.open, pp),
            "c": from_units(candle.close, pp),
            "h": from_units(candle.high, pp),
            "l": from_units(candle.low, pp),
            "v": from_units(candle.volume, qp),
            "n": candle.count,
            "x": closed,
            "q": from_units(candle.quote_volume, quote_p),
            "V": from_units(candle.taker_buy_volume, qp),
            "Q": from_units(candle.taker_buy_quote, quote_p),
            "B": "0",
        },
    }
