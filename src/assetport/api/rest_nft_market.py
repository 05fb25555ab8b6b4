"""The NFT marketplace in public (issue #18): what anyone may read, without a key.

    GET /api/v1/nft/collections                                  collections with their stats
    GET /api/v1/nft/collections/{code}                           one, with its trait counts
    GET /api/v1/nft/collections/{code}/items                     its items, filtered, by cursor
    GET /api/v1/nft/collections/{code}/items/{tokenId}           an item: owners, listings,
                                                                 offers, auctions, royalty
    GET /api/v1/nft/collections/{code}/items/{tokenId}/metadata  its ERC-721 metadata JSON
    GET /api/v1/nft/collections/{code}/items/{tokenId}/history   provenance and price history
    GET /api/v1/nft/collections/{code}/activity                  the collection's activity
    GET /api/v1/nft/auctions                                     running auctions, ending first
    GET /api/v1/nft/auctions/{auctionId}                         one auction

What stands now is read from the gateway's NFT view (`views/nft.py`), what happened from
the SQL history (`store/nft_history.py`) once it has written what the engine applied.
Amounts are decimal strings in the precision of the collection's currency, prices per unit
of an item; times are milliseconds; accounts are the ledger's account numbers.

Statistics leave out wash trades (a sale between two accounts of one verified person). The
floor is the lowest price per unit of a collection's open listings. Lists of items and of
activity are paged by an opaque `cursor` (the last page's `cursor`); the collections and
auctions by `offset`. An item page takes traits as `trait=Type:Value` (one) or
`traits=["Type:Value", ...]` (a JSON array in one parameter, as Binance's `symbols`: a
repeated parameter is refused everywhere): several values of one type match any of them,
several types all of them.
"""

from decimal import Decimal
from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.api.params import INT64_MAX
from assetport.api.render import ms
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.items import MAX_ATTRIBUTES, MAX_TRAIT_CHARS, Trait, metadata_json
from assetport.domain.nft.trading import AuctionKind
from assetport.edge import bounded_json
from assetport.store.history import History
from assetport.store.nft_history import NftActivityRecord, NftSaleRecord
from assetport.store.projection import NFT_ACTIVITY
from assetport.views.markets import Markets
from assetport.views.nft import (
    BadCursor,
    ItemSort,
    NftAuction,
    NftItem,
    NftListing,
    NftOffer,
    NftView,
)

PREFIX: Final = "/api/v1/nft"
COLLECTION_PATH: Final = f"{PREFIX}/collections/{{code}}"
ITEM_PATH: Final = f"{COLLECTION_PATH}/items/{{tokenId}}"
MAX_LIMIT: Final = 100
DEFAULT_LIMIT: Final = 50
MAX_OFFSET: Final = 100_000
MEDIA: Final = f"{PREFIX}/media/"
# What an item shows of its offers and of its history at once.
ITEM_OFFERS: Final = 50
MAX_TRAITS_TEXT: Final = 8 * 1024
COLLECTION_SORTS: Final = ("volume", "floor", "new")
_ACTIVITY_CURSOR_PARTS: Final = 2
_MAX_ID_DIGITS: Final = 19

_traits_decoder: Final = bounded_json.Decoder(
    msgspec.json.Decoder(list[str]), max_bytes=MAX_TRAITS_TEXT, max_depth=2
)

_LIMIT: Final = ParamDoc("limit", "integer", description=f"1 to {MAX_LIMIT}, {DEFAULT_LIMIT} "
                                                         "by default")  # fmt: skip
_CODE: Final = ParamDoc("code", required=True, description="the collection's code")
_TOKEN: Final = ParamDoc("tokenId", "integer", True, "the item's token id")
_CURSOR: Final = ParamDoc("cursor", description="the previous page's cursor")


# -- rendering --------------------------------------------------------------------------------


def _media(sha256: str) -> str | None:
    return f"{MEDIA}{sha256}" if sha256 else None


def _amount(markets: Markets, currency: str, units: int) -> str:
    return markets.amount(currency, units)


