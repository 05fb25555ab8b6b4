"""A listing names the asset each market's buyers pay their fee in; the demo's won markets
charge in KRW (Upbit's rule), the others in the asset received (Binance's). The file decides
at each start: a market whose rule differs is changed, through a journaled command."""

from pathlib import Path

import pytest
from test_listings_stp import MARKET

from assetport.domain.commands import SetMarketFeeAsset
from assetport.domain.markets import FeeAsset, MarketTerms
from assetport.engine.engine import Engine
from assetport.listings import ListingError, Listings, demo_listings, load_listings


def listing(tmp_path: Path, extra: str) -> Listings:
    path = tmp_path / "listings.toml"
    path.write_text(MARKET + extra, encoding="utf-8")
    return load_listings(path)


def terms(engine: Engine) -> dict[str, MarketTerms]:
    return {t.market.symbol: t for t in engine.listed_markets()}


def test_a_market_pays_fees_in_the_asset_received_unless_the_file_says_quote(
    tmp_path: Path,
) -> None:
    assert listing(tmp_path, "").fee_asset("KGLDKRW") is FeeAsset.RECEIVED
    assert listing(tmp_path, 'fee_asset = "QUOTE"\n').fee_asset("KGLDKRW") is FeeAsset.QUOTE
    with pytest.raises(ListingError, match="fee_asset must be RECEIVED or QUOTE"):
        listing(tmp_path, 'fee_asset = "BNB"\n')


def test_the_demo_charges_buyers_in_krw_on_won_markets_only() -> None:
    listings = demo_listings()
    for market in listings.markets:
        wanted = FeeAsset.QUOTE if market.quote == "KRW" else FeeAsset.RECEIVED
        assert listings.fee_asset(market.symbol) is wanted, market.symbol


def test_the_file_s_rule_is_applied_once_and_followed_when_it_changes(tmp_path: Path) -> None:
    engine = Engine()
    seq = 0

    def apply(commands: list) -> None:  # type: ignore[type-arg]
        nonlocal seq
        for command in commands:
            seq += 1
            engine.apply(seq, 0, command)

    quote = listing(tmp_path, 'fee_asset = "QUOTE"\n')
    apply(quote.commands())
    updates = quote.fee_asset_updates(terms(engine))
    assert updates == [SetMarketFeeAsset("KGLDKRW", FeeAsset.QUOTE)]
    apply(updates)
    assert terms(engine)["KGLDKRW"].fee_asset is FeeAsset.QUOTE
    assert quote.fee_asset_updates(terms(engine)) == []  # a restart journals nothing more
    received = listing(tmp_path, "")
    assert received.fee_asset_updates(terms(engine)) == [
        SetMarketFeeAsset("KGLDKRW", FeeAsset.RECEIVED)
    ]
