"""The NFT marketplace's public reads over real HTTP and WebSocket (issue #18), against a real
`assetport serve`: collections with their floor, volume and owners, a collection's traits,
its items filtered by traits and listed ones and paged by cursor, an item with its holders,
listings, offers, auctions and royalty, its ERC-721 metadata, its provenance and price
history, a collection's activity, the running auctions; bad parameters answered with
Binance-style errors; and, with the server running, English auctions ending by themselves
(the settle timer) with their sale on the collection's `<code>@nft` stream.

The marketplace is built before the server starts, by commands written to its journal (the
signed write endpoints are tested with their own module): the server recovers it, its SQL
read model catches up from the journal, and the gateway's view starts from the engine and
the history, as after any restart. The journal's clock runs a minute behind so that
auctions, which last at least a minute, end soon after the server is up."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from exchange_server import ExchangeServer
from websockets.sync.client import connect

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    BidNft,
    BuyNft,
    Command,
    CreateCollection,
    Deposit,
    ListAsset,
    ListNft,
    MakeNftOffer,
    MintNfts,
    StartNftAuction,
    TransferNft,
)
from assetport.domain.events import refusal
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.items import ItemSpec, Trait, metadata_json
from assetport.domain.nft.trading import AuctionKind, AuctionTerms, ListingTerms, OfferTerms
from assetport.runtime.bus import EventBus
from assetport.runtime.command_log import command_log_for
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.recovery import recover
from assetport.runtime.sequencer import Sequencer
from assetport.runtime.service import EngineService
from assetport.runtime.snapshotter import Snapshotter
from assetport.runtime.startup import close_service, snapshot_store

LISTING = """
[[assets]]
code = "KRW"
precision = 0
"""
LABEL, STUDIO, ANN, BEN, CAT, DAN = 1000, 1001, 1002, 1003, 1004, 1005
BP, GAME, LIVE = "tests-label", "tests-game", "tests-live"
BEHIND_US: Final = 60_000_000  # the journal's clock, a minute behind
# When the live auctions end, in seconds after the journal is written.
LIVE_ENDS_S: Final = (30, 60, 120)
IMAGE = "cd" * 32


def _clock_behind() -> int:
    return time.time_ns() // 1000 - BEHIND_US


def _card(token_id: int) -> ItemSpec:
    """#0..#11: odd ones pink, even ones black; #0..#2 with laser eyes."""
    background = Trait("Background", "Pink" if token_id % 2 else "Black")
    eyes = Trait("Eyes", "Laser" if token_id < 3 else "Plain")
    return ItemSpec(token_id, 1, f"Card #{token_id}", "A card", IMAGE, (background, eyes))


def _marketplace() -> Iterator[Command | str]:
    """The commands written before the server starts, each made as it is sent (an auction
    starts just after it is sent); "bids": the live auctions' bids come once the auctions
    have started."""
    label = Collection(BP, LABEL, "Label cards", "Cards", "ab" * 32, Standard.ERC721, "KRW",
                       (RoyaltyShare(LABEL, 500), RoyaltyShare(DAN, 250)))  # fmt: skip
    game = Collection(GAME, STUDIO, "Game items", "", "", Standard.ERC1155, "KRW", ())
    live = Collection(LIVE, LABEL, "Live auctions", "", "", Standard.ERC721, "KRW", ())
    day = 86_400_000_000
    yield ListAsset("KRW", 0, AssetKind.FIAT)
    yield from [Deposit(a, "KRW", 10_000_000, f"krw-{a}") for a in (LABEL, STUDIO, ANN, BEN,
                                                                    CAT, DAN)]  # fmt: skip
    yield from [
        CreateCollection(label),
        MintNfts(LABEL, BP, LABEL, tuple(_card(i) for i in range(12))),
        ListNft(LABEL, ListingTerms(BP, 2, 1, 20_000)),  # listing 1
        ListNft(LABEL, ListingTerms(BP, 3, 1, 15_000)),  # listing 2
        ListNft(LABEL, ListingTerms(BP, 1, 1, 10_001)),  # listing 3
        BuyNft(ANN, 3, 1, 10_001),  # sale 1
        MakeNftOffer(BEN, OfferTerms(BP, None, 1, 5_000, 0, Trait("Background", "Pink"))),
        MakeNftOffer(BEN, OfferTerms(BP, None, 2, 4_000)),
        MakeNftOffer(CAT, OfferTerms(BP, 4, 1, 6_000)),
    ]
    now = _clock_behind()
    yield StartNftAuction(
        LABEL,
        AuctionTerms(
            BP, 6, 1, AuctionKind.DUTCH, 50_000, now + 50_000, now + day, end_price=10_000
        ),
    )  # auction 1
    yield from [
        TransferNft(LABEL, BP, 7, 1, CAT),
        CreateCollection(game),
        MintNfts(STUDIO, GAME, STUDIO, (ItemSpec(1, 100, "Sword", "", ""),)),
        ListNft(STUDIO, ListingTerms(GAME, 1, 10, 500)),  # listing 4
        BuyNft(ANN, 4, 3, 500),  # sale 2
        CreateCollection(live),
        MintNfts(LABEL, LIVE, LABEL, tuple(ItemSpec(i, 1, f"Lot {i}", "", "") for i in (1, 2, 3))),
    ]  # fmt: skip
    for token_id, ends_s in zip((1, 2, 3), LIVE_ENDS_S, strict=True):
        starts = _clock_behind() + 50_000
        yield StartNftAuction(LABEL, AuctionTerms(
            LIVE, token_id, 1, AuctionKind.ENGLISH, 100 * token_id, starts,
            starts + BEHIND_US + ends_s * 1_000_000))  # auctions 2, 3, 4  # fmt: skip
    yield "bids"
    yield from [BidNft(ANN, auction_id, 100 * (auction_id - 1)) for auction_id in (2, 3, 4)]