def _collection(c: Collection, view: NftView, markets: Markets, now_us: int) -> dict[str, Any]:
    """A collection with its statistics now."""
    stats = view.stats(c.code, now_us)
    created = view.created_us(c.code)
    money = c.currency
    return {
        "code": c.code,
        "name": c.name,
        "description": c.description,
        "cover": _media(c.cover),
        "standard": c.standard.value.upper(),
        "currency": money,
        "creator": c.creator,
        "verified": c.verified,
        "royaltyBps": c.royalty_bps,
        "royalties": [{"account": share.account, "bps": share.bps} for share in c.royalty],
        "items": stats.items,
        "owners": stats.owners,
        "listed": stats.listed,
        "floor": _amount(markets, money, stats.floor) if stats.floor else None,
        "volume": _amount(markets, money, stats.volume),
        "volume24h": _amount(markets, money, stats.volume_24h),
        "sales": stats.sales,
        "createTime": ms(created) if created else None,
    }


def _attributes(item: NftItem) -> list[dict[str, str]]:
    return [{"trait_type": t.trait_type, "value": t.value} for t in item.spec.attributes]


def item_json(item: NftItem, currency: str, markets: Markets, now_us: int) -> dict[str, Any]:
    """What a page of items shows of each."""
    spec = item.spec
    cheapest = item.cheapest()
    auction = min(item.auctions.values(), key=lambda a: a.ends_us, default=None)
    return {
        "collection": item.collection,
        "tokenId": spec.token_id,
        "name": spec.name,
        "image": _media(spec.image),
        "supply": spec.supply,
        "attributes": _attributes(item),
        "owner": item.owner(),
        "price": _amount(markets, currency, item.price) if item.price else None,
        "listingId": None if cheapest is None else cheapest.listing_id,
        "lastSale": _last_sale(item, currency, markets),
        "auction": None if auction is None else _auction(auction, markets, now_us),
    }


def _last_sale(item: NftItem, currency: str, markets: Markets) -> dict[str, Any] | None:
    if not item.last_price:
        return None
    return {"price": _amount(markets, currency, item.last_price), "time": ms(item.last_sale_us)}


def _trait(trait: Trait | None) -> dict[str, str] | None:
    return None if trait is None else {"trait_type": trait.trait_type, "value": trait.value}


def _listing(listing: NftListing, markets: Markets) -> dict[str, Any]:
    t = listing.terms
    return {
        "listingId": listing.listing_id,
        "seller": listing.account,
        "price": _amount(markets, listing.currency, t.price),
        "currency": listing.currency,
        "quantity": listing.remaining,
        "time": ms(listing.listed_us) if listing.listed_us else None,
        "expireTime": ms(t.expires_us) if t.expires_us else None,
    }


def _offer(offer: NftOffer, markets: Markets) -> dict[str, Any]:
    t = offer.terms
    scope = "ITEM" if t.token_id is not None else "TRAIT" if t.trait is not None else "COLLECTION"
    return {
        "offerId": offer.offer_id,
        "buyer": offer.account,
        "scope": scope,
        "tokenId": t.token_id,
        "trait": _trait(t.trait),
        "price": _amount(markets, offer.currency, t.price),
        "currency": offer.currency,
        "quantity": offer.remaining,
        "time": ms(offer.made_us) if offer.made_us else None,
        "expireTime": ms(t.expires_us) if t.expires_us else None,
    }


