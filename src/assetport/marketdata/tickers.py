"""Tickers: rolling statistics per symbol from per-minute buckets of trades.

A trade updates only the symbol's open minute bucket. A finished minute is appended to the
closed buckets and added to running 24 h sums; the 24 h high and low come from monotonic
queues of buckets, and buckets leaving the window are subtracted as time (from trades, or
the `now_ms` of a query) moves on. So updates are O(1) amortised and the 24 h ticker, which
streams every second for every symbol, is O(1) to read.

Other windows (`/api/v3/ticker?windowSize=`, `ticker/tradingDay`, `avgPrice`) scan the
buckets they cover. As Binance's rolling windows do, a window starts on a minute boundary
and may be up to 59,999 ms wider than asked; it ends at `now_ms`.
"""

import re
from bisect import bisect_left
from collections import deque
from typing import Any, Final, NamedTuple

from assetport.domain.candles import NO_TRADE, Candle
from assetport.domain.events import TradeExecuted
from assetport.domain.intervals import DAY, MINUTE
from assetport.domain.units import from_units
from assetport.marketdata.depth import BookTop
from assetport.marketdata.time_unit import from_ms, from_us

AVG_PRICE_MINUTES: Final = 5
# The rolling windows Binance streams (`<symbol>@ticker_<window>`), in minutes.
STREAM_WINDOWS: Final = {"1h": 60, "4h": 4 * 60, "1d": 24 * 60}
# Closed buckets kept: enough for the widest window (7 days) even with a trade every minute.
_HISTORY: Final = 7 * 24 * 60 + 2
_WINDOW: Final = re.compile(r"^([1-9][0-9]?)([mhd])$")
_WINDOW_LIMITS: Final = {"m": (59, 1), "h": (23, 60), "d": (7, 24 * 60)}


class Stats(NamedTuple):
    open_time: int
    close_time: int
    open: int
    high: int
    low: int
    last: int
    last_qty: int
    last_time: int  # µs: the last trade's, 0 when the window has none
    volume: int
    quote_volume: int
    trades: int
    first_id: int
    last_id: int
    prev_close: int


def window_minutes(window: str) -> int | None:
    """Minutes in a Binance `windowSize` (1m..59m, 1h..23h, 1d..7d), or None if invalid."""
    match = _WINDOW.fullmatch(window)  # `$` alone also matches before a final newline
    if match is None:
        return None
    count, unit = int(match[1]), match[2]
    most, minutes = _WINDOW_LIMITS[unit]
    return count * minutes if count <= most else None


class SymbolTicker:
    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.minute: Candle | None = None  # the latest bucket, holding the last trade
        self.closed: list[Candle] = []
        # The 24 h window over `closed`: from index `first`, with running sums.
        self.first = 0
        self.horizon = 0
        self.volume = self.quote_volume = self.count = 0
        self.highs: deque[Candle] = deque()
        self.lows: deque[Candle] = deque()
        # The last trade's time to the microsecond (a bucket keeps milliseconds).
        self.last_us = 0

    def add(self, trade: TradeExecuted) -> None:
        self.last_us = trade.time
        time_ms = trade.time // 1000
        minute = self.minute
        if minute is None or time_ms > minute.close_time:
            if minute is not None:
                self._close(minute)
            start = time_ms - time_ms % MINUTE
            minute = self.minute = Candle(start, start + MINUTE - 1, trade.price)
        minute.add(trade, time_ms)

    def _close(self, bucket: Candle) -> None:
        self.closed.append(bucket)
        self.volume += bucket.volume
        self.quote_volume += bucket.quote_volume
        self.count += bucket.count
        highs, lows = self.highs, self.lows
        while highs and highs[-1].high <= bucket.high:
            highs.pop()
        highs.append(bucket)
        while lows and lows[-1].low >= bucket.low:
            lows.pop()
        lows.append(bucket)
        self._advance(bucket.close_time + 1 - DAY)
        if len(self.closed) >= 2 * _HISTORY:
            # Keep the bucket before the 24 h window too: it gives the previous close.
            cut = min(len(self.closed) - _HISTORY, self.first - 1)
            if cut > 0:
                del self.closed[:cut]
                self.first -= cut

    def _advance(self, start: int) -> None:
        """Move the 24 h window's start forward to `start` (never back)."""
        if start <= self.horizon:
            return
        self.horizon = start
        closed = self.closed
        while self.first < len(closed) and closed[self.first].open_time < start:
            bucket = closed[self.first]
            self.volume -= bucket.volume
            self.quote_volume -= bucket.quote_volume
            self.count -= bucket.count
            if self.highs and self.highs[0] is bucket:
                self.highs.popleft()
            if self.lows and self.lows[0] is bucket:
                self.lows.popleft()
            self.first += 1

    def rolling_24h(self, now_ms: int) -> Stats:
        start = now_ms - now_ms % MINUTE - DAY
        self._advance(start)
        minute = self.minute
        closed = self.closed
        if minute is None:
            return _empty(start, now_ms, 0)
        if minute.open_time < start:
            return _empty(start, now_ms, minute.close)
        prev = closed[self.first - 1].close if self.first else 0
        if self.first == len(closed):
            return _stats(
                start,
                now_ms,
                minute,
                minute,
                minute.volume,
                minute.quote_volume,
                minute.count,
                minute.high,
                minute.low,
                prev,
                self.last_us,
            )
        return _stats(
            start,
            now_ms,
            closed[self.first],
            minute,
            self.volume + minute.volume,
            self.quote_volume + minute.quote_volume,
            self.count + minute.count,
            max(self.highs[0].high, minute.high),
            min(self.lows[0].low, minute.low),
            prev,
            self.last_us,
        )

    def window(self, start: int, now_ms: int) -> Stats:
        """Statistics of the buckets opening at `start` or later, by scanning them."""
        minute = self.minute
        if minute is None:
            return _empty(start, now_ms, 0)
        if minute.open_time < start:
            return _empty(start, now_ms, minute.close)
        closed = self.closed
        i = bisect_left(closed, start, key=_open)
        prev = closed[i - 1].close if i else 0
        volume = quote = count = 0
        high, low = minute.high, minute.low
        for bucket in closed[i:]:
            volume += bucket.volume
            quote += bucket.quote_volume
            count += bucket.count
            high = max(high, bucket.high)
            low = min(low, bucket.low)
        first = closed[i] if i < len(closed) else minute
        return _stats(
            start,
            now_ms,
            first,
            minute,
            volume + minute.volume,
            quote + minute.quote_volume,
            count + minute.count,
            high,
            low,
            prev,
            self.last_us,
        )

    def rolling(self, minutes: int, now_ms: int) -> Stats:
        return self.window(now_ms - now_ms % MINUTE - minutes * MINUTE, now_ms)

    def trading_day(self, now_ms: int, offset_ms: int = 0) -> Stats:
        local = now_ms + offset_ms
        return self.window(local - local % DAY - offset_ms, now_ms)


