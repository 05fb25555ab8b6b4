"""Snapshots of the engine every N commands or T seconds, whichever comes first.

The state is taken on the loop's thread between two batches, so it is exactly the state
after the last applied seq (every applied seq is already durable in the journal). Encoding
it takes tens of milliseconds for a busy book, far beyond the latency budget of the commands
waiting meanwhile, so on Linux the loop only forks: the child process encodes its
copy-on-write image of the state, sends the bytes through a pipe and exits, while the parent
goes on applying commands. The fork costs the parent the copy of its page tables (2.5-3.5
ms per 100 MB of memory on the development VM); the child may copy up to the whole heap as
it reads it, so memory briefly doubles at worst (as with Redis). Elsewhere the state is
encoded on the loop.

Writing the file (fsync, rename, fsync of the directory) happens on a thread of its own,
while commands keep flowing. After each save, journal segments that the OLDEST kept
snapshot covers are removed: if the newest snapshot turns out damaged, recovery falls back
to an older one and still finds every record after it.
"""

import asyncio
import gc
import logging
import os
import struct
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from assetport.engine.engine import Engine
from assetport.journal.durable import write_all
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.command_log import CommandLog

logger = logging.getLogger(__name__)

FORK_SNAPSHOTS = sys.platform == "linux"
_LENGTH = struct.Struct("<Q")


class SnapshotChildFailed(Exception):
    """The child process that encodes a snapshot died or sent an incomplete state."""


def fork_snapshot(engine: Engine) -> tuple[int, int]:
    """Start a child that sends `engine.snapshot()` through a pipe: (its pid, the read end)."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork in a threaded process: a lock another thread held
        # stays locked in the child. The child only encodes plain data structures, writes to
        # its own pipe and leaves with os._exit, so it takes none of those locks.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_fd)
            gc.disable()  # a collection would walk (and so copy) the whole inherited heap
            state = engine.snapshot()
            write_all(write_fd, _LENGTH.pack(len(state)) + state)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def receive_snapshot(pid: int, read_fd: int) -> bytes:
    """The state a `fork_snapshot` child sends, once it has exited (blocks: run on a thread)."""
    chunks: list[bytes] = []
    try:
        while chunk := os.read(read_fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    data = b"".join(chunks)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SnapshotChildFailed(f"the snapshot process {pid} exited with {code}")
    if len(data) < _LENGTH.size or _LENGTH.unpack_from(data)[0] != len(data) - _LENGTH.size:
        raise SnapshotChildFailed(f"the snapshot process {pid} sent an incomplete state")
    return data[_LENGTH.size :]


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
        self.started = 0
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
        taken: bytes | tuple[int, int]
        try:
            taken = fork_snapshot(engine) if FORK_SNAPSHOTS else engine.snapshot()
        except OSError as exc:  # no memory or process slot for a child: pause instead
            logger.warning("cannot fork to encode a snapshot, encoding it in line: %s", exc)
            taken = engine.snapshot()
        self.last_seq = seq
        self._last_at = self._clock()
        self.started += 1
        self._writing = asyncio.get_running_loop().create_task(self._write(seq, taken))
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

    async def _write(self, seq: int, taken: bytes | tuple[int, int]) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self._save, seq, taken)
        kept = self.store.seqs()
        if kept:
            await self._log.remove_before(kept[0])

    def _save(self, seq: int, taken: bytes | tuple[int, int]) -> None:
        state = taken if isinstance(taken, bytes) else receive_snapshot(*taken)
        self.store.save(seq, state)

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
