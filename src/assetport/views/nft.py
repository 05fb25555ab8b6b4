"""The NFT marketplace as it stands, for the gateway (issue #18): collections with their
statistics and trait counts, every item with who holds it, the open listings, offers and
auctions, and the next deadline; in memory, answered without a query.

Seeded from the engine's read API (`seed.NftSeed`) and kept from the events after it. What
the engine does not keep (when a collection was created, volumes and sales counts, each
item's last sale and last activity, when a listing or offer was made, how many bids an
auction had) is history: `prime` adds it from the SQL read model once at start
(`store/nft_history.py` reads it up to the seed's seq, so nothing counts twice); a gateway
without the read model counts from its start.

Units in a listing or a running auction are set aside there, not in the seller's free
units (`NftItem.owners`), but the seller still holds them: `NftItem.holders()` counts both,
and the owner of an ERC-721 item is its free holder or the seller of its open listing or
auction.

Statistics follow the wash-trading guard: a sale between two accounts of one person
(`NftSold.wash`) counts in no volume, sales count or last sale; it moves the item all the
same. The floor is the lowest price per unit among a collection's open listings.

The items of a collection are kept in sorted indexes (by price, token id and recent
activity; listed and unlisted token ids), so that a page, filtered by traits and listed
items, costs about its own size: nothing is sorted per request but a small trait's items.
Pages are read with an opaque cursor (`ItemsPage.cursor`), which stays valid while the
items move: a page starts after the cursor's place in the order.

Public methods and the record types (`NftItem`, `NftListing`, `NftOffer`, `NftAuction`,
`CollectionStats`) are what the REST endpoints read (`api/rest_nft_market.py`,
`api/rest_nft_trade.py`); their objects are the view's own and must be read, not changed.
"""

import bisect
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Generic, NamedTuple, TypeVar

import msgspec
from sortedcontainers import SortedList  # type: ignore[import-untyped]

from assetport.domain.events import (
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftBoxOpened,
    NftCollectionCreated,
    NftCollectionVerified,
    NftContractSet,
    NftDeposited,
    NftDropCreated,
    NftDropEnded,
    NftDropEntered,
    NftFeeSet,
    NftListed,
    NftListingEnded,
    NftMinted,
    NftOfferEnded,
    NftOfferMade,
    NftSold,
    NftTransferred,
    NftWithdrawalFailed,
    NftWithdrawalRequested,
    NftWithdrawn,
)
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import (
    REVEAL_WITHIN_US,
    DropKind,
    DropTerms,
    Verification,
    add_entry,
    verify_drop,
)
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import (
    AuctionKind,
    AuctionTerms,
    ListingTerms,
    NftEndReason,
    NftSaleKind,
    OfferTerms,
    dutch_price,
    next_minimum_bid,
)
from assetport.views.seed import NftSeed

DAY_US: Final = 86_400_000_000
MAX_PAGE: Final = 100
KEPT_ENDED_DROPS: Final = 500  # ended primary sales kept to re-derive (the newest)
DEFAULT_FEE_BPS: Final = 100
# A trait filter whose items are fewer than 1/SPARSE of an index is answered by sorting
# those items; a denser one by walking the index and skipping the others.
SPARSE: Final = 20
MAX_CURSOR_CHARS: Final = 120

# What a deadline ends (`next_deadline`).
AUCTION: Final = 0
LISTING: Final = 1
OFFER: Final = 2
DROP: Final = 3

K = TypeVar("K", int, tuple[int, int])


class _Sorted(Generic[K]):
    """A sorted list of keys (sortedcontainers' SortedList, typed for what is used here)."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys = SortedList()

    def add(self, key: K) -> None:
        self._keys.add(key)

    def discard(self, key: K) -> None:
        self._keys.discard(key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[K]:
        keys: Iterator[K] = iter(self._keys)
        return keys

    def first(self) -> K | None:
        if not self._keys:
            return None
        key: K = self._keys[0]
        return key

    def after(self, key: K | None, reverse: bool = False) -> Iterator[K]:
        """The keys after `key` in ascending order (descending with `reverse`), all of them
        when `key` is None."""
        keys: Iterator[K]
        if key is None:
            keys = reversed(self._keys) if reverse else iter(self._keys)
        elif reverse:
            keys = self._keys.irange(maximum=key, inclusive=(True, False), reverse=True)
        else:
            keys = self._keys.irange(minimum=key, inclusive=(False, True))
        return keys


# -- the records ------------------------------------------------------------------------------


@dataclass(slots=True)
class NftListing:
    """An open fixed-price listing: `remaining` units of its item at `terms.price` each."""

    listing_id: int
    account: int  # the seller
    terms: ListingTerms
    currency: str
    remaining: int
    listed_us: int = 0  # when it was listed (0: before this gateway's history)


@dataclass(slots=True)
class NftOffer:
    """An open offer to buy `remaining` units at `terms.price` each: of one item
    (`terms.token_id`), any item of the collection, or any item with `terms.trait`."""

    offer_id: int
    account: int  # the buyer
    terms: OfferTerms
    currency: str
    remaining: int
    made_us: int = 0

    @property
    def held(self) -> int:
        return self.remaining * self.terms.price


@dataclass(slots=True)
class NftAuction:
    """A running auction of `terms.quantity` units; `bid` is the highest bid per unit
    (English), `bidder` its account (0: no bid yet); `ends_us` moves with anti-sniping."""

    auction_id: int
    account: int  # the seller
    terms: AuctionTerms
    currency: str
    ends_us: int
    bidder: int = 0
    bid: int = 0
    bids: int = 0  # bids placed (since this gateway's history began)
    started_us: int = 0

    def price_now(self, now_us: int) -> int:
        """What a bid must be per unit now: a Dutch auction's price of the instant, an
        English one's next minimum bid."""
        if self.terms.kind is AuctionKind.DUTCH:
            return dutch_price(self.terms, now_us)
        return next_minimum_bid(self.terms, self.bid)


class DropStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    DRAWING = "drawing"  # a draw's or box sale's window closed; its seed not revealed yet
    ENDED = "ended"
    CANCELED = "canceled"  # its seed never came: everyone was refunded


@dataclass(slots=True)
class NftDrop:
    """A primary sale (`domain/nft/drops.py`): `left[i]` units of lot `terms.lots[i]` still
    set aside from the creator; `entries` as the engine keeps them (a draw's (account,
    tickets), one per account in the order each first entered; a box sale's (account,
    boxes), one per purchase, boxes numbered from 1 in that order). Once settled: what each
    account won in a draw, what each box opened into, the revealed seed, and how it ended;
    the view keeps the latest ended ones so that anyone can re-derive them."""

    drop_id: int
    account: int  # the creator selling
    terms: DropTerms
    currency: str
    left: list[int]
    entries: list[tuple[int, int]] = field(default_factory=list)
    created_us: int = 0
    won: dict[int, int] = field(default_factory=dict)  # a draw: account -> units won
    boxes: dict[int, tuple[int, int]] = field(default_factory=dict)  # serial -> (account, token)
    ended: NftEndReason | None = None
    seed: str = ""  # revealed
    returned: tuple[tuple[int, int], ...] = ()

    @property
    def entered(self) -> int:
        """Tickets entered, or boxes bought."""
        return sum(count for _, count in self.entries)

    def enter(self, account: int, quantity: int) -> None:
        add_entry(self.entries, self.terms.kind, account, quantity)

    def status(self, now_us: int) -> DropStatus:
        if self.ended is NftEndReason.NOT_REVEALED:
            return DropStatus.CANCELED
        if self.ended is not None:
            return DropStatus.ENDED
        if now_us < self.terms.starts_us:
            return DropStatus.UPCOMING
        return DropStatus.OPEN if now_us < self.terms.ends_us else DropStatus.DRAWING

    def verification(self) -> Verification | None:
        """Every ticket and box re-derived from the revealed seed (None before a reveal)."""
        if self.terms.kind is DropKind.FIXED or not self.seed:
            return None
        boxes = {serial: token_id for serial, (_, token_id) in self.boxes.items()}
        return verify_drop(self.terms, self.drop_id, self.entries, self.seed, self.won, boxes)

    def left_of(self, token_id: int) -> int:
        return sum(
            left
            for (lot, _), left in zip(self.terms.lots, self.left, strict=True)
            if lot == token_id
        )

    def sold(self, token_id: int, units: int) -> None:
        for index, (lot, _) in enumerate(self.terms.lots):
            if lot == token_id:
                self.left[index] -= units
                return

    def due_us(self) -> int:
        """When the engine next settles it: its end, or for a draw or box sale with entries
        the end of the time its seed may be revealed in (then it is canceled)."""
        t = self.terms
        if t.kind is DropKind.FIXED or not self.entered:
            return t.ends_us
        return t.ends_us + REVEAL_WITHIN_US


@dataclass(slots=True)
class NftItem:
    collection: str
    spec: ItemSpec
    owners: dict[int, int]  # account -> free units (not in a listing or an auction)
    listings: dict[int, NftListing] = field(default_factory=dict)  # open, by id
    auctions: dict[int, NftAuction] = field(default_factory=dict)  # running, by id
    drops: dict[int, NftDrop] = field(default_factory=dict)  # primary sales selling it
    price: int = 0  # the lowest open listing's price per unit; 0: not listed
    activity_us: int = 0  # its last mint, listing or sale (0: unknown)
    last_price: int = 0  # its last sale's price per unit (wash sales aside); 0: none
    last_sale_us: int = 0
    on_chain: int = 0  # units withdrawn to holders' own wallets on a chain

    @property
    def token_id(self) -> int:
        return self.spec.token_id

    def holders(self) -> dict[int, int]:
        """Account -> units it holds: free, listed, in its running auctions and in its
        primary sales."""
        held = dict(self.owners)
        for listing in self.listings.values():
            held[listing.account] = held.get(listing.account, 0) + listing.remaining
        for auction in self.auctions.values():
            held[auction.account] = held.get(auction.account, 0) + auction.terms.quantity
        for drop in self.drops.values():
            left = drop.left_of(self.spec.token_id)
            if left:
                held[drop.account] = held.get(drop.account, 0) + left
        return held

    def owner(self) -> int | None:
        """An ERC-721 item's one owner (its free holder, or the seller of its listing or
        auction); None for an ERC-1155 item with several holders."""
        held = self.holders()
        return next(iter(held)) if len(held) == 1 else None

    def cheapest(self) -> NftListing | None:
        """Its open listing with the lowest price per unit (the oldest among equals)."""
        return min(
            self.listings.values(), key=lambda x: (x.terms.price, x.listing_id), default=None
        )


class CollectionStats(NamedTuple):
    items: int
    owners: int  # accounts holding any of its units (free, listed or in an auction)
    listed: int  # items with an open listing
    floor: int  # the lowest open listing's price per unit; 0: nothing listed
    volume: int  # every sale's total, wash sales aside
    volume_24h: int
    sales: int  # sales, wash sales aside


class ItemSort(StrEnum):
    PRICE_ASC = "price_asc"  # listed items by price (then token id), then the unlisted
    PRICE_DESC = "price_desc"
    TOKEN_ID = "token_id"
    RECENT = "recent"  # by last mint, listing or sale, newest first


class ItemsPage(NamedTuple):
    items: list[NftItem]
    cursor: str | None  # where the next page starts; None: this was the last


class BadCursor(ValueError):
    """A cursor this view did not make for this order."""


