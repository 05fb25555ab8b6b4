"""What holders do with an issued token in the engine (`engine/issuance/`): subscribe to new
tokens at the issuer's price, redeem them (whole bars delivered, the rest in cash, or
rejected and released), retire carbon credits for a certificate; and what the issuer does
to holdings: allocations, forced transfers, recovery. Each refusal names its reason and
changes nothing; the harness checks after every command that the ledger sums to zero."""

import msgspec
import pytest
from engine_harness import Exchange, fingerprint, of_type, rejection
from test_engine_issuance import GRAM, ISSUER, KEY, attestation, bar, issuing

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    CancelRedemption,
    Command,
    ConfirmRedemption,
    Deposit,
    ListAsset,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    RejectRedemption,
    RequestRedemption,
    RetireCredits,
    SetRwaTerms,
    SetSubscriptionTerms,
    Subscribe,
    TransferRwa,
)
from assetport.domain.events import (
    CreditsRetired,
    RedemptionCompleted,
    RedemptionEnded,
    RedemptionRequested,
    RwaTransferred,
    Subscribed,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import (
    RedemptionTerms,
    RwaKind,
    RwaTerms,
    SubscriptionTerms,
    TransferKind,
)
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

ALICE, BOB = 1000, 1001
KG = 1000 * GRAM
ALL = 3 * bar("A1").units  # three bars' fine gold: the whole reserve
# 150,000 won a gram, a 0.5 % subscription fee; at least one gram.
SUBSCRIPTION = SubscriptionTerms("AUG", "KRW", price=150_000, fee_bps=50, minimum=GRAM, open=True)


def gold() -> Exchange:
    """AUG with three 1 kg bars attested, subscriptions open, the treasury holding cash."""
    exchange = issuing()
    exchange.do(RecordAttestation(attestation(exchange, bar("A1"), bar("A2"), bar("A3"))))
    exchange.do(SetSubscriptionTerms(SUBSCRIPTION))
    exchange.do(Deposit(ISSUER, "KRW", 10**9, "treasury-cash"))
    return exchange


def subscribed(exchange: Exchange, account: int, amount: int, ref: str) -> Subscribed:
    events = exchange.do(Subscribe(account, "AUG", amount, ref))
    found: list[Subscribed] = of_type(events, Subscribed)
    assert found, events
    return found[0]


def test_a_subscription_mints_to_the_subscriber_and_pays_the_issuer() -> None:
    exchange = gold()
    exchange.do(Deposit(ALICE, "KRW", 2_000_000, "alice-krw"))
    # 10.5 g at 150,000 won: 1,575,000 won and a fee of 7,875.
    done = subscribed(exchange, ALICE, 105_000, "sub-1")
    assert (done.cost, done.fee, done.supply, done.issuer) == (1_575_000, 7_875, 105_000, ISSUER)
    assert exchange.balance(ALICE, "AUG") == (105_000, 0)
    assert exchange.balance(ALICE, "KRW") == (2_000_000 - 1_582_875, 0)
    assert exchange.balance(ISSUER, "KRW") == (10**9 + 1_582_875, 0)
    assert exchange.engine.issuance.supply("AUG") == 105_000
    # A retry is one subscription; its reference for another amount is refused.
    assert rejection(exchange.do(Subscribe(ALICE, "AUG", 105_000, "sub-1"))) is (
        RejectReason.ALREADY_APPLIED
    )
    assert rejection(exchange.do(Subscribe(ALICE, "AUG", GRAM, "sub-1"))) is (
        RejectReason.REFERENCE_REUSED
    )


def test_a_subscription_rounds_the_cost_up() -> None:
    exchange = gold()
    exchange.do(Deposit(ALICE, "KRW", 1_000, "alice-krw"))
    cheap = SubscriptionTerms("AUG", "KRW", price=3, fee_bps=1, minimum=1, open=True)
    exchange.do(SetSubscriptionTerms(cheap))
    # 1 unit (0.0001 g) at 3 won a gram is 0.0003 won: 1 won, and a fee of 1 won.
    done = subscribed(exchange, ALICE, 1, "tiny")
    assert (done.cost, done.fee) == (1, 1)


@pytest.mark.parametrize(
    ("change", "command", "reason"),
    [
        (None, Subscribe(ALICE, "AUG", GRAM - 1, "s"), RejectReason.BELOW_ISSUER_MINIMUM),
        (None, Subscribe(ALICE, "AUG", 4 * KG, "s"), RejectReason.EXCEEDS_RESERVE),
        (None, Subscribe(ALICE, "AUG", 100 * GRAM, "s"), RejectReason.INSUFFICIENT_BALANCE),
        (None, Subscribe(ALICE, "KGLD", GRAM, "s"), RejectReason.NOT_AN_RWA_TOKEN),
        (None, Subscribe(1, "AUG", GRAM, "s"), RejectReason.INVALID_ACCOUNT),
        (None, Subscribe(ALICE, "AUG", GRAM, ""), RejectReason.INVALID_AMOUNT),
        ({"open": False}, Subscribe(ALICE, "AUG", GRAM, "s"), RejectReason.SUBSCRIPTION_CLOSED),
        (None, SetSubscriptionTerms(msgspec.structs.replace(SUBSCRIPTION, quote="XYZ")),
         RejectReason.INVALID_RWA_TERMS),
        (None, SetSubscriptionTerms(msgspec.structs.replace(SUBSCRIPTION, price=0)),
         RejectReason.INVALID_RWA_TERMS),
    ],
)  # fmt: skip
def test_bad_subscriptions_are_refused(
    change: dict[str, object] | None, command: Command, reason: RejectReason
) -> None:
    exchange = gold()
    exchange.do(Deposit(ALICE, "KRW", 1_000_000, "alice-krw"))
    if change is not None:
        exchange.do(SetSubscriptionTerms(msgspec.structs.replace(SUBSCRIPTION, **change)))
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason
    assert fingerprint(exchange.engine) == before


def holding(amount: int) -> Exchange:
    """Alice holds `amount` of AUG, allocated from the treasury."""
    exchange = gold()
    exchange.do(MintRwa("AUG", amount, "float"))
    transfer = TransferRwa(ISSUER, "AUG", ISSUER, ALICE, amount, TransferKind.ALLOCATION, "", "a1")
    assert of_type(exchange.do(transfer), RwaTransferred)
    return exchange


def requested(exchange: Exchange, amount: int, physical: bool, ref: str) -> RedemptionRequested:
    events = exchange.do(RequestRedemption(ALICE, "AUG", amount, physical, ref))
    found: list[RedemptionRequested] = of_type(events, RedemptionRequested)
    assert found, events
    return found[0]


def test_a_physical_redemption_delivers_whole_bars_and_pays_the_rest_in_cash() -> None:
    exchange = holding(ALL)
    # 1,200 g: a 0.25 % fee of 3 g; one whole bar (999.9 g) delivered, 197.1 g paid in cash.
    asked = requested(exchange, 1_200 * GRAM, True, "r1")
    assert (asked.fee, asked.redemption_id) == (3 * GRAM, 1)
    assert exchange.balance(ALICE, "AUG") == (ALL - 1_200 * GRAM, 1_200 * GRAM)
    assert exchange.engine.holds() == [Hold(ALICE, "AUG", HoldPurpose.REDEMPTION, 1_200 * GRAM)]
    reserve_before = exchange.engine.issuance.reserve("AUG")
    assert reserve_before is not None
    done = of_type(
        exchange.do(ConfirmRedemption(ISSUER, 1, ("A1",), "KRW", 150_000)), RedemptionCompleted
    )[0]
    fine = bar("A1").units
    assert done.bars == (("A1", fine),)
    assert done.burned == 1_197 * GRAM
    assert done.cash_units == 1_197 * GRAM - fine
    assert done.cash == (1_197 * GRAM - fine) * 150_000 // GRAM
    assert exchange.balance(ALICE, "AUG") == (ALL - 1_200 * GRAM, 0)
    assert exchange.balance(ALICE, "KRW") == (done.cash, 0)
    assert exchange.balance(ISSUER, "AUG")[0] == 3 * GRAM  # the fee
    assert exchange.engine.issuance.supply("AUG") == ALL - 1_197 * GRAM
    # The bar left the vault: it backs nothing any more, and cannot be delivered twice.
    reserve = exchange.engine.issuance.reserve("AUG")
    assert reserve is not None
    assert (reserve.units, reserve.used) == (reserve_before.units, fine)
    headroom = reserve.backing - exchange.engine.issuance.supply("AUG")
    refused = exchange.do(MintRwa("AUG", headroom + 1, "more"))
    assert rejection(refused) is RejectReason.EXCEEDS_RESERVE
    requested(exchange, 1_100 * GRAM, True, "r2")
    before = fingerprint(exchange.engine)
    again = exchange.do(ConfirmRedemption(ISSUER, 2, ("A1",), "KRW", 150_000))
    assert rejection(again) is RejectReason.INVALID_BAR_ALLOCATION
    assert fingerprint(exchange.engine) == before
    # It is finished: confirming it again says so.
    finished = exchange.do(ConfirmRedemption(ISSUER, 1, (), "KRW", 150_000))
    assert rejection(finished) is RejectReason.REDEMPTION_NOT_PENDING


def test_a_rejected_or_canceled_redemption_releases_the_tokens() -> None:
    exchange = holding(KG)
    requested(exchange, 10 * GRAM, False, "r1")
    requested(exchange, 20 * GRAM, False, "r2")
    ended = of_type(exchange.do(RejectRedemption(ISSUER, 1, "KYC review pending")),
                    RedemptionEnded)[0]  # fmt: skip
    assert (ended.status, ended.reason, ended.amount) == (
        RedemptionStatus.REJECTED,
        "KYC review pending",
        10 * GRAM,
    )
    assert rejection(exchange.do(CancelRedemption(BOB, 2))) is RejectReason.UNKNOWN_REDEMPTION
    canceled = of_type(exchange.do(CancelRedemption(ALICE, 2)), RedemptionEnded)[0]
    assert canceled.status is RedemptionStatus.CANCELED
    assert exchange.balance(ALICE, "AUG") == (KG, 0)
    assert exchange.engine.holds() == []
    assert rejection(exchange.do(CancelRedemption(ALICE, 2))) is (
        RejectReason.REDEMPTION_NOT_PENDING
    )


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (RequestRedemption(ALICE, "AUG", GRAM - 1, False, "r"), RejectReason.BELOW_ISSUER_MINIMUM),
        (RequestRedemption(ALICE, "AUG", KG + 1, False, "r"), RejectReason.INSUFFICIENT_BALANCE),
        # Physically, less than one whole bar after the fee.
        (RequestRedemption(ALICE, "AUG", 500 * GRAM, True, "r"),
         RejectReason.INVALID_BAR_ALLOCATION),
        (RequestRedemption(BOB, "AUG", GRAM, False, "r"), RejectReason.INSUFFICIENT_BALANCE),
        (ConfirmRedemption(ISSUER, 9, (), "KRW", 1), RejectReason.UNKNOWN_REDEMPTION),
        (RejectRedemption(ISSUER, 9, "no"), RejectReason.UNKNOWN_REDEMPTION),
    ],
)  # fmt: skip
def test_bad_redemptions_are_refused(command: Command, reason: RejectReason) -> None:
    exchange = holding(KG)
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason
    assert fingerprint(exchange.engine) == before


