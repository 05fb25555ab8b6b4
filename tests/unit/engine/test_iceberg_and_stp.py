"""Iceberg orders and self-trade prevention."""

from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    GOLD,
    STP,
    Exchange,
    accepted_id,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.commands import SetMarketSelfTradePrevention
from assetport.domain.events import MatchPrevented, OrderExpired, TradeExecuted
from assetport.domain.orders import Side, TimeInForce
from assetport.domain.results import RejectReason

BUY, SELL = Side.BUY, Side.SELL


def test_an_iceberg_shows_one_slice_and_requeues_each_new_one() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, gold=kgld("1"))
    ex.fund(CAROL, krw=1_000_000)
    iceberg = accepted_id(ex.limit(ALICE, SELL, kgld("1"), 130_000, iceberg_qty=kgld("0.2")))
    bob = accepted_id(ex.limit(BOB, SELL, kgld("0.5"), 130_000))
    assert ex.resting(SELL) == [(iceberg, 130_000, kgld("0.2")), (bob, 130_000, kgld("0.5"))]
    assert ex.engine.markets["KGLDKRW"].asks.visible_at(130_000) == kgld("0.7")

    trades = of_type(ex.limit(CAROL, BUY, kgld("0.3"), 130_000), TradeExecuted)
    assert [(t.seller_order_id, t.quantity) for t in trades] == [
        (iceberg, kgld("0.2")),
        (bob, kgld("0.1")),
    ]
    # The new slice went to the back of the queue; the whole hidden rest is still held.
    assert ex.resting(SELL) == [(bob, 130_000, kgld("0.4")), (iceberg, 130_000, kgld("0.2"))]
    assert ex.balance(ALICE, "KGLD") == (0, kgld("0.8"))


def test_iceberg_rules() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("10"))
    too_big = ex.limit(ALICE, SELL, kgld("1"), 130_000, iceberg_qty=kgld("1"))
    assert rejection(too_big) is RejectReason.LOT_SIZE
    not_gtc = ex.limit(ALICE, SELL, kgld("1"), 130_000, TimeInForce.IOC, iceberg_qty=kgld("0.5"))
    assert rejection(not_gtc) is RejectReason.INVALID_ORDER
    many_parts = ex.limit(ALICE, SELL, kgld("10.1"), 130_000, iceberg_qty=kgld("0.1"))
    assert rejection(many_parts) is RejectReason.ICEBERG_PARTS


def own_book(ex: Exchange) -> tuple[int, int]:
    """Alice's own ask first in the queue, then Bob's at the same price."""
    ex.fund(ALICE, krw=1_000_000, gold=kgld("1"))
    ex.fund(BOB, gold=kgld("1"))
    mine = accepted_id(ex.limit(ALICE, SELL, kgld("0.5"), 130_000))
    bob = accepted_id(ex.limit(BOB, SELL, kgld("0.5"), 130_000))
    return mine, bob


def test_expire_taker_stops_the_taker_at_its_own_order() -> None:
    ex = Exchange()
    mine, _ = own_book(ex)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000, stp_mode=STP.EXPIRE_TAKER)
    (prevented,) = of_type(events, MatchPrevented)
    assert prevented.maker_order_id == mine and prevented.taker_prevented_qty == kgld("1")
    assert prevented.maker_prevented_qty == 0
    (expired,) = of_type(events, OrderExpired)
    assert expired.in_match and expired.released == 130_000
    assert of_type(events, TradeExecuted) == []
    assert ex.resting(SELL)[0][0] == mine


def test_expire_maker_removes_the_own_order_and_goes_on_matching() -> None:
    ex = Exchange()
    mine, bob = own_book(ex)
    events = ex.limit(ALICE, BUY, kgld("0.5"), 130_000, stp_mode=STP.EXPIRE_MAKER)
    (expired,) = of_type(events, OrderExpired)
    assert expired.order_id == mine and expired.in_match and expired.released == kgld("0.5")
    (trade,) = of_type(events, TradeExecuted)
    assert trade.seller_order_id == bob
    assert ex.resting(SELL) == []


def test_expire_both_ends_both_orders() -> None:
    ex = Exchange()
    mine, bob = own_book(ex)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000, stp_mode=STP.EXPIRE_BOTH)
    assert {e.order_id for e in of_type(events, OrderExpired)} == {mine, mine + 2}
    assert ex.resting(SELL) == [(bob, 130_000, kgld("0.5"))]


def test_stp_none_lets_an_account_trade_with_itself_and_pays_both_fees() -> None:
    ex = Exchange()
    ex.do(SetMarketSelfTradePrevention(GOLD, STP.EXPIRE_MAKER, allow_stp_none=True))
    mine, _ = own_book(ex)
    events = ex.limit(ALICE, BUY, kgld("0.5"), 130_000, stp_mode=STP.NONE)
    (trade,) = of_type(events, TradeExecuted)
    assert trade.seller_order_id == mine and trade.buyer_account == trade.seller_account
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 65, 0)  # 10 bps maker on 65,000
    assert ex.balance(ALICE, "KGLD") == (kgld("1") - 10, 0)  # 20 bps taker on 0.5
