"""Order lists: placing an OCO, OTO or OTOCO, and moving a list on once a command's matching
is over: an OTO's pending orders placed when its working order has filled, or expired when
it ended otherwise; the list ended when none of its orders is open or pending
(docs/trading-rules.md#order-lists).

Every check comes before any money moves, so a refused list changes nothing: all its orders
or none. An OCO pair holds its funds once (engine/spot/order_list.py); when one leg trades or
triggers, engine/spot/oco.py expires the other in the same step.
"""

from typing import Final

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import PlaceOrder, PlaceOrderList
from assetport.domain.events import (
    OrderAccepted,
    OrderExpired,
    OrderListPlaced,
    OrderListStatus,
)
from assetport.domain.markets import BPS, MarketStatus
from assetport.domain.order_lists import (
    STOP_LOSS_TYPES,
    WORKING_TYPES,
    ListKind,
    ListOrderStatus,
    ListStatusType,
    legs_of,
    oco_leg_problem,
    trigger_price,
)
from assetport.domain.orders import OrderStatus, OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.spot.checks import MAX_CLIENT_ORDER_ID, check_order
from assetport.engine.spot.lifecycle import register, wallet
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
from assetport.engine.spot.placing import holder_problem, market_problem, place_order
from assetport.engine.spot.quote_fees import take_fee_in_quote
from assetport.engine.spot.state import SpotState
from assetport.engine.spot.stops import would_trigger

BUY: Final = Side.BUY
GTC: Final = TimeInForce.GTC
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
TRADING: Final = MarketStatus.TRADING
FILLED: Final = OrderStatus.FILLED
OPEN: Final = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED})


def place_list(s: SpotState, cmd: PlaceOrderList) -> None:
    reason = _place(s, cmd)
    if reason is not None:
        s.ctx.reject(reason, cmd.account, cmd.symbol, cmd.list_client_order_id)
    if s.lists_due:
        settle(s)


def list_problem(m: MarketState | None, cmd: PlaceOrderList) -> RejectReason | None:
    """What the engine refuses the list for by its shape and its market's filters alone (as
    `check_order` does for one order), before looking at the book, balances or open
    orders."""
    reason = market_problem(m)
    if reason is not None or m is None:
        return reason
    legs = cmd.orders
    if len(legs) != legs_of(cmd.kind):
        return RejectReason.INVALID_ORDER_LIST
    if len(cmd.list_client_order_id) > MAX_CLIENT_ORDER_ID:
        return RejectReason.INVALID_ORDER
    for leg in legs:
        if leg.account != cmd.account or leg.symbol != cmd.symbol or leg.quote_quantity:
            return RejectReason.INVALID_ORDER_LIST
        reason = check_order(
            m,
            leg.type,
            leg.quantity,
            leg.price,
            leg.time_in_force,
            0,
            leg.stop_price,
            leg.iceberg_qty,
            leg.client_order_id,
            leg.stp_mode,
        )
        if reason is not None:
            return reason
    ids = [leg.client_order_id for leg in legs if leg.client_order_id]
    if len(set(ids)) != len(ids):
        return RejectReason.DUPLICATE_ORDER
    if cmd.kind is not ListKind.OCO and legs[0].type not in WORKING_TYPES:
        return RejectReason.INVALID_ORDER_LIST
    pair = _pair_of(cmd)
    if pair is not None:
        above, below = pair
        if above.side is not below.side or above.quantity != below.quantity:
            return RejectReason.INVALID_ORDER_LIST
        if oco_leg_problem(above.side, above.type, below.type) is not None:
            return RejectReason.INVALID_ORDER_LIST
        if trigger_price(above.type, above.price, above.stop_price) <= trigger_price(
            below.type, below.price, below.stop_price
        ):
            return RejectReason.PRICE_RELATIONSHIP
    return None


def _pair_of(cmd: PlaceOrderList) -> tuple[PlaceOrder, PlaceOrder] | None:
    legs = cmd.orders
    if cmd.kind is ListKind.OCO:
        return legs[0], legs[1]
    if cmd.kind is ListKind.OTOCO:
        return legs[1], legs[2]
    return None


