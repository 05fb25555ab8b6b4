"""Market rules of issue 13: self-trade prevention by default, cancels and amends naming one
order by both ids, and amounts the ledger cannot record."""

import msgspec
from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    GOLD,
    GOLD_MARKET,
    STP,
    Exchange,
    accepted_id,
    assert_balanced,
    fingerprint,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.commands import (
    AmendOrder,
    CancelOrder,
    CancelReplace,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetMarketSelfTradePrevention,
    Withdraw,
    decode_command,
    encode_command,
)
from assetport.domain.events import (
    CommandRejected,
    Deposited,
    Event,
    MarketSelfTradePreventionChanged,
    MatchPrevented,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    TradeExecuted,
)
from assetport.domain.markets import allowed_stp_modes
from assetport.domain.orders import OrderType, Side
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.engine import Engine
from assetport.engine.snapshot import EngineState, decode_state, encode_state

BUY, SELL = Side.BUY, Side.SELL


def own_ask(ex: Exchange) -> int:
    ex.fund(ALICE, krw=1_000_000, gold=kgld("1"))
    return accepted_id(ex.limit(ALICE, SELL, kgld("0.5"), 130_000))


# ----------------------------------------------------------------- self-trade prevention


def test_an_order_without_a_mode_expires_the_own_resting_order() -> None:
    ex = Exchange()
    mine = own_ask(ex)
    events = ex.limit(ALICE, BUY, kgld("0.5"), 130_000)
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.stp_mode is STP.EXPIRE_MAKER
    (prevented,) = of_type(events, MatchPrevented)
    assert prevented.maker_order_id == mine
    assert of_type(events, TradeExecuted) == []
    assert [e.order_id for e in of_type(events, OrderExpired)] == [mine]


def test_none_is_refused_where_the_operator_did_not_allow_it_and_changes_nothing() -> None:
    ex = Exchange()
    own_ask(ex)
    before = fingerprint(ex.engine)
    events = ex.limit(ALICE, BUY, kgld("0.5"), 130_000, stp_mode=STP.NONE)
    assert rejection(events) is RejectReason.STP_MODE_NOT_ALLOWED
    assert fingerprint(ex.engine) == before


def test_the_operator_switch_allows_none_and_takes_it_back() -> None:
    ex = Exchange()
    mine = own_ask(ex)
    (changed,) = ex.do(SetMarketSelfTradePrevention(GOLD, STP.EXPIRE_TAKER, True))
    assert isinstance(changed, MarketSelfTradePreventionChanged)
    (trade,) = of_type(ex.limit(ALICE, BUY, kgld("0.1"), 130_000, stp_mode=STP.NONE), TradeExecuted)
    assert trade.buyer_account == trade.seller_account == ALICE
    # The new default applies to orders that name no mode.
    events = ex.limit(ALICE, BUY, kgld("0.1"), 130_000)
    assert of_type(events, OrderAccepted)[0].stp_mode is STP.EXPIRE_TAKER
    assert [e.maker_order_id for e in of_type(events, MatchPrevented)] == [mine]
    ex.do(SetMarketSelfTradePrevention(GOLD, STP.EXPIRE_MAKER, False))
    refused = ex.limit(ALICE, BUY, kgld("0.1"), 130_000, stp_mode=STP.NONE)
    assert rejection(refused) is RejectReason.STP_MODE_NOT_ALLOWED


def test_a_default_of_none_must_allow_none() -> None:
    ex = Exchange()
    events = ex.do(SetMarketSelfTradePrevention(GOLD, STP.NONE, False))
    assert rejection(events) is RejectReason.STP_MODE_NOT_ALLOWED
    assert rejection(ex.do(SetMarketSelfTradePrevention("NOPE", STP.NONE, True))) is (
        RejectReason.UNKNOWN_SYMBOL
    )
    m = ex.engine.markets[GOLD]
    assert (m.default_stp, m.stp_none_allowed) == (STP.EXPIRE_MAKER, False)
    assert allowed_stp_modes(m.stp_none_allowed) == ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
    assert allowed_stp_modes(True) == ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]


def _as_written_before_the_rule(command: ListMarket) -> ListMarket:
    """The listing as the journal held it before `allow_stp_none` existed."""
    raw = msgspec.msgpack.decode(encode_command(command))
    del raw[1]["allow_stp_none"]
    decoded = decode_command(msgspec.msgpack.encode(raw))
    assert isinstance(decoded, ListMarket)
    return decoded