@dataclass
class NftPast:
    """What the engine does not keep, from the SQL history up to command `up_to_seq`
    (`store/nft_history.py`), for `NftView.prime`. Sales are those of no wash trade."""

    up_to_seq: int = 0
    created: dict[str, int] = field(default_factory=dict)  # collection -> created_us
    volumes: dict[str, tuple[int, int]] = field(default_factory=dict)  # -> (volume, sales)
    recent_sales: list[tuple[str, int, int]] = field(default_factory=list)  # (code, us, total)
    # (collection, token id, price per unit, time) of each item's last sale
    last_sales: list[tuple[str, int, int, int]] = field(default_factory=list)
    # (collection, token id, time) of each item's last mint, listing or sale
    activity: list[tuple[str, int, int]] = field(default_factory=list)
    listed: dict[int, int] = field(default_factory=dict)  # listing id -> listed_us
    offers_made: dict[int, int] = field(default_factory=dict)  # offer id -> made_us
    auctions: dict[int, tuple[int, int]] = field(default_factory=dict)  # -> (started_us, bids)


# -- one collection ---------------------------------------------------------------------------


def _price_key(item: NftItem) -> tuple[int, int] | None:
    return (item.price, item.spec.token_id) if item.price else None


def _unlisted_key(item: NftItem) -> int | None:
    return None if item.price else item.spec.token_id


def _listed_key(item: NftItem) -> int | None:
    return item.spec.token_id if item.price else None


def _token_key(item: NftItem) -> int | None:
    return item.spec.token_id


def _recent_key(item: NftItem) -> tuple[int, int] | None:
    return (-item.activity_us, item.spec.token_id)


def _token_of_pair(key: tuple[int, int]) -> int:
    return key[1]


def _token_of_id(key: int) -> int:
    return key


class _Segment(NamedTuple):
    """One sorted index read in one direction: a sort order is one or two of these."""

    ordered: _Sorted[Any]
    reverse: bool
    key: Callable[[NftItem], Any]  # the item's key in the index; None when not in it
    token: Callable[[Any], int]  # a key's token id
    arity: int  # integers in a key


class _Collection:
    def __init__(self, collection: Collection, created_us: int) -> None:
        self.collection = collection
        self.created_us = created_us
        self.items: dict[int, NftItem] = {}
        self.traits: dict[str, dict[str, set[int]]] = {}  # type -> value -> token ids
        self.holders: dict[int, int] = {}  # account -> units held in the collection
        self.volume = 0
        self.sales = 0
        self.day: deque[tuple[int, int]] = deque()  # (time, total) of the last 24 h's sales
        self.volume_24h = 0
        self.by_token: _Sorted[int] = _Sorted()
        self.by_price: _Sorted[tuple[int, int]] = _Sorted()
        self.by_recent: _Sorted[tuple[int, int]] = _Sorted()
        self.listed: _Sorted[int] = _Sorted()
        self.unlisted: _Sorted[int] = _Sorted()

    def segments(self, sort: ItemSort, listed_only: bool) -> list[_Segment]:
        by_price = _Segment(self.by_price, sort is ItemSort.PRICE_DESC, _price_key,
                            _token_of_pair, 2)  # fmt: skip
        unlisted = _Segment(self.unlisted, False, _unlisted_key, _token_of_id, 1)
        match sort:
            case ItemSort.PRICE_ASC | ItemSort.PRICE_DESC:
                return [by_price] if listed_only else [by_price, unlisted]
            case ItemSort.TOKEN_ID:
                if listed_only:
                    return [_Segment(self.listed, False, _listed_key, _token_of_id, 1)]
                return [_Segment(self.by_token, False, _token_key, _token_of_id, 1)]
            case ItemSort.RECENT:
                return [_Segment(self.by_recent, False, _recent_key, _token_of_pair, 2)]

    def add_item(self, item: NftItem) -> None:
        token_id = item.spec.token_id
        self.items[token_id] = item
        self.by_token.add(token_id)
        self.unlisted.add(token_id)
        self.by_recent.add((-item.activity_us, token_id))
        for trait in item.spec.attributes:
            self.traits.setdefault(trait.trait_type, {}).setdefault(trait.value, set()).add(
                token_id
            )

    def reprice(self, item: NftItem) -> None:
        """The item's price is its cheapest open listing's: move it in the price indexes."""
        token_id = item.spec.token_id
        cheapest = item.cheapest()
        price = 0 if cheapest is None else cheapest.terms.price
        if price == item.price:
            return
        if item.price:
            self.by_price.discard((item.price, token_id))
        else:
            self.unlisted.discard(token_id)
            self.listed.add(token_id)
        if price:
            self.by_price.add((price, token_id))
        else:
            self.listed.discard(token_id)
            self.unlisted.add(token_id)
        item.price = price

    def touched(self, item: NftItem, time_us: int) -> None:
        """The item was listed or sold at `time_us`: it moves up the recent order."""
        if time_us <= item.activity_us:
            return
        token_id = item.spec.token_id
        self.by_recent.discard((-item.activity_us, token_id))
        item.activity_us = time_us
        self.by_recent.add((-time_us, token_id))

    def hold(self, account: int, units: int) -> None:
        left = self.holders.get(account, 0) + units
        if left:
            self.holders[account] = left
        else:
            del self.holders[account]

    def sold(self, time_us: int, total: int) -> None:
        self.volume += total
        self.sales += 1
        self.day.append((time_us, total))
        self.volume_24h += total

    def prune(self, now_us: int) -> None:
        day = self.day
        while day and day[0][0] <= now_us - DAY_US:
            self.volume_24h -= day.popleft()[1]

    def allowed(self, traits: Sequence[Trait]) -> set[int]:
        """The token ids with every asked trait type at one of its asked values."""
        wanted: dict[str, list[str]] = {}
        for trait in traits:
            wanted.setdefault(trait.trait_type, []).append(trait.value)
        sets: list[set[int]] = []
        for trait_type, values in wanted.items():
            by_value = self.traits.get(trait_type, {})
            found = [by_value[value] for value in values if value in by_value]
            sets.append(set().union(*found) if len(found) != 1 else found[0])
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:]) if sets else set()


