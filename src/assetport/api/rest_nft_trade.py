"""The NFT marketplace's signed endpoints, its quote and its operator steps (issue #18).

    POST   /api/v1/nft/collections               TRADE      create a collection (the signer creates)
    POST   /api/v1/nft/collections/{code}/mint   TRADE      mint items (the creator only)
    POST   /api/v1/nft/transfer                  TRADE      give units of an item
    POST   /api/v1/nft/listings                  TRADE      list units at a fixed price
    DELETE /api/v1/nft/listings                  TRADE      cancel a listing
    POST   /api/v1/nft/buy                       TRADE      buy from a listing at its price
    POST   /api/v1/nft/offers                    TRADE      offer on an item, collection or trait
    DELETE /api/v1/nft/offers                    TRADE      cancel an offer
    POST   /api/v1/nft/offers/accept             TRADE      sell to an offer
    POST   /api/v1/nft/auctions                  TRADE      start an English or Dutch auction
    DELETE /api/v1/nft/auctions                  TRADE      cancel an auction nobody bid on
    POST   /api/v1/nft/bids                      TRADE      bid (a Dutch auction: buy)
    GET    /api/v1/nft/quote                     NONE       the split a sale would make now
    GET    /api/v1/nft/my/items                  USER_DATA  the items the account holds
    GET    /api/v1/nft/my/listings|offers|bids|auctions  USER_DATA  its open ones
    GET    /api/v1/nft/my/sales|royalties        USER_DATA  its sales, its royalties (SQL)
    POST   /api/v1/admin/nft/verify              operator   set a collection's verified badge
    POST   /api/v1/admin/nft/fee                 operator   the platform's fee on every sale

Binance has no NFT endpoints: these live under Assetport's `/api/v1`, signed like
`/api/v3/order` (or with the web session's cookie), with Binance's errors. Prices are
decimal strings in the collection currency's precision, per unit of an item; quantities
(units of an ERC-1155 item, 1 for ERC-721) and token ids are whole numbers; times are
milliseconds. A parameter that is a list (`royaltySplits`, a mint's `items`) is a JSON array
in one parameter, as Binance's `symbols` and `batchOrders` are, so that the signature covers
it: sent in the form body it may be as long as a body may (64 KiB).

Before a command is sent its terms are checked here with the domain's own rules
(`domain/nft/`), so that a refusal names the rule that failed (the engine, which checks
them again, only says which kind of thing was wrong). Every sale answers its split: the
total, the platform's fee, each royalty receiver's share and what the seller receives
(`domain/nft/split.py`), the same numbers `GET /api/v1/nft/quote` shows before it.

What stands now (a collection's currency and royalty, a listing's price, an auction's
terms, the fee, the account's items and open listings, offers and bids) is read from the
gateway's NFT view (`views/nft.py`); what happened is in the answers, and later in the SQL
history (`store/nft_history.py`: the account's sales and royalties).

An auction left to start "now" starts a second after the request: the engine takes no start
before the sequencer's time, which is a little later than the gateway's.
"""

import dataclasses
import functools
from typing import Annotated, Any, Final, NamedTuple

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api import nft_requests as req
from assetport.api.errors import RejectContext
from assetport.api.gateway import Gateway
from assetport.api.http import Call, Endpoint, ParamDoc, Security, respond
from assetport.api.params import INT64_MAX, Params
from assetport.api.render import ms
from assetport.api.rest_admin import AdminCall, AdminHandler, admin_route
from assetport.api.rest_nft_media import media_url
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    AcceptNftOffer,
    BidNft,
    BuyNft,
    CancelNftAuction,
    CancelNftListing,
    CancelNftOffer,
    Command,
    CreateCollection,
    ListNft,
    MakeNftOffer,
    MintNfts,
    SetCollectionVerified,
    SetNftFee,
    StartNftAuction,
    TransferNft,
)
from assetport.domain.events import (
    Event,
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftCollectionCreated,
    NftCollectionVerified,
    NftFeeSet,
    NftListed,
    NftListingEnded,
    NftMinted,
    NftOfferEnded,
    NftOfferMade,
    NftSold,
    NftTransferred,
    refusal,
)
from assetport.domain.nft.collections import (
    MAX_ROYALTY_BPS,
    MAX_ROYALTY_RECEIVERS,
    Collection,
    RoyaltyShare,
    Standard,
    collection_problem,
)
from assetport.domain.nft.items import (
    MAX_ATTRIBUTES,
    MAX_MINT_BATCH,
    ItemSpec,
    Trait,
    item_problem,
)
from assetport.domain.nft.split import BPS, Split, sale_split
from assetport.domain.nft.trading import (
    DEFAULT_MIN_RAISE_BPS,
    MINUTE_US,
    AuctionKind,
    AuctionTerms,
    ListingTerms,
    OfferTerms,
    auction_problem,
    dutch_price,
    listing_problem,
    next_minimum_bid,
    offer_problem,
)
from assetport.domain.results import RejectReason
from assetport.edge import bounded_json
from assetport.edge.keys import AdminToken
from assetport.edge.users import UserStore
from assetport.store.nft_history import NftSaleRecord
from assetport.views.markets import Markets
from assetport.views.nft import NftAuction, NftListing, NftOffer

PREFIX: Final = "/api/v1/nft"
MINT_PATH: Final = f"{PREFIX}/collections/{{code}}/mint"
ADMIN_PREFIX: Final = "/api/v1/admin/nft"
# A collection's currency: money, never a token with holder rules or an NFT collection.
CURRENCY_KINDS: Final = (AssetKind.FIAT, AssetKind.COIN)
# An auction left to start "now" opens this long after the request: the engine takes a start
# no earlier than the sequencer's time, which is a little later than the gateway's clock.
START_MARGIN_MS: Final = 1000
# Each item of a mint's JSON is at most [{"attributes": [{...}]}] deep; a royalty split's
# [{...}]. A mint's items fit in a body (64 KiB); a royalty's ten receivers in far less.
MAX_ITEMS_JSON: Final = 64 * 1024
MAX_SPLITS_JSON: Final = 2048
DEFAULT_LIMIT: Final = 500  # of the account's own lists
MAX_LIMIT: Final = 1000
MAX_HISTORY_LIMIT: Final = 100  # of the account's sales and royalties (50 by default)