async def _write_journal(data_dir: Path) -> None:
    """The marketplace into the data directory's journal, as `serve` would write it, by a
    sequencer whose clock is a minute behind."""
    config = RuntimeConfig(data_dir)
    log = command_log_for(config)
    await log.open()
    store = snapshot_store(config)
    recovered = await recover(log, store)
    engine = recovered.engine
    snapshotter = Snapshotter(store, log, every_commands=config.snapshot_every_commands,
                              every_seconds=config.snapshot_every_seconds, last_seq=0)  # fmt: skip
    sequencer = Sequencer(engine.last_seq, recovered.last_time, clock=_clock_behind)
    service = EngineService(engine, log, sequencer, snapshotter, EventBus(),
                            queue_bound=config.queue_bound, batch_max=config.batch_max)  # fmt: skip
    running = asyncio.get_running_loop().create_task(service.run())
    try:
        for command in _marketplace():
            if command == "bids":
                await asyncio.sleep(0.2)  # the auctions have started
                continue
            assert not isinstance(command, str)
            outcome = await service.execute(command)
            assert refusal(outcome.events) is None, (command, outcome.events)
    finally:
        service.stop()
        await running
        await close_service(service)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    root = tmp_path_factory.mktemp("nft-market")
    data_dir = root / "data"
    data_dir.mkdir(mode=0o700)
    asyncio.run(_write_journal(data_dir))
    listing = root / "listing.toml"
    listing.write_text(LISTING)
    with ExchangeServer(data_dir, "--config", str(listing)) as running:
        yield running


def get(server: ExchangeServer, path: str, **params: Any) -> tuple[int, Any]:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return server.request("GET", f"/api/v1/nft{path}" + (f"?{query}" if query else ""))


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def refused(answer: tuple[int, Any], status: int, code: int) -> None:
    assert (answer[0], answer[1]["code"]) == (status, code), answer


def test_collections_with_their_statistics(server: ExchangeServer) -> None:
    listed = ok(get(server, "/collections"))
    assert listed["total"] == 3
    label, game, live = listed["collections"]  # by volume
    assert [c["code"] for c in (label, game, live)] == [BP, GAME, LIVE]
    # Sold #1 for 10,001; #2 at 20,000 and #3 at 15,000 listed; Ann, Cat and the label own.
    stats = ("items", "owners", "listed", "floor", "volume", "volume24h", "sales")
    assert [label[k] for k in stats] == [12, 3, 2, "15000", "10001", "10001", 1]
    assert (label["standard"], label["currency"], label["royaltyBps"], label["verified"]) == (
        "ERC721", "KRW", 750, False
    )  # fmt: skip
    assert label["royalties"] == [{"account": LABEL, "bps": 500}, {"account": DAN, "bps": 250}]
    assert label["cover"] == "/api/v1/nft/media/" + "ab" * 32
    assert (game["volume"], game["floor"], game["owners"]) == ("1500", "500", 2)
    by_floor = ok(get(server, "/collections", sort="floor"))["collections"]
    assert [c["code"] for c in by_floor] == [BP, GAME, LIVE]  # none listed: last
    newest = ok(get(server, "/collections", sort="new"))["collections"]
    assert [c["code"] for c in newest] == [LIVE, GAME, BP]
    page = ok(get(server, "/collections", limit=1, offset=1))
    assert (page["total"], [c["code"] for c in page["collections"]]) == (3, [GAME])
    refused(get(server, "/collections", sort="price"), 400, -1130)
    refused(get(server, "/collections", limit=101), 400, -1130)
    refused(get(server, "/collections", limit="ten"), 400, -1100)
    refused(get(server, "/collections", colour="red"), 400, -1104)


