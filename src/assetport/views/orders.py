"""What the gateway knows of each order: its latest state, kept from the event stream.
The one order view: REST, the WebSocket API and the user data streams answer from its
`OrderRecord`, and the SQL history's orders are read into the same record
(`store/history.py`), so one renderer (`api/render.py`) writes every order.

The engine holds only open orders; clients also ask about orders that just filled or were
canceled, and user streams need each order's running totals at every event. This view is
fed with every applied batch, in log order, before any reply of that batch is sent, so a
client that placed an order can query it at once. Closed orders are kept up to a bound (the
SQL read model keeps the full history).
"""

from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from assetport.domain.commands import PlaceOrder
from assetport.domain.events import (
    Event,
    MarketListed,
    MatchPrevented,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderListPlaced,
    OrderListStatus,
    OrderTriggered,
    TradeExecuted,
)
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.views.order_lists import OrderListRecords
from assetport.views.seed import OpenOrder, OpenOrderList

DEFAULT_CLOSED_KEPT = 200_000
# Prevented matches kept per account for GET /api/v3/myPreventedMatches (newest kept).
DEFAULT_PREVENTED_KEPT = 10_000


@dataclass
class Fill:
    trade_id: int
    price: int
    quantity: int
    quote_quantity: int
    commission: int
    commission_asset: str
    is_maker: bool
    time: int


@dataclass
class OrderRecord:
    """An order's latest state. Times in microseconds; amounts in integer units."""

    order_id: int
    account: int
    symbol: str
    client_order_id: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce
    price: int
    quantity: int
    quote_quantity: int
    stop_price: int
    iceberg_qty: int
    stp_mode: SelfTradePrevention
    created: int
    working: bool
    status: OrderStatus = OrderStatus.NEW
    executed: int = 0
    executed_quote: int = 0
    updated: int = 0
    working_time: int = 0
    prevented_match_id: int = 0
    # What self-trade prevention expired of it (Binance's `preventedQuantity`).
    prevented_quantity: int = 0
    fills: list[Fill] = field(default_factory=list)
    # The order list it is a leg of (views/order_lists.py), or -1 as Binance says.
    order_list_id: int = -1

    @property
    def is_open(self) -> bool:
        return self.status is OrderStatus.NEW or self.status is OrderStatus.PARTIALLY_FILLED


@dataclass
class OrderChange:
    """One change of one order, for a user stream's executionReport."""

    record: OrderRecord
    execution_type: str  # NEW CANCELED REPLACED REJECTED TRADE EXPIRED TRADE_PREVENTION
    time: int
    fill: Fill | None = None
    prevented_match_id: int = 0
    # An amend's: the client order id the order had before it (executionReport `C`).
    orig_client_order_id: str = ""


