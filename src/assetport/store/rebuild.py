"""Feeding the projector from the journal (a data dir's files or a JetStream stream), for
a projector that has fallen behind the engine's snapshot (or a new read model): replay
from seq 1 with a private engine.

The live path is the event bus (`Projector.apply_columns`); this is the catch-up path at
start, before the projector subscribes. Replaying costs an engine's worth of memory and
CPU, so only the commands after `projector.last_seq()` are written, in batches.
"""

from collections.abc import Iterator
from pathlib import Path

from assetport.domain.commands import decode_command
from assetport.engine.engine import Engine
from assetport.runtime.journal_source import JournalSource
from assetport.store.projection import Applied
from assetport.store.projector import DEFAULT_BATCH, Projector


def journal_items(journal: Path | JournalSource, until_seq: int | None = None) -> Iterator[Applied]:
    """(seq, time, command, events) for every record of the journal, from seq 1: the
    files of a data dir (a Path), or whichever journal the source names."""
    source = journal if isinstance(journal, JournalSource) else JournalSource(Path(journal))
    engine = Engine()
    for record in source.records(until=until_seq):
        command = decode_command(record.payload)
        yield record.seq, record.time, command, engine.apply(record.seq, record.time, command)


def project_journal(
    projector: Projector,
    journal: Path | JournalSource,
    until_seq: int | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> int:
    """Write what the journal has beyond the projector's seq; answer the events written."""
    return projector.catch_up(journal_items(journal, until_seq), batch_size)
