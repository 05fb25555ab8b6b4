"""Each account's withdrawal addresses: a new one usable only after the policy's cooldown,
and compliance's risk hold on an account's withdrawals."""

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import (
    AddWithdrawalAddress,
    RemoveWithdrawalAddress,
    SetWithdrawalRiskHold,
)
from assetport.domain.custody import (
    MAX_ADDRESS_CHARS,
    MAX_ADDRESSES_PER_ACCOUNT,
    MAX_LABEL_CHARS,
    MAX_NETWORK_CHARS,
)
from assetport.domain.events import (
    WithdrawalAddressAdded,
    WithdrawalAddressRemoved,
    WithdrawalRiskHoldSet,
)
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.custody.state import BookEntry, CustodyState


def add_address(state: CustodyState, ctx: Context, cmd: AddWithdrawalAddress) -> None:
    if (
        cmd.account < FIRST_TRADING_ACCOUNT
        or not cmd.network
        or len(cmd.network) > MAX_NETWORK_CHARS
        or not cmd.address
        or len(cmd.address) > MAX_ADDRESS_CHARS
        or len(cmd.label) > MAX_LABEL_CHARS
    ):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    book = state.books.get(cmd.account, {})
    key = (cmd.network, cmd.address)
    if key in book:
        return ctx.reject(RejectReason.ADDRESS_ALREADY_IN_BOOK, account=cmd.account)
    if len(book) >= MAX_ADDRESSES_PER_ACCOUNT:
        return ctx.reject(RejectReason.TOO_MANY_ADDRESSES, account=cmd.account)
    usable_from = ctx.time + state.policy.address_cooldown_ms * 1000  # times are in µs
    state.books.setdefault(cmd.account, {})[key] = BookEntry(cmd.label, usable_from)
    state.touched = True
    ctx.events.append(
        WithdrawalAddressAdded(
            ctx.seq, ctx.time, cmd.account, cmd.network, cmd.address, cmd.label, usable_from
        )
    )
    return None


def remove_address(state: CustodyState, ctx: Context, cmd: RemoveWithdrawalAddress) -> None:
    book = state.books.get(cmd.account)
    if book is None or book.pop((cmd.network, cmd.address), None) is None:
        return ctx.reject(RejectReason.ADDRESS_NOT_IN_BOOK, account=cmd.account)
    if not book:
        del state.books[cmd.account]
    ctx.events.append(
        WithdrawalAddressRemoved(ctx.seq, ctx.time, cmd.account, cmd.network, cmd.address)
    )
    return None


def set_risk_hold(state: CustodyState, ctx: Context, cmd: SetWithdrawalRiskHold) -> None:
    if cmd.account < FIRST_TRADING_ACCOUNT or len(cmd.reason) > MAX_LABEL_CHARS:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    if cmd.held:
        state.risk_holds[cmd.account] = cmd.reason
    else:
        state.risk_holds.pop(cmd.account, None)
    state.touched = True
    ctx.events.append(WithdrawalRiskHoldSet(ctx.seq, ctx.time, cmd.account, cmd.held, cmd.reason))
    return None
