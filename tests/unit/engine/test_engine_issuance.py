"""Issuance in the engine (`engine/issuance/`): an issuer's attestor signs the reserve of a
gold token; mints go to the treasury and never past the reserve; burns leave the supply; a
distribution pays holders pro rata in KRW and the remainder stays with the issuer. Bad input
is refused with its reason and changes nothing. The harness checks after every command
that the ledger sums to zero; the state survives a snapshot byte for byte."""

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from engine_harness import GOLD_MARKET, Exchange, fingerprint, of_type, rejection

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    BurnRwa,
    Deposit,
    Distribute,
    ListAsset,
    ListMarket,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
)
from assetport.domain.events import (
    CommandRejected,
    DistributionPaid,
    Event,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
)
from assetport.domain.issuance.attestations import (
    Attestation,
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.terms import RedemptionTerms, RwaKind, RwaTerms
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

ISSUER = 101  # an issuer treasury
HOLDERS = (1000, 1001, 1002)
GRAM = 10_000  # AUG has 4 decimals: units per gram
TERMS = RwaTerms(
    asset="AUG", issuer=ISSUER, kind=RwaKind.METAL, unit="1 g of 999.9 fine gold",
    custodian="Korea Minting Corp.", vault="Busan vault 1",
    redemption=RedemptionTerms(minimum=GRAM, fee_bps=25, physical_lot=1000 * GRAM),
)  # fmt: skip
KEY = Ed25519PrivateKey.generate()
AUG_MARKET = msgspec.structs.replace(
    GOLD_MARKET, symbol="AUGKRW", base="AUG", maker_fee_bps=0, taker_fee_bps=0
)


def bar(serial: str, grams: int = 1000) -> ReserveLot:
    """A 1 kg bar of 999.9 gold: its fine weight is what it backs."""
    gross = grams * GRAM
    return ReserveLot(serial, "Heraeus", "Busan vault 1", gross * 9999 // 10_000, gross, 9999)


def attestation(exchange: Exchange, *lots: ReserveLot, key: Ed25519PrivateKey = KEY) -> Attestation:
    total = sum(lot.units for lot in lots)
    statement = ReserveStatement("AUG", "auditor-1", exchange.time, lots, total)
    return sign(statement, key)


def applied(events: list[Event]) -> bool:
    return not of_type(events, CommandRejected)


def issuing() -> Exchange:
    exchange = Exchange()
    exchange.do(ListAsset("AUG", 4, AssetKind.RWA_TOKEN, ISSUER))
    exchange.do(ListMarket(AUG_MARKET))
    exchange.do(RegisterAttestor(ISSUER, "auditor-1", public_key_hex(KEY)))
    assert applied(exchange.do(SetRwaTerms(TERMS)))
    return exchange


def test_mints_stop_at_the_attested_reserve() -> None:
    exchange = issuing()
    # No reserve attested yet: nothing can be minted.
    refused = exchange.do(MintRwa("AUG", GRAM, "mint-0"))
    assert rejection(refused) is RejectReason.EXCEEDS_RESERVE

    events = exchange.do(RecordAttestation(attestation(exchange, bar("A1"), bar("A2"))))
    attested = of_type(events, ReserveAttested)[0]
    reserve = 2 * bar("A1").units
    assert (attested.attestation.statement.total_units, attested.supply) == (reserve, 0)
    assert exchange.engine.issuance.reserve("AUG") is not None

    minted = of_type(exchange.do(MintRwa("AUG", reserve - 5, "mint-1")), RwaMinted)[0]
    assert (minted.supply, minted.reserve, minted.issuer) == (reserve - 5, reserve, ISSUER)
    assert exchange.balance(ISSUER, "AUG") == (reserve - 5, 0)
    assert exchange.balance(EXTERNAL_ACCOUNT, "AUG") == (-(reserve - 5), 0)
    # Six more would pass it; five is exactly the headroom.
    assert rejection(exchange.do(MintRwa("AUG", 6, "mint-2"))) is RejectReason.EXCEEDS_RESERVE
    assert applied(exchange.do(MintRwa("AUG", 5, "mint-2")))
    assert exchange.engine.issuance.supply("AUG") == reserve
    # The same mint again is a retry; its reference for another amount is refused.
    assert rejection(exchange.do(MintRwa("AUG", 5, "mint-2"))) is RejectReason.ALREADY_APPLIED
    assert rejection(exchange.do(MintRwa("AUG", 4, "mint-2"))) is RejectReason.REFERENCE_REUSED

    burned = of_type(exchange.do(BurnRwa("AUG", 1000, "burn-1")), RwaBurned)[0]
    assert burned.supply == reserve - 1000
    too_much = exchange.do(BurnRwa("AUG", reserve, "burn-2"))
    assert rejection(too_much) is RejectReason.INSUFFICIENT_BALANCE


def test_a_smaller_reserve_is_recorded_and_stops_minting() -> None:
    exchange = issuing()
    exchange.do(RecordAttestation(attestation(exchange, bar("A1"), bar("A2"))))
    exchange.do(MintRwa("AUG", 2 * bar("A1").units, "mint-1"))
    # A bar left the vault: the fact is recorded, with the supply it falls short of.
    shortfall = exchange.do(RecordAttestation(attestation(exchange, bar("A1"))))
    assert of_type(shortfall, ReserveAttested)[0].supply == 2 * bar("A1").units
    assert rejection(exchange.do(MintRwa("AUG", 1, "mint-2"))) is RejectReason.EXCEEDS_RESERVE


def test_bad_attestations_are_refused_with_their_reason_and_change_nothing() -> None:
    exchange = issuing()
    before = fingerprint(exchange.engine)
    stranger = Ed25519PrivateKey.generate()
    forged = attestation(exchange, bar("A1"), key=stranger)
    assert rejection(exchange.do(RecordAttestation(forged))) is (
        RejectReason.BAD_ATTESTATION_SIGNATURE
    )
    good = attestation(exchange, bar("A1"))
    lying = msgspec.structs.replace(good.statement, total_units=good.statement.total_units + 1)
    assert rejection(exchange.do(RecordAttestation(sign(lying, KEY)))) is (
        RejectReason.INCONSISTENT_ATTESTATION
    )
    twice = attestation(exchange, bar("A1"), bar("A1"))
    assert rejection(exchange.do(RecordAttestation(twice))) is (
        RejectReason.INCONSISTENT_ATTESTATION
    )
    future = msgspec.structs.replace(good.statement, as_of_us=exchange.time + 10**9)
    assert rejection(exchange.do(RecordAttestation(sign(future, KEY)))) is (
        RejectReason.INCONSISTENT_ATTESTATION
    )
    unknown = msgspec.structs.replace(good.statement, attestor="auditor-2")
    assert rejection(exchange.do(RecordAttestation(sign(unknown, KEY)))) is (
        RejectReason.UNKNOWN_ATTESTOR
    )
    assert fingerprint(exchange.engine) == before


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (SetRwaTerms(msgspec.structs.replace(TERMS, asset="KGLD")), RejectReason.NOT_AN_RWA_TOKEN),
        (SetRwaTerms(msgspec.structs.replace(TERMS, issuer=102)), RejectReason.NOT_AN_RWA_TOKEN),
        (SetRwaTerms(msgspec.structs.replace(TERMS, vault="")), RejectReason.INVALID_RWA_TERMS),
        (RegisterAttestor(1000, "a", "00" * 32), RejectReason.INVALID_RWA_TERMS),
        (RegisterAttestor(ISSUER, "a", "AB" * 32), RejectReason.INVALID_RWA_TERMS),
        (MintRwa("KGLD", 1, "m"), RejectReason.NOT_AN_RWA_TOKEN),
        (MintRwa("AUG", 0, "m"), RejectReason.INVALID_AMOUNT),
        (Distribute("AUG", "KRW", 100, "d"), RejectReason.INSUFFICIENT_BALANCE),
        (Distribute("AUG", "XYZ", 100, "d"), RejectReason.UNKNOWN_ASSET),
    ],
)  # fmt: skip
def test_bad_issuer_commands_are_refused(command: object, reason: RejectReason) -> None:
    exchange = issuing()
    before = fingerprint(exchange.engine)
    assert rejection(exchange.do(command)) is reason  # type: ignore[arg-type]
    assert fingerprint(exchange.engine) == before


