"""Depth: every symbol's visible price levels, with update ids that line up with the diffs.

Which levels a command touched follows from its events (`views/levels.py`: an order's price
is learnt when it is accepted); how much is visible there is read from the engine right
after the command, through `BookLookup`. That is exact where replaying quantities from
events would have to redo the engine's iceberg, trigger and fill rules.

Each symbol has one update id, increased once per command that changed its book. Changes
collect in two pending batches, one per diff cadence (100 ms and 1000 ms); publishing a batch
yields a diff covering ids U..u, contiguous with the previous one. The snapshot served to
REST is the book as of the last published 100 ms batch, because a client must be able to
apply the next diff it receives on top of it (docs/binance-api.md, "Depth"). The hub
publishes the 1000 ms batch only together with a 100 ms one, so 1000 ms boundaries are 100 ms
boundaries too.
"""

from collections.abc import Callable, Iterable
from heapq import heappop, heappush, nlargest, nsmallest
from typing import Any, Final, NamedTuple

from assetport.domain.events import MarketListed
from assetport.domain.orders import Side
from assetport.domain.units import from_units
from assetport.marketdata.time_unit import from_ms
from assetport.views.levels import LevelKeys

# (symbol, side, price) -> visible quantity at that level in the engine's book right now.
BookLookup = Callable[[str, Side, int], int]
Levels = list[tuple[int, int]]
_Key = tuple[bool, int]  # (is_bid, price)


class DepthDiff(NamedTuple):
    symbol: str
    first_id: int  # U
    last_id: int  # u
    bids: Levels
    asks: Levels


class BookTop(NamedTuple):
    update_id: int
    bid_price: int
    bid_qty: int
    ask_price: int
    ask_qty: int


class _Side:
    """Price -> visible quantity, with a lazily cleaned heap for the best price."""

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, int] = {}
        self._heap: list[int] = []
        self._in_heap: set[int] = set()

    def set(self, price: int, qty: int) -> None:
        if qty:
            if price not in self.levels:
                key = -price if self.is_bid else price
                if key not in self._in_heap:
                    self._in_heap.add(key)
                    heappush(self._heap, key)
            self.levels[price] = qty
        else:
            self.levels.pop(price, None)

    def best(self) -> tuple[int, int]:
        """(price, quantity) of the best level, (0, 0) when empty."""
        heap, levels = self._heap, self.levels
        while heap:
            key = heap[0]
            price = -key if self.is_bid else key
            qty = levels.get(price)
            if qty is not None:
                return price, qty
            heappop(heap)
            self._in_heap.discard(key)
        return 0, 0


class SymbolDepth:
    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = _Side(is_bid=True)
        self.asks = _Side(is_bid=False)
        self.update_id = 0
        # The book as of the last published 100 ms batch, for snapshots.
        self.published_bids: dict[int, int] = {}
        self.published_asks: dict[int, int] = {}
        self.published_id = 0
        self.fast: dict[_Key, int] = {}
        self.slow: dict[_Key, int] = {}
        self.fast_first = 1
        self.slow_first = 1
        self.top = BookTop(0, 0, 0, 0, 0)

    def change(self, is_bid: bool, price: int, qty: int) -> None:
        (self.bids if is_bid else self.asks).set(price, qty)
        self.fast[is_bid, price] = qty
        self.slow[is_bid, price] = qty

    def publish_fast(self) -> DepthDiff | None:
        if not self.fast:
            return None
        diff = self._diff(self.fast, self.fast_first)
        for (is_bid, price), qty in self.fast.items():
            levels = self.published_bids if is_bid else self.published_asks
            if qty:
                levels[price] = qty
            else:
                levels.pop(price, None)
        self.published_id = self.update_id
        self.fast = {}
        self.fast_first = self.update_id + 1
        return diff

    def publish_slow(self) -> DepthDiff | None:
        if not self.slow:
            return None
        diff = self._diff(self.slow, self.slow_first)
        self.slow = {}
        self.slow_first = self.update_id + 1
        return diff

    def _diff(self, pending: dict[_Key, int], first: int) -> DepthDiff:
        bids = sorted(((p, q) for (b, p), q in pending.items() if b), reverse=True)
        asks = sorted((p, q) for (b, p), q in pending.items() if not b)
        return DepthDiff(self.symbol, first, self.update_id, bids, asks)

    def snapshot(self, limit: int) -> tuple[int, Levels, Levels]:
        """(lastUpdateId, bids, asks) as of the last published 100 ms batch, best first."""
        bids = nlargest(limit, self.published_bids.items())
        asks = nsmallest(limit, self.published_asks.items())
        return self.published_id, bids, asks


