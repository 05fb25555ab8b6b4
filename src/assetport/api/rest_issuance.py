"""The issuers' operator endpoints under /api/v1/admin/issuance (docs/issuance.md), behind
the admin token like the other operator endpoints: register an attestor's key, set a
token's terms, record a signed reserve attestation, mint into the treasury (never past the
reserve), burn, fund the treasury (rent or royalties collected off the platform), and pay a
distribution to every holder. Amounts are decimal strings in the asset's precision, but an
attestation's, which is what the attestor signed: integer units, as signed.
"""

import secrets
from typing import Any, TypeVar

import msgspec

from assetport.api import errors
from assetport.api.rest_admin import AdminCall
from assetport.domain.accounts import ISSUER_TREASURIES
from assetport.domain.commands import (
    BurnRwa,
    Deposit,
    Distribute,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
)
from assetport.domain.events import (
    DistributionPaid,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
)
from assetport.domain.issuance.attestations import Attestation
from assetport.domain.issuance.terms import RwaTerms

T = TypeVar("T")
PREFIX = "/api/v1/admin/issuance"


def _struct(call: AdminCall, name: str, kind: type[T]) -> T:
    """A JSON object of the body as `kind`: a bad shape is an invalid parameter."""
    value = call.body.get(name)
    if not isinstance(value, dict):
        raise errors.mandatory_missing(name)
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise errors.invalid_parameter(name) from exc


def _issuer(call: AdminCall) -> int:
    value = call.body.get("issuer")
    if not isinstance(value, int) or isinstance(value, bool):
        raise errors.mandatory_missing("issuer")
    if value not in ISSUER_TREASURIES:
        raise errors.invalid_parameter("issuer")
    return value


def _ref(call: AdminCall) -> str:
    return str(call.body.get("ref") or f"issuance-{secrets.token_hex(12)}")


def _one(events: list[Any], kind: type[T]) -> T | None:
    """The event of `kind` the command made; None when it was a retry (nothing new)."""
    return next((event for event in events if isinstance(event, kind)), None)


async def register_attestor(call: AdminCall) -> Any:
    issuer = _issuer(call)
    key_id, public_key = call.text("key_id"), call.text("public_key")
    await call.execute(RegisterAttestor(issuer, key_id, public_key))
    return {"issuer": issuer, "key_id": key_id, "public_key": public_key}


async def set_terms(call: AdminCall) -> Any:
    terms = _struct(call, "terms", RwaTerms)
    await call.execute(SetRwaTerms(terms))
    return {"terms": msgspec.to_builtins(terms)}


async def record_attestation(call: AdminCall) -> Any:
    attestation = _struct(call, "attestation", Attestation)
    events = await call.execute(RecordAttestation(attestation))
    statement = attestation.statement
    markets = call.gateway.markets
    attested = _one(events, ReserveAttested)
    supply = None if attested is None else markets.amount(statement.asset, attested.supply)
    return {
        "asset": statement.asset,
        "attestor": statement.attestor,
        "lots": len(statement.lots),
        "reserve": markets.amount(statement.asset, statement.total_units),
        "supply": supply,
    }


async def mint(call: AdminCall) -> Any:
    asset = call.text("asset")
    ref = _ref(call)
    events = await call.execute(MintRwa(asset, call.amount(asset), ref))
    minted = _one(events, RwaMinted)
    markets = call.gateway.markets
    if minted is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    return {"asset": asset, "ref": ref, "supply": markets.amount(asset, minted.supply),
            "reserve": markets.amount(asset, minted.reserve)}  # fmt: skip


async def burn(call: AdminCall) -> Any:
    asset = call.text("asset")
    ref = _ref(call)
    events = await call.execute(BurnRwa(asset, call.amount(asset), ref))
    burned = _one(events, RwaBurned)
    if burned is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    return {"asset": asset, "ref": ref, "supply": call.gateway.markets.amount(asset, burned.supply)}


async def fund(call: AdminCall) -> Any:
    issuer = _issuer(call)
    asset = call.text("asset")
    ref = _ref(call)
    await call.execute(Deposit(issuer, asset, call.amount(asset), ref))
    return {"issuer": issuer, "asset": asset, "ref": ref}


async def distribute(call: AdminCall) -> Any:
    asset, pay_asset = call.text("asset"), call.text("pay_asset")
    ref = _ref(call)
    events = await call.execute(Distribute(asset, pay_asset, call.amount(pay_asset), ref))
    paid = _one(events, DistributionPaid)
    if paid is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    markets = call.gateway.markets
    return {
        "asset": asset,
        "pay_asset": pay_asset,
        "ref": ref,
        "holders_paid": len(paid.payouts),
        "paid": markets.amount(pay_asset, paid.amount - paid.remainder),
        "remainder": markets.amount(pay_asset, paid.remainder),
    }


ISSUANCE_ENDPOINTS = (
    (f"{PREFIX}/attestors", register_attestor),
    (f"{PREFIX}/terms", set_terms),
    (f"{PREFIX}/attestations", record_attestation),
    (f"{PREFIX}/mint", mint),
    (f"{PREFIX}/burn", burn),
    (f"{PREFIX}/fund", fund),
    (f"{PREFIX}/distribute", distribute),
)
