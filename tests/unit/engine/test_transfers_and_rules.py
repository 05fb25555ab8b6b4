"""Deposits and withdrawals, market rules and status, fees, listings, the log's order."""

import pytest
from engine_harness import (
    ALICE,
    BOB,
    GOLD,
    GOLD_MARKET,
    Exchange,
    accepted_id,
    fingerprint,
    kgld,
    of_type,
    rejection,
)

from assetport.domain.commands import (
    CancelOrder,
    Deposit,
    ListAsset,
    ListMarket,
    SetAccountFees,
    SetMarketFees,
    SetMarketStatus,
    Withdraw,
)
from assetport.domain.events import Deposited, OrderCanceled, TradeExecuted, Withdrawn
from assetport.domain.markets import MarketStatus
from assetport.domain.orders import (
    TRANSITIONS,
    IllegalTransition,
    OrderStatus,
    Side,
    check_transition,
)
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

BUY, SELL = Side.BUY, Side.SELL


def test_deposit_is_idempotent_by_reference() -> None:
    ex = Exchange()
    assert of_type(ex.do(Deposit(ALICE, "KRW", 5_000, "tx-1")), Deposited)
    before = fingerprint(ex.engine)
    assert rejection(ex.do(Deposit(ALICE, "KRW", 5_000, "tx-1"))) is RejectReason.ALREADY_APPLIED
    assert fingerprint(ex.engine) == before
    reused = ex.do(Deposit(ALICE, "KRW", 6_000, "tx-1"))
    assert rejection(reused) is RejectReason.REFERENCE_REUSED
    assert ex.balance(ALICE, "KRW") == (5_000, 0)
    assert ex.balance(0, "KRW") == (-5_000, 0)  # the external account mirrors what users hold


def test_withdraw_only_from_free_funds() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=200_000)
    ex.limit(ALICE, BUY, kgld("1"), 130_000)
    too_much = ex.do(Withdraw(ALICE, "KRW", 70_001, "w-1"))
    assert rejection(too_much) is RejectReason.INSUFFICIENT_BALANCE
    assert of_type(ex.do(Withdraw(ALICE, "KRW", 70_000, "w-2")), Withdrawn)
    assert ex.balance(ALICE, "KRW") == (0, 130_000)


def test_transfer_checks() -> None:
    ex = Exchange()
    assert rejection(ex.do(Deposit(ALICE, "XYZ", 1, "a"))) is RejectReason.UNKNOWN_ASSET
    assert rejection(ex.do(Deposit(ALICE, "KRW", 0, "b"))) is RejectReason.INVALID_AMOUNT
    assert rejection(ex.do(Deposit(ALICE, "KRW", 1, ""))) is RejectReason.INVALID_AMOUNT
    assert rejection(ex.do(Deposit(1, "KRW", 1, "c"))) is RejectReason.INVALID_ACCOUNT


@pytest.mark.parametrize(
    ("quantity", "price", "reason"),
    [
        (kgld("1"), 130_005, RejectReason.PRICE_FILTER),  # off the 10 KRW tick
        (kgld("1"), 0, RejectReason.INVALID_ORDER),
        (kgld("1"), 100_000_010, RejectReason.PRICE_FILTER),  # above max price
        (kgld("1.05"), 130_000, RejectReason.LOT_SIZE),  # off the 0.1 step
        (kgld("0"), 130_000, RejectReason.INVALID_ORDER),
        (kgld("10000.1"), 130_000, RejectReason.LOT_SIZE),  # above max quantity
        (kgld("0.1"), 40_000, RejectReason.NOTIONAL),  # 4,000 KRW < 5,000 minimum
    ],
)
def test_filters(quantity: int, price: int, reason: RejectReason) -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=10**12)
    assert rejection(ex.limit(ALICE, BUY, quantity, price)) is reason


