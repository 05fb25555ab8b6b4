"""Which price levels of which books a command's events touched.

An order's price is learnt when it is accepted (later events name only its id), so this
remembers where each limit order that may rest sits until it ends. The depth view
(`marketdata/depth.py`) reads the visible quantity at each touched level from the engine
after the command; the command port (`runtime/port_server.py`) sends those quantities to a
gateway that follows the book through it.
"""

from collections.abc import Iterable
from typing import Any, Final

from assetport.domain.events import (
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderTriggered,
    TradeExecuted,
)
from assetport.domain.orders import LIMIT_TYPES, Side

Key = tuple[bool, int]  # (is_bid, price)
_ENDED: Final = (OrderCanceled, OrderExpired, OrderFilled)


class LevelKeys:
    def __init__(self) -> None:
        # order id -> (is_bid, price) of every limit order that may rest, until it ends.
        self.prices: dict[int, Key] = {}

    def seed(self, open_orders: Iterable[tuple[int, Side, int]]) -> None:
        """(order id, side, price) of the open limit orders of an engine restored at start,
        whose later events name no price."""
        for order_id, side, price in open_orders:
            self.prices[order_id] = (side is Side.BUY, price)

    def touched(self, events: Iterable[Any]) -> dict[str, set[Key]]:
        """The levels one command's events touched, per symbol (and remember or forget the
        orders they accepted or ended)."""
        touched: dict[str, set[Key]] = {}
        prices = self.prices
        for event in events:
            kind = type(event)
            key: Key | None
            if kind is TradeExecuted:
                # The maker's level: a trade happens at the resting order's price.
                key = (event.buyer_is_maker, event.price)
            elif kind is OrderAccepted:
                order = event.order
                if order.type not in LIMIT_TYPES:
                    continue
                key = prices[event.order_id] = (event.side is Side.BUY, order.price)
                if not event.working:
                    continue
            elif kind in _ENDED:
                key = prices.pop(event.order_id, None)
            elif kind is OrderAmended or kind is OrderTriggered:
                key = prices.get(event.order_id)
            else:
                continue
            if key is not None:
                keys = touched.get(event.symbol)
                if keys is None:
                    keys = touched[event.symbol] = set()
                keys.add(key)
        return touched
