"""Amends give the order the client order id they name, as Binance's keepPriority does, and
reach an OTO's pending order before it is placed (docs/binance-api.md). Gold has 4
decimals, KRW none."""

from engine_harness import ALICE, BOB, CAROL, GOLD, Exchange, fingerprint, kgld, of_type, rejection

from assetport.domain.commands import (
    AmendOrder,
    CancelOrder,
    PlaceOrder,
    PlaceOrderList,
)
from assetport.domain.events import OrderAccepted, OrderAmended, OrderCanceled, OrderListPlaced
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

BUY, SELL = Side.BUY, Side.SELL
GTC = TimeInForce.GTC
ONE = kgld("1")


def exchange() -> Exchange:
    """Alice and Bob funded; Carol's trade with Bob at 100,000 KRW sets the last price."""
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000, gold=kgld("5"))
    ex.fund(BOB, krw=1_000_000, gold=kgld("5"))
    ex.fund(CAROL, gold=kgld("0.1"))
    ex.limit(CAROL, SELL, kgld("0.1"), 100_000)
    ex.limit(BOB, BUY, kgld("0.1"), 100_000)
    return ex


def limit(side: Side, price: int, client_id: str, quantity: int = ONE) -> PlaceOrder:
    return PlaceOrder(
        ALICE, GOLD, side, OrderType.LIMIT, quantity, price, GTC, client_order_id=client_id
    )


def test_the_amended_order_is_known_by_its_new_client_id_only() -> None:
    ex = exchange()
    [accepted] = of_type(ex.do(limit(BUY, 90_000, "first")), OrderAccepted)
    events = ex.do(
        AmendOrder(ALICE, GOLD, kgld("0.5"), client_order_id="first", new_client_order_id="second")
    )
    [amended] = of_type(events, OrderAmended)
    assert (amended.orig_client_order_id, amended.client_order_id) == ("first", "second")
    assert (amended.orig_quantity, amended.new_quantity) == (ONE, kgld("0.5"))
    [order] = ex.engine.open_orders(account=ALICE)
    assert order.client_order_id == "second"
    # The old id names nothing now, and is free for a new order.
    gone = ex.do(CancelOrder(ALICE, GOLD, client_order_id="first"))
    assert rejection(gone) is RejectReason.UNKNOWN_ORDER
    assert of_type(ex.do(limit(BUY, 80_000, "first", kgld("0.1"))), OrderAccepted)
    [canceled] = of_type(ex.do(CancelOrder(ALICE, GOLD, client_order_id="second")), OrderCanceled)
    assert canceled.order_id == accepted.order_id


def test_an_amend_without_a_new_id_keeps_the_order_s_own() -> None:
    """As an amend journaled before amends gave new ids replays."""
    ex = exchange()
    [accepted] = of_type(ex.do(limit(BUY, 90_000, "mine")), OrderAccepted)
    [amended] = of_type(
        ex.do(AmendOrder(ALICE, GOLD, kgld("0.5"), order_id=accepted.order_id)), OrderAmended
    )
    assert amended.client_order_id == amended.orig_client_order_id == "mine"
    assert ex.engine.open_orders(account=ALICE)[0].client_order_id == "mine"


def test_another_open_order_s_id_is_refused_and_changes_nothing() -> None:
    ex = exchange()
    [accepted] = of_type(ex.do(limit(BUY, 90_000, "one")), OrderAccepted)
    ex.do(limit(BUY, 89_000, "two"))
    before = fingerprint(ex.engine)
    taken = AmendOrder(
        ALICE, GOLD, kgld("0.5"), order_id=accepted.order_id, new_client_order_id="two"
    )
    assert rejection(ex.do(taken)) is RejectReason.DUPLICATE_ORDER
    too_long = AmendOrder(
        ALICE, GOLD, kgld("0.5"), order_id=accepted.order_id, new_client_order_id="x" * 37
    )
    assert rejection(ex.do(too_long)) is RejectReason.INVALID_ORDER
    assert fingerprint(ex.engine) == before


