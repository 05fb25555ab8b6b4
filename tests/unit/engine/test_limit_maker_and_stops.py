"""LIMIT_MAKER and the stop orders triggered by the last trade price."""

from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    Exchange,
    accepted_id,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderTriggered,
    TradeExecuted,
)
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason

BUY, SELL = Side.BUY, Side.SELL


def trade_at(ex: Exchange, price: int) -> list[Event]:
    """Make the market's last price `price` with a small trade between Bob and Carol;
    answer the events of the command that traded."""
    ex.fund(BOB, gold=kgld("0.1"))
    ex.fund(CAROL, krw=price)
    ex.limit(CAROL, BUY, kgld("0.1"), price)
    events = ex.limit(BOB, SELL, kgld("0.1"), price)
    assert of_type(events, TradeExecuted)
    return events


def test_limit_maker_that_would_take_is_rejected() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    ex.limit(ALICE, SELL, kgld("1"), 130_000)
    events = ex.place(BOB, BUY, OrderType.LIMIT_MAKER, quantity=kgld("1"), price=130_000)
    assert rejection(events) is RejectReason.WOULD_TAKE
    assert ex.balance(BOB, "KRW") == (1_000_000, 0)


def test_limit_maker_that_does_not_cross_rests() -> None:
    ex = Exchange()
    ex.fund(BOB, krw=1_000_000)
    order = accepted_id(
        ex.place(BOB, BUY, OrderType.LIMIT_MAKER, quantity=kgld("1"), price=129_990)
    )
    assert ex.resting(BUY) == [(order, 129_990, kgld("1"))]


def test_stop_loss_limit_sell_waits_then_works_when_the_price_falls_to_it() -> None:
    ex = Exchange()
    trade_at(ex, 130_000)
    ex.fund(ALICE, gold=kgld("1"))
    events = ex.place(
        ALICE,
        SELL,
        OrderType.STOP_LOSS_LIMIT,
        quantity=kgld("1"),
        price=128_900,
        stop_price=129_000,
        time_in_force=TimeInForce.GTC,
    )
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.working is False and accepted.held == kgld("1")
    assert ex.resting(SELL) == []

    ex.fund(CAROL, krw=1_000_000)
    ex.limit(CAROL, BUY, kgld("2"), 129_000)
    ex.fund(BOB, gold=kgld("0.5"))
    events = ex.limit(BOB, SELL, kgld("0.5"), 129_000)
    (triggered,) = of_type(events, OrderTriggered)
    assert triggered.order_id == accepted.order_id and triggered.last_price == 129_000
    trades = of_type(events, TradeExecuted)
    assert [(t.seller_order_id, t.price, t.quantity) for t in trades][-1] == (
        accepted.order_id,
        129_000,
        kgld("1"),
    )


def test_a_stop_that_would_trigger_at_once_is_rejected() -> None:
    ex = Exchange()
    trade_at(ex, 130_000)
    ex.fund(ALICE, gold=kgld("1"))
    events = ex.place(ALICE, SELL, OrderType.STOP_LOSS, quantity=kgld("1"), stop_price=130_000)
    assert rejection(events) is RejectReason.WOULD_TRIGGER_IMMEDIATELY
    events = ex.place(
        ALICE,
        SELL,
        OrderType.TAKE_PROFIT_LIMIT,
        quantity=kgld("1"),
        price=129_000,
        stop_price=129_000,
        time_in_force=TimeInForce.GTC,
    )
    assert rejection(events) is RejectReason.WOULD_TRIGGER_IMMEDIATELY


def test_stop_loss_market_buy_tops_up_its_hold_when_the_book_asks_more() -> None:
    ex = Exchange()
    trade_at(ex, 130_000)
    ex.fund(ALICE, krw=1_000_000)
    events = ex.place(ALICE, BUY, OrderType.STOP_LOSS, quantity=kgld("0.5"), stop_price=131_000)
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.held == 65_500  # the quantity at the stop price

    ex.fund(BOB, gold=kgld("2"))
    ex.limit(BOB, SELL, kgld("1"), 131_500)
    events = trade_at(ex, 131_000)  # the last price reaches the stop
    (triggered,) = of_type(events, OrderTriggered)
    assert triggered.held_added == 250  # 0.5 at 131,500 costs 65,750
    trades = [t for t in of_type(events, TradeExecuted) if t.buyer_order_id == accepted.order_id]
    assert [(t.price, t.quantity) for t in trades] == [(131_500, kgld("0.5"))]
    assert ex.balance(ALICE, "KGLD")[0] == kgld("0.5") - 10  # 20 bps taker fee
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 65_750, 0)


def test_take_profit_sell_triggers_when_the_price_rises_to_it() -> None:
    ex = Exchange()
    trade_at(ex, 130_000)
    ex.fund(ALICE, gold=kgld("1"))
    order = accepted_id(
        ex.place(ALICE, SELL, OrderType.TAKE_PROFIT, quantity=kgld("1"), stop_price=132_000)
    )
    ex.fund(CAROL, krw=10_000_000)
    ex.limit(CAROL, BUY, kgld("5"), 131_000)
    events = trade_at(ex, 132_000)
    assert [e.order_id for e in of_type(events, OrderTriggered)] == [order]
    trades = [t for t in of_type(events, TradeExecuted) if t.seller_order_id == order]
    assert [(t.price, t.quantity) for t in trades] == [(131_000, kgld("1"))]
    assert ex.balance(ALICE, "KGLD") == (0, 0)
    assert ex.balance(ALICE, "KRW")[0] == 131_000 - 262  # taker 20 bps
    assert order not in ex.engine.markets["KGLDKRW"].open_orders.get(ALICE, {})


def test_cancel_a_waiting_stop_releases_its_hold() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    order = accepted_id(
        ex.place(ALICE, SELL, OrderType.STOP_LOSS, quantity=kgld("1"), stop_price=120_000)
    )
    (canceled,) = of_type(ex.cancel(ALICE, order), OrderCanceled)
    assert canceled.released == kgld("1")
    assert ex.balance(ALICE, "KGLD") == (kgld("1"), 0)


def test_stop_orders_need_a_stop_price_and_limit_stops_a_price() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("1"))
    no_stop = ex.place(ALICE, SELL, OrderType.STOP_LOSS, quantity=kgld("1"))
    assert rejection(no_stop) is RejectReason.INVALID_ORDER
    no_price = ex.place(
        ALICE, SELL, OrderType.STOP_LOSS_LIMIT, quantity=kgld("1"), stop_price=120_000
    )
    assert rejection(no_price) is RejectReason.INVALID_ORDER