def test_a_market_listed_with_the_old_default_still_lets_an_account_trade_with_itself() -> None:
    old = _as_written_before_the_rule(ListMarket(GOLD_MARKET.__replace__(default_stp=STP.NONE)))
    ex = Exchange(old.market)
    assert old.market.allow_stp_none is False
    own_ask(ex)
    # As it was before: the default NONE, and NONE named outright, both trade.
    (trade,) = of_type(ex.limit(ALICE, BUY, kgld("0.2"), 130_000), TradeExecuted)
    assert trade.buyer_account == trade.seller_account
    assert of_type(ex.limit(ALICE, BUY, kgld("0.2"), 130_000, stp_mode=STP.NONE), TradeExecuted)


def test_the_snapshot_keeps_the_policy_and_an_old_snapshot_reads_the_listing() -> None:
    ex = Exchange()
    ex.do(SetMarketSelfTradePrevention(GOLD, STP.EXPIRE_BOTH, True))
    restored = Engine.restore(ex.engine.snapshot())
    m = restored.markets[GOLD]
    assert (m.default_stp, m.allow_stp_none, m.stp_none_allowed) == (STP.EXPIRE_BOTH, True, True)
    assert restored.state_hash() == ex.engine.state_hash()

    # A snapshot written before the policy existed: its markets' rows end with the stops.
    fresh = Exchange()
    raw = msgspec.msgpack.decode(fresh.engine.snapshot())
    raw[5] = [row[:9] for row in raw[5]]
    old = Engine.restore(msgspec.msgpack.encode(raw))
    assert old.markets[GOLD].default_stp is STP.EXPIRE_MAKER
    assert old.markets[GOLD].stp_none_allowed is False
    assert old.state_hash() == fresh.engine.state_hash()


# ----------------------------------------------------------------- both ids


def two_orders(ex: Exchange) -> tuple[int, int]:
    ex.fund(ALICE, krw=1_000_000)
    first = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 120_000, client_order_id="first"))
    second = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 110_000, client_order_id="second"))
    return first, second


def test_a_cancel_whose_two_ids_name_different_orders_is_refused() -> None:
    ex = Exchange()
    first, _ = two_orders(ex)
    before = fingerprint(ex.engine)
    cancel = CancelOrder(ALICE, GOLD, order_id=first, client_order_id="second", ids_must_match=True)
    events = ex.do(cancel)
    assert rejection(events) is RejectReason.UNKNOWN_ORDER
    assert fingerprint(ex.engine) == before
    same = CancelOrder(ALICE, GOLD, order_id=first, client_order_id="first", ids_must_match=True)
    assert [e.order_id for e in of_type(ex.do(same), OrderCanceled)] == [first]


def test_a_cancel_journaled_before_the_rule_is_decided_by_the_order_id() -> None:
    ex = Exchange()
    first, _ = two_orders(ex)
    events = ex.do(CancelOrder(ALICE, GOLD, order_id=first, client_order_id="second"))
    assert [e.order_id for e in of_type(events, OrderCanceled)] == [first]


def test_an_amend_whose_two_ids_name_different_orders_is_refused() -> None:
    ex = Exchange()
    first, second = two_orders(ex)
    amend = AmendOrder(ALICE, GOLD, kgld("0.5"), first, "second", ids_must_match=True)
    assert rejection(ex.do(amend)) is RejectReason.UNKNOWN_ORDER
    amend = AmendOrder(ALICE, GOLD, kgld("0.5"), second, "second", ids_must_match=True)
    assert [e.order_id for e in of_type(ex.do(amend), OrderAmended)] == [second]


def test_a_cancel_replace_whose_two_ids_differ_places_nothing() -> None:
    ex = Exchange()
    first, _ = two_orders(ex)
    cancel = CancelOrder(ALICE, GOLD, order_id=first, client_order_id="second", ids_must_match=True)
    place = PlaceOrder(ALICE, GOLD, BUY, OrderType.LIMIT, kgld("1"), 100_000)
    before = fingerprint(ex.engine)
    events = ex.do(CancelReplace(cancel, place))
    assert [type(e) for e in events] == [CommandRejected]
    assert fingerprint(ex.engine) == before


# ----------------------------------------------------------------- amounts beyond 64 bits