def test_an_oco_s_named_leg_takes_the_new_id_and_both_the_quantity() -> None:
    ex = exchange()
    above = PlaceOrder(ALICE, GOLD, SELL, OrderType.LIMIT_MAKER, ONE, 110_000,
                       client_order_id="above")  # fmt: skip
    below = PlaceOrder(ALICE, GOLD, SELL, OrderType.STOP_LOSS_LIMIT, ONE, 89_000, GTC,
                       stop_price=90_000, client_order_id="below")  # fmt: skip
    [placed] = of_type(ex.do(PlaceOrderList(ALICE, GOLD, ListKind.OCO, (above, below))),
                       OrderListPlaced)  # fmt: skip
    above_id, below_id = placed.order_ids
    events = ex.do(
        AmendOrder(ALICE, GOLD, kgld("0.6"), order_id=above_id, new_client_order_id="above-2")
    )
    by_id = {e.order_id: e for e in of_type(events, OrderAmended)}
    assert (by_id[above_id].orig_client_order_id, by_id[above_id].client_order_id) == (
        "above", "above-2",
    )  # fmt: skip
    assert by_id[below_id].client_order_id == by_id[below_id].orig_client_order_id == "below"
    assert {e.new_quantity for e in by_id.values()} == {kgld("0.6")}
    [kept] = ex.engine.open_order_lists()
    assert kept.client_order_ids == ("above-2", "below")
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.snapshot() == ex.engine.snapshot()


def oto(ex: Exchange) -> tuple[int, int]:
    working = limit(BUY, 95_000, "working")
    pending = PlaceOrder(ALICE, GOLD, SELL, OrderType.LIMIT_MAKER, ONE, 120_000,
                         client_order_id="pending")  # fmt: skip
    events = ex.do(PlaceOrderList(ALICE, GOLD, ListKind.OTO, (working, pending)))
    [placed] = of_type(events, OrderListPlaced)
    working_id, pending_id = placed.order_ids
    return working_id, pending_id


def test_an_oto_s_pending_order_is_amended_and_placed_as_amended() -> None:
    ex = exchange()
    _, pending_id = oto(ex)
    before = fingerprint(ex.engine)
    for refused, reason in (
        (AmendOrder(ALICE, GOLD, ONE, order_id=pending_id), RejectReason.INVALID_AMEND),
        (AmendOrder(ALICE, GOLD, kgld("0.5"), order_id=pending_id, client_order_id="other",
                    ids_must_match=True), RejectReason.UNKNOWN_ORDER),
        (AmendOrder(ALICE, GOLD, kgld("0.5"), order_id=pending_id,
                    new_client_order_id="working"), RejectReason.DUPLICATE_ORDER),
        (AmendOrder(BOB, GOLD, kgld("0.5"), order_id=pending_id), RejectReason.UNKNOWN_ORDER),
    ):  # fmt: skip
        assert rejection(ex.do(refused)) is reason, refused
        assert fingerprint(ex.engine) == before
    events = ex.do(
        AmendOrder(ALICE, GOLD, kgld("0.6"), client_order_id="pending", new_client_order_id="p2")
    )
    [amended] = of_type(events, OrderAmended)
    assert (amended.order_id, amended.released, amended.asset) == (pending_id, 0, "KGLD")
    assert (amended.orig_quantity, amended.new_quantity) == (ONE, kgld("0.6"))
    assert (amended.orig_client_order_id, amended.client_order_id) == ("pending", "p2")
    assert ex.balance(ALICE, "KGLD") == (kgld("5"), 0)  # a pending order holds nothing
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.snapshot() == ex.engine.snapshot()

    placed = of_type(ex.limit(BOB, SELL, ONE, 95_000), OrderAccepted)
    mine = [a for a in placed if a.order_id == pending_id]
    assert [(a.order.quantity, a.order.client_order_id) for a in mine] == [(kgld("0.6"), "p2")]
    # 1 KGLD bought less its 0.001 fee (10 bps), 0.6 of it held by the placed order.
    assert ex.balance(ALICE, "KGLD") == (kgld("5.399"), kgld("0.6"))


def test_an_otoco_s_pending_pair_takes_one_quantity() -> None:
    ex = exchange()
    working = limit(BUY, 95_000, "w")
    above = PlaceOrder(ALICE, GOLD, SELL, OrderType.LIMIT_MAKER, ONE, 120_000,
                       client_order_id="a")  # fmt: skip
    below = PlaceOrder(ALICE, GOLD, SELL, OrderType.STOP_LOSS_LIMIT, ONE, 89_000, GTC,
                       stop_price=90_000, client_order_id="b")  # fmt: skip
    events = ex.do(PlaceOrderList(ALICE, GOLD, ListKind.OTOCO, (working, above, below)))
    [placed] = of_type(events, OrderListPlaced)
    _, above_id, below_id = placed.order_ids
    events = ex.do(AmendOrder(ALICE, GOLD, kgld("0.4"), order_id=below_id,
                              new_client_order_id="b2"))  # fmt: skip
    amended = {e.order_id: e for e in of_type(events, OrderAmended)}
    assert sorted(amended) == [above_id, below_id]
    assert {e.new_quantity for e in amended.values()} == {kgld("0.4")}
    assert (amended[above_id].client_order_id, amended[below_id].client_order_id) == ("a", "b2")
    [kept] = ex.engine.open_order_lists()
    assert kept.client_order_ids == ("w", "a", "b2")