def test_max_number_of_open_orders() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=10**9)
    for _ in range(GOLD_MARKET.max_num_orders):
        ex.limit(ALICE, BUY, kgld("0.1"), 100_000)
    assert rejection(ex.limit(ALICE, BUY, kgld("0.1"), 100_000)) is RejectReason.MAX_NUM_ORDERS


def test_halt_freezes_the_market_and_cancel_only_lets_orders_out() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    order = accepted_id(ex.limit(ALICE, BUY, kgld("1"), 130_000))
    ex.do(SetMarketStatus(GOLD, MarketStatus.HALT))
    assert rejection(ex.limit(ALICE, BUY, kgld("1"), 130_000)) is RejectReason.MARKET_CLOSED
    assert rejection(ex.cancel(ALICE, order)) is RejectReason.MARKET_CLOSED
    ex.do(SetMarketStatus(GOLD, MarketStatus.CANCEL_ONLY))
    refused = ex.limit(ALICE, BUY, kgld("1"), 130_000)
    assert rejection(refused) is RejectReason.MARKET_CANCEL_ONLY
    assert of_type(ex.cancel(ALICE, order), OrderCanceled)


def test_unknown_symbol() -> None:
    ex = Exchange()
    events = ex.do(CancelOrder(ALICE, "NOPEKRW", order_id=1))
    assert rejection(events) is RejectReason.UNKNOWN_SYMBOL


def test_fee_changes_and_account_overrides_apply_to_later_trades() -> None:
    ex = Exchange()
    ex.fund(ALICE, gold=kgld("2"))
    ex.fund(BOB, krw=1_000_000)
    ex.do(SetMarketFees(GOLD, 0, 50))
    ex.do(SetAccountFees(BOB, 0, 0))  # a fee-free market maker... taking here
    ex.limit(ALICE, SELL, kgld("1"), 100_000)
    (trade,) = of_type(ex.limit(BOB, BUY, kgld("1"), 100_000), TradeExecuted)
    assert (trade.buyer_fee, trade.seller_fee) == (0, 0)
    ex.do(SetAccountFees(BOB, -1, -1))  # back to the market's fees
    ex.limit(ALICE, SELL, kgld("1"), 100_000)
    (trade,) = of_type(ex.limit(BOB, BUY, kgld("1"), 100_000), TradeExecuted)
    assert (trade.buyer_fee, trade.seller_fee) == (50, 0)
    assert rejection(ex.do(SetMarketFees(GOLD, 5_000, 0))) is RejectReason.INVALID_FEE


def test_listing_checks() -> None:
    ex = Exchange()
    assert rejection(ex.do(ListAsset("KRW", 0))) is RejectReason.ALREADY_LISTED
    assert rejection(ex.do(ListMarket(GOLD_MARKET))) is RejectReason.ALREADY_LISTED
    bad = GOLD_MARKET.__replace__(symbol="KGLDBTC", quote="BTC", tick_size=1, step_size=1)
    # 1 satoshi x 0.0001 KGLD is a hundredth of a satoshi: trades could not settle exactly.
    assert rejection(ex.do(ListMarket(bad))) is RejectReason.INVALID_LISTING


def test_the_engine_refuses_a_gap_in_the_log() -> None:
    engine = Engine()
    engine.apply(1, 0, ListAsset("KRW", 0))
    with pytest.raises(ValueError, match="gap"):
        engine.apply(3, 0, ListAsset("BTC", 8))


def test_snapshot_restores_the_same_state() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000, gold=kgld("1"))
    ex.limit(ALICE, BUY, kgld("1"), 120_000, client_order_id="a")
    ex.limit(ALICE, SELL, kgld("0.5"), 140_000, iceberg_qty=kgld("0.1"))
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.state_hash() == ex.engine.state_hash()
    assert restored.snapshot() == ex.engine.snapshot()


def test_the_lifecycle_check_follows_the_transition_table() -> None:
    for current in OrderStatus:
        for new in OrderStatus:
            if new in TRANSITIONS[current]:
                check_transition(current, new)
            else:
                with pytest.raises(IllegalTransition):
                    check_transition(current, new)