def _open(candle: Candle) -> int:
    return candle.open_time


def _empty(start: int, now_ms: int, last: int) -> Stats:
    return Stats(start, now_ms, last, last, last, last, 0, 0, 0, 0, 0, NO_TRADE, NO_TRADE, last)


def _stats(
    start: int,
    now_ms: int,
    first: Candle,
    latest: Candle,
    volume: int,
    quote: int,
    count: int,
    high: int,
    low: int,
    prev: int,
    last_us: int,
) -> Stats:
    return Stats(
        start,
        now_ms,
        first.open,
        high,
        low,
        latest.close,
        latest.last_qty,
        last_us,
        volume,
        quote,
        count,
        first.first_id,
        latest.last_id,
        prev,
    )


# ----------------------------------------------------------------- arithmetic for display


def weighted_average(stats: Stats, qp: int) -> int:
    """Quote units per whole base unit, rounded half up; 0 without volume."""
    if not stats.volume:
        return 0
    unit: int = 10**qp
    return (2 * stats.quote_volume * unit + stats.volume) // (2 * stats.volume)


def percent_milli(change: int, base: int) -> int:
    """change / base in thousandths of a percent (Binance shows 3 decimals), half away from 0."""
    if not base:
        return 0
    magnitude = (2 * abs(change) * 100_000 + base) // (2 * base)
    return -magnitude if change < 0 else magnitude


def avg_price(stats: Stats, qp: int) -> int:
    """The 5-minute average price: volume-weighted, or the last price when nothing traded."""
    return weighted_average(stats, qp) if stats.volume else stats.last


# ----------------------------------------------------------------- Binance shapes


def _change(stats: Stats, pp: int) -> tuple[str, str]:
    change = stats.last - stats.open if stats.trades else 0
    return from_units(change, pp), from_units(percent_milli(change, stats.open), 3)


def ticker_24hr(
    symbol: str, stats: Stats, top: BookTop, pp: int, qp: int, quote_p: int
) -> dict[str, Any]:
    """`/api/v3/ticker/24hr` FULL."""
    change, percent = _change(stats, pp)
    return {
        "symbol": symbol,
        "priceChange": change,
        "priceChangePercent": percent,
        "weightedAvgPrice": from_units(weighted_average(stats, qp), pp),
        "prevClosePrice": from_units(stats.prev_close, pp),
        "lastPrice": from_units(stats.last, pp),
        "lastQty": from_units(stats.last_qty, qp),
        "bidPrice": from_units(top.bid_price, pp),
        "bidQty": from_units(top.bid_qty, qp),
        "askPrice": from_units(top.ask_price, pp),
        "askQty": from_units(top.ask_qty, qp),
        "openPrice": from_units(stats.open, pp),
        "highPrice": from_units(stats.high, pp),
        "lowPrice": from_units(stats.low, pp),
        "volume": from_units(stats.volume, qp),
        "quoteVolume": from_units(stats.quote_volume, quote_p),
        "openTime": from_ms(stats.open_time),
        "closeTime": from_ms(stats.close_time),
        "firstId": stats.first_id,
        "lastId": stats.last_id,
        "count": stats.trades,
    }


