"""The NFT marketplace's history (`schema.nft_*`, issue #18): an item's provenance and price
history, a collection's activity, an account's sales and purchases with their split and
the royalties it received; and, once at a gateway's start, what its NFT view cannot get from
the engine (`views.nft.NftPast`: volumes, last sales, when things were listed...), read up
to the seq the view was seeded at, so that nothing counts twice.

Lists are newest first, paged by `limit` (1 to 100, 50 by default) and `before`: an
activity row's (seq, line) or a sale's id, the last one of the previous page. Amounts are
integer units of the collection's currency; times microseconds.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec
from sqlalchemy import Connection, Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from assetport.store import schema
from assetport.store.database import Database
from assetport.store.projection import OpenNftAuction, OpenNftDrop, OpenNftOffer
from assetport.views.nft import NftPast

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 100
DAY_US: Final = 86_400_000_000
# The activity an item's "recent" order counts: minted, listed, sold.
RECENT_KINDS: Final = ("minted", "listed", "sold")

_pair: Final = msgspec.json.Decoder(tuple[str, str])


@dataclass(frozen=True, slots=True)
class NftActivityRecord:
    """One thing that happened to a collection or an item (see `schema.nft_activity`)."""

    seq: int
    line: int
    time_us: int
    kind: str
    collection: str
    token_id: int | None
    quantity: int
    price: int  # 0: none
    currency: str
    account: int
    counterparty: int | None
    ref_id: int | None
    reason: str
    trait: tuple[str, str] | None  # a trait offer's (type, value)


@dataclass(frozen=True, slots=True)
class NftSaleRecord:
    """One sale with its split: `total` = `fee` + `royalty` + `seller_receives`, the royalty
    shared as `royalties` [(account, units)] says."""

    sale_id: int
    seq: int
    time_us: int
    kind: str
    source_id: int
    collection: str
    token_id: int
    quantity: int
    price: int
    currency: str
    seller: int
    buyer: int
    total: int
    from_held: bool
    fee: int
    royalty: int
    seller_receives: int
    wash: bool
    royalties: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class NftRoyaltyRecord:
    """A royalty share an account received from a resale."""

    sale_id: int
    time_us: int
    collection: str
    token_id: int
    currency: str
    amount: int


def clamp(limit: int | None) -> int:
    return DEFAULT_LIMIT if limit is None else max(1, min(MAX_LIMIT, limit))


def _activity(row: Sequence[Any]) -> NftActivityRecord:
    (seq, line, time_us, kind, collection, token_id, quantity, price, currency, account,
     counterparty, ref_id, reason, trait) = row  # fmt: skip
    return NftActivityRecord(seq, line, time_us, kind, collection, token_id, quantity, price,
                             currency, account, counterparty, ref_id, reason,
                             _pair.decode(trait) if trait else None)  # fmt: skip


def _sale(row: Sequence[Any], royalties: list[tuple[int, int]]) -> NftSaleRecord:
    (sale_id, seq, time_us, kind, source_id, collection, token_id, quantity, price, currency,
     seller, buyer, total, from_held, fee, royalty, seller_receives, wash) = row  # fmt: skip
    return NftSaleRecord(sale_id, seq, time_us, kind, source_id, collection, token_id,
                         quantity, price, currency, seller, buyer, total, from_held, fee,
                         royalty, seller_receives, wash, royalties)  # fmt: skip


def _sale_columns(s: Any) -> tuple[Any, ...]:
    return (s.c.sale_id, s.c.seq, s.c.time_us, s.c.kind, s.c.source_id, s.c.collection,
            s.c.token_id, s.c.quantity, s.c.price, s.c.currency, s.c.seller, s.c.buyer,
            s.c.total, s.c.from_held, s.c.fee, s.c.royalty, s.c.seller_receives,
            s.c.wash)  # fmt: skip


def _before(query: Select[Any], before: tuple[int, int] | None) -> Select[Any]:
    a = schema.nft_activity
    if before is None:
        return query
    seq, line = before
    return query.where(or_(a.c.seq < seq, and_(a.c.seq == seq, a.c.line < line)))


class NftHistory:
    """The NFT marketplace's reads, on the read model's database (`History.nft`)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def provenance(
        self,
        collection: str,
        token_id: int,
        limit: int | None = None,
        before: tuple[int, int] | None = None,
    ) -> list[NftActivityRecord]:
        """What happened to the item, newest first: minted, listed, offered on (by the item),
        auctioned and bid on, sold, transferred, and the ends of those."""
        a = schema.nft_activity
        query = select(*a.c).where(a.c.collection == collection, a.c.token_id == token_id)
        query = _before(query, before).order_by(a.c.seq.desc(), a.c.line.desc())
        with self.database.engine.connect() as connection:
            rows = connection.execute(query.limit(clamp(limit))).all()
        return [_activity(row) for row in rows]

    def price_history(
        self, collection: str, token_id: int, limit: int | None = None
    ) -> list[NftSaleRecord]:
        """The item's last `limit` sales, oldest first (a chart's order); wash trades are
        among them, marked."""
        s = schema.nft_sales
        query = (
            select(*_sale_columns(s))
            .where(s.c.collection == collection, s.c.token_id == token_id)
            .order_by(s.c.sale_id.desc())
            .limit(clamp(limit))
        )
        with self.database.engine.connect() as connection:
            return self._with_royalties(connection, connection.execute(query).all())[::-1]

    def activity(
        self,
        collection: str,
        limit: int | None = None,
        before: tuple[int, int] | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[NftActivityRecord]:
        """The collection's activity, newest first (only `kinds` when given)."""
        a = schema.nft_activity
        query = select(*a.c).where(a.c.collection == collection)
        if kinds is not None:
            query = query.where(a.c.kind.in_(sorted(kinds)))
        query = _before(query, before).order_by(a.c.seq.desc(), a.c.line.desc())
        with self.database.engine.connect() as connection:
            rows = connection.execute(query.limit(clamp(limit))).all()
        return [_activity(row) for row in rows]

    def sales(
        self,
        account: int,
        role: str | None = None,
        collection: str | None = None,
        limit: int | None = None,
        before: int | None = None,
    ) -> list[NftSaleRecord]:
        """The account's sales (`role` "seller"), purchases ("buyer") or both, newest first,
        each with its split."""
        s = schema.nft_sales
        count = clamp(limit)
        sides = {"seller": (s.c.seller,), "buyer": (s.c.buyer,)}.get(
            role or "", (s.c.seller, s.c.buyer)
        )
        found: dict[int, Sequence[Any]] = {}
        with self.database.engine.connect() as connection:
            # One query per side, each on its index: the newest `count` of both are there.
            for side in sides:
                query = select(*_sale_columns(s)).where(side == account)
                if collection is not None:
                    query = query.where(s.c.collection == collection)
                if before is not None:
                    query = query.where(s.c.sale_id < before)
                for row in connection.execute(query.order_by(s.c.sale_id.desc()).limit(count)):
                    found[row[0]] = row
            rows = [found[sale_id] for sale_id in sorted(found, reverse=True)[:count]]
            return self._with_royalties(connection, rows)

    def sale(self, sale_id: int) -> NftSaleRecord | None:
        s = schema.nft_sales
        with self.database.engine.connect() as connection:
            rows = connection.execute(select(*_sale_columns(s)).where(s.c.sale_id == sale_id))
            found = self._with_royalties(connection, rows.all())
        return found[0] if found else None

    def royalties(
        self, account: int, limit: int | None = None, before: int | None = None
    ) -> list[NftRoyaltyRecord]:
        """The royalty shares the account received, newest first."""
        r, s = schema.nft_royalties, schema.nft_sales
        query = (
            select(r.c.sale_id, s.c.time_us, s.c.collection, s.c.token_id, s.c.currency,
                   r.c.amount)
            .join(s, s.c.sale_id == r.c.sale_id)
            .where(r.c.account == account)
        )  # fmt: skip
        if before is not None:
            query = query.where(r.c.sale_id < before)
        query = query.order_by(r.c.sale_id.desc()).limit(clamp(limit))
        with self.database.engine.connect() as connection:
            return [NftRoyaltyRecord(*row) for row in connection.execute(query)]

    def past(self, up_to_seq: int, now_us: int) -> NftPast:
        """What the gateway's NFT view adds to the engine's state at its start, from the
        history up to command `up_to_seq` (the view's seed); the 24 h window ends at
        `now_us`. Wash trades count in no statistic. Sums are made here, in Python: no
        arithmetic on amounts in SQL (`schema`)."""
        s, a = schema.nft_sales, schema.nft_activity
        past = NftPast(up_to_seq=up_to_seq)
        with self.database.engine.connect() as connection:
            created = select(a.c.collection, a.c.time_us).where(
                a.c.kind == "collection_created", a.c.seq <= up_to_seq
            )
            past.created = {code: time_us for code, time_us in connection.execute(created)}
            sales = select(s.c.collection, s.c.time_us, s.c.total).where(
                s.c.seq <= up_to_seq,
                s.c.wash == False,  # noqa: E712 - SQL, not Python
            )
            volumes: dict[str, list[int]] = {}
            for code, time_us, total in connection.execution_options(yield_per=10_000).execute(
                sales
            ):
                totals = volumes.setdefault(code, [0, 0])
                totals[0] += total
                totals[1] += 1
                if time_us > now_us - DAY_US:
                    past.recent_sales.append((code, time_us, total))
            past.volumes = {code: (volume, count) for code, (volume, count) in volumes.items()}
            past.last_sales = self._last_sales(connection, up_to_seq)
            recent = (
                select(a.c.collection, a.c.token_id, func.max(a.c.time_us))
                .where(a.c.kind.in_(RECENT_KINDS), a.c.seq <= up_to_seq)
                .where(a.c.token_id.is_not(None))
                .group_by(a.c.collection, a.c.token_id)
            )
            past.activity = [
                (code, token, time) for code, token, time in connection.execute(recent)
            ]
            past.listed = self._made(connection, "listed", up_to_seq)
            past.offers_made = self._made(connection, "offer_made", up_to_seq)
            started = self._made(connection, "auction_started", up_to_seq)
            bids = (
                select(a.c.ref_id, func.count())
                .where(a.c.kind == "bid", a.c.seq <= up_to_seq)
                .where(a.c.ref_id >= min(started, default=0))
                .group_by(a.c.ref_id)
            )
            counted = {ref: count for ref, count in connection.execute(bids)}
            past.auctions = {ref: (time, counted.get(ref, 0)) for ref, time in started.items()}
        return past

    @staticmethod
    def _last_sales(connection: Connection, up_to_seq: int) -> list[tuple[str, int, int, int]]:
        """(collection, token id, price, time) of each item's last sale (no wash trade)."""
        s = schema.nft_sales
        latest = (
            select(func.max(s.c.sale_id).label("sale_id"))
            .where(s.c.seq <= up_to_seq, s.c.wash == False)  # noqa: E712
            .group_by(s.c.collection, s.c.token_id)
            .subquery()
        )
        query = select(s.c.collection, s.c.token_id, s.c.price, s.c.time_us).join(
            latest, latest.c.sale_id == s.c.sale_id
        )
        return [
            (code, token, price, time) for code, token, price, time in connection.execute(query)
        ]

    @staticmethod
    def _made(connection: Connection, kind: str, up_to_seq: int) -> dict[int, int]:
        """ref id -> time of the `kind` rows of listings, offers or auctions still open (no
        row of their end) up to `up_to_seq`."""
        a = schema.nft_activity
        ended = aliased(a)
        end_kind = {"listed": "listing_ended", "offer_made": "offer_ended",
                    "auction_started": "auction_ended"}[kind]  # fmt: skip
        query = select(a.c.ref_id, a.c.time_us).where(
            a.c.kind == kind,
            a.c.seq <= up_to_seq,
            ~exists().where(
                ended.c.kind == end_kind, ended.c.ref_id == a.c.ref_id, ended.c.seq <= up_to_seq
            ),
        )
        return {ref: time for ref, time in connection.execute(query)}

    @staticmethod
    def _with_royalties(connection: Connection, rows: Sequence[Any]) -> list[NftSaleRecord]:
        if not rows:
            return []
        r = schema.nft_royalties
        ids = [row[0] for row in rows]
        shares: dict[int, list[tuple[int, int]]] = {}
        query = (
            select(r.c.sale_id, r.c.account, r.c.amount)
            .where(r.c.sale_id.in_(ids))
            .order_by(r.c.sale_id, r.c.line)
        )
        for sale_id, account, amount in connection.execute(query):
            shares.setdefault(sale_id, []).append((account, amount))
        return [_sale(row, shares.get(row[0], [])) for row in rows]


def open_nft_sources(
    connection: Connection,
) -> tuple[dict[int, OpenNftOffer], dict[int, OpenNftAuction], dict[int, OpenNftDrop]]:
    """The offers, auctions and primary sales still open in the history: what the projector
    remembers of them (their later events do not say what they were about)."""
    a = schema.nft_activity
    ended = aliased(a)

    def still_open(kind: str, end_kind: str, *columns: Any) -> Any:
        return connection.execute(
            select(a.c.ref_id, *columns).where(
                a.c.kind == kind,
                ~exists().where(ended.c.kind == end_kind, ended.c.ref_id == a.c.ref_id),
            )
        )

    offers = {
        ref: OpenNftOffer(code, token_id, price, trait)
        for ref, code, token_id, price, trait in still_open(
            "offer_made", "offer_ended", a.c.collection, a.c.token_id, a.c.price, a.c.trait
        )
    }
    auctions = {
        ref: OpenNftAuction(code, token_id, quantity)
        for ref, code, token_id, quantity in still_open(
            "auction_started", "auction_ended", a.c.collection, a.c.token_id, a.c.quantity
        )
    }
    drops = {
        ref: OpenNftDrop(code, price)
        for ref, code, price in still_open("drop_created", "drop_ended", a.c.collection, a.c.price)
    }
    return offers, auctions, drops
