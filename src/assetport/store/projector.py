"""The projector: applied commands and their events in, read model rows out.

Exactly once, by construction: each batch is written in one transaction together with the
seq of its last command (`projector_state`). After a crash the database holds either the
whole batch and its seq or neither, so the projector resumes from `last_seq() + 1` and
never doubles or skips a row. Commands at or below `last_seq()` are ignored (a replay may
start earlier than needed); a batch that would skip a command raises `BatchGap`.

Two projectors on one database cannot both win: the seq is advanced only from the value
this projector last read, so the second one gets `ProjectorConflict` before it has written
anything, and reloads. Both write the same rows for the same seqs (one journal), so after a
failover the new writer may simply go on from where the old one stopped
(`server/read_model.py`).
"""

import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final

from sqlalchemy import Connection, func, insert, select, update

from assetport.domain.commands import Command
from assetport.domain.events import Event
from assetport.domain.order_lists import ListOrderStatus
from assetport.domain.postings import PostingRules
from assetport.store import schema
from assetport.store.database import Database
from assetport.store.nft_history import open_nft_sources
from assetport.store.projection import (
    OPEN_STATUSES,
    Applied,
    BatchGap,
    CandleState,
    LastAgg,
    OrderState,
    ProjectionState,
    Rows,
    fold,
)
from assetport.store.writer import write_rows

STATE_ROW: Final = "read_model"
DEFAULT_BATCH: Final = 5_000
WRITER_SWITCH_INTERVAL_S: Final = 0.0001

__all__ = [
    "Applied",
    "BatchGap",
    "Projector",
    "ProjectorConflict",
    "ProjectorStats",
    "committed_seq",
]


class ProjectorConflict(Exception):
    """Another writer moved the read model on under this projector."""


@dataclass
class ProjectorStats:
    batches: int = 0
    commands: int = 0
    events: int = 0
    rows: int = 0
    seconds: float = 0.0  # spent folding and writing (a catch-up's wall time)


class Projector:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.stats = ProjectorStats()
        self._state = ProjectionState()
        self.reload()

    def last_seq(self) -> int:
        """The seq of the last command whose rows are committed."""
        return self._state.last_seq

    def last_time_us(self) -> int:
        return self._state.last_time_us

    def lag(self, head_seq: int) -> int:
        """How many commands the read model is behind a log whose last seq is `head_seq`."""
        return max(0, head_seq - self.last_seq())

    def apply_batch(self, items: Iterable[Applied]) -> int:
        """Write the rows of `(seq, time, command, events)` items, given in log order, in
        one transaction; answer the number of events written."""
        started = time.perf_counter()
        previous = self._state.last_seq
        try:
            rows = fold(self._state, items)
            if rows.last_seq != previous:
                self._write(rows, previous)
        except BaseException:
            # The fold moved the in-memory state past what is committed.
            self.reload()
            raise
        self.stats.seconds += time.perf_counter() - started
        return rows.events  # none when every item was already written

    def apply_columns(
        self,
        first_seq: int,
        time_us: int,
        commands: Sequence[Command],
        events: Sequence[Sequence[Event]],
    ) -> int:
        """`apply_batch` for the bus's column form (`AppliedBatch`: one time per batch)."""
        return self.apply_batch(
            (first_seq + i, time_us, command, said)
            for i, (command, said) in enumerate(zip(commands, events, strict=True))
        )

    def catch_up(self, items: Iterable[Applied], batch_size: int = DEFAULT_BATCH) -> int:
        """Write a long run of items (a replay of the journal) in batches of `batch_size`
        commands; items already written are skipped. Answer the events written.

        Each batch is still its own transaction with its seq, but the next batch is folded
        while a writer thread commits the previous one: a batch's rows share nothing with
        the fold's state, and the database works (and the driver waits on it, without the
        GIL) while Python folds, so a replay takes about the longer of the two, not their
        sum. At most one batch is folded ahead of what is committed."""
        written = 0
        started = time.perf_counter()
        switch_interval = sys.getswitchinterval()
        # The writer needs the GIL back each time the database answers (a dozen round trips
        # a batch); with the default 5 ms switch interval it waits behind the fold for
        # longer than the overlap saves.
        sys.setswitchinterval(min(switch_interval, WRITER_SWITCH_INTERVAL_S))
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="projector-write") as writer:
                writing: Future[None] | None = None
                for batch in _chunks(_after(items, self.last_seq()), batch_size):
                    previous = self._state.last_seq
                    rows = fold(self._state, batch)
                    if writing is not None:
                        writing.result()
                        writing = None
                    if rows.last_seq != previous:
                        writing = writer.submit(self._write, rows, previous)
                    written += rows.events
                if writing is not None:
                    writing.result()
        except BaseException:
            # The fold is ahead of what is committed (by a batch, or a failed write).
            self.reload()
            raise
        finally:
            sys.setswitchinterval(switch_interval)
        self.stats.seconds += time.perf_counter() - started
        return written

    def reload(self) -> None:
        """Read what the fold must remember from the database (at start, after a failure)."""
        with self.database.engine.begin() as connection:
            self._state = _load(connection)

    def _write(self, rows: Rows, previous: int) -> None:
        """Commit a folded batch's rows with its last seq, if the read model is still at
        `previous` (the last seq before the batch)."""
        with self.database.engine.begin() as connection:
            # The seq first: it locks the state row, so a second writer waits here and
            # then finds the seq moved, before it has written anything.
            moved = connection.execute(
                update(schema.projector_state)
                .where(schema.projector_state.c.name == STATE_ROW)
                .where(schema.projector_state.c.last_seq == previous)
                .values(last_seq=rows.last_seq, last_time_us=rows.last_time_us)
            ).rowcount
            if moved != 1:
                raise ProjectorConflict(
                    f"the read model is no longer at seq {previous}: another projector "
                    "is writing to this database"
                )
            write_rows(connection, rows)
        stats = self.stats
        stats.batches += 1
        stats.commands += rows.last_seq - previous
        stats.events += rows.events
        stats.rows += rows.count()


