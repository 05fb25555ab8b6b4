"""Binance kline intervals and the candle each millisecond falls in (UTC): shared by the
market data in memory and the candles in SQL.

Fixed-length intervals (1s to 3d) are aligned to the Unix epoch, as Binance's are; `1w`
opens on Monday 00:00 and `1M` on the 1st of the month at 00:00.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Final

SECOND: Final = 1000
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
WEEK: Final = 7 * DAY
# The epoch was a Thursday; the first Monday 00:00 after it is 4 days later.
_MONDAY: Final = 4 * DAY
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

_FIXED: Final[dict[str, int]] = {
    "1s": SECOND,
    "1m": MINUTE,
    "3m": 3 * MINUTE,
    "5m": 5 * MINUTE,
    "15m": 15 * MINUTE,
    "30m": 30 * MINUTE,
    "1h": HOUR,
    "2h": 2 * HOUR,
    "4h": 4 * HOUR,
    "6h": 6 * HOUR,
    "8h": 8 * HOUR,
    "12h": 12 * HOUR,
    "1d": DAY,
    "3d": 3 * DAY,
}

# Binance's order (interval names are case-sensitive: 1m is a minute, 1M a month).
INTERVALS: Final = (*_FIXED, "1w", "1M")


def open_time(interval: str, t_ms: int) -> int:
    """Open time of the `interval` candle holding millisecond `t_ms`."""
    length = _FIXED.get(interval)
    if length is not None:
        return t_ms - t_ms % length
    if interval == "1w":
        return t_ms - (t_ms - _MONDAY) % WEEK
    if interval == "1M":
        moment = _EPOCH + timedelta(milliseconds=t_ms)
        return _ms(datetime(moment.year, moment.month, 1, tzinfo=UTC))
    raise ValueError(f"unknown interval {interval!r}")


def close_time(interval: str, open_ms: int) -> int:
    """Close time (last millisecond) of the candle opening at `open_ms`."""
    length = _FIXED.get(interval)
    if length is not None:
        return open_ms + length - 1
    if interval == "1w":
        return open_ms + WEEK - 1
    if interval == "1M":
        moment = _EPOCH + timedelta(milliseconds=open_ms)
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        return _ms(datetime(year, month, 1, tzinfo=UTC)) - 1
    raise ValueError(f"unknown interval {interval!r}")


def _ms(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds // 1000


def bounds(interval: str, t_ms: int) -> tuple[int, int]:
    """(open, close) milliseconds of the `interval` candle holding `t_ms`; close is its last
    millisecond, as in Binance's kline rows."""
    opened = open_time(interval, t_ms)
    return opened, close_time(interval, opened)


def local_open_time(interval: str, t_ms: int, offset_ms: int) -> int:
    """Open time (UTC milliseconds) of the `interval` candle holding `t_ms` when intervals
    are counted in a time zone `offset_ms` ahead of UTC (Binance's `timeZone`)."""
    return open_time(interval, t_ms + offset_ms) - offset_ms


def local_close_time(interval: str, open_ms: int, offset_ms: int) -> int:
    """Close time (UTC, last millisecond) of that candle opening at `open_ms`."""
    return close_time(interval, open_ms + offset_ms) - offset_ms


def source_interval(interval: str, offset_ms: int) -> str:
    """The UTC interval whose candles add up exactly to `interval`'s counted in the time zone
    `offset_ms`: `interval` itself where the zone moves no boundary, else the longest fixed
    interval that divides both the candle (a day, for weeks and months) and the offset."""
    span = _FIXED.get(interval, DAY)
    if offset_ms == 0 or (interval in _FIXED and offset_ms % span == 0):
        return interval
    for name in reversed(_FIXED):
        length = _FIXED[name]
        if span % length == 0 and offset_ms % length == 0:
            return name
    raise ValueError(f"no interval adds up to {interval} at an offset of {offset_ms} ms")


_ZONE: Final = re.compile(r"([+-]?)([0-9]{1,2})(?::([0-9]{2}))?")


def parse_time_zone(text: str) -> int:
    """Binance's `timeZone` ("0", "8", "-1:00", "05:45", "+09:00"; -12:00 to +14:00) as the
    offset ahead of UTC in milliseconds; ValueError for anything else."""
    match = _ZONE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a time zone: {text!r}")
    minutes = int(match.group(3) or 0)
    if minutes >= 60:
        raise ValueError(f"not a time zone: {text!r}")
    total = int(match.group(2)) * 60 + minutes
    if match.group(1) == "-":
        total = -total
    if not -12 * 60 <= total <= 14 * 60:
        raise ValueError(f"time zone out of range: {text!r}")
    return total * MINUTE
