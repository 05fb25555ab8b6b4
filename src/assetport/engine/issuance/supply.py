"""Minting into the issuer's treasury, never past the attested reserve, and burning out of
it. The ledger's external account holds minus each asset's supply, so the supply is read
there and every mint and burn is a balanced posting between it and the treasury."""

from dataclasses import replace

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.commands import BurnRwa, MintRwa
from assetport.domain.custody import MAX_ID_CHARS
from assetport.domain.events import RwaBurned, RwaMinted
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.state import IssuanceState
from assetport.engine.ledger import Ledger, Posting


def supply_of(ledger: Ledger, asset: str) -> int:
    return -ledger.free(EXTERNAL_ACCOUNT, asset)


def issue_problem(state: IssuanceState, asset: str, amount: int, supply: int
                  ) -> RejectReason | None:  # fmt: skip
    """Why `amount` new units of `asset` cannot be issued on top of `supply`: beyond
    what the latest attestation still backs (nothing without one), or beyond 64 bits."""
    reserve = state.reserves.get(asset)
    if reserve is None or amount > reserve.backing - supply:
        return RejectReason.EXCEEDS_RESERVE
    if amount > MAX_AMOUNT - supply:
        return RejectReason.AMOUNT_TOO_LARGE
    return None


def use_reserve(state: IssuanceState, assets: Assets, asset: str,
                taken: tuple[tuple[str, int], ...]) -> None:  # fmt: skip
    """`taken` (serial, units) left the reserve: bars delivered, credits retired. They
    back nothing any more, until a new attestation counts the reserve again."""
    used = state.used.setdefault(asset, {})
    for serial, units in taken:
        used[serial] = used.get(serial, 0) + units
    reserve = state.reserves[asset]
    reserve = replace(reserve, used=reserve.used + sum(units for _, units in taken))
    state.reserves[asset] = reserve
    assets.reserve_caps[asset] = reserve.backing


def reference_problem(state: IssuanceState, kind: str, asset: str, amount: int, ref: str
                      ) -> RejectReason | None:  # fmt: skip
    """A reference names one mint, burn or distribution: the same again is a retry."""
    if amount <= 0 or not ref or len(ref) > MAX_ID_CHARS:
        return RejectReason.INVALID_AMOUNT
    seen = state.refs.get(ref)
    if seen is not None:
        if seen == (kind, asset, amount):
            return RejectReason.ALREADY_APPLIED
        return RejectReason.REFERENCE_REUSED
    return None


def mint(state: IssuanceState, ctx: Context, ledger: Ledger, posting: Posting,
         cmd: MintRwa) -> None:  # fmt: skip
    terms = state.terms.get(cmd.asset)
    if terms is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN)
    reason = reference_problem(state, "mint", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=terms.issuer)
    supply = supply_of(ledger, cmd.asset)
    reason = issue_problem(state, cmd.asset, cmd.amount, supply)
    if reason is not None:
        return ctx.reject(reason, account=terms.issuer)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), -cmd.amount, 0)
    posting.add(ledger.balance(terms.issuer, cmd.asset), cmd.amount, 0)
    ledger.must_move(posting)
    state.refs[cmd.ref] = ("mint", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        RwaMinted(ctx.seq, ctx.time, cmd.asset, terms.issuer, cmd.amount, cmd.ref,
                  supply + cmd.amount, state.reserves[cmd.asset].units)
    )  # fmt: skip
    return None


def burn(state: IssuanceState, ctx: Context, ledger: Ledger, posting: Posting,
         cmd: BurnRwa) -> None:  # fmt: skip
    terms = state.terms.get(cmd.asset)
    if terms is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN)
    reason = reference_problem(state, "burn", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=terms.issuer)
    if ledger.free(terms.issuer, cmd.asset) < cmd.amount:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=terms.issuer)
    posting.add(ledger.balance(terms.issuer, cmd.asset), -cmd.amount, 0)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), cmd.amount, 0)
    ledger.must_move(posting)
    state.refs[cmd.ref] = ("burn", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        RwaBurned(ctx.seq, ctx.time, cmd.asset, terms.issuer, cmd.amount, cmd.ref,
                  supply_of(ledger, cmd.asset))
    )  # fmt: skip
    return None
