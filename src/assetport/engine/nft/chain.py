"""Items to and from a chain: a holder withdraws units to its own wallet (custody mints or
sends the collection's ERC-721 or ERC-1155 token, `chain/contracts/CollectionItems*.sol`),
and units sent back to one of the platform's addresses are credited again. While out, the
units count in the item's supply as `outside`: custody's records and the chain's `ownerOf`
agree unit for unit."""

import re
from typing import Final

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import (
    CompleteNftWithdrawal,
    CreditNftDeposit,
    FailNftWithdrawal,
    SetNftContract,
    WithdrawNft,
)
from assetport.domain.custody import MAX_ID_CHARS
from assetport.domain.events import (
    NftContractSet,
    NftDeposited,
    NftWithdrawalFailed,
    NftWithdrawalRequested,
    NftWithdrawn,
)
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.nft.state import NftState, NftWithdrawal, give_units, take_units

EVM_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]{40}")
TX_HASH: Final = re.compile(r"0x[0-9a-f]{64}")
NETWORK: Final = re.compile(r"[A-Z0-9_]{2,20}")
MAX_REASON_CHARS: Final = 200


def set_contract(state: NftState, ctx: Context, cmd: SetNftContract) -> None:
    if cmd.collection not in state.collections:
        return ctx.reject(RejectReason.UNKNOWN_COLLECTION)
    if not NETWORK.fullmatch(cmd.network) or not EVM_ADDRESS.fullmatch(cmd.address):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT)
    state.contracts[(cmd.collection, cmd.network)] = cmd.address
    ctx.events.append(NftContractSet(ctx.seq, ctx.time, cmd.collection, cmd.network, cmd.address))
    return None


def withdraw(state: NftState, ctx: Context, cmd: WithdrawNft) -> None:
    item = state.item(cmd.collection, cmd.token_id)
    if item is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_ITEM, account=cmd.account)
    if cmd.account < FIRST_TRADING_ACCOUNT or not 0 < len(cmd.ref) <= MAX_ID_CHARS:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    if not NETWORK.fullmatch(cmd.network) or not EVM_ADDRESS.fullmatch(cmd.address):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    seen = state.withdrawal_refs.get((cmd.account, cmd.ref))
    if seen is not None:
        return ctx.reject(RejectReason.ALREADY_APPLIED, account=cmd.account, order_id=seen)
    if cmd.quantity <= 0 or not take_units(item, cmd.account, cmd.quantity):
        return ctx.reject(RejectReason.NFT_NOT_HELD, account=cmd.account)
    withdrawal_id = state.next_withdrawal_id
    state.next_withdrawal_id = withdrawal_id + 1
    state.withdrawals[withdrawal_id] = NftWithdrawal(
        withdrawal_id, cmd.account, cmd.collection, cmd.token_id, cmd.quantity, cmd.network,
        cmd.address, cmd.ref,
    )  # fmt: skip
    state.withdrawal_refs[(cmd.account, cmd.ref)] = withdrawal_id
    ctx.events.append(
        NftWithdrawalRequested(ctx.seq, ctx.time, withdrawal_id, cmd.account, cmd.collection,
                               cmd.token_id, cmd.quantity, cmd.network, cmd.address, cmd.ref)
    )  # fmt: skip
    return None


def complete(state: NftState, ctx: Context, cmd: CompleteNftWithdrawal) -> None:
    w = state.withdrawals.get(cmd.withdrawal_id)
    if w is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_WITHDRAWAL)
    if not TX_HASH.fullmatch(cmd.tx_hash):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT)
    del state.withdrawals[w.withdrawal_id]
    key = (w.collection, w.token_id)
    state.outside[key] = state.outside.get(key, 0) + w.quantity
    ctx.events.append(
        NftWithdrawn(ctx.seq, ctx.time, w.withdrawal_id, w.account, w.collection, w.token_id,
                     w.quantity, w.network, w.address, cmd.tx_hash)
    )  # fmt: skip
    return None


def fail(state: NftState, ctx: Context, cmd: FailNftWithdrawal) -> None:
    w = state.withdrawals.get(cmd.withdrawal_id)
    if w is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_WITHDRAWAL)
    if not 0 < len(cmd.reason) <= MAX_REASON_CHARS:
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT)
    del state.withdrawals[w.withdrawal_id]
    give_units(state.items[(w.collection, w.token_id)], w.account, w.quantity)
    ctx.events.append(
        NftWithdrawalFailed(ctx.seq, ctx.time, w.withdrawal_id, w.account, w.collection,
                            w.token_id, w.quantity, cmd.reason)
    )  # fmt: skip
    return None


def credit_deposit(state: NftState, ctx: Context, cmd: CreditNftDeposit) -> None:
    # One log of a batch transfer credits several items: each once.
    key = (cmd.network, cmd.tx_hash, cmd.log_index, cmd.collection, cmd.token_id)
    if key in state.deposits:
        return ctx.reject(RejectReason.ALREADY_APPLIED, account=cmd.account)
    item = state.item(cmd.collection, cmd.token_id)
    if item is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_ITEM, account=cmd.account)
    if cmd.account < FIRST_TRADING_ACCOUNT or not TX_HASH.fullmatch(cmd.tx_hash):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
    out = state.outside.get((cmd.collection, cmd.token_id), 0)
    # Only the platform mints the collection's tokens, each when it leaves: what comes back
    # is at most what went out.
    if not 0 < cmd.quantity <= out:
        return ctx.reject(RejectReason.NFT_NOT_ON_CHAIN, account=cmd.account)
    if out == cmd.quantity:
        del state.outside[(cmd.collection, cmd.token_id)]
    else:
        state.outside[(cmd.collection, cmd.token_id)] = out - cmd.quantity
    state.deposits.add(key)
    give_units(item, cmd.account, cmd.quantity)
    ctx.events.append(
        NftDeposited(ctx.seq, ctx.time, cmd.account, cmd.collection, cmd.token_id, cmd.quantity,
                     cmd.network, cmd.tx_hash, cmd.log_index)
    )  # fmt: skip
    return None
