"""Cancels and amends of open orders: by id or client order id, all of an account's in a
market, cancel-then-place, and reducing an order's quantity in place."""

from typing import Any, Final

from assetport.domain.commands import AmendOrder, CancelAllOrders, CancelOrder, CancelReplace
from assetport.domain.events import OrderAmended, OrderCanceled
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import CancelRestriction, OrderStatus, Side
from assetport.domain.results import RejectReason
from assetport.engine.spot.lifecycle import end, held_asset, release, unregister
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.placing import market_problem, place
from assetport.engine.spot.quote_fees import fee_needed
from assetport.engine.spot.state import SpotState

BUY: Final = Side.BUY
NEW: Final = OrderStatus.NEW
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
CANCELED: Final = OrderStatus.CANCELED
HALT: Final = MarketStatus.HALT
_OrderCanceled: Final = OrderCanceled


def find(
    s: SpotState,
    m: MarketState,
    account: Any,
    order_id: Any,
    client_order_id: str,
    ids_must_match: bool,
) -> Order | None:
    """The account's open order in the market by id, or by client order id when the id
    is 0; with both (and `ids_must_match`), only if they name the same order. Ids stay
    Python ints (Any): they are only used as dict keys."""
    if not order_id:
        order_id = s.client_ids.get((account, client_order_id), 0)
    mine = m.open_orders.get(account)
    order = None if mine is None else mine.get(order_id)
    if (
        ids_must_match
        and client_order_id
        and order is not None
        and order.client_order_id != client_order_id
    ):
        return None
    return order


def cancel_order(s: SpotState, cmd: CancelOrder) -> RejectReason | None:
    """Cancel the order, or answer why not (changing nothing)."""
    m = s.markets.get(cmd.symbol)
    if m is None:
        return RejectReason.UNKNOWN_SYMBOL
    if m.status is HALT:
        return RejectReason.MARKET_CLOSED
    order = find(s, m, cmd.account, cmd.order_id, cmd.client_order_id, cmd.ids_must_match)
    if order is None:
        return RejectReason.UNKNOWN_ORDER
    restriction = cmd.restriction
    if restriction is not None and (
        (restriction is CancelRestriction.ONLY_NEW and order.status is not NEW)
        or (
            restriction is CancelRestriction.ONLY_PARTIALLY_FILLED
            and order.status is not PARTIALLY_FILLED
        )
    ):
        return RejectReason.CANCEL_RESTRICTED
    _cancel_open(s, m, order)
    return None


def _cancel_open(s: SpotState, m: MarketState, order: Order) -> None:
    if order.working:
        (m.bids if order.side is BUY else m.asks).remove(order)
    else:
        m.stops.remove(order)
    unregister(s, m, order)
    asset, released = end(s, m, order, CANCELED)
    ctx = s.ctx
    ctx.events.append(
        _OrderCanceled(ctx.seq, ctx.time, order.key, order.owner, order.symbol, asset, released)
    )


def cancel_all(s: SpotState, cmd: CancelAllOrders) -> None:
    m = s.markets.get(cmd.symbol)
    if m is None:
        return s.ctx.reject(RejectReason.UNKNOWN_SYMBOL, cmd.account, cmd.symbol)
    if m.status is HALT:
        return s.ctx.reject(RejectReason.MARKET_CLOSED, cmd.account, cmd.symbol)
    mine = m.open_orders.get(cmd.account)
    if not mine:
        return s.ctx.reject(RejectReason.UNKNOWN_ORDER, cmd.account, cmd.symbol)
    for order_id in sorted(mine):
        _cancel_open(s, m, mine[order_id])
    return None


def cancel_replace(s: SpotState, cmd: CancelReplace) -> None:
    cancel_cmd = cmd.cancel
    place_cmd = cmd.place
    if cancel_cmd.account != place_cmd.account or cancel_cmd.symbol != place_cmd.symbol:
        return s.ctx.reject(RejectReason.INVALID_ORDER, cancel_cmd.account, cancel_cmd.symbol)
    reason = cancel_order(s, cancel_cmd)
    if reason is not None:
        s.ctx.reject(
            reason,
            cancel_cmd.account,
            cancel_cmd.symbol,
            cancel_cmd.client_order_id,
            cancel_cmd.order_id,
        )
        if not cmd.allow_failure:
            return None
    place(s, place_cmd)
    return None


def amend(s: SpotState, cmd: AmendOrder) -> None:
    reason = _amend(s, cmd)
    if reason is not None:
        s.ctx.reject(reason, cmd.account, cmd.symbol, cmd.client_order_id, cmd.order_id)


def _amend(s: SpotState, cmd: AmendOrder) -> RejectReason | None:
    m = s.markets.get(cmd.symbol)
    reason = market_problem(m)
    if reason is not None or m is None:
        return reason
    order = find(s, m, cmd.account, cmd.order_id, cmd.client_order_id, cmd.ids_must_match)
    if order is None:
        return RejectReason.UNKNOWN_ORDER
    new_quantity = cmd.new_quantity
    if (
        new_quantity <= order.executed
        or new_quantity >= order.quantity
        or new_quantity % m.step_size
    ):
        return RejectReason.INVALID_AMEND
    remaining = new_quantity - order.executed
    if order.side is BUY:
        keep = (order.price or order.stop_price) * remaining // m.base_unit
        released = max(order.held - keep, 0)
        if order.fee_in_quote:
            # The fee held shrinks with the price held; release() frees both together.
            fee_released = max(order.fee_held - fee_needed(order, keep), 0)
            order.fee_held -= fee_released
            order.held += fee_released
            released += fee_released
    else:
        released = order.held - remaining
    asset = release(s, m, order, released) if released else held_asset(m, order)
    ctx = s.ctx
    order.quantity = new_quantity
    order.visible = min(order.visible, remaining)
    order.updated = ctx.time
    ctx.events.append(
        OrderAmended(
            ctx.seq,
            ctx.time,
            order.order_id,
            order.account,
            order.symbol,
            new_quantity,
            asset,
            released,
        )
    )
    return None
