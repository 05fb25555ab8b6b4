"""Fees in quote on a QUOTE-fee market (Upbit's rule for won markets): the buyer pays its fee
in KRW, held with the order, and receives every unit of base it bought, so a buy leaves no
fraction of a token that cannot be sold.

The gold market charges maker 10 bps (0.1 %) and taker 20 bps (0.2 %); every figure below
can be checked by hand.
"""

from collections import defaultdict

from engine_harness import (
    ALICE,
    BOB,
    CAROL,
    GOLD,
    Exchange,
    accepted_id,
    fingerprint,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.commands import (
    AmendOrder,
    Command,
    PlaceOrder,
    SetAccountFees,
    SetMarketFeeAsset,
    SetMarketFees,
)
from assetport.domain.events import (
    Event,
    MarketFeeAssetChanged,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderFilled,
    OrderTriggered,
    TradeExecuted,
)
from assetport.domain.markets import FeeAsset
from assetport.domain.orders import OrderType, Side
from assetport.domain.postings import FREE, HELD, PostingRules
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

BUY, SELL = Side.BUY, Side.SELL


def quote_fee_exchange() -> Exchange:
    ex = Exchange()
    (changed,) = ex.do(SetMarketFeeAsset(GOLD, FeeAsset.QUOTE))
    assert isinstance(changed, MarketFeeAssetChanged)
    return ex


def test_a_buy_holds_its_price_and_its_fee_at_the_higher_rate() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000)
    (accepted,) = of_type(events, OrderAccepted)
    # 130,000 KRW for the gold and 0.2 % of it (260 KRW) for the fee, should it take.
    assert (accepted.held_asset, accepted.held) == ("KRW", 130_260)
    assert ex.balance(ALICE, "KRW") == (869_740, 130_260)


def test_the_buyer_pays_the_fee_in_krw_and_receives_every_unit_of_gold() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(BOB, SELL, kgld("1"), 130_000)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000)  # takes: 0.2 % = 260 KRW
    (trade,) = of_type(events, TradeExecuted)
    assert (trade.buyer_fee, trade.buyer_fee_in_quote) == (260, True)
    assert trade.seller_fee == 130  # the seller's maker fee, in KRW as always
    assert ex.balance(ALICE, "KGLD") == (kgld("1"), 0)  # all of it: no dust
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 130_260, 0)
    assert ex.balance(BOB, "KRW") == (130_000 - 130, 0)
    assert ex.balance(FEE_ACCOUNT, "KRW") == (390, 0)
    assert ex.balance(FEE_ACCOUNT, "KGLD") == (0, 0)
    # Everything the buyer bought can be sold again, to the last unit.
    assert of_type(ex.limit(ALICE, SELL, kgld("1"), 140_000), OrderAccepted)


def test_a_resting_buy_pays_the_maker_rate_and_gets_the_rest_of_its_fee_hold_back() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(ALICE, BUY, kgld("1"), 130_000)  # holds 130,260
    events = ex.limit(BOB, SELL, kgld("1"), 130_000)
    (trade,) = of_type(events, TradeExecuted)
    assert trade.buyer_fee == 130  # 0.1 % as the maker
    (filled,) = [e for e in of_type(events, OrderFilled) if e.account == ALICE]
    assert (filled.asset, filled.released) == ("KRW", 130)  # the taker-rate margin unused
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 130_130, 0)


def test_many_small_fills_pay_the_fee_of_the_whole_rounded_once() -> None:
    """Rounding up each fill would charge 1 KRW on each of ten 0.1-gram fills of 13,000
    KRW (0.1 % = 13 KRW exactly, so here no rounding at all); at a price whose fee has a
    fraction, ten fills pay ceil(sum) rather than the sum of ceils."""
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=10_000_000)
    ex.fund(BOB, gold=kgld("5"))
    price = 130_010  # 0.1 g = 13,001 KRW; 0.1 % of it = 13.001 KRW
    order_id = accepted_id(ex.limit(ALICE, BUY, kgld("1"), price))
    fees = []
    for _ in range(10):
        (trade,) = of_type(ex.limit(BOB, SELL, kgld("0.1"), price), TradeExecuted)
        fees.append(trade.buyer_fee)
    # 10 x 13.001 = 130.01 -> 131 in all, where ten ceilings would make 140.
    assert sum(fees) == 131
    assert fees[0] == 14 and fees[1:] == [13] * 9
    assert order_id not in {o.order_id for o in ex.engine.open_orders()}
    assert ex.balance(ALICE, "KRW") == (10_000_000 - 130_010 - 131, 0)


