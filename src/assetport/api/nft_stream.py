"""The NFT marketplace's market stream: `<collection-code>@nft` (the code is lower case
already), one message per new listing or auction, bid, sale, and listing or auction end, as
the market data streams are: `{"e": kind, "E": event time in ms, ...}`, amounts as decimal
strings in the collection currency's precision, prices per unit.

    nftListed         listingId, seller, tokenId, quantity, price, expireTime
    nftAuctionStarted auctionId, seller, tokenId, quantity, kind, startPrice, endPrice, endTime
    nftBid            auctionId, tokenId, bidder, price, outbid, endTime (after anti-sniping)
    nftSale           saleId, kind, tokenId, quantity, price, total, seller, buyer, fee,
                      royalty, wash
    nftListingEnded   listingId, tokenId, seller, reason, returned
    nftAuctionEnded   auctionId, tokenId, seller, reason

Rendered from one command's events after the gateway's NFT view has taken them (a bid names
only its auction: the view says which collection), for the streams someone listens to
(`api/ws_market.py`)."""

from collections.abc import Callable, Container, Iterable
from typing import Any, Final

from assetport.api.render import ms
from assetport.domain.events import (
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftListed,
    NftListingEnded,
    NftSold,
)
from assetport.domain.nft.trading import AuctionKind
from assetport.views.markets import Markets
from assetport.views.nft import NftView

SUFFIX: Final = "@nft"


def stream_name(collection: str) -> str:
    return f"{collection}{SUFFIX}"


def collection_of(name: str) -> str | None:
    """The collection code a stream name names, or None for another kind of stream."""
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else None


Payload = dict[str, Any]


def _listed(e: NftListed, view: NftView, markets: Markets) -> tuple[str, Payload]:
    t = e.terms
    return t.collection, {
        "e": "nftListed",
        "E": ms(e.time),
        "collection": t.collection,
        "listingId": e.listing_id,
        "seller": e.account,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "price": markets.amount(e.currency, t.price),
        "currency": e.currency,
        "expireTime": ms(t.expires_us) if t.expires_us else None,
    }


def _auction_started(e: NftAuctionStarted, view: NftView,
                     markets: Markets) -> tuple[str, Payload]:  # fmt: skip
    t = e.terms
    dutch = t.kind is AuctionKind.DUTCH
    return t.collection, {
        "e": "nftAuctionStarted",
        "E": ms(e.time),
        "collection": t.collection,
        "auctionId": e.auction_id,
        "seller": e.account,
        "tokenId": t.token_id,
        "quantity": t.quantity,
        "kind": t.kind.value.upper(),
        "startPrice": markets.amount(e.currency, t.start_price),
        "endPrice": markets.amount(e.currency, t.end_price) if dutch else None,
        "currency": e.currency,
        "startTime": ms(t.starts_us),
        "endTime": ms(t.ends_us),
    }


def _bid(e: NftBidPlaced, view: NftView, markets: Markets) -> tuple[str, Payload] | None:
    auction = view.auction(e.auction_id)
    if auction is None:  # not a gateway that saw it start: nothing to name it by
        return None
    t = auction.terms
    return t.collection, {
        "e": "nftBid",
        "E": ms(e.time),
        "collection": t.collection,
        "auctionId": e.auction_id,
        "tokenId": t.token_id,
        "bidder": e.account,
        "price": markets.amount(e.currency, e.price),
        "currency": e.currency,
        "outbid": e.outbid or None,
        "endTime": ms(e.ends_us),
    }


def _sold(e: NftSold, view: NftView, markets: Markets) -> tuple[str, Payload]:
    money = e.currency
    return e.collection, {
        "e": "nftSale",
        "E": ms(e.time),
        "collection": e.collection,
        "saleId": e.sale_id,
        "kind": e.kind.value.upper(),
        "sourceId": e.source_id,
        "tokenId": e.token_id,
        "quantity": e.quantity,
        "price": markets.amount(money, e.price),
        "total": markets.amount(money, e.total),
        "currency": money,
        "seller": e.seller,
        "buyer": e.buyer,
        "fee": markets.amount(money, e.fee),
        "royalty": markets.amount(money, sum(units for _, units in e.royalties)),
        "wash": e.wash,
    }


def _listing_ended(e: NftListingEnded, view: NftView, markets: Markets) -> tuple[str, Payload]:
    return e.collection, {
        "e": "nftListingEnded",
        "E": ms(e.time),
        "collection": e.collection,
        "listingId": e.listing_id,
        "tokenId": e.token_id,
        "seller": e.account,
        "reason": e.reason.value.upper(),
        "returned": e.returned,
    }


def _auction_ended(e: NftAuctionEnded, view: NftView, markets: Markets) -> tuple[str, Payload]:
    return e.collection, {
        "e": "nftAuctionEnded",
        "E": ms(e.time),
        "collection": e.collection,
        "auctionId": e.auction_id,
        "tokenId": e.token_id,
        "seller": e.account,
        "reason": e.reason.value.upper(),
    }


_RENDERERS: Final[dict[type, Callable[[Any, NftView, Markets], tuple[str, Payload] | None]]] = {
    NftListed: _listed,
    NftAuctionStarted: _auction_started,
    NftBidPlaced: _bid,
    NftSold: _sold,
    NftListingEnded: _listing_ended,
    NftAuctionEnded: _auction_ended,
}


def messages(
    events: Iterable[object], view: NftView, markets: Markets, listened: Container[str]
) -> dict[str, list[Payload]]:
    """{stream name: payloads} of one command's events, for the streams in `listened`."""
    out: dict[str, list[Payload]] = {}
    for event in events:
        render = _RENDERERS.get(type(event))
        if render is None:
            continue
        rendered = render(event, view, markets)
        if rendered is None:
            continue
        name = stream_name(rendered[0])
        if name in listened:
            out.setdefault(name, []).append(rendered[1])
    return out