@pytest.mark.parametrize(
    ("confirm", "reason"),
    [
        (ConfirmRedemption(102, 1, (), "KRW", 150_000), RejectReason.UNKNOWN_REDEMPTION),
        (ConfirmRedemption(ISSUER, 1, ("NOPE",), "KRW", 150_000),
         RejectReason.INVALID_BAR_ALLOCATION),
        (ConfirmRedemption(ISSUER, 1, ("A1", "A1"), "KRW", 150_000),
         RejectReason.INVALID_BAR_ALLOCATION),
        (ConfirmRedemption(ISSUER, 1, ("A1", "A2"), "KRW", 150_000),  # more than redeemed
         RejectReason.INVALID_BAR_ALLOCATION),
        (ConfirmRedemption(ISSUER, 1, (), "XYZ", 150_000), RejectReason.UNKNOWN_ASSET),
        (ConfirmRedemption(ISSUER, 1, (), "KRW", 0), RejectReason.INVALID_AMOUNT),
        (ConfirmRedemption(ISSUER, 1, (), "KRW", 10**15), RejectReason.INSUFFICIENT_BALANCE),
        (RejectRedemption(ISSUER, 1, ""), RejectReason.INVALID_CUSTODY_INPUT),
    ],
)  # fmt: skip
def test_bad_confirmations_are_refused(confirm: Command, reason: RejectReason) -> None:
    exchange = holding(ALL)
    requested(exchange, 1_500 * GRAM, True, "r1")
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(confirm)) is reason
    assert fingerprint(exchange.engine) == before


