"""What the exchange lists: assets and markets, from a TOML file or the demo defaults.

Amounts in the file are decimal strings, as an operator writes them; they become integer
units here, and a listing the engine would refuse is refused here first with the reason.

    [[assets]]
    code = "KRW"
    precision = 0

    [[markets]]
    symbol = "KGLDKRW"
    base = "KGLD"
    quote = "KRW"
    tick_size = "10"
    step_size = "0.1"
    min_qty = "0.1"
    max_qty = "100000"
    min_notional = "5000"
    maker_fee_bps = 5
    taker_fee_bps = 5
    default_stp = "EXPIRE_MAKER"   # self-trade prevention of orders that name no mode
    allow_stp_none = false         # true lets orders trade with their own account (NONE)
    fee_asset = "QUOTE"            # buyers pay the fee in KRW too (default "RECEIVED")

Self-trade prevention is on by default (EXPIRE_MAKER, NONE refused), as on Binance: wash
trades are unlawful under Korea's Virtual Asset User Protection Act. A default of NONE must
say `allow_stp_none = true`. A market listed before these fields existed (its default was
NONE, and NONE was allowed) gets the file's policy when the server starts (`stp_updates`);
after that, only the operator changes it (`assetport admin stp`).

`fee_asset` says which asset buyers pay their fee in (`domain/markets.FeeAsset`): RECEIVED,
Binance's rule and the default, charges them in the base they receive; QUOTE, Upbit's rule
on won markets and the demo's, charges them in quote, so that a buy leaves no fraction of a
token that cannot be sold. The file decides: when the server starts, a market whose rule
differs from the file's is changed to it (`fee_asset_updates`), for orders placed from then.
"""

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assetport.domain.assets import Asset, AssetKind, asset_problem
from assetport.domain.commands import (
    Command,
    ListAsset,
    ListMarket,
    SetMarketFeeAsset,
    SetMarketSelfTradePrevention,
)
from assetport.domain.markets import (
    FeeAsset,
    Market,
    MarketTerms,
    listing_amount_problem,
    market_problem,
)
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.units import to_units


class ListingError(ValueError):
    """A listing file that cannot be used, with the reason."""


# Realistic demo listings: tokenized gold, silver, copper and oil quoted in won (a token is a
# gram of gold or silver, a kilogram of copper, a barrel of oil), a share of an office tower
# and a tonne of carbon credits, and crypto pairs. Every tick x step is a whole number of
# quote units, so trades never round (docs/trading-rules.md).
DEMO_ASSETS: tuple[tuple[str, int], ...] = (
    ("KRW", 0),
    ("USDT", 8),
    ("BTC", 8),
    ("ETH", 8),
    ("KGLD", 4),
    ("KSLV", 4),
    ("KCU", 4),
    ("KOIL", 4),
    ("KRE1", 0),
    ("KCO2", 0),
)

# The demo's real-world-asset tokens and their issuers' treasuries (domain/accounts.py):
# demo_listings() lists them as rwa_tokens, and `assetport serve` sets up their issuers
# (server/demo_issuers.py). DEMO_ASSETS stays (code, precision) pairs: tests write it into
# listing files of plain coins.
DEMO_ISSUERS: dict[str, int] = {
    "KGLD": 101,
    "KSLV": 102,
    "KCU": 103,
    "KOIL": 104,
    "KRE1": 105,
    "KCO2": 106,
}

