"""The NFT demo (issue #18): `assetport serve --demo` opens a living NFT marketplace. After a
start a newcomer finds a label's verified collection of stage photo cards and a game studio's
verified ERC-1155 items, every item and cover with a picture the server serves, cards listed
by the label and resold by collectors (so the collection has a floor and a volume, and the
royalty reached the label and its artists' management), offers, an English auction that the
demo's bidders bid in, a Dutch auction, and a mystery-box drop whose seed only the platform
holds. A restart adds no second collection, item, badge, auction or drop, and the bidders go
on. A visitor's box opens once the window has ended and the seed is revealed, and a new box
drop opens with the rest of the pool.

What the engine did is read back from the journal the server wrote (a replay, as `assetport
journal replay` does) into the gateway's own NFT view, beside the public API."""

import asyncio
import hashlib
import stat
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from exchange_server import ExchangeServer

from assetport.api.engine_link import LocalEngine
from assetport.api.gateway import Gateway
from assetport.api.ratelimit import RateLimiter
from assetport.domain.commands import BidNft, BuyDrop, Command, Deposit, decode_command
from assetport.domain.events import (
    Deposited,
    Event,
    NftBidPlaced,
    NftBoxOpened,
    NftCollectionCreated,
    NftCollectionVerified,
    NftDropCreated,
    NftDropEnded,
    NftMinted,
    NftSold,
    refusal,
)
from assetport.domain.nft.draws import commitment, seed_from_hex
from assetport.domain.nft.drops import DropKind
from assetport.domain.nft.trading import AuctionKind, NftSaleKind
from assetport.domain.results import RejectReason
from assetport.edge.drop_seeds import SEEDS_DIR
from assetport.edge.keys import KeyStore
from assetport.engine.engine import Engine
from assetport.listings import demo_listings
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.replay import read_records
from assetport.runtime.startup import close_service, open_service
from assetport.server.demo_nft import (
    BOX_POOL,
    COLLECTORS,
    DEMO_ACCOUNTS,
    LABEL,
    LABEL_CODE,
    MANAGEMENT,
    OPENING_OFFERS,
    STUDIO,
    STUDIO_CODE,
    DemoNftMarket,
)
from assetport.server.serve import ensure_listed
from assetport.views.nft import NftView

DEADLINE_S = 90
VISITOR = 1000


class Replayed:
    """The journal replayed through the engine, its events into the gateway's NFT view."""

    def __init__(self, data_dir: Path) -> None:
        self.engine = Engine()
        self.view = NftView()
        self.steps: list[tuple[int, Command, list[Event]]] = []
        for record in read_records(data_dir):
            command = decode_command(record.payload)
            events = self.engine.apply(record.seq, record.time, command)
            self.view.apply(events)
            self.steps.append((record.seq, command, events))
        self.last_seq = self.steps[-1][0] if self.steps else 0

    def events(self, kind: type[Any], after: int = 0) -> list[Any]:
        return [e for seq, _, events in self.steps if seq > after for e in events
                if isinstance(e, kind)]  # fmt: skip


def wait_for(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not ready():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_S} s"
        time.sleep(1.0)


def demo_bids(data_dir: Path, after: int = 0) -> int:
    return len(Replayed(data_dir).events(NftBidPlaced, after))