_NFT: Final = RejectContext.NFT
_SIGNED: Final = (
    ParamDoc("timestamp", "integer", True),
    ParamDoc("recvWindow"),
    ParamDoc("signature", required=True),
)
_COLLECTION: Final = ParamDoc("collection", required=True, description="the collection's code")
_TOKEN_ID: Final = ParamDoc("tokenId", "integer", True, "the item's token id")
_QUANTITY: Final = ParamDoc("quantity", "integer", description="units of the item, 1 by default")
_PRICE: Final = ParamDoc(
    "price", required=True, description="per unit, in the collection's currency"
)
_EXPIRES: Final = ParamDoc(
    "expiresAt", "integer", description="ms since the epoch, within 90 days; never by default"
)


# -- refusals ---------------------------------------------------------------------------------


# -- what this module reads of the NFT view -------------------------------------------------


# -- parameters -----------------------------------------------------------------------------


def _account(call: Call, name: str) -> int | None:
    value = call.params.optional_integer(name)
    if value is not None and value <= 0:
        raise errors.invalid_parameter(name)
    return value


class _Share(msgspec.Struct, forbid_unknown_fields=True):
    account: Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)]  # a command's integers: 64 bits
    bps: Annotated[int, msgspec.Meta(ge=0, le=BPS)]


class _TraitIn(msgspec.Struct, forbid_unknown_fields=True):
    trait_type: str
    value: str


class _ItemIn(msgspec.Struct, forbid_unknown_fields=True, rename={"token_id": "tokenId"}):
    """An item as a client sends it: the ERC-721 metadata's names, with its token id."""

    token_id: int
    name: str
    supply: int = 1
    description: str = ""
    image: str = ""
    attributes: list[_TraitIn] = []


_splits: Final = bounded_json.Decoder(
    msgspec.json.Decoder(list[_Share]), max_bytes=MAX_SPLITS_JSON, max_depth=2
)
_items: Final = bounded_json.Decoder(
    msgspec.json.Decoder(list[_ItemIn]), max_bytes=MAX_ITEMS_JSON, max_depth=4
)


def royalty_param(params: Params, creator: int) -> tuple[RoyaltyShare, ...]:
    """`royaltyBps` split by `royaltySplits` ([{"account", "bps"}], summing to it); without
    splits, the whole royalty to the creator."""
    total = params.optional_integer("royaltyBps") or 0
    text = params.optional_string("royaltySplits")
    if total > MAX_ROYALTY_BPS:
        raise req.broken_rule(
            errors.INVALID_COLLECTION, "royalties are at most 10 % (1000 basis points) in all"
        )
    if text is None:
        return (RoyaltyShare(creator, total),) if total else ()
    shares: list[_Share] = req.json_list(_splits, "royaltySplits", text)
    if len(shares) > MAX_ROYALTY_RECEIVERS:
        raise req.broken_rule(
            errors.INVALID_COLLECTION,
            f"a royalty is split between at most {MAX_ROYALTY_RECEIVERS} receivers",
        )
    if sum(share.bps for share in shares) != total:
        raise errors.ROYALTY_SPLITS_NOT_SUMMING.error()
    return tuple(RoyaltyShare(share.account, share.bps) for share in shares)


def items_param(params: Params, standard: Standard) -> tuple[ItemSpec, ...]:
    """The mint's `items`: 1 to 1000, each by the metadata's rules (`item_problem`)."""
    received: list[_ItemIn] = req.json_list(_items, "items", params.string("items"))
    if not 0 < len(received) <= MAX_MINT_BATCH:
        raise req.broken_rule(errors.INVALID_NFT_ITEM, f"a mint has 1 to {MAX_MINT_BATCH} items")
    specs: list[ItemSpec] = []
    for index, item in enumerate(received):
        if len(item.attributes) > MAX_ATTRIBUTES:  # before they are made into traits
            raise req.broken_rule(
                errors.INVALID_NFT_ITEM,
                f"item {index}: an item has at most {MAX_ATTRIBUTES} attributes",
            )
        traits = tuple(Trait(a.trait_type, a.value) for a in item.attributes)
        spec = ItemSpec(item.token_id, item.supply, item.name, item.description, item.image,
                        traits)  # fmt: skip
        problem = item_problem(spec, standard) or _text_problem(
            spec.name, spec.description, *(t.trait_type for t in traits), *(t.value for t in traits)
        )
        if problem is not None:
            raise req.broken_rule(errors.INVALID_NFT_ITEM, f"item {index}: {problem}")
        specs.append(spec)
    if len({spec.token_id for spec in specs}) != len(specs):
        raise req.rejected(RejectReason.TOKEN_ID_TAKEN)
    return tuple(specs)


def _text_problem(name: str, description: str, *labels: str) -> str | None:
    """Names and traits are shown on every page: printable text only (no control or
    bidirectional characters to disguise them); a description may also break lines."""
    if not all(text.isprintable() for text in (name, *labels)):
        return "names and traits are printable text"
    if not description.replace("\n", "").replace("\t", "").isprintable():
        return "a description is printable text and line breaks"
    return None


def trait_param(params: Params) -> Trait | None:
    """`traitType` and `traitValue`, sent together or not at all."""
    trait_type = params.optional_string("traitType")
    value = params.optional_string("traitValue")
    if (trait_type is None) != (value is None):
        raise errors.must_be_sent_together("traitType", "traitValue")
    return None if trait_type is None or value is None else Trait(trait_type, value)