def test_a_deposit_past_the_supply_limit_is_refused_and_the_snapshot_still_works() -> None:
    ex = Exchange()
    (deposited,) = ex.do(Deposit(ALICE, "KRW", MAX_AMOUNT - 10, "big"))
    assert isinstance(deposited, Deposited)
    before = fingerprint(ex.engine)
    assert rejection(ex.do(Deposit(BOB, "KRW", 11, "one-too-many"))) is (
        RejectReason.AMOUNT_TOO_LARGE
    )
    assert rejection(ex.do(Deposit(BOB, "KRW", 2**64 - 1, "far-too-many"))) is (
        RejectReason.AMOUNT_TOO_LARGE
    )
    assert fingerprint(ex.engine) == before
    ex.do(Deposit(BOB, "KRW", 10, "exactly-full"))
    assert ex.balance(BOB, "KRW") == (10, 0)
    state: EngineState = decode_state(ex.engine.snapshot())
    assert encode_state(state) == ex.engine.snapshot()
    assert (0, "KRW", -MAX_AMOUNT, 0) in state.balances
    assert Engine.restore(ex.engine.snapshot()).state_hash() == ex.engine.state_hash()


def test_orders_beyond_what_the_ledger_records_fail_the_filters() -> None:
    unbounded = GOLD_MARKET.__replace__(max_price=0, max_notional=0, max_qty=kgld("10000"))
    ex = Exchange(unbounded)
    ex.fund(ALICE, krw=10**12, gold=kgld("1000"))
    huge_price = MAX_AMOUNT - MAX_AMOUNT % 10 + 10  # the first tick above the limit
    sell = ex.limit(ALICE, SELL, kgld("1"), huge_price)
    assert rejection(sell) is RejectReason.PRICE_FILTER
    # A price the ledger holds, but a value (price x quantity) it does not.
    value_too_big = ex.limit(ALICE, SELL, kgld("1000"), MAX_AMOUNT // 100 - MAX_AMOUNT // 100 % 10)
    assert rejection(value_too_big) is RejectReason.NOTIONAL
    quote_sized = ex.place(ALICE, BUY, OrderType.MARKET, quote_quantity=MAX_AMOUNT + 1)
    assert rejection(quote_sized) is RejectReason.NOTIONAL
    stop = ex.place(ALICE, SELL, OrderType.STOP_LOSS, quantity=kgld("1"), stop_price=huge_price)
    assert rejection(stop) is RejectReason.PRICE_FILTER


def test_a_listing_beyond_the_limit_is_clamped_by_the_engine() -> None:
    listed = GOLD_MARKET.__replace__(max_qty=2**63 - 1 - (2**63 - 1) % 1_000)
    ex = Exchange(listed)
    m = ex.engine.markets[GOLD]
    assert m.max_qty == MAX_AMOUNT
    assert m.max_price == GOLD_MARKET.max_price
    ex.fund(ALICE, gold=kgld("1"))
    too_many = ex.limit(ALICE, SELL, MAX_AMOUNT + 1_000 - MAX_AMOUNT % 1_000, 130_000)
    assert rejection(too_many) is RejectReason.LOT_SIZE


def test_what_one_order_receives_stays_within_64_bits() -> None:
    """The worst case the limits allow: a sell takes bids worth a whole supply, rests, and
    once the money has gone round, receives its own value (at most the limit) again."""
    whole = GOLD_MARKET.__replace__(
        symbol="BIGKRW", base="BIG", tick_size=1, step_size=1, min_qty=1, max_qty=MAX_AMOUNT,
        min_price=0, max_price=0, min_notional=0, maker_fee_bps=0, taker_fee_bps=0,
    )  # fmt: skip
    engine = Engine()

    def do(command: Command) -> list[Event]:
        events = engine.apply(engine.last_seq + 1, engine.last_seq + 1, command)
        assert_balanced(engine)
        return events

    do(ListAsset("KRW", 0))
    do(ListAsset("BIG", 0))
    do(ListMarket(whole))
    price, quantity = 2**31, 2**31 - 1  # a value just under 2**62
    big_bid = 2**62 - 2**32
    do(Deposit(BOB, "KRW", MAX_AMOUNT, "all-the-money"))
    do(PlaceOrder(BOB, "BIGKRW", BUY, OrderType.LIMIT, 1, big_bid))
    do(Deposit(ALICE, "BIG", quantity, "big"))
    sell = accepted_id(do(PlaceOrder(ALICE, "BIGKRW", SELL, OrderType.LIMIT, quantity, price)))
    do(Withdraw(ALICE, "KRW", big_bid, "out"))
    do(Deposit(CAROL, "KRW", big_bid, "in-again"))
    do(PlaceOrder(CAROL, "BIGKRW", BUY, OrderType.LIMIT, quantity - 2, price))
    (order,) = [o for o in engine.open_orders() if o.order_id == sell]
    assert order.executed_quote == big_bid + price * (quantity - 2)
    assert MAX_AMOUNT < order.executed_quote < 2**63
    assert Engine.restore(engine.snapshot()).state_hash() == engine.state_hash()
