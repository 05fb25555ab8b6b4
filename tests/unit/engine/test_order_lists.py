"""Order lists in the engine (docs/trading-rules.md#order-lists), hand-computed: what an
OCO holds, what happens in the step one leg trades or triggers, OTO pending orders, the
refusals, cancels and amends. Gold has 4 decimals, KRW none; fees are 10/20 bps."""

from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    GOLD,
    Exchange,
    fingerprint,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelOrderList,
    PlaceOrder,
    PlaceOrderList,
    SetMarketFeeAsset,
)
from assetport.domain.events import (
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderListPlaced,
    OrderListStatus,
    OrderTriggered,
    TradeExecuted,
)
from assetport.domain.markets import FeeAsset
from assetport.domain.order_lists import ListKind, ListOrderStatus
from assetport.domain.orders import OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

BUY, SELL = Side.BUY, Side.SELL
GTC = TimeInForce.GTC
ONE = kgld("1")


def leg(
    side: Side, order_type: OrderType, price: int = 0, stop: int = 0, **fields: object
) -> PlaceOrder:
    tif = (
        GTC
        if order_type in (OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT, OrderType.LIMIT)
        else None
    )
    return PlaceOrder(
        ALICE, GOLD, side, order_type, quantity=fields.pop("quantity", ONE),  # type: ignore[arg-type]
        price=price, time_in_force=tif, stop_price=stop, **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def sell_oco(**extra: object) -> PlaceOrderList:
    above = leg(SELL, OrderType.LIMIT_MAKER, 110_000)
    below = leg(SELL, OrderType.STOP_LOSS_LIMIT, 89_000, 90_000)
    return PlaceOrderList(ALICE, GOLD, ListKind.OCO, (above, below), **extra)  # type: ignore[arg-type]


def buy_oco() -> PlaceOrderList:
    above = leg(BUY, OrderType.STOP_LOSS_LIMIT, 130_000, 120_000)
    below = leg(BUY, OrderType.LIMIT_MAKER, 90_000)
    return PlaceOrderList(ALICE, GOLD, ListKind.OCO, (above, below))


def exchange() -> Exchange:
    """Alice and Bob funded; Carol's trade with Bob at 100,000 KRW sets the last price."""
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000, gold=kgld("5"))
    ex.fund(BOB, krw=1_000_000, gold=kgld("5"))
    ex.fund(CAROL, gold=kgld("0.1"))
    ex.limit(CAROL, SELL, kgld("0.1"), 100_000)
    ex.limit(BOB, BUY, kgld("0.1"), 100_000)
    assert ex.engine.markets[GOLD].last_price == 100_000
    return ex


def test_a_sell_oco_holds_its_quantity_once_and_the_stop_gets_the_first_id() -> None:
    ex = exchange()
    events = ex.do(sell_oco(list_client_order_id="mine"))
    [placed] = of_type(events, OrderListPlaced)
    accepted = of_type(events, OrderAccepted)
    stop_id, maker_id = sorted(a.order_id for a in accepted)
    assert placed.order_ids == (maker_id, stop_id)  # above, below as given
    assert [a.order.type for a in accepted] == [OrderType.STOP_LOSS_LIMIT, OrderType.LIMIT_MAKER]
    assert [a.held for a in accepted] == [0, ONE]
    assert ex.balance(ALICE, "KGLD") == (kgld("4"), ONE)


def test_when_the_limit_maker_fills_the_stop_expires_in_the_same_step() -> None:
    ex = exchange()
    ex.do(sell_oco())
    events = ex.limit(BOB, BUY, ONE, 110_000)
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("OrderExpired") < kinds.index("TradeExecuted")
    [expired] = of_type(events, OrderExpired)
    assert expired.released == 0 and not expired.in_match
    [done] = of_type(events, OrderListStatus)
    assert done.list_order_status is ListOrderStatus.ALL_DONE
    assert ex.balance(ALICE, "KGLD") == (kgld("4"), 0)
    assert not ex.engine.open_orders(account=ALICE)
    assert not ex.engine.open_order_lists()


def test_a_partial_fill_of_the_limit_maker_ends_the_stop_too() -> None:
    ex = exchange()
    ex.do(sell_oco())
    events = ex.limit(BOB, BUY, kgld("0.4"), 110_000)
    assert len(of_type(events, OrderExpired)) == 1
    assert not of_type(events, OrderListStatus)  # the maker is still open
    [maker] = ex.engine.open_orders(account=ALICE)
    assert (maker.type, maker.held) == (OrderType.LIMIT_MAKER, kgld("0.6"))


