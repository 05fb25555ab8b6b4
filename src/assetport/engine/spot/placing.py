"""A new order: the checks, the hold of what it may spend, its acceptance, then resting,
matching or waiting for its stop price (docs/trading-rules.md)."""

from typing import Any, Final

from msgspec.structs import astuple

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import PlaceOrder
from assetport.domain.events import OrderAccepted
from assetport.domain.markets import BPS as _BPS
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.spot.checks import check_order
from assetport.engine.spot.lifecycle import register, wallet
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.matching import execute, trigger_stops, walk
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
from assetport.engine.spot.quote_fees import take_fee_in_quote
from assetport.engine.spot.state import SpotState
from assetport.engine.spot.stops import would_trigger

BUY: Final = Side.BUY
SELL: Final = Side.SELL
LIMIT: Final = OrderType.LIMIT
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
MARKET: Final = OrderType.MARKET
GTC: Final = TimeInForce.GTC
TRADING: Final = MarketStatus.TRADING
HALT: Final = MarketStatus.HALT
UNLIMITED: Final = 1 << 62
BPS: Final = _BPS

# The compiled engine looks an imported name up in its module's dict on every use; a name
# bound Final is read from a C static instead. These are the names every order uses.
_OrderAccepted: Final = OrderAccepted
_astuple: Final = astuple


def place(s: SpotState, cmd: PlaceOrder) -> None:
    reason = place_order(s, cmd)
    if reason is not None:
        s.ctx.reject(reason, cmd.account, cmd.symbol, cmd.client_order_id)


def market_problem(m: MarketState | None) -> RejectReason | None:
    """Why no new order can be placed in the market now, or None."""
    if m is None:
        return RejectReason.UNKNOWN_SYMBOL
    if m.status is not TRADING:
        if m.status is HALT:
            return RejectReason.MARKET_CLOSED
        return RejectReason.MARKET_CANCEL_ONLY
    return None