def ticker_window(symbol: str, stats: Stats, pp: int, qp: int, quote_p: int) -> dict[str, Any]:
    """`/api/v3/ticker` (rolling window) and `ticker/tradingDay`, FULL."""
    change, percent = _change(stats, pp)
    return {
        "symbol": symbol,
        "priceChange": change,
        "priceChangePercent": percent,
        "weightedAvgPrice": from_units(weighted_average(stats, qp), pp),
        **ticker_mini(symbol, stats, pp, qp, quote_p),
    }


def ticker_mini(symbol: str, stats: Stats, pp: int, qp: int, quote_p: int) -> dict[str, Any]:
    """The MINI form of every REST ticker."""
    return {
        "symbol": symbol,
        "openPrice": from_units(stats.open, pp),
        "highPrice": from_units(stats.high, pp),
        "lowPrice": from_units(stats.low, pp),
        "lastPrice": from_units(stats.last, pp),
        "volume": from_units(stats.volume, qp),
        "quoteVolume": from_units(stats.quote_volume, quote_p),
        "openTime": from_ms(stats.open_time),
        "closeTime": from_ms(stats.close_time),
        "firstId": stats.first_id,
        "lastId": stats.last_id,
        "count": stats.trades,
    }


def ticker_payload(
    symbol: str, stats: Stats, top: BookTop, event_ms: int, pp: int, qp: int, quote_p: int
) -> dict[str, Any]:
    """`<symbol>@ticker` and `!ticker@arr` element (`24hrTicker`)."""
    change, percent = _change(stats, pp)
    return {
        "e": "24hrTicker",
        "E": from_ms(event_ms),
        "s": symbol,
        "p": change,
        "P": percent,
        "w": from_units(weighted_average(stats, qp), pp),
        "x": from_units(stats.prev_close, pp),
        "c": from_units(stats.last, pp),
        "Q": from_units(stats.last_qty, qp),
        "b": from_units(top.bid_price, pp),
        "B": from_units(top.bid_qty, qp),
        "a": from_units(top.ask_price, pp),
        "A": from_units(top.ask_qty, qp),
        "o": from_units(stats.open, pp),
        "h": from_units(stats.high, pp),
        "l": from_units(stats.low, pp),
        "v": from_units(stats.volume, qp),
        "q": from_units(stats.quote_volume, quote_p),
        "O": from_ms(stats.open_time),
        "C": from_ms(stats.close_time),
        "F": stats.first_id,
        "L": stats.last_id,
        "n": stats.trades,
    }


def window_ticker_payload(
    symbol: str, window: str, stats: Stats, event_ms: int, pp: int, qp: int, quote_p: int
) -> dict[str, Any]:
    """`<symbol>@ticker_<window>` and `!ticker_<window>@arr` element (`1hTicker`, `4hTicker`,
    `1dTicker`): Binance's rolling window statistics, opening on a minute and closing now."""
    change, percent = _change(stats, pp)
    return {
        "e": f"{window}Ticker",
        "E": from_ms(event_ms),
        "s": symbol,
        "p": change,
        "P": percent,
        "o": from_units(stats.open, pp),
        "h": from_units(stats.high, pp),
        "l": from_units(stats.low, pp),
        "c": from_units(stats.last, pp),
        "w": from_units(weighted_average(stats, qp), pp),
        "v": from_units(stats.volume, qp),
        "q": from_units(stats.quote_volume, quote_p),
        "O": from_ms(stats.open_time),
        "C": from_ms(stats.close_time),
        "F": stats.first_id,
        "L": stats.last_id,
        "n": stats.trades,
    }


def mini_ticker_payload(
    symbol: str, stats: Stats, event_ms: int, pp: int, qp: int, quote_p: int
) -> dict[str, Any]:
    """`<symbol>@miniTicker` and `!miniTicker@arr` element (`24hrMiniTicker`)."""
    return {
        "e": "24hrMiniTicker",
        "E": from_ms(event_ms),
        "s": symbol,
        "c": from_units(stats.last, pp),
        "o": from_units(stats.open, pp),
        "h": from_units(stats.high, pp),
        "l": from_units(stats.low, pp),
        "v": from_units(stats.volume, qp),
        "q": from_units(stats.quote_volume, quote_p),
    }


def avg_price_rest(stats: Stats, pp: int, qp: int) -> dict[str, Any]:
    """`/api/v3/avgPrice`."""
    return {
        "mins": AVG_PRICE_MINUTES,
        "price": from_units(avg_price(stats, qp), pp),
        "closeTime": from_us(stats.last_time),
    }


def avg_price_payload(symbol: str, stats: Stats, event_ms: int, pp: int, qp: int) -> dict[str, Any]:
    """`<symbol>@avgPrice` stream event."""
    return {
        "e": "avgPrice",
        "E": from_ms(event_ms),
        "s": symbol,
        "i": f"{AVG_PRICE_MINUTES}m",
        "w": from_units(avg_price(stats, qp), pp),
        "T": from_us(stats.last_time),
    }
