"""Permissioned holding in the engine (`engine/eligibility/`, `engine/holder_gate.py`): a
token whose issuer set holder rules is delivered only to accounts the rules allow (KYC
level, country, holder count, per-holder cap), by an order, a trade, a subscription, a
transfer or a deposit, and refused before any money moves; it does not change hands in its
lock-up; a frozen holding cannot be sold, sent or redeemed until it is released."""

import pytest
from engine_harness import Exchange, fingerprint, of_type, rejection
from test_engine_issuance import GRAM, ISSUER, attestation, bar, issuing

from assetport.domain.commands import (
    Command,
    Deposit,
    FreezeHolding,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RequestRedemption,
    SetAccountIdentity,
    SetHolderRules,
    SetSubscriptionTerms,
    Subscribe,
    TransferRwa,
    UnfreezeHolding,
)
from assetport.domain.events import (
    HoldingFrozen,
    HoldingUnfrozen,
    OrderExpired,
    RwaTransferred,
    TradeExecuted,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import SubscriptionTerms, TransferKind
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

SELLER, KIM, LEE, PARK, JOHN = 1000, 1001, 1002, 1003, 1004
KOREAN = AccountIdentity(kyc_level=2, country="KR")
RULES = HolderRules("AUG", min_kyc_level=2, countries_allowed=("KR", "JP"))


def permissioned(rules: HolderRules = RULES) -> Exchange:
    """AUG under `rules`; the seller (eligible) holds 100 g of the 200 g minted and offers
    10 g at 100,000."""
    exchange = issuing()
    exchange.do(RecordAttestation(attestation(exchange, bar("A1"))))
    exchange.do(MintRwa("AUG", 200 * GRAM, "float"))
    for account in (SELLER, KIM, LEE, PARK):
        exchange.do(SetAccountIdentity(account, KOREAN))
        exchange.do(Deposit(account, "KRW", 10**9, f"krw-{account}"))
    exchange.do(Deposit(JOHN, "KRW", 10**9, "krw-john"))
    exchange.do(SetAccountIdentity(JOHN, AccountIdentity(2, "US")))
    exchange.do(TransferRwa(ISSUER, "AUG", ISSUER, SELLER, 100 * GRAM, TransferKind.ALLOCATION,
                            "", "to-seller"))  # fmt: skip
    assert not rejection_in(exchange.do(SetHolderRules(ISSUER, rules)))
    assert not rejection_in(exchange.do(sell(SELLER, 10 * GRAM)))
    return exchange


def rejection_in(events: list[object]) -> bool:
    return any(type(e).__name__ == "CommandRejected" for e in events)


def buy(account: int, grams: int, tif: TimeInForce = TimeInForce.IOC) -> PlaceOrder:
    return PlaceOrder(account, "AUGKRW", Side.BUY, OrderType.LIMIT, quantity=grams * GRAM,
                      price=100_000, time_in_force=tif)  # fmt: skip


def sell(account: int, quantity: int) -> PlaceOrder:
    return PlaceOrder(account, "AUGKRW", Side.SELL, OrderType.LIMIT, quantity=quantity,
                      price=100_000, time_in_force=TimeInForce.GTC)  # fmt: skip


def test_only_eligible_accounts_buy_a_permissioned_token() -> None:
    exchange = permissioned()
    before = fingerprint(exchange.engine)
    # John lives in the US: not allowed; 1005 was never verified.
    assert rejection(exchange.do(buy(JOHN, 1))) is RejectReason.NOT_ELIGIBLE
    exchange.do(Deposit(1005, "KRW", 10**6, "krw-1005"))
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(buy(1005, 1))) is RejectReason.NOT_ELIGIBLE
    assert fingerprint(exchange.engine) == before
    # Kim is verified to level 2 in Korea.
    traded = of_type(exchange.do(buy(KIM, 1)), TradeExecuted)
    assert traded and traded[0].quantity == GRAM


def test_a_country_on_the_deny_list_is_refused() -> None:
    rules = HolderRules("AUG", countries_denied=("KP", "IR"))
    exchange = permissioned(rules)
    exchange.do(SetAccountIdentity(LEE, AccountIdentity(1, "KP")))
    assert rejection(exchange.do(buy(LEE, 1))) is RejectReason.NOT_ELIGIBLE
    assert of_type(exchange.do(buy(KIM, 1)), TradeExecuted)