# -- the view ---------------------------------------------------------------------------------


class NftView:
    def __init__(self) -> None:
        self.fee_bps = DEFAULT_FEE_BPS
        self.seeded_seq = 0  # the engine's seq the view started from
        self._collections: dict[str, _Collection] = {}
        self._listings: dict[int, NftListing] = {}
        self._offers: dict[int, NftOffer] = {}
        self._auctions: dict[int, NftAuction] = {}
        self._drops: dict[int, NftDrop] = {}
        self._ended_drops: dict[int, NftDrop] = {}  # the latest, oldest first
        self._contracts: dict[tuple[str, str], str] = {}  # (collection, network) -> address
        # Offers by what they ask for: one item, any item of a collection, a trait.
        self._item_offers: dict[tuple[str, int], set[int]] = {}
        self._collection_offers: dict[str, set[int]] = {}
        self._trait_offers: dict[tuple[str, Trait], set[int]] = {}
        # Running auctions by (end, id): all, and per collection.
        self._ending: _Sorted[tuple[int, int]] = _Sorted()
        self._ending_in: dict[str, _Sorted[tuple[int, int]]] = {}
        # (time, what, id) of every listing's and offer's expiry and auction's end.
        self._deadlines: SortedList = SortedList()
        # Per account: units held of each item (free, listed, auctioned), and its open
        # listings, offers, auctions and highest bids.
        self._held: dict[int, dict[tuple[str, int], int]] = {}
        self._account_listings: dict[int, set[int]] = {}
        self._account_offers: dict[int, set[int]] = {}
        self._account_auctions: dict[int, set[int]] = {}
        self._account_bids: dict[int, set[int]] = {}
        self._handlers: dict[type, Callable[[Any], None]] = {
            NftCollectionCreated: self._created,
            NftCollectionVerified: self._verified,
            NftFeeSet: self._fee_set,
            NftMinted: self._minted,
            NftTransferred: self._transferred,
            NftListed: self._listed,
            NftListingEnded: self._listing_ended,
            NftOfferMade: self._offer_made,
            NftOfferEnded: self._offer_ended,
            NftAuctionStarted: self._auction_started,
            NftBidPlaced: self._bid_placed,
            NftAuctionEnded: self._auction_ended,
            NftSold: self._sold,
            NftDropCreated: self._drop_created,
            NftDropEntered: self._drop_entered,
            NftDropEnded: self._drop_ended,
            NftBoxOpened: self._box_opened,
            NftContractSet: self._contract_set,
            NftWithdrawalRequested: self._withdrawal_requested,
            NftWithdrawn: self._withdrawn,
            NftWithdrawalFailed: self._withdrawal_failed,
            NftDeposited: self._deposited,
        }

    # -- start ------------------------------------------------------------------------------

    def seed(self, seed: NftSeed, last_seq: int = 0) -> None:
        """The marketplace as the engine had it (`Engine.nft_state()`) after command
        `last_seq` (what `prime` adds the history up to)."""
        self.seeded_seq = last_seq
        self.fee_bps = seed.fee_bps
        for collection in seed.collections:
            self._collections[collection.code] = _Collection(collection, 0)
        for code, spec, owners in seed.items:
            self._collections[code].add_item(NftItem(code, spec, dict(owners)))
        for listing_id, account, lt, currency, remaining in seed.listings:
            self._open_listing(NftListing(listing_id, account, lt, currency, remaining))
        for offer_id, account, ot, currency, remaining in seed.offers:
            self._open_offer(NftOffer(offer_id, account, ot, currency, remaining))
        for auction_id, account, at, currency, ends_us, bidder, bid in seed.auctions:
            self._open_auction(NftAuction(auction_id, account, at, currency, ends_us, bidder, bid))
        for drop_id, account, dt, currency, left, entries, _ in seed.drops:
            self._open_drop(NftDrop(drop_id, account, dt, currency, list(left), list(entries)))
        self._contracts = {(c, n): a for c, n, a in seed.contracts}
        for code, token_id, units in seed.outside:
            self._collections[code].items[token_id].on_chain = units
        # Who holds what: free units and those set aside in listings, auctions and drops.
        for state in self._collections.values():
            for item in state.items.values():
                for account, units in item.holders().items():
                    self._hold(state, item, account, units)

    def prime(self, past: NftPast) -> None:
        """Add what the SQL history knows and the engine does not (see the module): called
        once, with the history up to the seq the view was seeded at."""
        for code, created_us in past.created.items():
            state = self._collections.get(code)
            if state is not None and not state.created_us:
                state.created_us = created_us
        for code, (volume, sales) in past.volumes.items():
            state = self._collections.get(code)
            if state is not None:
                state.volume += volume
                state.sales += sales
        for code, time_us, total in sorted(past.recent_sales, key=lambda sale: sale[1]):
            state = self._collections.get(code)
            if state is not None:
                _insert_sale(state.day, time_us, total)
                state.volume_24h += total
        for code, token_id, price, time_us in past.last_sales:
            item = self.item(code, token_id)
            if item is not None and time_us > item.last_sale_us:
                item.last_price, item.last_sale_us = price, time_us
        for code, token_id, time_us in past.activity:
            item = self.item(code, token_id)
            if item is not None:
                self._collections[code].touched(item, time_us)
        for listing_id, listed_us in past.listed.items():
            listing = self._listings.get(listing_id)
            if listing is not None and not listing.listed_us:
                listing.listed_us = listed_us
        for offer_id, made_us in past.offers_made.items():
            offer = self._offers.get(offer_id)
            if offer is not None and not offer.made_us:
                offer.made_us = made_us
        for auction_id, (started_us, bids) in past.auctions.items():
            auction = self._auctions.get(auction_id)
            if auction is not None:
                auction.started_us = auction.started_us or started_us
                auction.bids += bids

    def apply(self, events: Iterable[object]) -> None:
        """Take one command's events (only the NFT marketplace's matter here)."""
        handlers = self._handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    # -- queries: collections ----------------------------------------------------------------

    def collection(self, code: str) -> Collection | None:
        state = self._collections.get(code)
        return None if state is None else state.collection

    def collections(self) -> list[Collection]:
        """Every collection, by code."""
        return [self._collections[code].collection for code in sorted(self._collections)]

    def created_us(self, code: str) -> int:
        """When the collection was created (0: unknown, before this gateway's history)."""
        return self._collections[code].created_us

    def stats(self, code: str, now_us: int) -> CollectionStats:
        state = self._collections[code]
        state.prune(now_us)
        floor = state.by_price.first()
        return CollectionStats(
            len(state.items),
            len(state.holders),
            len(state.by_price),
            0 if floor is None else floor[0],
            state.volume,
            state.volume_24h,
            state.sales,
        )

    def trait_counts(self, code: str) -> dict[str, dict[str, int]]:
        """Trait type -> value -> how many items have it, sorted by type and value."""
        traits = self._collections[code].traits
        return {
            trait_type: {value: len(traits[trait_type][value]) for value in sorted(values)}
            for trait_type, values in sorted(traits.items())
        }

    def find_trait(self, code: str, text: str) -> Trait | None:
        """The trait "Type:Value" names in the collection (a type may hold a colon too: the
        split the collection has is taken), or None when it has none such."""
        traits = self._collections[code].traits
        at = text.find(":")
        while at >= 0:
            trait_type, value = text[:at], text[at + 1 :]
            if value in traits.get(trait_type, {}):
                return Trait(trait_type, value)
            at = text.find(":", at + 1)
        return None

    # -- queries: items ---------------------------------------------------------------------

    def item(self, code: str, token_id: int) -> NftItem | None:
        state = self._collections.get(code)
        return None if state is None else state.items.get(token_id)

    def items_page(
        self,
        code: str,
        *,
        traits: Sequence[Trait] = (),
        listed_only: bool = False,
        sort: ItemSort = ItemSort.PRICE_ASC,
        cursor: str | None = None,
        limit: int = MAX_PAGE,
    ) -> ItemsPage:
        """A page of the collection's items in `sort` order, after `cursor` (a page's
        `cursor`; raises `BadCursor` for one this order did not make): those with every
        asked trait type at one of its asked values (several values of one type: any of
        them), and with `listed_only` those with an open listing."""
        state = self._collections[code]
        segments = state.segments(sort, listed_only)
        start, after = (0, None) if cursor is None else _parse_cursor(cursor, sort, segments)
        allowed = state.allowed(traits) if traits else None
        if listed_only and sort is ItemSort.RECENT:  # no index of its own: a filter
            listed = set(state.listed)
            allowed = listed if allowed is None else allowed & listed
        limit = max(1, min(MAX_PAGE, limit))
        found: list[NftItem] = []
        items = state.items
        for place in range(start, len(segments)):
            segment = segments[place]
            keys = _keys(segment, items, allowed, after if place == start else None)
            for key in keys:
                token_id = segment.token(key)
                if allowed is not None and token_id not in allowed:
                    continue
                found.append(items[token_id])
                if len(found) == limit:
                    return ItemsPage(found, _cursor(sort, place, key))
        return ItemsPage(found, None)

    def holding(self, account: int) -> list[tuple[NftItem, int]]:
        """The account's items with the units it holds of each (free, listed or in its
        auctions), by collection and token id."""
        held = self._held.get(account, {})
        return [
            (self._collections[code].items[token_id], held[(code, token_id)])
            for code, token_id in sorted(held)
        ]

    # -- queries: listings, offers, auctions ------------------------------------------------

    def listing(self, listing_id: int) -> NftListing | None:
        return self._listings.get(listing_id)

    def offer(self, offer_id: int) -> NftOffer | None:
        return self._offers.get(offer_id)

    def auction(self, auction_id: int) -> NftAuction | None:
        return self._auctions.get(auction_id)

    def drop(self, drop_id: int) -> NftDrop | None:
        """An open primary sale, or one of the latest ended."""
        return self._drops.get(drop_id) or self._ended_drops.get(drop_id)

    def drops(self, collection: str | None = None) -> list[NftDrop]:
        """Open primary sales (of one collection), by id."""
        return [
            drop
            for _, drop in sorted(self._drops.items())
            if collection is None or drop.terms.collection == collection
        ]

    def contracts(self, collection: str) -> dict[str, str]:
        """The collection's contract address per network (where its items can be withdrawn)."""
        return {n: a for (c, n), a in sorted(self._contracts.items()) if c == collection}

    def ended_drops(self, collection: str | None = None) -> list[NftDrop]:
        """The latest ended primary sales (of one collection), the newest first."""
        return [
            drop
            for _, drop in sorted(self._ended_drops.items(), reverse=True)
            if collection is None or drop.terms.collection == collection
        ]

    def reveals_due(self, now_us: int) -> list[NftDrop]:
        """Draws and box sales whose window closed and whose seed is not revealed yet."""
        return [
            drop
            for _, drop in sorted(self._drops.items())
            if drop.terms.kind is not DropKind.FIXED and now_us >= drop.terms.ends_us
        ]

    def offers_for(self, item: NftItem) -> list[NftOffer]:
        """Every open offer the item's holders may accept: on the item, on any item of its
        collection, or on a trait it has; the highest price first (the oldest among
        equals)."""
        code = item.collection
        ids = set(self._item_offers.get((code, item.spec.token_id), ()))
        ids.update(self._collection_offers.get(code, ()))
        for trait in item.spec.attributes:
            ids.update(self._trait_offers.get((code, trait), ()))
        offers = [self._offers[offer_id] for offer_id in ids]
        offers.sort(key=lambda o: (-o.terms.price, o.offer_id))
        return offers

    def collection_offers(self, code: str) -> list[NftOffer]:
        """Open offers on any item of the collection or on a trait, highest price first."""
        ids = set(self._collection_offers.get(code, ()))
        for (offer_code, _), trait_ids in self._trait_offers.items():
            if offer_code == code:
                ids.update(trait_ids)
        offers = [self._offers[offer_id] for offer_id in ids]
        offers.sort(key=lambda o: (-o.terms.price, o.offer_id))
        return offers

    def auctions(
        self, collection: str | None = None, offset: int = 0, limit: int = MAX_PAGE
    ) -> list[NftAuction]:
        """Running auctions (of one collection), ending soonest first."""
        index = self._ending if collection is None else self._ending_in.get(collection)
        if index is None:
            return []
        found: list[NftAuction] = []
        for position, (_, auction_id) in enumerate(index):
            if position >= offset:
                found.append(self._auctions[auction_id])
                if len(found) >= limit:
                    break
        return found

    def account_listings(self, account: int) -> list[NftListing]:
        return self._by_id(self._listings, self._account_listings.get(account, ()))

    def account_offers(self, account: int) -> list[NftOffer]:
        return self._by_id(self._offers, self._account_offers.get(account, ()))

    def account_auctions(self, account: int) -> list[NftAuction]:
        """The account's running auctions (as seller)."""
        return self._by_id(self._auctions, self._account_auctions.get(account, ()))

    def account_bids(self, account: int) -> list[NftAuction]:
        """The running auctions whose highest bid is the account's."""
        return self._by_id(self._auctions, self._account_bids.get(account, ()))

    def next_deadline(self) -> int:
        """The sequencer time (µs) at which a listing or offer next expires, an auction
        ends or a primary sale falls due (`SettleNfts` settles them); 0 when nothing
        waits."""
        if not self._deadlines:
            return 0
        first: tuple[int, int, int] = self._deadlines[0]
        return first[0]

    # -- the events -------------------------------------------------------------------------
    # A gateway over the command port sees only its own commands' events (#20): an event
    # about something this view never saw is passed over rather than fail the batch.

    def _created(self, e: NftCollectionCreated) -> None:
        self._collections[e.collection.code] = _Collection(e.collection, e.time)

    def _verified(self, e: NftCollectionVerified) -> None:
        state = self._collections.get(e.collection)
        if state is not None:
            state.collection = msgspec.structs.replace(state.collection, verified=e.verified)

    def _fee_set(self, e: NftFeeSet) -> None:
        self.fee_bps = e.fee_bps

    def _minted(self, e: NftMinted) -> None:
        if e.collection in self._collections:
            for spec in e.items:
                self._add_item(e.collection, spec, {e.to: spec.supply}, e.time)

    def _transferred(self, e: NftTransferred) -> None:
        item = self.item(e.collection, e.token_id)
        if item is not None:
            _take(item.owners, e.source, e.quantity)
            _give(item.owners, e.target, e.quantity)
            self._moved(item, e.source, e.target, e.quantity)

    def _contract_set(self, e: NftContractSet) -> None:
        self._contracts[(e.collection, e.network)] = e.address

    def _withdrawal_requested(self, e: NftWithdrawalRequested) -> None:
        item = self.item(e.collection, e.token_id)
        if item is not None:
            _take(item.owners, e.account, e.quantity)
            self._hold(self._collections[e.collection], item, e.account, -e.quantity)

    def _withdrawn(self, e: NftWithdrawn) -> None:
        item = self.item(e.collection, e.token_id)
        if item is not None:
            item.on_chain += e.quantity

    def _withdrawal_failed(self, e: NftWithdrawalFailed) -> None:
        item = self.item(e.collection, e.token_id)
        if item is not None:
            _give(item.owners, e.account, e.quantity)
            self._hold(self._collections[e.collection], item, e.account, e.quantity)

    def _deposited(self, e: NftDeposited) -> None:
        item = self.item(e.collection, e.token_id)
        if item is not None:
            item.on_chain -= e.quantity
            _give(item.owners, e.account, e.quantity)
            self._hold(self._collections[e.collection], item, e.account, e.quantity)

    def _listed(self, e: NftListed) -> None:
        t = e.terms
        item = self.item(t.collection, t.token_id)
        if item is not None:
            _take(item.owners, e.account, t.quantity)
            self._open_listing(NftListing(e.listing_id, e.account, t, e.currency, t.quantity,
                                          e.time))  # fmt: skip
            self._collections[t.collection].touched(item, e.time)

    def _listing_ended(self, e: NftListingEnded) -> None:
        listing = self._listings.pop(e.listing_id, None)
        if listing is None:
            return
        t = listing.terms
        state = self._collections[t.collection]
        item = state.items[t.token_id]
        del item.listings[e.listing_id]
        state.reprice(item)
        if e.returned:
            _give(item.owners, e.account, e.returned)
        _unlink(self._account_listings, e.account, e.listing_id)
        if t.expires_us:
            self._deadlines.discard((t.expires_us, LISTING, e.listing_id))

    def _offer_made(self, e: NftOfferMade) -> None:
        self._open_offer(NftOffer(e.offer_id, e.account, e.terms, e.currency,
                                  e.terms.quantity, e.time))  # fmt: skip

    def _offer_ended(self, e: NftOfferEnded) -> None:
        offer = self._offers.pop(e.offer_id, None)
        if offer is None:
            return
        t = offer.terms
        if t.token_id is not None:
            _unlink(self._item_offers, (t.collection, t.token_id), e.offer_id)
        elif t.trait is not None:
            _unlink(self._trait_offers, (t.collection, t.trait), e.offer_id)
        else:
            _unlink(self._collection_offers, t.collection, e.offer_id)
        _unlink(self._account_offers, e.account, e.offer_id)
        if t.expires_us:
            self._deadlines.discard((t.expires_us, OFFER, e.offer_id))

    def _auction_started(self, e: NftAuctionStarted) -> None:
        t = e.terms
        item = self.item(t.collection, t.token_id)
        if item is not None:
            _take(item.owners, e.account, t.quantity)
            self._open_auction(NftAuction(e.auction_id, e.account, t, e.currency, t.ends_us,
                                          started_us=e.time))  # fmt: skip

    def _bid_placed(self, e: NftBidPlaced) -> None:
        auction = self._auctions.get(e.auction_id)
        if auction is None:
            return
        if auction.bidder:
            _unlink(self._account_bids, auction.bidder, e.auction_id)
        auction.bidder, auction.bid = e.account, e.price
        auction.bids += 1
        self._account_bids.setdefault(e.account, set()).add(e.auction_id)
        if e.ends_us != auction.ends_us:
            self._unschedule(auction)
            auction.ends_us = e.ends_us
            self._schedule(auction)

    def _auction_ended(self, e: NftAuctionEnded) -> None:
        auction = self._auctions.pop(e.auction_id, None)
        if auction is None:
            return
        t = auction.terms
        item = self._collections[t.collection].items[t.token_id]
        del item.auctions[e.auction_id]
        if e.reason is not NftEndReason.SOLD:
            _give(item.owners, auction.account, t.quantity)
        if auction.bidder:
            _unlink(self._account_bids, auction.bidder, e.auction_id)
        _unlink(self._account_auctions, auction.account, e.auction_id)
        self._unschedule(auction)

    def _sold(self, e: NftSold) -> None:
        item = self.item(e.collection, e.token_id)
        if item is None:
            return
        if e.kind is NftSaleKind.LISTING:
            listing = self._listings.get(e.source_id)
            if listing is not None:
                listing.remaining -= e.quantity
        elif e.kind is NftSaleKind.OFFER:
            _take(item.owners, e.seller, e.quantity)
            offer = self._offers.get(e.source_id)
            if offer is not None:
                offer.remaining -= e.quantity
        elif e.kind is not NftSaleKind.AUCTION:  # a primary sale's lot
            drop = self._drops.get(e.source_id)
            if drop is not None:
                drop.sold(e.token_id, e.quantity)
                if e.kind is NftSaleKind.DRAW:
                    drop.won[e.buyer] = drop.won.get(e.buyer, 0) + e.quantity
        # An auction's units left with its end (NftAuctionEnded, just before).
        _give(item.owners, e.buyer, e.quantity)
        self._moved(item, e.seller, e.buyer, e.quantity)
        state = self._collections[e.collection]
        state.touched(item, e.time)
        if not e.wash:
            state.sold(e.time, e.total)
            item.last_price, item.last_sale_us = e.price, e.time

    def _drop_created(self, e: NftDropCreated) -> None:
        state = self._collections.get(e.terms.collection)
        if state is None or any(token_id not in state.items for token_id, _ in e.terms.lots):
            return
        for token_id, units in e.terms.lots:
            _take(state.items[token_id].owners, e.account, units)
        left = [units for _, units in e.terms.lots]
        self._open_drop(NftDrop(e.drop_id, e.account, e.terms, e.currency, left, [], e.time))

    def _drop_entered(self, e: NftDropEntered) -> None:
        drop = self._drops.get(e.drop_id)
        if drop is None:
            return
        self._deadlines.discard((drop.due_us(), DROP, e.drop_id))
        drop.enter(e.account, e.quantity)
        self._deadlines.add((drop.due_us(), DROP, e.drop_id))

    def _box_opened(self, e: NftBoxOpened) -> None:
        drop = self._drops.get(e.drop_id)
        if drop is not None:
            drop.boxes[e.serial] = (e.account, e.token_id)

    def _drop_ended(self, e: NftDropEnded) -> None:
        drop = self._drops.pop(e.drop_id, None)
        if drop is None:
            return
        drop.ended, drop.seed, drop.returned = e.reason, e.seed, e.returned
        self._ended_drops[e.drop_id] = drop
        while len(self._ended_drops) > KEPT_ENDED_DROPS:
            del self._ended_drops[next(iter(self._ended_drops))]
        items = self._collections[e.collection].items
        for token_id, _ in drop.terms.lots:
            items[token_id].drops.pop(e.drop_id, None)
        for token_id, units in e.returned:
            _give(items[token_id].owners, e.account, units)
        self._deadlines.discard((drop.due_us(), DROP, e.drop_id))

    # -- keeping the indexes ----------------------------------------------------------------

    def _add_item(self, code: str, spec: ItemSpec, owners: dict[int, int], time_us: int) -> None:
        state = self._collections[code]
        item = NftItem(code, spec, owners, activity_us=time_us)
        state.add_item(item)
        for account, units in owners.items():
            self._hold(state, item, account, units)

    def _moved(self, item: NftItem, source: int, target: int, units: int) -> None:
        state = self._collections[item.collection]
        self._hold(state, item, source, -units)
        self._hold(state, item, target, units)

    def _hold(self, state: _Collection, item: NftItem, account: int, units: int) -> None:
        state.hold(account, units)
        held = self._held.setdefault(account, {})
        key = (item.collection, item.spec.token_id)
        left = held.get(key, 0) + units
        if left:
            held[key] = left
        else:
            del held[key]
            if not held:
                del self._held[account]

    def _open_listing(self, listing: NftListing) -> None:
        t = listing.terms
        state = self._collections[t.collection]
        item = state.items[t.token_id]
        self._listings[listing.listing_id] = listing
        item.listings[listing.listing_id] = listing
        state.reprice(item)
        self._account_listings.setdefault(listing.account, set()).add(listing.listing_id)
        if t.expires_us:
            self._deadlines.add((t.expires_us, LISTING, listing.listing_id))

    def _open_offer(self, offer: NftOffer) -> None:
        t = offer.terms
        self._offers[offer.offer_id] = offer
        if t.token_id is not None:
            self._item_offers.setdefault((t.collection, t.token_id), set()).add(offer.offer_id)
        elif t.trait is not None:
            self._trait_offers.setdefault((t.collection, t.trait), set()).add(offer.offer_id)
        else:
            self._collection_offers.setdefault(t.collection, set()).add(offer.offer_id)
        self._account_offers.setdefault(offer.account, set()).add(offer.offer_id)
        if t.expires_us:
            self._deadlines.add((t.expires_us, OFFER, offer.offer_id))

    def _open_auction(self, auction: NftAuction) -> None:
        t = auction.terms
        self._auctions[auction.auction_id] = auction
        self._collections[t.collection].items[t.token_id].auctions[auction.auction_id] = auction
        self._account_auctions.setdefault(auction.account, set()).add(auction.auction_id)
        if auction.bidder:
            self._account_bids.setdefault(auction.bidder, set()).add(auction.auction_id)
        self._schedule(auction)

    def _open_drop(self, drop: NftDrop) -> None:
        self._drops[drop.drop_id] = drop
        items = self._collections[drop.terms.collection].items
        for token_id, _ in drop.terms.lots:
            items[token_id].drops[drop.drop_id] = drop
        self._deadlines.add((drop.due_us(), DROP, drop.drop_id))

    def _schedule(self, auction: NftAuction) -> None:
        key = (auction.ends_us, auction.auction_id)
        self._ending.add(key)
        self._ending_in.setdefault(auction.terms.collection, _Sorted()).add(key)
        self._deadlines.add((auction.ends_us, AUCTION, auction.auction_id))

    def _unschedule(self, auction: NftAuction) -> None:
        key = (auction.ends_us, auction.auction_id)
        self._ending.discard(key)
        ending = self._ending_in[auction.terms.collection]
        ending.discard(key)
        if not len(ending):
            del self._ending_in[auction.terms.collection]
        self._deadlines.discard((auction.ends_us, AUCTION, auction.auction_id))

    @staticmethod
    def _by_id(records: dict[int, Any], ids: Iterable[int]) -> list[Any]:
        return [records[i] for i in sorted(ids)]