def test_a_collection_and_its_traits(server: ExchangeServer) -> None:
    label = ok(get(server, f"/collections/{BP}"))
    assert label["traits"] == {
        "Background": {"Black": 6, "Pink": 6},
        "Eyes": {"Laser": 3, "Plain": 9},
    }
    # The best offer any holder may take: Ben's on pink items.
    top = label["topOffer"]
    assert (top["scope"], top["price"], top["trait"], top["buyer"]) == (
        "TRAIT", "5000", {"trait_type": "Background", "value": "Pink"}, BEN
    )  # fmt: skip
    assert (label["feeBps"], label["createTime"] > 0) == (100, True)
    refused(get(server, "/collections/no-such"), 404, -7110)


def test_items_filtered_sorted_and_paged(server: ExchangeServer) -> None:
    def ids(**params: Any) -> list[int]:
        return [item["tokenId"] for item in ok(get(server, f"/collections/{BP}/items",
                                                   **params))["items"]]  # fmt: skip

    # By price: the listed, cheapest first, then the others by token id.
    assert ids() == [3, 2, 0, 1, 4, 5, 6, 7, 8, 9, 10, 11]
    assert ids(listed="true") == [3, 2]
    assert ids(sort="price_desc", listed="true") == [2, 3]
    assert ids(trait="Background:Pink") == [3, 1, 5, 7, 9, 11]
    assert ids(traits='["Eyes:Laser","Background:Pink"]') == [1]
    # Two values of one type: either.
    assert ids(traits='["Eyes:Laser","Eyes:Plain"]', listed="true") == [3, 2]
    assert ids(trait="Eyes:Blue") == []
    # Recently listed or sold first: #1 (sold last), #3, #2, then the others as minted.
    assert ids(sort="recent")[:4] == [1, 3, 2, 0]
    first = ok(get(server, f"/collections/{BP}/items", sort="token_id", limit=5))
    assert [item["tokenId"] for item in first["items"]] == [0, 1, 2, 3, 4]
    seen = [item["tokenId"] for item in first["items"]]
    cursor = first["cursor"]
    while cursor is not None:
        page = ok(get(server, f"/collections/{BP}/items", sort="token_id", limit=5,
                      cursor=cursor))  # fmt: skip
        seen += [item["tokenId"] for item in page["items"]]
        cursor = page["cursor"]
    assert seen == list(range(12))
    three = ok(get(server, f"/collections/{BP}/items", listed="true"))["items"][0]
    assert (three["price"], three["listingId"], three["owner"], three["name"]) == (
        "15000", 2, LABEL, "Card #3"
    )  # fmt: skip
    assert three["attributes"] == [{"trait_type": "Background", "value": "Pink"},
                                   {"trait_type": "Eyes", "value": "Plain"}]  # fmt: skip
    assert three["image"] == f"/api/v1/nft/media/{IMAGE}"
    path = f"/collections/{BP}/items"
    refused(get(server, path, cursor="price_asc.0.x"), 400, -1130)
    refused(get(server, path, sort="token_id", cursor=first["cursor"].replace("token", "x")),
            400, -1130)  # fmt: skip
    refused(get(server, path, trait="Background"), 400, -1130)
    refused(get(server, path, trait="a:b", traits='["a:b"]'), 400, -1128)
    refused(get(server, path, traits="[[[["), 400, -1130)
    refused(get(server, path, traits="[]"), 400, -1130)
    refused(get(server, path, listed="maybe"), 400, -1130)
    refused(get(server, path, sort="cheapest"), 400, -1130)
    refused(get(server, "/collections/no-such/items"), 404, -7110)


