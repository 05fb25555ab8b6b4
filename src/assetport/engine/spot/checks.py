"""Checks of a new order against its market's rules, before any money moves.

Each check answers the first rule the order breaks, as a `RejectReason`, or None. The plain
LIMIT order comes first in each: it is most of what an exchange receives.
"""

from typing import Final

from assetport.domain.orders import OrderType, SelfTradePrevention, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.spot.market import MarketState

MAX_CLIENT_ORDER_ID: Final = 36

LIMIT: Final = OrderType.LIMIT
MARKET: Final = OrderType.MARKET
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
STOP_LOSS: Final = OrderType.STOP_LOSS
TAKE_PROFIT: Final = OrderType.TAKE_PROFIT
GTC: Final = TimeInForce.GTC
STP_NONE: Final = SelfTradePrevention.NONE
INVALID_ORDER: Final = RejectReason.INVALID_ORDER


def check_order(
    m: MarketState,
    order_type: OrderType,
    quantity: int,
    price: int,
    time_in_force: TimeInForce | None,
    quote_quantity: int,
    stop_price: int,
    iceberg_qty: int,
    client_order_id: str,
    stp_mode: SelfTradePrevention | None,
) -> RejectReason | None:
    """The first rule a new order breaks: its shape, then the market's filters, then its
    self-trade prevention mode (NONE only where the market allows it; None, the market's
    default, is always allowed).

    The engine passes the command's fields one by one: it has read them already, and
    reading a message's field costs more than passing it on.
    """
    if len(client_order_id) > MAX_CLIENT_ORDER_ID or iceberg_qty < 0:
        return INVALID_ORDER
    reason = _check_shape(
        order_type, quantity, price, time_in_force, quote_quantity, stop_price, iceberg_qty
    )
    if reason is None:
        reason = _check_filters(
            m, order_type, quantity, price, time_in_force, quote_quantity, stop_price, iceberg_qty
        )
    if reason is None and stp_mode is STP_NONE and not m.stp_none_allowed:
        reason = RejectReason.STP_MODE_NOT_ALLOWED
    return reason


def _check_shape(
    order_type: OrderType,
    quantity: int,
    price: int,
    time_in_force: TimeInForce | None,
    quote_quantity: int,
    stop_price: int,
    iceberg_qty: int,
) -> RejectReason | None:
    """Which fields the order type needs and which it must not have."""
    if order_type is LIMIT:
        if quantity <= 0 or price <= 0 or quote_quantity or stop_price:
            return INVALID_ORDER
        return None
    if order_type is MARKET:
        if (quantity > 0) == (quote_quantity > 0) or quantity < 0:
            return INVALID_ORDER
        if price or stop_price or iceberg_qty or time_in_force is not None:
            return INVALID_ORDER
        return None
    if quantity <= 0 or quote_quantity or price < 0 or stop_price < 0:
        return INVALID_ORDER
    if order_type is LIMIT_MAKER:
        if not price or stop_price or time_in_force not in (None, GTC):
            return INVALID_ORDER
        return None
    if not stop_price:
        return INVALID_ORDER
    if order_type is STOP_LOSS or order_type is TAKE_PROFIT:
        if price or iceberg_qty or time_in_force is not None:
            return INVALID_ORDER
        return None
    if not price:  # STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT
        return INVALID_ORDER
    return None


def _check_filters(
    m: MarketState,
    order_type: OrderType,
    quantity: int,
    price: int,
    time_in_force: TimeInForce | None,
    quote_quantity: int,
    stop_price: int,
    iceberg_qty: int,
) -> RejectReason | None:
    """PRICE_FILTER, LOT_SIZE, NOTIONAL and the iceberg rules, for a well-shaped order.

    The market's upper bounds are never above what the ledger records (`MarketState`), so
    an order that passes has a price, a quantity and a value its events and the snapshots
    can hold, and what it may receive stays within 64 bits (`domain.units.MAX_AMOUNT`).
    """
    if price and (price % m.tick_size or price < m.min_price or price > m.max_price):
        return RejectReason.PRICE_FILTER
    if stop_price and (
        stop_price % m.tick_size or stop_price < m.min_price or stop_price > m.max_price
    ):
        return RejectReason.PRICE_FILTER
    if quantity and (quantity % m.step_size or quantity < m.min_qty or quantity > m.max_qty):
        return RejectReason.LOT_SIZE
    if iceberg_qty:
        reason = _check_iceberg(m, quantity, price, time_in_force, iceberg_qty)
        if reason is not None:
            return reason
    reference_price = price or stop_price
    if reference_price:
        value = reference_price * quantity // m.base_unit
    elif quote_quantity:
        if not m.market.quote_order_qty_allowed:
            return RejectReason.QUOTE_ORDER_QTY_NOT_ALLOWED
        value = quote_quantity
    else:
        # A MARKET order by quantity: judged at the last trade price, when there is one.
        value = m.last_price * quantity // m.base_unit
    if value and (value < m.min_notional or value > m.max_notional):
        return RejectReason.NOTIONAL
    return None


def _check_iceberg(
    m: MarketState, quantity: int, price: int, time_in_force: TimeInForce | None, iceberg: int
) -> RejectReason | None:
    if not m.market.iceberg_allowed:
        return RejectReason.ICEBERG_NOT_ALLOWED
    if not price or time_in_force not in (None, GTC):
        return INVALID_ORDER
    if iceberg % m.step_size or iceberg < m.min_qty or iceberg >= quantity:
        return RejectReason.LOT_SIZE
    if -(-quantity // iceberg) > m.market.max_iceberg_parts:
        return RejectReason.ICEBERG_PARTS
    return None