def test_the_per_holder_cap_and_the_holder_count_hold() -> None:
    # The seller is one holder; two more may come, each up to 5 g.
    exchange = permissioned(HolderRules("AUG", max_holders=3, max_per_holder=5 * GRAM))
    assert rejection(exchange.do(buy(KIM, 6))) is RejectReason.HOLDER_LIMIT
    assert of_type(exchange.do(buy(KIM, 3)), TradeExecuted)
    assert rejection(exchange.do(buy(KIM, 3))) is RejectReason.HOLDER_LIMIT  # 6 g in all
    assert of_type(exchange.do(buy(LEE, 1)), TradeExecuted)
    # Seller, Kim and Lee hold it: Park would be a fourth.
    assert rejection(exchange.do(buy(PARK, 1))) is RejectReason.HOLDER_LIMIT
    assert of_type(exchange.do(buy(KIM, 2)), TradeExecuted)  # an existing holder may add


def test_a_trade_never_delivers_to_a_buyer_no_longer_allowed() -> None:
    exchange = permissioned()
    # Kim's buy rests; then compliance lowers Kim's level. The seller's next sell would
    # deliver to Kim: the buy ends unfilled instead, and the sell rests.
    resting = exchange.do(PlaceOrder(KIM, "AUGKRW", Side.BUY, OrderType.LIMIT, quantity=GRAM,
                                     price=90_000, time_in_force=TimeInForce.GTC))  # fmt: skip
    assert not rejection_in(resting)
    exchange.do(SetAccountIdentity(KIM, AccountIdentity(1, "KR")))
    krw_before = exchange.balance(KIM, "KRW")
    events = exchange.do(PlaceOrder(SELLER, "AUGKRW", Side.SELL, OrderType.LIMIT,
                                    quantity=GRAM, price=90_000,
                                    time_in_force=TimeInForce.GTC))  # fmt: skip
    assert not of_type(events, TradeExecuted)
    ended = of_type(events, OrderExpired)
    assert [e.account for e in ended] == [KIM]
    assert exchange.balance(KIM, "AUG") == (0, 0)
    assert exchange.balance(KIM, "KRW") == (krw_before[0] + krw_before[1], 0)


def test_a_taker_stops_where_the_rules_stop_it() -> None:
    # A buy sized in quote has no quantity to check when placed: its trades are held to
    # the per-holder cap one by one, and it ends where the next would pass it.
    rules = HolderRules("AUG", max_per_holder=15 * GRAM)
    exchange = permissioned(rules)
    quote_buy = PlaceOrder(
        KIM, "AUGKRW", Side.BUY, OrderType.MARKET, quote_quantity=2_000_000
    )  # 20 g worth: the cap is 15 g
    exchange.do(sell(SELLER, 10 * GRAM))  # 20 g offered in all, at 100,000
    events = exchange.do(quote_buy)
    traded = sum(t.quantity for t in of_type(events, TradeExecuted))
    assert traded == 10 * GRAM  # the first order of 10 g; 10 more would pass 15 g
    assert [e.account for e in of_type(events, OrderExpired)] == [KIM]
    assert exchange.balance(KIM, "AUG") == (10 * GRAM, 0)


def test_nothing_changes_hands_in_the_lock_up() -> None:
    exchange = permissioned()
    until = exchange.time + 10**9
    exchange.do(SetHolderRules(ISSUER, HolderRules("AUG", lockup_until_us=until)))
    assert rejection(exchange.do(sell(SELLER, GRAM))) is RejectReason.LOCKED_UP
    assert rejection(exchange.do(buy(KIM, 1))) is RejectReason.LOCKED_UP
    # The primary market goes on: a subscription and an allocation.
    exchange.do(SetSubscriptionTerms(SubscriptionTerms("AUG", "KRW", 100_000, 0, GRAM, True)))
    assert not rejection_in(exchange.do(Subscribe(KIM, "AUG", GRAM, "sub-1")))
    exchange.time = until
    assert not rejection_in(exchange.do(sell(SELLER, GRAM)))