CO2_TERMS = RwaTerms(
    asset="KCO2", issuer=106, kind=RwaKind.CARBON, unit="1 t CO2e, VCS 1234, vintage 2023",
    custodian="Verra registry", vault="Assetport retirement account",
    redemption=RedemptionTerms(minimum=1),
)  # fmt: skip


def carbon() -> Exchange:
    exchange = Exchange()
    exchange.do(ListAsset("KCO2", 0, AssetKind.RWA_TOKEN, 106))
    exchange.do(RegisterAttestor(106, "registry", public_key_hex(KEY)))
    exchange.do(SetRwaTerms(CO2_TERMS))
    lots = (
        ReserveLot("VCS-1234-2023-0001-0100", "VCS 1234 vintage 2023", "Verra", 100),
        ReserveLot("VCS-1234-2023-0101-0150", "VCS 1234 vintage 2023", "Verra", 50),
    )
    exchange.do(RecordAttestation(sign(ReserveStatement("KCO2", "registry", exchange.time,
                                                        lots, 150), KEY)))  # fmt: skip
    exchange.do(MintRwa("KCO2", 150, "all"))
    exchange.do(TransferRwa(106, "KCO2", 106, ALICE, 150, TransferKind.ALLOCATION, "", "a"))
    return exchange


def test_retiring_credits_burns_them_and_names_their_serials() -> None:
    exchange = carbon()
    first = of_type(exchange.do(RetireCredits(ALICE, "KCO2", 80, "Busan City Hall",
                                              "2026 operations", "ret-1")),
                    CreditsRetired)[0]  # fmt: skip
    assert (first.certificate_id, first.serials) == (1, (("VCS-1234-2023-0001-0100", 80),))
    # The next takes up where the first stopped, across the lots.
    second = of_type(exchange.do(RetireCredits(ALICE, "KCO2", 40, "Haeundae Hotel", "",
                                               "ret-2")), CreditsRetired)[0]  # fmt: skip
    assert second.certificate_id == 2
    assert second.serials == (("VCS-1234-2023-0001-0100", 20), ("VCS-1234-2023-0101-0150", 20))
    assert second.supply == 30
    assert exchange.balance(ALICE, "KCO2") == (30, 0)
    reserve = exchange.engine.issuance.reserve("KCO2")
    assert reserve is not None and reserve.backing == 30
    # Retired credits back nothing: no headroom appeared.
    assert rejection(exchange.do(MintRwa("KCO2", 1, "m"))) is RejectReason.EXCEEDS_RESERVE


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (RetireCredits(ALICE, "KCO2", 151, "x", "", "r"), RejectReason.INSUFFICIENT_BALANCE),
        (RetireCredits(ALICE, "KCO2", 1, "", "", "r"), RejectReason.INVALID_CUSTODY_INPUT),
        (RetireCredits(ALICE, "KCO2", 1, "x" * 201, "", "r"),
         RejectReason.INVALID_CUSTODY_INPUT),
        (RetireCredits(ALICE, "KCO2", 0, "x", "", "r"), RejectReason.INVALID_AMOUNT),
        (RetireCredits(ALICE, "KRW", 1, "x", "", "r"), RejectReason.NOT_A_CARBON_CREDIT),
    ],
)  # fmt: skip
def test_bad_retirements_are_refused(command: Command, reason: RejectReason) -> None:
    exchange = carbon()
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason
    assert fingerprint(exchange.engine) == before


