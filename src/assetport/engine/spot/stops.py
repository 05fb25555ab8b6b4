"""Stop orders waiting for the market's last trade price to reach their stop price.

Binance's rule: STOP_LOSS(_LIMIT) buys and TAKE_PROFIT(_LIMIT) sells trigger when the last
price rises to the stop price or above; STOP_LOSS(_LIMIT) sells and TAKE_PROFIT(_LIMIT) buys
when it falls to the stop price or below. Orders that trigger together run in order id order
(time priority), whatever their stop prices.
"""

from heapq import heappop, heappush
from typing import Final

from assetport.domain.orders import OrderType, Side
from assetport.engine.spot.order import Order

_STOP_LOSS_TYPES: Final = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT})


def triggers_on_rise(order_type: OrderType, side: Side) -> bool:
    """True when the order triggers as the price rises to its stop, False when it falls."""
    return (order_type in _STOP_LOSS_TYPES) == (side is Side.BUY)


def would_trigger(order_type: OrderType, side: Side, stop_price: int, last_price: int) -> bool:
    if not last_price:
        return False
    if triggers_on_rise(order_type, side):
        return last_price >= stop_price
    return last_price <= stop_price


class StopBook:
    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}
        self._rise: list[tuple[int, int]] = []  # (stop price, order id)
        self._fall: list[tuple[int, int]] = []  # (-stop price, order id)

    def add(self, order: Order) -> None:
        self.orders[order.order_id] = order
        if triggers_on_rise(order.type, order.side):
            heappush(self._rise, (order.stop_price, order.order_id))
        else:
            heappush(self._fall, (-order.stop_price, order.order_id))

    def remove(self, order: Order) -> None:
        """Forget the order; its heap entry is dropped lazily, or all at once when the
        heaps hold mostly forgotten entries."""
        del self.orders[order.order_id]
        if len(self._rise) + len(self._fall) > 2 * len(self.orders) + 64:
            self._rebuild()

    def discard(self, order: Order) -> None:
        """Forget the order if it still waits: an order list's leg may have been taken out
        with the others the last price triggered, and not have run yet."""
        if order.order_id in self.orders:
            self.remove(order)

    def _rebuild(self) -> None:
        self._rise = []
        self._fall = []
        for order in sorted(self.orders.values(), key=_order_id):
            if triggers_on_rise(order.type, order.side):
                heappush(self._rise, (order.stop_price, order.order_id))
            else:
                heappush(self._fall, (-order.stop_price, order.order_id))

    def pop_triggered(self, last_price: int) -> list[Order]:
        """Remove and return every order the last price triggers, in order id order."""
        triggered: list[Order] = []
        orders = self.orders
        rise = self._rise
        while rise and rise[0][0] <= last_price:
            order = orders.pop(heappop(rise)[1], None)
            if order is not None:
                triggered.append(order)
        fall = self._fall
        while fall and -fall[0][0] >= last_price:
            order = orders.pop(heappop(fall)[1], None)
            if order is not None:
                triggered.append(order)
        triggered.sort(key=_order_id)
        return triggered

    def __len__(self) -> int:
        return len(self.orders)


def _order_id(order: Order) -> int:
    return order.order_id
