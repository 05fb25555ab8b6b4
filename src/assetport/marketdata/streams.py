"""Market stream names: parse and validate what a WebSocket client subscribes to.

`parse_stream("btcusdt@depth5@100ms")` gives a `Stream` (what feed, which symbol, cadence)
or an error message for the client. Symbols are lowercase in names and uppercase in
payloads, as on Binance.

Every pattern is matched whole (`fullmatch`): with `re.match`, `$` also matches before a
final newline, so "btcusdt@trade\n" passed as a second, distinct stream name.
"""

import re
from collections.abc import Container
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from assetport.domain.intervals import HOUR, INTERVALS


class Feed(StrEnum):
    TRADE = "trade"
    AGG_TRADE = "aggTrade"
    KLINE = "kline"
    MINI_TICKER = "miniTicker"
    TICKER = "ticker"
    ALL_MINI_TICKERS = "!miniTicker@arr"
    ALL_TICKERS = "!ticker@arr"
    WINDOW_TICKER = "ticker_<window>"
    ALL_WINDOW_TICKERS = "!ticker_<window>@arr"
    BOOK_TICKER = "bookTicker"
    ALL_BOOK_TICKERS = "!bookTicker"
    PARTIAL_DEPTH = "partialDepth"
    DIFF_DEPTH = "depth"
    AVG_PRICE = "avgPrice"


@dataclass(frozen=True, slots=True)
class Stream:
    name: str  # as the client wrote it (the key in combined-stream wrappers)
    feed: Feed
    symbol: str = ""  # uppercase; empty for the all-market arrays
    interval: str = ""  # klines
    offset_ms: int = 0  # klines in a time zone (`@+08:00`): its offset ahead of UTC
    window: str = ""  # rolling window tickers: 1h, 4h or 1d
    levels: int = 0  # partial depth: 5, 10 or 20
    speed_ms: int = 0  # depth cadence: 100 or 1000


_SIMPLE: Final = {
    "trade": Feed.TRADE,
    "aggTrade": Feed.AGG_TRADE,
    "miniTicker": Feed.MINI_TICKER,
    "ticker": Feed.TICKER,
    "bookTicker": Feed.BOOK_TICKER,
    "avgPrice": Feed.AVG_PRICE,
}
_DEPTH: Final = re.compile(r"depth(5|10|20)?(@100ms)?")
_SYMBOL: Final = re.compile(r"[a-z0-9]{2,20}")
MAX_NAME: Final = 64
# The zones klines stream in besides UTC: Binance's UTC+8, and Korea's day.
KLINE_ZONES: Final = {"+08:00": 8 * HOUR, "+09:00": 9 * HOUR}
# The rolling windows of `<symbol>@ticker_<window>` and `!ticker_<window>@arr`.
TICKER_WINDOWS: Final = ("1h", "4h", "1d")
_ALL_WINDOWS: Final = {f"!ticker_{window}@arr": window for window in TICKER_WINDOWS}
# A stream's listeners who asked for microseconds (`?timeUnit=MICROSECOND`) are kept under its
# name with this suffix, which no stream name can have: market data renders a second variant
# of a payload only when someone listens there.
MICRO_SUFFIX: Final = " us"


def parse_stream(name: str, symbols: Container[str] | None = None) -> Stream | str:
    """The stream a name asks for, or why it is not one. With `symbols` (uppercase listed
    symbols), a name for an unlisted symbol is refused too."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return f"Invalid stream name: {name!r}"
    if name == Feed.ALL_MINI_TICKERS:
        return Stream(name, Feed.ALL_MINI_TICKERS)
    if name == Feed.ALL_TICKERS:
        return Stream(name, Feed.ALL_TICKERS)
    if name == Feed.ALL_BOOK_TICKERS:
        return Stream(name, Feed.ALL_BOOK_TICKERS)
    if name in _ALL_WINDOWS:
        return Stream(name, Feed.ALL_WINDOW_TICKERS, window=_ALL_WINDOWS[name])
    symbol, sep, rest = name.partition("@")
    if not sep or not _SYMBOL.fullmatch(symbol):
        return f"Invalid stream name: {name!r}"
    upper = symbol.upper()
    if symbols is not None and upper not in symbols:
        return f"Invalid symbol in stream name: {name!r}"
    feed = _SIMPLE.get(rest)
    if feed is not None:
        return Stream(name, feed, upper)
    if rest.startswith("kline_"):
        interval, at, zone = rest[len("kline_") :].partition("@")
        if interval not in INTERVALS:
            return f"Invalid kline interval in stream name: {name!r}"
        if at and zone not in KLINE_ZONES:
            return f"Invalid time zone in stream name: {name!r}"
        return Stream(
            name, Feed.KLINE, upper, interval=interval, offset_ms=KLINE_ZONES.get(zone, 0)
        )
    if rest.startswith("ticker_"):
        window = rest[len("ticker_") :]
        if window not in TICKER_WINDOWS:
            return f"Invalid window size in stream name: {name!r}"
        return Stream(name, Feed.WINDOW_TICKER, upper, window=window)
    depth = _DEPTH.fullmatch(rest)
    if depth is not None:
        speed = 100 if depth[2] == "@100ms" else 1000
        if depth[1] is None:
            return Stream(name, Feed.DIFF_DEPTH, upper, speed_ms=speed)
        return Stream(name, Feed.PARTIAL_DEPTH, upper, levels=int(depth[1]), speed_ms=speed)
    return f"Invalid stream name: {name!r}"
