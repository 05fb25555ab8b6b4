"""Listings from the demo defaults and from an operator's TOML file."""

from pathlib import Path

import pytest

from assetport.domain.commands import ListAsset, ListMarket
from assetport.domain.events import AssetListed, CommandRejected, MarketListed
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine
from assetport.listings import ListingError, demo_listings, load_listings


def test_the_demo_markets_are_all_accepted_by_the_engine() -> None:
    engine = Engine()
    listings = demo_listings()
    for seq, command in enumerate(listings.commands(), start=1):
        (event,) = engine.apply(seq, 0, command)
        assert isinstance(event, AssetListed | MarketListed), event
    assert {"KGLDKRW", "KSLVKRW", "KCUKRW", "KOILKRW", "BTCKRW", "ETHKRW", "BTCUSDT"} <= set(
        engine.markets
    )
    gold = engine.markets["KGLDKRW"].market
    assert (gold.tick_size, gold.step_size, gold.min_notional) == (10, 1000, 5000)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "listings.toml"
    path.write_text(text, encoding="utf-8")
    return path


ASSETS = """
[[assets]]
code = "KRW"
precision = 0
[[assets]]
code = "KGLD"
precision = 4
"""


def test_a_listing_file_in_decimal_strings(tmp_path: Path) -> None:
    listings = load_listings(
        write(
            tmp_path,
            ASSETS
            + """
[[markets]]
symbol = "KGLDKRW"
base = "KGLD"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "1000"
min_notional = "5000"
maker_fee_bps = 2
taker_fee_bps = 4
""",
        )
    )
    (market,) = listings.markets
    assert (market.step_size, market.max_qty, market.taker_fee_bps) == (1000, 10_000_000, 4)


@pytest.mark.parametrize(
    ("market", "reason"),
    [
        ('tick_size = "1"\nstep_size = "0.0001"', "whole number of quote units"),
        ('tick_size = "10"\nstep_size = "0.00001"', "more than 4 decimal places"),
        ('step_size = "0.1"', "tick_size"),
    ],
)
def test_a_listing_that_could_not_trade_exactly_is_refused(
    tmp_path: Path, market: str, reason: str
) -> None:
    text = (
        ASSETS
        + '[[markets]]\nsymbol = "KGLDKRW"\nbase = "KGLD"\nquote = "KRW"\n'
        + market
        + '\nmin_qty = "0.1"\nmax_qty = "1000"\n'
    )
    with pytest.raises(ListingError, match=reason):
        load_listings(write(tmp_path, text))


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ListingError, match="cannot read"):
        load_listings(tmp_path / "missing.toml")


def test_a_code_or_symbol_with_a_final_newline_is_refused() -> None:
    """The engine holds listings to their grammar whole: "KGLDKRW\\n" is not a second
    KGLDKRW (a `$` would match before a final newline)."""
    engine = Engine()
    for seq, command in enumerate(demo_listings().commands(), start=1):
        engine.apply(seq, 0, command)
    gold = engine.markets["KGLDKRW"].market
    seq = engine.last_seq + 1
    for command in (
        ListAsset("KRW\n", 0),
        ListMarket(gold.__replace__(symbol="KGLDKRW\n")),
    ):
        (event,) = engine.apply(seq, 0, command)
        assert isinstance(event, CommandRejected) and event.reason is RejectReason.INVALID_LISTING
        seq += 1
    assert "KRW\n" not in engine.assets and "KGLDKRW\n" not in engine.markets