def test_a_buy_oco_holds_its_dearer_leg_once_and_a_trigger_gives_back_the_rest() -> None:
    ex = exchange()
    ex.do(buy_oco())
    # The stop-limit at 130,000 is dearer than the limit maker at 90,000: 130,000 held once.
    assert ex.balance(ALICE, "KRW")[1] == 130_000
    ex.fund(CAROL, gold=kgld("0.1"))
    ex.limit(CAROL, SELL, kgld("0.1"), 120_000)
    events = ex.limit(BOB, BUY, kgld("0.1"), 120_000)  # the last price rises to 120,000
    triggered = of_type(events, OrderTriggered)
    assert triggered and triggered[0].account == ALICE
    expired = [e for e in of_type(events, OrderExpired) if e.account == ALICE]
    assert len(expired) == 1 and expired[0].released == 0  # it needs all 130,000
    [stop] = [o for o in ex.engine.open_orders(account=ALICE)]
    assert (stop.type, stop.working, stop.held) == (OrderType.STOP_LOSS_LIMIT, True, 130_000)


def test_a_limit_maker_buy_that_trades_gives_back_what_only_the_stop_needed() -> None:
    ex = exchange()
    ex.do(buy_oco())
    events = ex.limit(BOB, SELL, ONE, 90_000)
    [expired] = [e for e in of_type(events, OrderExpired) if e.account == ALICE]
    # 130,000 held for the pair; the limit maker needed 90,000 of it.
    assert expired.released == 40_000
    assert ex.balance(ALICE, "KRW")[1] == 0  # it filled whole
    assert [t.price for t in of_type(events, TradeExecuted)] == [90_000]


def test_refused_lists_change_nothing() -> None:
    ex = exchange()
    before = fingerprint(ex.engine)
    wrong_way = PlaceOrderList(ALICE, GOLD, ListKind.OCO, tuple(reversed(sell_oco().orders)))
    out_of_relation = PlaceOrderList(
        ALICE, GOLD, ListKind.OCO,
        (leg(SELL, OrderType.LIMIT_MAKER, 95_000), leg(SELL, OrderType.STOP_LOSS, 0, 90_000)),
    )  # fmt: skip
    too_big = PlaceOrderList(
        ALICE, GOLD, ListKind.OCO,
        (leg(SELL, OrderType.LIMIT_MAKER, 110_000, quantity=kgld("6")),
         leg(SELL, OrderType.STOP_LOSS, 0, 90_000, quantity=kgld("6"))),
    )  # fmt: skip
    uneven = PlaceOrderList(
        ALICE, GOLD, ListKind.OCO,
        (leg(SELL, OrderType.LIMIT_MAKER, 110_000),
         leg(SELL, OrderType.STOP_LOSS, 0, 90_000, quantity=kgld("2"))),
    )  # fmt: skip
    oto_market_working = PlaceOrderList(
        ALICE, GOLD, ListKind.OTO,
        (PlaceOrder(ALICE, GOLD, BUY, OrderType.MARKET, ONE),
         leg(SELL, OrderType.LIMIT_MAKER, 120_000)),
    )  # fmt: skip
    cases = [
        (wrong_way, RejectReason.INVALID_ORDER_LIST),
        (out_of_relation, RejectReason.PRICE_RELATIONSHIP),
        (too_big, RejectReason.INSUFFICIENT_BALANCE),
        (uneven, RejectReason.INVALID_ORDER_LIST),
        (oto_market_working, RejectReason.INVALID_ORDER_LIST),
    ]
    for command, reason in cases:
        assert rejection(ex.do(command)) is reason, command
        assert fingerprint(ex.engine) == before
    ex.do(sell_oco(list_client_order_id="x"))
    again = fingerprint(ex.engine)
    assert rejection(ex.do(sell_oco(list_client_order_id="x"))) is RejectReason.DUPLICATE_ORDER
    assert fingerprint(ex.engine) == again


def test_a_list_counts_its_orders_in_max_num_orders() -> None:
    ex = exchange()
    for _ in range(49):  # one order short of the market's 50
        ex.do(PlaceOrder(ALICE, GOLD, BUY, OrderType.LIMIT, kgld("0.1"), 50_000, GTC))
    assert rejection(ex.do(sell_oco())) is RejectReason.MAX_NUM_ORDERS