def test_an_order_keeps_the_rates_it_was_placed_under() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(ALICE, BUY, kgld("1"), 130_000)  # holds a 0.2 % fee
    ex.do(SetMarketFees(GOLD, 1_000, 1_000))  # 10 %: the hold could never pay it
    ex.do(SetAccountFees(ALICE, 1_000, 1_000))
    (trade,) = of_type(ex.limit(BOB, SELL, kgld("1"), 130_000), TradeExecuted)
    assert trade.buyer_fee == 130  # the maker rate of when it was placed
    assert trade.seller_fee == 13_000  # the seller's order was placed under the new rate


def test_a_buy_that_cannot_also_pay_the_fee_is_refused_and_changes_nothing() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=130_000)  # the price exactly, not the fee
    before = fingerprint(ex.engine)
    events = ex.limit(ALICE, BUY, kgld("1"), 130_000)
    assert rejection(events) is RejectReason.INSUFFICIENT_BALANCE
    assert fingerprint(ex.engine) == before
    ex.fund(ALICE, krw=260)
    assert of_type(ex.limit(ALICE, BUY, kgld("1"), 130_000), OrderAccepted)


def test_a_market_buy_for_an_amount_of_krw_spends_it_on_gold_and_pays_the_fee_on_top() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(BOB, SELL, kgld("5"), 100_000)
    events = ex.place(ALICE, BUY, OrderType.MARKET, quote_quantity=50_000)
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.held == 50_100  # 50,000 and its 0.2 %
    (trade,) = of_type(events, TradeExecuted)
    assert (trade.quantity, trade.quote_quantity, trade.buyer_fee) == (kgld("0.5"), 50_000, 100)
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 50_100, 0)
    assert ex.balance(ALICE, "KGLD") == (kgld("0.5"), 0)


def test_a_market_buy_for_a_quantity_holds_the_fee_of_what_the_book_asks() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(BOB, SELL, kgld("1"), 100_000)
    ex.limit(BOB, SELL, kgld("1"), 110_000)
    events = ex.place(ALICE, BUY, OrderType.MARKET, quantity=kgld("1.5"))
    (accepted,) = of_type(events, OrderAccepted)
    assert accepted.held == 155_000 + 310
    trades = of_type(events, TradeExecuted)
    assert [t.buyer_fee for t in trades] == [200, 110]
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 155_310, 0)
    assert ex.balance(ALICE, "KGLD") == (kgld("1.5"), 0)


def test_a_triggered_stop_market_buy_tops_up_its_fee_with_its_price() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("10"))
    ex.fund(CAROL, krw=1_000_000)
    ex.limit(BOB, SELL, kgld("1"), 100_000)
    ex.limit(CAROL, BUY, kgld("1"), 100_000)  # a trade at 100,000: the last price
    events = ex.place(ALICE, BUY, OrderType.STOP_LOSS, quantity=kgld("1"), stop_price=120_000)
    assert of_type(events, OrderAccepted)[0].held == 120_240  # at the stop price, with fee
    ex.limit(BOB, SELL, kgld("1"), 130_000)
    ex.limit(BOB, SELL, kgld("1"), 120_000)
    events = ex.limit(CAROL, BUY, kgld("1"), 120_000)  # the last price reaches 120,000
    (triggered,) = of_type(events, OrderTriggered)
    # The book now asks 130,000: 10,000 more for the price and 20 more for its fee.
    assert triggered.held_added == 10_020
    trades = [t for t in of_type(events, TradeExecuted) if t.buyer_account == ALICE]
    assert [(t.price, t.buyer_fee) for t in trades] == [(130_000, 260)]
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 130_260, 0)


def test_amending_a_buy_down_gives_back_the_fee_of_what_it_no_longer_buys() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    order_id = accepted_id(ex.limit(ALICE, BUY, kgld("2"), 100_000))  # 200,000 + 400
    (amended,) = of_type(ex.do(AmendOrder(ALICE, GOLD, kgld("1"), order_id)), OrderAmended)
    assert (amended.asset, amended.released) == ("KRW", 100_200)
    assert ex.balance(ALICE, "KRW") == (1_000_000 - 100_200, 100_200)


