"""A hot standby: a second engine that follows the JetStream stream and can take over.

It applies every record the primary stores, in order, so its `state_hash()` equals the
primary's at the same seq, and it keeps its own snapshots in its own data dir. It refuses
commands (`NotPrimary`) until promoted. Promotion reopens the stream for writing, which
reads the stream's true tail, applies whatever the follower had not seen yet (so every
command the old primary had acknowledged is in the state), and starts an `EngineService`.

Two writers cannot both succeed: every publish says which seq it expects to follow, so a
primary that is still alive when the standby takes over gets `JournalConflict` on its next
append and stops, without acknowledging that batch.
"""

import asyncio
import logging
import time
from collections.abc import Callable

from assetport.domain.commands import Command, decode_command
from assetport.engine.engine import Engine
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.command_log import JetStreamCommandLog, command_log_for
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.errors import NotPrimary
from assetport.runtime.recovery import catch_up, recover
from assetport.runtime.service import EngineService, Outcome, ReplyCallback
from assetport.runtime.snapshotter import Snapshotter
from assetport.runtime.startup import service_for, snapshot_store

logger = logging.getLogger(__name__)


class Standby:
    def __init__(
        self,
        config: RuntimeConfig,
        engine: Engine,
        log: JetStreamCommandLog,
        store: SnapshotStore,
        last_time: int,
    ) -> None:
        self.config = config
        self._engine = engine
        self._log = log
        self._store = store
        self.last_time = last_time
        # Called with each record as applied (the command port keeps the recent ones for
        # gateways that turn to this engine once it is promoted).
        self.on_applied: list[Callable[[AppliedBatch], None]] = []
        self._snapshotter = Snapshotter(
            store,
            log,
            every_commands=config.snapshot_every_commands,
            every_seconds=config.snapshot_every_seconds,
            last_seq=max(store.seqs(), default=0),
        )

    @classmethod
    async def open(cls, config: RuntimeConfig) -> "Standby":
        """Recover from this standby's own snapshots and the stream, ready to follow."""
        log = command_log_for(config)
        if not isinstance(log, JetStreamCommandLog):
            raise ValueError("a standby follows a JetStream journal: give a nats:// URL")
        await log.open()
        try:
            store = snapshot_store(config)
            recovered = await recover(log, store)
        except BaseException:
            await log.close()
            raise
        return cls(config, recovered.engine, log, store, recovered.last_time)

    @property
    def role(self) -> str:
        return "standby"

    @property
    def engine(self) -> Engine:
        return self._engine

    def submit(self, command: Command, payload: bytes | None = None) -> "asyncio.Future[Outcome]":
        raise NotPrimary("this engine is a standby; send commands to the primary")

    def submit_with_reply(
        self, command: Command, reply: ReplyCallback, payload: bytes | None = None
    ) -> None:
        raise NotPrimary("this engine is a standby; send commands to the primary")

    def lag(self) -> tuple[int, int]:
        """How far behind the stream this standby is: the records stored that it has not
        applied yet (on the server and in its client's buffer), and how long ago the
        primary stamped the last record it applied (0, 0 when caught up): the replication
        delay, and what a promotion now would take in first."""
        behind = self._log.journal.pending
        if behind == 0:
            return 0, 0
        return behind, max(0, time.time_ns() // 1000 - self.last_time) // 1000

    async def follow(self) -> None:
        """Apply each record as the primary stores it, until cancelled."""
        engine = self._engine
        listeners = self.on_applied
        async for record in self._log.follow(engine.last_seq + 1):
            command = decode_command(record.payload)
            events = engine.apply(record.seq, record.time, command)
            self.last_time = record.time
            if listeners:
                batch = AppliedBatch(record.seq, record.time, [command], [events])
                for listener in listeners:
                    listener(batch)
            if self._snapshotter.due(record.seq):
                self._snapshotter.start(engine)

    async def promote(self) -> EngineService:
        """Take over as primary (call after the follow task was cancelled)."""
        await self._snapshotter.wait()
        self._snapshotter.close()
        await self._log.close()
        log = command_log_for(self.config)
        tail = await log.open()
        try:
            _, last_time = await catch_up(self._engine, log, tail, self.on_applied)
        except BaseException:
            await log.close()
            raise
        logger.warning("standby promoted to primary at seq %d", self._engine.last_seq)
        return service_for(
            self.config, self._engine, log, self._store, max(self.last_time, last_time)
        )

    async def close(self) -> None:
        await self._snapshotter.write_now(self._engine)
        self._snapshotter.close()
        await self._log.close()
