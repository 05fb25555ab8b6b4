"""The operators' spot commands: listing a market, its status, its fees and the asset its
buyers pay them in, its self-trade prevention policy, and per-account fee overrides."""

from typing import Final

from assetport.domain.accounts import FEE_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import (
    ListMarket,
    SetAccountFees,
    SetMarketFeeAsset,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
)
from assetport.domain.events import (
    AccountFeesChanged,
    MarketFeeAssetChanged,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
)
from assetport.domain.markets import FeeAsset, Market, fee_ok, market_problem
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.results import RejectReason
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.state import SpotState

STP_NONE: Final = SelfTradePrevention.NONE


def new_market_state(s: SpotState, market: Market) -> MarketState:
    """The state of a market just listed (or restored from a snapshot)."""
    base = s.assets.get(market.base)
    assert base is not None, f"{market.symbol}: {market.base} is not listed"
    return MarketState(
        market,
        base.unit,
        s.ledger.balance(FEE_ACCOUNT, market.base),
        s.ledger.balance(FEE_ACCOUNT, market.quote),
    )


def list_market(s: SpotState, cmd: ListMarket) -> None:
    market = cmd.market
    ctx = s.ctx
    if market.symbol in s.markets:
        return ctx.reject(RejectReason.ALREADY_LISTED, symbol=market.symbol)
    base = s.assets.get(market.base)
    quote = s.assets.get(market.quote)
    if market_problem(market, base, quote) is not None or base is None:
        return ctx.reject(RejectReason.INVALID_LISTING, symbol=market.symbol)
    s.markets[market.symbol] = new_market_state(s, market)
    ctx.events.append(MarketListed(ctx.seq, ctx.time, market))
    return None


def set_market_status(s: SpotState, cmd: SetMarketStatus) -> None:
    m = s.markets.get(cmd.symbol)
    ctx = s.ctx
    if m is None:
        return ctx.reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
    m.status = cmd.status
    ctx.events.append(MarketStatusChanged(ctx.seq, ctx.time, cmd.symbol, cmd.status))
    return None


def set_market_fees(s: SpotState, cmd: SetMarketFees) -> None:
    m = s.markets.get(cmd.symbol)
    ctx = s.ctx
    if m is None:
        return ctx.reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
    if not fee_ok(cmd.maker_fee_bps) or not fee_ok(cmd.taker_fee_bps):
        return ctx.reject(RejectReason.INVALID_FEE, symbol=cmd.symbol)
    m.maker_fee_bps = cmd.maker_fee_bps
    m.taker_fee_bps = cmd.taker_fee_bps
    ctx.events.append(
        MarketFeesChanged(ctx.seq, ctx.time, cmd.symbol, cmd.maker_fee_bps, cmd.taker_fee_bps)
    )
    return None


def set_market_fee_asset(s: SpotState, cmd: SetMarketFeeAsset) -> None:
    """Orders placed from now on follow the new rule; open orders keep the one they were
    placed under (a buy's fee hold was made for it)."""
    m = s.markets.get(cmd.symbol)
    ctx = s.ctx
    if m is None:
        return ctx.reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
    m.fee_in_quote = cmd.fee_asset is FeeAsset.QUOTE
    ctx.events.append(MarketFeeAssetChanged(ctx.seq, ctx.time, cmd.symbol, cmd.fee_asset))
    return None


def set_market_stp(s: SpotState, cmd: SetMarketSelfTradePrevention) -> None:
    m = s.markets.get(cmd.symbol)
    ctx = s.ctx
    if m is None:
        return ctx.reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
    if cmd.default_stp is STP_NONE and not cmd.allow_stp_none:
        # A default orders could not use: allowing NONE must be said, not implied.
        return ctx.reject(RejectReason.STP_MODE_NOT_ALLOWED, symbol=cmd.symbol)
    m.set_stp_policy(cmd.default_stp, cmd.allow_stp_none)
    ctx.events.append(
        MarketSelfTradePreventionChanged(
            ctx.seq, ctx.time, cmd.symbol, cmd.default_stp, cmd.allow_stp_none
        )
    )
    return None


def set_account_fees(s: SpotState, cmd: SetAccountFees) -> None:
    ctx = s.ctx
    if cmd.account < FIRST_TRADING_ACCOUNT:
        return ctx.reject(RejectReason.INVALID_ACCOUNT, account=cmd.account)
    if cmd.maker_fee_bps < 0 and cmd.taker_fee_bps < 0:
        s.account_fees.pop(cmd.account, None)
    elif fee_ok(cmd.maker_fee_bps) and fee_ok(cmd.taker_fee_bps):
        s.account_fees[cmd.account] = (cmd.maker_fee_bps, cmd.taker_fee_bps)
    else:
        return ctx.reject(RejectReason.INVALID_FEE, account=cmd.account)
    ctx.events.append(
        AccountFeesChanged(ctx.seq, ctx.time, cmd.account, cmd.maker_fee_bps, cmd.taker_fee_bps)
    )
    return None
