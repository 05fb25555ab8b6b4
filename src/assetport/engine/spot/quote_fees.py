"""Fees in quote for buys on a QUOTE-fee market (`domain/markets.FeeAsset`).

Such a buy holds its fee apart from its price (`Order.fee_held`), at the rates in force when
it was placed. Each trade adds value x rate to the order's `fee_basis`, and the fee charged is
how far the rounded-up basis moved: the order pays ceil(basis / 10,000) in all, however many
trades it took. Rounding once per trade instead could charge a unit more per trade than the
order holds; this way the fee held for the whole price always covers it.
"""

from typing import Final

from assetport.domain.markets import BPS as _BPS
from assetport.engine.spot.order import Order

BPS: Final = _BPS


def take_fee_in_quote(order: Order, maker_bps: int, taker_bps: int, fee_held: int) -> None:
    """Mark a new buy as paying its fee in quote at these rates, holding `fee_held` for it."""
    order.fee_in_quote = True
    order.maker_bps = maker_bps
    order.taker_bps = taker_bps
    order.fee_held = fee_held


def hold_rate(order: Order) -> int:
    """The rate its fee is held at: the higher of its two, whichever way it trades."""
    return order.maker_bps if order.maker_bps > order.taker_bps else order.taker_bps


def fee_needed(order: Order, notional: int) -> int:
    """The most the order can still be charged if it trades `notional` more quote units."""
    rate = hold_rate(order)
    before = order.fee_basis
    return (-before // BPS) - (-(before + notional * rate) // BPS)


def charge(order: Order, value: int, is_maker: bool) -> int:
    """The fee the order pays for a trade of `value` quote units; taken from its fee hold."""
    before = order.fee_basis
    after = before + value * (order.maker_bps if is_maker else order.taker_bps)
    order.fee_basis = after
    fee: int = (-before // BPS) - (-after // BPS)
    order.fee_held -= fee
    return fee


def top_up(order: Order, free: int, wanted: int) -> tuple[int, int]:
    """(price, fee) units a triggered stop-market buy adds to its holds: as much of `wanted`
    more price as `free` quote can hold together with the fee on it."""
    rate = hold_rate(order)
    added = min(wanted, free * BPS // (BPS + rate))
    while added > 0:
        fee = fee_needed(order, order.held + added) - order.fee_held
        if fee < 0:
            fee = 0
        if added + fee <= free:
            return added, fee
        added -= 1  # rounding: one or two steps at most
    return 0, 0