def test_a_distribution_pays_holders_pro_rata_and_the_rest_stays() -> None:
    exchange = issuing()
    exchange.do(RecordAttestation(attestation(exchange, bar("A1"))))
    exchange.do(Deposit(ISSUER, "KRW", 1_000_000, "rent-funds"))
    refused = exchange.do(Distribute("AUG", "KRW", 1_000, "rent-0"))
    assert rejection(refused) is RejectReason.NO_HOLDERS  # all still in the treasury
    exchange.do(MintRwa("AUG", 6 * GRAM, "mint-1"))
    # The treasury sells 6 g on the book; the holders buy 1, 2 and 3 grams.
    sell = PlaceOrder(ISSUER, "AUGKRW", Side.SELL, OrderType.LIMIT, quantity=6 * GRAM,
                      price=100_000, time_in_force=TimeInForce.GTC)  # fmt: skip
    assert applied(exchange.do(sell))
    for holder, grams in zip(HOLDERS, (1, 2, 3), strict=True):
        exchange.do(Deposit(holder, "KRW", grams * 100_000, f"open-{holder}"))
        buy = PlaceOrder(holder, "AUGKRW", Side.BUY, OrderType.LIMIT, quantity=grams * GRAM,
                         price=100_000, time_in_force=TimeInForce.GTC)  # fmt: skip
        assert applied(exchange.do(buy))
    assert [exchange.balance(h, "AUG")[0] for h in HOLDERS] == [GRAM, 2 * GRAM, 3 * GRAM]
    paid = of_type(exchange.do(Distribute("AUG", "KRW", 1_000, "rent-1")), DistributionPaid)[0]
    # 1000 KRW over 6 g: 166, 333, 500; 1 KRW stays with the issuer.
    assert paid.payouts == ((1000, 166), (1001, 333), (1002, 500))
    assert paid.remainder == 1
    assert [exchange.balance(h, "KRW")[0] for h in HOLDERS] == [166, 333, 500]
    assert exchange.balance(ISSUER, "KRW") == (1_000_000 + 600_000 - 999, 0)
    assert rejection(exchange.do(Distribute("AUG", "KRW", 1_000, "rent-1"))) is (
        RejectReason.ALREADY_APPLIED
    )


def test_the_state_survives_a_snapshot() -> None:
    exchange = issuing()
    exchange.do(RecordAttestation(attestation(exchange, bar("A1"), bar("A2"))))
    exchange.do(MintRwa("AUG", GRAM, "mint-1"))
    restored = Engine.restore(exchange.engine.snapshot())
    assert restored.snapshot() == exchange.engine.snapshot()
    assert restored.issuance.terms("AUG") == TERMS
    assert restored.issuance.reserve("AUG") == exchange.engine.issuance.reserve("AUG")
    assert restored.issuance.attestors(ISSUER) == {"auditor-1": public_key_hex(KEY)}
