"""What is offered on the secondary market: fixed-price listings, offers to buy (one item, any
item of a collection, or any item with a trait) and auctions (English and Dutch), with the
rules each must meet when it is made. Their state as it changes lives in `engine/nft/`.

Prices are per unit of an item in the collection's currency (integer units); an ERC-1155
listing or offer of several units fills in part. Times are the sequencer's, in microseconds
since the epoch; an expiry of 0 is never.
"""

from enum import StrEnum
from typing import Final

import msgspec

from assetport.domain.nft.items import Trait, trait_fits
from assetport.domain.units import MAX_AMOUNT

DEFAULT_MIN_RAISE_BPS: Final = 500  # an English auction's next bid: 5 % above the last
MAX_MIN_RAISE_BPS: Final = 10_000
MINUTE_US: Final = 60_000_000
DAY_US: Final = 24 * 60 * MINUTE_US
MAX_DURATION_US: Final = 90 * DAY_US  # listings, offers and auctions end within 90 days
MIN_AUCTION_US: Final = MINUTE_US
MAX_EXTENSION_US: Final = 60 * MINUTE_US


class AuctionKind(StrEnum):
    ENGLISH = "english"  # rising bids, the highest at the end wins (if it meets the reserve)
    DUTCH = "dutch"  # the price falls over time; the first to take it buys


class NftEndReason(StrEnum):
    """Why a listing, offer or auction ended."""

    SOLD = "sold"  # a listing sold out, an offer filled, an auction sold
    CANCELED = "canceled"  # by its maker
    EXPIRED = "expired"  # its time ran out (an auction: with no bid)
    RESERVE_NOT_MET = "reserve_not_met"  # an auction whose highest bid is under its reserve
    NOT_REVEALED = "not_revealed"  # a draw or box sale whose seed came too late: all refunded


class NftSaleKind(StrEnum):
    LISTING = "listing"
    OFFER = "offer"
    AUCTION = "auction"
    # Primary sales (`drops.py`): the creator sells; no royalty is due.
    DROP = "drop"
    DRAW = "draw"
    BOX = "box"


class ListingTerms(msgspec.Struct, frozen=True, array_like=True):
    collection: str
    token_id: int
    quantity: int
    price: int  # per unit
    expires_us: int = 0


class OfferTerms(msgspec.Struct, frozen=True, array_like=True):
    """An offer to buy: one item (token_id), any item of the collection (token_id None), or
    any item with a trait (token_id None, trait given)."""

    collection: str
    token_id: int | None
    quantity: int
    price: int  # per unit
    expires_us: int = 0
    trait: Trait | None = None


class AuctionTerms(msgspec.Struct, frozen=True, array_like=True):
    """An auction of `quantity` units of one item, sold together.

    English: the first bid is at least `start_price`; each next bid raises the last by
    `min_raise_bps` (at least one unit); the item sells at the end to the highest bid if it
    reaches `reserve_price` (0: no reserve). A bid within the last `extend_within_us` moves the
    end to `extension_us` after it (anti-sniping). A bid at `buy_now_price` or more (0: none)
    buys at once at that price.

    Dutch: the price falls in a straight line from `start_price` at `starts_us` to
    `end_price` at `ends_us`; the first bid buys at the price of that instant.
    """

    collection: str
    token_id: int
    quantity: int
    kind: AuctionKind
    start_price: int
    starts_us: int
    ends_us: int
    end_price: int = 0  # Dutch
    reserve_price: int = 0  # English
    min_raise_bps: int = DEFAULT_MIN_RAISE_BPS
    extend_within_us: int = 0
    extension_us: int = 0
    buy_now_price: int = 0


def _price_fits(price: int, quantity: int) -> bool:
    return price > 0 and quantity > 0 and price * quantity <= MAX_AMOUNT


def _ends_fit(expires_us: int, now_us: int) -> bool:
    return expires_us == 0 or now_us < expires_us <= now_us + MAX_DURATION_US


def listing_problem(t: ListingTerms, now_us: int) -> str | None:
    if not _price_fits(t.price, t.quantity):
        return "a listing has a quantity and a price above zero"
    if not _ends_fit(t.expires_us, now_us):
        return "a listing expires in the future, within 90 days"
    return None


def offer_problem(t: OfferTerms, now_us: int) -> str | None:
    if not _price_fits(t.price, t.quantity):
        return "an offer has a quantity and a price above zero"
    if not _ends_fit(t.expires_us, now_us):
        return "an offer expires in the future, within 90 days"
    if t.trait is not None and (t.token_id is not None or not trait_fits(t.trait)):
        return "a trait offer names a trait (type and value) and no token id"
    return None


def auction_problem(t: AuctionTerms, now_us: int) -> str | None:
    if not _price_fits(t.start_price, t.quantity):
        return "an auction has a quantity and a start price above zero"
    if not now_us <= t.starts_us < t.ends_us <= now_us + MAX_DURATION_US:
        return "an auction starts now or later and ends within 90 days"
    if t.ends_us - t.starts_us < MIN_AUCTION_US:
        return "an auction lasts at least a minute"
    if t.kind is AuctionKind.DUTCH:
        if not 0 < t.end_price < t.start_price:
            return "a Dutch auction's price falls from its start price to an end price above zero"
        if t.reserve_price or t.buy_now_price or t.extend_within_us or t.extension_us:
            return "a Dutch auction has no reserve, buy-now price or extension"
        return None
    if t.end_price:
        return "an English auction has no end price"
    if not 0 < t.min_raise_bps <= MAX_MIN_RAISE_BPS:
        return "the minimum raise is between 1 and 10,000 basis points"
    if not 0 <= t.reserve_price <= MAX_AMOUNT // t.quantity:
        return "the reserve price is within bounds"
    if t.buy_now_price and not (
        max(t.start_price, t.reserve_price) <= t.buy_now_price <= MAX_AMOUNT // t.quantity
    ):
        return "a buy-now price is at least the start price and the reserve"
    if not (
        0 <= t.extend_within_us <= MAX_EXTENSION_US and 0 <= t.extension_us <= MAX_EXTENSION_US
    ):
        return "anti-sniping extends by at most an hour"
    if bool(t.extend_within_us) != bool(t.extension_us):
        return "anti-sniping names both the window and the extension"
    return None


def dutch_price(t: AuctionTerms, now_us: int) -> int:
    """A Dutch auction's price per unit at `now_us`: a pure function of time, falling in a
    straight line, rounded up to whole units (so the seller never gets less than the line),
    the start price before the start and the end price from the end."""
    if now_us <= t.starts_us:
        return t.start_price
    if now_us >= t.ends_us:
        return t.end_price
    fall = t.start_price - t.end_price
    elapsed, duration = now_us - t.starts_us, t.ends_us - t.starts_us
    return t.start_price - fall * elapsed // duration


def next_minimum_bid(t: AuctionTerms, highest: int) -> int:
    """The least an English auction's next bid may be (per unit): the start price first, then
    the highest bid raised by the minimum raise, rounded up, and at least one unit more."""
    if not highest:
        return t.start_price
    raise_by = -(-highest * t.min_raise_bps // 10_000)
    return highest + max(1, raise_by)
