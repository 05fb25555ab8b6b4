"""The journal as the runtime sees it: one async contract over both backends.

`FileJournal` is synchronous; its appends (write + fsync) run on one dedicated writer
thread, so the event loop keeps taking commands while the disk syncs, and so appends and
segment removal never run at the same time. `JetStreamJournal` is already async.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from assetport.journal.file_journal import FileJournal
from assetport.journal.jetstream import JetStreamJournal
from assetport.journal.record import Record
from assetport.runtime.config import RuntimeConfig

_T = TypeVar("_T")


class CommandLog(Protocol):
    """A durable, ordered log of records: what the service appends and recovery reads."""

    @property
    def last_seq(self) -> int: ...

    def describe(self) -> str: ...

    async def open(self) -> int: ...

    @property
    def appends_in_flight(self) -> int:
        """How many appends may be started before the first one completes."""
        ...

    def append(self, records: Sequence[Record]) -> "asyncio.Future[None]":
        """Start writing `records` at once; the future completes when every one is durable
        (or fails if that cannot be known). Appends complete in the order they started."""
        ...

    def read(self, from_seq: int) -> AsyncIterator[Record]: ...

    async def remove_before(self, seq: int) -> None:
        """Drop records no kept snapshot needs: `seq` is the OLDEST kept snapshot's seq."""
        ...

    async def close(self) -> None: ...


class FileCommandLog:
    def __init__(self, journal: FileJournal) -> None:
        self._journal = journal
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal-writer")

    @property
    def last_seq(self) -> int:
        return self._journal.last_seq

    @property
    def journal(self) -> FileJournal:
        return self._journal

    def describe(self) -> str:
        return f"file journal {self._journal.directory}"

    async def open(self) -> int:
        return await self._in_writer(self._journal.open)

    @property
    def appends_in_flight(self) -> int:
        # While the writer thread syncs one batch, the next is already queued behind it, so
        # the disk never waits for the event loop.
        return 2

    def append(self, records: Sequence[Record]) -> "asyncio.Future[None]":
        return asyncio.get_running_loop().run_in_executor(
            self._writer, self._journal.append, records
        )

    async def read(self, from_seq: int) -> AsyncIterator[Record]:
        # Only recovery and catch-up read, before the service takes commands, so reading
        # on the loop's thread blocks nobody.
        for record in self._journal.read(from_seq):
            yield record

    async def remove_before(self, seq: int) -> None:
        await asyncio.get_running_loop().run_in_executor(
            self._writer, self._journal.remove_segments_before, seq
        )

    async def close(self) -> None:
        await self._in_writer(self._journal.close)
        self._writer.shutdown(wait=True)

    async def _in_writer(self, call: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, call)


class JetStreamCommandLog:
    """JetStream keeps the whole stream: removing old records is left to the stream's own
    limits or to an operator's purge (see docs/operations.md), never done by the engine."""

    def __init__(self, journal: JetStreamJournal) -> None:
        self._journal = journal

    @property
    def last_seq(self) -> int:
        return self._journal.last_seq

    @property
    def journal(self) -> JetStreamJournal:
        return self._journal

    def describe(self) -> str:
        return f"JetStream stream {self._journal.stream} at {self._journal.url}"

    async def open(self) -> int:
        return await self._journal.open()

    @property
    def appends_in_flight(self) -> int:
        # JetStreamJournal.append checks seqs against the acked tail, so one at a time; a
        # batch's messages are pipelined inside it anyway.
        return 1

    def append(self, records: Sequence[Record]) -> "asyncio.Future[None]":
        return asyncio.ensure_future(self._journal.append(records))

    def read(self, from_seq: int) -> AsyncIterator[Record]:
        return self._journal.read(from_seq)

    def follow(self, from_seq: int) -> AsyncIterator[Record]:
        return self._journal.follow(from_seq)

    async def remove_before(self, seq: int) -> None:
        return None

    async def close(self) -> None:
        await self._journal.close()


def command_log_for(config: RuntimeConfig) -> FileCommandLog | JetStreamCommandLog:
    """The backend the config's journal URL names (not opened yet)."""
    if config.uses_jetstream:
        assert config.journal_url is not None
        return JetStreamCommandLog(
            JetStreamJournal(
                config.journal_url, config.stream, config.subject, replicas=config.replicas
            )
        )
    return FileCommandLog(
        FileJournal.in_data_dir(
            Path(config.data_dir),
            config.segment_bytes,
            fsync_each=config.fsync_each,
            archive_removed=config.archive_removed_segments,
        )
    )
