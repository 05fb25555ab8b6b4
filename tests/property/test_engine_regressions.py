"""Engine bugs the property tests found, kept as the smallest command sequences that
showed them, so they stay fixed."""

import pytest
from engine_invariants import ledger_problems, negative_amounts
from engine_streams import KGLDKRW, POOR_ACCOUNT, apply_all, venue

from assetport.domain.commands import PlaceOrder, Withdraw
from assetport.domain.events import CommandRejected
from assetport.domain.orders import OrderType, SelfTradePrevention, Side
from assetport.domain.results import RejectReason
from assetport.engine.snapshot import decode_state

SYMBOL = KGLDKRW.symbol
ONE_KGLD = 10_000  # units of 0.0001


@pytest.mark.parametrize("stp", [SelfTradePrevention.EXPIRE_TAKER, SelfTradePrevention.EXPIRE_BOTH])
def test_quote_sized_market_sell_cannot_sell_base_it_does_not_have(
    stp: SelfTradePrevention,
) -> None:
    engine = venue()
    assert engine.ledger.free(POOR_ACCOUNT, "KGLD") == 3_000  # 0.3 KGLD
    # Two bids at one price: another account's first, then the poor account's own.
    apply_all(
        engine,
        [
            PlaceOrder(2, SYMBOL, Side.BUY, OrderType.LIMIT, ONE_KGLD, 100_000),
            PlaceOrder(POOR_ACCOUNT, SYMBOL, Side.BUY, OrderType.LIMIT, ONE_KGLD // 10, 100_000),
        ],
    )
    # Sell 100,000 KRW worth (1 KGLD) with only 0.3 KGLD: it must be refused for funds,
    # or at least never sell more than the account has.
    sell = PlaceOrder(
        POOR_ACCOUNT, SYMBOL, Side.SELL, OrderType.MARKET, quote_quantity=100_000, stp_mode=stp
    )
    [events] = apply_all(engine, [sell])

    # The bug: OrderAccepted(held=0), TradeExecuted(quantity=10000),
    # OrderFilled(released=-10000), and account 5's KGLD free balance at -7000.
    assert not negative_amounts(events), events
    assert ledger_problems(engine) == []
    assert events == [
        CommandRejected(
            events[0].seq,
            events[0].time,
            RejectReason.INSUFFICIENT_BALANCE,
            POOR_ACCOUNT,
            SYMBOL,
        )
    ]


def test_a_refused_withdrawal_leaves_no_trace() -> None:
    engine = venue()
    before = decode_state(engine.snapshot()).balances
    [events] = apply_all(engine, [Withdraw(6, "KGLD", 1, "w-1")])
    [refused] = events
    assert isinstance(refused, CommandRejected)
    assert refused.reason is RejectReason.INSUFFICIENT_BALANCE
    # The bug: the snapshot gained the row (6, "KGLD", 0, 0).
    assert decode_state(engine.snapshot()).balances == before
