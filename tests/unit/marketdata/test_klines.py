"""Klines from real trades, hand-computed across interval boundaries."""

from datetime import UTC, datetime

from marketdata_harness import GOLD, T0, Feed

from assetport.domain.intervals import INTERVALS, close_time, open_time


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return int(moment.timestamp()) * 1000


M = T0 - T0 % 60_000 + 60_000  # 2023-11-14 22:14:00 UTC, a Tuesday


def test_week_opens_monday_and_month_on_the_first() -> None:
    assert open_time("1w", T0) == ms(2023, 11, 13)
    assert close_time("1w", ms(2023, 11, 13)) == ms(2023, 11, 20) - 1
    assert open_time("1M", T0) == ms(2023, 11, 1)
    assert close_time("1M", ms(2023, 11, 1)) == ms(2023, 12, 1) - 1
    assert close_time("1M", ms(2023, 12, 1)) == ms(2024, 1, 1) - 1
    assert open_time("1M", ms(2024, 2, 29, 23, 59)) == ms(2024, 2, 1)
    assert open_time("3d", T0) % (3 * 86_400_000) == 0
    assert open_time("4h", T0) == ms(2023, 11, 14, 20)
    assert open_time("1w", ms(2024, 1, 1)) == ms(2024, 1, 1)  # a Monday
    assert open_time("1w", ms(2024, 1, 1) - 1) == ms(2023, 12, 25)


def feed_four_trades() -> Feed:
    feed = Feed(start_ms=M - 1000)
    feed.trade("1.0", 1000, M - 500)  # taker buys
    feed.trade("0.5", 1100, M + 100, taker_buys=False)
    feed.trade("2.0", 900, M + 30_000)
    feed.trade("1.0", 1050, M + 61_000)
    return feed


def test_minute_candles_row_by_row() -> None:
    rows = feed_four_trades().md.klines(GOLD, "1m")
    assert rows == [
        [M - 60_000, "1000", "1000", "1000", "1000", "1.0000", M - 1, "1000", 1, "1.0000", "1000",
         "0"],
        [M, "1100", "1100", "900", "900", "2.5000", M + 59_999, "2350", 2, "2.0000", "1800", "0"],
        [M + 60_000, "1050", "1050", "1050", "1050", "1.0000", M + 119_999, "1050", 1, "1.0000",
         "1050", "0"],
    ]  # fmt: skip


def test_larger_intervals_fold_the_seconds() -> None:
    md = feed_four_trades().md
    five = md.klines(GOLD, "5m")
    assert [row[:9] for row in five] == [
        [M - 240_000, "1000", "1100", "900", "900", "3.5000", M + 59_999, "3350", 3],
        [M + 60_000, "1050", "1050", "1050", "1050", "1.0000", M + 359_999, "1050", 1],
    ]
    for interval, start in (("1h", ms(2023, 11, 14, 22)), ("1w", ms(2023, 11, 13))):
        (row,) = md.klines(GOLD, interval)
        assert row[:9] == [start, "1000", "1100", "900", "1050", "4.5000",
                           close_time(interval, start), "4400", 4]  # fmt: skip
        assert row[9:11] == ["4.0000", "3850"]  # taker buys: all but the 0.5 sell
    (month,) = md.klines(GOLD, "1M")
    assert month[0] == ms(2023, 11, 1) and month[6] == ms(2023, 12, 1) - 1
    seconds = md.klines(GOLD, "1s")
    assert [row[0] for row in seconds] == [M - 1000, M, M + 30_000, M + 61_000]


def test_new_year_splits_week_month_and_day() -> None:
    eve = ms(2023, 12, 31, 23, 59, 59)  # a Sunday
    feed = Feed(start_ms=eve)
    feed.trade("1.0", 1000, eve + 500)
    feed.trade("1.0", 2000, eve + 1000)  # 2024-01-01 00:00:00.000, a Monday
    for interval, first in (
        ("1d", ms(2023, 12, 31)),
        ("1w", ms(2023, 12, 25)),
        ("1M", ms(2023, 12, 1)),
    ):
        rows = feed.md.klines(GOLD, interval)
        assert [(r[0], r[1], r[6]) for r in rows] == [
            (first, "1000", ms(2024, 1, 1) - 1),
            (ms(2024, 1, 1), "2000", close_time(interval, ms(2024, 1, 1))),
        ]


def test_query_limits_and_start_end() -> None:
    feed = Feed(start_ms=M)
    for i in range(10):
        feed.trade("0.1", 1000 + 10 * i, M + i * 60_000)
    opens = [M + i * 60_000 for i in range(10)]
    md = feed.md
    assert [r[0] for r in md.klines(GOLD, "1m", limit=3)] == opens[-3:]
    assert [r[0] for r in md.klines(GOLD, "1m", start_ms=opens[2], limit=3)] == opens[2:5]
    assert [r[0] for r in md.klines(GOLD, "1m", start_ms=opens[2] + 1, limit=2)] == opens[3:5]
    assert [r[0] for r in md.klines(GOLD, "1m", end_ms=opens[4], limit=2)] == opens[3:5]
    both = md.klines(GOLD, "1m", start_ms=opens[1], end_ms=opens[3], limit=500)
    assert [r[0] for r in both] == opens[1:4]
    assert md.ui_klines(GOLD, "1m") == md.klines(GOLD, "1m")
    assert len(md.klines(GOLD, "1m", limit=5000)) == 10
    assert set(INTERVALS) >= {"1s", "3d", "1w", "1M"}


def test_kline_stream_sends_open_candle_then_final() -> None:
    feed = Feed(start_ms=M)
    feed.trade("1.0", 1000, M + 10)
    name = "kgldkrw@kline_1m"
    first = feed.md.due(M + 2000, {name})[name]
    assert [(m["k"]["t"], m["k"]["x"], m["k"]["n"]) for m in first] == [(M, False, 1)]
    feed.trade("1.0", 1200, M + 3000)
    nothing_closed = feed.md.due(M + 4000, {name})[name]
    assert [(m["k"]["x"], m["k"]["c"], m["k"]["v"]) for m in nothing_closed] == [
        (False, "1200", "2.0000")
    ]
    rolled = feed.md.due(M + 60_000, {name})[name]
    assert [(m["k"]["t"], m["k"]["x"]) for m in rolled] == [(M, True), (M + 60_000, False)]
    final, flat = rolled
    assert final["k"]["h"] == "1200" and final["k"]["L"] == 2 and final["E"] == M + 60_000
    # Nothing traded in the new minute yet: a flat candle at the last close.
    assert (flat["k"]["o"], flat["k"]["c"], flat["k"]["n"], flat["k"]["f"]) == (
        "1200",
        "1200",
        0,
        -1,
    )
