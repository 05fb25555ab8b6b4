"""One match settled: the buyer's hold pays the seller, the seller's hold gives the base,
fees are charged in the asset each side receives (or, for a buy placed on a QUOTE-fee
market, the buyer's in quote from its fee hold), all as one balanced posting; then the
orders move on and the trade is stated as an event.

The rounding policy (fees round up, a limit buy that trades below its limit gets the
difference back) is in docs/trading-rules.md.
"""

from typing import Final

from assetport.domain.events import TradeExecuted
from assetport.domain.markets import BPS as _BPS
from assetport.domain.markets import fee_rates as domain_fee_rates
from assetport.domain.orders import OrderStatus
from assetport.engine.ledger import Overdrawn
from assetport.engine.spot.book import BookSide
from assetport.engine.spot.lifecycle import fill, unregister
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.oco import activate
from assetport.engine.spot.order import Order
from assetport.engine.spot.quote_fees import charge
from assetport.engine.spot.state import SpotState

BPS: Final = _BPS
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
_TradeExecuted: Final = TradeExecuted


def fee_rates(s: SpotState, m: MarketState, account: int) -> tuple[int, int]:
    """The (maker, taker) rates in basis points `account` pays in the market."""
    return domain_fee_rates(s.account_fees.get(account), m.maker_fee_bps, m.taker_fee_bps)


def trade(
    s: SpotState,
    m: MarketState,
    opposite: BookSide,
    taker: Order,
    maker: Order,
    price: int,
    quantity: int,
    taker_is_buy: bool,
) -> None:
    """Settle one match from the holds, charge fees in the received assets, record it."""
    if maker.order_list is not None:
        # A resting OCO leg's first trade: the other leg expires now (engine/spot/oco.py).
        activate(s, m, maker)
    unit = m.base_unit
    value = price * quantity // unit
    maker_bps = m.maker_fee_bps
    taker_bps = m.taker_fee_bps
    if s.account_fees:
        override = s.account_fees.get(maker.account)
        if override is not None:
            maker_bps = override[0]
        override = s.account_fees.get(taker.account)
        if override is not None:
            taker_bps = override[1]
    if taker_is_buy:
        buyer, seller, buyer_bps, seller_bps = taker, maker, taker_bps, maker_bps
    else:
        buyer, seller, buyer_bps, seller_bps = maker, taker, maker_bps, taker_bps
    # Fees round up: the venue never gives away a fraction of a unit.
    fee_in_quote = buyer.fee_in_quote
    if fee_in_quote:
        buyer_fee = charge(buyer, value, not taker_is_buy)
        base_fee = 0
    else:
        buyer_fee = base_fee = -(-quantity * buyer_bps // BPS)
    seller_fee = -(-value * seller_bps // BPS)
    reserved = buyer.price * quantity // unit if buyer.price else value
    released = reserved - value

    buyer_base, buyer_quote = buyer.wallet
    seller_base, seller_quote = seller.wallet
    posting = s.posting
    # The quote: the buyer's hold pays the value (and gives back a limit buy's price
    # improvement, and pays a fee in quote); the seller receives it less the fee.
    quote_fee = buyer_fee if fee_in_quote else 0
    posting.add(buyer_quote, released, -reserved - quote_fee)
    posting.add(seller_quote, value - seller_fee, 0)
    posting.add(m.fee_quote, seller_fee + quote_fee, 0)
    # The base: the seller's hold gives the quantity; the buyer receives it less any fee.
    posting.add(seller_base, 0, -quantity)
    posting.add(buyer_base, quantity - base_fee, 0)
    posting.add(m.fee_base, base_fee, 0)
    if not s.ledger.move(posting):
        raise Overdrawn("a trade's holds did not cover it")

    buyer.held -= reserved
    seller.held -= quantity
    ctx = s.ctx
    time = ctx.time
    taker.executed += quantity
    taker.executed_quote += value
    taker.status = PARTIALLY_FILLED
    taker.updated = time
    maker.executed += quantity
    maker.executed_quote += value
    maker.visible -= quantity
    shown_at = maker.level
    if shown_at is not None:  # a maker rests in a level: it keeps the level's sum
        shown_at.shown -= quantity
    maker.updated = time
    trade_id = m.next_trade_id
    m.next_trade_id = trade_id + 1
    m.last_price = price
    ctx.events.append(
        _TradeExecuted(
            ctx.seq,
            time,
            m.symbol,
            trade_id,
            price,
            quantity,
            value,
            buyer.key,
            seller.key,
            buyer.owner,
            seller.owner,
            not taker_is_buy,
            buyer_fee,
            seller_fee,
            released,
            fee_in_quote,
        )
    )
    if maker.executed == maker.quantity:
        opposite.remove(maker)
        unregister(s, m, maker)
        fill(s, m, maker)
    else:
        maker.status = PARTIALLY_FILLED
        if not maker.visible:
            # An iceberg shows its next slice at the back of the queue.
            opposite.requeue(maker, min(maker.iceberg_qty, maker.quantity - maker.executed))