def test_an_item_with_its_holders_listings_offers_and_royalty(server: ExchangeServer) -> None:
    one = ok(get(server, f"/collections/{BP}/items/1"))
    assert (one["owner"], one["price"], one["lastSale"]["price"]) == (ANN, None, "10001")
    assert one["owners"] == [{"account": ANN, "units": 1, "free": 1}]
    # Pink: Ben's trait offer, then his offer on any item; Cat's is on #4 only.
    assert [(o["scope"], o["price"], o["quantity"]) for o in one["offers"]] == [
        ("TRAIT", "5000", 1), ("COLLECTION", "4000", 2)
    ]  # fmt: skip
    assert one["royalty"] == {"bps": 750, "receivers": [{"account": LABEL, "bps": 500},
                                                        {"account": DAN, "bps": 250}]}  # fmt: skip
    assert one["metadataUrl"] == f"/api/v1/nft/collections/{BP}/items/1/metadata"
    three = ok(get(server, f"/collections/{BP}/items/3"))
    # Listed: the label still owns it, none of it free.
    assert three["owners"] == [{"account": LABEL, "units": 1, "free": 0}]
    assert [(x["listingId"], x["seller"], x["price"], x["quantity"]) for x in three["listings"]
            ] == [(2, LABEL, "15000", 1)]  # fmt: skip
    four = ok(get(server, f"/collections/{BP}/items/4"))
    offers = [(o["scope"], o["price"]) for o in four["offers"]]
    assert offers == [("ITEM", "6000"), ("COLLECTION", "4000")]
    six = ok(get(server, f"/collections/{BP}/items/6"))
    (dutch,) = six["auctions"]
    assert (dutch["kind"], dutch["status"], dutch["startPrice"], dutch["endPrice"]) == (
        "DUTCH", "RUNNING", "50000", "10000"
    )  # fmt: skip
    assert 10_000 < int(dutch["currentPrice"]) < 50_000 and dutch["nextMinimumBid"] is None
    assert six["owner"] == LABEL
    sword = ok(get(server, f"/collections/{GAME}/items/1"))
    assert sword["owner"] is None and sword["owners"] == [
        {"account": STUDIO, "units": 97, "free": 90}, {"account": ANN, "units": 3, "free": 3}
    ]  # fmt: skip
    assert (sword["price"], sword["standard"], sword["supply"]) == ("500", "ERC1155", 100)
    refused(get(server, f"/collections/{BP}/items/99"), 404, -7116)
    refused(get(server, f"/collections/{BP}/items/abc"), 400, -1100)
    refused(get(server, "/collections/no-such/items/1"), 404, -7110)


def test_an_items_metadata_and_history(server: ExchangeServer) -> None:
    assert ok(get(server, f"/collections/{BP}/items/1/metadata")) == metadata_json(_card(1))
    refused(get(server, f"/collections/{BP}/items/12/metadata"), 404, -7116)
    history = ok(get(server, f"/collections/{BP}/items/1/history"))
    provenance = history["provenance"]
    assert [(a["kind"], a["account"], a["counterparty"], a["price"]) for a in provenance] == [
        ("LISTING_ENDED", LABEL, None, None),
        ("SOLD", LABEL, ANN, "10001"),
        ("LISTED", LABEL, None, "10001"),
        ("MINTED", LABEL, LABEL, None),
    ]
    assert history["cursor"] is None
    assert [(s["price"], s["buyer"], s["wash"]) for s in history["priceHistory"]] == [
        ("10001", ANN, False)
    ]
    paged = ok(get(server, f"/collections/{BP}/items/1/history", limit=2))
    assert [a["kind"] for a in paged["provenance"]] == ["LISTING_ENDED", "SOLD"]
    rest = ok(get(server, f"/collections/{BP}/items/1/history", limit=2,
                  cursor=paged["cursor"]))  # fmt: skip
    assert [a["kind"] for a in rest["provenance"]] == ["LISTED", "MINTED"]
    refused(get(server, f"/collections/{BP}/items/1/history", cursor="1-2"), 400, -1130)


def test_a_collections_activity(server: ExchangeServer) -> None:
    everything = ok(get(server, f"/collections/{BP}/activity", limit=100))["activity"]
    kinds = [a["kind"] for a in everything]
    assert kinds[0] == "TRANSFERRED" and kinds[-1] == "COLLECTION_CREATED"
    assert kinds.count("MINTED") == 12 and kinds.count("OFFER_MADE") == 3
    started = next(a for a in everything if a["kind"] == "AUCTION_STARTED")
    assert (started["tokenId"], started["price"], started["reason"]) == (6, "50000", "DUTCH")
    paged, cursor = [], None
    while True:
        page = ok(get(server, f"/collections/{BP}/activity", limit=7,
                      **({"cursor": cursor} if cursor else {})))  # fmt: skip
        paged += page["activity"]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert paged == everything
    sales = ok(get(server, f"/collections/{BP}/activity", kind="SOLD"))["activity"]
    assert [(a["tokenId"], a["price"], a["counterparty"]) for a in sales] == [(1, "10001", ANN)]
    refused(get(server, f"/collections/{BP}/activity", kind="HUGGED"), 400, -1130)
    refused(get(server, "/collections/no-such/activity"), 404, -7110)


