"""The engine's read API: what callers outside the engine may read (plain values, never the
engine's own objects), and the one fee rule settlement applies too."""

from engine_harness import ALICE, BOB, GOLD, Exchange, kgld

from assetport.domain.commands import PlaceOrder, SetAccountFees, SetMarketStatus
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.domain.results import RejectReason


def test_listed_assets_and_markets_as_they_trade_now() -> None:
    ex = Exchange()
    assert [a.code for a in ex.engine.listed_assets()] == ["BTC", "KGLD", "KRW"]
    ex.do(SetMarketStatus(GOLD, MarketStatus.CANCEL_ONLY))
    (terms,) = ex.engine.listed_markets()
    assert terms.market.symbol == GOLD and terms.status is MarketStatus.CANCEL_ONLY
    assert (terms.maker_fee_bps, terms.taker_fee_bps) == (10, 20)
    assert terms.default_stp is SelfTradePrevention.EXPIRE_MAKER and not terms.allow_stp_none
    assert ex.engine.market_terms(GOLD) == terms
    assert ex.engine.market_terms("NOPE") is None


def test_balances_and_totals_are_values_not_the_ledger_s_records() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.limit(ALICE, Side.BUY, kgld("1"), 100_000)
    # The order made Alice's record of the market's other asset too, empty.
    assert ex.engine.balances(ALICE) == [(ALICE, "KGLD", 0, 0), (ALICE, "KRW", 900_000, 100_000)]
    assert (ALICE, "KRW", 900_000, 100_000) in ex.engine.balances()
    assert ex.engine.balances(BOB) == []
    assert ex.engine.ledger_totals() == {"KGLD": 0, "KRW": 0}


def test_fee_rates_are_the_market_s_unless_the_account_has_its_own() -> None:
    ex = Exchange()
    assert ex.engine.fee_rates(ALICE, GOLD) == (10, 20)
    ex.do(SetAccountFees(ALICE, 0, 5))
    assert ex.engine.fee_rates(ALICE, GOLD) == (0, 5)
    assert ex.engine.fee_rates(BOB, GOLD) == (10, 20)
    assert ex.engine.fee_overrides() == {ALICE: (0, 5)}


def test_order_problem_checks_without_placing() -> None:
    ex = Exchange()
    good = PlaceOrder(ALICE, GOLD, Side.BUY, OrderType.LIMIT, kgld("1"), 100_000, TimeInForce.GTC)
    before = ex.engine.snapshot()
    assert ex.engine.order_problem(good) is None
    off_tick = PlaceOrder(
        ALICE, GOLD, Side.BUY, OrderType.LIMIT, kgld("1"), 100_005, TimeInForce.GTC
    )
    assert ex.engine.order_problem(off_tick) is RejectReason.PRICE_FILTER
    assert ex.engine.snapshot() == before
    ex.do(SetMarketStatus(GOLD, MarketStatus.HALT))
    assert ex.engine.order_problem(good) is RejectReason.MARKET_CLOSED


def test_the_book_as_the_depth_view_reads_it() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(ALICE, Side.BUY, kgld("1"), 100_000)
    ex.limit(ALICE, Side.BUY, kgld("2"), 99_000)
    ex.limit(BOB, Side.SELL, kgld("3"), 101_000, iceberg_qty=kgld("1"))
    assert ex.engine.visible_at(GOLD, Side.BUY, 100_000) == kgld("1")
    assert ex.engine.visible_at(GOLD, Side.SELL, 101_000) == kgld("1")  # the iceberg's tip
    assert ex.engine.visible_at(GOLD, Side.SELL, 100_000) == 0
    bids, asks = ex.engine.depth(GOLD)
    assert bids == [(100_000, kgld("1")), (99_000, kgld("2"))]
    assert asks == [(101_000, kgld("1"))]
    assert ex.engine.depth(GOLD, limit=1)[0] == [(100_000, kgld("1"))]