def committed_seq(database: Database) -> int:
    """The seq the read model has committed (0 before its first batch), as any reader sees
    it: a gateway whose read model is written by another process follows this."""
    table = schema.projector_state
    with database.engine.connect() as connection:
        seq = connection.execute(
            select(table.c.last_seq).where(table.c.name == STATE_ROW)
        ).scalar_one_or_none()
    return seq or 0


def _after(items: Iterable[Applied], seq: int) -> Iterator[Applied]:
    for item in items:
        if item[0] > seq:
            yield item


def _chunks(items: Iterator[Applied], size: int) -> Iterator[list[Applied]]:
    while batch := list(islice(items, size)):
        yield batch


def _load(connection: Connection) -> ProjectionState:
    table = schema.projector_state
    row = connection.execute(
        select(table.c.last_seq, table.c.last_time_us).where(table.c.name == STATE_ROW)
    ).first()
    if row is None:
        connection.execute(insert(table).values(name=STATE_ROW, last_seq=0, last_time_us=0))
        last_seq, last_time = 0, 0
    else:
        last_seq, last_time = row
    markets = schema.markets
    pairs = {
        symbol: (base, quote)
        for symbol, base, quote in connection.execute(
            select(markets.c.symbol, markets.c.base, markets.c.quote)
        )
    }
    orders = schema.orders
    open_orders = {
        row.order_id: OrderState(*row)
        for row in connection.execute(select(orders).where(orders.c.status.in_(OPEN_STATUSES)))
    }
    balances = {
        (account, asset): [free, held]
        for account, asset, free, held, _seq in connection.execute(select(schema.balances))
    }
    offers, auctions, drops = open_nft_sources(connection)
    executing = _executing_lists(connection)
    return ProjectionState(
        last_seq=last_seq,
        last_time_us=last_time,
        rules=PostingRules(pairs),
        open_orders=open_orders,
        list_legs={
            order_id: list_id
            for list_id, orders in executing.items()
            for order_id, _client_order_id in orders
        },
        list_orders=executing,
        balances=balances,
        candles=_latest_candles(connection),
        aggs=_latest_aggs(connection),
        nft_offers=offers,
        nft_auctions=auctions,
        nft_drops=drops,
    )


def _executing_lists(connection: Connection) -> dict[int, list[list[Any]]]:
    """The orders of the order lists still executing, by list id: a pending leg placed after
    a restart of the projector is written with its list id (a leg already written is not
    accepted again and leaves with its list), and an amend that renames a leg rewrites them."""
    t = schema.order_lists
    query = select(t.c.order_list_id, t.c.orders).where(
        t.c.list_order_status == ListOrderStatus.EXECUTING.value
    )
    return {list_id: json.loads(orders) for list_id, orders in connection.execute(query)}


def _latest_candles(connection: Connection) -> dict[tuple[str, str], CandleState]:
    c = schema.candles
    latest = (
        select(c.c.symbol, c.c.interval, func.max(c.c.open_time_ms).label("open_time_ms"))
        .group_by(c.c.symbol, c.c.interval)
        .subquery()
    )
    query = select(c).join(
        latest,
        (c.c.symbol == latest.c.symbol)
        & (c.c.interval == latest.c.interval)
        & (c.c.open_time_ms == latest.c.open_time_ms),
    )
    return {
        (row.symbol, row.interval): CandleState.from_row(tuple(row))
        for row in connection.execute(query)
    }


def _latest_aggs(connection: Connection) -> dict[str, LastAgg]:
    t = schema.trades
    latest = (
        select(t.c.symbol, func.max(t.c.trade_id).label("trade_id")).group_by(t.c.symbol).subquery()
    )
    query = select(
        t.c.symbol,
        t.c.agg_id,
        t.c.seq,
        t.c.buyer_is_maker,
        t.c.buyer_order_id,
        t.c.seller_order_id,
        t.c.price,
    ).join(latest, (t.c.symbol == latest.c.symbol) & (t.c.trade_id == latest.c.trade_id))
    return {
        row.symbol: LastAgg(
            row.agg_id,
            row.seq,
            row.seller_order_id if row.buyer_is_maker else row.buyer_order_id,
            row.price,
        )
        for row in connection.execute(query)
    }
