"""Withdrawals: requested with their amount and fee held, approved by enough operators when
they need it, signed, and completed by the chain, or ended with their funds released. Every
step is a move in the table of `domain/custody.py`; a step the table does not allow from
the withdrawal's status is refused and changes nothing."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import (
    ApproveWithdrawal,
    CancelWithdrawal,
    CompleteWithdrawal,
    FailWithdrawal,
    RecordWithdrawalSigned,
    RejectWithdrawal,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import (
    DAILY_WINDOW_US,
    MAX_ADDRESS_CHARS,
    MAX_ID_CHARS,
    MAX_LABEL_CHARS,
    MAX_NETWORK_CHARS,
    WithdrawalStatus,
    can_move,
)
from assetport.domain.events import (
    CustodyPolicySet,
    WithdrawalApproved,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    WithdrawalRulesSet,
    WithdrawalSigned,
)
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.custody.state import CustodyState, Withdrawal
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger, Posting

_S = WithdrawalStatus


def set_rules(state: CustodyState, ctx: Context, assets: Assets, cmd: SetWithdrawalRules) -> None:
    rules = cmd.rules
    amounts = (rules.fee, rules.minimum, rules.daily_limit, rules.approval_threshold)
    if assets.get(rules.asset) is None:
        return ctx.reject(RejectReason.UNKNOWN_ASSET)
    if (
        not rules.network
        or len(rules.network) > MAX_NETWORK_CHARS
        or any(amount < 0 or amount > MAX_AMOUNT for amount in amounts)
    ):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT)
    state.rules[(rules.asset, rules.network)] = rules
    state.touched = True
    ctx.events.append(WithdrawalRulesSet(ctx.seq, ctx.time, rules))
    return None


def set_policy(state: CustodyState, ctx: Context, cmd: SetCustodyPolicy) -> None:
    policy = cmd.policy
    if policy.address_cooldown_ms < 0 or not 1 <= policy.approvals_required <= 16:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT)
    state.policy = policy
    state.touched = True
    ctx.events.append(CustodyPolicySet(ctx.seq, ctx.time, policy))
    return None


def request(state: CustodyState, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate,
            cmd: RequestWithdrawal) -> None:  # fmt: skip
    reason = _request_problem(state, ctx, ledger, assets, cmd)
    if reason is None:
        # A permissioned token leaves for an address no rule can check: only if its
        # issuer allows it, and never in its lock-up.
        reason = gate.withdrawal_problem(cmd.asset, ctx.time)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    rules = state.rules[(cmd.asset, cmd.network)]
    if not ledger.hold(ledger.balance(cmd.account, cmd.asset), cmd.amount + rules.fee):
        raise AssertionError("a withdrawal's hold was checked before")
    needs_approval = cmd.amount > rules.approval_threshold or cmd.account in state.risk_holds
    status = _S.AWAITING_APPROVAL if needs_approval else _S.APPROVED
    withdrawal = Withdrawal(
        cmd.withdrawal_id,
        cmd.account,
        cmd.asset,
        cmd.network,
        cmd.address,
        cmd.amount,
        rules.fee,
        cmd.client_ref,
        ctx.time,
        status,
    )
    state.withdrawals[cmd.withdrawal_id] = withdrawal
    state.by_account.setdefault(cmd.account, []).append(cmd.withdrawal_id)
    state.touched = True
    ctx.events.append(
        WithdrawalRequested(
            ctx.seq,
            ctx.time,
            cmd.account,
            cmd.asset,
            cmd.network,
            cmd.address,
            cmd.amount,
            rules.fee,
            cmd.withdrawal_id,
            cmd.client_ref,
            status,
        )
    )
    return None


def _request_problem(
    state: CustodyState, ctx: Context, ledger: Ledger, assets: Assets, cmd: RequestWithdrawal
) -> RejectReason | None:
    if cmd.account < FIRST_TRADING_ACCOUNT:
        return RejectReason.INVALID_ACCOUNT
    if (
        not cmd.withdrawal_id
        or len(cmd.withdrawal_id) > MAX_ID_CHARS
        or len(cmd.client_ref) > MAX_ID_CHARS
        or len(cmd.address) > MAX_ADDRESS_CHARS
    ):
        return RejectReason.INVALID_CUSTODY_INPUT
    if cmd.withdrawal_id in state.withdrawals:
        return RejectReason.ALREADY_APPLIED
    if assets.get(cmd.asset) is None:
        return RejectReason.UNKNOWN_ASSET
    rules = state.rules.get((cmd.asset, cmd.network))
    if rules is None or not rules.enabled:
        return RejectReason.WITHDRAWALS_CLOSED
    if cmd.amount <= 0 or cmd.amount > MAX_AMOUNT - rules.fee:
        return RejectReason.INVALID_AMOUNT
    if cmd.amount < rules.minimum:
        return RejectReason.BELOW_MINIMUM
    entry = state.books.get(cmd.account, {}).get((cmd.network, cmd.address))
    if entry is None:
        return RejectReason.ADDRESS_NOT_IN_BOOK
    if ctx.time < entry.usable_from:
        return RejectReason.ADDRESS_IN_COOLDOWN
    if withdrawn_in_a_day(state, cmd.account, cmd.asset, ctx.time) + cmd.amount > rules.daily_limit:
        return RejectReason.DAILY_LIMIT
    if ledger.free(cmd.account, cmd.asset) < cmd.amount + rules.fee:
        return RejectReason.INSUFFICIENT_BALANCE
    return None


def withdrawn_in_a_day(state: CustodyState, account: int, asset: str, now: int) -> int:
    """What `account` asked to withdraw of `asset` in the 24 hours up to `now`, less what
    was cancelled, rejected or failed (that never left)."""
    total = 0
    since = now - DAILY_WINDOW_US
    for withdrawal_id in reversed(state.by_account.get(account, [])):
        withdrawal = state.withdrawals[withdrawal_id]
        if withdrawal.requested_at <= since:
            break
        if withdrawal.asset == asset and withdrawal.status not in _RELEASED:
            total += withdrawal.amount
    return total


_RELEASED = frozenset({_S.CANCELLED, _S.REJECTED, _S.FAILED})


def approve(state: CustodyState, ctx: Context, cmd: ApproveWithdrawal) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL)
    if not cmd.operator or len(cmd.operator) > MAX_LABEL_CHARS:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=withdrawal.account)
    if withdrawal.status is not _S.AWAITING_APPROVAL:
        return ctx.reject(RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW, account=withdrawal.account)
    if cmd.operator in withdrawal.approvals:
        return ctx.reject(RejectReason.ALREADY_APPROVED, account=withdrawal.account)
    withdrawal.approvals.append(cmd.operator)
    if len(withdrawal.approvals) >= state.policy.approvals_required:
        withdrawal.status = _S.APPROVED
    ctx.events.append(
        WithdrawalApproved(
            ctx.seq,
            ctx.time,
            withdrawal.withdrawal_id,
            withdrawal.account,
            cmd.operator,
            len(withdrawal.approvals),
            withdrawal.status,
        )
    )
    return None


def reject(state: CustodyState, ctx: Context, ledger: Ledger, cmd: RejectWithdrawal) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL)
    if not cmd.operator or len(cmd.operator) > MAX_LABEL_CHARS or len(cmd.reason) > 200:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=withdrawal.account)
    _end(ctx, ledger, withdrawal, _S.REJECTED, cmd.reason)
    return None


def cancel(state: CustodyState, ctx: Context, ledger: Ledger, cmd: CancelWithdrawal) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None or withdrawal.account != cmd.account:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL, account=cmd.account)
    _end(ctx, ledger, withdrawal, _S.CANCELLED, "cancelled by its owner")
    return None


def fail(state: CustodyState, ctx: Context, ledger: Ledger, cmd: FailWithdrawal) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL)
    if len(cmd.reason) > 200:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=withdrawal.account)
    _end(ctx, ledger, withdrawal, _S.FAILED, cmd.reason)
    return None


def _end(
    ctx: Context, ledger: Ledger, withdrawal: Withdrawal, status: WithdrawalStatus, reason: str
) -> None:
    if not can_move(withdrawal.status, status):
        return ctx.reject(RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW, account=withdrawal.account)
    ledger.release(ledger.balance(withdrawal.account, withdrawal.asset), withdrawal.held)
    withdrawal.status = status
    ctx.events.append(
        WithdrawalEnded(
            ctx.seq,
            ctx.time,
            withdrawal.withdrawal_id,
            withdrawal.account,
            withdrawal.asset,
            withdrawal.held,
            status,
            reason,
        )
    )
    return None


def record_signed(state: CustodyState, ctx: Context, cmd: RecordWithdrawalSigned) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL)
    if (
        not cmd.tx_hash
        or len(cmd.tx_hash) > MAX_ID_CHARS + 2
        or len(cmd.sender) > MAX_ADDRESS_CHARS
        or cmd.nonce < 0
    ):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=withdrawal.account)
    if withdrawal.status is _S.PROCESSING and withdrawal.tx_hash == cmd.tx_hash:
        # The sender asks again after a crash: recorded already, and it says so.
        return ctx.reject(RejectReason.ALREADY_APPLIED, account=withdrawal.account)
    if not can_move(withdrawal.status, _S.PROCESSING):
        return ctx.reject(RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW, account=withdrawal.account)
    withdrawal.status = _S.PROCESSING
    withdrawal.tx_hash = cmd.tx_hash
    withdrawal.nonce = cmd.nonce
    withdrawal.sender = cmd.sender
    ctx.events.append(
        WithdrawalSigned(
            ctx.seq,
            ctx.time,
            withdrawal.withdrawal_id,
            withdrawal.account,
            cmd.tx_hash,
            cmd.nonce,
            cmd.sender,
        )
    )
    return None


def complete(state: CustodyState, ctx: Context, ledger: Ledger, cmd: CompleteWithdrawal) -> None:
    withdrawal = state.withdrawals.get(cmd.withdrawal_id)
    if withdrawal is None:
        return ctx.reject(RejectReason.UNKNOWN_WITHDRAWAL)
    if not can_move(withdrawal.status, _S.COMPLETED) or cmd.tx_hash != withdrawal.tx_hash:
        return ctx.reject(RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW, account=withdrawal.account)
    account, asset = withdrawal.account, withdrawal.asset
    posting = Posting()
    posting.add(ledger.balance(account, asset), 0, -withdrawal.held)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, asset), withdrawal.amount, 0)
    if withdrawal.fee:
        posting.add(ledger.balance(FEE_ACCOUNT, asset), withdrawal.fee, 0)
    ledger.must_move(posting)
    withdrawal.status = _S.COMPLETED
    ctx.events.append(
        WithdrawalCompleted(
            ctx.seq,
            ctx.time,
            withdrawal.withdrawal_id,
            account,
            asset,
            withdrawal.amount,
            withdrawal.fee,
            cmd.tx_hash,
            cmd.block_number,
        )
    )
    return None
