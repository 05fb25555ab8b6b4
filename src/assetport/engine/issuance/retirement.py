"""Retiring carbon credits: the holder's tokens are burned on behalf of a named
beneficiary, and the registry credits they stood for, taken from the latest attestation's
serial ranges in its order, leave the reserve; the event is the retirement certificate."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.commands import RetireCredits
from assetport.domain.events import CreditsRetired
from assetport.domain.issuance.terms import RwaKind, text_ok
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.state import IssuanceState
from assetport.engine.issuance.subscriptions import client_ref_problem
from assetport.engine.issuance.supply import supply_of, use_reserve
from assetport.engine.ledger import Ledger, Posting


def _credits(state: IssuanceState, asset: str, amount: int) -> tuple[tuple[str, int], ...] | None:
    """(serial range, units) of the first `amount` credits not yet retired, in the order
    the attestation lists them; None if the reserve holds fewer."""
    used = state.used.get(asset, {})
    taken: list[tuple[str, int]] = []
    left = amount
    for serial, units in state.lots.get(asset, {}).items():
        free = units - used.get(serial, 0)
        if free > 0:
            part = min(free, left)
            taken.append((serial, part))
            left -= part
            if not left:
                return tuple(taken)
    return None


def retire(state: IssuanceState, ctx: Context, ledger: Ledger, assets: Assets,
           posting: Posting, cmd: RetireCredits) -> None:  # fmt: skip
    rwa = state.terms.get(cmd.asset)
    if rwa is None or rwa.kind is not RwaKind.CARBON:
        return ctx.reject(RejectReason.NOT_A_CARBON_CREDIT, account=cmd.account)
    reason = client_ref_problem(state, cmd.account, "retire", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    if not text_ok(cmd.beneficiary, True) or not text_ok(cmd.purpose, False):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    if ledger.free(cmd.account, cmd.asset) < cmd.amount:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    serials = _credits(state, cmd.asset, cmd.amount)
    if serials is None:  # a shortfall the attestation recorded: no credits to name
        return ctx.reject(RejectReason.EXCEEDS_RESERVE, account=cmd.account)
    posting.add(ledger.balance(cmd.account, cmd.asset), -cmd.amount, 0)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), cmd.amount, 0)
    ledger.must_move(posting)
    use_reserve(state, assets, cmd.asset, serials)
    certificate = state.next_certificate_id
    state.next_certificate_id += 1
    state.client_refs[(cmd.account, cmd.ref)] = ("retire", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        CreditsRetired(ctx.seq, ctx.time, certificate, cmd.account, cmd.asset, cmd.amount,
                       cmd.beneficiary, cmd.purpose, serials, cmd.ref,
                       supply_of(ledger, cmd.asset))
    )  # fmt: skip
    return None
