"""NFT sales settled by the engine: a collection of `--items` items with a 7.5 % royalty split
between three receivers, every item listed by one of 100 sellers, then each bought by one of
many buyers (`BuyNft`: the checks, the split, one posting of five legs, the item handed over,
the event);
then as many offers made and accepted (paid from the offer's hold). Times the sales alone, each
command's latency, and the peak memory. Target (issue #18): 50,000 sales a second. The last
line printed is one JSON object.

    python benchmarks/nft.py --items 100000
"""

import argparse
import json
import random
import resource
import time
from collections.abc import Callable, Iterator

import msgspec

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    AcceptNftOffer,
    BuyNft,
    Command,
    CreateCollection,
    Deposit,
    ListAsset,
    ListNft,
    MakeNftOffer,
    MintNfts,
)
from assetport.domain.events import CommandRejected
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import ListingTerms, OfferTerms
from assetport.engine.engine import Engine

CREATOR = 5000
RECEIVERS = (CREATOR, 5001, 5002)
FIRST_SELLER = 5100  # an account has at most 10,000 listings open: items go to 100 sellers
SELLERS = 100
FIRST_BUYER = 6000
BUYERS = 1000
PRICE = 150_000  # KRW
COLLECTION = Collection(
    "bench-art", CREATOR, "Bench art", "", "", Standard.ERC721, "KRW",
    (RoyaltyShare(CREATOR, 400), RoyaltyShare(5001, 250), RoyaltyShare(5002, 100)),
)  # fmt: skip


class Runner:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = 1_800_000_000_000_000

    def apply(self, command: Command) -> None:
        self.seq += 1
        self.time += 1
        events = self.engine.apply(self.seq, self.time, command)
        if events and isinstance(events[0], CommandRejected):
            raise SystemExit(f"refused: {command!r}: {events[0].reason}")


def setup(items: int) -> Runner:
    run = Runner()
    run.apply(ListAsset("KRW", 0, AssetKind.FIAT))
    for account in range(FIRST_BUYER, FIRST_BUYER + BUYERS):
        run.apply(Deposit(account, "KRW", 10**15, f"fund-{account}"))
    run.apply(CreateCollection(COLLECTION))
    for first in range(0, items, 1000):
        specs = tuple(
            ItemSpec(i, 1, f"Item #{i}", "", "", (Trait("Tier", str(i % 7)),))
            for i in range(first, min(first + 1000, items))
        )
        seller = FIRST_SELLER + first // 1000 % SELLERS
        run.apply(MintNfts(CREATOR, COLLECTION.code, seller, specs))
    return run


def timed(run: Runner, commands: list[Command]) -> tuple[float, list[int]]:
    """Seconds for all the commands, and each one's latency in nanoseconds."""
    engine, clock = run.engine, time.perf_counter_ns
    latencies: list[int] = []
    note = latencies.append
    seq, now = run.seq, run.time
    started = time.perf_counter()
    for command in commands:
        seq += 1
        now += 1
        before = clock()
        engine.apply(seq, now, command)
        note(clock() - before)
    elapsed = time.perf_counter() - started
    run.seq, run.time = seq, now
    return elapsed, latencies


def percentile(sorted_values: list[int], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))] / 1000


def phase(name: str, run: Runner, make: Callable[[int], Command], count: int) -> dict[str, float]:
    elapsed, latencies = timed(run, [make(i) for i in range(count)])
    latencies.sort()
    figures = {
        f"{name}_per_s": round(count / elapsed),
        f"{name}_p50_us": round(percentile(latencies, 0.50), 2),
        f"{name}_p99_us": round(percentile(latencies, 0.99), 2),
    }
    print(f"{name}: {count:,} in {elapsed:.3f} s = {figures[f'{name}_per_s']:,}/s, "
          f"p50 {figures[f'{name}_p50_us']} µs, p99 {figures[f'{name}_p99_us']} µs")  # fmt: skip
    return figures


PAGE_SELLERS_FROM = 7000  # the page benchmark's sellers: 1000 items each (the open cap)


