"""The engine's whole state as canonical bytes, and back.

Canonical means equal states give equal bytes, whatever history led to them: every map is
written in key order, and each book side in priority order (best price first, then time).
Derived structures (price heaps, the open-order and client-id indexes) are not written;
restore rebuilds them. `state_hash()` is the SHA-256 of these bytes.
"""

from typing import TYPE_CHECKING

import msgspec

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.assets import Asset
from assetport.domain.markets import Market, MarketStatus
from assetport.domain.orders import (
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.engine.ledger import Balance
from assetport.engine.order import Order

if TYPE_CHECKING:
    from assetport.engine.engine import Engine

STATE_VERSION = 1


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


def record_of(order: Order) -> OrderRecord:
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


def order_from(record: OrderRecord, wallet: tuple[Balance, Balance]) -> Order:
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
        wallet,
    )
    order.visible = record.visible
    order.executed = record.executed
    order.executed_quote = record.executed_quote
    order.status = record.status
    order.updated = record.updated
    return order


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


class EngineState(msgspec.Struct, array_like=True):
    version: int
    last_seq: int
    next_order_id: int
    next_prevented_id: int
    assets: list[Asset]
    markets: list[MarketSnapshot]
    balances: list[tuple[int, str, int, int]]
    account_fees: list[tuple[int, int, int]]
    transfers: list[tuple[str, str, int, str, int]]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(EngineState)


def encode_state(state: EngineState) -> bytes:
    return _encoder.encode(state)


def decode_state(data: bytes) -> EngineState:
    state = _decoder.decode(data)
    if state.version != STATE_VERSION:
        raise ValueError(f"snapshot version {state.version}, this engine reads {STATE_VERSION}")
    return state


def state_of(engine: "Engine") -> EngineState:
    markets = []
    for symbol in sorted(engine.markets):
        m = engine.markets[symbol]
        markets.append(
            MarketSnapshot(
                m.market,
                m.status,
                m.maker_fee_bps,
                m.taker_fee_bps,
                m.last_price,
                m.next_trade_id,
                [record_of(order) for order in m.bids.orders()],
                [record_of(order) for order in m.asks.orders()],
                [record_of(m.stops.orders[order_id]) for order_id in sorted(m.stops.orders)],
                m.default_stp,
                m.allow_stp_none,
            )
        )
    return EngineState(
        STATE_VERSION,
        engine.last_seq,
        engine.next_order_id,
        engine.next_prevented_id,
        [engine.assets[code] for code in sorted(engine.assets)],
        markets,
        [
            (account, asset, record.free, record.held)
            for account, asset, record in engine.ledger.items()
        ],
        [(account, *engine.account_fees[account]) for account in sorted(engine.account_fees)],
        [(ref, *engine.transfers[ref]) for ref in sorted(engine.transfers)],
    )


def restore_into(engine: "Engine", state: EngineState) -> None:
    """Fill a new, empty engine with the state."""
    from assetport.engine.market import MarketState

    engine.last_seq = state.last_seq
    engine.next_order_id = state.next_order_id
    engine.next_prevented_id = state.next_prevented_id
    for asset in state.assets:
        engine.assets[asset.code] = asset
    ledger = engine.ledger
    for account, code, free, held in state.balances:
        record = ledger.balance(account, code)
        record.free = free
        record.held = held
    for account, maker_bps, taker_bps in state.account_fees:
        engine.account_fees[account] = (maker_bps, taker_bps)
    for ref, kind, account, code, amount in state.transfers:
        engine.transfers[ref] = (kind, account, code, amount)
    for snap in state.markets:
        market = snap.market
        m = MarketState(
            market,
            engine.assets[market.base].unit,
            ledger.balance(FEE_ACCOUNT, market.base),
            ledger.balance(FEE_ACCOUNT, market.quote),
        )
        m.status = snap.status
        m.maker_fee_bps = snap.maker_fee_bps
        m.taker_fee_bps = snap.taker_fee_bps
        m.last_price = snap.last_price
        m.next_trade_id = snap.next_trade_id
        if snap.default_stp is not None:
            m.set_stp_policy(snap.default_stp, snap.allow_stp_none)
        restored: list[Order] = []
        for side, records in ((m.bids, snap.bids), (m.asks, snap.asks)):
            for order_record in records:
                order = order_from(order_record, engine._wallet(m, order_record.account))
                side.add(order)
                restored.append(order)
        for order_record in snap.stops:
            order = order_from(order_record, engine._wallet(m, order_record.account))
            m.stops.add(order)
            restored.append(order)
        for order in sorted(restored, key=lambda order: order.order_id):
            engine._register(m, order)
        engine.markets[market.symbol] = m
