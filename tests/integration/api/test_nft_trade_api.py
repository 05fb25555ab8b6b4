"""The NFT marketplace's signed endpoints over real HTTP (issue #18), against a real server:
a label creates a collection with a 7.5 % royalty split 2:1 between itself and a partner,
mints to a collector, and the collector's resale pays each receiver its exact share and
the platform 1 %, the numbers the quote showed before; an English auction with two bidders
(the first bid given back when beaten, the winner paying once the server's timer has
settled the end); a Dutch auction bought mid-way; an offer on any item with a trait,
accepted; ERC-1155 game items bought and sold to an offer in parts; the account's own lists;
the operators' verified badge and fee. Bad input answers a clear code and moves nothing."""

import hashlib
import hmac
import json
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.nft.collections import RoyaltyShare
from assetport.domain.nft.split import split_sale

LISTING = """
[[assets]]
code = "KRW"
precision = 0
kind = "fiat"

[[assets]]
code = "USDT"
precision = 2
"""
NFT = "/api/v1/nft"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def refused(answer: tuple[int, Any], status: int, code: int) -> dict[str, Any]:
    assert (answer[0], answer[1].get("code")) == (status, code), answer
    body: dict[str, Any] = answer[1]
    return body


def signed_form(trader: Trader, method: str, path: str, **params: Any) -> tuple[int, Any]:
    """A signed request with its parameters in a form body, as clients send a long one (a
    mint's items): the signature covers the body."""
    params.setdefault("timestamp", int(time.time() * 1000))
    body = urllib.parse.urlencode(params)
    signature = hmac.new(trader.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return trader.server.request(
        method, path, {**FORM, "X-MBX-APIKEY": trader.api_key},
        f"{body}&signature={signature}".encode(),
    )  # fmt: skip


def balances(*traders: Trader, asset: str) -> list[tuple[str, str]]:
    return [trader.balance(asset) for trader in traders]


def units(trader: Trader, asset: str, precision: int = 0) -> int:
    """The free balance in integer units."""
    free, _ = trader.balance(asset)
    return round_units(free, precision)


def round_units(text: str, precision: int) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole) * 10**precision + int(fraction.ljust(precision, "0") or 0)


