"""Rolling tickers: the 24 h window rolls buckets off as time moves on."""

from hypothesis import given, settings
from hypothesis import strategies as st
from marketdata_harness import GOLD, Feed

from assetport.domain.events import TradeExecuted
from assetport.marketdata.tickers import (
    SymbolTicker,
    percent_milli,
    window_minutes,
)

MIN = 60_000
HOUR = 60 * MIN
START = 1_700_000_040_000  # a minute boundary


def three_trades() -> Feed:
    feed = Feed(start_ms=START)
    feed.trade("1.0", 1000, START + 5_000)
    feed.trade("1.0", 1200, START + HOUR)
    feed.trade("2.0", 1100, START + 23 * HOUR)
    return feed


def test_24hr_ticker_within_the_window() -> None:
    feed = three_trades()
    now = START + 23 * HOUR + MIN
    t = feed.md.ticker_24hr(GOLD, now)
    assert (t["openPrice"], t["highPrice"], t["lowPrice"], t["lastPrice"]) == (
        "1000", "1200", "1000", "1100",
    )  # fmt: skip
    assert (t["volume"], t["quoteVolume"], t["count"], t["firstId"], t["lastId"]) == (
        "4.0000", "4400", 3, 1, 3,
    )  # fmt: skip
    assert (t["priceChange"], t["priceChangePercent"], t["weightedAvgPrice"]) == (
        "100", "10.000", "1100",
    )  # fmt: skip
    assert (t["prevClosePrice"], t["lastQty"], t["closeTime"]) == ("0", "2.0000", now)
    assert t["openTime"] == now - now % MIN - 24 * HOUR


def test_24hr_window_rolls_off_old_buckets() -> None:
    feed = three_trades()
    t = feed.md.ticker_24hr(GOLD, START + 24 * HOUR + 2 * MIN)
    assert (t["openPrice"], t["count"], t["prevClosePrice"], t["priceChange"]) == (
        "1200", 2, "1000", "-100",
    )  # fmt: skip
    assert (t["priceChangePercent"], t["highPrice"], t["lowPrice"]) == ("-8.333", "1200", "1100")
    t = feed.md.ticker_24hr(GOLD, START + 25 * HOUR + 2 * MIN)
    assert (t["openPrice"], t["count"], t["prevClosePrice"], t["volume"]) == (
        "1100", 1, "1200", "2.0000",
    )  # fmt: skip
    t = feed.md.ticker_24hr(GOLD, START + 48 * HOUR)
    assert (t["count"], t["firstId"], t["lastId"], t["volume"], t["lastPrice"]) == (
        0, -1, -1, "0.0000", "1100",
    )  # fmt: skip


def test_rolling_windows_trading_day_and_average() -> None:
    feed = three_trades()
    now = START + 23 * HOUR + 30_000
    md = feed.md
    assert md.ticker_window(GOLD, "1m", now)["count"] == 1
    assert md.ticker_window(GOLD, "22h", now)["count"] == 2  # from START + 1 h
    assert md.ticker_window(GOLD, "23h", now)["count"] == 3  # the minute started at START
    assert md.ticker_window(GOLD, "1d", now)["count"] == 3
    mini = md.ticker_window(GOLD, "2d", now, mini=True)
    assert mini["count"] == 3 and "priceChange" not in mini
    day = md.trading_day(GOLD, now)
    midnight = now - now % (24 * HOUR)
    assert day["openTime"] == midnight
    assert day["count"] == sum(1 for t in (START + 5_000, START + HOUR) if t >= midnight) + 1
    assert md.avg_price(GOLD, now) == {"mins": 5, "price": "1100", "closeTime": START + 23 * HOUR}
    assert md.ticker_price(GOLD) == {"symbol": GOLD, "price": "1100"}


def test_window_sizes_and_percent_rounding() -> None:
    assert [window_minutes(w) for w in ("1m", "59m", "1h", "23h", "1d", "7d")] == [
        1, 59, 60, 1380, 1440, 10080,
    ]  # fmt: skip
    assert [window_minutes(w) for w in ("0m", "60m", "24h", "8d", "1w", "m", "01m")] == [None] * 7
    assert percent_milli(1, 3) == 33_333 and percent_milli(-2, 3) == -66_667
    assert percent_milli(5, 0) == 0


def trade(trade_id: int, time_ms: int, price: int, qty: int) -> TradeExecuted:
    return TradeExecuted(
        trade_id, time_ms * 1000, "X", trade_id, price, qty, price * qty, 1, 2, 3, 4,
        trade_id % 2 == 0, 0, 0, 0,
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3 * HOUR), st.integers(1, 50), st.integers(1, 9), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_incremental_24h_equals_a_scan(steps: list[tuple[int, int, int, bool]]) -> None:
    """The O(1) rolling 24 h figures agree with scanning the buckets, at any later moment."""
    ticker = SymbolTicker("X")
    now = probe = START
    for trade_id, (gap, price, qty, query) in enumerate(steps, start=1):
        now += gap * 8  # up to a day between trades
        ticker.add(trade(trade_id, now, price, qty))
        if query:
            probe = max(probe, now + gap)  # query times never go back
            scan = ticker.window(probe - probe % MIN - 24 * HOUR, probe)
            assert ticker.rolling_24h(probe) == scan