# -- running a command ------------------------------------------------------------------------


# -- rendering ----------------------------------------------------------------------------------


def collection_json(c: Collection) -> dict[str, Any]:
    return {
        "code": c.code,
        "creator": c.creator,
        "name": c.name,
        "description": c.description,
        "cover": c.cover or None,
        "standard": c.standard.value,
        "currency": c.currency,
        "royaltyBps": c.royalty_bps,
        "royaltySplits": [{"account": s.account, "bps": s.bps} for s in c.royalty],
        "verified": c.verified,
    }


def split_json(
    currency: str, price: int, quantity: int, split: Split, markets: Markets
) -> dict[str, Any]:
    """A sale's money, as the quote shows it before and the sale states it after."""

    def amount(units: int) -> str:
        return markets.amount(currency, units)

    return {
        "currency": currency,
        "price": amount(price),
        "quantity": quantity,
        "total": amount(price * quantity),
        "fee": amount(split.fee),
        "royalty": amount(split.royalty),
        "royalties": [{"account": a, "amount": amount(units)} for a, units in split.royalties],
        "sellerReceives": amount(split.seller),
    }


def sale_json(sold: NftSold, markets: Markets) -> dict[str, Any]:
    split = Split(sold.fee, sold.royalties, sold.seller_receives)
    return {
        "saleId": sold.sale_id,
        "time": ms(sold.time),
        "kind": sold.kind.value.upper(),
        "sourceId": sold.source_id,
        "collection": sold.collection,
        "tokenId": sold.token_id,
        "seller": sold.seller,
        "buyer": sold.buyer,
        **split_json(sold.currency, sold.price, sold.quantity, split, markets),
    }


def _listing_json(listed: NftListed, markets: Markets) -> dict[str, Any]:
    t = listed.terms
    return {
        "listingId": listed.listing_id,
        "time": ms(listed.time),
        "collection": t.collection,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "price": markets.amount(listed.currency, t.price),
        "currency": listed.currency,
        "expiresAt": ms(t.expires_us) if t.expires_us else None,
    }


def _offer_json(made: NftOfferMade, markets: Markets) -> dict[str, Any]:
    t = made.terms
    return {
        "offerId": made.offer_id,
        "time": ms(made.time),
        "collection": t.collection,
        "tokenId": t.token_id,
        "trait": None if t.trait is None else {"traitType": t.trait.trait_type,
                                               "traitValue": t.trait.value},
        "quantity": t.quantity,
        "price": markets.amount(made.currency, t.price),
        "currency": made.currency,
        "held": markets.amount(made.currency, made.held),
        "expiresAt": ms(t.expires_us) if t.expires_us else None,
    }  # fmt: skip


def _auction_json(started: NftAuctionStarted, markets: Markets) -> dict[str, Any]:
    t = started.terms

    def price(units: int) -> str | None:
        return markets.amount(started.currency, units) if units else None

    return {
        "auctionId": started.auction_id,
        "time": ms(started.time),
        "collection": t.collection,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "kind": t.kind.value,
        "currency": started.currency,
        "startPrice": price(t.start_price),
        "endPrice": price(t.end_price),
        "reservePrice": price(t.reserve_price),
        "buyNowPrice": price(t.buy_now_price),
        "minRaiseBps": t.min_raise_bps if t.kind is AuctionKind.ENGLISH else None,
        "startAt": ms(t.starts_us),
        "endAt": ms(t.ends_us),
        "extendWithinMinutes": t.extend_within_us // MINUTE_US,
        "extensionMinutes": t.extension_us // MINUTE_US,
    }


def _sold_or(events: list[Event], markets: Markets) -> dict[str, Any] | None:
    sold = next((event for event in events if isinstance(event, NftSold)), None)
    return None if sold is None else sale_json(sold, markets)


# -- the creator's ----------------------------------------------------------------------------


async def create_collection(call: Call) -> Any:
    """POST /api/v1/nft/collections: the signing account creates a collection."""
    creator = call.account
    params = call.params
    code = params.string("code")
    name = params.string("name")
    description = params.optional_string("description") or ""
    cover = params.optional_string("cover") or ""
    try:
        standard = Standard(params.string("standard"))
    except ValueError as exc:
        raise errors.invalid_parameter("standard") from exc
    currency = params.string("currency")
    royalty = royalty_param(params, creator)
    params.ensure_all_read()
    listed = call.gateway.markets.assets.get(currency)
    if listed is None or listed.kind not in CURRENCY_KINDS:
        raise req.broken_rule(
            errors.INVALID_COLLECTION, "the currency is a listed fiat currency or coin"
        )
    collection = Collection(code, creator, name, description, cover, standard, currency,
                            royalty)  # fmt: skip
    problem = collection_problem(collection) or _text_problem(name, description)
    if problem is not None:
        raise req.broken_rule(errors.INVALID_COLLECTION, problem)
    created: NftCollectionCreated = req.first(
        await req.execute(call, CreateCollection(collection)), NftCollectionCreated
    )
    return collection_json(created.collection)


async def mint(code: str, call: Call) -> Any:
    """POST /api/v1/nft/collections/{code}/mint: the creator mints `items` to itself or
    `to`."""
    collection = req.collection(call, code)
    items = items_param(call.params, collection.standard)
    account = call.account
    to = _account(call, "to") or account
    call.params.ensure_all_read()
    if account != collection.creator:
        raise req.rejected(RejectReason.NOT_THE_CREATOR)
    minted: NftMinted = req.first(
        await req.execute(call, MintNfts(account, code, to, items)), NftMinted
    )
    return {
        "collection": code,
        "to": minted.to,
        "count": len(minted.items),
        "tokenIds": [item.token_id for item in minted.items],
    }


# -- holders' ---------------------------------------------------------------------------------


