"""LIMIT orders: holding, resting, matching at the maker's price, time in force."""

from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    Exchange,
    accepted_id,
    fingerprint,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.events import (
    OrderAccepted,
    OrderExpired,
    OrderFilled,
    TradeExecuted,
)
from assetport.domain.orders import Side, TimeInForce
from assetport.domain.results import RejectReason

BUY, SELL = Side.BUY, Side.SELL


def test_a_resting_buy_holds_its_price_times_quantity() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000)
    (accepted,) = of_type(events, OrderAccepted)
    assert (accepted.held_asset, accepted.held) == ("KRW", 130_000)
    assert ex.balance(ALICE, "KRW") == (870_000, 130_000)
    assert ex.resting(BUY) == [(accepted.order_id, 130_000, kgld("1"))]


def test_a_resting_sell_holds_its_quantity() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("2"))
    ex.limit(ALICE, SELL, kgld("1.5"), 131_000)
    assert ex.balance(ALICE, "KGLD") == (kgld("0.5"), kgld("1.5"))


def test_a_crossing_buy_trades_at_the_maker_price_and_pays_fees_in_what_it_receives() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    maker = accepted_id(ex.limit(ALICE, SELL, kgld("1"), 130_000))
    events = ex.limit(BOB, BUY, kgld("0.4"), 131_000)

    (trade,) = of_type(events, TradeExecuted)
    assert trade.price == 130_000 and trade.quantity == kgld("0.4")
    assert trade.quote_quantity == 52_000  # 130,000 KRW x 0.4
    assert trade.seller_order_id == maker and trade.buyer_is_maker is False
    assert trade.buyer_fee == 8  # taker 20 bps of 0.4 KGLD = 0.0008 KGLD
    assert trade.seller_fee == 52  # maker 10 bps of 52,000 KRW
    assert trade.buyer_released == 400  # held at 131,000, paid 130,000

    assert ex.balance(BOB, "KRW") == (1_000_000 - 52_000, 0)
    assert ex.balance(BOB, "KGLD") == (kgld("0.4") - 8, 0)
    assert ex.balance(ALICE, "KGLD") == (0, kgld("0.6"))
    assert ex.balance(ALICE, "KRW") == (52_000 - 52, 0)
    assert ex.balance(1, "KGLD") == (8, 0) and ex.balance(1, "KRW") == (52, 0)
    assert of_type(events, OrderFilled)[0].order_id != maker
    assert ex.resting(SELL) == [(maker, 130_000, kgld("0.6"))]


def test_fees_round_up_in_the_venues_favour() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    ex.limit(ALICE, SELL, kgld("0.1"), 50_010)
    (trade,) = of_type(ex.limit(BOB, BUY, kgld("0.1"), 50_010), TradeExecuted)
    # 20 bps of 1000 units is exactly 2; 10 bps of 5,001 KRW is 5.001 -> 6.
    assert trade.buyer_fee == 2
    assert trade.seller_fee == 6


def test_price_then_time_priority() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("5"))
    ex.fund(BOB, gold=kgld("5"))
    ex.fund(CAROL, krw=10_000_000)
    first = accepted_id(ex.limit(ALICE, SELL, kgld("1"), 130_000))
    second = accepted_id(ex.limit(BOB, SELL, kgld("1"), 130_000))
    better = accepted_id(ex.limit(BOB, SELL, kgld("1"), 129_990))
    trades = of_type(ex.limit(CAROL, BUY, kgld("2.5"), 130_000), TradeExecuted)
    assert [(t.seller_order_id, t.price, t.quantity) for t in trades] == [
        (better, 129_990, kgld("1")),
        (first, 130_000, kgld("1")),
        (second, 130_000, kgld("0.5")),
    ]


def test_a_taker_sweeps_levels_and_rests_the_rest_at_its_limit() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("5"))
    ex.fund(BOB, krw=10_000_000)
    ex.limit(ALICE, SELL, kgld("1"), 130_000)
    ex.limit(ALICE, SELL, kgld("1"), 130_010)
    taker = accepted_id(ex.limit(BOB, BUY, kgld("3"), 130_010))
    assert ex.resting(BUY) == [(taker, 130_010, kgld("1"))]
    assert ex.resting(SELL) == []
    # What rests holds exactly its remaining quantity at its limit.
    assert ex.balance(BOB, "KRW")[1] == 130_010


def test_ioc_trades_what_it_can_and_expires_the_rest() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    ex.limit(ALICE, SELL, kgld("0.5"), 130_000)
    events = ex.limit(BOB, BUY, kgld("1"), 130_000, tif=TimeInForce.IOC)
    assert sum(t.quantity for t in of_type(events, TradeExecuted)) == kgld("0.5")
    (expired,) = of_type(events, OrderExpired)
    assert expired.released == 65_000 and not expired.in_match
    assert ex.resting(BUY) == []
    assert ex.balance(BOB, "KRW") == (1_000_000 - 65_000, 0)


def test_fok_that_cannot_fill_whole_expires_without_trading() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    ex.limit(ALICE, SELL, kgld("0.5"), 130_000)
    events = ex.limit(BOB, BUY, kgld("1"), 130_000, tif=TimeInForce.FOK)
    assert of_type(events, TradeExecuted) == []
    assert len(of_type(events, OrderExpired)) == 1
    assert ex.balance(BOB, "KRW") == (1_000_000, 0)


def test_fok_that_can_fill_whole_fills() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("2"))
    ex.fund(BOB, krw=1_000_000)
    ex.limit(ALICE, SELL, kgld("0.5"), 130_000)
    ex.limit(ALICE, SELL, kgld("0.5"), 130_010)
    events = ex.limit(BOB, BUY, kgld("1"), 130_010, tif=TimeInForce.FOK)
    assert sum(t.quantity for t in of_type(events, TradeExecuted)) == kgld("1")
    assert len(of_type(events, OrderFilled)) == 3  # both makers and the taker


def test_an_order_that_cannot_be_paid_is_rejected_and_changes_nothing() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=100_000)
    before = fingerprint(ex.engine)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000)
    assert rejection(events) is RejectReason.INSUFFICIENT_BALANCE
    assert fingerprint(ex.engine) == before


def test_an_account_with_no_money_at_all_is_refused() -> None:
    ex = Exchange()
    assert rejection(ex.limit(CAROL, SELL, kgld("1"), 130_000)) is RejectReason.INSUFFICIENT_BALANCE