DEMO_MARKETS: tuple[dict[str, Any], ...] = (
    {"symbol": "KGLDKRW", "base": "KGLD", "quote": "KRW", "tick_size": "10",
     "step_size": "0.1", "min_qty": "0.1", "max_qty": "100000", "min_notional": "5000"},
    {"symbol": "KSLVKRW", "base": "KSLV", "quote": "KRW", "tick_size": "1",
     "step_size": "1", "min_qty": "1", "max_qty": "10000000", "min_notional": "5000"},
    {"symbol": "KCUKRW", "base": "KCU", "quote": "KRW", "tick_size": "1",
     "step_size": "1", "min_qty": "1", "max_qty": "10000000", "min_notional": "5000"},
    {"symbol": "KOILKRW", "base": "KOIL", "quote": "KRW", "tick_size": "10",
     "step_size": "0.1", "min_qty": "0.1", "max_qty": "1000000", "min_notional": "5000"},
    {"symbol": "KRE1KRW", "base": "KRE1", "quote": "KRW", "tick_size": "5",
     "step_size": "1", "min_qty": "1", "max_qty": "1000000", "min_notional": "5000"},
    {"symbol": "KCO2KRW", "base": "KCO2", "quote": "KRW", "tick_size": "10",
     "step_size": "1", "min_qty": "1", "max_qty": "1000000", "min_notional": "5000"},
    {"symbol": "BTCKRW", "base": "BTC", "quote": "KRW", "tick_size": "1000",
     "step_size": "0.001", "min_qty": "0.001", "max_qty": "1000", "min_notional": "5000"},
    {"symbol": "ETHKRW", "base": "ETH", "quote": "KRW", "tick_size": "1000",
     "step_size": "0.001", "min_qty": "0.001", "max_qty": "10000", "min_notional": "5000"},
    {"symbol": "BTCUSDT", "base": "BTC", "quote": "USDT", "tick_size": "0.01",
     "step_size": "0.00001", "min_qty": "0.00001", "max_qty": "9000", "min_notional": "5"},
)  # fmt: skip

DEMO_FEES_BPS = 5  # 0.05 %, as Korean exchanges charge
# Won markets charge buyers in won, as Upbit does; the others as Binance does.
DEMO_FEE_ASSET = {True: "QUOTE", False: "RECEIVED"}


class Listings:
    def __init__(
        self,
        assets: list[Asset],
        markets: list[Market],
        fee_assets: Mapping[str, FeeAsset] | None = None,
    ) -> None:
        self.assets = assets
        self.markets = markets
        # symbol -> the asset its buyers pay fees in (a market not named: RECEIVED)
        self.fee_assets = dict(fee_assets or {})

    def fee_asset(self, symbol: str) -> FeeAsset:
        return self.fee_assets.get(symbol, FeeAsset.RECEIVED)

    def commands(self) -> list[Command]:
        """The commands that list everything, assets first."""
        listed: list[Command] = [
            ListAsset(a.code, a.precision, a.kind, a.issuer) for a in self.assets
        ]
        listed.extend(ListMarket(m) for m in self.markets)
        return listed

    def stp_updates(self, listed: Mapping[str, MarketTerms]) -> list[Command]:
        """The policy of this listing for each market listed before markets had one: its
        default still the old NONE with NONE not allowed outright (the engine allows NONE
        there, so its journal replays as it ran). Through the operator's own journaled
        command, so a replay agrees; a market whose policy was set since is left alone."""
        updates: list[Command] = []
        for market in self.markets:
            m = listed.get(market.symbol)
            if m is None or m.default_stp is not SelfTradePrevention.NONE or m.allow_stp_none:
                continue
            updates.append(
                SetMarketSelfTradePrevention(
                    market.symbol, market.default_stp, market.allow_stp_none
                )
            )
        return updates

    def fee_asset_updates(self, listed: Mapping[str, MarketTerms]) -> list[Command]:
        """The commands that give each market the fee asset this listing names, where the
        engine's differs (a market not listed yet has RECEIVED)."""
        updates: list[Command] = []
        for market in self.markets:
            m = listed.get(market.symbol)
            now = FeeAsset.RECEIVED if m is None else m.fee_asset
            wanted = self.fee_asset(market.symbol)
            if wanted is not now:
                updates.append(SetMarketFeeAsset(market.symbol, wanted))
        return updates


def demo_listings() -> Listings:
    return _listings(
        [{"code": code, "precision": precision, **_demo_kind(code)}
         for code, precision in DEMO_ASSETS],
        [{**market, "maker_fee_bps": DEMO_FEES_BPS, "taker_fee_bps": DEMO_FEES_BPS,
          "fee_asset": DEMO_FEE_ASSET[market["quote"] == "KRW"]}
         for market in DEMO_MARKETS],
    )  # fmt: skip


def _demo_kind(code: str) -> dict[str, Any]:
    """A demo asset's kind and issuer, as a listing file's row says them."""
    issuer = DEMO_ISSUERS.get(code)
    return {} if issuer is None else {"kind": AssetKind.RWA_TOKEN.value, "issuer": issuer}