async def transfer(call: Call) -> Any:
    """POST /api/v1/nft/transfer: give units of an item held free to another account."""
    code = req.code(call)
    token_id = req.token_id(call)
    quantity = req.whole(call, "quantity", 1)
    to = _account(call, "to")
    if to is None:
        raise errors.mandatory_missing("to")
    call.params.ensure_all_read()
    moved: NftTransferred = req.first(
        await req.execute(call, TransferNft(call.account, code, token_id, quantity, to)),
        NftTransferred,
    )
    return {
        "collection": moved.collection,
        "tokenId": moved.token_id,
        "quantity": moved.quantity,
        "from": moved.source,
        "to": moved.target,
        "time": ms(moved.time),
    }


async def list_item(call: Call) -> Any:
    """POST /api/v1/nft/listings: set units aside for sale at a price per unit."""
    code = req.code(call)
    currency = req.collection(call, code).currency
    markets = call.gateway.markets
    terms = ListingTerms(
        code,
        req.token_id(call),
        req.whole(call, "quantity", 1),
        req.price(call, "price", req.precision(markets, currency)),
        req.time_us(call, "expiresAt") or 0,
    )
    call.params.ensure_all_read()
    problem = listing_problem(terms, call.now_ms * 1000)
    if problem is not None:
        raise req.invalid_terms(problem)
    listed: NftListed = req.first(await req.execute(call, ListNft(call.account, terms)), NftListed)
    return _listing_json(listed, markets)


async def cancel_listing(call: Call) -> Any:
    """DELETE /api/v1/nft/listings: the listing ends, its units back to the seller."""
    listing_id = req.whole(call, "listingId")
    call.params.ensure_all_read()
    ended: NftListingEnded = req.first(
        await req.execute(call, CancelNftListing(call.account, listing_id)), NftListingEnded
    )
    return {
        "listingId": ended.listing_id,
        "status": ended.reason.value.upper(),
        "returned": ended.returned,
        "time": ms(ended.time),
    }


async def buy(call: Call) -> Any:
    """POST /api/v1/nft/buy: `quantity` units of a listing at `price`, the listing's price
    the buyer confirmed; answers the sale with its split."""
    listing_id = req.whole(call, "listingId")
    listing = call.gateway.nft.listing(listing_id)
    if listing is None:
        raise req.rejected(RejectReason.UNKNOWN_NFT_LISTING)
    markets = call.gateway.markets
    quantity = req.whole(call, "quantity", 1)
    price = req.price(call, "price", req.precision(markets, listing.currency))
    call.params.ensure_all_read()
    events = await req.execute(call, BuyNft(call.account, listing_id, quantity, price))
    return sale_json(req.first(events, NftSold), markets)


async def make_offer(call: Call) -> Any:
    """POST /api/v1/nft/offers: an offer to buy one item (`tokenId`), any item of the
    collection, or any with a trait (`traitType` and `traitValue`); its value is held."""
    code = req.code(call)
    currency = req.collection(call, code).currency
    markets = call.gateway.markets
    token_id = req.token_id(call) if "tokenId" in call.params else None
    terms = OfferTerms(
        code,
        token_id,
        req.whole(call, "quantity", 1),
        req.price(call, "price", req.precision(markets, currency)),
        req.time_us(call, "expiresAt") or 0,
        trait_param(call.params),
    )
    call.params.ensure_all_read()
    problem = offer_problem(terms, call.now_ms * 1000)
    if problem is None and terms.trait is not None:
        problem = _text_problem("", "", terms.trait.trait_type, terms.trait.value)
    if problem is not None:
        raise req.invalid_terms(problem)
    made: NftOfferMade = req.first(
        await req.execute(call, MakeNftOffer(call.account, terms)), NftOfferMade
    )
    return _offer_json(made, markets)


async def cancel_offer(call: Call) -> Any:
    """DELETE /api/v1/nft/offers: the offer ends, what it held back to the buyer."""
    offer_id = req.whole(call, "offerId")
    call.params.ensure_all_read()
    ended: NftOfferEnded = req.first(
        await req.execute(call, CancelNftOffer(call.account, offer_id)), NftOfferEnded
    )
    return {
        "offerId": ended.offer_id,
        "status": ended.reason.value.upper(),
        "released": call.gateway.markets.amount(ended.currency, ended.released),
        "currency": ended.currency,
        "time": ms(ended.time),
    }


async def accept_offer(call: Call) -> Any:
    """POST /api/v1/nft/offers/accept: sell `quantity` units of `tokenId` to the offer,
    paid from what it holds; answers the sale with its split."""
    offer_id = req.whole(call, "offerId")
    token_id = req.token_id(call)
    quantity = req.whole(call, "quantity", 1)
    call.params.ensure_all_read()
    events = await req.execute(call, AcceptNftOffer(call.account, offer_id, token_id, quantity))
    return sale_json(req.first(events, NftSold), call.gateway.markets)


