"""Cancel, cancel all, cancel-replace, amend keeping priority, client order ids."""

from engine_harness import ALICE, BOB, GOLD, Exchange, accepted_id, kgld, of_type, rejection

from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelReplace,
    PlaceOrder,
)
from assetport.domain.events import (
    CommandRejected,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    TradeExecuted,
)
from assetport.domain.orders import CancelRestriction, OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason

BUY, SELL = Side.BUY, Side.SELL


def test_cancel_releases_exactly_what_the_order_held() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    (canceled,) = of_type(ex.cancel(ALICE, order), OrderCanceled)
    assert (canceled.asset, canceled.released) == ("KRW", 130_000)
    assert ex.balance(ALICE, "KRW") == (1_000_000, 0)
    assert ex.resting(BUY) == []


def test_cancel_by_client_order_id_frees_the_id_for_reuse() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.limit(ALICE, BUY, kgld("0.1"), 130_000, client_order_id="my-1")
    duplicate = ex.limit(ALICE, BUY, kgld("0.1"), 130_000, client_order_id="my-1")
    assert rejection(duplicate) is RejectReason.DUPLICATE_ORDER
    assert of_type(ex.do(CancelOrder(ALICE, GOLD, client_order_id="my-1")), OrderCanceled)
    assert accepted_id(ex.limit(ALICE, BUY, kgld("0.1"), 130_000, client_order_id="my-1"))


def test_cancel_of_an_unknown_or_someone_elses_order_is_refused() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    assert rejection(ex.cancel(BOB, order)) is RejectReason.UNKNOWN_ORDER
    assert rejection(ex.cancel(ALICE, order + 100)) is RejectReason.UNKNOWN_ORDER
    ex.cancel(ALICE, order)
    assert rejection(ex.cancel(ALICE, order)) is RejectReason.UNKNOWN_ORDER


def test_cancel_restrictions() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    restricted = ex.do(
        CancelOrder(
            ALICE, GOLD, order_id=order, restriction=CancelRestriction.ONLY_PARTIALLY_FILLED
        )
    )
    assert rejection(restricted) is RejectReason.CANCEL_RESTRICTED
    allowed = ex.do(
        CancelOrder(ALICE, GOLD, order_id=order, restriction=CancelRestriction.ONLY_NEW)
    )
    assert of_type(allowed, OrderCanceled)


def test_cancel_all_cancels_every_open_order_of_the_account_in_id_order() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000, gold=kgld("1"))
    ex.fund(BOB, krw=1_000_000)
    ids = [
        accepted_id(ex.limit(ALICE, BUY, kgld("0.1"), 120_000)),
        accepted_id(ex.limit(ALICE, SELL, kgld("0.1"), 140_000)),
        accepted_id(
            ex.place(ALICE, SELL, OrderType.STOP_LOSS, quantity=kgld("0.1"), stop_price=100_000)
        ),
    ]
    bob = accepted_id(ex.limit(BOB, BUY, kgld("0.1"), 120_000))
    events = ex.do(CancelAllOrders(ALICE, GOLD))
    assert [e.order_id for e in of_type(events, OrderCanceled)] == ids
    assert ex.resting(BUY) == [(bob, 120_000, kgld("0.1"))]
    assert rejection(ex.do(CancelAllOrders(ALICE, GOLD))) is RejectReason.UNKNOWN_ORDER


def new_order(price: int) -> PlaceOrder:
    return PlaceOrder(
        ALICE,
        GOLD,
        BUY,
        OrderType.LIMIT,
        quantity=kgld("1"),
        price=price,
        time_in_force=TimeInForce.GTC,
    )


def test_cancel_replace_cancels_then_places() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=300_000)
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    # Without the cancel this would not be payable: the replace reuses the released funds.
    events = ex.do(CancelReplace(CancelOrder(ALICE, GOLD, order_id=order), new_order(140_000)))
    assert [type(e) for e in events] == [OrderCanceled, OrderAccepted]
    assert ex.balance(ALICE, "KRW") == (160_000, 140_000)


def test_cancel_replace_stop_on_failure_places_nothing_when_the_cancel_fails() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=300_000)
    events = ex.do(CancelReplace(CancelOrder(ALICE, GOLD, order_id=999), new_order(140_000)))
    assert [type(e) for e in events] == [CommandRejected]
    assert ex.balance(ALICE, "KRW") == (300_000, 0)


def test_cancel_replace_allow_failure_places_anyway() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=300_000)
    events = ex.do(
        CancelReplace(
            CancelOrder(ALICE, GOLD, order_id=999), new_order(140_000), allow_failure=True
        )
    )
    assert [type(e) for e in events] == [CommandRejected, OrderAccepted]


def test_amend_down_keeps_the_place_in_the_queue_and_releases_the_difference() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, krw=1_000_000, gold=kgld("1"))
    first = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    second = accepted_id(ex.limit(BOB, BUY, kgld("1"), 130_000))
    (amended,) = of_type(ex.do(AmendOrder(ALICE, GOLD, kgld("0.4"), order_id=first)), OrderAmended)
    assert amended.released == 78_000
    assert ex.balance(ALICE, "KRW") == (948_000, 52_000)
    assert ex.resting(BUY) == [(first, 130_000, kgld("0.4")), (second, 130_000, kgld("1"))]
    trades = of_type(ex.limit(BOB, SELL, kgld("0.4"), 130_000, stp_mode=None), TradeExecuted)
    assert [t.buyer_order_id for t in trades] == [first]


def test_amend_must_go_down_and_stay_above_what_traded() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("1"))
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    ex.limit(BOB, SELL, kgld("0.5"), 130_000)
    for quantity in (kgld("1"), kgld("1.5"), kgld("0.5"), kgld("0.2"), kgld("0.55")):
        events = ex.do(AmendOrder(ALICE, GOLD, quantity, order_id=order))
        assert rejection(events) is RejectReason.INVALID_AMEND, quantity
    assert of_type(ex.do(AmendOrder(ALICE, GOLD, kgld("0.6"), order_id=order)), OrderAmended)
    assert ex.balance(ALICE, "KRW")[1] == 13_000
