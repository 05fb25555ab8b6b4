"""Order lists: an OCO (one cancels the other), an OTO (one triggers the other) and an
OTOCO (one triggers an OCO), in Binance spot's vocabulary so that the gateway maps it one to
one.

An OCO's two legs are the *above* and the *below* order: one of them a LIMIT_MAKER, a
TAKE_PROFIT or a TAKE_PROFIT_LIMIT, the other a STOP_LOSS or a STOP_LOSS_LIMIT, placed on the
side of the last price their names say. An OTO has a *working* order (LIMIT or LIMIT_MAKER)
and a *pending* order placed when the working one is fully filled; an OTOCO's pending orders
are an OCO pair. The rules are Binance's (docs/trading-rules.md#order-lists).
"""

from enum import StrEnum
from typing import Final

from assetport.domain.orders import OrderType, Side


class ListKind(StrEnum):
    """What a client placed; Binance reports an OTOCO's `contingencyType` as OTO."""

    OCO = "OCO"
    OTO = "OTO"
    OTOCO = "OTOCO"


class ContingencyType(StrEnum):
    OCO = "OCO"
    OTO = "OTO"


class ListStatusType(StrEnum):
    RESPONSE = "RESPONSE"
    EXEC_STARTED = "EXEC_STARTED"
    UPDATED = "UPDATED"
    ALL_DONE = "ALL_DONE"


class ListOrderStatus(StrEnum):
    EXECUTING = "EXECUTING"
    ALL_DONE = "ALL_DONE"
    REJECT = "REJECT"


class LegProblem(StrEnum):
    """Why an OCO pair's types do not fit (Binance -1196..-1199, or a bad combination)."""

    BUY_STOP_LOSS_MUST_BE_ABOVE = "BUY_STOP_LOSS_MUST_BE_ABOVE"
    SELL_STOP_LOSS_MUST_BE_BELOW = "SELL_STOP_LOSS_MUST_BE_BELOW"
    BUY_TAKE_PROFIT_MUST_BE_BELOW = "BUY_TAKE_PROFIT_MUST_BE_BELOW"
    SELL_TAKE_PROFIT_MUST_BE_ABOVE = "SELL_TAKE_PROFIT_MUST_BE_ABOVE"
    UNSUPPORTED = "UNSUPPORTED"  # e.g. two stop losses, or a plain LIMIT leg


STOP_LOSS_TYPES: Final = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT})
TAKE_PROFIT_TYPES: Final = frozenset(
    {OrderType.LIMIT_MAKER, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
)
WORKING_TYPES: Final = frozenset({OrderType.LIMIT, OrderType.LIMIT_MAKER})
# Legs of an OCO, in the order a pair's legs are given (above first).
ABOVE: Final = 0
BELOW: Final = 1


def oco_leg_problem(side: Side, above: OrderType, below: OrderType) -> LegProblem | None:
    """Whether an OCO's above and below types make a pair Binance accepts: one take-profit
    kind (LIMIT_MAKER, TAKE_PROFIT, TAKE_PROFIT_LIMIT) and one stop loss, the stop loss above
    a buy's last price and below a sell's."""
    if above in STOP_LOSS_TYPES and below in STOP_LOSS_TYPES:
        return LegProblem.UNSUPPORTED
    if side is Side.BUY:
        if below in STOP_LOSS_TYPES:
            return LegProblem.BUY_STOP_LOSS_MUST_BE_ABOVE
        if above in TAKE_PROFIT_TYPES:
            return LegProblem.BUY_TAKE_PROFIT_MUST_BE_BELOW
    else:
        if above in STOP_LOSS_TYPES:
            return LegProblem.SELL_STOP_LOSS_MUST_BE_BELOW
        if below in TAKE_PROFIT_TYPES:
            return LegProblem.SELL_TAKE_PROFIT_MUST_BE_ABOVE
    if above not in STOP_LOSS_TYPES | TAKE_PROFIT_TYPES:
        return LegProblem.UNSUPPORTED
    if below not in STOP_LOSS_TYPES | TAKE_PROFIT_TYPES:
        return LegProblem.UNSUPPORTED
    return None


def contingency_of(kind: ListKind) -> ContingencyType:
    return ContingencyType.OCO if kind is ListKind.OCO else ContingencyType.OTO


def legs_of(kind: ListKind) -> int:
    """How many orders a list of the kind has: what it adds to the order-count limits."""
    return 3 if kind is ListKind.OTOCO else 2


def trigger_price(order_type: OrderType, price: int, stop_price: int) -> int:
    """The price that places a leg on one side of the last price: a LIMIT_MAKER's limit,
    a stop's stop price."""
    return price if order_type is OrderType.LIMIT_MAKER else stop_price
