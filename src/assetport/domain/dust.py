"""Small balances ("dust") and their conversion, as Binance and Upbit offer it: a balance too
small to sell with an order of its own is sold to the venue in one step.

A free balance of an asset is dust against a target asset (KRW) when its market (asset/target)
would refuse it as a sell order: worth less than the market's minimum order (NOTIONAL) at the
last price, or less than its minimum quantity (LOT_SIZE). It is valued at the last price,
rounded down; the venue keeps a service fee of `DUST_FEE_BPS` of that value, rounded up
(Binance's "dribbletPercentage" is 2 %), and pays the rest. The fee account buys it: it pays
from the fees it collected and holds the small balances it bought.
"""

from typing import Final

from assetport.domain.markets import BPS

DUST_FEE_BPS: Final = 200  # 2 %


def dust_value(amount: int, last_price: int, base_unit: int) -> int:
    """What `amount` base units are worth in quote units at `last_price`, rounded down."""
    return amount * last_price // base_unit


def dust_fee(value: int) -> int:
    """The venue's service fee on a conversion worth `value`, rounded up."""
    return -(-value * DUST_FEE_BPS // BPS)


def is_dust(amount: int, value: int, min_qty: int, min_notional: int) -> bool:
    """Whether a balance is too small to sell with an order of its own."""
    return amount > 0 and (amount < min_qty or value < min_notional)