def _auction(auction: NftAuction, markets: Markets, now_us: int) -> dict[str, Any]:
    """An auction as it runs: a Dutch auction's price now, an English one's highest bid and
    the least the next bid may be (its reserve is not shown: whether the bid meets it is)."""
    t = auction.terms
    money = auction.currency
    english = t.kind is AuctionKind.ENGLISH
    price_now = auction.price_now(now_us)
    return {
        "auctionId": auction.auction_id,
        "collection": t.collection,
        "tokenId": t.token_id,
        "seller": auction.account,
        "kind": t.kind.value.upper(),
        "status": "UPCOMING" if now_us < t.starts_us else "RUNNING",
        "quantity": t.quantity,
        "currency": money,
        "startPrice": _amount(markets, money, t.start_price),
        "endPrice": None if english else _amount(markets, money, t.end_price),
        "buyNowPrice": _amount(markets, money, t.buy_now_price) if t.buy_now_price else None,
        "minRaiseBps": t.min_raise_bps if english else None,
        "startTime": ms(t.starts_us),
        "endTime": ms(auction.ends_us),
        "highestBid": _amount(markets, money, auction.bid) if auction.bid else None,
        "highestBidder": auction.bidder or None,
        "bids": auction.bids,
        "reserveMet": (auction.bid >= t.reserve_price and auction.bid > 0) if english else None,
        "currentPrice": None if english else _amount(markets, money, price_now),
        "nextMinimumBid": _amount(markets, money, price_now) if english else None,
    }


def _activity_id(record: NftActivityRecord) -> str:
    return f"{record.seq}.{record.line}"


def _activity(record: NftActivityRecord, markets: Markets) -> dict[str, Any]:
    money = record.currency
    price = record.price if money in markets.precision else 0
    trait = record.trait
    return {
        "id": _activity_id(record),
        "kind": record.kind.upper(),
        "time": ms(record.time_us),
        "collection": record.collection,
        "tokenId": record.token_id,
        "quantity": record.quantity,
        "price": _amount(markets, money, price) if price else None,
        "currency": money or None,
        "account": record.account or None,
        "counterparty": record.counterparty,
        "refId": record.ref_id,
        "reason": record.reason.upper() or None,
        "trait": None if trait is None else {"trait_type": trait[0], "value": trait[1]},
    }


def _sale_point(sale: NftSaleRecord, markets: Markets) -> dict[str, Any]:
    """A point of an item's price history."""
    return {
        "saleId": sale.sale_id,
        "time": ms(sale.time_us),
        "kind": sale.kind.upper(),
        "price": _amount(markets, sale.currency, sale.price),
        "quantity": sale.quantity,
        "seller": sale.seller,
        "buyer": sale.buyer,
        "wash": sale.wash,
    }


# -- parameters -------------------------------------------------------------------------------


def _code(call: Call) -> Collection:
    """The collection the path names: one there is, else 404."""
    found = call.gateway.nft.collection(call.params.string("code"))
    if found is None:
        raise errors.NFT_COLLECTION_NOT_FOUND.error()
    return found


def _token(call: Call, collection: Collection) -> NftItem:
    found = call.gateway.nft.item(collection.code, call.params.integer("tokenId"))
    if found is None:
        raise errors.NFT_ITEM_NOT_FOUND.error()
    return found


