"""Cancels and amends of open orders: by id or client order id, all of an account's in a
market, cancel-then-place, and reducing an order's quantity in place (an order list's
pending order's too), giving it the client order id the amend names."""

from typing import Any, Final

from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelOrderList,
    CancelReplace,
    PlaceOrder,
)
from assetport.domain.events import OrderAmended, OrderCanceled
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import CancelRestriction, OrderStatus, Side
from assetport.domain.results import RejectReason
from assetport.engine.spot.book import show
from assetport.engine.spot.checks import MAX_CLIENT_ORDER_ID
from assetport.engine.spot.lifecycle import end, held_asset, release, unregister
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
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
    if order.order_list is not None:
        # Canceling one order of a list cancels the whole list, as Binance does.
        cancel_list(s, m, order.order_list)
        return None
    _cancel_open(s, m, order)
    return None


def cancel_order_list(s: SpotState, cmd: CancelOrderList) -> RejectReason | None:
    """Cancel the open order list, or answer why not (changing nothing)."""
    m = s.markets.get(cmd.symbol)
    if m is None:
        return RejectReason.UNKNOWN_SYMBOL
    if m.status is HALT:
        return RejectReason.MARKET_CLOSED
    list_id = cmd.order_list_id or s.list_client_ids.get((cmd.account, cmd.list_client_order_id), 0)
    order_list = s.order_lists.get(list_id)
    if (
        order_list is None
        or order_list.account != cmd.account
        or order_list.symbol != cmd.symbol
        or (
            cmd.order_list_id
            and cmd.list_client_order_id
            and order_list.list_client_order_id != cmd.list_client_order_id
        )
    ):
        return RejectReason.UNKNOWN_ORDER
    cancel_list(s, m, order_list)
    return None


def cancel_list(s: SpotState, m: MarketState, order_list: OrderList) -> None:
    """Cancel every open and pending order of the list; the list ends once the command's
    matching is over (engine/spot/order_lists.py)."""
    order_list.pair = None  # each leg is canceled, none expires the other
    for leg in sorted(order_list.legs, key=_order_id):
        if leg.status is NEW or leg.status is PARTIALLY_FILLED:
            _cancel_open(s, m, leg)
    ctx = s.ctx
    for order_id, leg_cmd in order_list.pending:
        asset = m.quote if leg_cmd.side is BUY else m.base
        ctx.events.append(
            _OrderCanceled(ctx.seq, ctx.time, order_id, order_list.account, m.symbol, asset, 0)
        )
    order_list.pending = []
    s.lists_due.append(order_list)


def _order_id(order: Order) -> int:
    return order.order_id


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
        order = mine.get(order_id)
        if order is None:
            continue  # a leg of a list canceled with an order before it
        if order.order_list is not None:
            cancel_list(s, m, order.order_list)
        else:
            _cancel_open(s, m, order)
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
    if len(cmd.new_client_order_id) > MAX_CLIENT_ORDER_ID:
        return RejectReason.INVALID_ORDER
    order = find(s, m, cmd.account, cmd.order_id, cmd.client_order_id, cmd.ids_must_match)
    if order is None:
        return _amend_pending(s, m, cmd)
    new_client_id = cmd.new_client_order_id or order.client_order_id
    if new_client_id != order.client_order_id and (order.account, new_client_id) in s.client_ids:
        return RejectReason.DUPLICATE_ORDER
    if order.order_list is not None and order.order_list.pair is not None:
        return _amend_pair(s, m, order, order.order_list.pair, cmd.new_quantity, new_client_id)
    new_quantity = cmd.new_quantity
    if (
        new_quantity <= order.executed
        or new_quantity >= order.quantity
        or new_quantity % m.step_size
    ):
        return RejectReason.INVALID_AMEND
    remaining = new_quantity - order.executed
    if order.side is BUY:
        released = _held_beyond(order, (order.price or order.stop_price) * remaining // m.base_unit)
    else:
        released = order.held - remaining
    asset = release(s, m, order, released) if released else held_asset(m, order)
    ctx = s.ctx
    orig_quantity = order.quantity
    order.quantity = new_quantity
    show(order, min(order.visible, remaining))
    order.updated = ctx.time
    orig_client_id = _rename(s, order, new_client_id)
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
            new_client_id,
            orig_client_id,
            orig_quantity,
        )
    )
    return None


def _held_beyond(order: Order, keep: int) -> int:
    """What a buy holds beyond `keep` quote units (and the fee `keep` needs, on a QUOTE-fee
    market): the amount `release()` frees once its quantity shrinks. The fee's excess is
    moved into `held` first, as release() frees both together."""
    released = max(order.held - keep, 0)
    if order.fee_in_quote:
        fee_released = max(order.fee_held - fee_needed(order, keep), 0)
        order.fee_held -= fee_released
        order.held += fee_released
        released += fee_released
    return released


def _rename(s: SpotState, order: Order, new_client_id: str) -> str:
    """Give the open order its new client order id (in the engine's index and its list's
    ids); answer the one it had."""
    orig = order.client_order_id
    if new_client_id != orig:
        if orig:
            del s.client_ids[(order.account, orig)]
        order.client_order_id = new_client_id
        if new_client_id:
            s.client_ids[(order.account, new_client_id)] = order.order_id
        if order.order_list is not None:
            _rename_leg(order.order_list, order.order_id, new_client_id)
    return orig


