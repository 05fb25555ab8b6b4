"""The engine's whole state as canonical bytes, and back.

Canonical means equal states give equal bytes, whatever history led to them: every map is
written in key order, and each book side in priority order (best price first, then time).
Derived structures (price heaps, the open-order and client-id indexes) are not written;
restore rebuilds them. `state_hash()` is the SHA-256 of these bytes.
"""

from typing import TYPE_CHECKING

import msgspec

from assetport.domain.assets import Asset
from assetport.domain.markets import Market, MarketStatus
from assetport.domain.orders import Order

if TYPE_CHECKING:
    from assetport.engine.engine import Engine

STATE_VERSION = 1


class MarketSnapshot(msgspec.Struct, array_like=True):
    market: Market
    status: MarketStatus
    maker_fee_bps: int
    taker_fee_bps: int
    last_price: int
    next_trade_id: int
    bids: list[Order]
    asks: list[Order]
    stops: list[Order]


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
                m.bids.orders(),
                m.asks.orders(),
                sorted(m.stops.orders.values(), key=lambda order: order.order_id),
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
            ledger.balance(1, market.base),
            ledger.balance(1, market.quote),
        )
        m.status = snap.status
        m.maker_fee_bps = snap.maker_fee_bps
        m.taker_fee_bps = snap.taker_fee_bps
        m.last_price = snap.last_price
        m.next_trade_id = snap.next_trade_id
        for order in snap.bids:
            m.bids.add(order)
        for order in snap.asks:
            m.asks.add(order)
        for order in snap.stops:
            m.stops.add(order)
        for order in sorted([*snap.bids, *snap.asks, *snap.stops], key=lambda o: o.order_id):
            engine._register(m, order)
        engine.markets[market.symbol] = m