async def start_auction(call: Call) -> Any:
    """POST /api/v1/nft/auctions: an English auction (rising bids, held until beaten; a
    reserve, a minimum raise, anti-sniping, a buy-now price) or a Dutch one (the price falls
    in a straight line from `startPrice` to `endPrice`)."""
    code = req.code(call)
    currency = req.collection(call, code).currency
    markets = call.gateway.markets
    precision = req.precision(markets, currency)
    params = call.params
    token_id = req.token_id(call)
    quantity = req.whole(call, "quantity", 1)
    try:
        kind = AuctionKind(params.string("kind"))
    except ValueError as exc:
        raise errors.invalid_parameter("kind") from exc
    start_price = req.price(call, "startPrice", precision)
    end_price = req.price(call, "endPrice", precision, required=kind is AuctionKind.DUTCH)
    reserve = req.price(call, "reservePrice", precision, required=False)
    buy_now = req.price(call, "buyNowPrice", precision, required=False)
    min_raise = params.optional_integer("minRaiseBps")
    starts_us = req.time_us(call, "startAt") or (call.now_ms + START_MARGIN_MS) * 1000
    ends_us = req.time_us(call, "endAt")
    if ends_us is None:
        raise errors.mandatory_missing("endAt")
    within = params.optional_integer("extendWithinMinutes") or 0
    extension = params.optional_integer("extensionMinutes") or 0
    params.ensure_all_read()
    if kind is AuctionKind.DUTCH and min_raise is not None:
        raise req.invalid_terms("a Dutch auction has no minimum raise")
    terms = AuctionTerms(
        code, token_id, quantity, kind, start_price, starts_us, ends_us, end_price, reserve,
        DEFAULT_MIN_RAISE_BPS if min_raise is None else min_raise,
        within * MINUTE_US, extension * MINUTE_US, buy_now,
    )  # fmt: skip
    problem = auction_problem(terms, call.now_ms * 1000)
    if problem is not None:
        raise req.invalid_terms(problem)
    started: NftAuctionStarted = req.first(
        await req.execute(call, StartNftAuction(call.account, terms)), NftAuctionStarted
    )
    return _auction_json(started, markets)


async def cancel_auction(call: Call) -> Any:
    """DELETE /api/v1/nft/auctions: an auction nobody has bid on ends, its units back to
    the seller."""
    auction_id = req.whole(call, "auctionId")
    call.params.ensure_all_read()
    ended: NftAuctionEnded = req.first(
        await req.execute(call, CancelNftAuction(call.account, auction_id)), NftAuctionEnded
    )
    return {"auctionId": ended.auction_id, "status": ended.reason.value.upper(),
            "time": ms(ended.time)}  # fmt: skip


async def bid(call: Call) -> Any:
    """POST /api/v1/nft/bids: on an English auction a bid of `price` per unit, held until
    it is beaten (then given back) or wins at the end; at the buy-now price, or on a Dutch
    auction (the most the bidder pays), a purchase at once, answered with its split."""
    auction_id = req.whole(call, "auctionId")
    auction = call.gateway.nft.auction(auction_id)
    if auction is None:
        raise req.rejected(RejectReason.UNKNOWN_NFT_AUCTION)
    markets = call.gateway.markets
    price = req.price(call, "price", req.precision(markets, auction.currency))
    call.params.ensure_all_read()
    events = await req.execute(call, BidNft(call.account, auction_id, price))
    sale = _sold_or(events, markets)
    if sale is not None:
        return {"auctionId": auction_id, "status": "SOLD", "sale": sale}
    placed: NftBidPlaced = req.first(events, NftBidPlaced)
    return {
        "auctionId": auction_id,
        "status": "BID",
        "time": ms(placed.time),
        "price": markets.amount(placed.currency, placed.price),
        "currency": placed.currency,
        "held": markets.amount(placed.currency, placed.held),
        "endAt": ms(placed.ends_us),
    }


# -- the quote -------------------------------------------------------------------------------


async def quote(call: Call) -> Any:
    """GET /api/v1/nft/quote: the split a sale would make now, at the current fee: of
    `quantity` units of a listing (`listingId`) or to an offer (`offerId`), or of an
    auction at a bid of `price` (a Dutch auction sells at the price of the instant, an
    English one at the buy-now price when the bid reaches it). Shown to buyer and seller
    before they confirm; the sale states the same numbers. A sale by the collection's creator
    pays no royalty; an offer's quote takes the seller for a reseller (the creator accepting
    it pays none)."""
    params = call.params
    sources = [name for name in ("listingId", "offerId", "auctionId") if name in params]
    if len(sources) != 1:
        raise errors.NFT_QUOTE_SOURCE.error()
    source = sources[0]
    source_id = req.whole(call, source)
    now_us = call.now_ms * 1000
    if source == "auctionId":
        priced = _auction_quote(call, source_id, now_us)
    else:
        priced = _standing_quote(call, source == "listingId", source_id, now_us)
    params.ensure_all_read()
    collection = req.collection(call, priced.collection)
    fee_bps = call.gateway.nft.fee_bps
    total = priced.price * priced.quantity
    split = sale_split(total, fee_bps, collection, priced.seller)
    markets = call.gateway.markets
    minimum = priced.minimum_bid
    return {
        source: source_id,
        "collection": priced.collection,
        "feeBps": fee_bps,
        "royaltyBps": collection.royalty_bps,
        **split_json(priced.currency, priced.price, priced.quantity, split, markets),
        "minimumBid": None if minimum is None else markets.amount(priced.currency, minimum),
    }


class _Priced(NamedTuple):
    """What a quote splits: `quantity` units of `collection` at `price` each."""

    collection: str
    currency: str
    price: int
    quantity: int
    minimum_bid: int | None = None  # an auction's least bid now
    seller: int | None = None  # None: whoever accepts an offer (taken as a resale)


def _standing_quote(call: Call, listing: bool, source_id: int, now_us: int) -> _Priced:
    """A listing bought, or an offer accepted, in `quantity` units at its price."""
    view = call.gateway.nft
    found = view.listing(source_id) if listing else view.offer(source_id)
    if found is None or (found.terms.expires_us and now_us >= found.terms.expires_us):
        reason = RejectReason.UNKNOWN_NFT_LISTING if listing else RejectReason.UNKNOWN_NFT_OFFER
        raise req.rejected(reason)
    quantity = req.whole(call, "quantity", 1)
    if quantity > found.remaining:
        raise req.invalid_terms(f"only {found.remaining} units are left")
    seller = found.account if listing else None
    return _Priced(found.terms.collection, found.currency, found.terms.price, quantity, None,
                   seller)  # fmt: skip


