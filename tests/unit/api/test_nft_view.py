"""The gateway's NFT view (`views/nft.py`) agrees with the engine: a view that followed every
event, one seeded half-way (a gateway starting after a restart, or over the command port)
and one seeded at the end hold the same items, holders, listings, offers, auctions and
drops; what it shows (floor, volume without wash trades, owners, trait counts, the offers an
item's holder may accept, an auction's price now, the next deadline) is what the stream
did, computed by hand; its pages, filtered by traits and listed items and read by cursor,
are the items a naive sort of the whole collection gives, whatever the page size; a cursor
that is not one is refused, never a crash."""

import random
import sys
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from nft_stream import (
    ANN,
    BEN,
    BP,
    CAT,
    DAN,
    GAME,
    HALF_WAY,
    LABEL,
    LASER,
    PINK,
    START_US,
    STUDIO,
    Stream,
    nft_stream,
    us,
)

from assetport.domain.events import NftCollectionCreated, NftListed, NftMinted, NftSold
from assetport.domain.nft.collections import Collection, Standard
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import ListingTerms, NftSaleKind
from assetport.engine.engine import Engine
from assetport.runtime.port_server import read_state
from assetport.runtime.wire import ReadOf, frame, reply_decoder
from assetport.views.nft import BadCursor, ItemSort, NftPast, NftView
from assetport.views.seed import NftSeed, Seed

STREAM = nft_stream()
END_US = STREAM.items[-1][1]


def _followed(stream: Stream, upto: int | None = None) -> NftView:
    view = NftView()
    for seq, _, _, events in stream.items:
        if upto is None or seq <= upto:
            view.apply(events)
    return view


def _engine_at(stream: Stream, seq: int) -> Engine:
    engine = Engine()
    for at, time, command, _ in stream.items[:seq]:
        engine.apply(at, time, command)
    return engine


def _seeded(engine: Engine) -> NftView:
    view = NftView()
    view.seed(read_state(engine).nft)
    return view


def _state(view: NftView) -> list[object]:
    """What the engine decides, as the view has it: no history (times, volumes)."""
    out: list[object] = [view.fee_bps, view.next_deadline()]
    for collection in view.collections():
        code = collection.code
        out.append((collection, view.trait_counts(code), view.stats(code, END_US)[:4]))
        page = view.items_page(code, sort=ItemSort.TOKEN_ID, limit=100)
        for item in page.items:
            out.append((item.spec, sorted(item.owners.items()), sorted(item.holders().items()),
                        item.price, sorted(item.listings), sorted(item.auctions),
                        sorted(item.drops), item.on_chain))  # fmt: skip
            out.append([(o.offer_id, o.remaining) for o in view.offers_for(item)])
        out.append([(a.auction_id, a.ends_us, a.bidder, a.bid) for a in view.auctions(code)])
        out.append([(d.drop_id, d.left, d.entered) for d in view.drops(code)])
        out.append(view.contracts(code))
    for account in (LABEL, STUDIO, ANN, BEN, CAT, DAN):
        out.append([(i.collection, i.spec.token_id, units) for i, units in view.holding(account)])
        out.append([(x.listing_id, x.remaining) for x in view.account_listings(account)])
        out.append([(x.offer_id, x.remaining) for x in view.account_offers(account)])
        out.append([x.auction_id for x in view.account_auctions(account)])
        out.append([x.auction_id for x in view.account_bids(account)])
    return out


def test_following_the_events_gives_the_engines_state() -> None:
    followed = _followed(STREAM)
    assert _state(followed) == _state(_seeded(STREAM.engine))
    # Seeded half-way (a restart), then following the rest: the same.
    half = _seeded(_engine_at(STREAM, HALF_WAY))
    for seq, _, _, events in STREAM.items:
        if seq > HALF_WAY:
            half.apply(events)
    assert _state(half) == _state(followed)


def test_events_about_what_the_view_never_saw_are_passed_over() -> None:
    """A gateway over the command port sees only its own commands' events (#20): the rest
    of the stream, without its start, changes nothing it cannot place and raises nothing."""
    view = NftView()
    for seq, _, _, events in STREAM.items:
        if seq > HALF_WAY:
            view.apply(events)
    assert view.collections() == [] and view.next_deadline() == 0