def place_order(
    s: SpotState, cmd: PlaceOrder, given_id: int = 0, order_list: OrderList | None = None
) -> RejectReason | None:
    """Place the order, or answer why not (changing nothing). A leg of an order list
    (engine/spot/order_lists.py) comes with the id its list gave it and the list."""
    # One read of the whole message: field by field costs more. The account stays a
    # Python int (Any): compiled code would box a native int anew for every dict key.
    account: Any
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    price: int
    time_in_force: TimeInForce | None
    quote_quantity: int
    stop_price: int
    iceberg_qty: int
    cid: str
    stp_mode: SelfTradePrevention | None
    (
        account,
        symbol,
        side,
        order_type,
        quantity,
        price,
        time_in_force,
        quote_quantity,
        stop_price,
        iceberg_qty,
        cid,
        stp_mode,
    ) = _astuple(cmd)
    m = s.markets.get(symbol)
    if m is None or m.status is not TRADING:
        return market_problem(m)
    if account < FIRST_TRADING_ACCOUNT:
        return RejectReason.INVALID_ACCOUNT
    reason = check_order(
        m,
        order_type,
        quantity,
        price,
        time_in_force,
        quote_quantity,
        stop_price,
        iceberg_qty,
        cid,
        stp_mode,
    )
    if reason is not None:
        return reason
    if cid and (account, cid) in s.client_ids:
        return RejectReason.DUPLICATE_ORDER
    rules = s.gate.rules
    if rules and (m.base in rules or m.quote in rules):
        reason = holder_problem(s, m, account, side, quantity)
        if reason is not None:
            return reason
    mine = m.open_orders.get(account)
    if mine is not None and len(mine) >= m.max_num_orders:
        return RejectReason.MAX_NUM_ORDERS
    stp = stp_mode or m.default_stp
    is_stop = stop_price != 0
    if is_stop and would_trigger(order_type, side, stop_price, m.last_price):
        return RejectReason.WOULD_TRIGGER_IMMEDIATELY
    opposite = m.asks if side is BUY else m.bids
    best = opposite.best()
    crosses = best is not None and price != 0 and (best <= price if side is BUY else best >= price)
    if crosses and order_type is LIMIT_MAKER:
        return RejectReason.WOULD_TAKE

    # Hold what the order may spend before it can trade or rest.
    fee_held = maker_bps = taker_bps = 0
    fee_in_quote = False
    if side is BUY:
        held_asset = m.quote
        if order_type is LIMIT:
            held = price * quantity // m.base_unit
        else:
            held = _hold_for_buy(m, cmd, account, stp)
        if m.fee_in_quote:
            # The one fee rule (domain/markets.py), inlined as settlement inlines it: every
            # buy on a won market passes here. It holds the fee of the whole price at the
            # higher rate, rounded up (docs/trading-rules.md).
            fee_in_quote = True
            maker_bps = m.maker_fee_bps
            taker_bps = m.taker_fee_bps
            if s.account_fees:
                override = s.account_fees.get(account)
                if override is not None:
                    maker_bps, taker_bps = override
            rate = maker_bps if maker_bps > taker_bps else taker_bps
            fee_held = -(-held * rate // BPS)
    else:
        held_asset = m.base
        if quote_quantity:
            held, _ = walk(m, SELL, account, stp, 0, UNLIMITED, quote_quantity)
        else:
            held = quantity
    records = m.wallets.get(account)
    hold = held + fee_held
    if hold:
        if records is None:
            # Look before making the records: a rejected order changes nothing.
            if s.ledger.free(account, held_asset) < hold:
                return RejectReason.INSUFFICIENT_BALANCE
            records = wallet(s, m, account)
        if not s.ledger.hold(records[1] if side is BUY else records[0], hold):
            return RejectReason.INSUFFICIENT_BALANCE
    elif records is None:
        records = wallet(s, m, account)

    if given_id:
        order_id = given_id
    else:
        order_id = s.next_order_id
        s.next_order_id = order_id + 1
    tif = time_in_force or GTC
    ctx = s.ctx
    time = ctx.time
    order = Order(
        order_id,
        account,
        symbol,
        side,
        order_type,
        tif,
        price,
        quantity,
        quote_quantity,
        stop_price,
        iceberg_qty,
        cid,
        stp,
        time,
        held,
        not is_stop,
        records,
    )
    if fee_in_quote:
        take_fee_in_quote(order, maker_bps, taker_bps, fee_held)
    if order_list is not None:
        order.order_list = order_list
        order_list.legs.append(order)
    ctx.events.append(
        _OrderAccepted(
            ctx.seq,
            time,
            order.key,
            account,
            symbol,
            side,
            tif,
            stp,
            held_asset,
            hold,
            not is_stop,
            cmd,
        )
    )
    if is_stop:
        register(s, m, order, mine)
        m.stops.add(order)
    elif not crosses and price and tif is GTC:
        register(s, m, order, mine)
        (m.bids if side is BUY else m.asks).add(order)
    else:
        last_price = m.last_price
        execute(s, m, order, registered=False)
        if m.last_price != last_price and m.stops.orders:
            trigger_stops(s, m)
    return None


def holder_problem(
    s: SpotState, m: MarketState, account: int, side: Side, quantity: int
) -> RejectReason | None:
    """A permissioned token's rules (engine/holder_gate.py): neither side of a market
    trades it in its lock-up, and a buyer (a seller, for a permissioned quote) must be
    allowed to hold what it would receive. An order sized in quote is held to the caps
    trade by trade, in matching."""
    gate = s.gate
    now = s.ctx.time
    reason = gate.movement_problem(m.base, now) or gate.movement_problem(m.quote, now)
    if reason is not None:
        return reason
    if side is BUY:
        return gate.delivery_problem(account, m.base, quantity)
    return gate.delivery_problem(account, m.quote, 0)


def _hold_for_buy(m: MarketState, cmd: PlaceOrder, account: int, stp: SelfTradePrevention) -> int:
    """What a buy other than a plain LIMIT holds (docs/trading-rules.md)."""
    if cmd.type is not MARKET:
        return (cmd.price or cmd.stop_price) * cmd.quantity // m.base_unit
    if cmd.quote_quantity:
        return cmd.quote_quantity
    _, cost = walk(m, BUY, account, stp, 0, cmd.quantity, 0)
    return cost
