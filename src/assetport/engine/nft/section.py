"""The NFT product's section of the snapshot: its whole state as canonical, sorted lists. The
derived parts (counts, the deadline heap) are rebuilt from it. Fields added after the first
go at the end with defaults, so an older section still decodes."""

import heapq

import msgspec

from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import REVEAL_WITHIN_US, DropKind, DropTerms
from assetport.domain.nft.items import ItemSpec
from assetport.domain.nft.trading import AuctionTerms, ListingTerms, OfferTerms
from assetport.engine.nft.state import (
    AUCTION,
    DROP,
    LISTING,
    OFFER,
    Auction,
    Drop,
    Item,
    Listing,
    NftState,
    NftWithdrawal,
    Offer,
)

# (collection, spec, [(account, free units)] by account)
ItemRow = tuple[str, ItemSpec, list[tuple[int, int]]]
# (id, account, terms, currency, remaining units)
ListingRow = tuple[int, int, ListingTerms, str, int]
OfferRow = tuple[int, int, OfferTerms, str, int]
# (id, account, terms, currency, ends_us, bidder, bid)
AuctionRow = tuple[int, int, AuctionTerms, str, int, int, int]
# (id, account, terms, currency, units left per lot, entries, taken by account)
# (id, account, collection, token id, quantity, network, address, ref)
WithdrawalRow = tuple[int, int, str, int, int, str, str, str]
DropRow = tuple[int, int, DropTerms, str, list[int], list[tuple[int, int]], list[tuple[int, int]]]


class NftSection(msgspec.Struct, array_like=True):
    fee_bps: int
    counters: tuple[int, int, int, int]  # next listing, offer, auction and sale ids
    collections: list[Collection]
    items: list[ItemRow]
    listings: list[ListingRow]
    offers: list[OfferRow]
    auctions: list[AuctionRow]
    drops: list[DropRow] = []
    next_drop_id: int = 1
    # On chain: (collection, network, address); (collection, token id, units out there);
    # pending withdrawals; the next withdrawal id; the deposits already credited.
    contracts: list[tuple[str, str, str]] = []
    outside: list[tuple[str, int, int]] = []
    withdrawals: list[WithdrawalRow] = []
    next_withdrawal_id: int = 1
    deposits: list[tuple[str, str, int, str, int]] = []
    withdrawal_refs: list[tuple[int, str, int]] = []  # (account, ref, withdrawal id)


def section_of(state: NftState) -> NftSection | None:
    if not state.touched:
        return None
    return NftSection(
        state.fee_bps,
        (state.next_listing_id, state.next_offer_id, state.next_auction_id, state.next_sale_id),
        [state.collections[code] for code in sorted(state.collections)],
        [
            (collection, item.spec, sorted(item.owners.items()))
            for (collection, _), item in sorted(state.items.items())
        ],
        [
            (i, x.account, x.terms, x.currency, x.remaining)
            for i, x in sorted(state.listings.items())
        ],
        [(i, x.account, x.terms, x.currency, x.remaining) for i, x in sorted(state.offers.items())],
        [
            (i, x.account, x.terms, x.currency, x.ends_us, x.bidder, x.bid)
            for i, x in sorted(state.auctions.items())
        ],
        [
            (
                i,
                x.account,
                x.terms,
                x.currency,
                list(x.left),
                list(x.entries),
                sorted(x.taken.items()),
            )
            for i, x in sorted(state.drops.items())
        ],
        state.next_drop_id,
        sorted((c, n, a) for (c, n), a in state.contracts.items()),
        sorted((c, t, units) for (c, t), units in state.outside.items()),
        [
            (i, w.account, w.collection, w.token_id, w.quantity, w.network, w.address, w.ref)
            for i, w in sorted(state.withdrawals.items())
        ],
        state.next_withdrawal_id,
        sorted(state.deposits),
        sorted((a, ref, i) for (a, ref), i in state.withdrawal_refs.items()),
    )


def restore_into(state: NftState, section: NftSection) -> None:
    state.touched = True
    state.fee_bps = section.fee_bps
    (state.next_listing_id, state.next_offer_id, state.next_auction_id,
     state.next_sale_id) = section.counters  # fmt: skip
    for c in section.collections:
        state.collections[c.code] = c
        state.collections_by_creator[c.creator] = state.collections_by_creator.get(c.creator, 0) + 1
    for collection, spec, owners in section.items:
        state.items[(collection, spec.token_id)] = Item(collection, spec, dict(owners))
        state.items_by_collection[collection] = state.items_by_collection.get(collection, 0) + 1
    for i, account, lt, currency, remaining in section.listings:
        state.listings[i] = Listing(i, account, lt, currency, remaining)
        state.opened(account)
        state.due_at(lt.expires_us, LISTING, i)
    for i, account, ot, currency, remaining in section.offers:
        state.offers[i] = Offer(i, account, ot, currency, remaining)
        state.opened(account)
        state.due_at(ot.expires_us, OFFER, i)
    for i, account, at, currency, ends_us, bidder, bid in section.auctions:
        state.auctions[i] = Auction(i, account, at, currency, ends_us, bidder, bid)
        state.opened(account)
        state.due_at(ends_us, AUCTION, i)
    for i, account, dt, currency, left, entries, taken in section.drops:
        state.drops[i] = Drop(i, account, dt, currency, list(left), list(entries), dict(taken))
        state.opened(account)
        state.due_at(dt.ends_us, DROP, i)
        if dt.kind is not DropKind.FIXED:
            state.due_at(dt.ends_us + REVEAL_WITHIN_US, DROP, i)
    state.next_drop_id = section.next_drop_id
    state.contracts = {(c, n): a for c, n, a in section.contracts}
    state.outside = {(c, t): units for c, t, units in section.outside}
    for row in section.withdrawals:
        w = NftWithdrawal(*row)
        state.withdrawals[w.withdrawal_id] = w
    state.withdrawal_refs = {(a, ref): i for a, ref, i in section.withdrawal_refs}
    state.next_withdrawal_id = section.next_withdrawal_id
    state.deposits = set(section.deposits)
    heapq.heapify(state.deadlines)
