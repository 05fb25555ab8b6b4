"""Candle buckets of every Binance interval, in UTC."""

from datetime import UTC, datetime

import pytest

from assetport.domain.intervals import INTERVALS, bounds


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
