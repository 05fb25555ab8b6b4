"""Orders: sides, types, time in force, self-trade prevention and the order lifecycle.

The vocabulary is Binance spot's, so that the gateway maps it one to one.
"""

from enum import StrEnum
from typing import Final


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    LIMIT_MAKER = "LIMIT_MAKER"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class SelfTradePrevention(StrEnum):
    NONE = "NONE"
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"


class CancelRestriction(StrEnum):
    ONLY_NEW = "ONLY_NEW"
    ONLY_PARTIALLY_FILLED = "ONLY_PARTIALLY_FILLED"


class OrderStatus(StrEnum):
    # A pending leg of an OTO or OTOCO (domain/order_lists.py), waiting for its working order
    # to fill: the views show it; the engine holds no order in it (it becomes one, NEW, when
    # placed), so it has no move in the lifecycle below.
    PENDING_NEW = "PENDING_NEW"
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"


LIMIT_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
)

OPEN_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED})

# The order lifecycle. A move not listed here is a bug in the engine and raises.
TRANSITIONS: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    OrderStatus.NEW: frozenset(
        {
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELED,
            OrderStatus.EXPIRED,
            OrderStatus.EXPIRED_IN_MATCH,
        }
    ),
    OrderStatus.PARTIALLY_FILLED: frozenset(
        {
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELED,
            OrderStatus.EXPIRED,
            OrderStatus.EXPIRED_IN_MATCH,
        }
    ),
    OrderStatus.PENDING_NEW: frozenset(),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.EXPIRED_IN_MATCH: frozenset(),
}


class IllegalTransition(Exception):
    """The engine tried to move an order along a path the lifecycle does not have."""


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise unless `TRANSITIONS` allows the move: an open order may go to any status but
    NEW (or PENDING_NEW), a final one nowhere. Written as comparisons, not lookups, because
    the engine asks on every fill; tests hold it to the table."""
    if (current is OrderStatus.NEW or current is OrderStatus.PARTIALLY_FILLED) and (
        new is not OrderStatus.NEW and new is not OrderStatus.PENDING_NEW
    ):
        return
    raise IllegalTransition(f"order cannot go from {current} to {new}")