def test_canceling_one_leg_or_all_orders_cancels_the_list() -> None:
    ex = exchange()
    ids = sorted(a.order_id for a in of_type(ex.do(sell_oco()), OrderAccepted))
    events = ex.do(CancelOrder(ALICE, GOLD, order_id=ids[0]))
    assert sorted(e.order_id for e in of_type(events, OrderCanceled)) == ids
    assert sum(e.released for e in of_type(events, OrderCanceled)) == ONE
    assert of_type(events, OrderListStatus)
    ex.do(sell_oco())
    events = ex.do(CancelAllOrders(ALICE, GOLD))
    assert len(of_type(events, OrderCanceled)) == 2 and len(of_type(events, OrderListStatus)) == 1
    assert ex.balance(ALICE, "KGLD") == (kgld("5"), 0)
    assert rejection(ex.do(CancelOrderList(ALICE, GOLD, 1))) is RejectReason.UNKNOWN_ORDER


def test_an_oto_places_its_pending_order_in_the_step_its_working_order_fills() -> None:
    ex = exchange()
    working = leg(BUY, OrderType.LIMIT, 95_000)
    pending = leg(SELL, OrderType.LIMIT_MAKER, 120_000)
    events = ex.do(PlaceOrderList(ALICE, GOLD, ListKind.OTO, (working, pending)))
    assert len(of_type(events, OrderAccepted)) == 1  # the pending order holds nothing yet
    krw_held = ex.balance(ALICE, "KRW")[1]
    events = ex.limit(BOB, SELL, ONE, 95_000)
    accepted = of_type(events, OrderAccepted)
    assert [a.order.type for a in accepted] == [OrderType.LIMIT, OrderType.LIMIT_MAKER]
    assert accepted[1].account == ALICE and accepted[1].held == ONE
    assert krw_held and ex.balance(ALICE, "KRW")[1] == 0


def test_an_oto_whose_working_order_is_canceled_cancels_its_pending_order() -> None:
    ex = exchange()
    working = leg(BUY, OrderType.LIMIT, 95_000)
    pending = leg(SELL, OrderType.LIMIT_MAKER, 120_000)
    events = ex.do(PlaceOrderList(ALICE, GOLD, ListKind.OTO, (working, pending)))
    [placed] = of_type(events, OrderListPlaced)
    events = ex.do(CancelOrderList(ALICE, GOLD, placed.order_list_id))
    assert sorted(e.order_id for e in of_type(events, OrderCanceled)) == list(placed.order_ids)
    assert ex.balance(ALICE, "KRW")[1] == 0


def test_self_trade_prevention_that_ends_the_limit_maker_takes_the_stop_with_it() -> None:
    ex = exchange()
    ex.do(sell_oco())
    events = ex.do(
        PlaceOrder(
            ALICE,
            GOLD,
            BUY,
            OrderType.LIMIT,
            ONE,
            110_000,
            GTC,
            stp_mode=SelfTradePrevention.EXPIRE_MAKER,
        )
    )
    mine = [e for e in of_type(events, OrderExpired) if e.account == ALICE]
    assert {e.in_match for e in mine} == {True, False}  # the maker in match, the stop after
    assert ex.balance(ALICE, "KGLD") == (kgld("5"), 0)


def test_amending_an_oco_leg_amends_both_and_shrinks_the_one_hold() -> None:
    ex = exchange()
    ids = sorted(a.order_id for a in of_type(ex.do(sell_oco()), OrderAccepted))
    events = ex.do(AmendOrder(ALICE, GOLD, kgld("0.6"), order_id=ids[0]))
    assert [(e.order_id, e.new_quantity) for e in of_type(events, OrderAmended)] == [
        (ids[0], kgld("0.6")), (ids[1], kgld("0.6")),
    ]  # fmt: skip
    assert ex.balance(ALICE, "KGLD") == (kgld("4.4"), kgld("0.6"))


def test_a_buy_oco_on_a_won_market_holds_the_fee_once_too() -> None:
    ex = exchange()
    ex.do(SetMarketFeeAsset(GOLD, FeeAsset.QUOTE))
    ex.do(buy_oco())
    # 130,000 for the dearer leg and its fee at the higher rate (20 bps): 260.
    assert ex.balance(ALICE, "KRW")[1] == 130_260


def test_snapshot_and_restore_keep_the_list() -> None:
    ex = exchange()
    ex.do(sell_oco(list_client_order_id="kept"))
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.snapshot() == ex.engine.snapshot()
    [kept] = restored.open_order_lists()
    assert kept.list_client_order_id == "kept" and kept.pair is not None
    assert {o.status for o in kept.legs} == {OrderStatus.NEW}
