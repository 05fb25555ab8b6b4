"""A listing's self-trade prevention policy and amount bounds, and the policy a market listed
before markets had one gets at start."""

from pathlib import Path

import pytest

from assetport.domain.commands import ListAsset, ListMarket, SetMarketSelfTradePrevention
from assetport.domain.markets import Market
from assetport.domain.orders import SelfTradePrevention
from assetport.engine.engine import Engine
from assetport.listings import ListingError, demo_listings, load_listings

MARKET = """
[[assets]]
code = "KRW"
precision = 0
[[assets]]
code = "KGLD"
precision = 4

[[markets]]
symbol = "KGLDKRW"
base = "KGLD"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "1000"
"""


def load(tmp_path: Path, extra: str) -> Market:
    path = tmp_path / "listings.toml"
    path.write_text(MARKET + extra, encoding="utf-8")
    (market,) = load_listings(path).markets
    return market


def test_markets_prevent_self_trades_unless_the_file_allows_none(tmp_path: Path) -> None:
    market = load(tmp_path, "")
    assert (market.default_stp, market.allow_stp_none) == (SelfTradePrevention.EXPIRE_MAKER, False)
    market = load(tmp_path, 'default_stp = "NONE"\nallow_stp_none = true\n')
    assert (market.default_stp, market.allow_stp_none) == (SelfTradePrevention.NONE, True)
    assert all(m.default_stp is SelfTradePrevention.EXPIRE_MAKER for m in demo_listings().markets)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ('default_stp = "NONE"\n', "needs allow_stp_none = true"),
        ('allow_stp_none = "yes"\n', "must be true or false"),
        ('default_stp = "DECREMENT"\n', "DECREMENT"),
        ('max_notional = "5000000000000000000"\n', "at most 4611686018427387903 units"),
    ],
)
def test_a_listing_the_ledger_or_the_rules_cannot_take_is_refused(
    tmp_path: Path, extra: str, reason: str
) -> None:
    with pytest.raises(ListingError, match=reason):
        load(tmp_path, extra)


def test_a_market_listed_under_the_old_default_gets_the_files_policy_once() -> None:
    engine = Engine()
    listings = demo_listings()
    old = next(m for m in listings.markets if m.symbol == "KGLDKRW").__replace__(
        default_stp=SelfTradePrevention.NONE
    )
    commands = [ListAsset("KRW", 0), ListAsset("KGLD", 4), ListMarket(old)]
    for seq, command in enumerate(commands, start=1):
        engine.apply(seq, 0, command)
    updates = listings.stp_updates(engine.markets)
    assert updates == [
        SetMarketSelfTradePrevention("KGLDKRW", SelfTradePrevention.EXPIRE_MAKER, False)
    ]
    engine.apply(4, 0, updates[0])
    assert listings.stp_updates(engine.markets) == []
    # What an operator set since is left alone, NONE included.
    engine.apply(5, 0, SetMarketSelfTradePrevention("KGLDKRW", SelfTradePrevention.NONE, True))
    assert listings.stp_updates(engine.markets) == []