def _auction_quote(call: Call, auction_id: int, now_us: int) -> _Priced:
    """An auction sold on a bid of `price`: a Dutch one at the price of the instant, an
    English one at the bid (at the end), or at its buy-now price once the bid reaches it."""
    auction = call.gateway.nft.auction(auction_id)
    if auction is None:
        raise req.rejected(RejectReason.UNKNOWN_NFT_AUCTION)
    if now_us >= auction.ends_us:
        raise req.rejected(RejectReason.AUCTION_NOT_OPEN)
    t = auction.terms
    bid_price = req.price(call, "price", req.precision(call.gateway.markets, auction.currency))
    if t.kind is AuctionKind.DUTCH:
        now_price = dutch_price(t, now_us)
        return _Priced(t.collection, auction.currency, now_price, t.quantity, now_price,
                       auction.account)  # fmt: skip
    minimum = next_minimum_bid(t, auction.bid)
    if t.buy_now_price and bid_price >= t.buy_now_price:
        bid_price = t.buy_now_price
    return _Priced(t.collection, auction.currency, bid_price, t.quantity, minimum,
                   auction.account)  # fmt: skip


# -- the account's own ---------------------------------------------------------------------


def _limit(call: Call) -> int:
    limit = call.params.optional_integer("limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 0 < limit <= MAX_LIMIT:
        raise errors.invalid_parameter("limit")
    return limit


async def my_items(call: Call) -> Any:
    """GET /api/v1/nft/my/items: the items the account holds, with its units of each (free,
    and set aside in its listings and auctions), by collection and token id."""
    limit = _limit(call)
    call.params.ensure_all_read()
    account = call.account
    return [
        {
            "collection": item.collection,
            "tokenId": item.token_id,
            "name": item.spec.name,
            "image": media_url(item.spec.image) if item.spec.image else None,
            "units": units,
            "free": item.owners.get(account, 0),
        }
        for item, units in call.gateway.nft.holding(account)[:limit]
    ]


def _open_listing(listing: NftListing, markets: Markets) -> dict[str, Any]:
    t = listing.terms
    return {
        "listingId": listing.listing_id,
        "time": ms(listing.listed_us) if listing.listed_us else None,
        "collection": t.collection,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "remaining": listing.remaining,
        "price": markets.amount(listing.currency, t.price),
        "currency": listing.currency,
        "expiresAt": ms(t.expires_us) if t.expires_us else None,
    }


def _open_offer(offer: NftOffer, markets: Markets) -> dict[str, Any]:
    t = offer.terms
    trait = t.trait
    return {
        "offerId": offer.offer_id,
        "time": ms(offer.made_us) if offer.made_us else None,
        "collection": t.collection,
        "tokenId": t.token_id,
        "trait": None if trait is None else {"traitType": trait.trait_type,
                                             "traitValue": trait.value},
        "quantity": t.quantity,
        "remaining": offer.remaining,
        "price": markets.amount(offer.currency, t.price),
        "currency": offer.currency,
        "held": markets.amount(offer.currency, offer.held),
        "expiresAt": ms(t.expires_us) if t.expires_us else None,
    }  # fmt: skip


def _running_auction(auction: NftAuction, markets: Markets, now_us: int) -> dict[str, Any]:
    t = auction.terms
    currency = auction.currency
    return {
        "auctionId": auction.auction_id,
        "collection": t.collection,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "kind": t.kind.value,
        "seller": auction.account,
        "currency": currency,
        "highestBid": markets.amount(currency, auction.bid) if auction.bid else None,
        "highestBidder": auction.bidder or None,
        "held": markets.amount(currency, auction.bid * t.quantity),
        "priceNow": markets.amount(currency, auction.price_now(now_us)),
        "startAt": ms(t.starts_us),
        "endAt": ms(auction.ends_us),
    }


async def my_listings(call: Call) -> Any:
    """GET /api/v1/nft/my/listings: the account's open listings, by id."""
    limit = _limit(call)
    call.params.ensure_all_read()
    listings = call.gateway.nft.account_listings(call.account)[:limit]
    return [_open_listing(listing, call.gateway.markets) for listing in listings]


async def my_offers(call: Call) -> Any:
    """GET /api/v1/nft/my/offers: the account's open offers and what each holds, by id."""
    limit = _limit(call)
    call.params.ensure_all_read()
    offers = call.gateway.nft.account_offers(call.account)[:limit]
    return [_open_offer(offer, call.gateway.markets) for offer in offers]


async def my_bids(call: Call) -> Any:
    """GET /api/v1/nft/my/bids: the running auctions whose highest bid is the account's
    (held until it is beaten or wins), by id. A beaten bid was given back: it is not here."""
    limit = _limit(call)
    call.params.ensure_all_read()
    now_us = call.now_ms * 1000
    auctions = call.gateway.nft.account_bids(call.account)[:limit]
    return [_running_auction(auction, call.gateway.markets, now_us) for auction in auctions]


async def my_auctions(call: Call) -> Any:
    """GET /api/v1/nft/my/auctions: the account's running auctions (as seller), by id."""
    limit = _limit(call)
    call.params.ensure_all_read()
    now_us = call.now_ms * 1000
    auctions = call.gateway.nft.account_auctions(call.account)[:limit]
    return [_running_auction(auction, call.gateway.markets, now_us) for auction in auctions]


def sale_record_json(record: NftSaleRecord, markets: Markets) -> dict[str, Any]:
    """A sale from the history, as its answer showed it (and whether it was a wash trade:
    between two accounts of one person, counted in no volume)."""
    split = Split(record.fee, tuple(record.royalties), record.seller_receives)
    return {
        "saleId": record.sale_id,
        "time": ms(record.time_us),
        "kind": record.kind.upper(),
        "sourceId": record.source_id,
        "collection": record.collection,
        "tokenId": record.token_id,
        "seller": record.seller,
        "buyer": record.buyer,
        **split_json(record.currency, record.price, record.quantity, split, markets),
        "wash": record.wash,
    }


def _history_limit(call: Call) -> int | None:
    limit = call.params.optional_integer("limit")
    if limit is not None and not 0 < limit <= MAX_HISTORY_LIMIT:
        raise errors.invalid_parameter("limit")
    return limit


async def my_sales(call: Call) -> Any:
    """GET /api/v1/nft/my/sales: the account's sales and purchases (`role` SELLER or BUYER
    for one side), newest first, each with its split; `beforeSaleId` pages back (the last id
    of the previous page)."""
    role = call.params.optional_string("role")
    if role is not None and role not in ("SELLER", "BUYER"):
        raise errors.invalid_parameter("role")
    collection = call.params.optional_string("collection")
    limit = _history_limit(call)
    before = call.params.optional_integer("beforeSaleId")
    call.params.ensure_all_read()
    account, side = call.account, None if role is None else role.lower()
    records = await call.gateway.from_history(
        lambda history: history.nft.sales(account, side, collection, limit, before)
    )
    return [sale_record_json(record, call.gateway.markets) for record in records]


async def my_royalties(call: Call) -> Any:
    """GET /api/v1/nft/my/royalties: the royalty shares the account received from sales,
    newest first; `beforeSaleId` pages back."""
    limit = _history_limit(call)
    before = call.params.optional_integer("beforeSaleId")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.nft.royalties(account, limit, before)
    )
    markets = call.gateway.markets
    return [
        {
            "saleId": record.sale_id,
            "time": ms(record.time_us),
            "collection": record.collection,
            "tokenId": record.token_id,
            "currency": record.currency,
            "amount": markets.amount(record.currency, record.amount),
        }
        for record in records
    ]