# -- helpers ----------------------------------------------------------------------------------


def _take(owners: dict[int, int], account: int, units: int) -> None:
    left = owners.get(account, 0) - units
    if left:
        owners[account] = left
    else:
        owners.pop(account, None)


def _give(owners: dict[int, int], account: int, units: int) -> None:
    owners[account] = owners.get(account, 0) + units


KeyT = TypeVar("KeyT")


def _unlink(index: dict[KeyT, set[int]], key: KeyT, ident: int) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.discard(ident)
        if not ids:
            del index[key]


def _insert_sale(day: deque[tuple[int, int]], time_us: int, total: int) -> None:
    """A sale from before the view's seed, into the time-ordered window."""
    if not day or day[0][0] >= time_us:
        day.appendleft((time_us, total))
        return
    ordered = list(day)
    bisect.insort(ordered, (time_us, total))
    day.clear()
    day.extend(ordered)


def _keys(
    segment: _Segment, items: dict[int, NftItem], allowed: set[int] | None, after: Any
) -> Iterable[Any]:
    """The segment's keys after `after`, in its order: from the index, or, for a filter
    that leaves few items, those items' keys sorted here."""
    if allowed is None or len(allowed) * SPARSE >= len(segment.ordered):
        return segment.ordered.after(after, segment.reverse)
    keys: list[Any] = sorted(
        k for token_id in allowed if (k := segment.key(items[token_id])) is not None
    )
    if segment.reverse:
        end = len(keys) if after is None else bisect.bisect_left(keys, after)
        before = keys[:end]
        before.reverse()
        return before
    return keys if after is None else keys[bisect.bisect_right(keys, after) :]