def test_gold_is_not_retired() -> None:
    exchange = holding(KG)
    refused = exchange.do(RetireCredits(ALICE, "AUG", GRAM, "x", "", "r"))
    assert rejection(refused) is RejectReason.NOT_A_CARBON_CREDIT


def test_forced_transfers_and_recovery_move_holdings_on_the_issuers_word() -> None:
    exchange = holding(KG)
    court = TransferRwa(ISSUER, "AUG", ALICE, BOB, 100 * GRAM, TransferKind.FORCED,
                        "Busan District Court 2026-GA-1234", "court-1")  # fmt: skip
    moved = of_type(exchange.do(court), RwaTransferred)[0]
    assert (moved.kind, moved.reason, moved.amount) == (
        TransferKind.FORCED,
        "Busan District Court 2026-GA-1234",
        100 * GRAM,
    )
    # Alice lost her account: all of it goes to her new one, 1002.
    recover = TransferRwa(ISSUER, "AUG", ALICE, 1002, 0, TransferKind.RECOVERY,
                          "identity verified, ticket 77", "recover-1")  # fmt: skip
    recovered = of_type(exchange.do(recover), RwaTransferred)[0]
    assert recovered.amount == KG - 100 * GRAM
    assert exchange.balance(ALICE, "AUG") == (0, 0)
    assert exchange.balance(BOB, "AUG") == (100 * GRAM, 0)
    assert exchange.balance(1002, "AUG") == (KG - 100 * GRAM, 0)
    assert rejection(exchange.do(recover)) is RejectReason.ALREADY_APPLIED


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        # Not from the treasury, or to a platform account, or to itself.
        (TransferRwa(ISSUER, "AUG", ALICE, BOB, 1, TransferKind.ALLOCATION, "", "t"),
         RejectReason.INVALID_RWA_TRANSFER),
        (TransferRwa(ISSUER, "AUG", ISSUER, 1, 1, TransferKind.ALLOCATION, "", "t"),
         RejectReason.INVALID_RWA_TRANSFER),
        (TransferRwa(ISSUER, "AUG", ALICE, ALICE, 1, TransferKind.FORCED, "court", "t"),
         RejectReason.INVALID_RWA_TRANSFER),
        # A forced transfer without its order's reason.
        (TransferRwa(ISSUER, "AUG", ALICE, BOB, 1, TransferKind.FORCED, "", "t"),
         RejectReason.INVALID_RWA_TRANSFER),
        # A recovery of part of a holding.
        (TransferRwa(ISSUER, "AUG", ALICE, BOB, 1, TransferKind.RECOVERY, "id", "t"),
         RejectReason.INVALID_RWA_TRANSFER),
        (TransferRwa(102, "AUG", ALICE, BOB, 1, TransferKind.FORCED, "court", "t"),
         RejectReason.NOT_AN_RWA_TOKEN),
        (TransferRwa(ISSUER, "AUG", BOB, ALICE, 1, TransferKind.FORCED, "court", "t"),
         RejectReason.INSUFFICIENT_BALANCE),
        (TransferRwa(ISSUER, "AUG", BOB, ALICE, 0, TransferKind.RECOVERY, "id", "t"),
         RejectReason.INSUFFICIENT_BALANCE),
    ],
)  # fmt: skip
def test_bad_transfers_are_refused(command: Command, reason: RejectReason) -> None:
    exchange = holding(KG)
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason
    assert fingerprint(exchange.engine) == before