class OrderRecords:
    def __init__(
        self,
        closed_kept: int = DEFAULT_CLOSED_KEPT,
        prevented_kept: int = DEFAULT_PREVENTED_KEPT,
    ) -> None:
        # symbol -> (base, quote): the commission asset of a fill is the asset received.
        self.pairs: dict[str, tuple[str, str]] = {}
        self.closed_kept = closed_kept
        self._open: dict[int, OrderRecord] = {}
        self._closed: OrderedDict[int, OrderRecord] = OrderedDict()
        self._by_client_id: dict[tuple[int, str], int] = {}
        self.prevented_kept = prevented_kept
        self._prevented_by_account: dict[int, deque[MatchPrevented]] = {}
        # The order lists, and the list of each leg not accepted yet (by order id).
        self.lists = OrderListRecords()
        self._list_of: dict[int, int] = {}
        self._deferred: list[OrderChange] = []

    def get(self, order_id: int) -> OrderRecord | None:
        found = self._open.get(order_id)
        return found if found is not None else self._closed.get(order_id)

    def by_client_id(self, account: int, client_order_id: str) -> OrderRecord | None:
        order_id = self._by_client_id.get((account, client_order_id))
        return None if order_id is None else self.get(order_id)

    def open_orders(self, account: int, symbol: str | None = None) -> list[OrderRecord]:
        return sorted(
            (
                record
                for record in self._open.values()
                if record.account == account and (symbol is None or record.symbol == symbol)
            ),
            key=lambda record: record.order_id,
        )

    def prevented_matches(self, account: int, symbol: str) -> list[MatchPrevented]:
        """The account's prevented matches in the market still in memory, oldest first."""
        kept = self._prevented_by_account.get(account)
        return [] if kept is None else [event for event in kept if event.symbol == symbol]

    def apply(self, events: Iterable[Event]) -> list[OrderChange]:
        """Take one command's events; answer the order changes they make, in order."""
        changes: list[OrderChange] = []
        for event in events:
            if isinstance(event, TradeExecuted):
                self._trade(event, changes)
            elif isinstance(event, OrderAccepted):
                self._accepted(event, changes)
            elif isinstance(event, OrderCanceled):
                self._end(event.order_id, OrderStatus.CANCELED, "CANCELED", event.time, changes)
            elif isinstance(event, OrderExpired):
                status = OrderStatus.EXPIRED_IN_MATCH if event.in_match else OrderStatus.EXPIRED
                self._end(event.order_id, status, "EXPIRED", event.time, changes)
            elif isinstance(event, OrderFilled):
                self._filled(event)
            elif isinstance(event, OrderAmended):
                self._amended(event, changes)
            elif isinstance(event, OrderTriggered):
                self._triggered(event)
            elif isinstance(event, MatchPrevented):
                self._prevented(event, changes)
            elif isinstance(event, MarketListed):
                self.pairs[event.market.symbol] = (event.market.base, event.market.quote)
            elif isinstance(event, OrderListPlaced):
                self._list_placed(event, changes)
            elif isinstance(event, OrderListStatus):
                self.lists.status(event)
        return changes

    def restore(self, orders: Iterable[OpenOrder], lists: Iterable[OpenOrderList] = ()) -> None:
        """Records for the open orders and order lists of an engine recovered at start
        (their fills before the restart are in the SQL history, not here)."""
        lists = list(lists)
        self.lists.restore(lists)
        list_of = {order_id: ol.order_list_id for ol in lists for order_id in ol.order_ids}
        for open_list in lists:
            for order_id, leg in open_list.pending:
                self._pending(order_id, open_list.order_list_id, leg, open_list.created)
        for order in orders:
            record = OrderRecord(
                order_id=order.order_id,
                account=order.account,
                symbol=order.symbol,
                client_order_id=order.client_order_id,
                side=order.side,
                type=order.type,
                time_in_force=order.time_in_force,
                price=order.price,
                quantity=order.quantity,
                quote_quantity=order.quote_quantity,
                stop_price=order.stop_price,
                iceberg_qty=order.iceberg_qty,
                stp_mode=order.stp_mode,
                created=order.created,
                working=order.working,
                status=order.status,
                executed=order.executed,
                executed_quote=order.executed_quote,
                updated=order.updated,
                working_time=order.created if order.working else 0,
                order_list_id=list_of.get(order.order_id, -1),
            )
            self._open[record.order_id] = record
            if record.client_order_id:
                self._by_client_id[(record.account, record.client_order_id)] = record.order_id

    def _accepted(self, event: OrderAccepted, changes: list[OrderChange]) -> None:
        order = event.order
        record = OrderRecord(
            order_id=event.order_id,
            account=event.account,
            symbol=event.symbol,
            client_order_id=order.client_order_id,
            side=event.side,
            type=order.type,
            time_in_force=event.time_in_force,
            price=order.price,
            quantity=order.quantity,
            quote_quantity=order.quote_quantity,
            stop_price=order.stop_price,
            iceberg_qty=order.iceberg_qty,
            stp_mode=event.stp_mode,
            created=event.time,
            working=event.working,
            updated=event.time,
            working_time=event.time if event.working else 0,
        )
        self._open[record.order_id] = record
        if record.client_order_id:
            self._by_client_id[(record.account, record.client_order_id)] = record.order_id
        changes.append(OrderChange(record, "NEW", event.time))
        if self._list_of:
            record.order_list_id = self._list_of.pop(record.order_id, -1)
            if self._deferred:
                changes.extend(self._deferred)
                self._deferred.clear()

    def _list_placed(self, event: OrderListPlaced, changes: list[OrderChange]) -> None:
        """A new list: each leg learns its list when accepted; the legs waiting for the
        working order are shown PENDING_NEW until then (reported NEW/PENDING_NEW)."""
        self.lists.placed(event)
        legs = event.command.orders
        for index, order_id in enumerate(event.order_ids):
            if event.kind is not ListKind.OCO and index:
                record = self._pending(order_id, event.order_list_id, legs[index], event.time)
                # Reported after the working order's NEW, which comes next.
                self._deferred.append(OrderChange(record, "NEW", event.time))
            else:
                self._list_of[order_id] = event.order_list_id

    def _pending(
        self, order_id: int, order_list_id: int, leg: PlaceOrder, time: int
    ) -> OrderRecord:
        record = OrderRecord(
            order_id=order_id,
            account=leg.account,
            symbol=leg.symbol,
            client_order_id=leg.client_order_id,
            side=leg.side,
            type=leg.type,
            time_in_force=leg.time_in_force or TimeInForce.GTC,
            price=leg.price,
            quantity=leg.quantity,
            quote_quantity=leg.quote_quantity,
            stop_price=leg.stop_price,
            iceberg_qty=leg.iceberg_qty,
            stp_mode=leg.stp_mode or SelfTradePrevention.NONE,
            created=time,
            working=False,
            status=OrderStatus.PENDING_NEW,
            updated=time,
            order_list_id=order_list_id,
        )
        self._open[order_id] = record
        self._list_of[order_id] = order_list_id
        if record.client_order_id:
            self._by_client_id[(record.account, record.client_order_id)] = order_id
        return record

    def _trade(self, event: TradeExecuted, changes: list[OrderChange]) -> None:
        base, quote = self.pairs[event.symbol]
        for order_id, is_buyer in (
            (event.buyer_order_id, True),
            (event.seller_order_id, False),
        ):
            record = self._open.get(order_id)
            if record is None:
                continue
            record.executed += event.quantity
            record.executed_quote += event.quote_quantity
            record.updated = event.time
            done = record.quantity and record.executed >= record.quantity
            record.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
            fill = Fill(
                trade_id=event.trade_id,
                price=event.price,
                quantity=event.quantity,
                quote_quantity=event.quote_quantity,
                commission=event.buyer_fee if is_buyer else event.seller_fee,
                commission_asset=base if is_buyer and not event.buyer_fee_in_quote else quote,
                is_maker=event.buyer_is_maker == is_buyer,
                time=event.time,
            )
            record.fills.append(fill)
            changes.append(OrderChange(record, "TRADE", event.time, fill))

    def _filled(self, event: OrderFilled) -> None:
        record = self._open.get(event.order_id)
        if record is not None:
            record.status = OrderStatus.FILLED
            self._close(record)

    def _end(
        self,
        order_id: int,
        status: OrderStatus,
        execution_type: str,
        time: int,
        changes: list[OrderChange],
    ) -> None:
        record = self._open.get(order_id)
        if record is None:
            return
        if self._list_of:
            self._list_of.pop(order_id, None)  # a pending leg that never went on the book
        record.status = status
        record.updated = time
        self._close(record)
        changes.append(OrderChange(record, execution_type, time))

    def _amended(self, event: OrderAmended, changes: list[OrderChange]) -> None:
        record = self._open.get(event.order_id)
        if record is None:
            return
        record.quantity = event.new_quantity
        record.updated = event.time
        orig = record.client_order_id
        new = event.client_order_id
        if new and new != orig:
            # Found by its new client order id from now on, and no longer by the old one.
            key = (record.account, orig)
            if self._by_client_id.get(key) == record.order_id:
                del self._by_client_id[key]
            record.client_order_id = new
            self._by_client_id[(record.account, new)] = record.order_id
            if record.order_list_id != -1:
                self.lists.renamed(record.order_list_id, record.order_id, new, event.time)
        changes.append(OrderChange(record, "REPLACED", event.time, orig_client_order_id=orig))

    def _triggered(self, event: OrderTriggered) -> None:
        record = self._open.get(event.order_id)
        if record is not None:
            record.working = True
            record.working_time = event.time
            record.updated = event.time

    def _prevented(self, event: MatchPrevented, changes: list[OrderChange]) -> None:
        kept = self._prevented_by_account.get(event.account)
        if kept is None:
            kept = self._prevented_by_account[event.account] = deque(maxlen=self.prevented_kept)
        kept.append(event)
        for order_id, prevented in (
            (event.taker_order_id, event.taker_prevented_qty),
            (event.maker_order_id, event.maker_prevented_qty),
        ):
            record = self._open.get(order_id)
            if record is not None:
                record.prevented_match_id = event.prevented_match_id
                record.prevented_quantity += prevented
                changes.append(
                    OrderChange(
                        record,
                        "TRADE_PREVENTION",
                        event.time,
                        prevented_match_id=event.prevented_match_id,
                    )
                )

    def _close(self, record: OrderRecord) -> None:
        del self._open[record.order_id]
        self._closed[record.order_id] = record
        while len(self._closed) > self.closed_kept:
            _, evicted = self._closed.popitem(last=False)
            key = (evicted.account, evicted.client_order_id)
            if self._by_client_id.get(key) == evicted.order_id:
                del self._by_client_id[key]