_CURSOR_NUMBER: Final = re.compile(r"-?[0-9]{1,20}")


def _cursor(sort: ItemSort, place: int, key: int | tuple[int, int]) -> str:
    numbers = key if isinstance(key, tuple) else (key,)
    return ".".join((sort.value, str(place), *map(str, numbers)))


def _parse_cursor(text: str, sort: ItemSort, segments: list[_Segment]) -> tuple[int, Any]:
    """(segment, key) of a cursor `_cursor` made for this order."""
    if len(text) > MAX_CURSOR_CHARS:
        raise BadCursor("too long")
    parts = text.split(".")
    if len(parts) < 3 or parts[0] != sort.value or parts[1] not in ("0", "1"):
        raise BadCursor("not a cursor of this order")
    place = int(parts[1])
    if place >= len(segments) or len(parts) - 2 != segments[place].arity:
        raise BadCursor("not a cursor of this order")
    if not all(_CURSOR_NUMBER.fullmatch(part) for part in parts[2:]):
        raise BadCursor("not a number")
    numbers = tuple(int(part) for part in parts[2:])
    return place, numbers if len(numbers) == 2 else numbers[0]


__all__ = [
    "AUCTION",
    "DROP",
    "LISTING",
    "OFFER",
    "BadCursor",
    "CollectionStats",
    "ItemSort",
    "ItemsPage",
    "NftAuction",
    "NftDrop",
    "NftItem",
    "NftListing",
    "NftOffer",
    "NftPast",
    "NftView",
]