def test_running_auctions(server: ExchangeServer) -> None:
    label = ok(get(server, "/auctions", collection=BP))
    assert [(a["auctionId"], a["tokenId"], a["kind"]) for a in label] == [(1, 6, "DUTCH")]
    every = ok(get(server, "/auctions"))
    ends = [a["endTime"] for a in every]
    assert ends == sorted(ends) and every[-1]["auctionId"] == 1  # the Dutch one, a day long
    one = ok(get(server, "/auctions/1"))
    assert (one["name"], one["seller"], one["bids"]) == ("Card #6", LABEL, 0)
    refused(get(server, "/auctions/999"), 404, -7121)
    refused(get(server, "/auctions", collection="no-such"), 404, -7110)


def test_the_endpoints_are_in_the_openapi_document(server: ExchangeServer) -> None:
    status, document = server.request("GET", "/openapi.json")
    assert status == 200
    paths = document["paths"]
    for path in ("/api/v1/nft/collections", "/api/v1/nft/collections/{code}/items",
                 "/api/v1/nft/collections/{code}/items/{tokenId}/history",
                 "/api/v1/nft/auctions/{auctionId}"):  # fmt: skip
        assert "get" in paths[path], path
    item = paths["/api/v1/nft/collections/{code}/items/{tokenId}"]["get"]
    assert {p["name"]: p["in"] for p in item["parameters"]} == {"code": "path",
                                                                "tokenId": "path"}  # fmt: skip


def test_an_auction_ends_by_itself_and_its_sale_is_streamed(server: ExchangeServer) -> None:
    """The settle timer ends each live auction at its end: the stream of its collection
    shows the end and the sale, and the item is the bidder's."""
    with connect(f"ws://127.0.0.1:{server.port}/ws/{LIVE}@nft") as stream:
        # Subscribed: the auctions still running now must end on the stream.
        running = ok(get(server, "/auctions", collection=LIVE))
        assert running, "every live auction ended before the stream was listened to"
        first = running[0]
        auction_id, token_id = first["auctionId"], first["tokenId"]
        assert (first["highestBidder"], first["bids"]) == (ANN, 1)
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + max(LIVE_ENDS_S) + 60
        while not any(m["e"] == "nftSale" and m["sourceId"] == auction_id for m in seen):
            assert time.monotonic() < deadline, seen
            seen.append(json.loads(stream.recv(timeout=max(LIVE_ENDS_S) + 60)))
        ends = [m for m in seen if m["e"] == "nftAuctionEnded"]
        ended = next(m for m in ends if m["auctionId"] == auction_id)
        sale = next(m for m in seen if m["e"] == "nftSale" and m["sourceId"] == auction_id)
    assert (ended["reason"], ended["tokenId"], ended["collection"]) == ("SOLD", token_id, LIVE)
    assert (sale["kind"], sale["buyer"], sale["seller"], sale["price"], sale["wash"]) == (
        "AUCTION", ANN, LABEL, first["highestBid"], False
    )  # fmt: skip
    assert sale["E"] >= first["endTime"]
    refused(get(server, f"/auctions/{auction_id}"), 404, -7121)
    item = ok(get(server, f"/collections/{LIVE}/items/{token_id}"))
    assert (item["owner"], item["lastSale"]["price"]) == (ANN, first["highestBid"])
    history = ok(get(server, f"/collections/{LIVE}/items/{token_id}/history"))
    assert [a["kind"] for a in history["provenance"]][:2] == ["SOLD", "AUCTION_ENDED"]


def test_a_stream_of_no_collection_is_refused(server: ExchangeServer) -> None:
    with connect(f"ws://127.0.0.1:{server.port}/ws") as stream:
        stream.send(json.dumps({"method": "SUBSCRIBE", "params": ["no-such@nft"], "id": 1}))
        answer = json.loads(stream.recv(timeout=10))
    assert answer["id"] == 1 and answer["error"]["code"] == 2