# -- operators' -------------------------------------------------------------------------------


async def _operator_execute(call: AdminCall, command: Command) -> list[Event]:
    outcome = await call.gateway.execute(command)
    refused = refusal(outcome.events)
    if refused is not None:
        raise req.rejected(refused.reason)
    return outcome.events


async def set_verified(call: AdminCall) -> Any:
    """POST /api/v1/admin/nft/verify {"collection", "verified"}: the verified badge."""
    code = call.text("collection")
    verified = call.body.get("verified")
    if not isinstance(verified, bool):
        raise errors.mandatory_missing("verified")
    events = await _operator_execute(call, SetCollectionVerified(code, verified))
    done: NftCollectionVerified = req.first(events, NftCollectionVerified)
    return {"collection": done.collection, "verified": done.verified}


async def set_fee(call: AdminCall) -> Any:
    """POST /api/v1/admin/nft/fee {"feeBps"}: the platform's fee on every sale from now
    on (the engine takes up to 10 %)."""
    fee_bps = call.body.get("feeBps")
    if not isinstance(fee_bps, int) or isinstance(fee_bps, bool):
        raise errors.mandatory_missing("feeBps")
    if not 0 <= fee_bps <= BPS:  # within the journal's integers; the engine's bound is lower
        raise errors.invalid_parameter("feeBps")
    done: NftFeeSet = req.first(await _operator_execute(call, SetNftFee(fee_bps)), NftFeeSet)
    return {"feeBps": done.fee_bps}


ADMIN_ENDPOINTS: Final[tuple[tuple[str, AdminHandler], ...]] = (
    (f"{ADMIN_PREFIX}/verify", set_verified),
    (f"{ADMIN_PREFIX}/fee", set_fee),
)


# -- declarations -----------------------------------------------------------------------------


async def _routed(call: Call) -> Any:
    """The declared mint's handler: each request gets one bound to its path's code."""
    raise errors.UNKNOWN.error()


# A signed endpoint with a path parameter: the pipeline's dispatch would put the path's code
# into the query, which the signature covers as sent, so it has a route of its own
# (`nft_trade_routes`) that hands the code to the handler instead.
MINT: Final = Endpoint(
    "POST", MINT_PATH, _routed, Security.TRADE,
    "Mint items into a collection (its creator only), to the creator or `to`",
    (ParamDoc("code", required=True, description="the collection's code"),
     ParamDoc("items", required=True,
              description='a JSON array of 1 to 1000 items: [{"tokenId", "supply" (1 by default;'
              ' 1 for ERC-721), "name", "description", "image" (an uploaded SHA-256),'
              ' "attributes": [{"trait_type", "value"}]}]'),
     ParamDoc("to", "integer", description="who receives them; the creator by default"),
     *_SIGNED),
    counts_as_order=True,
)  # fmt: skip
ROUTED: Final = (MINT,)


def nft_trade_routes(gateway: Gateway, users: UserStore, token: AdminToken) -> list[Route]:
    """The mint's route and the operators' endpoints (the rest are in `ENDPOINTS`, routed
    with every REST endpoint)."""

    async def mint_route(request: Request) -> Response:
        code = str(request.path_params["code"])
        endpoint = dataclasses.replace(MINT, handler=functools.partial(mint, code))
        return await respond(gateway, endpoint, request)

    routes = [Route(MINT_PATH, mint_route, methods=["POST"])]
    routes += [
        admin_route(path, handler, gateway, users, token) for path, handler in ADMIN_ENDPOINTS
    ]
    return routes


_MINE: Final = (ParamDoc("limit", "integer", description="1 to 1000, 500 by default"), *_SIGNED)
_HISTORY_LIMIT: Final = ParamDoc("limit", "integer", description="1 to 100, 50 by default")
_BEFORE_SALE: Final = ParamDoc("beforeSaleId", "integer", description="older than this sale")
_LISTING_ID: Final = ParamDoc("listingId", "integer", True)
_OFFER_ID: Final = ParamDoc("offerId", "integer", True)
_AUCTION_ID: Final = ParamDoc("auctionId", "integer", True)


def _decimal(name: str, required: bool = False, description: str = "") -> ParamDoc:
    return ParamDoc(name, "string", required, description)


