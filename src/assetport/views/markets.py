"""The listed assets and markets as they trade now, and what each account pays in them.

Seeded from the engine's read API (`listed_assets`, `listed_markets`, `fee_overrides`) and
kept from the listing and operator events: a market's status, fees and self-trade
prevention policy change only by `MarketStatusChanged`, `MarketFeesChanged` and
`MarketSelfTradePreventionChanged`, an account's own fees by `AccountFeesChanged`. So
exchangeInfo, every symbol check and every rendered amount read this view, never the
engine's markets.
"""

from collections.abc import Callable, Iterable
from typing import Any

from msgspec.structs import replace

from assetport.domain.assets import Asset
from assetport.domain.events import (
    AccountFeesChanged,
    AssetListed,
    MarketFeeAssetChanged,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
)
from assetport.domain.markets import MarketTerms
from assetport.domain.markets import fee_rates as domain_fee_rates
from assetport.domain.units import from_units


def fee_rates(terms: MarketTerms, override: tuple[int, int] | None) -> tuple[int, int]:
    """The (maker, taker) basis points an account pays in a market, by the one fee rule
    (`domain/markets.py`)."""
    return domain_fee_rates(override, terms.maker_fee_bps, terms.taker_fee_bps)


class Markets:
    def __init__(self) -> None:
        self.assets: dict[str, Asset] = {}
        self.precision: dict[str, int] = {}  # asset code -> decimal places
        self.terms: dict[str, MarketTerms] = {}  # symbol -> the market as it trades now
        self.pairs: dict[str, tuple[str, str]] = {}  # symbol -> (base, quote)
        self.fee_overrides: dict[int, tuple[int, int]] = {}
        # The events that change this view (most events, an order's, change none of it).
        self._handlers: dict[type, Callable[[Any], None]] = {
            AssetListed: self._asset_listed,
            MarketListed: self._market_listed,
            MarketStatusChanged: self._status_changed,
            MarketFeesChanged: self._fees_changed,
            MarketFeeAssetChanged: self._fee_asset_changed,
            MarketSelfTradePreventionChanged: self._stp_changed,
            AccountFeesChanged: self._account_fees_changed,
        }

    def seed(
        self,
        assets: Iterable[Asset],
        markets: Iterable[MarketTerms],
        fee_overrides: dict[int, tuple[int, int]],
    ) -> None:
        for asset in assets:
            self._list_asset(asset)
        for terms in markets:
            self._list_market(terms)
        self.fee_overrides.update(fee_overrides)

    def apply(self, events: Iterable[object]) -> None:
        """Take one command's events (only listings and operator changes matter here)."""
        handlers = self._handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    # -- queries --------------------------------------------------------------------------

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.terms

    def symbols(self) -> list[str]:
        """Every listed symbol, in listing order."""
        return list(self.terms)

    def fee_rates(self, account: int, symbol: str) -> tuple[int, int]:
        return fee_rates(self.terms[symbol], self.fee_overrides.get(account))

    def base(self, symbol: str) -> int:
        """The decimal places of the market's base asset (quantities)."""
        return self.precision[self.pairs[symbol][0]]

    def quote(self, symbol: str) -> int:
        """The decimal places of the market's quote asset (prices, quote amounts)."""
        return self.precision[self.pairs[symbol][1]]

    def amount(self, asset: str, units: int) -> str:
        return from_units(units, self.precision[asset])

    # -- changes --------------------------------------------------------------------------

    def _list_asset(self, asset: Asset) -> None:
        self.assets[asset.code] = asset
        self.precision[asset.code] = asset.precision

    def _list_market(self, terms: MarketTerms) -> None:
        market = terms.market
        self.terms[market.symbol] = terms
        self.pairs[market.symbol] = (market.base, market.quote)

    def _asset_listed(self, event: AssetListed) -> None:
        self._list_asset(
            Asset(event.code, event.precision, event.kind, event.issuer, event.metadata)
        )

    def _market_listed(self, event: MarketListed) -> None:
        m = event.market
        self._list_market(
            MarketTerms(
                m, m.status, m.maker_fee_bps, m.taker_fee_bps, m.default_stp, m.allow_stp_none
            )
        )

    def _status_changed(self, event: MarketStatusChanged) -> None:
        terms = self.terms[event.symbol]
        self.terms[event.symbol] = replace(terms, status=event.status)

    def _fees_changed(self, event: MarketFeesChanged) -> None:
        terms = self.terms[event.symbol]
        self.terms[event.symbol] = replace(
            terms, maker_fee_bps=event.maker_fee_bps, taker_fee_bps=event.taker_fee_bps
        )

    def _fee_asset_changed(self, event: MarketFeeAssetChanged) -> None:
        terms = self.terms[event.symbol]
        self.terms[event.symbol] = replace(terms, fee_asset=event.fee_asset)

    def _stp_changed(self, event: MarketSelfTradePreventionChanged) -> None:
        terms = self.terms[event.symbol]
        self.terms[event.symbol] = replace(
            terms, default_stp=event.default_stp, allow_stp_none=event.allow_stp_none
        )

    def _account_fees_changed(self, event: AccountFeesChanged) -> None:
        if event.maker_fee_bps < 0:  # negative rates: the override was removed
            self.fee_overrides.pop(event.account, None)
        else:
            self.fee_overrides[event.account] = (event.maker_fee_bps, event.taker_fee_bps)