def _place(s: SpotState, cmd: PlaceOrderList) -> RejectReason | None:
    m = s.markets.get(cmd.symbol)
    if m is None or m.status is not TRADING:
        return market_problem(m)
    account = cmd.account
    if account < FIRST_TRADING_ACCOUNT:
        return RejectReason.INVALID_ACCOUNT
    reason = list_problem(m, cmd)
    if reason is not None:
        return reason
    lcid = cmd.list_client_order_id
    if lcid and (account, lcid) in s.list_client_ids:
        return RejectReason.DUPLICATE_ORDER
    for leg in cmd.orders:
        if leg.client_order_id and (account, leg.client_order_id) in s.client_ids:
            return RejectReason.DUPLICATE_ORDER
    mine = m.open_orders.get(account)
    if (0 if mine is None else len(mine)) + len(cmd.orders) > m.max_num_orders:
        return RejectReason.MAX_NUM_ORDERS
    rules = s.gate.rules
    if rules and (m.base in rules or m.quote in rules):
        for leg in cmd.orders:
            reason = holder_problem(s, m, account, leg.side, leg.quantity)
            if reason is not None:
                return reason

    if cmd.kind is ListKind.OCO:
        above, below = cmd.orders
        reason = pair_problem(s, m, above, below)
        if reason is not None:
            return reason
        # The stop loss gets the first id, as Binance numbers an OCO's legs.
        first, second = (above, below) if above.type in STOP_LOSS_TYPES else (below, above)
        order_list = _new_list(s, cmd)
        ids = {id(first): _next_id(s), id(second): _next_id(s)}
        order_list.order_ids = (ids[id(above)], ids[id(below)])
        _announce(s, order_list, cmd)
        accepted = _accept_pair(s, m, order_list, above, below, order_list.order_ids)
        assert accepted is None  # pair_problem looked at everything _accept_pair refuses
        return None

    # OTO and OTOCO: the working order goes on the book now, the others when it fills.
    working = cmd.orders[0]
    mark = len(s.ctx.events)
    next_order_id = s.next_order_id
    order_list = _new_list(s, cmd)
    ids_list = [_next_id(s) for _ in cmd.orders]
    order_list.order_ids = tuple(ids_list)
    order_list.pending = list(zip(ids_list[1:], cmd.orders[1:], strict=True))
    _announce(s, order_list, cmd)
    reason = place_order(s, working, ids_list[0], order_list)
    if reason is not None:
        # Nothing moved: take the list back as if it had never been.
        del s.ctx.events[mark:]
        s.next_order_id = next_order_id
        s.next_order_list_id -= 1
        del s.order_lists[order_list.order_list_id]
        if lcid:
            del s.list_client_ids[(account, lcid)]
        return reason
    return None


def _next_id(s: SpotState) -> int:
    order_id = s.next_order_id
    s.next_order_id = order_id + 1
    return order_id


def _new_list(s: SpotState, cmd: PlaceOrderList) -> OrderList:
    list_id = s.next_order_list_id
    s.next_order_list_id = list_id + 1
    order_list = OrderList(
        list_id, cmd.account, cmd.symbol, cmd.kind, cmd.list_client_order_id, (), s.ctx.time
    )
    order_list.client_order_ids = tuple(leg.client_order_id for leg in cmd.orders)
    s.order_lists[list_id] = order_list
    if cmd.list_client_order_id:
        s.list_client_ids[(cmd.account, cmd.list_client_order_id)] = list_id
    return order_list


def _announce(s: SpotState, order_list: OrderList, cmd: PlaceOrderList) -> None:
    ctx = s.ctx
    ctx.events.append(
        OrderListPlaced(
            ctx.seq,
            ctx.time,
            order_list.order_list_id,
            order_list.account,
            order_list.symbol,
            order_list.kind,
            order_list.list_client_order_id,
            order_list.order_ids,
            cmd,
        )
    )


def _pair_hold(s: SpotState, m: MarketState, above: PlaceOrder, below: PlaceOrder) -> int:
    """What an OCO pair holds, once: a sell its quantity of base, a buy the quote its
    dearer leg needs (a stop's limit price, or its stop price when it has none)."""
    if above.side is not BUY:
        return above.quantity
    return max(
        (leg.price or leg.stop_price) * leg.quantity // m.base_unit for leg in (above, below)
    )


def _fee_rates(s: SpotState, m: MarketState, account: int) -> tuple[int, int]:
    override = s.account_fees.get(account) if s.account_fees else None
    return override if override is not None else (m.maker_fee_bps, m.taker_fee_bps)


