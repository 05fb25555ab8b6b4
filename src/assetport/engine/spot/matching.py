"""Matching: a working order takes liquidity from the opposite side, best price first, then
rests or ends by its rules; self-trade prevention; stop orders the last price triggers.

A stop order that triggers runs through the same matching, and its trades may trigger more.
"""

from typing import Final

from assetport.domain.events import MatchPrevented, OrderTriggered
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import OrderStatus, SelfTradePrevention, Side, TimeInForce
from assetport.engine.spot.book import BookSide
from assetport.engine.spot.lifecycle import expire, fill, held_asset, register, unregister
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.oco import activate
from assetport.engine.spot.order import Order
from assetport.engine.spot.quote_fees import top_up
from assetport.engine.spot.settlement import trade
from assetport.engine.spot.state import SpotState

BUY: Final = Side.BUY
GTC: Final = TimeInForce.GTC
FOK: Final = TimeInForce.FOK
STP_NONE: Final = SelfTradePrevention.NONE
EXPIRE_TAKER: Final = SelfTradePrevention.EXPIRE_TAKER
EXPIRE_MAKER: Final = SelfTradePrevention.EXPIRE_MAKER
TRADING: Final = MarketStatus.TRADING
NEW: Final = OrderStatus.NEW

# How a taker's matching ended.
_DONE: Final = "done"
_OPEN: Final = "open"
_SELF_TRADE: Final = "self-trade"
_REFUSED: Final = "refused"  # the taker may not receive the permissioned token


def walk(
    m: MarketState,
    side: Side,
    account: int,
    stp: SelfTradePrevention,
    limit: int,
    max_quantity: int,
    max_quote: int,
) -> tuple[int, int]:
    """(quantity, quote cost) a taker could trade now, up to `max_quantity` base units
    or, when `max_quote` is set, `max_quote` quote units, at `limit` or better.

    Own orders count as liquidity with STP NONE and are skipped with EXPIRE_MAKER. With
    EXPIRE_TAKER or EXPIRE_BOTH the match stops at the first own order, so the walk counts
    only what stands before it: whole orders, but just the visible slice of an iceberg,
    whose next slice would queue behind the own order.
    """
    opposite = m.asks if side is BUY else m.bids
    unit = m.base_unit
    step = m.step_size
    quantity = cost = 0
    for price in opposite.prices():
        if limit and (price > limit if side is BUY else price < limit):
            break
        available = 0
        before_own = 0
        stopped = False
        for maker in opposite.levels[price]:
            if maker.account == account and stp is not STP_NONE:
                if stp is EXPIRE_MAKER:
                    continue
                stopped = True
                break
            available += maker.quantity - maker.executed
            before_own += maker.visible
        if stopped:
            available = before_own
        take = min(available, max_quantity - quantity)
        if max_quote:
            affordable = (max_quote - cost) * unit // price
            take = min(take, affordable - affordable % step)
        quantity += take
        cost += price * take // unit
        if stopped or quantity == max_quantity or take < available:
            break
    return quantity, cost


def execute(s: SpotState, m: MarketState, order: Order, registered: bool) -> None:
    """Let a working order take liquidity, then rest it or end it by its rules."""
    if order.time_in_force is FOK:
        fillable, _ = walk(
            m, order.side, order.account, order.stp_mode, order.price, order.quantity, 0
        )
        if fillable < order.quantity:
            expire(s, m, order, registered, in_match=False)
            return
    outcome = _match(s, m, order)
    if outcome is _DONE:
        if registered:
            unregister(s, m, order)
        fill(s, m, order)
    elif outcome is _SELF_TRADE or outcome is _REFUSED:
        expire(s, m, order, registered, in_match=True)
    elif order.price and order.time_in_force is GTC:
        order.visible = min(order.iceberg_qty or order.quantity, order.quantity - order.executed)
        if not registered:
            register(s, m, order)
        (m.bids if order.side is BUY else m.asks).add(order)
    else:
        expire(s, m, order, registered, in_match=False)


