"""Conversion between decimal strings at the edge and integer units in the core.

Every amount inside Assetport is an integer count of an asset's smallest unit. A `Decimal`
or a decimal string exists only where people or other programs read and write numbers.
Floats are refused: they cannot represent most decimal amounts exactly.
"""

from decimal import Decimal, InvalidOperation
from typing import Final

# The largest number of units of one asset the ledger records: an asset's total supply (what
# the external account has put in), and so every balance and hold, and every order's value
# and price, stays at or below it. The journal, the snapshots and the SQL read model store
# integers in 64 bits; with every amount at most 2**62 - 1, even what one order can receive
# over its life (a taker's fills, paid from what the whole market holds, then its own value
# as a resting order) stays below 2**63. It is also the largest integer compiled code keeps
# unboxed.
MAX_AMOUNT: Final = (1 << 62) - 1


class AmountError(ValueError):
    """A decimal amount that cannot be expressed exactly in integer units."""


def to_units(amount: str | Decimal | int, precision: int) -> int:
    """Turn a decimal amount into integer units of 10**-precision, refusing any rounding."""
    if isinstance(amount, float | bool):
        raise AmountError("amounts must be given as decimal strings, not floats")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError) as exc:
        raise AmountError(f"not a decimal number: {amount!r}") from exc
    if not value.is_finite():
        raise AmountError(f"not a finite number: {amount!r}")
    scaled = value.scaleb(precision)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{amount} has more than {precision} decimal places")
    return int(scaled)


def from_units(units: int, precision: int) -> str:
    """Render integer units as a fixed-point decimal string with exactly `precision` places."""
    if precision == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    digits = str(abs(units)).rjust(precision + 1, "0")
    return f"{sign}{digits[:-precision]}.{digits[-precision:]}"


def to_decimal(units: int, precision: int) -> Decimal:
    """Integer units as an exact `Decimal`."""
    return Decimal(units).scaleb(-precision)
