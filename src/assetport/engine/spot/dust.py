"""Small balances converted (`domain/dust.py`): each named asset's whole free balance goes to
the fee account, and its value at the last price, less the service fee, comes back in the
target asset; every asset or none, as one posting."""

from assetport.domain.accounts import FEE_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import ConvertDust
from assetport.domain.dust import dust_fee, dust_value, is_dust
from assetport.domain.events import DustConversion, DustConverted
from assetport.domain.results import RejectReason
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.state import SpotState


def convert_dust(s: SpotState, cmd: ConvertDust) -> None:
    if cmd.account < FIRST_TRADING_ACCOUNT:
        return s.ctx.reject(RejectReason.INVALID_ACCOUNT, cmd.account, cmd.target)
    conversions: list[DustConversion] = []
    for asset in cmd.assets:
        conversion = _conversion(s, cmd, asset, conversions)
        if isinstance(conversion, RejectReason):
            # The asset the refusal is about goes where an order's symbol would.
            return s.ctx.reject(conversion, cmd.account, asset)
        conversions.append(conversion)
    if not conversions:
        return s.ctx.reject(RejectReason.INVALID_AMOUNT, cmd.account, cmd.target)
    paid = sum(c.transferred for c in conversions)
    if s.ledger.free(FEE_ACCOUNT, cmd.target) < paid:
        return s.ctx.reject(RejectReason.CONVERSION_UNAVAILABLE, cmd.account, cmd.target)
    ledger = s.ledger
    posting = s.posting
    for c in conversions:
        posting.add(ledger.balance(cmd.account, c.asset), -c.amount, 0)
        posting.add(ledger.balance(FEE_ACCOUNT, c.asset), c.amount, 0)
        posting.add(ledger.balance(FEE_ACCOUNT, cmd.target), -c.transferred, 0)
        posting.add(ledger.balance(cmd.account, cmd.target), c.transferred, 0)
    moved = ledger.move(posting)
    assert moved, "a dust conversion's balances were checked before it moved"
    ctx = s.ctx
    ctx.events.append(DustConverted(ctx.seq, ctx.time, cmd.account, cmd.target, tuple(conversions)))
    return None


def _conversion(
    s: SpotState, cmd: ConvertDust, asset: str, before: list[DustConversion]
) -> DustConversion | RejectReason:
    if asset == cmd.target or any(c.asset == asset for c in before):
        return RejectReason.INVALID_ORDER
    if s.assets.get(asset) is None:
        return RejectReason.UNKNOWN_ASSET
    m = market_of(s, asset, cmd.target)
    if m is None or not m.last_price:
        return RejectReason.NO_PRICE
    amount = s.ledger.free(cmd.account, asset)
    if not amount:
        return RejectReason.INSUFFICIENT_BALANCE
    value = dust_value(amount, m.last_price, m.base_unit)
    if not is_dust(amount, value, m.min_qty, m.min_notional):
        return RejectReason.NOT_DUST
    fee = dust_fee(value)
    return DustConversion(asset, amount, value, fee, value - fee)


def market_of(s: SpotState, base: str, quote: str) -> MarketState | None:
    """The market trading `base` against `quote`, if one is listed."""
    for m in s.markets.values():
        if m.base == base and m.quote == quote:
            return m
    return None
