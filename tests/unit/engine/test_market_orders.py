"""MARKET orders sized by quantity or by quote amount (quoteOrderQty)."""

from engine_harness import ALICE, BOB, Exchange, kgld, of_type, rejection

from assetport.domain.events import OrderAccepted, OrderExpired, OrderFilled, TradeExecuted
from assetport.domain.orders import OrderType, Side
from assetport.domain.results import RejectReason

BUY, SELL, MARKET = Side.BUY, Side.SELL, OrderType.MARKET


def two_asks(ex: Exchange) -> None:
    ex.fund(ALICE, gold=kgld("5"))
    ex.limit(ALICE, SELL, kgld("0.5"), 130_000)
    ex.limit(ALICE, SELL, kgld("1"), 130_010)


def test_market_buy_by_quantity_holds_the_exact_cost_and_walks_the_book() -> None:
    ex = Exchange()
    two_asks(ex)
    ex.fund(BOB, krw=1_000_000)
    events = ex.place(BOB, BUY, MARKET, quantity=kgld("1"))
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.held == 65_000 + 65_005
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [
        (130_000, kgld("0.5")),
        (130_010, kgld("0.5")),
    ]
    assert of_type(events, OrderFilled)[-1].order_id == accepted.order_id
    assert ex.balance(BOB, "KRW") == (1_000_000 - 130_005, 0)


def test_market_buy_larger_than_the_book_expires_the_rest() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("5"))
    ex.limit(ALICE, SELL, kgld("0.5"), 130_000)
    ex.fund(BOB, krw=1_000_000)
    events = ex.place(BOB, BUY, MARKET, quantity=kgld("1"))
    assert sum(t.quantity for t in of_type(events, TradeExecuted)) == kgld("0.5")
    (expired,) = of_type(events, OrderExpired)
    assert expired.released == 0
    assert ex.balance(BOB, "KRW") == (1_000_000 - 65_000, 0)


def test_market_buy_by_quote_spends_up_to_the_amount_in_whole_steps() -> None:
    ex = Exchange()
    two_asks(ex)
    ex.fund(BOB, krw=1_000_000)
    events = ex.place(BOB, BUY, MARKET, quote_quantity=100_000)
    trades = of_type(events, TradeExecuted)
    # 0.5 at 130,000 = 65,000; 35,000 left buys 0.2 at 130,010 = 26,002; 8,998 left < a step.
    assert [(t.price, t.quantity, t.quote_quantity) for t in trades] == [
        (130_000, kgld("0.5"), 65_000),
        (130_010, kgld("0.2"), 26_002),
    ]
    (filled,) = [e for e in of_type(events, OrderFilled) if e.account == BOB]
    assert filled.released == 8_998
    assert ex.balance(BOB, "KRW") == (1_000_000 - 91_002, 0)


def test_market_sell_by_quote_sells_enough_base_for_the_amount() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.limit(ALICE, BUY, kgld("1"), 130_000)
    ex.fund(BOB, gold=kgld("1"))
    events = ex.place(BOB, SELL, MARKET, quote_quantity=50_000)
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.held_asset == "KGLD" and accepted.held == kgld("0.3")
    (trade,) = of_type(events, TradeExecuted)
    assert (trade.quantity, trade.quote_quantity) == (kgld("0.3"), 39_000)
    assert ex.balance(BOB, "KGLD") == (kgld("0.7"), 0)


def test_market_order_into_an_empty_book_expires() -> None:
    ex = Exchange()
    ex.fund(BOB, gold=kgld("1"))
    events = ex.place(BOB, SELL, MARKET, quantity=kgld("1"))
    assert of_type(events, TradeExecuted) == []
    assert len(of_type(events, OrderExpired)) == 1
    assert ex.balance(BOB, "KGLD") == (kgld("1"), 0)


def test_market_order_needs_exactly_one_of_quantity_and_quote_quantity() -> None:
    ex = Exchange()
    ex.fund(BOB, krw=1_000_000)
    both = ex.place(BOB, BUY, MARKET, quantity=kgld("1"), quote_quantity=10_000)
    assert rejection(both) is RejectReason.INVALID_ORDER
    assert rejection(ex.place(BOB, BUY, MARKET)) is RejectReason.INVALID_ORDER
    priced = ex.place(BOB, BUY, MARKET, quantity=kgld("1"), price=130_000)
    assert rejection(priced) is RejectReason.INVALID_ORDER


def test_market_buy_beyond_the_balance_is_rejected() -> None:
    ex = Exchange()
    two_asks(ex)
    ex.fund(BOB, krw=100_000)
    events = ex.place(BOB, BUY, MARKET, quantity=kgld("1"))
    assert rejection(events) is RejectReason.INSUFFICIENT_BALANCE
