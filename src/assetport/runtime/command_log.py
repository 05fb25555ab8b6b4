"""The journal as the runtime sees it: one async contract over both backends.

`FileJournal` is synchronous; everything that touches its files runs on one writer thread
of its own, so the event loop keeps taking commands while the disk syncs, and appends and
segment removal never run at the same time. The writer coalesces: when an fsync returns,
every append queued meanwhile goes out in one write and one fsync, so the disk never idles
while commands wait, and a command waits for at most the sync in progress plus its own.

A batch's frames (CRC32C included) are encoded on the caller's thread, not the writer's:
under the GIL the Python-level encoding costs the same on either thread, and keeping it off
the writer means that thread holds the GIL only for a moment between two fsyncs, so it never
waits on the busy event loop (for the interpreter's switch interval) before it can write.

`JetStreamJournal` is already async.
"""

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from assetport.journal.file_journal import FileJournal
from assetport.journal.framing import encode_batch
from assetport.journal.record import Record
from assetport.runtime.config import RuntimeConfig

if TYPE_CHECKING:
    # nats and aiohttp take a fifth of a second to import: only a JetStream journal needs them.
    from assetport.journal.jetstream import JetStreamJournal

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

    def append(
        self, first_seq: int, time: int, payloads: Sequence[bytes]
    ) -> "asyncio.Future[None]":
        """Start writing records `first_seq`, `first_seq + 1`, ... stamped `time`, one per
        payload; the future completes when every one is durable (or fails if that cannot be
        known). Appends complete in the order they started."""
        ...

    def read(self, from_seq: int) -> AsyncIterator[Record]: ...

    async def remove_before(self, seq: int) -> None:
        """Drop records no kept snapshot needs: `seq` is the OLDEST kept snapshot's seq."""
        ...

    async def close(self) -> None: ...


class _Append(NamedTuple):
    first_seq: int
    records: int
    frames: bytes
    durable: "asyncio.Future[None]"


class _Call(NamedTuple):
    call: Callable[[], Any]
    done: "asyncio.Future[Any]"


class _Stop:
    """Tells the writer thread to end, after everything queued before it."""


_STOP = _Stop()


class _Writer:
    """The one thread that writes a `FileJournal`, taking work from a queue in order."""

    def __init__(self, journal: FileJournal) -> None:
        self._journal = journal
        self._queue: SimpleQueue[_Append | _Call | _Stop] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="journal-writer", daemon=True)
        self._thread.start()

    def append(self, item: _Append) -> None:
        self._queue.put(item)

    def call(self, item: _Call) -> None:
        self._queue.put(item)

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        held: _Call | _Stop | None = None
        while True:
            item = held if held is not None else self._queue.get()
            held = None
            if isinstance(item, _Stop):
                return
            if isinstance(item, _Call):
                self._run_call(item)
                continue
            appends, held = self._queued_behind(item)
            self._write(appends)

    def _queued_behind(self, first: _Append) -> tuple[list[_Append], _Call | _Stop | None]:
        """`first` and every append queued right behind it, which share one write and one
        fsync; and the other work that stopped the run, to do after that write."""
        appends = [first]
        while True:
            try:
                item = self._queue.get_nowait()
            except Empty:
                return appends, None
            if not isinstance(item, _Append):
                return appends, item
            appends.append(item)

    def _write(self, appends: list[_Append]) -> None:
        error: BaseException | None = None
        try:
            if len(appends) == 1:
                first_seq, count, frames, _ = appends[0]
            else:
                first_seq = appends[0].first_seq
                count = sum(append.records for append in appends)
                frames = b"".join([append.frames for append in appends])
            self._journal.append_frames(first_seq, count, frames)
        except BaseException as exc:  # handed to the waiting service, which stops
            error = exc
        _settle_soon(appends[0].durable, _settle_appends, appends, error)

    def _run_call(self, item: _Call) -> None:
        try:
            result = item.call()
        except BaseException as exc:
            _settle_soon(item.done, _settle_call, item.done, None, exc)
        else:
            _settle_soon(item.done, _settle_call, item.done, result, None)


def _settle_soon(future: "asyncio.Future[Any]", settle: Callable[..., None], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        future.get_loop().call_soon_threadsafe(settle, *args)


def _settle_appends(appends: list[_Append], error: BaseException | None) -> None:
    for append in appends:
        durable = append.durable
        if durable.done():  # cancelled by a service that already stopped
            continue
        if error is None:
            durable.set_result(None)
        else:
            durable.set_exception(error)


def _settle_call(done: "asyncio.Future[Any]", result: Any, error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(result)
    else:
        done.set_exception(error)


class FileCommandLog:
    def __init__(self, journal: FileJournal) -> None:
        self._journal = journal
        self._writer: _Writer | None = None

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
        # The writer coalesces whatever is queued into its next write, so there is no
        # reason to hold commands back on the loop.
        return 1 << 30

    def append(
        self, first_seq: int, time: int, payloads: Sequence[bytes]
    ) -> "asyncio.Future[None]":
        durable: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            frames = encode_batch(first_seq, time, payloads)
        except ValueError as exc:
            durable.set_exception(exc)
            return durable
        self._started().append(_Append(first_seq, len(payloads), frames, durable))
        return durable

    async def read(self, from_seq: int) -> AsyncIterator[Record]:
        # Only recovery and catch-up read, before the service takes commands, so reading
        # on the loop's thread blocks nobody.
        for record in self._journal.read(from_seq):
            yield record

    async def remove_before(self, seq: int) -> None:
        await self._in_writer(lambda: self._journal.remove_segments_before(seq))

    async def close(self) -> None:
        await self._in_writer(self._journal.close)
        if self._writer is not None:
            self._writer.stop()
            self._writer = None

    def _started(self) -> _Writer:
        if self._writer is None:
            self._writer = _Writer(self._journal)
        return self._writer

    async def _in_writer(self, call: Callable[[], _T]) -> _T:
        done: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        self._started().call(_Call(call, done))
        return await done


class JetStreamCommandLog:
    """JetStream keeps the whole stream: removing old records is left to the stream's own
    limits or to an operator's purge (see docs/operations.md), never done by the engine."""

    def __init__(self, journal: "JetStreamJournal") -> None:
        self._journal = journal

    @property
    def last_seq(self) -> int:
        return self._journal.last_seq

    @property
    def journal(self) -> "JetStreamJournal":
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

    def append(
        self, first_seq: int, time: int, payloads: Sequence[bytes]
    ) -> "asyncio.Future[None]":
        records = [Record(seq, time, payload) for seq, payload in enumerate(payloads, first_seq)]
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
        from assetport.journal.jetstream import JetStreamJournal

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
