"""Collections and items: a creator publishes a collection, mints its items (to itself or to
another account), and holders give units to others. Operators verify collections and set
the platform's fee."""

import msgspec

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    CreateCollection,
    MintNfts,
    SetCollectionVerified,
    SetNftFee,
    TransferNft,
)
from assetport.domain.events import (
    NftCollectionCreated,
    NftCollectionVerified,
    NftFeeSet,
    NftMinted,
    NftTransferred,
)
from assetport.domain.nft.collections import collection_problem
from assetport.domain.nft.items import MAX_MINT_BATCH, item_problem
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.nft.state import (
    MAX_COLLECTIONS_PER_CREATOR,
    MAX_FEE_BPS,
    MAX_ITEMS_PER_COLLECTION,
    Item,
    NftState,
    give_units,
    take_units,
)

# Money a collection's prices may be in: fiat and coins, never a token with holder rules or an
# NFT collection's own code.
_CURRENCY_KINDS = (AssetKind.FIAT, AssetKind.COIN)


def create_collection(state: NftState, ctx: Context, assets: Assets,
                      cmd: CreateCollection) -> None:  # fmt: skip
    c = cmd.collection
    if c.code in state.collections:
        return ctx.reject(RejectReason.COLLECTION_EXISTS, account=c.creator)
    currency = assets.get(c.currency)
    if collection_problem(c) is not None or currency is None or c.verified:
        return ctx.reject(RejectReason.INVALID_COLLECTION, account=c.creator)
    if currency.kind not in _CURRENCY_KINDS:
        return ctx.reject(RejectReason.INVALID_COLLECTION, account=c.creator)
    if state.collections_by_creator.get(c.creator, 0) >= MAX_COLLECTIONS_PER_CREATOR:
        return ctx.reject(RejectReason.TOO_MANY_NFT_ORDERS, account=c.creator)
    state.collections[c.code] = c
    state.collections_by_creator[c.creator] = state.collections_by_creator.get(c.creator, 0) + 1
    state.touched = True
    ctx.events.append(NftCollectionCreated(ctx.seq, ctx.time, c))
    return None


def set_verified(state: NftState, ctx: Context, cmd: SetCollectionVerified) -> None:
    c = state.collections.get(cmd.collection)
    if c is None:
        return ctx.reject(RejectReason.UNKNOWN_COLLECTION)
    state.collections[c.code] = msgspec.structs.replace(c, verified=cmd.verified)
    ctx.events.append(NftCollectionVerified(ctx.seq, ctx.time, c.code, cmd.verified))
    return None


def set_fee(state: NftState, ctx: Context, cmd: SetNftFee) -> None:
    if not 0 <= cmd.fee_bps <= MAX_FEE_BPS:
        return ctx.reject(RejectReason.INVALID_FEE)
    state.fee_bps = cmd.fee_bps
    state.touched = True
    ctx.events.append(NftFeeSet(ctx.seq, ctx.time, cmd.fee_bps))
    return None


def mint(state: NftState, ctx: Context, cmd: MintNfts) -> None:
    c = state.collections.get(cmd.collection)
    if c is None:
        return ctx.reject(RejectReason.UNKNOWN_COLLECTION, account=cmd.account)
    if cmd.account != c.creator:
        return ctx.reject(RejectReason.NOT_THE_CREATOR, account=cmd.account)
    if cmd.to < FIRST_TRADING_ACCOUNT:
        return ctx.reject(RejectReason.INVALID_ACCOUNT, account=cmd.account)
    minted = state.items_by_collection.get(c.code, 0)
    if (
        not 0 < len(cmd.items) <= MAX_MINT_BATCH
        or minted + len(cmd.items) > MAX_ITEMS_PER_COLLECTION
    ):
        return ctx.reject(RejectReason.INVALID_NFT_ITEM, account=cmd.account)
    if any(item_problem(spec, c.standard) is not None for spec in cmd.items):
        return ctx.reject(RejectReason.INVALID_NFT_ITEM, account=cmd.account)
    ids = {spec.token_id for spec in cmd.items}
    if len(ids) != len(cmd.items) or any((c.code, i) in state.items for i in ids):
        return ctx.reject(RejectReason.TOKEN_ID_TAKEN, account=cmd.account)
    for spec in cmd.items:
        state.items[(c.code, spec.token_id)] = Item(c.code, spec, {cmd.to: spec.supply})
    state.items_by_collection[c.code] = minted + len(cmd.items)
    ctx.events.append(NftMinted(ctx.seq, ctx.time, cmd.account, c.code, cmd.to, cmd.items))
    return None


def transfer(state: NftState, ctx: Context, cmd: TransferNft) -> None:
    item = state.item(cmd.collection, cmd.token_id)
    if item is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_ITEM, account=cmd.account)
    if cmd.to < FIRST_TRADING_ACCOUNT or cmd.to == cmd.account:
        return ctx.reject(RejectReason.INVALID_ACCOUNT, account=cmd.account)
    if cmd.quantity <= 0 or not take_units(item, cmd.account, cmd.quantity):
        return ctx.reject(RejectReason.NFT_NOT_HELD, account=cmd.account)
    give_units(item, cmd.to, cmd.quantity)
    ctx.events.append(
        NftTransferred(ctx.seq, ctx.time, cmd.collection, cmd.token_id, cmd.quantity,
                       cmd.account, cmd.to)
    )  # fmt: skip
    return None