ENDPOINTS: Final = (
    Endpoint("POST", f"{PREFIX}/collections", create_collection, Security.TRADE,
             "Create an NFT collection; the signing account is its creator",
             (ParamDoc("code", required=True,
                       description="3 to 32 lowercase letters, digits or inner dashes"),
              ParamDoc("name", required=True), ParamDoc("description"),
              ParamDoc("cover", description="the SHA-256 of an uploaded image"),
              ParamDoc("standard", required=True, description="erc721 or erc1155"),
              ParamDoc("currency", required=True, description="the asset every price is in"),
              ParamDoc("royaltyBps", "integer", description="0 to 1000 (10 %); 0 by default"),
              ParamDoc("royaltySplits",
                       description='a JSON array of up to 10 {"account", "bps"} summing to'
                       ' royaltyBps; the whole royalty to the creator by default'),
              *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/transfer", transfer, Security.TRADE,
             "Give units of an item held free (not listed or auctioned) to another account",
             (_COLLECTION, _TOKEN_ID, _QUANTITY,
              ParamDoc("to", "integer", True, "the receiving account"), *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/listings", list_item, Security.TRADE,
             "List units of an item at a fixed price per unit",
             (_COLLECTION, _TOKEN_ID, _QUANTITY, _PRICE, _EXPIRES, *_SIGNED),
             counts_as_order=True),
    Endpoint("DELETE", f"{PREFIX}/listings", cancel_listing, Security.TRADE,
             "Cancel a listing; its unsold units come back", (_LISTING_ID, *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/buy", buy, Security.TRADE,
             "Buy units of a listing at its price; answers the sale's split",
             (_LISTING_ID, _QUANTITY,
              _decimal("price", True, "the listing's price per unit, as the buyer confirmed"),
              *_SIGNED), counts_as_order=True),
    Endpoint("POST", f"{PREFIX}/offers", make_offer, Security.TRADE,
             "Offer to buy an item, any item of a collection, or any with a trait; its value"
             " is held until it is filled, canceled or expires",
             (_COLLECTION, ParamDoc("tokenId", "integer", description="one item; none: any"),
              ParamDoc("traitType"), ParamDoc("traitValue"), _QUANTITY, _PRICE, _EXPIRES,
              *_SIGNED), counts_as_order=True),
    Endpoint("DELETE", f"{PREFIX}/offers", cancel_offer, Security.TRADE,
             "Cancel an offer; what it held comes back", (_OFFER_ID, *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/offers/accept", accept_offer, Security.TRADE,
             "Sell units of an item to an offer; answers the sale's split",
             (_OFFER_ID, _TOKEN_ID, _QUANTITY, *_SIGNED), counts_as_order=True),
    Endpoint("POST", f"{PREFIX}/auctions", start_auction, Security.TRADE,
             "Start an English or Dutch auction of units of an item",
             (_COLLECTION, _TOKEN_ID, _QUANTITY,
              ParamDoc("kind", required=True, description="english or dutch"),
              _decimal("startPrice", True), _decimal("endPrice", description="Dutch only"),
              _decimal("reservePrice", description="English only; none by default"),
              ParamDoc("minRaiseBps", "integer", description="English only; 500 by default"),
              ParamDoc("startAt", "integer", description="ms; a second from now by default"),
              ParamDoc("endAt", "integer", True, "ms; at least a minute after the start"),
              ParamDoc("extendWithinMinutes", "integer",
                       description="English: a bid this near the end extends it"),
              ParamDoc("extensionMinutes", "integer",
                       description="English: to this long after that bid"),
              _decimal("buyNowPrice", description="English only; none by default"),
              *_SIGNED), counts_as_order=True),
    Endpoint("DELETE", f"{PREFIX}/auctions", cancel_auction, Security.TRADE,
             "Cancel an auction nobody has bid on", (_AUCTION_ID, *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/bids", bid, Security.TRADE,
             "Bid on an auction (Dutch: buy at the price of the instant, at most this price)",
             (_AUCTION_ID, _PRICE, *_SIGNED), counts_as_order=True),
    Endpoint("GET", f"{PREFIX}/my/items", my_items, Security.USER_DATA,
             "The items this account holds, with its units of each", _MINE),
    Endpoint("GET", f"{PREFIX}/my/listings", my_listings, Security.USER_DATA,
             "This account's open listings", _MINE),
    Endpoint("GET", f"{PREFIX}/my/offers", my_offers, Security.USER_DATA,
             "This account's open offers and what each holds", _MINE),
    Endpoint("GET", f"{PREFIX}/my/bids", my_bids, Security.USER_DATA,
             "The running auctions whose highest bid is this account's", _MINE),
    Endpoint("GET", f"{PREFIX}/my/auctions", my_auctions, Security.USER_DATA,
             "This account's running auctions, as seller", _MINE),
    Endpoint("GET", f"{PREFIX}/my/sales", my_sales, Security.USER_DATA,
             "This account's NFT sales and purchases, newest first, each with its split",
             (ParamDoc("role", description="SELLER or BUYER; both by default"),
              ParamDoc("collection"), _HISTORY_LIMIT, _BEFORE_SALE, *_SIGNED)),
    Endpoint("GET", f"{PREFIX}/my/royalties", my_royalties, Security.USER_DATA,
             "The royalties this account received, newest first",
             (_HISTORY_LIMIT, _BEFORE_SALE, *_SIGNED)),
    Endpoint("GET", f"{PREFIX}/quote", quote, Security.NONE,
             "The split a sale would make now: total, fee, each royalty receiver's share,"
             " what the seller receives",
             (ParamDoc("listingId", "integer"), ParamDoc("offerId", "integer"),
              ParamDoc("auctionId", "integer"), _QUANTITY,
              _decimal("price", description="with auctionId: the bid"))),
)  # fmt: skip
