"""Reading whichever journal a server writes: the data dir's segment files, or a JetStream
stream. For the SQL read model's catch-up and for the tools (`reconcile`, `journal verify`,
`stats`, `replay`), which must read the journal the engine writes, not an empty directory
beside it.

Everything here only reads. A stream is never created by a reader (`open_existing`): a
mistyped stream name is an error, never an empty journal that "agrees" with everything.
The readers are synchronous iterators (the read model's child and the tools are plain
loops); a stream is read on an event loop of the iterator's own, a batch at a time.
"""

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from assetport.journal.errors import JournalCorrupted
from assetport.journal.record import Record
from assetport.runtime.replay import ReplayImpossible, read_records

DEFAULT_STREAM: Final = "ASSETPORT"
DEFAULT_SUBJECT: Final = "assetport.commands"
if TYPE_CHECKING:
    from assetport.journal.jetstream import StreamState

_READ_BATCH: Final = 2_000  # records taken per turn of the reader's event loop


@dataclass(frozen=True)
class JournalSource:
    """Where the journal is: `journal_url` None (or `file:`) means the segment files of
    `data_dir`; a `nats://` (or `tls://`) URL means the JetStream `stream` on `subject`."""

    data_dir: Path | None = None
    journal_url: str | None = None
    stream: str = DEFAULT_STREAM
    subject: str = DEFAULT_SUBJECT

    def __post_init__(self) -> None:
        if not self.uses_jetstream and self.data_dir is None:
            raise ValueError("a file journal needs its data directory")

    @property
    def uses_jetstream(self) -> bool:
        return self.journal_url is not None and not self.journal_url.startswith("file:")

    def describe(self) -> str:
        if self.uses_jetstream:
            return f"stream {self.stream} at {self.journal_url}"
        return f"the journal of {self.data_dir}"

    def records(self, after: int = 0, until: int | None = None) -> Generator[Record, None, None]:
        """The records with `after` < seq <= `until` (to the end by default), in order.
        Raises ReplayImpossible when the journal no longer reaches back to `after` + 1."""
        if not self.uses_jetstream:
            assert self.data_dir is not None
            for record in read_records(self.data_dir, after=after):
                if until is not None and record.seq > until:
                    return
                yield record
            return
        yield from _stream_records(self, after, until)


def _stream_records(
    source: JournalSource, after: int, until: int | None
) -> Generator[Record, None, None]:
    from assetport.journal.jetstream import JetStreamJournal

    assert source.journal_url is not None
    journal = JetStreamJournal(source.journal_url, source.stream, source.subject)
    loop = asyncio.new_event_loop()
    reading: AsyncGenerator[Record, None] | None = None
    try:
        state = loop.run_until_complete(journal.open_existing())
        if state.first_seq is not None and state.first_seq > after + 1:
            raise ReplayImpossible(
                f"{source.describe()} starts at seq {state.first_seq}: the records before "
                "it were purged"
            )
        end = journal.last_seq if until is None else min(until, journal.last_seq)
        if end <= after:
            return
        reading = cast(AsyncGenerator[Record, None], journal.read(after + 1))
        while True:
            batch = loop.run_until_complete(_take(reading, min(_READ_BATCH, end - after)))
            yield from batch
            if not batch:
                return
            after = batch[-1].seq
            if after >= end:
                return
    finally:
        if reading is not None:
            loop.run_until_complete(reading.aclose())
        loop.run_until_complete(journal.close())
        loop.close()


async def _take(records: AsyncIterator[Record], count: int) -> list[Record]:
    taken: list[Record] = []
    async for record in records:
        taken.append(record)
        if len(taken) >= count:
            break
    return taken


def stream_state(source: JournalSource) -> "StreamState":
    """Counts and seq range of the source's stream, as it is now (it must exist)."""
    from assetport.journal.jetstream import JetStreamJournal

    assert source.journal_url is not None
    journal = JetStreamJournal(source.journal_url, source.stream, source.subject)

    async def state() -> "StreamState":
        try:
            return await journal.open_existing()
        finally:
            await journal.close()

    return asyncio.run(state())


def stream_problems(source: JournalSource) -> tuple["StreamState | None", list[str]]:
    """Read every record of the source's stream and check it (each message holds the record
    of its own seq, none is missing); the stream's state and each problem found."""
    try:
        state = stream_state(source)
    except JournalCorrupted as exc:
        return None, [str(exc)]
    if state.last_seq is None or state.first_seq is None:
        return state, []
    problems: list[str] = []
    read = 0
    try:
        for _ in source.records(after=state.first_seq - 1, until=state.last_seq):
            read += 1
    except (JournalCorrupted, ValueError) as exc:
        problems.append(str(exc))
    if not problems and read != state.records:
        problems.append(f"the stream counts {state.records} records, but {read} were read")
    return state, problems
