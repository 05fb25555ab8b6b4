"""Recovery on start: the newest valid snapshot, then the journal's tail.

The journal's own `open` has already cut off a torn last record (a crash mid-write) and
raised `JournalCorrupted`, naming the file and offset, for damage anywhere else. Here the
snapshot and the journal are checked against each other.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assetport.domain.commands import decode_command
from assetport.engine.engine import Engine
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.command_log import CommandLog

logger = logging.getLogger(__name__)


class RecoveryFailed(Exception):
    """The snapshot and the journal do not fit together; starting would lose or invent data."""


@dataclass
class Recovered:
    engine: Engine
    last_time: int
    snapshot_seq: int
    replayed: int


async def recover(log: CommandLog, snapshots: SnapshotStore) -> Recovered:
    """Rebuild the engine from `snapshots` and the opened `log`."""
    latest = snapshots.latest()
    if latest is None:
        engine, snapshot_seq = Engine(), 0
    else:
        snapshot_seq, state = latest
        engine = Engine.restore(state)
        if engine.last_seq != snapshot_seq:
            raise RecoveryFailed(
                f"snapshot {snapshot_seq} holds state up to seq {engine.last_seq} instead"
            )
    if snapshot_seq > log.last_seq:
        raise RecoveryFailed(
            f"the newest snapshot includes seq {snapshot_seq} but {log.describe()} ends at seq "
            f"{log.last_seq}: acknowledged records are missing from the journal"
        )
    replayed, last_time = await catch_up(engine, log, log.last_seq)
    if replayed == 0 and log.last_seq > 0:
        last_time = await _time_of(log, log.last_seq)
    logger.info(
        "recovered %s: snapshot at seq %d, %d records replayed, last seq %d",
        log.describe(),
        snapshot_seq,
        replayed,
        engine.last_seq,
    )
    return Recovered(engine, last_time, snapshot_seq, replayed)


async def catch_up(
    engine: Engine,
    log: CommandLog,
    until: int,
    listeners: Sequence[Callable[[AppliedBatch], None]] = (),
) -> tuple[int, int]:
    """Apply the log's records after the engine's last seq, up to `until` (its last seq:
    reading stops there by itself, so no reader is abandoned half-way); `listeners` see
    each record as applied (a promoted standby's command port keeps them).

    Returns (records applied, time of the last one applied, or 0 if none).
    """
    applied = 0
    last_time = 0
    if engine.last_seq >= until:
        return applied, last_time
    apply = engine.apply
    try:
        async for record in log.read(engine.last_seq + 1):
            command = decode_command(record.payload)
            events = apply(record.seq, record.time, command)
            for listener in listeners:
                listener(AppliedBatch(record.seq, record.time, [command], [events]))
            applied += 1
            last_time = record.time
    except ValueError as exc:
        raise RecoveryFailed(f"cannot replay {log.describe()}: {exc}") from exc
    if engine.last_seq != until:
        raise RecoveryFailed(
            f"{log.describe()} ended at seq {engine.last_seq} while reading up to seq {until}"
        )
    return applied, last_time


async def _time_of(log: CommandLog, seq: int) -> int:
    """The time stamped on record `seq`, so the sequencer's clock never goes back past it."""
    times = [record.time async for record in log.read(seq)]
    if not times:
        raise RecoveryFailed(f"{log.describe()} has no record {seq}")
    return times[-1]
