"""An order's life in its market: registered while open, released from its hold and moved
to a final status when it ends (filled, canceled, expired), each end stated as an event.

Every other spot module ends orders through here, so that the hold an order gives back and
the event that says so cannot drift apart.
"""

from typing import Final

from assetport.domain.events import OrderExpired, OrderFilled
from assetport.domain.orders import OrderStatus, Side, check_transition
from assetport.engine.ledger import Balance
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.state import SpotState

BUY: Final = Side.BUY
FILLED: Final = OrderStatus.FILLED
_OrderFilled: Final = OrderFilled


def wallet(s: SpotState, m: MarketState, account: int) -> tuple[Balance, Balance]:
    """The account's (base, quote) balance records in this market, kept at hand."""
    found = m.wallets.get(account)
    if found is None:
        found = (s.ledger.balance(account, m.base), s.ledger.balance(account, m.quote))
        m.wallets[account] = found
    return found


def held_asset(m: MarketState, order: Order) -> str:
    """What the order holds: quote for a buy, base for a sell."""
    return m.quote if order.side is BUY else m.base


def register(
    s: SpotState, m: MarketState, order: Order, mine: dict[int, Order] | None = None
) -> None:
    if mine is None:
        mine = m.open_orders.get(order.account)
    if mine is None:
        mine = m.open_orders[order.account] = {}
    mine[order.key] = order
    if order.client_order_id:
        s.client_ids[(order.account, order.client_order_id)] = order.order_id


def unregister(s: SpotState, m: MarketState, order: Order) -> None:
    # An account's (possibly empty) dict stays: traders come back, and dropping and
    # remaking it on every last fill costs more than it saves.
    del m.open_orders[order.owner][order.key]
    if order.client_order_id:
        del s.client_ids[(order.account, order.client_order_id)]


def release(s: SpotState, m: MarketState, order: Order, amount: int) -> str:
    """Give `amount` of what the order holds back to free; answer the asset."""
    base, quote = order.wallet
    if order.side is BUY:
        s.ledger.release(quote, amount)
        asset = m.quote
    else:
        s.ledger.release(base, amount)
        asset = m.base
    order.held -= amount
    return asset


def end(s: SpotState, m: MarketState, order: Order, status: OrderStatus) -> tuple[str, int]:
    """Move the order to a final status and release what it still holds."""
    check_transition(order.status, status)
    order.status = status
    order.updated = s.ctx.time
    if order.order_list is not None:
        _leg_ended(s, m, order)
    if order.fee_held:
        # A buy that paid its fee in quote gives back the fee it did not need too.
        order.held += order.fee_held
        order.fee_held = 0
    released = order.held
    if released:
        return release(s, m, order, released), released
    return held_asset(m, order), released


def _leg_ended(s: SpotState, m: MarketState, order: Order) -> None:
    """A leg of an order list ended: the list moves on once the command's matching is over
    (engine/spot/order_lists.py). A leg of an OCO pair that ends before either leg traded or
    triggered (self-trade prevention, a holder rule) takes the other with it at once, so that
    the other can neither trade nor trigger on funds it never held (engine/spot/order_list.py).
    """
    order_list = order.order_list
    assert order_list is not None
    s.lists_due.append(order_list)
    sibling = order_list.sibling(order)
    if sibling is None:
        return
    order_list.pair = None
    if sibling.working:
        (m.bids if sibling.side is BUY else m.asks).remove(sibling)
    else:
        m.stops.discard(sibling)
    expire(s, m, sibling, registered=True, in_match=False)


def fill(s: SpotState, m: MarketState, order: Order) -> None:
    """The order's whole quantity traded: it ends FILLED, giving back any hold left over."""
    asset, released = end(s, m, order, FILLED)
    ctx = s.ctx
    ctx.events.append(
        _OrderFilled(ctx.seq, ctx.time, order.key, order.owner, order.symbol, asset, released)
    )


def expire(s: SpotState, m: MarketState, order: Order, registered: bool, in_match: bool) -> None:
    """The order ended by its own rules (or, `in_match`, by self-trade prevention)."""
    if registered:
        unregister(s, m, order)
    asset, released = end(
        s, m, order, OrderStatus.EXPIRED_IN_MATCH if in_match else OrderStatus.EXPIRED
    )
    ctx = s.ctx
    ctx.events.append(
        OrderExpired(
            ctx.seq,
            ctx.time,
            order.order_id,
            order.account,
            order.symbol,
            asset,
            released,
            in_match,
        )
    )
