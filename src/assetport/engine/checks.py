"""Checks of a new order against its market's rules, before any money moves.

Each check answers the first rule the order breaks, as a `RejectReason`, or None.
"""

from assetport.domain.commands import PlaceOrder
from assetport.domain.markets import Market, notional
from assetport.domain.orders import LIMIT_TYPES, STOP_TYPES, OrderType, TimeInForce
from assetport.domain.results import RejectReason

MAX_CLIENT_ORDER_ID = 36


def check_shape(cmd: PlaceOrder, tif: TimeInForce) -> RejectReason | None:
    """Which fields the order type needs and which it must not have."""
    order_type = cmd.type
    if order_type is OrderType.MARKET:
        if (cmd.quantity > 0) == (cmd.quote_quantity > 0):
            return RejectReason.INVALID_ORDER
        if cmd.price or cmd.stop_price or cmd.iceberg_qty or cmd.time_in_force is not None:
            return RejectReason.INVALID_ORDER
    else:
        if cmd.quantity <= 0 or cmd.quote_quantity:
            return RejectReason.INVALID_ORDER
        needs_price = order_type in LIMIT_TYPES
        if needs_price != (cmd.price > 0) or cmd.price < 0:
            return RejectReason.INVALID_ORDER
        if (order_type in STOP_TYPES) != (cmd.stop_price > 0) or cmd.stop_price < 0:
            return RejectReason.INVALID_ORDER
        if not needs_price and cmd.time_in_force is not None:
            return RejectReason.INVALID_ORDER
        if order_type is OrderType.LIMIT_MAKER and tif is not TimeInForce.GTC:
            return RejectReason.INVALID_ORDER
    if cmd.iceberg_qty < 0 or len(cmd.client_order_id) > MAX_CLIENT_ORDER_ID:
        return RejectReason.INVALID_ORDER
    return None


def check_filters(market: Market, base_unit: int, cmd: PlaceOrder) -> RejectReason | None:
    """PRICE_FILTER, LOT_SIZE, NOTIONAL and the iceberg rules."""
    for price in (cmd.price, cmd.stop_price):
        if price and (
            price % market.tick_size
            or price < market.min_price
            or (market.max_price and price > market.max_price)
        ):
            return RejectReason.PRICE_FILTER
    quantity = cmd.quantity
    if quantity and (
        quantity % market.step_size or quantity < market.min_qty or quantity > market.max_qty
    ):
        return RejectReason.LOT_SIZE
    if cmd.iceberg_qty:
        reason = _check_iceberg(market, cmd)
        if reason is not None:
            return reason
    if cmd.quote_quantity and not market.quote_order_qty_allowed:
        return RejectReason.QUOTE_ORDER_QTY_NOT_ALLOWED
    reference_price = cmd.price or cmd.stop_price
    if reference_price:
        value = notional(reference_price, quantity, base_unit)
    else:
        value = cmd.quote_quantity
    if value and (
        value < market.min_notional or (market.max_notional and value > market.max_notional)
    ):
        return RejectReason.NOTIONAL
    return None


def _check_iceberg(market: Market, cmd: PlaceOrder) -> RejectReason | None:
    if not market.iceberg_allowed:
        return RejectReason.ICEBERG_NOT_ALLOWED
    if cmd.type not in LIMIT_TYPES or cmd.time_in_force not in (None, TimeInForce.GTC):
        return RejectReason.INVALID_ORDER
    iceberg = cmd.iceberg_qty
    if iceberg % market.step_size or iceberg < market.min_qty or iceberg >= cmd.quantity:
        return RejectReason.LOT_SIZE
    if -(-cmd.quantity // iceberg) > market.max_iceberg_parts:
        return RejectReason.ICEBERG_PARTS
    return None
