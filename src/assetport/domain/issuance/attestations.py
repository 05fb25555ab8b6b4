"""A reserve attestation: an attestor (an auditor) lists the lots that back a token and
signs the list with its Ed25519 key. Each attestation of an asset supersedes the last; the
reserve it states bounds the token's supply (the engine refuses a mint beyond it).

A lot is one bar of metal (serial, refiner, vault, gross weight and fineness), one
warehouse receipt of oil, one serial range of carbon credits, one title of shares: what it
names is in `serial` and `description`, what it backs is `units`, in the token's smallest
units. For metals the units must be the bar's fine weight: `gross × fineness ÷ 10,000`
(fineness in parts per 10,000: 9999 for 999.9 gold), rounded down, `gross` in the token's
units of weight.

The signed bytes are fixed: a domain tag, then the statement (the attestation but its
signature) as a msgpack map of its fields by name, in declaration order, the lots likewise;
the same JSON object an operator posts. A verifier needs nothing but the attestation, the
attestor's public key and this module.
"""

from dataclasses import dataclass
from typing import Final

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from assetport.domain.issuance.terms import MAX_TEXT, RwaKind

SIGNED_TAG: Final = b"assetport-reserve-attestation/1\n"
MAX_LOTS: Final = 100_000  # a vault's bar list; far more than any single token needs
FULL_FINENESS: Final = 10_000
SIGNATURE_HEX_CHARS: Final = 128
PUBLIC_KEY_HEX_CHARS: Final = 64


class ReserveLot(msgspec.Struct, frozen=True):
    serial: str  # bar serial, receipt number, registry serial range
    description: str  # refiner and brand, warehouse, registry project and vintage
    vault: str
    units: int  # token units this lot backs
    gross: int = 0  # metals: the bar's gross weight in the token's units
    fineness: int = 0  # metals: parts per 10,000 of the fine metal


class ReserveStatement(msgspec.Struct, frozen=True):
    """What the attestor signs."""

    asset: str
    attestor: str  # the attestor's key id, registered with the issuer
    as_of_us: int  # when the lots were counted
    lots: tuple[ReserveLot, ...]
    total_units: int


class Attestation(msgspec.Struct, frozen=True):
    statement: ReserveStatement
    signature: str  # Ed25519 over `signed_bytes(statement)`, 128 hex digits


def signed_bytes(statement: ReserveStatement) -> bytes:
    return SIGNED_TAG + msgspec.msgpack.encode(statement)


def sign(statement: ReserveStatement, key: Ed25519PrivateKey) -> Attestation:
    """The attestor's side (its own tool; the demo's attestor; tests)."""
    return Attestation(statement, key.sign(signed_bytes(statement)).hex())


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes_raw().hex()


def signature_is_valid(attestation: Attestation, public_key: str) -> bool:
    """Whether `attestation` was signed by the key whose raw 32 bytes `public_key` holds
    in hex. A malformed key or signature is simply not valid."""
    if len(public_key) != PUBLIC_KEY_HEX_CHARS or len(attestation.signature) != SIGNATURE_HEX_CHARS:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(bytes.fromhex(attestation.signature), signed_bytes(attestation.statement))
    except (ValueError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True, slots=True)
class LotProblem:
    """Why a statement cannot be accepted; `serial` names the lot when one is at fault."""

    reason: str
    serial: str = ""


def statement_problem(statement: ReserveStatement, kind: RwaKind) -> LotProblem | None:
    """The statement's own consistency: lots there and bounded, each serial once, each lot
    backing a positive amount (for metals its fine weight), the total their sum."""
    if not statement.lots:
        return LotProblem("an attestation lists at least one lot")
    if len(statement.lots) > MAX_LOTS:
        return LotProblem(f"an attestation lists at most {MAX_LOTS} lots")
    if not statement.attestor or len(statement.attestor) > MAX_TEXT:
        return LotProblem(f"the attestor's key id is 1 to {MAX_TEXT} characters")
    seen: set[str] = set()
    total = 0
    for lot in statement.lots:
        problem = _lot_problem(lot, kind)
        if problem is not None:
            return LotProblem(problem, lot.serial[:MAX_TEXT])
        if lot.serial in seen:
            return LotProblem("a serial is listed twice", lot.serial)
        seen.add(lot.serial)
        total += lot.units
    if total != statement.total_units:
        return LotProblem(
            f"the lots add up to {total} units, not the {statement.total_units} stated"
        )
    return None


def _lot_problem(lot: ReserveLot, kind: RwaKind) -> str | None:
    for name, text in (("serial", lot.serial), ("description", lot.description),
                       ("vault", lot.vault)):  # fmt: skip
        if not text or len(text) > MAX_TEXT or not text.isprintable():
            return f"a lot's {name}: 1 to {MAX_TEXT} printable characters"
    if lot.units <= 0:
        return "a lot backs a positive amount"
    if kind is RwaKind.METAL:
        if lot.gross <= 0 or not 0 < lot.fineness <= FULL_FINENESS:
            return "a bar has a positive gross weight and a fineness of 1 to 10,000"
        fine = lot.gross * lot.fineness // FULL_FINENESS
        if lot.units != fine:
            return f"a bar's units are its fine weight, {fine}, not {lot.units}"
    return None
