"""Order books: price levels in time priority, best price first.

A level is a queue of orders linked through the orders themselves (`prev`, `next`, and
`level` on each order), so adding at the back, taking from the front and cancelling from the
middle are a few pointer moves, with no lookup. A side keeps its levels in a dict by price
and the level prices in a heap for the best price. A level that empties is dropped from the
dict at once and from the heap lazily, when it reaches the top; `_in_heap` keeps every price
in the heap at most once, so the heap never grows past the distinct prices it holds.

A level also keeps the sum of its orders' visible quantities (`shown`), which the depth
reads after every command: summing the queue instead cost a walk of every order at the
level. Whatever changes a resting order's `visible` goes through `show` (or, on the
trade's hot path, adjusts `shown` beside it).
"""

from collections.abc import Iterator
from heapq import heappop, heappush, nlargest, nsmallest
from typing import Final

from assetport.engine.spot.order import Order

# Read from C statics in the compiled engine, not looked up in the module's dict per use.
_heappush: Final = heappush
_heappop: Final = heappop


class Level:
    """The orders resting at one price, oldest first."""

    __slots__ = ("count", "head", "price", "shown", "tail")

    def __init__(self, price: int) -> None:
        self.price = price
        self.head: Order | None = None
        self.tail: Order | None = None
        self.count = 0
        self.shown = 0  # the sum of the orders' visible quantities

    def append(self, order: Order) -> None:
        tail = self.tail
        order.level = self
        order.prev = tail
        order.next = None
        if tail is None:
            self.head = order
        else:
            tail.next = order
        self.tail = order
        self.count += 1
        self.shown += order.visible

    def unlink(self, order: Order) -> None:
        before = order.prev
        after = order.next
        if before is None:
            self.head = after
        else:
            before.next = after
        if after is None:
            self.tail = before
        else:
            after.prev = before
        order.level = None
        order.prev = None
        order.next = None
        self.count -= 1
        self.shown -= order.visible

    def __iter__(self) -> Iterator[Order]:
        order = self.head
        while order is not None:
            yield order
            order = order.next

    def visible(self) -> int:
        return self.shown


def show(order: Order, visible: int) -> None:
    """Set what the order shows, keeping its level's sum (if it rests in one) right."""
    level = order.level
    if level is not None:
        level.shown += visible - order.visible
    order.visible = visible


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
            level = self.levels[price] = Level(price)
            key = -price if self.is_bid else price
            if key not in self._in_heap:
                self._in_heap.add(key)
                _heappush(self._heap, key)
        level.append(order)

    def remove(self, order: Order) -> None:
        level = order.level
        if level is None:
            raise LookupError(f"order {order.order_id} is not in a book")
        level.unlink(order)
        if not level.count:
            del self.levels[level.price]

    def requeue(self, order: Order, visible: int) -> None:
        """Move the order to the back of its level showing `visible` (an iceberg showing a
        new slice)."""
        level = order.level
        if level is None:
            raise LookupError(f"order {order.order_id} is not in a book")
        level.unlink(order)
        order.visible = visible
        level.append(order)

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
        return [(price, self.levels[price].visible()) for price in self.prices(limit)]

    def visible_at(self, price: int) -> int:
        level = self.levels.get(price)
        return 0 if level is None else level.visible()

    def orders(self) -> list[Order]:
        """Every order on this side, best price first, in time priority within a level."""
        return [order for price in self.prices() for order in self.levels[price]]

    def __len__(self) -> int:
        return sum(level.count for level in self.levels.values())
