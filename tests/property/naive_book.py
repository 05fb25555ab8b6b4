"""A naive, obviously correct order book for one market, to judge the engine's against.

Written from the rules, not from the engine: price-time priority, trades at the resting
order's price, LIMIT GTC rests what it cannot trade, IOC drops it, FOK trades all or
nothing, MARKET trades whatever is there. No funds, no fees, no self-trade prevention, no
icebergs: the tests only send it orders for which those make no difference.

Each side is a dict from price to a plain list of orders in arrival order; the best price
is found by looking at every price. Slow and simple on purpose.
"""

from dataclasses import dataclass


@dataclass
class RestingOrder:
    order_id: int
    account: int
    is_buy: bool
    price: int
    remaining: int


@dataclass(frozen=True)
class Fill:
    maker_order_id: int
    price: int
    quantity: int


class NaiveBook:
    def __init__(self) -> None:
        self.bids: dict[int, list[RestingOrder]] = {}
        self.asks: dict[int, list[RestingOrder]] = {}

    def place(
        self,
        order_id: int,
        account: int,
        is_buy: bool,
        quantity: int,
        price: int | None,
        time_in_force: str = "GTC",
    ) -> list[Fill]:
        """A LIMIT order (`price` set, GTC, IOC or FOK) or a MARKET order (`price` None)."""
        if time_in_force == "FOK" and self._available(is_buy, price) < quantity:
            return []
        fills = []
        left = quantity
        opposite = self.asks if is_buy else self.bids
        while left:
            best = self._best_price(opposite, is_buy)
            if best is None or (price is not None and not _reaches(is_buy, price, best)):
                break
            queue = opposite[best]
            maker = queue[0]
            traded = min(left, maker.remaining)
            fills.append(Fill(maker.order_id, best, traded))
            left -= traded
            maker.remaining -= traded
            if not maker.remaining:
                queue.pop(0)
                if not queue:
                    del opposite[best]
        if left and price is not None and time_in_force == "GTC":
            own = self.bids if is_buy else self.asks
            own.setdefault(price, []).append(RestingOrder(order_id, account, is_buy, price, left))
        return fills

    def cancel(self, order_id: int, account: int) -> bool:
        """Remove the account's order; False when it has no such open order."""
        for side in (self.bids, self.asks):
            for price, queue in side.items():
                for order in queue:
                    if order.order_id == order_id and order.account == account:
                        queue.remove(order)
                        if not queue:
                            del side[price]
                        return True
        return False

    def cancel_all(self, account: int) -> list[int]:
        """Remove every order of the account; their ids, lowest first."""
        ids = sorted(
            o.order_id for o in self.bid_orders() + self.ask_orders() if o.account == account
        )
        for order_id in ids:
            self.cancel(order_id, account)
        return ids

    def bid_orders(self) -> list[RestingOrder]:
        """Best (highest) price first, arrival order within a price."""
        return [o for price in sorted(self.bids, reverse=True) for o in self.bids[price]]

    def ask_orders(self) -> list[RestingOrder]:
        """Best (lowest) price first, arrival order within a price."""
        return [o for price in sorted(self.asks) for o in self.asks[price]]

    def _available(self, is_buy: bool, price: int | None) -> int:
        opposite = self.asks if is_buy else self.bids
        return sum(
            order.remaining
            for level, queue in opposite.items()
            if price is None or _reaches(is_buy, price, level)
            for order in queue
        )

    @staticmethod
    def _best_price(side: dict[int, list[RestingOrder]], is_buy_taker: bool) -> int | None:
        if not side:
            return None
        return min(side) if is_buy_taker else max(side)


def _reaches(is_buy: bool, limit: int, level: int) -> bool:
    """Whether a taker with this limit may trade at a resting price of `level`."""
    return level <= limit if is_buy else level >= limit