class DepthTracker:
    def __init__(self) -> None:
        self.books: dict[str, SymbolDepth] = {}
        self.keys = LevelKeys()

    def add_market(self, symbol: str) -> None:
        self.books.setdefault(symbol, SymbolDepth(symbol))

    def seed(
        self,
        symbol: str,
        bids: Iterable[tuple[int, int]],
        asks: Iterable[tuple[int, int]],
        open_orders: Iterable[tuple[int, Side, int]],
        update_id: int = 0,
    ) -> None:
        """Start from an engine restored from a snapshot: its levels, and (order id, side,
        price) of its open limit orders, whose later events name no price.

        `update_id` is where the symbol's update ids go on from: the recovered engine's seq.
        An id grows at most once per command, so every id served before the restart was at
        most that seq, and a client that kept one sees a gap (and resyncs from a snapshot)
        instead of ids that go backwards and updates it would drop as already applied."""
        self.add_market(symbol)
        book = self.books[symbol]
        book.update_id = book.published_id = update_id
        book.fast_first = book.slow_first = update_id + 1
        for is_bid, levels in ((True, bids), (False, asks)):
            for price, qty in levels:
                book.change(is_bid, price, qty)
        self.keys.seed(open_orders)
        book.fast, book.slow = {}, {}
        book.published_bids = dict(book.bids.levels)
        book.published_asks = dict(book.asks.levels)
        book.top = _top(book)

    def apply(self, events: Iterable[Any], lookup: BookLookup) -> list[SymbolDepth]:
        """Take in one command's events; return the books whose best bid or ask changed."""
        events = events if isinstance(events, list) else list(events)
        for event in events:
            if type(event) is MarketListed:
                self.add_market(event.market.symbol)
        moved: list[SymbolDepth] = []
        for symbol, keys in self.keys.touched(events).items():
            book = self.books[symbol]
            changed = False
            for is_bid, price in keys:
                qty = lookup(symbol, Side.BUY if is_bid else Side.SELL, price)
                if qty != (book.bids if is_bid else book.asks).levels.get(price, 0):
                    if not changed:
                        changed = True
                        book.update_id += 1
                    book.change(is_bid, price, qty)
            if changed:
                top = _top(book)
                if top[1:] != book.top[1:]:
                    moved.append(book)
                book.top = top
        return moved


def _top(book: SymbolDepth) -> BookTop:
    bid, bid_qty = book.bids.best()
    ask, ask_qty = book.asks.best()
    return BookTop(book.update_id, bid, bid_qty, ask, ask_qty)


# ----------------------------------------------------------------- Binance shapes


def levels_json(levels: Levels, price_precision: int, qty_precision: int) -> list[list[str]]:
    return [[from_units(p, price_precision), from_units(q, qty_precision)] for p, q in levels]


# A removed level, written as Binance writes it: python-binance's DepthCache deletes a
# level only on this exact text (a "0.0000" level would stay in its book at quantity 0).
REMOVED: Final = "0.00000000"


def diff_levels_json(levels: Levels, price_precision: int, qty_precision: int) -> list[list[str]]:
    return [
        [from_units(p, price_precision), from_units(q, qty_precision) if q else REMOVED]
        for p, q in levels
    ]


def depth_update_payload(diff: DepthDiff, event_ms: int, pp: int, qp: int) -> dict[str, Any]:
    return {
        "e": "depthUpdate",
        "E": from_ms(event_ms),
        "s": diff.symbol,
        "U": diff.first_id,
        "u": diff.last_id,
        "b": diff_levels_json(diff.bids, pp, qp),
        "a": diff_levels_json(diff.asks, pp, qp),
    }


def snapshot_payload(
    last_update_id: int, bids: Levels, asks: Levels, pp: int, qp: int
) -> dict[str, Any]:
    """REST `/api/v3/depth` and the partial book streams `@depth<N>` share this shape."""
    return {
        "lastUpdateId": last_update_id,
        "bids": levels_json(bids, pp, qp),
        "asks": levels_json(asks, pp, qp),
    }


def book_ticker_payload(symbol: str, top: BookTop, pp: int, qp: int) -> dict[str, Any]:
    return {
        "u": top.update_id,
        "s": symbol,
        "b": from_units(top.bid_price, pp),
        "B": from_units(top.bid_qty, qp),
        "a": from_units(top.ask_price, pp),
        "A": from_units(top.ask_qty, qp),
    }


def book_ticker_rest(symbol: str, top: BookTop, pp: int, qp: int) -> dict[str, Any]:
    """REST `/api/v3/ticker/bookTicker`."""
    return {
        "symbol": symbol,
        "bidPrice": from_units(top.bid_price, pp),
        "bidQty": from_units(top.bid_qty, qp),
        "askPrice": from_units(top.ask_price, pp),
        "askQty": from_units(top.ask_qty, qp),
    }
