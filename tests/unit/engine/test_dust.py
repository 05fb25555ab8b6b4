"""Small balances converted to KRW (`domain/dust.py`): a balance too small to sell with an
order of its own goes to the venue at the last price, less a 2 % service fee; the fee account
buys it. Every asset named converts, or none does.

The gold market: minimum order 5,000 KRW and 0.1 KGLD; the last price is 130,000 KRW after
`traded()`, whose trade leaves the fee account 130 KRW to pay with.
"""

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

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.commands import ConvertDust, Deposit, ListAsset, ListMarket
from assetport.domain.events import DustConversion, DustConverted
from assetport.domain.markets import Market
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason

BUY, SELL = Side.BUY, Side.SELL


def traded() -> Exchange:
    """A gold market whose last price is 130,000 KRW; the fee account holds 130 KRW (the
    seller's maker fee) and 0.002 KGLD (the buyer's taker fee)."""
    ex = Exchange()
    ex.fund(BOB, gold=kgld("1"))
    ex.fund(CAROL, krw=1_000_000)
    ex.limit(BOB, SELL, kgld("1"), 130_000)
    ex.limit(CAROL, BUY, kgld("1"), 130_000)
    assert ex.balance(FEE_ACCOUNT, "KRW") == (130, 0)
    return ex


def test_a_small_balance_is_sold_to_the_venue_at_the_last_price_less_the_fee() -> None:
    ex = traded()
    ex.fund(ALICE, gold=kgld("0.0005"))  # worth 65 KRW: far under the 5,000 KRW minimum
    events = ex.do(ConvertDust(ALICE, ("KGLD",), "KRW"))
    (converted,) = of_type(events, DustConverted)
    # 65 KRW, of which 2 % (1.3, rounded up to 2) stays with the venue.
    assert converted.conversions == (DustConversion("KGLD", kgld("0.0005"), 65, 2, 63),)
    assert (converted.account, converted.target) == (ALICE, "KRW")
    assert ex.balance(ALICE, "KGLD") == (0, 0)
    assert ex.balance(ALICE, "KRW") == (63, 0)
    assert ex.balance(FEE_ACCOUNT, "KRW") == (130 - 63, 0)
    assert ex.balance(FEE_ACCOUNT, "KGLD") == (kgld("0.002") + kgld("0.0005"), 0)


def test_a_balance_under_the_minimum_quantity_is_dust_whatever_its_value() -> None:
    ex = traded()
    ex.fund(ALICE, gold=kgld("0.09"))  # 11,700 KRW, but under the 0.1 KGLD minimum
    before = fingerprint(ex.engine)
    # The fee account holds 130 KRW: it cannot pay 11,466 KRW now, so nothing moves.
    events = ex.do(ConvertDust(ALICE, ("KGLD",), "KRW"))
    assert rejection(events) is RejectReason.CONVERSION_UNAVAILABLE
    assert fingerprint(ex.engine) == before
    # After a trade of 100 KGLD (13,000 KRW of maker fee) it can.
    ex.fund(BOB, gold=kgld("100"))
    ex.fund(CAROL, krw=20_000_000)
    ex.limit(BOB, SELL, kgld("100"), 130_000)
    ex.limit(CAROL, BUY, kgld("100"), 130_000)
    (converted,) = of_type(ex.do(ConvertDust(ALICE, ("KGLD",), "KRW")), DustConverted)
    assert converted.conversions == (DustConversion("KGLD", kgld("0.09"), 11_700, 234, 11_466),)
    assert ex.balance(ALICE, "KRW") == (11_466, 0)


def test_a_balance_worth_an_order_of_its_own_is_not_dust_and_nothing_changes() -> None:
    ex = traded()
    ex.fund(ALICE, gold=kgld("0.5"))  # 65,000 KRW: sell it with an order
    before = fingerprint(ex.engine)
    assert rejection(ex.do(ConvertDust(ALICE, ("KGLD",), "KRW"))) is RejectReason.NOT_DUST
    assert fingerprint(ex.engine) == before


def test_every_asset_converts_or_none_does() -> None:
    ex = traded()
    ex.do(ListAsset("KSLV", 4))
    ex.do(
        ListMarket(
            Market("KSLVKRW", "KSLV", "KRW", tick_size=1, step_size=10_000, min_qty=10_000,
                   max_qty=10**12, min_notional=5_000)
        )
    )  # fmt: skip
    ex.fund(ALICE, gold=kgld("0.0005"))
    ex.do(Deposit(ALICE, "KSLV", 5_000, "kslv-dust"))
    before = fingerprint(ex.engine)
    # KSLV never traded: no price to value it at, so the gold stays too.
    events = ex.do(ConvertDust(ALICE, ("KGLD", "KSLV"), "KRW"))
    assert rejection(events) is RejectReason.NO_PRICE
    assert events[0].symbol == "KSLV"  # the asset the refusal is about
    assert fingerprint(ex.engine) == before


def test_what_cannot_be_converted_is_refused_with_the_reason() -> None:
    ex = traded()
    ex.fund(ALICE, gold=kgld("0.0005"))
    cases = [
        (ConvertDust(ALICE, ("KGLD", "KGLD"), "KRW"), RejectReason.INVALID_ORDER),
        (ConvertDust(ALICE, ("KRW",), "KRW"), RejectReason.INVALID_ORDER),
        (ConvertDust(ALICE, ("NOPE",), "KRW"), RejectReason.UNKNOWN_ASSET),
        (ConvertDust(ALICE, ("BTC",), "KRW"), RejectReason.NO_PRICE),
        (ConvertDust(ALICE, ("KGLD",), "BTC"), RejectReason.NO_PRICE),
        (ConvertDust(BOB, ("KGLD",), "KRW"), RejectReason.INSUFFICIENT_BALANCE),
        (ConvertDust(ALICE, (), "KRW"), RejectReason.INVALID_AMOUNT),
        (ConvertDust(FEE_ACCOUNT, ("KGLD",), "KRW"), RejectReason.INVALID_ACCOUNT),
    ]
    for command, reason in cases:
        before = fingerprint(ex.engine)
        assert rejection(ex.do(command)) is reason, command
        assert fingerprint(ex.engine) == before, command
    assert GOLD in ex.engine.markets
