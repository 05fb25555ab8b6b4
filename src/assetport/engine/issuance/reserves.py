"""Who may attest, what a token is, and its reserve: the attestors' keys, the terms, and
each signed attestation, which supersedes the last."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.assets import AssetKind
from assetport.domain.commands import RecordAttestation, RegisterAttestor, SetRwaTerms
from assetport.domain.events import AttestorRegistered, ReserveAttested, RwaTermsSet
from assetport.domain.issuance.attestations import (
    PUBLIC_KEY_HEX_CHARS,
    signature_is_valid,
    statement_problem,
)
from assetport.domain.issuance.terms import MAX_TEXT, terms_problem
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.state import IssuanceState, Reserve
from assetport.engine.ledger import Ledger

_HEX = frozenset("0123456789abcdef")


def register_attestor(state: IssuanceState, ctx: Context, cmd: RegisterAttestor) -> None:
    key_ok = len(cmd.public_key) == PUBLIC_KEY_HEX_CHARS and set(cmd.public_key) <= _HEX
    if (
        cmd.issuer not in ISSUER_TREASURIES
        or not cmd.key_id
        or len(cmd.key_id) > MAX_TEXT
        or not cmd.key_id.isprintable()
        or not key_ok
    ):
        return ctx.reject(RejectReason.INVALID_RWA_TERMS, account=cmd.issuer)
    state.attestors[(cmd.issuer, cmd.key_id)] = cmd.public_key
    state.touched = True
    ctx.events.append(AttestorRegistered(ctx.seq, ctx.time, cmd.issuer, cmd.key_id, cmd.public_key))
    return None


def set_terms(state: IssuanceState, ctx: Context, assets: Assets, cmd: SetRwaTerms) -> None:
    terms = cmd.terms
    asset = assets.get(terms.asset)
    if asset is None or asset.kind is not AssetKind.RWA_TOKEN or asset.issuer != terms.issuer:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN, account=terms.issuer)
    if terms_problem(terms) is not None:
        return ctx.reject(RejectReason.INVALID_RWA_TERMS, account=terms.issuer)
    state.terms[terms.asset] = terms
    state.touched = True
    ctx.events.append(RwaTermsSet(ctx.seq, ctx.time, terms))
    return None


def record_attestation(
    state: IssuanceState, ctx: Context, ledger: Ledger, assets: Assets, cmd: RecordAttestation
) -> None:
    statement = cmd.attestation.statement
    terms = state.terms.get(statement.asset)
    if terms is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN)
    public_key = state.attestors.get((terms.issuer, statement.attestor))
    if public_key is None:
        return ctx.reject(RejectReason.UNKNOWN_ATTESTOR, account=terms.issuer)
    last = state.reserves.get(statement.asset)
    if (
        statement_problem(statement, terms.kind) is not None
        or statement.total_units > MAX_AMOUNT
        # Counted when it says, which is neither in the future nor before the last count.
        or statement.as_of_us > ctx.time
        or (last is not None and statement.as_of_us < last.as_of_us)
    ):
        return ctx.reject(RejectReason.INCONSISTENT_ATTESTATION, account=terms.issuer)
    # Last: the one costly check, on a statement otherwise sound.
    if not signature_is_valid(cmd.attestation, public_key):
        return ctx.reject(RejectReason.BAD_ATTESTATION_SIGNATURE, account=terms.issuer)
    # What was delivered or retired before this count is no longer in its lots.
    state.reserves[statement.asset] = Reserve(
        statement.total_units, statement.attestor, statement.as_of_us, ctx.seq
    )
    state.lots[statement.asset] = {lot.serial: lot.units for lot in statement.lots}
    state.used.pop(statement.asset, None)
    assets.reserve_caps[statement.asset] = statement.total_units
    state.touched = True
    supply = -ledger.free(EXTERNAL_ACCOUNT, statement.asset)
    ctx.events.append(ReserveAttested(ctx.seq, ctx.time, cmd.attestation, supply))
    return None
