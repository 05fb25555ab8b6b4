"""The order the engine holds: resting in a book, or waiting for its stop price."""

from typing import TYPE_CHECKING, Any

from assetport.domain.orders import (
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.engine.ledger import Balance

if TYPE_CHECKING:
    from assetport.engine.spot.book import Level
    from assetport.engine.spot.order_list import OrderList


class Order:
    """An order the engine holds: resting in a book, or waiting for its stop price.

    Amounts are integer units: `price` and `stop_price` in quote units per whole base unit,
    quantities in base units, `quote_quantity` and `executed_quote` in quote units. `held` is
    what the ledger holds for this order right now (quote for a buy, base for a sell);
    `visible` is the part shown in the book (the current slice of an iceberg order).

    A buy placed on a QUOTE-fee market (`fee_in_quote`) pays its fee in quote at the
    `maker_bps`/`taker_bps` in force when it was placed, and holds it apart from the price:
    `fee_held` more quote units. `fee_basis` is the sum of value x rate over its trades so
    far: its fees are charged as that sum grows, rounded up once in all rather than once per
    trade, so they never exceed what it holds (engine/spot/quote_fees.py).

    A plain class rather than a message: it changes as the order trades, and the engine
    reads and writes its fields on every match.
    """

    __slots__ = (
        "account",
        "client_order_id",
        "created",
        "executed",
        "executed_quote",
        "fee_basis",
        "fee_held",
        "fee_in_quote",
        "held",
        "iceberg_qty",
        "key",
        "level",
        "maker_bps",
        "next",
        "order_id",
        "order_list",
        "owner",
        "prev",
        "price",
        "quantity",
        "quote_quantity",
        "side",
        "status",
        "stop_price",
        "stp_mode",
        "symbol",
        "taker_bps",
        "time_in_force",
        "type",
        "updated",
        "visible",
        "wallet",
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
        wallet: tuple[Balance, Balance],
    ) -> None:
        self.order_id = order_id
        self.account = account
        # The same two numbers as Python ints made once (Any: compiled code would box a
        # native int anew each time one goes into an event or a dict key).
        self.key: Any = order_id
        self.owner: Any = account
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
        # The account's (base, quote) balances in this market: settlement needs no lookup.
        self.wallet = wallet
        self.fee_in_quote = False
        self.fee_held = 0
        self.maker_bps = 0
        self.taker_bps = 0
        self.fee_basis = 0
        # Links in its price level's queue while it rests in a book (see engine/book.py).
        self.level: Level | None = None
        self.prev: Order | None = None
        self.next: Order | None = None
        # The order list it is a leg of (engine/spot/order_list.py), or None: most orders.
        self.order_list: OrderList | None = None

    @property
    def remaining(self) -> int:
        return self.quantity - self.executed
