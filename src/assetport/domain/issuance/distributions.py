"""A distribution (a property's rent, a film's royalties, a coupon) shared pro rata among a
token's holders at a record time, exactly, in integer units.

The rule: each holder is paid `amount × holding ÷ total held`, rounded down; what the
rounding leaves (less than one unit per holder) goes back to the issuer. So the payouts
and the remainder add up to the amount declared, nothing is created, and no holder is paid
more than their exact share. Holders are taken in account order, so the result is the same
however the register was read.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shares:
    payouts: list[tuple[int, int]]  # (account, units paid), in account order; no zeros
    remainder: int  # back to the issuer


def pro_rata(amount: int, holdings: Sequence[tuple[int, int]]) -> Shares:
    """Share `amount` among `holdings` ((account, units held), each account once, every
    holding positive); ValueError if there is nobody to pay."""
    if amount < 0:
        raise ValueError("a distribution's amount cannot be negative")
    total = 0
    for _, held in holdings:
        if held <= 0:
            raise ValueError("a holding is positive")
        total += held
    if total == 0:
        raise ValueError("a distribution needs at least one holder")
    payouts: list[tuple[int, int]] = []
    paid = 0
    for account, held in sorted(holdings):
        share = amount * held // total
        if share:
            payouts.append((account, share))
            paid += share
    return Shares(payouts, amount - paid)