def page_commands(items: int) -> Iterator[Command]:
    """The page benchmarks' market: `items` items with two traits (a tier of seven, a rare
    one in 97), each seller 1,000 of them, every other one listed at a random price."""
    rng = random.Random(42)
    code = COLLECTION.code
    yield ListAsset("KRW", 0, AssetKind.FIAT)
    yield CreateCollection(COLLECTION)
    for first in range(0, items, 1000):
        specs = tuple(
            ItemSpec(i, 1, f"Item #{i}", "", "ab" * 32,
                     (Trait("Tier", str(i % 7)), Trait("Rare", "yes" if i % 97 == 0 else "no")))
            for i in range(first, min(first + 1000, items))
        )  # fmt: skip
        yield MintNfts(CREATOR, code, PAGE_SELLERS_FROM + first // 1000, specs)
    for token_id in range(0, items, 2):
        price = rng.randrange(1_000, 10_000_000)
        yield ListNft(PAGE_SELLERS_FROM + token_id // 1000, ListingTerms(code, token_id, 1, price))


def page_latency(items: int, requests: int = 400) -> dict[str, float]:
    """The listings page, `GET /api/v1/nft/collections/{code}/items`, of one collection of
    `items` items, half of them listed at random prices: the gateway's NFT view seeded
    from the engine, then for each request its page found and rendered as the endpoint
    renders it, JSON encoded (HTTP aside). Asked: listed items by price; the same of one
    tier (a trait a seventh of the items have); by price down, two tiers (one or the
    other); by recent activity, a rare trait (one item in 97); each first page and
    following the cursors four pages deep, 100 items a page. Prints p50/p99 in ms per
    query and of all; target (issue #18): p99 at most 50 ms with 100,000 items."""
    from assetport.api.rest_nft_market import item_json
    from assetport.runtime.port_server import read_state
    from assetport.views.markets import Markets
    from assetport.views.nft import ItemSort, NftView

    started = time.perf_counter()
    run = Runner()
    for command in page_commands(items):
        run.apply(command)
    code = COLLECTION.code
    seeded = time.perf_counter()
    seed = read_state(run.engine)
    view = NftView()
    view.seed(seed.nft, seed.last_seq)
    markets = Markets()
    markets.seed(seed.assets, seed.markets, seed.fee_overrides)
    print(f"pages: {items:,} items minted, half listed in {seeded - started:.1f} s; "
          f"the view seeded in {time.perf_counter() - seeded:.2f} s")  # fmt: skip
    by_price: dict[str, object] = {"sort": ItemSort.PRICE_ASC, "listed_only": True}
    two_tiers = [Trait("Tier", "1"), Trait("Tier", "2")]
    queries: list[tuple[str, dict[str, object]]] = [
        ("listed_by_price", by_price),
        ("listed_by_price_tier", {**by_price, "traits": [Trait("Tier", "3")]}),
        ("by_price_down_two_tiers", {"sort": ItemSort.PRICE_DESC, "traits": two_tiers}),
        ("recent_rare", {"sort": ItemSort.RECENT, "traits": [Trait("Rare", "yes")]}),
    ]
    now_us = run.time
    figures: dict[str, float] = {}
    every: list[int] = []
    for name, asked in queries:
        latencies: list[int] = []
        while len(latencies) < requests:
            cursor = None
            for _ in range(5):
                before = time.perf_counter_ns()
                page = view.items_page(code, cursor=cursor, limit=100, **asked)  # type: ignore[arg-type]
                body = msgspec.json.encode(
                    {"items": [item_json(i, "KRW", markets, now_us) for i in page.items],
                     "cursor": page.cursor}
                )  # fmt: skip
                latencies.append(time.perf_counter_ns() - before)
                assert body and page.items, name
                cursor = page.cursor
        latencies.sort()
        every += latencies
        figures[f"{name}_p50_ms"] = round(percentile(latencies, 0.50) / 1000, 2)
        figures[f"{name}_p99_ms"] = round(percentile(latencies, 0.99) / 1000, 2)
        print(f"pages {name}: p50 {figures[f'{name}_p50_ms']} ms, "
              f"p99 {figures[f'{name}_p99_ms']} ms")  # fmt: skip
    every.sort()
    figures["page_p50_ms"] = round(percentile(every, 0.50) / 1000, 2)
    figures["page_p99_ms"] = round(percentile(every, 0.99) / 1000, 2)
    print(f"pages, all: p50 {figures['page_p50_ms']} ms, p99 {figures['page_p99_ms']} ms")
    return figures


def page_latency_http(items: int, requests: int = 400) -> dict[str, float]:
    """The same listings page over HTTP, from a real `assetport serve`: the collection is
    journaled first (through an engine service of a fresh data directory), then a server
    started on that directory answers `GET /api/v1/nft/collections/{code}/items` on one
    keep-alive connection, each query's first page and the next four by cursor. Prints
    p50/p99 in ms per query and of all."""
    import asyncio
    import http.client
    import subprocess
    import sys
    import tempfile
    import urllib.parse
    from pathlib import Path

    from assetport.api.engine_link import LocalEngine
    from assetport.domain.events import refusal
    from assetport.runtime.config import RuntimeConfig
    from assetport.runtime.startup import close_service, open_service

    folder = Path(tempfile.mkdtemp(prefix="nft-pages-"))
    data_dir = folder / "data"
    code = COLLECTION.code

    async def journal() -> None:
        service = await open_service(RuntimeConfig(data_dir=data_dir))
        running = asyncio.get_running_loop().create_task(service.run())
        engine = LocalEngine(service)
        try:
            for command in page_commands(items):
                outcome = await engine.execute(command)
                assert refusal(outcome.events) is None, command
        finally:
            service.stop()
            await running
            await close_service(service)

    started = time.perf_counter()
    asyncio.run(journal())
    listing = folder / "listing.toml"
    listing.write_text('[[assets]]\ncode = "KRW"\nprecision = 0\nkind = "fiat"\n')
    print(f"pages over HTTP: {items:,} items journaled in {time.perf_counter() - started:.1f} s")
    server = subprocess.Popen(
        [sys.executable, "-m", "assetport.cli", "serve", "--data-dir", str(data_dir), "--port",
         "0", "--config", str(listing)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        port = json.loads(server.stdout.readline())["port"]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        queries = [
            ("listed_by_price", {"listed": "true", "sort": "price_asc"}),
            ("listed_by_price_tier", {"listed": "true", "sort": "price_asc", "trait": "Tier:3"}),
            ("by_price_down_two_tiers",
             {"sort": "price_desc", "traits": json.dumps(["Tier:1", "Tier:2"])}),
            ("recent_rare", {"sort": "recent", "trait": "Rare:yes"}),
        ]  # fmt: skip
        figures: dict[str, float] = {}
        every: list[int] = []
        for name, asked in queries:
            latencies: list[int] = []
            while len(latencies) < requests:
                cursor: str | None = None
                for _ in range(5):
                    query = {**asked, "limit": "100", **({"cursor": cursor} if cursor else {})}
                    path = f"/api/v1/nft/collections/{code}/items?{urllib.parse.urlencode(query)}"
                    before = time.perf_counter_ns()
                    connection.request("GET", path)
                    answer = connection.getresponse()
                    body = answer.read()
                    latencies.append(time.perf_counter_ns() - before)
                    assert answer.status == 200, body[:200]
                    cursor = json.loads(body)["cursor"]
            latencies.sort()
            every += latencies
            figures[f"{name}_p50_ms"] = round(percentile(latencies, 0.50) / 1000, 2)
            figures[f"{name}_p99_ms"] = round(percentile(latencies, 0.99) / 1000, 2)
            print(f"  {name}: p50 {figures[f'{name}_p50_ms']} ms, "
                  f"p99 {figures[f'{name}_p99_ms']} ms")  # fmt: skip
        every.sort()
        figures["http_p50_ms"] = round(percentile(every, 0.50) / 1000, 2)
        figures["http_p99_ms"] = round(percentile(every, 0.99) / 1000, 2)
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--pages", action="store_true", help="the listings page's latency instead (page_latency)"
    )
    parser.add_argument(
        "--pages-http", action="store_true", help="the same over HTTP from a real server"
    )
    args = parser.parse_args()
    items = args.items
    if args.pages:
        print(json.dumps({"items": items, **page_latency(items)}))
        return
    if args.pages_http:
        print(json.dumps({"items": items, **page_latency_http(items)}))
        return

    started = time.perf_counter()
    run = setup(items)
    for token_id in range(items):
        seller = FIRST_SELLER + token_id // 1000 % SELLERS
        run.apply(ListNft(seller, ListingTerms(COLLECTION.code, token_id, 1, PRICE)))
    print(f"set up {items:,} items minted and listed in {time.perf_counter() - started:.1f} s")
    sold_before = run.engine.nft.state.next_sale_id
    figures = phase(
        "listing_sales",
        run,
        lambda i: BuyNft(FIRST_BUYER + i % BUYERS, i + 1, 1, PRICE),
        items,
    )
    # Offers on the items just bought, each accepted by its new holder: paid from the hold.
    first_offer = run.engine.nft.state.next_offer_id
    for i in range(items):
        buyer = FIRST_BUYER + (i + 1) % BUYERS
        run.apply(MakeNftOffer(buyer, OfferTerms(COLLECTION.code, i, 1, PRICE + 1)))
    figures |= phase(
        "offer_sales",
        run,
        lambda i: AcceptNftOffer(FIRST_BUYER + i % BUYERS, first_offer + i, i, 1),
        items,
    )
    sold = run.engine.nft.state.next_sale_id - sold_before
    assert sold == 2 * items, f"{sold} sales settled, not {2 * items}"
    assert not any(run.engine.ledger_totals().values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB")
    print(json.dumps({"items": items, **figures, "peak_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
