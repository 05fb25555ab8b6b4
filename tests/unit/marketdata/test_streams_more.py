"""Klines in a time zone across its midnight, rolling window tickers, `!bookTicker`, and the
microsecond variant of a payload, from real trades through `MarketData.due`/`drain`."""

from datetime import UTC, datetime

from marketdata_harness import ALICE, GOLD, Feed

from assetport.domain.orders import Side
from assetport.marketdata.streams import MICRO_SUFFIX, parse_stream
from assetport.marketdata.streams import Feed as StreamFeed

HOUR = 3_600_000
DAY = 24 * HOUR


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()) * 1000


SEOUL_MIDNIGHT = ms(2023, 11, 14, 15)  # 2023-11-15 00:00 in Seoul


def test_a_korean_day_splits_where_the_utc_day_does_not() -> None:
    feed = Feed(start_ms=SEOUL_MIDNIGHT - 40 * 60_000)
    feed.trade("1.0", 1000, SEOUL_MIDNIGHT - 30 * 60_000)  # 14:30 UTC: the Korean 14th
    names = {"kgldkrw@kline_1d", "kgldkrw@kline_1d@+09:00", "kgldkrw@kline_1d@+08:00"}
    before = feed.md.due(SEOUL_MIDNIGHT - 20 * 60_000, names)
    korean = before["kgldkrw@kline_1d@+09:00"][-1]["k"]
    assert (korean["t"], korean["T"]) == (SEOUL_MIDNIGHT - DAY, SEOUL_MIDNIGHT - 1)
    assert (korean["o"], korean["n"], korean["x"]) == ("1000", 1, False)

    feed.trade("2.0", 1200, SEOUL_MIDNIGHT + 30 * 60_000)  # 15:30 UTC: the Korean 15th
    after = feed.md.due(SEOUL_MIDNIGHT + 40 * 60_000, names)
    closed, opened = (m["k"] for m in after["kgldkrw@kline_1d@+09:00"])
    # The Korean 14th goes out once more, closed, with its one trade; the 15th has the other.
    assert (closed["t"], closed["x"], closed["n"], closed["c"]) == (
        SEOUL_MIDNIGHT - DAY, True, 1, "1000",
    )  # fmt: skip
    assert (opened["t"], opened["T"]) == (SEOUL_MIDNIGHT, SEOUL_MIDNIGHT + DAY - 1)
    assert (opened["o"], opened["c"], opened["v"], opened["n"]) == ("1200", "1200", "2.0000", 1)
    # Both trades are one UTC day, and one day from 16:00 UTC (UTC+8).
    for name in ("kgldkrw@kline_1d", "kgldkrw@kline_1d@+08:00"):
        [candle] = [m["k"] for m in after[name]]
        assert (candle["n"], candle["o"], candle["c"], candle["h"], candle["l"]) == (
            2, "1000", "1200", "1200", "1000",
        )  # fmt: skip
    assert after["kgldkrw@kline_1d@+08:00"][0]["k"]["t"] == ms(2023, 11, 13, 16)


def test_rolling_windows_book_tickers_and_microseconds() -> None:
    feed = Feed(start_ms=ms(2023, 11, 14, 10))
    feed.trade("1.0", 1000, ms(2023, 11, 14, 10, 5))  # in the 4 h window, not the 1 h one
    feed.trade("1.0", 1100, ms(2023, 11, 14, 13, 30))
    feed.limit(ALICE, Side.SELL, "3.0", 1500)
    now = ms(2023, 11, 14, 14) + 500
    names = {
        "kgldkrw@ticker_1h",
        "!ticker_4h@arr",
        "kgldkrw@trade" + MICRO_SUFFIX,
        "!bookTicker",
        "kgldkrw@ticker_1h" + MICRO_SUFFIX,
    }
    live = feed.md.drain(names)
    due = feed.md.due(now, names)
    hourly = due["kgldkrw@ticker_1h"][0]
    assert (hourly["e"], hourly["n"], hourly["o"], hourly["c"]) == ("1hTicker", 1, "1100", "1100")
    assert (hourly["O"], hourly["C"]) == (now - now % 60_000 - HOUR, now)
    [four] = due["!ticker_4h@arr"][0]
    assert (four["e"], four["s"], four["n"], four["o"]) == ("4hTicker", GOLD, 2, "1000")
    micro = due["kgldkrw@ticker_1h" + MICRO_SUFFIX][0]
    assert (micro["O"], micro["C"], micro["E"]) == (hourly["O"] * 1000, now * 1000, now * 1000)
    assert "kgldkrw@trade" not in live  # nobody listens in milliseconds
    trades = live["kgldkrw@trade" + MICRO_SUFFIX]
    assert [t["T"] for t in trades] == [
        ms(2023, 11, 14, 10, 5) * 1000,
        ms(2023, 11, 14, 13, 30) * 1000,
    ]
    tops = live["!bookTicker"]
    assert tops[-1] == {"u": tops[-1]["u"], "s": GOLD, "b": "0", "B": "0.0000", "a": "1500",
                        "A": "3.0000"}  # fmt: skip


def test_stream_names() -> None:
    zoned = parse_stream("kgldkrw@kline_4h@+09:00", {GOLD})
    assert not isinstance(zoned, str)
    assert (zoned.feed, zoned.interval, zoned.offset_ms) == (StreamFeed.KLINE, "4h", 9 * HOUR)
    window = parse_stream("kgldkrw@ticker_4h", {GOLD})
    assert not isinstance(window, str) and window.window == "4h"
    every = parse_stream("!ticker_1d@arr")
    assert not isinstance(every, str) and every.feed is StreamFeed.ALL_WINDOW_TICKERS
    for bad in ("kgldkrw@kline_1d@+07:00", "kgldkrw@kline_1d@", "kgldkrw@ticker_2h",
                "!ticker_1h@arr ", "kgldkrw@kline_1d@+09:00" + MICRO_SUFFIX):  # fmt: skip
        assert isinstance(parse_stream(bad, {GOLD}), str), bad
