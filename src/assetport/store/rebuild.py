"""Feeding the projector from the journal (a data dir's files or a JetStream stream), for
a projector that has fallen behind the engine (or a new read model): a private engine
replays the journal and its events are written.

The live path is the event bus (`Projector.apply_columns`); this is the catch-up path at
start, before the projector subscribes. Only the commands after `projector.last_seq()` are
written, in batches. The private engine starts from the data dir's newest snapshot at or
before that seq, when there is one, rather than from seq 1: a read model a little behind
(the commands of its last 20 ms before a crash) costs a snapshot's load and a short
replay, not the whole history, and still catches up once the segments before the
engine's snapshots have been removed (the default, without `--archive-segments`).
"""

from collections.abc import Iterator
from pathlib import Path

from assetport.domain.commands import decode_command
from assetport.engine.engine import Engine
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.journal_source import JournalSource
from assetport.store.projection import Applied
from assetport.store.projector import DEFAULT_BATCH, Projector


def journal_items(
    journal: Path | JournalSource, until_seq: int | None = None, *, wanted_after: int = 0
) -> Iterator[Applied]:
    """(seq, time, command, events) of the records of the journal: the files of a data dir
    (a Path), or whichever journal the source names. From seq 1, or, when only the records
    after `wanted_after` are wanted, from the newest snapshot at or before it."""
    source = journal if isinstance(journal, JournalSource) else JournalSource(Path(journal))
    engine = _engine_as_of(source, wanted_after)
    for record in source.records(after=engine.last_seq, until=until_seq):
        command = decode_command(record.payload)
        yield record.seq, record.time, command, engine.apply(record.seq, record.time, command)


def _engine_as_of(source: JournalSource, seq: int) -> Engine:
    """An engine restored from the data dir's newest snapshot up to `seq`; a new one (seq
    0) when there is none. A snapshot the engine prunes meanwhile is skipped for an older
    one (`SnapshotStore.latest`)."""
    if seq <= 0 or source.data_dir is None:
        return Engine()
    found = SnapshotStore.in_data_dir(source.data_dir).latest(at_most=seq)
    if found is None:
        return Engine()
    snapshot_seq, state = found
    engine = Engine.restore(state)
    if engine.last_seq != snapshot_seq:  # a damaged snapshot the checksum missed
        return Engine()
    return engine


def project_journal(
    projector: Projector,
    journal: Path | JournalSource,
    until_seq: int | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> int:
    """Write what the journal has beyond the projector's seq; answer the events written."""
    items = journal_items(journal, until_seq, wanted_after=projector.last_seq())
    return projector.catch_up(items, batch_size)
