"""A deposit the chain confirmed, credited once: external -> the account's free balance."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import CreditDeposit
from assetport.domain.custody import MAX_ADDRESS_CHARS, MAX_ID_CHARS, MAX_NETWORK_CHARS
from assetport.domain.events import DepositCredited
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.custody.state import CustodyState
from assetport.engine.ledger import Ledger, Posting


def credit_deposit(
    state: CustodyState, ctx: Context, ledger: Ledger, assets: Assets, cmd: CreditDeposit
) -> None:
    reason = _problem(state, ledger, assets, cmd)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    posting = Posting()
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), -cmd.amount, 0)
    posting.add(ledger.balance(cmd.account, cmd.asset), cmd.amount, 0)
    ledger.must_move(posting)
    key = (cmd.network, cmd.tx_hash, cmd.log_index)
    state.deposits[key] = (cmd.account, cmd.asset, cmd.amount, cmd.address)
    state.touched = True
    ctx.events.append(
        DepositCredited(
            ctx.seq,
            ctx.time,
            cmd.account,
            cmd.asset,
            cmd.amount,
            cmd.network,
            cmd.tx_hash,
            cmd.log_index,
            cmd.address,
        )
    )
    return None


def _problem(
    state: CustodyState, ledger: Ledger, assets: Assets, cmd: CreditDeposit
) -> RejectReason | None:
    if cmd.account < FIRST_TRADING_ACCOUNT:
        return RejectReason.INVALID_ACCOUNT
    if assets.get(cmd.asset) is None:
        return RejectReason.UNKNOWN_ASSET
    if (
        not cmd.network
        or len(cmd.network) > MAX_NETWORK_CHARS
        or not cmd.tx_hash
        or len(cmd.tx_hash) > MAX_ID_CHARS + 2
        or len(cmd.address) > MAX_ADDRESS_CHARS
        or cmd.log_index < -1
    ):
        return RejectReason.INVALID_CUSTODY_INPUT
    if cmd.amount <= 0:
        return RejectReason.INVALID_AMOUNT
    seen = state.deposits.get((cmd.network, cmd.tx_hash, cmd.log_index))
    if seen is not None:
        if seen == (cmd.account, cmd.asset, cmd.amount, cmd.address):
            return RejectReason.ALREADY_APPLIED
        return RejectReason.REFERENCE_REUSED
    # The external account's balance is minus the asset's supply: bounding the supply
    # bounds every balance of the asset.
    supply = -ledger.free(EXTERNAL_ACCOUNT, cmd.asset)
    if cmd.amount > MAX_AMOUNT - supply:
        return RejectReason.AMOUNT_TOO_LARGE
    return None
