"""Reserve attestations: signed by the attestor's Ed25519 key over fixed bytes, checked
for their own consistency (each lot once, metals at their fine weight, the total the sum)."""

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assetport.domain.issuance.attestations import (
    Attestation,
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
    signature_is_valid,
    signed_bytes,
    statement_problem,
)
from assetport.domain.issuance.terms import RwaKind

# One 1 kg bar of 999.9 gold, 400 oz bars of 995.0, in grams at 4 decimals (KGLD).
KILO_BAR = ReserveLot("AB12345", "Heraeus, LBMA good delivery", "Busan vault 1",
                      units=9_999_000, gross=10_000_000, fineness=9_999)  # fmt: skip
LARGE_BAR = ReserveLot("ZX-0042", "Valcambi", "Busan vault 1",
                       units=123_812_249, gross=124_434_422, fineness=9_950)  # fmt: skip


def statement(*lots: ReserveLot, total: int | None = None) -> ReserveStatement:
    units = sum(lot.units for lot in lots) if total is None else total
    return ReserveStatement("KGLD", "auditor-1", 1_764_900_000_000_000, lots, units)


def test_a_signed_attestation_verifies_with_its_key_only() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    attestation = sign(statement(KILO_BAR, LARGE_BAR), key)
    assert signature_is_valid(attestation, public_key_hex(key))
    assert not signature_is_valid(attestation, public_key_hex(other))
    # Any change to what was signed breaks it: one unit more in the total.
    forged = Attestation(statement(KILO_BAR, LARGE_BAR, total=attestation.statement.total_units
                                   + 1), attestation.signature)  # fmt: skip
    assert not signature_is_valid(forged, public_key_hex(key))
    # It survives the journal's encoding unchanged.
    decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(attestation), type=Attestation)
    assert decoded == attestation and signature_is_valid(decoded, public_key_hex(key))


@pytest.mark.parametrize(
    ("public_key", "signature"),
    [("00" * 31, None), ("zz" * 32, None), (None, "00" * 63), (None, "xy" * 64)],
)
def test_a_malformed_key_or_signature_is_not_valid(
    public_key: str | None, signature: str | None
) -> None:
    key = Ed25519PrivateKey.generate()
    attestation = sign(statement(KILO_BAR), key)
    if signature is not None:
        attestation = Attestation(attestation.statement, signature)
    assert not signature_is_valid(attestation, public_key or public_key_hex(key))


def test_the_signed_bytes_are_tagged_and_fixed() -> None:
    data = signed_bytes(statement(KILO_BAR))
    assert data.startswith(b"assetport-reserve-attestation/1\n")
    assert data == signed_bytes(statement(KILO_BAR))


def test_a_consistent_statement_has_no_problem() -> None:
    assert statement_problem(statement(KILO_BAR, LARGE_BAR), RwaKind.METAL) is None
    receipt = ReserveLot("WR-7", "Dubai crude, Ulsan tank 4", "Ulsan", units=1_000)
    assert statement_problem(statement(receipt), RwaKind.ENERGY) is None


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        (statement(), "at least one lot"),
        (statement(KILO_BAR, KILO_BAR), "a serial is listed twice"),
        (statement(KILO_BAR, total=1), "add up to 9999000 units, not the 1 stated"),
        (statement(msgspec.structs.replace(KILO_BAR, units=10_000_000)),
         "fine weight, 9999000, not 10000000"),
        (statement(msgspec.structs.replace(KILO_BAR, fineness=10_001)), "fineness of 1 to"),
        (statement(msgspec.structs.replace(KILO_BAR, units=0, gross=0)), "positive amount"),
        (statement(msgspec.structs.replace(KILO_BAR, serial="")), "serial: 1 to 200"),
        (statement(msgspec.structs.replace(KILO_BAR, vault="a\nb")), "vault: 1 to 200"),
    ],
)  # fmt: skip
def test_an_inconsistent_statement_is_refused_with_its_reason(
    made: ReserveStatement, reason: str
) -> None:
    problem = statement_problem(made, RwaKind.METAL)
    assert problem is not None and reason in problem.reason, problem
