"""An OCO pair's activation: when one of its legs trades or triggers, the other expires in
the same step and what it held becomes the active leg's, less what the active leg does not
need, which goes back to free (docs/trading-rules.md#order-lists).

Called by settlement before a resting leg's first trade and by matching before a waiting
leg runs; a leg of no live pair is left as it is.
"""

from typing import Final

from assetport.domain.events import OrderExpired
from assetport.domain.orders import OrderStatus, Side, check_transition
from assetport.engine.spot.lifecycle import held_asset, unregister
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.quote_fees import fee_needed
from assetport.engine.spot.state import SpotState

BUY: Final = Side.BUY
EXPIRED: Final = OrderStatus.EXPIRED


def activate(s: SpotState, m: MarketState, order: Order) -> None:
    order_list = order.order_list
    if order_list is None:
        return
    sibling = order_list.sibling(order)
    if sibling is None:
        return
    order_list.pair = None
    s.lists_due.append(order_list)
    if sibling.working:
        (m.bids if sibling.side is BUY else m.asks).remove(sibling)
    else:
        m.stops.discard(sibling)
    unregister(s, m, sibling)
    # The pair's one hold is the active leg's now.
    order.held += sibling.held
    order.fee_held += sibling.fee_held
    sibling.held = 0
    sibling.fee_held = 0
    check_transition(sibling.status, EXPIRED)
    sibling.status = EXPIRED
    sibling.updated = s.ctx.time
    # What the active leg does not need goes back to free: a buy's pair held for the
    # dearer leg.
    remaining = order.quantity - order.executed
    excess = fee_excess = 0
    if order.side is BUY:
        need = (order.price or order.stop_price) * remaining // m.base_unit
        if order.held > need:
            excess = order.held - need
        if order.fee_in_quote:
            fee_need = fee_needed(order, need)
            if order.fee_held > fee_need:
                fee_excess = order.fee_held - fee_need
        record = order.wallet[1]
    else:
        if order.held > remaining:
            excess = order.held - remaining
        record = order.wallet[0]
    released = excess + fee_excess
    if released:
        s.ledger.release(record, released)
        order.held -= excess
        order.fee_held -= fee_excess
    ctx = s.ctx
    ctx.events.append(
        OrderExpired(
            ctx.seq,
            ctx.time,
            sibling.order_id,
            sibling.account,
            sibling.symbol,
            held_asset(m, sibling),
            released,
            False,
        )
    )