def fee_account(server: ExchangeServer, asset: str) -> int:
    """The fee account's balance (it has no API key): from the SQL read model once it has
    written everything the engine applied."""
    deadline = time.monotonic() + 30
    while True:
        status = server.admin("/api/v1/admin/status")
        if status["read_model"]["lag"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    with sqlite3.connect(server.data_dir / "assetport.db") as db:
        row = db.execute(
            "SELECT free FROM balances WHERE account = ? AND asset = ?", (FEE_ACCOUNT, asset)
        ).fetchone()
    return 0 if row is None else int(row[0])


def my_items(trader: Trader) -> list[tuple[str, int, int]]:
    return [(i["collection"], i["tokenId"], i["units"]) for i in ok(trader.get(f"{NFT}/my/items"))]


def wait_until(ms: int) -> None:
    """Sleep until the wall clock passes `ms` (an auction's start): waiting, not timing."""
    time.sleep(max(0.0, ms / 1000 - time.time()) + 0.05)


def now_ms() -> int:
    return int(time.time() * 1000)


def split_of(answer: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("currency", "price", "quantity", "total", "fee", "royalty", "royalties",
            "sellerReceives")  # fmt: skip
    return tuple(json.dumps(answer[key]) for key in keys)


def create(trader: Trader, code: str, **params: Any) -> tuple[int, Any]:
    """POST /collections with a name, ERC-721 and KRW unless `params` say otherwise."""
    defaults = {"name": "X", "standard": "erc721", "currency": "KRW"}
    return trader.post(f"{NFT}/collections", code=code, **{**defaults, **params})


def mint(trader: Trader, code: str, items: list[dict[str, Any]], **params: Any) -> tuple[int, Any]:
    return trader.post(f"{NFT}/collections/{code}/mint", items=json.dumps(items), **params)


class Market:
    """The accounts of the story."""

    def __init__(self, server: ExchangeServer) -> None:
        self.server = server
        self.label = server.user("label")  # the entertainment label: a creator
        self.partner = server.user("partner")  # shares the label's royalty, 1 part of 3
        self.collector = server.user("collector")
        self.buyer = server.user("buyer", KRW="10000000")
        self.fan = server.user("fan", KRW="1000000")
        self.poor = server.user("poor", KRW="1000")
        self.studio = server.user("studio")  # a game studio: ERC-1155 items
        self.gamer = server.user("gamer", KRW="100000")
        self.first = server.user("bidder1", USDT="5000.00")
        self.second = server.user("bidder2", USDT="5000.00")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    root: Path = tmp_path_factory.mktemp("nft-trade")
    listing = root / "listing.toml"
    listing.write_text(LISTING)
    with ExchangeServer(root / "data", "--config", str(listing)) as running:
        yield running


def test_the_marketplace_story(server: ExchangeServer) -> None:
    m = Market(server)
    collections(m)
    english = start_english_auction(m)  # first: its minute runs while the rest goes on
    sale = resale(m)
    dutch_auction(m)
    trait_offer(m)
    game_items(m)
    bad_input(m)
    english_auction_ends(m, english)
    history(m, sale)
    operators(m)  # last: the fee it sets for a moment must not meet the auction's end


def collections(m: Market) -> None:
    """Two collections of the label's and one of the studio's; the royalty's rules."""
    label, partner = m.label, m.partner
    splits = [{"account": label.user_id, "bps": 500}, {"account": partner.user_id, "bps": 250}]
    created = ok(create(label, "yg-blackpink", name="BLACKPINK",
                        description="The label's first drop", royaltyBps=750,
                        royaltySplits=json.dumps(splits)))  # fmt: skip
    assert created == {
        "code": "yg-blackpink", "creator": label.user_id, "name": "BLACKPINK",
        "description": "The label's first drop", "cover": None, "standard": "erc721",
        "currency": "KRW", "royaltyBps": 750, "royaltySplits": splits, "verified": False,
    }  # fmt: skip
    live = ok(create(label, "bigbang-live", currency="USDT", royaltyBps=300))
    assert live["royaltySplits"] == [{"account": label.user_id, "bps": 300}]  # all the creator's
    quest = ok(create(m.studio, "studio-quest", standard="erc1155", royaltyBps=500))
    assert quest["standard"] == "erc1155"

    pink = [
        {"tokenId": i, "name": f"BLACKPINK #{i}", "description": "A photo card",
         "attributes": [{"trait_type": "Background", "value": "Pink" if i % 2 else "Black"}]}
        for i in range(1, 7)
    ]  # fmt: skip
    minted = ok(signed_form(label, "POST", f"{NFT}/collections/yg-blackpink/mint",
                            items=json.dumps(pink), to=m.collector.user_id))  # fmt: skip
    assert minted == {"collection": "yg-blackpink", "to": m.collector.user_id, "count": 6,
                      "tokenIds": [1, 2, 3, 4, 5, 6]}  # fmt: skip
    ok(mint(label, "bigbang-live", [{"tokenId": 1, "name": "Live at Busan"}]))
    ok(mint(m.studio, "studio-quest", [{"tokenId": 7, "supply": 100, "name": "Potion"}]))
    assert my_items(m.collector) == [("yg-blackpink", i, 1) for i in range(1, 7)]
    assert my_items(m.studio) == [("studio-quest", 7, 100)]


def start_english_auction(m: Market) -> dict[str, Any]:
    """The label auctions its live photo; two bidders; the first bid comes back when it is
    beaten, and a bid under the minimum raise is refused."""
    first, second = m.first, m.second
    start = now_ms() + 1500
    auction = ok(m.label.post(f"{NFT}/auctions", collection="bigbang-live", tokenId=1,
                              kind="english", startPrice="100.00", reservePrice="150.00",
                              startAt=start, endAt=start + 61_000))  # fmt: skip
    assert (auction["kind"], auction["minRaiseBps"], auction["startPrice"]) == (
        "english",
        500,
        "100.00",
    )
    assert auction["endPrice"] is None and auction["buyNowPrice"] is None
    aid = auction["auctionId"]
    # Before its start: not open yet, nothing held.
    refused(first.post(f"{NFT}/bids", auctionId=aid, price="100.00"), 409, -7125)
    assert first.balance("USDT") == ("5000.00", "0.00")
    wait_until(start)
    placed = ok(first.post(f"{NFT}/bids", auctionId=aid, price="100.00"))
    assert (placed["status"], placed["held"]) == ("BID", "100.00")
    assert first.balance("USDT") == ("4900.00", "100.00")
    # 5 % above 100.00 is 105.00: 104.99 is refused and holds nothing.
    refused(second.post(f"{NFT}/bids", auctionId=aid, price="104.99"), 400, -7126)
    assert second.balance("USDT") == ("5000.00", "0.00")
    quote = ok(m.fan.get(f"{NFT}/quote", auctionId=aid, price="105.00"))
    # The label auctions what it minted: a primary sale, no royalty.
    assert (quote["minimumBid"], quote["total"], quote["fee"], quote["royalty"]) == (
        "105.00",
        "105.00",
        "1.05",
        "0.00",
    )
    ok(second.post(f"{NFT}/bids", auctionId=aid, price="105.00"))
    assert first.balance("USDT") == ("5000.00", "0.00")  # beaten: given back
    assert second.balance("USDT") == ("4895.00", "105.00")
    ok(first.post(f"{NFT}/bids", auctionId=aid, price="160.00"))
    assert second.balance("USDT") == ("5000.00", "0.00")
    assert first.balance("USDT") == ("4840.00", "160.00")
    [mine] = ok(first.get(f"{NFT}/my/bids"))
    assert (mine["auctionId"], mine["highestBid"], mine["held"]) == (aid, "160.00", "160.00")
    assert ok(second.get(f"{NFT}/my/bids")) == []
    [selling] = ok(m.label.get(f"{NFT}/my/auctions"))
    assert (selling["auctionId"], selling["priceNow"]) == (aid, "168.00")
    refused(m.label.delete(f"{NFT}/auctions", auctionId=aid), 409, -7127)  # it has a bid
    return auction


def resale(m: Market) -> dict[str, Any]:
    """The collector resells: the quote before, then the sale, split the same way; the
    label gets 5 %, the partner 2.5 %, the platform 1 %, the collector the rest."""
    collector, buyer = m.collector, m.buyer
    listed = ok(collector.post(f"{NFT}/listings", collection="yg-blackpink", tokenId=1,
                               price="1000000"))  # fmt: skip
    assert (listed["price"], listed["quantity"], listed["expiresAt"]) == ("1000000", 1, None)
    lid = listed["listingId"]
    [open_listing] = ok(collector.get(f"{NFT}/my/listings"))
    assert (open_listing["listingId"], open_listing["remaining"]) == (lid, 1)
    quote = ok(buyer.get(f"{NFT}/quote", listingId=lid))
    assert (quote["feeBps"], quote["royaltyBps"]) == (100, 750)
    assert quote["royalties"] == [
        {"account": m.label.user_id, "amount": "50000"},
        {"account": m.partner.user_id, "amount": "25000"},
    ]
    assert (quote["total"], quote["fee"], quote["sellerReceives"]) == ("1000000", "10000", "915000")
    fee_before = fee_account(m.server, "KRW")
    refused(buyer.post(f"{NFT}/buy", listingId=lid, price="999999"), 409, -7123)  # not shown
    sale = ok(buyer.post(f"{NFT}/buy", listingId=lid, price="1000000"))
    assert split_of(sale) == split_of(quote)
    assert (sale["kind"], sale["sourceId"], sale["seller"], sale["buyer"]) == (
        "LISTING",
        lid,
        collector.user_id,
        buyer.user_id,
    )
    assert buyer.balance("KRW") == ("9000000", "0")
    assert collector.balance("KRW") == ("915000", "0")
    assert m.label.balance("KRW") == ("50000", "0")
    assert m.partner.balance("KRW") == ("25000", "0")
    assert fee_account(m.server, "KRW") - fee_before == 10000
    assert ("yg-blackpink", 1, 1) in my_items(buyer)
    assert ok(collector.get(f"{NFT}/my/listings")) == []
    refused(buyer.post(f"{NFT}/buy", listingId=lid, price="1000000"), 400, -7119)  # sold out
    return sale


def dutch_auction(m: Market) -> None:
    """A Dutch auction bought mid-way pays the price of that instant, not the bid's most."""
    start = now_ms() + 1200
    auction = ok(m.collector.post(f"{NFT}/auctions", collection="yg-blackpink", tokenId=3,
                                  kind="dutch", startPrice="2000000", endPrice="1000000",
                                  startAt=start, endAt=start + 600_000))  # fmt: skip
    aid = auction["auctionId"]
    assert (auction["endPrice"], auction["minRaiseBps"]) == ("1000000", None)
    wait_until(start + 300)
    quote = ok(m.buyer.get(f"{NFT}/quote", auctionId=aid, price="2000000"))
    assert 1_000_000 < int(quote["price"]) < 2_000_000
    before = units(m.buyer, "KRW")
    collector_before = units(m.collector, "KRW")
    bought = ok(m.buyer.post(f"{NFT}/bids", auctionId=aid, price="2000000"))
    assert bought["status"] == "SOLD"
    sale = bought["sale"]
    price = int(sale["price"])
    assert 1_000_000 < price <= int(quote["price"])  # the price falls: later, lower
    royalty = (RoyaltyShare(m.label.user_id, 500), RoyaltyShare(m.partner.user_id, 250))
    split = split_sale(price, 100, royalty)
    assert (int(sale["fee"]), int(sale["sellerReceives"])) == (split.fee, split.seller)
    assert [(r["account"], int(r["amount"])) for r in sale["royalties"]] == list(split.royalties)
    assert units(m.buyer, "KRW") == before - price
    assert units(m.collector, "KRW") == collector_before + split.seller
    refused(m.fan.post(f"{NFT}/bids", auctionId=aid, price="2000000"), 400, -7121)  # ended


def trait_offer(m: Market) -> None:
    """The fan offers for any item with a pink background; its money is held; a black one
    is refused; the collector sells a pink one to it."""
    fan, collector = m.fan, m.collector
    offer = ok(fan.post(f"{NFT}/offers", collection="yg-blackpink", traitType="Background",
                        traitValue="Pink", price="500000"))  # fmt: skip
    assert (offer["tokenId"], offer["trait"], offer["held"]) == (
        None, {"traitType": "Background", "traitValue": "Pink"}, "500000"
    )  # fmt: skip
    oid = offer["offerId"]
    assert fan.balance("KRW") == ("500000", "500000")
    [mine] = ok(fan.get(f"{NFT}/my/offers"))
    assert (mine["offerId"], mine["remaining"]) == (oid, 1)
    seller_before = units(collector, "KRW")
    refused(collector.post(f"{NFT}/offers/accept", offerId=oid, tokenId=2), 400, -7124)
    assert units(collector, "KRW") == seller_before and fan.balance("KRW") == ("500000", "500000")
    quote = ok(collector.get(f"{NFT}/quote", offerId=oid))
    sale = ok(collector.post(f"{NFT}/offers/accept", offerId=oid, tokenId=5))
    assert split_of(sale) == split_of(quote)
    assert (sale["sellerReceives"], sale["royalty"], sale["fee"]) == ("457500", "37500", "5000")
    assert fan.balance("KRW") == ("500000", "0")
    assert units(collector, "KRW") == seller_before + 457500
    assert ("yg-blackpink", 5, 1) in my_items(fan)
    assert ok(fan.get(f"{NFT}/my/offers")) == []


def game_items(m: Market) -> None:
    """ERC-1155 items trade in parts: a listing of 10 bought 3 then 7, an offer for 6
    filled 2 then 4."""
    studio, gamer = m.studio, m.gamer
    listed = ok(studio.post(f"{NFT}/listings", collection="studio-quest", tokenId=7,
                            quantity=10, price="1000"))  # fmt: skip
    lid = listed["listingId"]
    quote = ok(gamer.get(f"{NFT}/quote", listingId=lid, quantity=3))
    # The studio sells what it minted: a primary sale, no royalty.
    assert (quote["total"], quote["fee"], quote["royalty"], quote["sellerReceives"]) == (
        "3000",
        "30",
        "0",
        "2970",
    )
    sale = ok(gamer.post(f"{NFT}/buy", listingId=lid, quantity=3, price="1000"))
    assert split_of(sale) == split_of(quote)
    [left] = ok(studio.get(f"{NFT}/my/listings"))
    assert (left["quantity"], left["remaining"]) == (10, 7)
    refused(gamer.get(f"{NFT}/quote", listingId=lid, quantity=8), 400, -7118)
    refused(gamer.post(f"{NFT}/buy", listingId=lid, quantity=8, price="1000"), 400, -7118)
    ok(gamer.post(f"{NFT}/buy", listingId=lid, quantity=7, price="1000"))
    assert gamer.balance("KRW") == ("90000", "0")
    # The creator selling its own items is paid the royalty as well as the price.
    assert studio.balance("KRW") == ("9900", "0")
    assert ok(studio.get(f"{NFT}/my/listings")) == []
    assert my_items(gamer) == [("studio-quest", 7, 10)]

    offer = ok(studio.post(f"{NFT}/offers", collection="studio-quest", tokenId=7, quantity=6,
                           price="900"))  # fmt: skip
    oid = offer["offerId"]
    assert studio.balance("KRW") == ("4500", "5400")
    ok(gamer.post(f"{NFT}/offers/accept", offerId=oid, tokenId=7, quantity=2))
    [waiting] = ok(studio.get(f"{NFT}/my/offers"))
    assert (waiting["remaining"], waiting["held"]) == (4, "3600")
    ok(gamer.post(f"{NFT}/offers/accept", offerId=oid, tokenId=7, quantity=4))
    assert my_items(gamer) == [("studio-quest", 7, 4)]
    assert ok(studio.get(f"{NFT}/my/offers")) == []
    ok(gamer.post(f"{NFT}/transfer", collection="studio-quest", tokenId=7, quantity=1,
                  to=m.fan.user_id))  # fmt: skip
    assert my_items(gamer) == [("studio-quest", 7, 3)]


def bad_input(m: Market) -> None:
    """Each refused with a clear code; no balance, hold or item moves."""
    label, collector, buyer, poor = m.label, m.collector, m.buyer, m.poor
    who = (label, collector, buyer, poor, m.fan)
    krw = balances(*who, asset="KRW")
    items = [my_items(trader) for trader in who]

    listed = ok(collector.post(f"{NFT}/listings", collection="yg-blackpink", tokenId=2,
                               price="700000"))  # fmt: skip
    lid = listed["listingId"]
    refused(collector.post(f"{NFT}/buy", listingId=lid, price="700000"), 400, -7122)  # own
    refused(poor.post(f"{NFT}/offers", collection="yg-blackpink", tokenId=2, price="5000"),
            400, -2010)  # no funds  # fmt: skip
    refused(poor.post(f"{NFT}/buy", listingId=lid, price="700000"), 400, -2010)
    refused(buyer.post(f"{NFT}/buy", listingId=lid, price="700000.5"), 400, -1111)
    refused(buyer.post(f"{NFT}/offers", collection="bigbang-live", price="1.001"), 400, -1111)
    refused(buyer.post(f"{NFT}/buy", listingId=lid), 400, -1102)  # no price
    refused(buyer.post(f"{NFT}/buy", listingId=lid, price="700000", extra="1"), 400, -1104)
    refused(collector.post(f"{NFT}/listings", collection="yg-blackpink", tokenId=2,
                           price="1"), 400, -7117)  # listed already: not free  # fmt: skip
    refused(collector.post(f"{NFT}/listings", collection="yg-blackpink", tokenId=4, price="1",
                           expiresAt=now_ms() - 1000), 400, -7118)  # fmt: skip
    refused(collector.post(f"{NFT}/listings", collection="nope", tokenId=4, price="1"),
            400, -7110)  # fmt: skip
    refused(buyer.post(f"{NFT}/offers", collection="yg-blackpink", traitType="Background",
                       price="1"), 400, -1128)  # a trait type without its value  # fmt: skip
    refused(buyer.get(f"{NFT}/quote", listingId=lid, offerId=1), 400, -7129)
    refused(buyer.get(f"{NFT}/quote"), 400, -7129)
    refused(buyer.post(f"{NFT}/offers/accept", offerId=999, tokenId=2), 400, -7120)
    ok(collector.delete(f"{NFT}/listings", listingId=lid))
    refused(collector.delete(f"{NFT}/listings", listingId=lid), 400, -7119)

    # Collections: the royalty's rules, each named.
    over = refused(create(label, "too-much", royaltyBps=1500), 400, -7112)
    assert "at most 10 %" in over["msg"]
    splits = json.dumps([{"account": label.user_id, "bps": 500}])
    uneven = refused(create(label, "uneven", royaltyBps=750, royaltySplits=splits), 400, -1130)
    assert "royaltySplits must sum to royaltyBps" in uneven["msg"]
    twice = json.dumps([{"account": label.user_id, "bps": 5}] * 2)
    named = refused(create(label, "twice", royaltyBps=10, royaltySplits=twice), 400, -7112)
    assert "named once" in named["msg"]
    for bad in ("[", '{"account": 1}', '[{"account": "x", "bps": 1}]', "[" * 100):
        refused(create(label, "bad-json", royaltyBps=1, royaltySplits=bad), 400, -1130)
    refused(create(label, "yg-blackpink"), 409, -7111)
    refused(create(label, "Bad Code"), 400, -7112)
    refused(create(label, "no-money", currency="ETH"), 400, -7112)
    refused(create(label, "no-kind", standard="erc20"), 400, -1130)
    refused(label.post(f"{NFT}/collections", name="X", standard="erc721", currency="KRW"),
            400, -1102)  # fmt: skip

    # Mints: the creator only, each item by the metadata's rules.
    one = [{"tokenId": 99, "name": "X"}]
    refused(mint(collector, "yg-blackpink", one), 400, -7113)
    refused(mint(label, "yg-blackpink", [{"tokenId": 1, "name": "again"}]), 409, -7115)
    supply = refused(mint(label, "yg-blackpink", [{"tokenId": 98, "name": "X", "supply": 2}]),
                     400, -7114)  # fmt: skip
    assert "ERC-721 item is unique" in supply["msg"]
    refused(mint(label, "yg-blackpink", [{"tokenId": 97, "name": "X", "colour": "red"}]),
            400, -1130)  # fmt: skip
    refused(mint(label, "yg-blackpink", []), 400, -7114)
    refused(mint(label, "nope", one), 400, -7110)

    # Unsigned, or with a key and a wrong signature: refused before anything is read.
    query = "collection=yg-blackpink&tokenId=4&price=1&timestamp=1"
    refused(m.server.request("POST", f"{NFT}/listings?{query}"), 401, -2014)
    refused(m.server.request("POST", f"{NFT}/listings?{query}&signature=00",
                             {"X-MBX-APIKEY": collector.api_key}), 400, -1022)  # fmt: skip
    refused(m.server.request("POST", f"{NFT}/collections/yg-blackpink/mint?items=[]"),
            401, -2014)  # fmt: skip
    assert balances(*who, asset="KRW") == krw
    assert [my_items(trader) for trader in who] == items


def history(m: Market, resale: dict[str, Any]) -> None:
    """The SQL history: each account's sales and purchases with their split as they were
    answered, and the royalties a receiver got."""
    bought = ok(m.buyer.get(f"{NFT}/my/sales", role="BUYER"))
    assert [sale["kind"] for sale in bought] == ["AUCTION", "LISTING"]  # newest first
    assert bought[1] == {**resale, "wash": False}
    [newest] = ok(m.collector.get(f"{NFT}/my/sales", role="SELLER", limit=1))
    assert (newest["kind"], newest["sellerReceives"]) == ("OFFER", "457500")
    older = ok(m.collector.get(f"{NFT}/my/sales", beforeSaleId=newest["saleId"]))
    assert [sale["kind"] for sale in older] == ["AUCTION", "LISTING"]
    received = ok(m.partner.get(f"{NFT}/my/royalties"))
    assert len(received) == 3  # the resale, the Dutch auction, the offer
    assert (received[-1]["saleId"], received[-1]["amount"]) == (resale["saleId"], "25000")
    refused(m.buyer.get(f"{NFT}/my/sales", role="seller"), 400, -1130)
    refused(m.buyer.get(f"{NFT}/my/sales", limit=101), 400, -1130)


def operators(m: Market) -> None:
    """The verified badge and the platform's fee; a quote shows the new fee at once."""
    verified = m.server.admin("/api/v1/admin/nft/verify", collection="yg-blackpink", verified=True)
    assert verified == {"collection": "yg-blackpink", "verified": True}
    assert m.server.admin("/api/v1/admin/nft/fee", feeBps=250) == {"feeBps": 250}
    listed = ok(m.collector.post(f"{NFT}/listings", collection="yg-blackpink", tokenId=4,
                                 price="100000"))  # fmt: skip
    quote = ok(m.buyer.get(f"{NFT}/quote", listingId=listed["listingId"]))
    assert (quote["feeBps"], quote["fee"]) == (250, "2500")
    assert m.server.admin("/api/v1/admin/nft/fee", feeBps=100) == {"feeBps": 100}
    token = (m.server.data_dir / "admin.token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    refused(m.server.request("POST", "/api/v1/admin/nft/fee", headers, b'{"feeBps": 5000}'),
            400, -1130)  # fmt: skip
    refused(m.server.request("POST", "/api/v1/admin/nft/verify", headers,
                             b'{"collection": "nope", "verified": true}'), 400, -7110)  # fmt: skip
    refused(m.server.request("POST", "/api/v1/admin/nft/fee", {}, b'{"feeBps": 0}'), 401, -1002)


def english_auction_ends(m: Market, auction: dict[str, Any]) -> None:
    """Once its end has passed the server's timer settles it: the highest bid pays from
    its hold, the label (seller and creator: its own sale pays no royalty) gets the rest,
    the platform 1 %; a bid after the end is refused."""
    first, second = m.first, m.second
    wait_until(auction["endAt"])
    deadline = time.monotonic() + 30
    while first.balance("USDT")[1] != "0.00" and time.monotonic() < deadline:
        time.sleep(0.2)  # the timer sends SettleNfts once a second
    assert first.balance("USDT") == ("4840.00", "0.00")
    assert second.balance("USDT") == ("5000.00", "0.00")
    assert m.label.balance("USDT") == ("158.40", "0.00")  # 160.00 less the 1 % fee
    assert fee_account(m.server, "USDT") == 160  # the only sale in USDT
    assert ("bigbang-live", 1, 1) in my_items(first)
    refused(second.post(f"{NFT}/bids", auctionId=auction["auctionId"], price="500.00"),
            400, -7121)  # fmt: skip
    assert second.balance("USDT") == ("5000.00", "0.00")


def test_the_signed_endpoints_are_in_the_openapi_document(server: ExchangeServer) -> None:
    document = ok(server.request("GET", "/openapi.json"))
    paths = document["paths"]
    for method, path in (
        ("post", "/api/v1/nft/collections"), ("post", "/api/v1/nft/collections/{code}/mint"),
        ("post", "/api/v1/nft/listings"), ("delete", "/api/v1/nft/listings"),
        ("post", "/api/v1/nft/buy"), ("post", "/api/v1/nft/offers/accept"),
        ("post", "/api/v1/nft/auctions"), ("post", "/api/v1/nft/bids"),
        ("get", "/api/v1/nft/quote"), ("get", "/api/v1/nft/my/items"),
    ):  # fmt: skip
        assert method in paths.get(path, {}), (method, path)
    auction = {p["name"]: p for p in paths["/api/v1/nft/auctions"]["post"]["parameters"]}
    assert auction["kind"]["schema"]["enum"] == ["english", "dutch"]
    mint = {
        p["name"]: p for p in paths["/api/v1/nft/collections/{code}/mint"]["post"]["parameters"]
    }
    assert mint["code"]["in"] == "path" and mint["items"]["required"]
    assert "security" not in paths["/api/v1/nft/quote"]["get"]
