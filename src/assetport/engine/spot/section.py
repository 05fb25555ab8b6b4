"""The spot product's section of the snapshot: the markets with their books in priority
order and their stop orders, the per-account fee overrides and the id counters.

Canonical: equal states give equal values, whatever history led to them (markets by
symbol, books best price first then time, stops and overrides by id). Derived structures
(price heaps, the open-order and client-id indexes, the balance records each market keeps at
hand) are not written; restore rebuilds them.
"""

import msgspec

from assetport.domain.commands import PlaceOrder
from assetport.domain.markets import Market, MarketStatus
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import (
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.engine.ledger import Balance
from assetport.engine.spot.admin import new_market_state
from assetport.engine.spot.lifecycle import register, wallet
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
from assetport.engine.spot.quote_fees import take_fee_in_quote
from assetport.engine.spot.state import SpotState


class OrderRecord(msgspec.Struct, array_like=True, frozen=True):
    order_id: int
    account: int
    symbol: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce
    price: int
    quantity: int
    quote_quantity: int
    stop_price: int
    iceberg_qty: int
    client_order_id: str
    stp_mode: SelfTradePrevention
    created: int
    held: int
    visible: int
    executed: int
    executed_quote: int
    status: OrderStatus
    working: bool
    updated: int


class MarketSnapshot(msgspec.Struct, array_like=True):
    """A market's state. The self-trade prevention policy came later: a snapshot written
    before it has none (None), and the market's listing then says what it is."""

    market: Market
    status: MarketStatus
    maker_fee_bps: int
    taker_fee_bps: int
    last_price: int
    next_trade_id: int
    bids: list[OrderRecord]
    asks: list[OrderRecord]
    stops: list[OrderRecord]
    default_stp: SelfTradePrevention | None = None
    allow_stp_none: bool = False


class QuoteFees(msgspec.Struct, array_like=True):
    """Fees in quote (FeeAsset.QUOTE), which came after the version 1 frame: the markets
    whose new buys pay them, and each open buy that does (its order id, fee held, maker
    and taker rates, fee basis: engine/spot/quote_fees.py), by order id. The frame keeps it
    apart from the markets and orders (engine/snapshot.py) and leaves it out while empty."""

    markets: list[str]
    orders: list[tuple[int, int, int, int, int]]


class OrderListRecord(msgspec.Struct, array_like=True, frozen=True):
    """An open order list: its open legs by order id (their orders are in the markets'
    books and stops), its pending legs, and its live OCO pair, if any."""

    order_list_id: int
    account: int
    symbol: str
    kind: ListKind
    list_client_order_id: str
    order_ids: tuple[int, ...]
    created: int
    legs: tuple[int, ...]
    pending: tuple[tuple[int, PlaceOrder], ...]
    pair: tuple[int, int] | None
    client_order_ids: tuple[str, ...] = ()


class OrderLists(msgspec.Struct, array_like=True):
    """Order lists, which came after the version 1 frame: the next list id and the open
    lists by id; left out of the frame until the first list is placed."""

    next_order_list_id: int
    lists: list[OrderListRecord]


class SpotSection(msgspec.Struct, array_like=True):
    next_order_id: int
    next_prevented_id: int
    markets: list[MarketSnapshot]
    account_fees: list[tuple[int, int, int]]  # (account, maker bps, taker bps)
    quote_fees: QuoteFees | None = None
    order_lists: OrderLists | None = None


def section_of(s: SpotState) -> SpotSection:
    markets = []
    for symbol in sorted(s.markets):
        m = s.markets[symbol]
        markets.append(
            MarketSnapshot(
                m.market,
                m.status,
                m.maker_fee_bps,
                m.taker_fee_bps,
                m.last_price,
                m.next_trade_id,
                [_record_of(order) for order in m.bids.orders()],
                [_record_of(order) for order in m.asks.orders()],
                [_record_of(m.stops.orders[order_id]) for order_id in sorted(m.stops.orders)],
                m.default_stp,
                m.allow_stp_none,
            )
        )
    return SpotSection(
        s.next_order_id,
        s.next_prevented_id,
        markets,
        [(account, *s.account_fees[account]) for account in sorted(s.account_fees)],
        _quote_fees_of(s),
        _order_lists_of(s),
    )


def _order_lists_of(s: SpotState) -> OrderLists | None:
    if s.next_order_list_id == 1:
        return None
    records = []
    for list_id in sorted(s.order_lists):
        order_list = s.order_lists[list_id]
        pair = order_list.pair
        records.append(
            OrderListRecord(
                list_id,
                order_list.account,
                order_list.symbol,
                order_list.kind,
                order_list.list_client_order_id,
                order_list.order_ids,
                order_list.created,
                tuple(
                    sorted(
                        leg.order_id
                        for leg in order_list.legs
                        if leg.status is OrderStatus.NEW
                        or leg.status is OrderStatus.PARTIALLY_FILLED
                    )
                ),
                tuple(order_list.pending),
                None if pair is None else (pair[0].order_id, pair[1].order_id),
                order_list.client_order_ids,
            )
        )
    return OrderLists(s.next_order_list_id, records)


def _restore_order_lists(s: SpotState, section: OrderLists) -> None:
    s.next_order_list_id = section.next_order_list_id
    by_id = {
        order.order_id: order
        for m in s.markets.values()
        for mine in m.open_orders.values()
        for order in mine.values()
    }
    for record in section.lists:
        order_list = OrderList(
            record.order_list_id,
            record.account,
            record.symbol,
            record.kind,
            record.list_client_order_id,
            record.order_ids,
            record.created,
        )
        for order_id in record.legs:
            leg = by_id[order_id]
            leg.order_list = order_list
            order_list.legs.append(leg)
        order_list.pending = list(record.pending)
        order_list.client_order_ids = record.client_order_ids
        if record.pair is not None:
            order_list.pair = (by_id[record.pair[0]], by_id[record.pair[1]])
        s.order_lists[record.order_list_id] = order_list
        if record.list_client_order_id:
            s.list_client_ids[(record.account, record.list_client_order_id)] = record.order_list_id


def _quote_fees_of(s: SpotState) -> QuoteFees | None:
    symbols = [symbol for symbol in sorted(s.markets) if s.markets[symbol].fee_in_quote]
    orders = sorted(
        (order.order_id, order.fee_held, order.maker_bps, order.taker_bps, order.fee_basis)
        for m in s.markets.values()
        for mine in m.open_orders.values()
        for order in mine.values()
        if order.fee_in_quote
    )
    if not symbols and not orders:
        return None
    return QuoteFees(symbols, orders)


def restore(s: SpotState, section: SpotSection) -> None:
    """Fill a new, empty spot state (the ledger and the assets are restored already)."""
    s.next_order_id = section.next_order_id
    s.next_prevented_id = section.next_prevented_id
    for account, maker_bps, taker_bps in section.account_fees:
        s.account_fees[account] = (maker_bps, taker_bps)
    for snap in section.markets:
        m = new_market_state(s, snap.market)
        m.status = snap.status
        m.maker_fee_bps = snap.maker_fee_bps
        m.taker_fee_bps = snap.taker_fee_bps
        m.last_price = snap.last_price
        m.next_trade_id = snap.next_trade_id
        if snap.default_stp is not None:
            m.set_stp_policy(snap.default_stp, snap.allow_stp_none)
        restored: list[Order] = []
        for side, records in ((m.bids, snap.bids), (m.asks, snap.asks)):
            for record in records:
                order = _order_from(record, wallet(s, m, record.account))
                side.add(order)
                restored.append(order)
        for record in snap.stops:
            order = _order_from(record, wallet(s, m, record.account))
            m.stops.add(order)
            restored.append(order)
        for order in sorted(restored, key=lambda order: order.order_id):
            register(s, m, order)
        s.markets[m.symbol] = m
    if section.quote_fees is not None:
        _restore_quote_fees(s, section.quote_fees)
    if section.order_lists is not None:
        _restore_order_lists(s, section.order_lists)


def _restore_quote_fees(s: SpotState, quote_fees: QuoteFees) -> None:
    for symbol in quote_fees.markets:
        s.markets[symbol].fee_in_quote = True
    by_id = {
        order.order_id: order
        for m in s.markets.values()
        for mine in m.open_orders.values()
        for order in mine.values()
    }
    for order_id, fee_held, maker_bps, taker_bps, fee_basis in quote_fees.orders:
        order = by_id[order_id]
        take_fee_in_quote(order, maker_bps, taker_bps, fee_held)
        order.fee_basis = fee_basis


def _record_of(order: Order) -> OrderRecord:
    return OrderRecord(
        order.order_id,
        order.account,
        order.symbol,
        order.side,
        order.type,
        order.time_in_force,
        order.price,
        order.quantity,
        order.quote_quantity,
        order.stop_price,
        order.iceberg_qty,
        order.client_order_id,
        order.stp_mode,
        order.created,
        order.held,
        order.visible,
        order.executed,
        order.executed_quote,
        order.status,
        order.working,
        order.updated,
    )


def _order_from(record: OrderRecord, records: tuple[Balance, Balance]) -> Order:
    order = Order(
        record.order_id,
        record.account,
        record.symbol,
        record.side,
        record.type,
        record.time_in_force,
        record.price,
        record.quantity,
        record.quote_quantity,
        record.stop_price,
        record.iceberg_qty,
        record.client_order_id,
        record.stp_mode,
        record.created,
        record.held,
        record.working,
        records,
    )
    order.visible = record.visible
    order.executed = record.executed
    order.executed_quote = record.executed_quote
    order.status = record.status
    order.updated = record.updated
    return order
