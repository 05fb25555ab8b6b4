"""Stream names: what the WebSocket server accepts and what it refuses."""

import pytest

from assetport.marketdata.streams import Feed, Stream, parse_stream


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("btcusdt@trade", Stream("btcusdt@trade", Feed.TRADE, "BTCUSDT")),
        ("btcusdt@aggTrade", Stream("btcusdt@aggTrade", Feed.AGG_TRADE, "BTCUSDT")),
        ("kgldkrw@kline_1M", Stream("kgldkrw@kline_1M", Feed.KLINE, "KGLDKRW", interval="1M")),
        ("kgldkrw@kline_1s", Stream("kgldkrw@kline_1s", Feed.KLINE, "KGLDKRW", interval="1s")),
        ("btcusdt@miniTicker", Stream("btcusdt@miniTicker", Feed.MINI_TICKER, "BTCUSDT")),
        ("!miniTicker@arr", Stream("!miniTicker@arr", Feed.ALL_MINI_TICKERS)),
        ("btcusdt@ticker", Stream("btcusdt@ticker", Feed.TICKER, "BTCUSDT")),
        ("!ticker@arr", Stream("!ticker@arr", Feed.ALL_TICKERS)),
        ("btcusdt@bookTicker", Stream("btcusdt@bookTicker", Feed.BOOK_TICKER, "BTCUSDT")),
        ("btcusdt@avgPrice", Stream("btcusdt@avgPrice", Feed.AVG_PRICE, "BTCUSDT")),
        ("btcusdt@depth", Stream("btcusdt@depth", Feed.DIFF_DEPTH, "BTCUSDT", speed_ms=1000)),
        (
            "btcusdt@depth@100ms",
            Stream("btcusdt@depth@100ms", Feed.DIFF_DEPTH, "BTCUSDT", speed_ms=100),
        ),
        (
            "btcusdt@depth5",
            Stream("btcusdt@depth5", Feed.PARTIAL_DEPTH, "BTCUSDT", levels=5, speed_ms=1000),
        ),
        (
            "btcusdt@depth20@100ms",
            Stream("btcusdt@depth20@100ms", Feed.PARTIAL_DEPTH, "BTCUSDT", levels=20, speed_ms=100),
        ),
    ],
)
def test_valid_names(name: str, expected: Stream) -> None:
    assert parse_stream(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "",
        "btcusdt",
        "BTCUSDT@trade",  # symbols are lowercase in names
        "btcusdt@trades",
        "btcusdt@kline_2m",
        "btcusdt@kline_1H",
        "btcusdt@kline_",
        "btcusdt@depth15",
        "btcusdt@depth@250ms",
        "btcusdt@depth5@",
        "@trade",
        "b@trade",
        "btc-usdt@trade",
        "!bookTicker@arr",
        "btcusdt@aggtrade",
        "x" * 80 + "@trade",
    ],
)
def test_invalid_names(name: str) -> None:
    problem = parse_stream(name)
    assert isinstance(problem, str) and name[:20] in problem


def test_unlisted_symbol_is_refused_when_symbols_are_known() -> None:
    assert isinstance(parse_stream("kgldkrw@trade", {"KGLDKRW"}), Stream)
    assert "symbol" in str(parse_stream("btcusdt@trade", {"KGLDKRW"}))