def test_a_seed_crosses_the_command_port_and_a_peer_without_nft_still_decodes() -> None:
    seed = read_state(STREAM.engine)
    body = frame(ReadOf(7, seed))[4:]
    received = reply_decoder.decode(body)
    assert isinstance(received, ReadOf)
    view = NftView()
    view.seed(received.seed.nft)
    assert _state(view) == _state(_followed(STREAM))
    # A peer that knows nothing of the NFT marketplace sends a Seed without it (nor the
    # order lists that came after it).
    fields = msgspec.to_builtins(seed)[:-2]
    older = msgspec.msgpack.decode(msgspec.msgpack.encode(fields), type=Seed)
    assert older.nft == NftSeed()


def test_what_the_collection_pages_show() -> None:
    view = _followed(STREAM)
    label = view.stats(BP, END_US)
    # #0..#9: Ben has #1 (bought by trait offer) and #7 (the wash trade), Dan #5 (the
    # auction); #2's listing expired, #3 is listed at 15,000, #6 in the Dutch auction.
    assert (label.items, label.owners, label.listed, label.floor) == (10, 3, 1, 15_000)
    # 10,001 + 5,000 + 2,100: the 30,000 wash trade counts in nothing.
    assert (label.volume, label.volume_24h, label.sales) == (17_101, 17_101, 3)
    # A day after the last sale, the 24 h volume is empty; the total stays.
    later = view.stats(BP, us(20) + 86_400_000_000)
    assert (later.volume, later.volume_24h, later.sales) == (17_101, 0, 3)
    studio = view.stats(GAME, END_US)
    # 3 swords at 500, 4 shields from the drop at 700; 16 of the drop's 20 went back; a
    # shield Ben took to a chain came back to Dan: four owners.
    assert (studio.items, studio.owners, studio.listed, studio.floor) == (2, 4, 1, 500)
    assert (studio.volume, studio.sales) == (4_300, 2)
    assert view.created_us(BP) == START_US + 10
    assert view.trait_counts(BP) == {
        "Background": {"Black": 5, "Pink": 5},
        "Eyes": {"Laser": 3, "Plain": 7},
    }
    assert view.find_trait(BP, "Eyes:Laser") == LASER
    assert view.find_trait(BP, "Eyes:Blue") is None
    assert view.find_trait(BP, "Eyes") is None


def test_what_an_item_shows() -> None:
    view = _followed(STREAM)
    one = view.item(BP, 1)
    assert one is not None
    assert (one.owner(), one.last_price, one.price) == (BEN, 5_000, 0)
    # Listed: the seller still owns it. In an auction: the same.
    three, six = view.item(BP, 3), view.item(BP, 6)
    assert three is not None and six is not None
    assert (three.owner(), three.owners, three.price) == (LABEL, {}, 15_000)
    assert (six.owner(), list(six.auctions)) == (LABEL, [2])
    # #7 went to Cat, then to Ben in a wash trade: it moved, its last sale did not.
    seven = view.item(BP, 7)
    assert seven is not None and (seven.owner(), seven.last_price) == (BEN, 0)
    # Offers #4's holder may accept: Cat's on #4 (6,000), Ben's on any item (4,000).
    four = view.item(BP, 4)
    assert four is not None
    assert [(o.offer_id, o.terms.price) for o in view.offers_for(four)] == [(3, 6_000), (2, 4_000)]
    assert [o.offer_id for o in view.collection_offers(BP)] == [2]
    sword = view.item(GAME, 1)
    assert sword is not None
    assert sword.holders() == {STUDIO: 97, ANN: 3} and sword.owner() is None
    cheapest = sword.cheapest()
    assert cheapest is not None and (cheapest.listing_id, cheapest.remaining) == (4, 7)
    # The Dutch auction falls from 50,000 to 10,000 over two hours: half-way, 30,000.
    dutch = view.auction(2)
    assert dutch is not None
    assert dutch.price_now(dutch.terms.starts_us) == 50_000
    assert dutch.price_now(us(66)) == 30_000
    assert dutch.price_now(dutch.terms.ends_us) == 10_000
    assert view.auctions() == [dutch] and view.auctions(GAME) == []
    assert view.next_deadline() == dutch.terms.ends_us
    assert [(i.collection, i.token_id, n) for i, n in view.holding(ANN)] == [
        (GAME, 1, 3), (GAME, 2, 4)
    ]  # fmt: skip
    assert [x.offer_id for x in view.account_offers(BEN)] == [2]


