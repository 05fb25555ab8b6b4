"""The projector writes exactly what the events say, once, whatever the batching."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from store_dump import dump
from store_workload import applied, engine_after

from assetport.domain.commands import encode_command
from assetport.domain.events import Deposited, Withdrawn
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.journal_source import JournalSource
from assetport.runtime.replay import ReplayImpossible
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.projection import BatchGap
from assetport.store.projector import Projector, ProjectorConflict
from assetport.store.rebuild import journal_items, project_journal
from assetport.store.reconcile import compare

ITEMS = applied(1500, seed=7)


def _records() -> list[Record]:
    return [Record(seq, time, encode_command(command)) for seq, time, command, _ in ITEMS]


def test_read_model_matches_the_engine(database: Database) -> None:
    projector = Projector(database)
    projector.catch_up(ITEMS, batch_size=300)
    assert projector.last_seq() == len(ITEMS)
    assert projector.lag(len(ITEMS) + 5) == 5
    assert compare(database, _records()) == []

    engine = engine_after(ITEMS)
    with database.engine.connect() as connection:
        b = schema.balances
        eth = connection.execute(
            select(b.c.free, b.c.held).where(b.c.account == 0, b.c.asset == "ETH")
        ).one()
    # The external account mirrors four deposits of 10**18, near the most the ledger
    # records (2**62 - 1 units), exact.
    assert tuple(eth) == (engine.ledger.balance(0, "ETH").free, 0)
    assert eth[0] < -(2**61)


def test_batching_does_not_change_a_row(
    db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    one_go = open_database(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    Projector(one_go).apply_batch(ITEMS)
    database = open_database(db_url)
    projector = Projector(database)
    for size in (1, 7, 100, 3):
        start = projector.last_seq()
        projector.apply_batch(ITEMS[start : start + size])
    # A fresh projector (a restart) resumes from the committed seq.
    Projector(database).catch_up(ITEMS, batch_size=250)
    assert dump(database) == dump(one_go)
    database.close()
    one_go.close()


def test_replayed_commands_are_skipped_and_gaps_refused(database: Database) -> None:
    projector = Projector(database)
    projector.apply_batch(ITEMS[:100])
    before = dump(database)
    assert projector.apply_batch(ITEMS[50:100]) == 0
    assert dump(database) == before
    with pytest.raises(BatchGap):
        projector.apply_batch(ITEMS[101:120])
    assert dump(database) == before
    # The overlap is skipped and the rest written.
    projector.apply_batch(ITEMS[90:200])
    assert projector.last_seq() == 200


def test_a_second_writer_is_refused(database: Database) -> None:
    first, second = Projector(database), Projector(database)
    first.apply_batch(ITEMS[:50])
    with pytest.raises(ProjectorConflict):
        second.apply_batch(ITEMS[:60])
    assert second.last_seq() == 50  # it reloaded what is committed
    second.apply_batch(ITEMS[:60])
    assert second.last_seq() == 60


def test_orders_follow_their_events(database: Database) -> None:
    Projector(database).apply_batch(ITEMS)
    engine = engine_after(ITEMS)
    o = schema.orders
    with database.engine.connect() as connection:
        statuses = dict(connection.execute(select(o.c.order_id, o.c.status)).all())
        working = dict(connection.execute(select(o.c.order_id, o.c.working)).all())
    assert len(statuses) == engine.next_order_id - 1  # every accepted order, every state
    assert {"NEW", "FILLED", "CANCELED", "EXPIRED"} <= set(statuses.values())
    for order in engine.open_orders():
        assert statuses[order.order_id] == order.status.value
        assert working[order.order_id] == order.working


def _plant_stray_transfer(database: Database, after: int) -> int:
    """A stray row where the first transfer after seq `after` will be written, so that its
    batch's insert fails half-way; answers that transfer's seq."""
    clash = next(
        seq
        for seq, _, _, events in ITEMS[after:]
        if any(isinstance(event, Deposited | Withdrawn) for event in events)
    )
    stray = {"seq": clash, "time_us": 0, "kind": "X", "account": 0, "asset": "X", "ref": ""}
    with database.engine.begin() as connection:
        connection.execute(schema.transfers.insert().values(amount=0, **stray))
    return clash


def _remove_stray_transfer(database: Database) -> None:
    transfers = schema.transfers
    with database.engine.begin() as connection:
        connection.execute(transfers.delete().where(transfers.c.kind == "X"))


def test_a_failed_write_leaves_nothing_and_the_projector_recovers(database: Database) -> None:
    projector = Projector(database)
    projector.apply_batch(ITEMS[:100])
    before = dump(database)
    _plant_stray_transfer(database, after=100)
    with pytest.raises(IntegrityError):
        projector.apply_batch(ITEMS[100:])
    assert projector.last_seq() == 100
    _remove_stray_transfer(database)
    assert dump(database) == before
    projector.apply_batch(ITEMS[100:])
    assert compare(database, _records()) == []


def test_a_write_failing_mid_catch_up_keeps_every_batch_before_it(database: Database) -> None:
    # catch_up folds the next batch while the previous one is written: a failed write must
    # leave exactly the batches committed before it, and the fold ahead must be forgotten.
    clash = _plant_stray_transfer(database, after=400)
    projector = Projector(database)
    with pytest.raises(IntegrityError):
        projector.catch_up(ITEMS, batch_size=100)
    committed = (clash - 1) // 100 * 100
    assert projector.last_seq() == committed
    reference = open_database("sqlite://")
    Projector(reference).apply_batch(ITEMS[:committed])
    _remove_stray_transfer(database)
    assert dump(database) == dump(reference)
    projector.catch_up(ITEMS, batch_size=100)
    assert compare(database, _records()) == []
    reference.close()


def test_a_catch_up_starts_from_a_snapshot_once_the_journal_before_it_is_removed(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A read model a little behind its engine (a crash between two feeds) catches up from
    the data dir's newest snapshot at or before its seq, as the engine recovers: the
    segments before the engine's snapshots are gone by default, so a replay from seq 1
    could not be made. Its rows are the ones a projector fed from the start writes."""
    data_dir = tmp_path_factory.mktemp("engine")
    journal = FileJournal.in_data_dir(data_dir, segment_bytes=4_096)
    journal.open()
    journal.append(_records())
    engine = engine_after(ITEMS[:1000])
    SnapshotStore.in_data_dir(data_dir).save(1000, engine.snapshot())
    assert journal.remove_segments_before(1000)  # as the snapshotter does
    journal.close()
    with pytest.raises(ReplayImpossible):
        list(journal_items(JournalSource(data_dir)))  # from seq 1: no longer possible

    projector = Projector(database)
    projector.catch_up(ITEMS[:1200], batch_size=300)  # where the read model had got to
    assert project_journal(Projector(database), JournalSource(data_dir)) > 0
    whole = open_database(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    Projector(whole).catch_up(ITEMS, batch_size=300)
    assert dump(database) == dump(whole)
    whole.close()

    # Behind the oldest snapshot the journal still kept, it cannot: said, not guessed.
    behind = open_database(f"sqlite:///{tmp_path_factory.mktemp('behind') / 'behind.db'}")
    Projector(behind).catch_up(ITEMS[:900], batch_size=300)
    with pytest.raises(ReplayImpossible):
        project_journal(Projector(behind), JournalSource(data_dir))
    behind.close()
