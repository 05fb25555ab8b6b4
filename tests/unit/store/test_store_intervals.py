"""Candle buckets of every Binance interval, in UTC and in a `timeZone`."""

from datetime import UTC, datetime

import pytest

from assetport.domain.intervals import (
    INTERVALS,
    bounds,
    local_close_time,
    local_open_time,
    parse_time_zone,
    source_interval,
)


def _ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp()) * 1000  # type: ignore[misc]


def test_every_binance_interval_in_binance_order() -> None:
    assert INTERVALS == (
        "1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h",
        "1d", "3d", "1w", "1M",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("interval", "moment", "opens", "next_opens"),
    [
        ("1s", _ms(2024, 5, 17, 13, 7, 9) + 999, _ms(2024, 5, 17, 13, 7, 9), _ms(2024, 5, 17, 13, 7, 10)),  # noqa: E501
        ("15m", _ms(2024, 5, 17, 13, 7), _ms(2024, 5, 17, 13, 0), _ms(2024, 5, 17, 13, 15)),
        ("4h", _ms(2024, 5, 17, 13, 7), _ms(2024, 5, 17, 12), _ms(2024, 5, 17, 16)),
        ("1d", _ms(2024, 5, 17, 23, 59), _ms(2024, 5, 17), _ms(2024, 5, 18)),
        # Monday 00:00 UTC opens the week, even across a year end.
        ("1w", _ms(2025, 1, 1, 8), _ms(2024, 12, 30), _ms(2025, 1, 6)),
        ("1w", _ms(2024, 5, 20), _ms(2024, 5, 20), _ms(2024, 5, 27)),
        # The 1st opens the month: February of a leap year, and December into January.
        ("1M", _ms(2024, 2, 29, 23), _ms(2024, 2, 1), _ms(2024, 3, 1)),
        ("1M", _ms(2024, 12, 31, 23, 59), _ms(2024, 12, 1), _ms(2025, 1, 1)),
    ],
)  # fmt: skip
def test_bounds(interval: str, moment: int, opens: int, next_opens: int) -> None:
    assert bounds(interval, moment) == (opens, next_opens - 1)


def test_unknown_interval() -> None:
    with pytest.raises(ValueError):
        bounds("2m", 0)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("0", 0), ("8", 480), ("+9", 540), ("+09:00", 540), ("-1:00", -60), ("05:45", 345),
     ("-12:00", -720), ("14", 840)],
)  # fmt: skip
def test_binance_time_zones(text: str, minutes: int) -> None:
    assert parse_time_zone(text) == minutes * 60_000


@pytest.mark.parametrize("text", ["", "UTC", "9h", "15", "-13", "14:01", "5:60", "+-1", "1.5"])
def test_time_zones_binance_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_zone(text)


def test_a_korean_day_opens_at_15_00_utc_and_adds_up_from_hours() -> None:
    kst = parse_time_zone("+09:00")
    noon_utc = 1_704_110_400_000  # 2024-01-01 12:00 UTC, 21:00 in Seoul
    opened = local_open_time("1d", noon_utc, kst)
    assert opened == 1_704_034_800_000  # 2023-12-31 15:00 UTC: 2024-01-01 00:00 in Seoul
    assert local_close_time("1d", opened, kst) == opened + 86_400_000 - 1
    assert source_interval("1d", kst) == "1h"
    assert source_interval("1M", kst) == "1h"
    assert source_interval("1h", kst) == "1h"  # whole hours move no hour boundary
    assert source_interval("4h", kst) == "1h"
    assert source_interval("1h", parse_time_zone("05:45")) == "15m"
    assert source_interval("1d", 0) == "1d" and source_interval("1w", 0) == "1w"
    # A Korean week opens on Monday 00:00 in Seoul, a Korean month on the 1st.
    week = local_open_time("1w", noon_utc, kst)
    assert week == 1_704_034_800_000  # 2024-01-01 was a Monday
    assert local_open_time("1M", 1_706_713_200_000, kst) == 1_706_713_200_000  # Feb 1 KST
