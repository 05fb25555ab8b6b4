"""Order books: price levels in time priority, best price first.

A side keeps its levels in a dict (price -> orders in arrival order, keyed by order id, so a
cancel is O(1)) and the level prices in a heap for the best price. A level that empties is
dropped from the dict at once and from the heap lazily, when it reaches the top; `_in_heap`
keeps every price in the heap at most once, so the heap never grows past the distinct prices
it holds.
"""

from heapq import heappop, heappush, nlargest, nsmallest
from typing import Final

from assetport.domain.orders import Order

Level = dict[int, Order]

# Read from C statics in the compiled engine, not looked up in the module's dict per use.
_heappush: Final = heappush
_heappop: Final = heappop


def head(level: Level) -> Order:
    """The first order of a non-empty level (a for loop compiles to a direct iteration;
    next(iter(...)) would be a generic call)."""
    for order in level.values():
        return order
    raise LookupError("empty price level")


class BookSide:
    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, Level] = {}
        self._heap: list[int] = []
        self._in_heap: set[int] = set()

    def add(self, order: Order) -> None:
        """Queue the order at the back of its price level."""
        price = order.price
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = {}
            key = -price if self.is_bid else price
            if key not in self._in_heap:
                self._in_heap.add(key)
                _heappush(self._heap, key)
        level[order.order_id] = order

    def remove(self, order: Order) -> None:
        self.remove_from(self.levels[order.price], order)

    def remove_from(self, level: Level, order: Order) -> None:
        """Remove an order from its level, which the caller has at hand."""
        del level[order.order_id]
        if not level:
            del self.levels[order.price]

    def requeue(self, order: Order) -> None:
        """Move the order to the back of its level (an iceberg showing a new slice)."""
        level = self.levels[order.price]
        del level[order.order_id]
        level[order.order_id] = order

    def best(self) -> int | None:
        """The best price, or None when the side is empty."""
        heap = self._heap
        levels = self.levels
        while heap:
            key = heap[0]
            price = -key if self.is_bid else key
            if price in levels:
                return price
            _heappop(heap)
            self._in_heap.discard(key)
        return None

    def prices(self, limit: int | None = None) -> list[int]:
        """Level prices, best first."""
        if limit is None:
            return sorted(self.levels, reverse=self.is_bid)
        if self.is_bid:
            return nlargest(limit, self.levels)
        return nsmallest(limit, self.levels)

    def depth(self, limit: int | None = None) -> list[tuple[int, int]]:
        """(price, visible quantity) per level, best first."""
        return [(price, self.visible_at(price)) for price in self.prices(limit)]

    def visible_at(self, price: int) -> int:
        level = self.levels.get(price)
        if level is None:
            return 0
        return sum(order.visible for order in level.values())

    def orders(self) -> list[Order]:
        """Every order on this side, best price first, in time priority within a level."""
        return [order for price in self.prices() for order in self.levels[price].values()]

    def __len__(self) -> int:
        return sum(len(level) for level in self.levels.values())
