"""What the NFT product keeps: the collections, every minted item with who holds its units,
the open listings, offers and auctions, the platform's fee, and the counters that number
them.

Items are not money: the ledger holds the currencies they are paid in, and this product holds
the items. Every unit of an item is in exactly one place: held free by an account
(`Item.owners`), set aside in one open listing, running auction, drop or withdrawal, or out on
a chain in a holder's own wallet (`outside`); so an ERC-721 item has exactly one owner or is
escrowed once. Money an offer or a bid sets aside is held in the
ledger (`Hold` purposes NFT_OFFER and NFT_BID).

Deadlines (listings' and offers' expiries, auctions' ends) wait in a heap that the state
derives (`deadlines`): the snapshot never holds it, `restore` rebuilds it, and an entry whose
listing, offer or auction ended or moved is skipped when it comes up.
"""

import heapq
from dataclasses import dataclass, field
from typing import Final

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import DropTerms
from assetport.domain.nft.items import ItemSpec
from assetport.domain.nft.trading import AuctionTerms, ListingTerms, OfferTerms
from assetport.domain.results import RejectReason

DEFAULT_FEE_BPS: Final = 100  # 1 %, as Binance NFT
MAX_FEE_BPS: Final = 1000
MAX_OPEN_PER_ACCOUNT: Final = 10_000  # listings, offers and auctions an account has open
MAX_COLLECTIONS_PER_CREATOR: Final = 100
MAX_ITEMS_PER_COLLECTION: Final = 1_000_000

# What a deadline ends, in the order deadlines at one instant are settled.
AUCTION: Final = 0
LISTING: Final = 1
OFFER: Final = 2
DROP: Final = 3  # a drop's end, and a draw's or box sale's last moment to reveal its seed


@dataclass(slots=True)
class Item:
    collection: str
    spec: ItemSpec
    # account -> units it holds free (what is listed or auctioned is in that listing/auction)
    owners: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class Listing:
    listing_id: int
    account: int
    terms: ListingTerms
    currency: str
    remaining: int  # units still for sale (set aside from the seller)


@dataclass(slots=True)
class Offer:
    offer_id: int
    account: int
    terms: OfferTerms
    currency: str
    remaining: int  # units still wanted; remaining * price is held

    @property
    def held(self) -> int:
        return self.remaining * self.terms.price


@dataclass(slots=True)
class Auction:
    auction_id: int
    account: int
    terms: AuctionTerms
    currency: str
    ends_us: int  # later than the terms' when a bid came near the end
    bidder: int = 0  # the highest bidder (0: no bid yet)
    bid: int = 0  # its price per unit; bid * quantity is held

    @property
    def held(self) -> int:
        return self.bid * self.terms.quantity


@dataclass(slots=True)
class Drop:
    """A primary sale. `left` is what is still set aside of each lot (in the terms' order);
    `entries` are (account, tickets) of a draw, one per account in the order each first
    entered, or (account, boxes) of a box sale, one per purchase (box serials count up from 1
    in that order); `taken` is what each account took, for the cap."""

    drop_id: int
    account: int
    terms: DropTerms
    currency: str
    left: list[int]
    entries: list[tuple[int, int]] = field(default_factory=list)
    taken: dict[int, int] = field(default_factory=dict)

    @property
    def entered(self) -> int:
        """Tickets entered, or boxes bought."""
        return sum(count for _, count in self.entries)


@dataclass(slots=True)
class NftWithdrawal:
    """Units on their way to a holder's wallet: set aside until custody sends them."""

    withdrawal_id: int
    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    address: str
    ref: str


@dataclass
class NftState:
    touched: bool = False
    fee_bps: int = DEFAULT_FEE_BPS
    collections: dict[str, Collection] = field(default_factory=dict)
    items: dict[tuple[str, int], Item] = field(default_factory=dict)
    listings: dict[int, Listing] = field(default_factory=dict)
    offers: dict[int, Offer] = field(default_factory=dict)
    auctions: dict[int, Auction] = field(default_factory=dict)
    drops: dict[int, Drop] = field(default_factory=dict)
    next_drop_id: int = 1
    # On chain: each collection's contract per network; the units of each item out there,
    # in holders' own wallets (they count in its supply); withdrawals on their way; the
    # holders' references and the deposits already credited (each applies once).
    contracts: dict[tuple[str, str], str] = field(default_factory=dict)
    outside: dict[tuple[str, int], int] = field(default_factory=dict)
    withdrawals: dict[int, NftWithdrawal] = field(default_factory=dict)
    next_withdrawal_id: int = 1
    withdrawal_refs: dict[tuple[int, str], int] = field(default_factory=dict)
    deposits: set[tuple[str, str, int, str, int]] = field(default_factory=set)
    next_listing_id: int = 1
    next_offer_id: int = 1
    next_auction_id: int = 1
    next_sale_id: int = 1
    # Derived (never in the snapshot): counts and the deadline heap.
    open_by_account: dict[int, int] = field(default_factory=dict)
    items_by_collection: dict[str, int] = field(default_factory=dict)
    collections_by_creator: dict[int, int] = field(default_factory=dict)
    deadlines: list[tuple[int, int, int]] = field(default_factory=list)

    def item(self, collection: str, token_id: int) -> Item | None:
        return self.items.get((collection, token_id))

    def opened(self, account: int) -> None:
        self.open_by_account[account] = self.open_by_account.get(account, 0) + 1

    def closed(self, account: int) -> None:
        left = self.open_by_account[account] - 1
        if left:
            self.open_by_account[account] = left
        else:
            del self.open_by_account[account]

    def may_open(self, account: int) -> bool:
        return self.open_by_account.get(account, 0) < MAX_OPEN_PER_ACCOUNT

    def due_at(self, time_us: int, kind: int, ident: int) -> None:
        if time_us:
            heapq.heappush(self.deadlines, (time_us, kind, ident))


def set_aside_problem(state: NftState, account: int, collection: str, token_id: int,
                      quantity: int, terms_problem: str | None) -> RejectReason | None:  # fmt: skip
    """Why `account` may not set units of an item aside for a listing or an auction (its
    terms' own problem, if any, given), or None when the units were taken from its holding."""
    item = state.item(collection, token_id)
    if item is None:
        return RejectReason.UNKNOWN_NFT_ITEM
    if account < FIRST_TRADING_ACCOUNT or terms_problem is not None:
        return RejectReason.INVALID_NFT_TERMS
    if not state.may_open(account):
        return RejectReason.TOO_MANY_NFT_ORDERS
    if not take_units(item, account, quantity):
        return RejectReason.NFT_NOT_HELD
    return None


def take_units(item: Item, account: int, quantity: int) -> bool:
    """Take `quantity` free units from the account's holding; False (no change) if short."""
    held = item.owners.get(account, 0)
    if held < quantity:
        return False
    if held == quantity:
        del item.owners[account]
    else:
        item.owners[account] = held - quantity
    return True


def give_units(item: Item, account: int, quantity: int) -> None:
    item.owners[account] = item.owners.get(account, 0) + quantity