def test_an_english_auction_as_it_runs() -> None:
    view = _followed(STREAM, upto=25)  # after both bids
    english = view.auction(1)
    assert english is not None
    assert (english.bidder, english.bid, english.bids) == (DAN, 2_100, 2)
    assert english.price_now(us(9)) == 2_100 + 105  # 5 % more
    assert [a.auction_id for a in view.account_bids(DAN)] == [1]
    assert view.account_bids(CAT) == []
    # The first deadline: listing #2's expiry is later than the auction's end.
    assert view.next_deadline() == english.ends_us
    assert [a.auction_id for a in view.auctions(BP)] == [1, 2]


def test_priming_from_history_gives_what_following_gave() -> None:
    """A view seeded at the end and primed with the history up to then shows the same
    statistics as one that followed every event."""
    followed = _followed(STREAM)
    seeded = _seeded(STREAM.engine)
    assert seeded.stats(BP, END_US).volume == 0
    seeded.prime(
        NftPast(
            up_to_seq=len(STREAM.items),
            created={BP: START_US + 10, GAME: START_US + 11},
            volumes={BP: (17_101, 3), GAME: (4_300, 2)},
            recent_sales=[
                (BP, us(2), 10_001),
                (BP, us(4), 5_000),
                (BP, us(20), 2_100),
                (GAME, us(10), 1_500),
                (GAME, us(13), 2_800),
            ],
            last_sales=[(BP, 1, 5_000, us(4)), (BP, 5, 2_100, us(20))],
            activity=[(BP, 3, us(3)), (BP, 7, us(14))],
            listed={3: us(3), 4: us(10)},
            auctions={2: (us(6), 0)},
        )
    )
    for code in (BP, GAME):
        assert seeded.stats(code, END_US) == followed.stats(code, END_US)
        assert seeded.created_us(code) == followed.created_us(code)
    one = seeded.item(BP, 1)
    assert one is not None and (one.last_price, one.last_sale_us) == (5_000, us(4))
    first = seeded.items_page(BP, sort=ItemSort.RECENT, limit=2).items
    assert [item.token_id for item in first] == [7, 3]
    listing = seeded.listing(3)
    assert listing is not None and listing.listed_us == us(3)


# -- pages ------------------------------------------------------------------------------------

BIG = "big-one"
TRAITS = (("Hat", ("Cap", "Crown", "None")), ("Rarity", ("Common", "Rare", "Legend")))


def _big_view(items: int, seed: int) -> tuple[NftView, dict[int, tuple[int, int, set[Trait]]]]:
    """A collection of `items` with random traits (a legendary one is rare), about half
    listed at random prices, some sold; and what each item is: (price, activity, traits)."""
    rng = random.Random(seed)
    view = NftView()
    collection = Collection(BIG, LABEL, "Big", "", "", Standard.ERC721, "KRW", ())
    view.apply([NftCollectionCreated(1, START_US, collection)])
    specs: list[ItemSpec] = []
    for token_id in range(items):
        hat = rng.choice(TRAITS[0][1])
        rarity = "Legend" if rng.random() < 0.02 else rng.choice(("Common", "Rare"))
        specs.append(ItemSpec(token_id * 3, 1, f"#{token_id}", "", "",
                              (Trait("Hat", hat), Trait("Rarity", rarity))))  # fmt: skip
    view.apply([NftMinted(2, START_US, LABEL, BIG, LABEL, tuple(specs))])
    truth = {s.token_id: (0, START_US, set(s.attributes)) for s in specs}
    listing_id = 0
    for seq, spec in enumerate(specs, start=3):
        if rng.random() < 0.5:
            listing_id += 1
            price = rng.choice((100, 200, 300, rng.randrange(1, 10_000)))
            time = START_US + seq
            view.apply([NftListed(seq, time, listing_id, LABEL,
                                  ListingTerms(BIG, spec.token_id, 1, price), "KRW")])  # fmt: skip
            truth[spec.token_id] = (price, time, truth[spec.token_id][2])
    return view, truth


def _all_pages(view: NftView, limit: int, **filters: object) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(10_000):
        page = view.items_page(BIG, cursor=cursor, limit=limit, **filters)  # type: ignore[arg-type]
        seen.extend(item.token_id for item in page.items)
        assert len(page.items) <= limit
        cursor = page.cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