def _rename_leg(order_list: OrderList, order_id: int, new_client_id: str) -> None:
    ids = list(order_list.client_order_ids)
    ids[order_list.order_ids.index(order_id)] = new_client_id
    order_list.client_order_ids = tuple(ids)


def _amend_pair(
    s: SpotState,
    m: MarketState,
    amended: Order,
    pair: tuple[Order, Order],
    new_quantity: int,
    new_client_id: str,
) -> RejectReason | None:
    """An OCO pair has one quantity, and neither leg has traded: amending either leg
    amends both, and the pair's one hold shrinks to what the dearer leg needs now. Only the
    leg the amend named takes the new client order id."""
    first, second = pair
    if new_quantity <= 0 or new_quantity >= first.quantity or new_quantity % m.step_size:
        return RejectReason.INVALID_AMEND
    holder = first if first.held or first.fee_held else second
    if holder.side is BUY:
        keep = max((leg.price or leg.stop_price) * new_quantity // m.base_unit for leg in pair)
        released = _held_beyond(holder, keep)
    else:
        released = holder.held - new_quantity
    asset = release(s, m, holder, released) if released else held_asset(m, holder)
    ctx = s.ctx
    orig_quantity = first.quantity
    for leg in sorted(pair, key=_order_id):
        leg.quantity = new_quantity
        show(leg, min(leg.visible, new_quantity))
        leg.updated = ctx.time
        orig_client_id = leg.client_order_id
        if leg is amended:
            _rename(s, leg, new_client_id)
        ctx.events.append(
            OrderAmended(
                ctx.seq,
                ctx.time,
                leg.order_id,
                leg.account,
                leg.symbol,
                new_quantity,
                asset,
                released if leg is holder else 0,
                leg.client_order_id,
                orig_client_id,
                orig_quantity,
            )
        )
    return None


def _amend_pending(s: SpotState, m: MarketState, cmd: AmendOrder) -> RejectReason | None:
    """Amend an OTO's or OTOCO's pending order, as Binance allows: the order it will place
    takes the new quantity and client order id. An OTOCO's two pending orders are an OCO
    pair, one quantity: both take it. A pending order holds nothing, so nothing moves."""
    found = _pending_leg(s, cmd)
    if found is None:
        return RejectReason.UNKNOWN_ORDER
    order_list, index = found
    pending = order_list.pending
    _, leg = pending[index]
    new_quantity = cmd.new_quantity
    if (
        new_quantity <= 0
        or new_quantity >= leg.quantity
        or new_quantity % m.step_size
        or any(new_quantity <= other.iceberg_qty for _, other in pending)
    ):
        return RejectReason.INVALID_AMEND
    new_client_id = cmd.new_client_order_id or leg.client_order_id
    if new_client_id != leg.client_order_id and (
        (cmd.account, new_client_id) in s.client_ids or new_client_id in order_list.client_order_ids
    ):
        return RejectReason.DUPLICATE_ORDER
    ctx = s.ctx
    amended = range(len(pending)) if len(pending) == 2 else (index,)
    for at in amended:
        leg_id, leg_cmd = pending[at]
        client_id = new_client_id if at == index else leg_cmd.client_order_id
        pending[at] = (leg_id, _with(leg_cmd, new_quantity, client_id))
        if client_id != leg_cmd.client_order_id:
            _rename_leg(order_list, leg_id, client_id)
        ctx.events.append(
            OrderAmended(
                ctx.seq,
                ctx.time,
                leg_id,
                cmd.account,
                m.symbol,
                new_quantity,
                m.quote if leg_cmd.side is BUY else m.base,
                0,
                client_id,
                leg_cmd.client_order_id,
                leg_cmd.quantity,
            )
        )
    return None


def _pending_leg(s: SpotState, cmd: AmendOrder) -> tuple[OrderList, int] | None:
    """The account's pending order the amend names (by id, else by client order id), as
    its list and its place in the list's pending orders."""
    client_id = cmd.client_order_id
    for order_list in s.order_lists.values():
        if (
            not order_list.pending
            or order_list.account != cmd.account
            or order_list.symbol != cmd.symbol
        ):
            continue
        for index, (order_id, leg) in enumerate(order_list.pending):
            if cmd.order_id:
                if order_id != cmd.order_id:
                    continue
                if cmd.ids_must_match and client_id and leg.client_order_id != client_id:
                    return None
                return order_list, index
            if client_id and leg.client_order_id == client_id:
                return order_list, index
    return None


def _with(leg: PlaceOrder, quantity: int, client_order_id: str) -> PlaceOrder:
    return PlaceOrder(
        leg.account,
        leg.symbol,
        leg.side,
        leg.type,
        quantity,
        price=leg.price,
        time_in_force=leg.time_in_force,
        quote_quantity=leg.quote_quantity,
        stop_price=leg.stop_price,
        iceberg_qty=leg.iceberg_qty,
        client_order_id=client_order_id,
        stp_mode=leg.stp_mode,
    )
