"""Markets and their trading rules, with the meaning of Binance's spot filters.

PRICE_FILTER: `min_price` <= price <= `max_price` (0 = unbounded), price a multiple of
`tick_size`. LOT_SIZE: `min_qty` <= quantity <= `max_qty`, a multiple of `step_size`.
NOTIONAL: `min_notional` <= price x quantity <= `max_notional` (0 = unbounded).
MAX_NUM_ORDERS: at most `max_num_orders` open orders per account in the market.

Self-trade prevention: an order without a mode gets the market's `default_stp`; the mode
NONE (an account may trade with itself) is allowed only where an operator enabled it
(`allow_stp_none`). A market whose default is NONE allows it too: markets listed before the
rule had NONE as their default, and the journal must replay as it ran.
"""

import re
from enum import StrEnum

import msgspec

from assetport.domain.assets import Asset
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.units import MAX_AMOUNT

SYMBOL = re.compile(r"[A-Z0-9]{2,20}")  # whole: `$` would let a final newline in
MAX_FEE_BPS = 1000
BPS = 10_000  # fee rates are in basis points


class FeeAsset(StrEnum):
    """Which asset a market's buyers pay their fee in. RECEIVED is Binance's rule (each side
    pays in the asset it receives: the buyer in base, the seller in quote). QUOTE is Upbit's
    rule for KRW markets: both sides pay in quote, so that a buy leaves no fraction of the base
    asset that cannot be sold; the buyer holds the fee with the order (docs/trading-rules.md)."""

    RECEIVED = "RECEIVED"
    QUOTE = "QUOTE"


class MarketStatus(StrEnum):
    TRADING = "TRADING"
    HALT = "HALT"
    CANCEL_ONLY = "CANCEL_ONLY"


class Market(msgspec.Struct, frozen=True, gc=False):
    """A spot market's listing: its assets, filters, fees and initial status.

    `tick_size` is in quote units per whole base unit, `step_size` and the quantity bounds in
    base units, the notional bounds in quote units.
    """

    symbol: str
    base: str
    quote: str
    tick_size: int
    step_size: int
    min_qty: int
    max_qty: int
    min_price: int = 0
    max_price: int = 0
    min_notional: int = 0
    max_notional: int = 0
    max_num_orders: int = 200
    maker_fee_bps: int = 0
    taker_fee_bps: int = 0
    status: MarketStatus = MarketStatus.TRADING
    default_stp: SelfTradePrevention = SelfTradePrevention.EXPIRE_MAKER
    iceberg_allowed: bool = True
    max_iceberg_parts: int = 100
    quote_order_qty_allowed: bool = True
    allow_stp_none: bool = False


def stp_none_allowed(default_stp: SelfTradePrevention, allow_stp_none: bool) -> bool:
    """Whether orders may use STP mode NONE: where an operator allowed it, and where it is
    the default (see the module's docstring)."""
    return allow_stp_none or default_stp is SelfTradePrevention.NONE


def allowed_stp_modes(none_allowed: bool) -> list[str]:
    """exchangeInfo's `allowedSelfTradePreventionModes`, in Binance's order (the enum's)."""
    return [
        mode.value
        for mode in SelfTradePrevention
        if none_allowed or mode is not SelfTradePrevention.NONE
    ]


class MarketTerms(msgspec.Struct, frozen=True, gc=False):
    """A market as it trades now: its listing, and what operators have changed since
    (status, fees, self-trade prevention). What the engine's read API answers and the
    gateway's views hold; never the engine's own state."""

    market: Market
    status: MarketStatus
    maker_fee_bps: int
    taker_fee_bps: int
    default_stp: SelfTradePrevention
    allow_stp_none: bool
    fee_asset: FeeAsset = FeeAsset.RECEIVED


def notional(price: int, quantity: int, base_unit: int) -> int:
    """Quote units paid for `quantity` base units at `price`; exact for a valid market."""
    return price * quantity // base_unit


def market_problem(market: Market, base: Asset | None, quote: Asset | None) -> str | None:
    """Why a market listing is not acceptable, or None when it is."""
    if not SYMBOL.fullmatch(market.symbol):
        return "symbol must be 2 to 20 upper-case letters or digits"
    if base is None or quote is None:
        return "base and quote assets must be listed first"
    if base.code == quote.code:
        return "base and quote must differ"
    if market.tick_size <= 0 or market.step_size <= 0:
        return "tick size and step size must be positive"
    if market.tick_size * market.step_size % base.unit:
        # Every price x quantity must be a whole number of quote units, so that no trade ever
        # needs rounding; only fees round.
        return "tick size x step size must be a whole number of quote units"
    if market.min_qty < market.step_size or market.min_qty % market.step_size:
        return "min quantity must be a positive multiple of the step size"
    if market.max_qty < market.min_qty or market.max_qty % market.step_size:
        return "max quantity must be a multiple of the step size, at least the minimum"
    if market.min_price < 0 or market.min_price % market.tick_size:
        return "min price must be a multiple of the tick size"
    if market.max_price and (
        market.max_price < market.min_price or market.max_price % market.tick_size
    ):
        return "max price must be 0 or a multiple of the tick size, at least the minimum"
    if market.min_notional < 0 or market.max_notional < 0:
        return "notional bounds cannot be negative"
    if market.max_notional and market.max_notional < market.min_notional:
        return "max notional must be 0 or at least the minimum"
    if market.max_num_orders <= 0:
        return "max number of orders must be positive"
    if market.max_iceberg_parts <= 0:
        return "max iceberg parts must be positive"
    if not fee_ok(market.maker_fee_bps) or not fee_ok(market.taker_fee_bps):
        return f"fees must be between 0 and {MAX_FEE_BPS} basis points"
    return None


def listing_amount_problem(market: Market) -> str | None:
    """Why a new listing's amounts go beyond what the ledger records (`MAX_AMOUNT`), or None.

    Listings read from a file are held to it; the engine clamps the limits of a market listed
    before (its journal must replay) to the same bound instead of refusing it.
    """
    amounts = (
        market.tick_size,
        market.step_size,
        market.min_qty,
        market.max_qty,
        market.min_price,
        market.max_price,
        market.min_notional,
        market.max_notional,
    )
    if any(amount > MAX_AMOUNT for amount in amounts):
        return f"amounts must be at most {MAX_AMOUNT} units"
    return None


def fee_ok(bps: int) -> bool:
    return 0 <= bps <= MAX_FEE_BPS


def fee_rates(override: tuple[int, int] | None, maker_bps: int, taker_bps: int) -> tuple[int, int]:
    """The one fee rule: the (maker, taker) basis points an account pays in a market are
    its own when an operator set them (`override`), else the market's. The engine settles
    by it (`engine/spot/settlement.py` inlines it on the hot path; the property tests hold
    the fees charged to it) and the gateway's views answer by it."""
    return override if override is not None else (maker_bps, taker_bps)