def pair_problem(
    s: SpotState, m: MarketState, above: PlaceOrder, below: PlaceOrder
) -> RejectReason | None:
    """Why an OCO pair cannot go on the book now: its prices against the last price, a limit
    maker that would take, a stop that would trigger at once, the funds it holds."""
    last = m.last_price
    if last and not (
        trigger_price(above.type, above.price, above.stop_price)
        > last
        > trigger_price(below.type, below.price, below.stop_price)
    ):
        return RejectReason.PRICE_RELATIONSHIP
    for leg in (above, below):
        if leg.client_order_id and (leg.account, leg.client_order_id) in s.client_ids:
            return RejectReason.DUPLICATE_ORDER
        if leg.type is LIMIT_MAKER:
            best = (m.asks if leg.side is BUY else m.bids).best()
            if best is not None and (best <= leg.price if leg.side is BUY else best >= leg.price):
                return RejectReason.WOULD_TAKE
        elif would_trigger(leg.type, leg.side, leg.stop_price, last):
            return RejectReason.WOULD_TRIGGER_IMMEDIATELY
    mine = m.open_orders.get(above.account)
    if (0 if mine is None else len(mine)) + 2 > m.max_num_orders:
        return RejectReason.MAX_NUM_ORDERS
    hold = _pair_hold(s, m, above, below)
    if above.side is BUY and m.fee_in_quote:
        maker_bps, taker_bps = _fee_rates(s, m, above.account)
        hold += -(-hold * max(maker_bps, taker_bps) // BPS)
    asset = m.quote if above.side is BUY else m.base
    if s.ledger.free(above.account, asset) < hold:
        return RejectReason.INSUFFICIENT_BALANCE
    return None


def _accept_pair(
    s: SpotState,
    m: MarketState,
    order_list: OrderList,
    above: PlaceOrder,
    below: PlaceOrder,
    ids: tuple[int, int],
) -> RejectReason | None:
    """Put an OCO pair on the book and in the stop book, holding its funds once, or answer
    why not (changing nothing)."""
    reason = pair_problem(s, m, above, below)
    if reason is not None:
        return reason
    account = above.account
    side = above.side
    hold = _pair_hold(s, m, above, below)
    fee_in_quote = side is BUY and m.fee_in_quote
    maker_bps = taker_bps = fee_held = 0
    if fee_in_quote:
        maker_bps, taker_bps = _fee_rates(s, m, account)
        fee_held = -(-hold * max(maker_bps, taker_bps) // BPS)
    records = wallet(s, m, account)
    if not s.ledger.hold(records[1] if side is BUY else records[0], hold + fee_held):
        raise AssertionError("pair_problem checked the funds")
    # The limit maker holds for the pair: it is the leg that can trade without triggering.
    holder = above if above.type is LIMIT_MAKER or below.type is not LIMIT_MAKER else below
    ctx = s.ctx
    legs: list[Order] = []
    for leg, order_id in sorted(zip((above, below), ids, strict=True), key=lambda pair: pair[1]):
        held = hold if leg is holder else 0
        is_stop = leg.type is not LIMIT_MAKER
        tif = leg.time_in_force or GTC
        stp = leg.stp_mode or m.default_stp
        order = Order(
            order_id,
            account,
            m.symbol,
            side,
            leg.type,
            tif,
            leg.price,
            leg.quantity,
            0,
            leg.stop_price,
            leg.iceberg_qty,
            leg.client_order_id,
            stp,
            ctx.time,
            held,
            not is_stop,
            records,
        )
        if fee_in_quote:
            take_fee_in_quote(order, maker_bps, taker_bps, fee_held if leg is holder else 0)
        order.order_list = order_list
        order_list.legs.append(order)
        legs.append(order)
        ctx.events.append(
            OrderAccepted(
                ctx.seq,
                ctx.time,
                order.key,
                account,
                m.symbol,
                side,
                tif,
                stp,
                m.quote if side is BUY else m.base,
                held + order.fee_held,
                not is_stop,
                leg,
            )
        )
        register(s, m, order)
        if is_stop:
            m.stops.add(order)
        else:
            (m.bids if side is BUY else m.asks).add(order)
    order_list.pair = (legs[0], legs[1])
    return None


def settle(s: SpotState) -> None:
    """Move on every list one of whose orders ended or filled in this command; placing a
    pending order may end others, which are moved on in turn."""
    due = s.lists_due
    while due:
        order_list = due.pop(0)
        if not order_list.done:
            _move_on(s, order_list)


def _move_on(s: SpotState, order_list: OrderList) -> None:
    m = s.markets[order_list.symbol]
    if order_list.pending:
        working = order_list.legs[0]
        if working.status in OPEN:
            return
        pending = order_list.pending
        order_list.pending = []
        if working.status is FILLED:
            _place_pending(s, m, order_list, pending)
        else:
            _expire_pending(s, m, order_list, pending)
    if any(leg.status in OPEN for leg in order_list.legs):
        return
    order_list.done = True
    order_list.pair = None
    del s.order_lists[order_list.order_list_id]
    if order_list.list_client_order_id:
        del s.list_client_ids[(order_list.account, order_list.list_client_order_id)]
    ctx = s.ctx
    ctx.events.append(
        OrderListStatus(
            ctx.seq,
            ctx.time,
            order_list.order_list_id,
            order_list.account,
            order_list.symbol,
            ListStatusType.ALL_DONE,
            ListOrderStatus.ALL_DONE,
        )
    )


def _place_pending(
    s: SpotState, m: MarketState, order_list: OrderList, pending: list[tuple[int, PlaceOrder]]
) -> None:
    """The working order filled: its pending orders go on the book now, taking their funds
    now; one that cannot (its funds, its price against the book now) expires."""
    if m.status is not TRADING:
        _expire_pending(s, m, order_list, pending)
        return
    if len(pending) == 2:
        (above_id, above), (below_id, below) = pending
        reason = _accept_pair(s, m, order_list, above, below, (above_id, below_id))
        if reason is not None:
            _expire_pending(s, m, order_list, pending)
        return
    order_id, leg = pending[0]
    reason = place_order(s, leg, order_id, order_list)
    if reason is not None:
        _expire_pending(s, m, order_list, pending)


def _expire_pending(
    s: SpotState, m: MarketState, order_list: OrderList, pending: list[tuple[int, PlaceOrder]]
) -> None:
    ctx = s.ctx
    for order_id, leg in pending:
        ctx.events.append(
            OrderExpired(
                ctx.seq,
                ctx.time,
                order_id,
                order_list.account,
                m.symbol,
                m.quote if leg.side is BUY else m.base,
                0,
                False,
            )
        )
