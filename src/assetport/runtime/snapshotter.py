"""Snapshots of the engine every N commands or T seconds, whichever comes first.

The state's bytes are taken on the loop's thread between two batches, so they are exactly
the state after the last applied seq (every applied seq is already durable in the journal).
Writing the file (fsync, rename, fsync of the directory) happens on a thread of its own,
while commands keep flowing. After each save, journal segments that the OLDEST kept
snapshot covers are removed: if the newest snapshot turns out damaged, recovery falls back
to an older one and still finds every record after it.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from assetport.engine.engine import Engine
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.command_log import CommandLog

logger = logging.getLogger(__name__)


class Snapshotter:
    def __init__(
        self,
        store: SnapshotStore,
        log: CommandLog,
        *,
        every_commands: int,
        every_seconds: float,
        last_seq: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._log = log
        self._every_commands = every_commands
        self._every_seconds = every_seconds
        self._clock = clock
        self.last_seq = last_seq
        self._last_at = clock()
        self._writing: asyncio.Task[None] | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-writer")
        self.written = 0

    def due(self, seq: int) -> bool:
        if seq <= self.last_seq or self._writing is not None:
            return False
        return (
            seq - self.last_seq >= self._every_commands
            or self._clock() - self._last_at >= self._every_seconds
        )

    def start(self, engine: Engine) -> None:
        """Take the state now and write it in the background."""
        seq = engine.last_seq
        state = engine.snapshot()
        self.last_seq = seq
        self._last_at = self._clock()
        self._writing = asyncio.get_running_loop().create_task(self._write(seq, state))
        self._writing.add_done_callback(self._written)

    async def write_now(self, engine: Engine) -> None:
        """Write a snapshot of the current state and wait until it is durable (shutdown)."""
        await self.wait()
        if engine.last_seq == 0 or engine.last_seq in self.store.seqs():
            return
        self.start(engine)
        await self.wait()

    async def wait(self) -> None:
        """Until the snapshot being written (if any) is saved or has failed (and was logged)."""
        if self._writing is not None:
            await asyncio.wait([self._writing])

    async def _write(self, seq: int, state: bytes) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self.store.save, seq, state)
        kept = self.store.seqs()
        if kept:
            await self._log.remove_before(kept[0])

    def _written(self, task: "asyncio.Task[None]") -> None:
        self._writing = None
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.written += 1
        else:
            # The journal still holds every record, so a missed snapshot only makes the
            # next recovery replay more; it must not stop trading.
            logger.error("snapshot failed: %s", error)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
