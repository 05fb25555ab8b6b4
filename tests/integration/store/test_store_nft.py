"""The NFT marketplace in the SQL read model, on SQLite and PostgreSQL: an item's provenance
and price history, a collection's activity, an account's sales and purchases with their
split and the royalties it received, answered from the rows the projector wrote for a real
engine's events (`nft_stream`); the same rows however the stream is cut into batches or the
projector restarted in the middle (it remembers the open offers, auctions and drops from the
rows); and what a gateway's NFT view is primed with at its start (`NftHistory.past`)."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import Table, select

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "store"))
from nft_stream import (
    ANN,
    BEN,
    BP,
    CAT,
    DAN,
    GAME,
    HALF_WAY,
    LABEL,
    START_US,
    STUDIO,
    nft_stream,
    us,
)

from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.history import History
from assetport.store.projector import Projector

STREAM = nft_stream()
END_US = STREAM.items[-1][1]
NFT_TABLES: tuple[Table, ...] = (schema.nft_sales, schema.nft_royalties, schema.nft_activity)


def _tables(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.engine.connect() as connection:
        return {
            t.name: [tuple(row) for row in connection.execute(select(t).order_by(*t.primary_key))]
            for t in NFT_TABLES
        }


@pytest.fixture
def history(database: Database) -> History:
    Projector(database).catch_up(STREAM.items, batch_size=1000)
    return History(database)


def test_the_same_rows_however_the_stream_is_cut(database: Database, db_url: str,
                                                  tmp_path: Path) -> None:  # fmt: skip
    Projector(database).catch_up(STREAM.items, batch_size=1000)
    whole = _tables(database)
    assert len(whole["nft_sales"]) == 6
    # One command a batch, with a restart half-way: the projector finds the open offers,
    # auctions and drops in the rows it wrote, so the offers' and bids' rows name them.
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        first = Projector(other)
        for item in STREAM.items[:HALF_WAY]:
            first.apply_batch([item])
        again = Projector(other)
        for item in STREAM.items[HALF_WAY:]:
            again.apply_batch([item])
        assert _tables(other) == whole
    finally:
        other.close()


def test_an_items_provenance_and_price_history(history: History) -> None:
    nft = history.nft
    one = nft.provenance(BP, 1)
    assert [(a.kind, a.account, a.counterparty, a.ref_id, a.price, a.reason) for a in one] == [
        ("sold", ANN, BEN, 2, 5_000, "offer"),  # Ann accepted Ben's pink offer
        ("listing_ended", LABEL, None, 1, 0, "sold"),
        ("sold", LABEL, ANN, 1, 10_001, "listing"),
        ("listed", LABEL, None, 1, 10_001, ""),
        ("minted", LABEL, LABEL, None, 0, ""),
    ]
    assert one[0].time_us > one[-1].time_us
    # Paged: from the one before the second.
    page = nft.provenance(BP, 1, limit=2, before=(one[1].seq, one[1].line))
    assert [a.kind for a in page] == ["sold", "listed"]
    seven = nft.price_history(BP, 7)
    assert [(s.sale_id, s.price, s.seller, s.buyer, s.wash) for s in seven] == [
        (5, 30_000, CAT, BEN, True)
    ]
    five = nft.provenance(BP, 5)
    assert [(a.kind, a.account, a.counterparty, a.price) for a in five] == [
        ("sold", LABEL, DAN, 2_100),
        ("auction_ended", LABEL, None, 0),
        ("bid", DAN, CAT, 2_100),  # Dan's beat Cat's
        ("bid", CAT, None, 1_000),
        ("auction_started", LABEL, None, 1_000),
        ("minted", LABEL, LABEL, 0),
    ]
    assert five[1].reason == "sold" and five[-2].reason == "english"
    assert nft.provenance(BP, 99) == [] and nft.price_history("nope", 1) == []


def test_a_collections_activity(history: History) -> None:
    nft = history.nft
    label = nft.activity(BP, limit=100)
    kinds = [a.kind for a in label]
    assert kinds[-11:] == ["minted"] * 10 + ["collection_created"]
    assert kinds.count("sold") == 4
    # Ben's trait offer has no item; it names its trait.
    made = [a for a in label if a.kind == "offer_made"]
    assert [(a.ref_id, a.token_id, a.trait, a.quantity) for a in reversed(made)] == [
        (1, None, ("Background", "Pink"), 1), (2, None, None, 2), (3, 4, None, 1)
    ]  # fmt: skip
    ended = [a for a in label if a.kind == "offer_ended"]
    assert [(a.ref_id, a.reason, a.trait) for a in ended] == [(1, "sold", ("Background", "Pink"))]
    # Paging: the pages of 7 are the whole list.
    pages, before = [], None
    while True:
        page = nft.activity(BP, limit=7, before=before)
        if not page:
            break
        pages.extend(page)
        before = (page[-1].seq, page[-1].line)
    assert pages == label
    sales = nft.activity(BP, kinds={"sold"})
    assert [a.ref_id for a in sales] == [6, 5, 2, 1]
    studio = nft.activity(GAME, limit=100)
    drop = [(a.kind, a.token_id, a.quantity, a.reason) for a in studio if "drop" in a.kind]
    assert drop == [("drop_ended", 2, 16, "expired"), ("drop_created", 2, 20, "fixed")]


def test_an_accounts_sales_and_purchases_with_their_split(history: History) -> None:
    nft = history.nft
    sold = nft.sales(LABEL, "seller")
    assert [s.sale_id for s in sold] == [6, 1]
    auction, first = sold
    # The creator selling what it holds is a primary sale: no royalty.
    split = (first.total, first.fee, first.royalty, first.seller_receives)
    assert split == (10_001, 100, 0, 9_901)
    assert (first.royalties, auction.royalties, auction.from_held) == ([], [], True)
    # Ann's resale to Ben pays 7.5 %: 250 to the label, 125 to Dan.
    resale = nft.sale(2)
    assert resale is not None
    split = (resale.total, resale.fee, resale.royalty, resale.seller_receives)
    assert split == (5_000, 50, 375, 4_575)
    assert resale.royalties == [(LABEL, 250), (DAN, 125)]
    assert [s.sale_id for s in nft.sales(ANN)] == [4, 3, 2, 1]
    assert [s.sale_id for s in nft.sales(ANN, "buyer")] == [4, 3, 1]
    assert [s.sale_id for s in nft.sales(ANN, "buyer", collection=GAME)] == [4, 3]
    assert [s.sale_id for s in nft.sales(ANN, limit=2, before=4)] == [3, 2]
    drop = nft.sale(4)
    assert drop is not None and (drop.kind, drop.seller, drop.royalties) == ("drop", STUDIO, [])
    assert nft.sale(99) is None
    dan = nft.royalties(DAN)
    assert [(r.sale_id, r.amount) for r in dan] == [(5, 750), (2, 125)]


def test_what_a_gateways_view_is_primed_with(history: History) -> None:
    nft = history.nft
    past = nft.past(len(STREAM.items), END_US)
    assert past.created == {BP: START_US + 10, GAME: START_US + 11}
    # The wash trade counts in nothing.
    assert past.volumes == {BP: (17_101, 3), GAME: (4_300, 2)}
    assert sorted(past.recent_sales) == sorted([
        (BP, STREAM.items[14][1], 10_001), (BP, STREAM.items[18][1], 5_000),
        (BP, STREAM.items[33][1], 2_100), (GAME, STREAM.items[27][1], 1_500),
        (GAME, STREAM.items[30][1], 2_800),
    ])  # fmt: skip
    assert sorted(past.last_sales) == sorted([
        (BP, 1, 5_000, STREAM.items[18][1]),
        (BP, 5, 2_100, STREAM.items[33][1]),
        (GAME, 1, 500, STREAM.items[27][1]),
        (GAME, 2, 700, STREAM.items[30][1]),
    ])  # fmt: skip
    activity = dict(((code, token), time) for code, token, time in past.activity)
    assert activity[(BP, 7)] == STREAM.items[33 - 1][1]  # the wash trade moved it
    assert activity[(BP, 9)] == STREAM.items[11][1]  # minted, never listed
    # Open now: listings 3 and 4, offers 2 and 3, the Dutch auction without a bid.
    assert set(past.listed) == {3, 4} and set(past.offers_made) == {2, 3}
    assert past.auctions == {2: (STREAM.items[22][1], 0)}
    # Up to half-way: the auction was open with its two bids; later sales are left out.
    half = nft.past(HALF_WAY, END_US)
    assert half.auctions == {1: (STREAM.items[21][1], 2), 2: (STREAM.items[22][1], 0)}
    assert half.volumes == {BP: (15_001, 2), GAME: (4_300, 2)}
    # A day later nothing is recent.
    assert nft.past(len(STREAM.items), us(20) + 86_400_000_000).recent_sales == []