def load_listings(path: Path) -> Listings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ListingError(f"cannot read {path}: {exc}") from exc
    return _listings(data.get("assets", []), data.get("markets", []))


def _listings(asset_rows: list[dict[str, Any]], market_rows: list[dict[str, Any]]) -> Listings:
    assets: dict[str, Asset] = {}
    for row in asset_rows:
        asset = _asset(row)
        problem = asset_problem(asset)
        if problem is not None:
            raise ListingError(f"asset {asset.code!r}: {problem}")
        if asset.code in assets:
            raise ListingError(f"asset {asset.code} is listed twice")
        assets[asset.code] = asset
    markets: list[Market] = []
    fee_assets: dict[str, FeeAsset] = {}
    for row in market_rows:
        market = _market(row, assets)
        if any(m.symbol == market.symbol for m in markets):
            raise ListingError(f"market {market.symbol} is listed twice")
        markets.append(market)
        try:
            fee_assets[market.symbol] = FeeAsset(row.get("fee_asset", FeeAsset.RECEIVED))
        except ValueError:
            raise ListingError(
                f"market {market.symbol!r}: fee_asset must be RECEIVED or QUOTE"
            ) from None
    return Listings(list(assets.values()), markets, fee_assets)


def _asset(row: dict[str, Any]) -> Asset:
    """An `[[assets]]` row: code and precision; a token backed by a real-world asset also
    says `kind = "rwa_token"` and its `issuer` (the issuer's treasury account, 100-499)."""
    code = str(row.get("code", ""))
    try:
        kind = AssetKind(row.get("kind", AssetKind.COIN))
    except ValueError:
        kinds = ", ".join(k.value for k in AssetKind)
        raise ListingError(f"asset {code!r}: kind is one of {kinds}") from None
    issuer = row.get("issuer")
    if issuer is not None and (not isinstance(issuer, int) or isinstance(issuer, bool)):
        raise ListingError(f"asset {code!r}: issuer is an account number")
    if (kind is AssetKind.RWA_TOKEN) != (issuer is not None):
        raise ListingError(f"asset {code!r}: an rwa_token names its issuer; no other kind has one")
    return Asset(code, int(row.get("precision", -1)), kind, issuer)


def _market(row: dict[str, Any], assets: dict[str, Asset]) -> Market:
    symbol = str(row.get("symbol", ""))
    base = assets.get(str(row.get("base", "")))
    quote = assets.get(str(row.get("quote", "")))
    if base is None or quote is None:
        raise ListingError(f"market {symbol!r}: base and quote must be listed assets")
    try:
        market = Market(
            symbol=symbol,
            base=base.code,
            quote=quote.code,
            tick_size=to_units(str(row["tick_size"]), quote.precision),
            step_size=to_units(str(row["step_size"]), base.precision),
            min_qty=to_units(str(row["min_qty"]), base.precision),
            max_qty=to_units(str(row["max_qty"]), base.precision),
            min_price=to_units(str(row.get("min_price", "0")), quote.precision),
            max_price=to_units(str(row.get("max_price", "0")), quote.precision),
            min_notional=to_units(str(row.get("min_notional", "0")), quote.precision),
            max_notional=to_units(str(row.get("max_notional", "0")), quote.precision),
            max_num_orders=int(row.get("max_num_orders", 200)),
            maker_fee_bps=int(row.get("maker_fee_bps", 0)),
            taker_fee_bps=int(row.get("taker_fee_bps", 0)),
            default_stp=SelfTradePrevention(row.get("default_stp", "EXPIRE_MAKER")),
            allow_stp_none=_flag(row, "allow_stp_none"),
        )
    except (KeyError, ValueError) as exc:
        raise ListingError(f"market {symbol!r}: {exc}") from exc
    problem = market_problem(market, base, quote) or listing_amount_problem(market)
    none_by_default = market.default_stp is SelfTradePrevention.NONE
    if problem is None and none_by_default and not market.allow_stp_none:
        problem = "default_stp = NONE needs allow_stp_none = true"
    if problem is not None:
        raise ListingError(f"market {symbol!r}: {problem}")
    return market


def _flag(row: dict[str, Any], name: str) -> bool:
    value = row.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value