def test_subscriptions_transfers_and_deposits_ask_the_rules_too() -> None:
    exchange = permissioned()
    exchange.do(SetSubscriptionTerms(SubscriptionTerms("AUG", "KRW", 100_000, 0, GRAM, True)))
    before = fingerprint(exchange.engine)
    refused: list[Command] = [
        Subscribe(JOHN, "AUG", GRAM, "sub-john"),
        TransferRwa(ISSUER, "AUG", ISSUER, JOHN, GRAM, TransferKind.ALLOCATION, "", "t1"),
        TransferRwa(ISSUER, "AUG", SELLER, JOHN, GRAM, TransferKind.FORCED, "court", "t2"),
        Deposit(JOHN, "AUG", GRAM, "d1"),
    ]
    for command in refused:
        assert rejection(exchange.do(command)) is RejectReason.NOT_ELIGIBLE, command
    assert fingerprint(exchange.engine) == before
    assert of_type(exchange.do(TransferRwa(ISSUER, "AUG", SELLER, KIM, GRAM,
                                           TransferKind.FORCED, "court", "t3")),
                   RwaTransferred)  # fmt: skip


def test_a_frozen_holding_cannot_be_sold_sent_or_redeemed_until_released() -> None:
    exchange = permissioned()
    free = exchange.balance(SELLER, "AUG")[0]
    freeze = FreezeHolding(ISSUER, SELLER, "AUG", 0, "AML review 2026-77", agent="lee.compliance")
    frozen = of_type(exchange.do(freeze), HoldingFrozen)[0]
    assert (frozen.amount, frozen.frozen, frozen.agent) == (free, free, "lee.compliance")
    assert exchange.engine.eligibility.frozen_of(SELLER, "AUG") == free
    assert Hold(SELLER, "AUG", HoldPurpose.FROZEN, free) in exchange.engine.holds()
    assert rejection(exchange.do(sell(SELLER, GRAM))) is RejectReason.INSUFFICIENT_BALANCE
    assert rejection(exchange.do(RequestRedemption(SELLER, "AUG", GRAM, False, "r"))) is (
        RejectReason.INSUFFICIENT_BALANCE
    )
    forced = TransferRwa(ISSUER, "AUG", SELLER, KIM, GRAM, TransferKind.FORCED, "court", "t")
    assert rejection(exchange.do(forced)) is RejectReason.INSUFFICIENT_BALANCE
    released = of_type(exchange.do(UnfreezeHolding(ISSUER, SELLER, "AUG", GRAM, "cleared")),
                       HoldingUnfrozen)[0]  # fmt: skip
    assert (released.amount, released.frozen) == (GRAM, free - GRAM)
    assert not rejection_in(exchange.do(sell(SELLER, GRAM)))
    assert rejection(exchange.do(UnfreezeHolding(ISSUER, SELLER, "AUG", free, "x"))) is (
        RejectReason.NOT_FROZEN
    )
    restored = Engine.restore(exchange.engine.snapshot())
    assert restored.snapshot() == exchange.engine.snapshot()
    assert restored.eligibility.frozen_of(SELLER, "AUG") == free - GRAM
    assert restored.gate.rules == exchange.engine.gate.rules
    assert restored.gate.identities == exchange.engine.gate.identities


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (SetHolderRules(102, RULES), RejectReason.NOT_AN_RWA_TOKEN),
        (SetHolderRules(ISSUER, HolderRules("KGLD")), RejectReason.NOT_AN_RWA_TOKEN),
        (SetHolderRules(ISSUER, HolderRules("AUG", min_kyc_level=4)),
         RejectReason.INVALID_RWA_TERMS),
        (SetHolderRules(ISSUER, HolderRules("AUG", countries_allowed=("Korea",))),
         RejectReason.INVALID_RWA_TERMS),
        (SetAccountIdentity(KIM, AccountIdentity(2, "kr")), RejectReason.INVALID_CUSTODY_INPUT),
        (SetAccountIdentity(1, KOREAN), RejectReason.INVALID_CUSTODY_INPUT),
        (FreezeHolding(ISSUER, SELLER, "AUG", 0, ""), RejectReason.INVALID_CUSTODY_INPUT),
        (FreezeHolding(ISSUER, KIM, "AUG", 0, "x"), RejectReason.INSUFFICIENT_BALANCE),
        (FreezeHolding(102, SELLER, "AUG", 0, "x"), RejectReason.NOT_AN_RWA_TOKEN),
        (UnfreezeHolding(ISSUER, SELLER, "AUG", 0, "x"), RejectReason.NOT_FROZEN),
        (FreezeHolding(ISSUER, SELLER, "AUG", 0, "x", agent="a\nb"),
         RejectReason.INVALID_CUSTODY_INPUT),
    ],
)  # fmt: skip
def test_bad_rules_identities_and_freezes_are_refused(
    command: Command, reason: RejectReason
) -> None:
    exchange = permissioned()
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason
    assert fingerprint(exchange.engine) == before
