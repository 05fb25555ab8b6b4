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
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"


LIMIT_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
)
STOP_TYPES = frozenset(
    {
        OrderType.STOP_LOSS,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT,
        OrderType.TAKE_PROFIT_LIMIT,
    }
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
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.EXPIRED_IN_MATCH: frozenset(),
}


class IllegalTransition(Exception):
    """The engine tried to move an order along a path the lifecycle does not have."""


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise unless `TRANSITIONS` allows the move: an open order may go to any status but
    NEW, a final one nowhere. Written as comparisons, not lookups, because the engine asks
    on every fill; tests hold it to the table."""
    if (current is OrderStatus.NEW or current is OrderStatus.PARTIALLY_FILLED) and (
        new is not OrderStatus.NEW
    ):
        return
    raise IllegalTransition(f"order cannot go from {current} to {new}")


class Order:
    """An order the engine holds: resting in a book, or waiting for its stop price.

    Amounts are integer units: `price` and `stop_price` in quote units per whole base unit,
    quantities in base units, `quote_quantity` and `executed_quote` in quote units. `held` is
    what the ledger holds for this order right now (quote for a buy, base for a sell);
    `visible` is the part shown in the book (the current slice of an iceberg order).

    A plain class rather than a message: it changes as the order trades, and the engine
    reads and writes its fields on every match.
    """

    __slots__ = (
        "account",
        "client_order_id",
        "created",
        "executed",
        "executed_quote",
        "held",
        "iceberg_qty",
        "order_id",
        "price",
        "quantity",
        "quote_quantity",
        "side",
        "status",
        "stop_price",
        "stp_mode",
        "symbol",
        "time_in_force",
        "type",
        "updated",
        "visible",
        "working",
    )

    def __init__(
        self,
        order_id: int,
        account: int,
        symbol: str,
        side: Side,
        type: OrderType,
        time_in_force: TimeInForce,
        price: int,
        quantity: int,
        quote_quantity: int,
        stop_price: int,
        iceberg_qty: int,
        client_order_id: str,
        stp_mode: SelfTradePrevention,
        created: int,
        held: int,
        working: bool,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.symbol = symbol
        self.side = side
        self.type = type
        self.time_in_force = time_in_force
        self.price = price
        self.quantity = quantity
        self.quote_quantity = quote_quantity
        self.stop_price = stop_price
        self.iceberg_qty = iceberg_qty
        self.client_order_id = client_order_id
        self.stp_mode = stp_mode
        self.created = created
        self.held = held
        self.visible = iceberg_qty or quantity
        self.executed = 0
        self.executed_quote = 0
        self.status = OrderStatus.NEW
        self.working = working
        self.updated = created

    @property
    def remaining(self) -> int:
        return self.quantity - self.executed