def _limit(call: Call) -> int:
    limit = call.params.optional_integer("limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.invalid_parameter("limit")
    return limit


def _offset(call: Call) -> int:
    offset = call.params.optional_integer("offset") or 0
    if offset > MAX_OFFSET:
        raise errors.invalid_parameter("offset")
    return offset


def _choice(call: Call, name: str, choices: tuple[str, ...], default: str) -> str:
    value = call.params.optional_string(name)
    if value is None:
        return default
    if value not in choices:
        raise errors.invalid_parameter(name)
    return value


def _listed(call: Call) -> bool:
    return _choice(call, "listed", ("true", "false"), "false") == "true"


def trait_texts(one: str | None, many: str | None) -> list[str]:
    """The traits asked for, each "Type:Value" (type and value not empty): `one` (the
    `trait` parameter) or `many` (`traits`, a JSON array of such strings, at most 32).
    Raises -1128 for both, -1130 for anything else that is not that."""
    if one is not None and many is not None:
        raise errors.BAD_PARAM_COMBO.error()
    if one is not None:
        texts, name = [one], "trait"
    elif many is not None:
        name = "traits"
        try:
            texts = _traits_decoder.decode(many)
        except msgspec.DecodeError:
            raise errors.invalid_parameter(name) from None
        if not 0 < len(texts) <= MAX_ATTRIBUTES:
            raise errors.invalid_parameter(name)
    else:
        return []
    for text in texts:
        trait_type, colon, value = text.partition(":")
        if not colon or not trait_type or not value or len(text) > 2 * MAX_TRAIT_CHARS + 1:
            raise errors.invalid_parameter(name)
    return texts


def activity_cursor(text: str | None) -> tuple[int, int] | None:
    """An activity row's id, "seq.line" (what a page's `cursor` is); -1130 otherwise."""
    if text is None:
        return None
    parts = text.split(".")
    if len(parts) != _ACTIVITY_CURSOR_PARTS or not all(
        part.isascii() and part.isdigit() and len(part) <= _MAX_ID_DIGITS for part in parts
    ):
        raise errors.invalid_parameter("cursor")
    seq, line = int(parts[0]), int(parts[1])
    if seq > INT64_MAX or line > INT64_MAX:
        raise errors.invalid_parameter("cursor")
    return seq, line


def _traits(call: Call, code: str) -> list[Trait]:
    params = call.params
    texts = trait_texts(params.optional_string("trait"), params.optional_string("traits"))
    view = call.gateway.nft
    traits = []
    for text in texts:
        # A type with a colon of its own: the split the collection has (none: no item).
        trait_type, _, value = text.partition(":")
        traits.append(view.find_trait(code, text) or Trait(trait_type, value))
    return traits


def _activity_cursor(call: Call) -> tuple[int, int] | None:
    return activity_cursor(call.params.optional_string("cursor"))


# -- the endpoints ----------------------------------------------------------------------------


async def collections(call: Call) -> Any:
    """GET /api/v1/nft/collections: the collections with their statistics, by total volume
    (the highest first), floor (the highest first; none listed last) or newest."""
    sort = _choice(call, "sort", COLLECTION_SORTS, "volume")
    limit, offset = _limit(call), _offset(call)
    call.params.ensure_all_read()
    gateway = call.gateway
    view, markets = gateway.nft, gateway.markets
    now_us = call.now_ms * 1000
    shown = [_collection(c, view, markets, now_us) for c in view.collections()]
    if sort == "new":
        shown.sort(key=lambda c: (-view.created_us(c["code"]), c["code"]))
    else:
        # Across currencies by their decimal value: a floor of 1.5 USDT above one of 1 KRW.
        key = "volume" if sort == "volume" else "floor"
        shown.sort(key=lambda c: (c[key] is None, -Decimal(c[key] or 0), c["code"]))
    return {"total": len(shown), "collections": shown[offset : offset + limit]}


async def collection(call: Call) -> Any:
    """GET /api/v1/nft/collections/{code}: a collection, its statistics and trait counts
    (type -> value -> items), and its best collection or trait offer."""
    found = _code(call)
    call.params.ensure_all_read()
    gateway = call.gateway
    view, markets = gateway.nft, gateway.markets
    shown = _collection(found, view, markets, call.now_ms * 1000)
    offers = view.collection_offers(found.code)
    shown["traits"] = view.trait_counts(found.code)
    shown["topOffer"] = _offer(offers[0], markets) if offers else None
    shown["feeBps"] = view.fee_bps
    return shown


async def items(call: Call) -> Any:
    """GET /api/v1/nft/collections/{code}/items: a page of the collection's items, with
    the traits asked, only the listed ones (`listed=true`), by price (the listed by their
    cheapest listing, then the rest by token id), token id or recent activity; the next page
    after `cursor`."""
    found = _code(call)
    traits = _traits(call, found.code)
    listed = _listed(call)
    sort = ItemSort(_choice(call, "sort", tuple(ItemSort), ItemSort.PRICE_ASC.value))
    limit = _limit(call)
    cursor = call.params.optional_string("cursor")
    call.params.ensure_all_read()
    gateway = call.gateway
    try:
        page = gateway.nft.items_page(found.code, traits=traits, listed_only=listed, sort=sort,
                                      cursor=cursor, limit=limit)  # fmt: skip
    except BadCursor:
        raise errors.invalid_parameter("cursor") from None
    now_us = call.now_ms * 1000
    money = found.currency
    return {
        "items": [item_json(item, money, gateway.markets, now_us) for item in page.items],
        "cursor": page.cursor,
    }


async def item(call: Call) -> Any:
    """GET .../items/{tokenId}: an item, its metadata, who holds it (free, listed, in an
    auction), its open listings (cheapest first), the offers its holders may accept (the
    highest first: on the item, on its collection, on a trait it has), its running auctions
    and the royalty every resale pays."""
    found = _code(call)
    shown_item = _token(call, found)
    call.params.ensure_all_read()
    gateway = call.gateway
    view, markets = gateway.nft, gateway.markets
    now_us = call.now_ms * 1000
    money = found.currency
    shown = item_json(shown_item, money, markets, now_us)
    del shown["auction"]
    spec = shown_item.spec
    held = shown_item.holders()
    listings = sorted(shown_item.listings.values(), key=lambda x: (x.terms.price, x.listing_id))
    auctions = sorted(shown_item.auctions.values(), key=lambda a: (a.ends_us, a.auction_id))
    return {
        **shown,
        "description": spec.description,
        "standard": found.standard.value.upper(),
        "currency": money,
        "owners": [
            {"account": account, "units": units, "free": shown_item.owners.get(account, 0)}
            for account, units in sorted(held.items(), key=lambda h: (-h[1], h[0]))
        ],
        "listings": [_listing(x, markets) for x in listings],
        "offers": [_offer(o, markets) for o in view.offers_for(shown_item)[:ITEM_OFFERS]],
        "auctions": [_auction(a, markets, now_us) for a in auctions],
        "royalty": {
            "bps": found.royalty_bps,
            "receivers": [{"account": s.account, "bps": s.bps} for s in found.royalty],
        },
        "feeBps": view.fee_bps,
        "metadataUrl": f"{PREFIX}/collections/{found.code}/items/{spec.token_id}/metadata",
    }


async def item_metadata(call: Call) -> Any:
    """GET .../items/{tokenId}/metadata: the ERC-721 metadata JSON (name, description,
    image, attributes), where the item's tokenURI on chain points."""
    found = _code(call)
    shown_item = _token(call, found)
    call.params.ensure_all_read()
    return metadata_json(shown_item.spec)


async def item_history(call: Call) -> Any:
    """GET .../items/{tokenId}/history: the item's provenance, newest first, paged by
    `cursor`; and its last sales, oldest first (a chart's), wash trades marked."""
    found = _code(call)
    shown_item = _token(call, found)
    limit = _limit(call)
    before = _activity_cursor(call)
    call.params.ensure_all_read()
    code, token_id = found.code, shown_item.spec.token_id

    def read(history: History) -> tuple[list[NftActivityRecord], list[NftSaleRecord]]:
        nft = history.nft
        return nft.provenance(code, token_id, limit, before), nft.price_history(code, token_id)

    provenance, sales = await call.gateway.from_history(read)
    markets = call.gateway.markets
    return {
        "provenance": [_activity(record, markets) for record in provenance],
        "cursor": _activity_id(provenance[-1]) if len(provenance) == limit else None,
        "priceHistory": [_sale_point(sale, markets) for sale in sales],
    }


async def activity(call: Call) -> Any:
    """GET /api/v1/nft/collections/{code}/activity: what happened in the collection, newest
    first (only sales with `kind=SOLD`...), paged by `cursor`."""
    found = _code(call)
    kind = call.params.optional_string("kind")
    if kind is not None and kind.lower() not in _ACTIVITY_KINDS:
        raise errors.invalid_parameter("kind")
    limit = _limit(call)
    before = _activity_cursor(call)
    call.params.ensure_all_read()
    code = found.code
    kinds = None if kind is None else {kind.lower()}
    records = await call.gateway.from_history(
        lambda history: history.nft.activity(code, limit, before, kinds)
    )
    markets = call.gateway.markets
    return {
        "activity": [_activity(record, markets) for record in records],
        "cursor": _activity_id(records[-1]) if len(records) == limit else None,
    }


async def auctions(call: Call) -> Any:
    """GET /api/v1/nft/auctions: running auctions (of `collection`), ending soonest first."""
    code = call.params.optional_string("collection")
    if code is not None and call.gateway.nft.collection(code) is None:
        raise errors.NFT_COLLECTION_NOT_FOUND.error()
    limit, offset = _limit(call), _offset(call)
    call.params.ensure_all_read()
    gateway = call.gateway
    now_us = call.now_ms * 1000
    found = gateway.nft.auctions(code, offset, limit)
    return [_auction(a, gateway.markets, now_us) for a in found]


async def auction(call: Call) -> Any:
    """GET /api/v1/nft/auctions/{auctionId}: one running auction, with its item's name and
    image."""
    auction_id = call.params.integer("auctionId")
    call.params.ensure_all_read()
    gateway = call.gateway
    found = gateway.nft.auction(auction_id)
    if found is None:
        raise errors.NFT_AUCTION_NOT_FOUND.error()
    shown = _auction(found, gateway.markets, call.now_ms * 1000)
    shown_item = gateway.nft.item(found.terms.collection, found.terms.token_id)
    if shown_item is not None:
        shown["name"] = shown_item.spec.name
        shown["image"] = _media(shown_item.spec.image)
    return shown


_ACTIVITY_KINDS: Final = frozenset(NFT_ACTIVITY)

_SORT_DOC: Final = "price_asc (by default), price_desc, token_id or recent"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{PREFIX}/collections", collections, Security.NONE,
             "NFT collections with their floor, volume (24 h and in all), owners and items",
             (ParamDoc("sort", description="volume (by default), floor or new"), _LIMIT,
              ParamDoc("offset", "integer"))),
    Endpoint("GET", COLLECTION_PATH, collection, Security.NONE,
             "An NFT collection: its statistics, trait counts and best offer", (_CODE,)),
    Endpoint("GET", f"{COLLECTION_PATH}/items", items, Security.NONE,
             "A collection's items: by price, token id or recent activity, filtered by traits "
             "and listed ones, paged by cursor",
             (_CODE, ParamDoc("trait", description="Type:Value"),
              ParamDoc("traits", description='a JSON array of "Type:Value"'),
              ParamDoc("listed", description="true: only listed items"),
              ParamDoc("sort", description=_SORT_DOC), _LIMIT, _CURSOR)),
    Endpoint("GET", ITEM_PATH, item, Security.NONE,
             "An NFT item: its holders, listings, offers, auctions and royalty",
             (_CODE, _TOKEN)),
    Endpoint("GET", f"{ITEM_PATH}/metadata", item_metadata, Security.NONE,
             "An NFT item's ERC-721 metadata JSON (its tokenURI)", (_CODE, _TOKEN)),
    Endpoint("GET", f"{ITEM_PATH}/history", item_history, Security.NONE,
             "An NFT item's provenance (newest first) and price history",
             (_CODE, _TOKEN, _LIMIT, _CURSOR)),
    Endpoint("GET", f"{COLLECTION_PATH}/activity", activity, Security.NONE,
             "A collection's activity: mints, listings, offers, bids, sales..., newest first",
             (_CODE, ParamDoc("kind", description="only this kind, e.g. SOLD"), _LIMIT,
              _CURSOR)),
    Endpoint("GET", f"{PREFIX}/auctions", auctions, Security.NONE,
             "Running NFT auctions, ending soonest first",
             (ParamDoc("collection"), _LIMIT, ParamDoc("offset", "integer"))),
    Endpoint("GET", f"{PREFIX}/auctions/{{auctionId}}", auction, Security.NONE,
             "A running NFT auction: its price now or next minimum bid",
             (ParamDoc("auctionId", "integer", True, "the auction's id"),)),
)  # fmt: skip