def _expected(truth: dict[int, tuple[int, int, set[Trait]]], sort: ItemSort, listed: bool,
              traits: list[Trait]) -> list[int]:  # fmt: skip
    wanted: dict[str, set[str]] = {}
    for trait in traits:
        wanted.setdefault(trait.trait_type, set()).add(trait.value)

    def fits(token_id: int) -> bool:
        price, _, has = truth[token_id]
        if listed and not price:
            return False
        return all(any(Trait(t, v) in has for v in values) for t, values in wanted.items())

    chosen = [t for t in truth if fits(t)]
    listed_ids = [t for t in chosen if truth[t][0]]
    unlisted = sorted(t for t in chosen if not truth[t][0])
    match sort:
        case ItemSort.PRICE_ASC:
            return sorted(listed_ids, key=lambda t: (truth[t][0], t)) + unlisted
        case ItemSort.PRICE_DESC:
            return sorted(listed_ids, key=lambda t: (-truth[t][0], -t)) + unlisted
        case ItemSort.TOKEN_ID:
            return sorted(chosen)
        case ItemSort.RECENT:
            return sorted(chosen, key=lambda t: (-truth[t][1], t))


FILTERS = [
    [],
    [Trait("Hat", "Crown")],
    [Trait("Rarity", "Legend")],  # sparse: sorted from its few items
    [Trait("Hat", "Crown"), Trait("Hat", "Cap"), Trait("Rarity", "Rare")],
    [Trait("Rarity", "Mythic")],  # no such value
]


@pytest.mark.parametrize("sort", list(ItemSort))
@pytest.mark.parametrize("listed", [False, True])
def test_pages_read_by_cursor_are_the_whole_sorted_collection(sort: ItemSort,
                                                              listed: bool) -> None:  # fmt: skip
    view, truth = _big_view(1_500, seed=7)
    for traits in FILTERS:
        expected = _expected(truth, sort, listed, traits)
        for limit in (1, 7, 100):
            got = _all_pages(view, limit, sort=sort, listed_only=listed, traits=traits)
            assert got == expected, (sort, listed, traits, limit)


def test_a_page_follows_its_cursor_while_the_items_move() -> None:
    """A cursor is a place in the order, not a count: items listed or sold before it after
    it was made neither repeat nor push others out of the next page."""
    view, truth = _big_view(300, seed=3)
    first = view.items_page(BIG, sort=ItemSort.PRICE_ASC, listed_only=True, limit=10)
    cheapest = first.items[0]
    # The cheapest item sells: the next page starts where the first ended all the same.
    listing = cheapest.cheapest()
    assert listing is not None
    view.apply([NftSold(900, END_US, 1, NftSaleKind.LISTING, listing.listing_id, BIG,
                        cheapest.token_id, 1, listing.terms.price, "KRW", LABEL, ANN,
                        listing.terms.price, False, 0, (), listing.terms.price)])  # fmt: skip
    second = view.items_page(BIG, sort=ItemSort.PRICE_ASC, listed_only=True, cursor=first.cursor)
    expected = _expected(truth, ItemSort.PRICE_ASC, True, [])
    assert [item.token_id for item in second.items] == expected[10:110]


@given(st.text(max_size=200))
def test_a_cursor_that_is_not_one_is_refused(text: str) -> None:
    view = _followed(STREAM)
    for sort in ItemSort:
        try:
            page = view.items_page(BP, sort=sort, cursor=text)
        except BadCursor:
            continue
        assert len(page.items) <= 100


@pytest.mark.parametrize(
    "cursor",
    ["token_id.0.3.4", "price_asc.2.5", "price_asc.0.5", "recent.0.x.1", "token_id.0.-1" + "9" * 25,
     "price_desc.1.5.5", "token_id.00.5"],
)  # fmt: skip
def test_cursors_of_another_order_or_shape(cursor: str) -> None:
    view = _followed(STREAM)
    sort = ItemSort(cursor.split(".")[0])
    with pytest.raises(BadCursor):
        view.items_page(BP, sort=sort, cursor=cursor)


def test_the_traits_asked_and_the_listed_ones() -> None:
    view = _followed(STREAM)
    pink = view.items_page(BP, traits=[PINK], sort=ItemSort.TOKEN_ID)
    assert [item.token_id for item in pink.items] == [1, 3, 5, 7, 9]
    both = view.items_page(BP, traits=[PINK, LASER], sort=ItemSort.TOKEN_ID)
    assert [item.token_id for item in both.items] == [1]
    listed = view.items_page(BP, listed_only=True)
    assert [(item.token_id, item.price) for item in listed.items] == [(3, 15_000)]
    by_price = view.items_page(BP, sort=ItemSort.PRICE_DESC, limit=3)
    assert [item.token_id for item in by_price.items] == [3, 0, 1]
