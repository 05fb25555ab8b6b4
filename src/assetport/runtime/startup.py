"""Building a running service from a config: open the journal, recover, wire the parts."""

from pathlib import Path

from assetport.engine.engine import Engine
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.bus import EventBus
from assetport.runtime.command_log import CommandLog, command_log_for
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.recovery import recover
from assetport.runtime.sequencer import Sequencer
from assetport.runtime.service import EngineService
from assetport.runtime.snapshotter import Snapshotter


def snapshot_store(config: RuntimeConfig) -> SnapshotStore:
    return SnapshotStore.in_data_dir(Path(config.data_dir), keep=config.snapshots_kept)


async def open_service(config: RuntimeConfig) -> EngineService:
    """Open the configured journal, recover the engine, and return the service (not yet
    running: the caller runs `service.run()` as a task)."""
    log = command_log_for(config)
    await log.open()
    try:
        store = snapshot_store(config)
        recovered = await recover(log, store)
    except BaseException:
        await log.close()
        raise
    return service_for(config, recovered.engine, log, store, recovered.last_time)


def service_for(
    config: RuntimeConfig, engine: Engine, log: CommandLog, store: SnapshotStore, last_time: int
) -> EngineService:
    """Wire an already recovered engine to an opened log (also used when a standby takes over)."""
    snapshotter = Snapshotter(
        store,
        log,
        every_commands=config.snapshot_every_commands,
        every_seconds=config.snapshot_every_seconds,
        last_seq=max(store.seqs(), default=0),
    )
    return EngineService(
        engine,
        log,
        Sequencer(engine.last_seq, last_time),
        snapshotter,
        EventBus(),
        queue_bound=config.queue_bound,
        batch_max=config.batch_max,
    )


async def close_service(service: EngineService) -> None:
    """Release the journal and the snapshot writer after `run` has returned or failed."""
    await service.snapshotter.wait()
    service.snapshotter.close()
    await service.log.close()