def get_bytes(server: ExchangeServer, path: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(server.base_url + path, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_the_demo_opens_a_living_nft_marketplace_and_a_restart_adds_nothing_twice(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--demo", "--no-chain") as server:
        wait_for("bid in the demo's English auction", lambda: demo_bids(data_dir) >= 1)
        first = Replayed(data_dir)
        view = first.view
        media = []
        for code in (LABEL_CODE, STUDIO_CODE):
            collection = view.collection(code)
            assert collection is not None and collection.verified, code
            media.append(collection.cover)
            media += [item.spec.image for item in view.items_page(code, limit=100).items]
        for digest in media:  # every item and cover has its picture, served by its hash
            status, content_type, body = get_bytes(server, f"/api/v1/nft/media/{digest}")
            assert (status, content_type) == (200, "image/png"), digest
            assert hashlib.sha256(body).hexdigest() == digest
    assert len(media) == len(set(media)) == 2 + 24 + 6  # no two pictures alike
    assert "demo_nft" not in server.log_path.read_text()  # nothing it sent failed outright

    now_us = first.events(NftBidPlaced)[-1].time
    label = view.collection(LABEL_CODE)
    studio = view.collection(STUDIO_CODE)
    assert label is not None and studio is not None
    assert (label.creator, label.standard, label.currency) == (LABEL, "erc721", "KRW")
    assert [(r.account, r.bps) for r in label.royalty] == [(LABEL, 500), (MANAGEMENT, 250)]
    assert (studio.creator, studio.standard, [(r.account, r.bps) for r in studio.royalty]) == (
        STUDIO, "erc1155", [(STUDIO, 500)]
    )  # fmt: skip
    cards = view.items_page(LABEL_CODE, limit=100).items
    assert len(cards) == 24
    assert all({t.trait_type for t in c.spec.attributes} == {"Member", "Stage", "Rarity"}
               for c in cards)  # fmt: skip
    assert set(view.trait_counts(LABEL_CODE)["Rarity"]) == {"Common", "Rare", "Legendary"}
    game_items = view.items_page(STUDIO_CODE, limit=100).items
    assert len(game_items) == 6 and all(item.spec.supply > 1 for item in game_items)

    # Listed by the label and by collectors who bought and resold, at varied prices: the
    # collections have a floor and a volume; every resale paid the label and its artists'
    # management their royalty.
    for code in (LABEL_CODE, STUDIO_CODE):
        stats = view.stats(code, now_us)
        assert stats.floor > 0 and stats.volume > 0 and stats.listed >= 3, (code, stats)
    listings = [x for c in DEMO_ACCOUNTS for x in view.account_listings(c)]
    sellers = {x.account for x in listings if x.terms.collection == LABEL_CODE}
    assert LABEL in sellers and len(sellers & set(COLLECTORS)) >= 2
    assert len({x.terms.price for x in listings}) >= 5
    resales = [s for s in first.events(NftSold) if s.collection == LABEL_CODE
               and s.kind is NftSaleKind.LISTING and s.seller in COLLECTORS]  # fmt: skip
    assert resales and all(
        dict(s.royalties) == {LABEL: s.total * 500 // 10_000, MANAGEMENT: s.total * 250 // 10_000}
        for s in resales
    )  # fmt: skip
    assert sum(len(view.account_offers(c)) for c in COLLECTORS) >= OPENING_OFFERS

    # An English auction of a card with anti-sniping, bid on by the demo's collectors, and a
    # Dutch auction of the studio's items.
    english = [a for a in view.auctions(LABEL_CODE) if a.terms.kind is AuctionKind.ENGLISH]
    (auction,) = english
    assert auction.account in DEMO_ACCOUNTS and auction.bidder in COLLECTORS
    assert auction.terms.extend_within_us > 0 and auction.terms.extension_us > 0
    (dutch,) = view.auctions(STUDIO_CODE)
    assert (dutch.account, dutch.terms.kind) == (STUDIO, AuctionKind.DUTCH)

    # The label's mystery-box drop, open to users: its seed kept by the platform alone,
    # in a private file named by the commitment journaled with the drop.
    (drop,) = view.drops(LABEL_CODE)
    assert (drop.account, drop.terms.kind) == (LABEL, DropKind.BOX)
    assert {token_id for token_id, _ in drop.terms.lots} == set(BOX_POOL)
    seed_file = data_dir / SEEDS_DIR / drop.terms.commitment
    assert stat.S_IMODE(seed_file.stat().st_mode) == 0o600
    journaled = b"".join(record.payload for record in read_records(data_dir))
    assert seed_file.read_bytes()[-32:] not in journaled  # the seed stays off the journal
    assert not any(first.engine.ledger_totals().values())

    with ExchangeServer(data_dir, "--demo", "--no-chain") as server:
        wait_for("bid after the restart", lambda: demo_bids(data_dir, first.last_seq) >= 1)
    assert "demo_nft" not in server.log_path.read_text()

    again = Replayed(data_dir)
    for kind in (NftCollectionCreated, NftCollectionVerified, NftMinted, NftDropCreated):
        assert again.events(kind, first.last_seq) == [], kind
    assert len(again.events(NftCollectionCreated)) == len(again.events(NftMinted)) == 2
    assert sum(len(e.items) for e in again.events(NftMinted)) == 30
    funded = [e for e in again.events(Deposited) if e.account in COLLECTORS]
    assert len(funded) == len(COLLECTORS)  # once each
    assert [a.auction_id for a in again.view.auctions(LABEL_CODE)] == [auction.auction_id]
    assert [a.auction_id for a in again.view.auctions(STUDIO_CODE)] == [dutch.auction_id]
    assert [d.drop_id for d in again.view.drops(LABEL_CODE)] == [drop.drop_id]
    bids = [c for _, c, _ in again.steps if isinstance(c, BidNft)]
    assert {bid.account for bid in bids} <= set(COLLECTORS)
    assert not any(again.engine.ledger_totals().values())


def test_a_visitor_opens_a_box_once_the_window_ends_and_a_new_drop_opens(tmp_path: Path) -> None:
    """In the server's process, with a box window of two seconds: a collector (a platform
    account) may not buy a box, a visitor buys one; once the window has ended the demo
    reveals the seed, the box opens into a card of the pool, and a new drop sells the rest."""
    data_dir = tmp_path / "data"

    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=data_dir))
        running = asyncio.get_running_loop().create_task(service.run())
        try:
            gateway = Gateway(LocalEngine(service), KeyStore(data_dir), RateLimiter())
            await ensure_listed(gateway, demo_listings())
            seen: list[Event] = []
            gateway.listeners.append(lambda seq, command, events, changes: seen.extend(events))
            demo = DemoNftMarket(gateway, data_dir, box_window_s=2.0)
            assert await demo.set_up()
            (drop,) = gateway.nft.drops(LABEL_CODE)
            funded = await gateway.engine.execute(Deposit(VISITOR, "KRW", 10**6, "visitor"))
            assert refusal(funded.events) is None
            await asyncio.sleep(max(0, drop.terms.starts_us / 1e6 - time.time()) + 0.1)

            def buy(account: int) -> BuyDrop:
                return BuyDrop(account, drop.drop_id, 1)

            platform = refusal((await gateway.engine.execute(buy(COLLECTORS[0]))).events)
            assert platform is not None and platform.reason is RejectReason.DROP_LIMIT
            assert refusal((await gateway.engine.execute(buy(VISITOR))).events) is None
            await asyncio.sleep(max(0, drop.terms.ends_us / 1e6 - time.time()) + 0.1)
            await demo.keep_up()

            (opened,) = [e for e in seen if isinstance(e, NftBoxOpened)]
            assert (opened.account, opened.collection) == (VISITOR, LABEL_CODE)
            assert opened.token_id in BOX_POOL
            item = gateway.nft.item(LABEL_CODE, opened.token_id)
            assert item is not None and item.owner() == VISITOR
            (ended,) = [e for e in seen if isinstance(e, NftDropEnded)]
            assert commitment(seed_from_hex(ended.seed)) == drop.terms.commitment
            (again,) = gateway.nft.drops(LABEL_CODE)
            assert again.drop_id != drop.drop_id and again.terms.kind is DropKind.BOX
            left = {token_id for token_id, _ in again.terms.lots}
            assert left == set(BOX_POOL) - {opened.token_id}
            assert len([e for e in seen if isinstance(e, NftDropCreated)]) == 2
        finally:
            service.stop()
            await running
            await close_service(service)

    asyncio.run(main())
