"""An order list the engine holds: an OCO, OTO or OTOCO (domain/order_lists.py) while any of
its orders is open or pending.

Its legs are plain `Order`s, each linked back to its list (`Order.order_list`). An OCO pair's
funds are held once (docs/trading-rules.md#order-lists): one leg, the *holder*, holds what the
more expensive of the two needs and the other holds nothing, until one of them trades or
triggers (is *activated*): then the other leg expires in the same step and what it held is
the active leg's. `pair` is that live pair, None once it is broken.
"""

from typing import TYPE_CHECKING

from assetport.domain.commands import PlaceOrder
from assetport.domain.order_lists import ListKind

if TYPE_CHECKING:
    from assetport.engine.spot.order import Order


class OrderList:
    __slots__ = (
        "account",
        "client_order_ids",
        "created",
        "done",
        "kind",
        "legs",
        "list_client_order_id",
        "order_ids",
        "order_list_id",
        "pair",
        "pending",
        "symbol",
    )

    def __init__(
        self,
        order_list_id: int,
        account: int,
        symbol: str,
        kind: ListKind,
        list_client_order_id: str,
        order_ids: tuple[int, ...],
        created: int,
    ) -> None:
        self.order_list_id = order_list_id
        self.account = account
        self.symbol = symbol
        self.kind = kind
        self.list_client_order_id = list_client_order_id
        # Every leg's order id, in the order the client gave the legs.
        self.order_ids = order_ids
        self.created = created
        # The legs placed so far (open or ended), by order id.
        self.legs: list[Order] = []
        # The legs waiting for the working order to fill: (order id, the order to place).
        self.pending: list[tuple[int, PlaceOrder]] = []
        self.pair: tuple[Order, Order] | None = None
        self.done = False
        # Each leg's client order id, in the order of `order_ids` (for the read API).
        self.client_order_ids: tuple[str, ...] = ()

    def sibling(self, order: "Order") -> "Order | None":
        """The other leg of the live OCO pair `order` is in, or None."""
        pair = self.pair
        if pair is None:
            return None
        if pair[0] is order:
            return pair[1]
        if pair[1] is order:
            return pair[0]
        return None
