"""Tokens moved on the issuer's word, not by a trade: an allocation from its treasury to a
holder, a forced transfer between holders (a court's or a regulator's order, its reason and
reference kept), and the recovery of a lost account's whole holding to the same person's
new account (that they are one person the operator checks before sending it)."""

from assetport.domain.accounts import CUSTODY_WALLETS, FIRST_TRADING_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.commands import TransferRwa
from assetport.domain.custody import MAX_ID_CHARS
from assetport.domain.events import RwaTransferred
from assetport.domain.issuance.terms import MAX_TEXT, TransferKind, text_ok
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.issuance.state import IssuanceState
from assetport.engine.ledger import Ledger, Posting


def _holder(account: int) -> bool:
    return (
        account >= FIRST_TRADING_ACCOUNT
        and account not in ISSUER_TREASURIES
        and account not in CUSTODY_WALLETS
    )


def _shape_problem(cmd: TransferRwa, issuer: int) -> bool:
    """Whether the accounts, amount and reason do not fit the transfer's kind."""
    if not _holder(cmd.target) or cmd.target == cmd.source or cmd.amount < 0:
        return True
    if len(cmd.reason) > MAX_TEXT or not cmd.reason.isprintable() or not text_ok(cmd.agent):
        return True
    if cmd.kind is TransferKind.ALLOCATION:
        return cmd.source != issuer or cmd.amount == 0
    # A forced transfer or a recovery takes from a holder, and says on whose order.
    if not _holder(cmd.source) or not cmd.reason:
        return True
    return cmd.kind is TransferKind.FORCED and cmd.amount == 0


def transfer(state: IssuanceState, ctx: Context, ledger: Ledger, gate: HolderGate,
             posting: Posting, cmd: TransferRwa) -> None:  # fmt: skip
    rwa = state.terms.get(cmd.asset)
    if rwa is None or rwa.issuer != cmd.issuer:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN, account=cmd.issuer)
    if not cmd.ref or len(cmd.ref) > MAX_ID_CHARS:
        return ctx.reject(RejectReason.INVALID_AMOUNT, account=cmd.issuer)
    seen = state.refs.get(cmd.ref)
    if seen is not None:
        if seen == ("transfer", cmd.asset, cmd.amount):
            return ctx.reject(RejectReason.ALREADY_APPLIED, account=cmd.issuer)
        return ctx.reject(RejectReason.REFERENCE_REUSED, account=cmd.issuer)
    if _shape_problem(cmd, rwa.issuer):
        return ctx.reject(RejectReason.INVALID_RWA_TRANSFER, account=cmd.issuer)
    # Looked at without making a record: a refusal changes nothing, not even that.
    record = ledger.accounts.get(cmd.source, {}).get(cmd.asset)
    free, held = (int(record.free), int(record.held)) if record is not None else (0, 0)
    amount = cmd.amount
    if cmd.kind is TransferKind.RECOVERY:
        # The whole holding or nothing: what orders or a redemption hold is freed first.
        if amount not in (0, free) or held:
            return ctx.reject(RejectReason.INVALID_RWA_TRANSFER, account=cmd.issuer)
        amount = free
    if amount == 0 or free < amount:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.issuer)
    # Even a court's order delivers only to an account allowed to hold the token.
    reason = gate.delivery_problem(cmd.target, cmd.asset, amount)
    if reason is not None:
        return ctx.reject(reason, account=cmd.issuer)
    posting.add(ledger.balance(cmd.source, cmd.asset), -amount, 0)
    posting.add(ledger.balance(cmd.target, cmd.asset), amount, 0)
    ledger.must_move(posting)
    state.refs[cmd.ref] = ("transfer", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        RwaTransferred(ctx.seq, ctx.time, cmd.asset, rwa.issuer, cmd.source, cmd.target,
                       amount, cmd.kind, cmd.reason, cmd.ref, cmd.agent)
    )  # fmt: skip
    return None