def _match(s: SpotState, m: MarketState, taker: Order) -> object:
    """Trade the taker against the opposite side, best price first, until it is done,
    out of price, out of liquidity or stopped by self-trade prevention.

    Done means: the whole quantity traded or, for an order sized in quote, too little
    of the quote amount is left to trade one more step.
    """
    is_buy = taker.side is BUY
    opposite = m.asks if is_buy else m.bids
    levels = opposite.levels
    limit = taker.price
    unit = m.base_unit
    step = m.step_size
    account = taker.account
    stp = taker.stp_mode
    by_quote = taker.quote_quantity
    # A permissioned base: each trade delivers it only to a buyer its rules allow now.
    gate = s.gate
    gated = bool(gate.rules) and m.base in gate.rules
    while True:
        price = opposite.best()
        if price is None:
            return _OPEN
        if limit:
            if (price > limit) if is_buy else (price < limit):
                return _OPEN
            left = taker.quantity - taker.executed
        elif by_quote:
            budget = taker.held if is_buy else by_quote - taker.executed_quote
            left = budget * unit // price
            left -= left % step
            if not left:
                # Too little left for one more step: done, if it traded at all.
                return _DONE if taker.executed else _OPEN
        else:
            left = taker.quantity - taker.executed
            if is_buy:
                # A market buy spends at most what it holds.
                affordable = taker.held * unit // price
                affordable -= affordable % step
                if affordable < left:
                    left = affordable
                    if not left:
                        return _OPEN
        if not is_buy and taker.held < left:
            # A sell never gives more than it holds (a quote-sized sell holds what the
            # book looked like it needed when it was placed).
            left = taker.held
            if not left:
                return _DONE if by_quote and taker.executed else _OPEN
        level = levels[price]
        maker = level.head
        while maker is not None:
            if maker.account == account and stp is not STP_NONE:
                if _prevent(s, m, opposite, taker, maker, price):
                    return _SELF_TRADE
            else:
                quantity = maker.visible
                if quantity > left:
                    quantity = left
                if gated:
                    buyer = taker if is_buy else maker
                    if gate.delivery_problem(buyer.account, m.base, quantity) is not None:
                        if is_buy:
                            return _REFUSED
                        # A resting buy whose account may no longer receive it ends.
                        opposite.remove(maker)
                        expire(s, m, maker, registered=True, in_match=True)
                        maker = level.head
                        continue
                trade(s, m, opposite, taker, maker, price, quantity, is_buy)
                left -= quantity
                if not left:
                    break
            maker = level.head
        if not by_quote and taker.executed == taker.quantity:
            return _DONE


def _prevent(
    s: SpotState, m: MarketState, opposite: BookSide, taker: Order, maker: Order, price: int
) -> bool:
    """Self-trade prevention by the taker's mode; True when the taker has ended."""
    mode = taker.stp_mode
    prevented_id = s.next_prevented_id
    s.next_prevented_id = prevented_id + 1
    expire_taker = mode is not EXPIRE_MAKER
    expire_maker = mode is not EXPIRE_TAKER
    taker_left = taker.remaining if taker.quantity else 0
    ctx = s.ctx
    ctx.events.append(
        MatchPrevented(
            ctx.seq,
            ctx.time,
            m.symbol,
            prevented_id,
            taker.order_id,
            maker.order_id,
            taker.account,
            price,
            taker_left if expire_taker else 0,
            maker.remaining if expire_maker else 0,
            mode,
        )
    )
    if expire_maker:
        opposite.remove(maker)
        expire(s, m, maker, registered=True, in_match=True)
    return expire_taker


# ----------------------------------------------------------------------------- stops


def trigger_stops(s: SpotState, m: MarketState) -> None:
    """Run every stop order the last price has reached, and those their trades reach."""
    while m.status is TRADING:
        triggered = m.stops.pop_triggered(m.last_price)
        if not triggered:
            return
        for order in triggered:
            if order.status is NEW:  # an order list's leg its other leg ended is skipped
                _trigger(s, m, order)


def _trigger(s: SpotState, m: MarketState, order: Order) -> None:
    if order.order_list is not None:
        # A waiting OCO leg triggered: the other leg expires now (engine/spot/oco.py).
        activate(s, m, order)
    added = 0
    if order.side is BUY and not order.price:
        # A stop-market buy held its quantity at the stop price; the book may now ask
        # more, so it tops up its hold from free funds, as far as they go.
        _, cost = walk(m, BUY, order.account, order.stp_mode, 0, order.quantity, 0)
        wanted = cost - order.held
        if wanted > 0:
            quote = order.wallet[1]
            fee_added = 0
            if order.fee_in_quote:
                added, fee_added = top_up(order, quote.free, wanted)
            else:
                added = min(wanted, quote.free)
            if added and s.ledger.hold(quote, added + fee_added):  # within free: it holds
                order.held += added
                order.fee_held += fee_added
                added += fee_added
    ctx = s.ctx
    order.working = True
    order.updated = ctx.time
    ctx.events.append(
        OrderTriggered(
            ctx.seq,
            ctx.time,
            order.order_id,
            order.account,
            order.symbol,
            m.last_price,
            held_asset(m, order),
            added,
        )
    )
    execute(s, m, order, registered=True)