def test_a_canceled_buy_gives_back_its_price_and_its_fee() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=1_000_000)
    order_id = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 100_000))
    (canceled,) = of_type(ex.cancel(ALICE, order_id), OrderCanceled)
    assert canceled.released == 100_200
    assert ex.balance(ALICE, "KRW") == (1_000_000, 0)


def test_open_orders_keep_the_rule_they_were_placed_under_when_the_market_changes() -> None:
    ex = Exchange()  # fees in the received asset
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(ALICE, BUY, kgld("1"), 100_000)  # holds no fee
    ex.do(SetMarketFeeAsset(GOLD, FeeAsset.QUOTE))
    ex.limit(ALICE, BUY, kgld("1"), 100_000)  # holds 200 for its fee
    events = ex.limit(BOB, SELL, kgld("2"), 100_000)
    first, second = of_type(events, TradeExecuted)
    assert (first.buyer_fee, first.buyer_fee_in_quote) == (kgld("0.001"), False)  # in gold
    assert (second.buyer_fee, second.buyer_fee_in_quote) == (100, True)  # in KRW
    assert ex.balance(ALICE, "KGLD") == (kgld("1.999"), 0)


def test_an_unknown_market_s_fee_asset_cannot_be_set() -> None:
    ex = Exchange()
    before = fingerprint(ex.engine)
    events = ex.do(SetMarketFeeAsset("NOPEKRW", FeeAsset.QUOTE))
    assert rejection(events) is RejectReason.UNKNOWN_SYMBOL
    assert fingerprint(ex.engine) == before


def test_the_fee_rule_and_open_fee_holds_survive_a_snapshot_byte_for_byte() -> None:
    ex = quote_fee_exchange()
    ex.fund(ALICE, krw=10_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(ALICE, BUY, kgld("2"), 130_010)
    ex.limit(BOB, SELL, kgld("0.3"), 130_010)  # part filled: a fee basis with a fraction
    snapshot = ex.engine.snapshot()
    twin = Engine.restore(snapshot)
    assert twin.snapshot() == snapshot
    # The restored engine goes on exactly as the first: the same fees, the same state.
    sell = PlaceOrder(BOB, GOLD, SELL, OrderType.LIMIT, quantity=kgld("0.3"), price=130_010)
    ours = ex.do(sell)
    theirs = twin.apply(ex.seq, ex.time, sell)
    assert (
        [t.buyer_fee for t in of_type(theirs, TradeExecuted)]
        == [t.buyer_fee for t in of_type(ours, TradeExecuted)]
        == [39]
    )  # 0.3 g at 130,010: 39.003 KRW; the basis carried over rounds it once
    assert twin.state_hash() == ex.engine.state_hash()


def test_a_market_switched_back_leaves_the_snapshot_as_it_was_before_any_fee_in_quote() -> None:
    ex = Exchange()
    before = fingerprint(ex.engine)
    ex.do(SetMarketFeeAsset(GOLD, FeeAsset.QUOTE))
    assert fingerprint(ex.engine) != before
    ex.do(SetMarketFeeAsset(GOLD, FeeAsset.RECEIVED))
    assert fingerprint(ex.engine) == before


class RecordingExchange(Exchange):
    """An exchange that keeps every event, as the gateway's read models receive them."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        super().__init__()

    def do(self, command: Command) -> list[Event]:
        events = super().do(command)
        self.events.extend(events)
        return events


def test_balances_posted_from_the_events_alone_match_the_ledger() -> None:
    """The read models and audits post from events: a fee in quote must post as it moved."""
    ex = RecordingExchange()
    ex.do(SetMarketFeeAsset(GOLD, FeeAsset.QUOTE))
    ex.fund(ALICE, krw=1_000_000)
    ex.fund(BOB, gold=kgld("5"))
    ex.limit(BOB, SELL, kgld("1"), 130_010)
    ex.limit(ALICE, BUY, kgld("0.5"), 130_020)  # takes below its limit: a release too
    ex.limit(ALICE, BUY, kgld("1"), 130_010)  # takes 0.5, rests 0.5 with its fee hold
    rules = PostingRules()
    posted: dict[tuple[int, str, str], int] = defaultdict(int)
    for event in ex.events:
        for line in rules.postings(event):
            posted[(line.account, line.asset, line.bucket)] += line.amount
    for account, asset, record in ex.engine.ledger.items():
        assert posted[(account, asset, FREE)] == record.free, (account, asset)
        assert posted[(account, asset, HELD)] == record.held, (account, asset)