def test_an_operator_deposit_of_the_token_is_held_to_the_reserve() -> None:
    exchange = gold()
    reserve = exchange.engine.issuance.reserve("AUG")
    assert reserve is not None
    refused = exchange.do(Deposit(ALICE, "AUG", reserve.units + 1, "d1"))
    assert rejection(refused) is RejectReason.EXCEEDS_RESERVE
    assert not rejection_of(exchange.do(Deposit(ALICE, "AUG", reserve.units, "d2")))
    assert rejection(exchange.do(MintRwa("AUG", 1, "m"))) is RejectReason.EXCEEDS_RESERVE
    # A coin is not held to anything.
    assert not rejection_of(exchange.do(Deposit(ALICE, "KRW", 10**12, "d3")))


def rejection_of(events: list[object]) -> bool:
    return any(type(e).__name__ == "CommandRejected" for e in events)


def test_everything_survives_a_snapshot_byte_for_byte() -> None:
    exchange = holding(ALL)
    requested(exchange, 1_200 * GRAM, True, "r1")
    exchange.do(ConfirmRedemption(ISSUER, 1, ("A1",), "KRW", 150_000))
    requested(exchange, 10 * GRAM, False, "r2")  # still pending
    restored = Engine.restore(exchange.engine.snapshot())
    assert restored.snapshot() == exchange.engine.snapshot()
    assert restored.state_hash() == exchange.engine.state_hash()
    assert restored.holds() == exchange.engine.holds()
    assert restored.issuance.reserve("AUG") == exchange.engine.issuance.reserve("AUG")
    # The delivered bar stays delivered after the restore; the next id follows on.
    seq = restored.last_seq
    again = restored.apply(seq + 1, exchange.time + 1,
                           ConfirmRedemption(ISSUER, 2, ("A1",), "KRW", 1))  # fmt: skip
    assert rejection(again) is RejectReason.INVALID_BAR_ALLOCATION
    nxt = restored.apply(seq + 2, exchange.time + 2,
                         RequestRedemption(ALICE, "AUG", GRAM, False, "r3"))  # fmt: skip
    assert of_type(nxt, RedemptionRequested)[0].redemption_id == 3
