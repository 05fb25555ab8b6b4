"""The unit of the times in an answer: Binance's milliseconds, or microseconds for a client
that asked for them (REST's `X-MBX-TIME-UNIT` header, `?timeUnit=` on the WebSocket API's and
the market streams' URL).

Times are kept in microseconds inside (the sequencer stamps every command with its
microsecond), so a microsecond answer carries the real microseconds of a trade or an order,
not its millisecond times 1000. One context variable holds the unit of what is being
rendered; whoever renders for a microsecond client sets it around that (`in_microseconds`),
and every renderer writes its times through the functions below. The default is
milliseconds: a plain client's answer costs one context lookup per time, nothing more.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

MICRO: Final[ContextVar[bool]] = ContextVar("assetport_time_in_microseconds", default=False)

# Binance takes these four spellings, and nothing else (-1194).
_UNITS: Final = {
    "MILLISECOND": False,
    "millisecond": False,
    "MICROSECOND": True,
    "microsecond": True,
}


def parse(text: str) -> bool | None:
    """True for microseconds, False for milliseconds, None for a unit Binance does not know."""
    return _UNITS.get(text)


@contextmanager
def in_microseconds(micro: bool = True) -> Iterator[None]:
    """Render in microseconds inside the block (nothing changes when `micro` is false)."""
    if not micro:
        yield
        return
    token = MICRO.set(True)
    try:
        yield
    finally:
        MICRO.reset(token)


def from_us(time_us: int) -> int:
    """A time kept in microseconds, in the unit of the answer."""
    return time_us if MICRO.get() else time_us // 1000


def from_ms(time_ms: int) -> int:
    """A moment known to the millisecond (a period's start, the clock's now)."""
    return time_ms * 1000 if MICRO.get() else time_ms


def last_of_ms(time_ms: int) -> int:
    """The last moment of a millisecond (a candle's or a window's close time, which Binance
    writes as the period's last millisecond): its last microsecond."""
    return time_ms * 1000 + 999 if MICRO.get() else time_ms
