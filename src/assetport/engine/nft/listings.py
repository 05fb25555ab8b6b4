"""Fixed-price listings: a holder sets units of an item aside at a price per unit; buyers take
all or part of them (an ERC-1155 listing fills in part) until it sells out, is canceled or
expires."""

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import BuyNft, CancelNftListing, ListNft
from assetport.domain.events import NftListed, NftListingEnded
from assetport.domain.nft.trading import NftEndReason, NftSaleKind, listing_problem
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import (
    LISTING,
    Listing,
    NftState,
    give_units,
    set_aside_problem,
)


def list_item(state: NftState, ctx: Context, cmd: ListNft) -> None:
    t = cmd.terms
    problem = listing_problem(t, ctx.time)
    reason = set_aside_problem(state, cmd.account, t.collection, t.token_id, t.quantity, problem)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    currency = state.collections[t.collection].currency
    listing_id = state.next_listing_id
    state.next_listing_id = listing_id + 1
    state.listings[listing_id] = Listing(listing_id, cmd.account, t, currency, t.quantity)
    state.opened(cmd.account)
    state.due_at(t.expires_us, LISTING, listing_id)
    ctx.events.append(NftListed(ctx.seq, ctx.time, listing_id, cmd.account, t, currency))
    return None


def cancel_listing(state: NftState, ctx: Context, cmd: CancelNftListing) -> None:
    listing = state.listings.get(cmd.listing_id)
    if listing is None or listing.account != cmd.account:
        return ctx.reject(RejectReason.UNKNOWN_NFT_LISTING, account=cmd.account)
    end_listing(state, ctx, listing, NftEndReason.CANCELED)
    return None


def end_listing(state: NftState, ctx: Context, listing: Listing, reason: NftEndReason) -> None:
    """The listing leaves the book; what it has not sold goes back to the seller."""
    t = listing.terms
    del state.listings[listing.listing_id]
    state.closed(listing.account)
    if listing.remaining:
        give_units(state.items[(t.collection, t.token_id)], listing.account, listing.remaining)
    ctx.events.append(
        NftListingEnded(ctx.seq, ctx.time, listing.listing_id, listing.account, t.collection,
                        t.token_id, listing.remaining, reason)
    )  # fmt: skip


def buy(state: NftState, ctx: Context, settlement: Settlement, cmd: BuyNft) -> None:
    listing = state.listings.get(cmd.listing_id)
    if listing is None or (listing.terms.expires_us and ctx.time >= listing.terms.expires_us):
        return ctx.reject(RejectReason.UNKNOWN_NFT_LISTING, account=cmd.account)
    if cmd.account == listing.account:
        return ctx.reject(RejectReason.NFT_SELF_TRADE, account=cmd.account)
    if cmd.account < FIRST_TRADING_ACCOUNT or not 0 < cmd.quantity <= listing.remaining:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    t = listing.terms
    if cmd.price != t.price:
        return ctx.reject(RejectReason.NFT_PRICE_CHANGED, account=cmd.account)
    item = state.items[(t.collection, t.token_id)]
    if not settlement.sale(NftSaleKind.LISTING, listing.listing_id, item, cmd.quantity, t.price,
                           listing.currency, listing.account, cmd.account, False):  # fmt: skip
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    listing.remaining -= cmd.quantity
    if not listing.remaining:
        end_listing(state, ctx, listing, NftEndReason.SOLD)
    return None
