"""The scaled-out journal: one NATS JetStream stream, one message per record.

Same contract as `FileJournal`, async. Mapping onto JetStream:

- The stream's sequence number IS our seq. Every publish carries
  `Nats-Expected-Last-Sequence: seq-1`, so the server stores a record only right after its
  predecessor: a lost publish can never leave a gap, and a second writer is refused.
- `Nats-Msg-Id: <seq>` makes a re-publish after a timeout a no-op (JetStream deduplicates
  within the stream's duplicate window), so a batch can simply be sent again.
- A message's data is a 16-byte prefix (u64 seq, i64 time, little-endian) and the payload.
  Keeping seq and time in binary avoids parsing headers on every read.
- `append` publishes the whole batch without waiting in between, then waits for every ack:
  it returns only when JetStream has stored (and, with replicas, replicated) all of it.
  Acks are collected by `PipelinedPublisher` (see there for why not nats-py's own).
"""

import asyncio
import logging
import struct
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Final

import nats
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from assetport.journal.errors import (
    JournalConflict,
    JournalCorrupted,
    JournalFailed,
    StreamMissing,
)
from assetport.journal.framing import record_problem
from assetport.journal.jetstream_publisher import Ack, PipelinedPublisher, PublishRejected
from assetport.journal.record import Record

logger = logging.getLogger(__name__)

_PREFIX = struct.Struct("<Qq")
_DUPLICATE_WINDOW_S = 120.0
_WRONG_LAST_SEQ = 10071  # JetStream API error: Nats-Expected-Last-Sequence did not match


def encode_message(record: Record) -> bytes:
    return _PREFIX.pack(record.seq, record.time) + record.payload


def decode_message(data: bytes, stream_seq: int, where: str) -> Record:
    """The record in a message's data, checked against the stream seq it was stored at."""
    if len(data) < _PREFIX.size:
        raise JournalCorrupted(
            where,
            stream_seq,
            offset_kind="stream seq",
            reason=f"message of {len(data)} bytes has no prefix",
        )
    seq, time = _PREFIX.unpack_from(data)
    if seq != stream_seq:
        raise JournalCorrupted(
            where,
            stream_seq,
            offset_kind="stream seq",
            reason=f"message at stream seq {stream_seq} holds record seq {seq}",
        )
    return Record(seq, time, data[_PREFIX.size :])


@dataclass(frozen=True)
class StreamState:
    """What a stream holds, as `open_existing` found it (None: no records)."""

    records: int
    first_seq: int | None
    last_seq: int | None
    bytes: int


# Messages delivered and not read yet: above HIGH the delivery callback waits until the
# reader is below LOW (the consumer's flow control then holds the server back).
_DELIVERED_HIGH: Final = 20_000
_DELIVERED_LOW: Final = 5_000


class _Delivered:
    """The consumer's messages as its callback hands them over, for `_consume` to read."""

    def __init__(self) -> None:
        self.queue: deque[Msg] = deque()
        self.arrived = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()

    async def take(self, message: Msg) -> None:
        self.queue.append(message)
        self.arrived.set()
        if len(self.queue) >= _DELIVERED_HIGH:
            self.room.clear()
            await self.room.wait()

    async def wait(self, timeout: float | None) -> None:
        """Until a message is delivered; TimeoutError after `timeout` (None: no limit)."""
        self.arrived.clear()
        if self.queue:
            return
        if timeout is None:
            await self.arrived.wait()
        else:
            await asyncio.wait_for(self.arrived.wait(), timeout)


def servers(url: str) -> list[str]:
    """The NATS servers of a journal URL: one, or a cluster's as `nats://a:4222,nats://b:4222`
    (the client connects to any and fails over to the others)."""
    return [part.strip() for part in url.split(",") if part.strip()]


class JetStreamJournal:
    """A durable, ordered log of records in the JetStream stream `stream`.

    `replicas` is the stream's replication factor when this journal creates it. A publish
    not acknowledged within `ack_timeout` seconds is sent again, up to `attempts` times in
    all, before `append` gives up with JournalFailed.
    """

    def __init__(
        self,
        url: str,
        stream: str = "ASSETPORT",
        subject: str = "assetport.commands",
        *,
        replicas: int = 1,
        ack_timeout: float = 5.0,
        attempts: int = 3,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject = subject
        self.replicas = replicas
        self.ack_timeout = ack_timeout
        self.attempts = attempts
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._publisher: PipelinedPublisher | None = None
        self._last_seq = 0
        self._failed = False
        self._where = f"{url} stream {stream}"
        # While following: the stream's messages after the last one read (a standby's lag).
        self.pending = 0

    @property
    def last_seq(self) -> int:
        return self._last_seq

    async def open(self) -> int:
        """Connect, create the stream if missing, check its tail, and return the last seq."""
        if self._nc is not None:
            raise RuntimeError("journal is already open")
        nc = await nats.connect(
            servers(self.url),
            name=f"assetport-journal-{self.stream}",
            error_cb=self._log_error,
            connect_timeout=5,
        )
        try:
            js = nc.jetstream(timeout=self.ack_timeout)
            await self._ensure_stream(js)
            self._last_seq = await self._check_tail(js)
            publisher = PipelinedPublisher(nc)
            await publisher.start()
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js, self._publisher = nc, js, publisher
        self._failed = False
        return self._last_seq

    async def open_existing(self) -> StreamState:
        """Connect to read only (the read model, the tools): the stream must exist already,
        so a mistyped name is an error rather than a new, empty, "healthy" stream. Checks
        the tail as `open` does; `read` then reads up to the last seq of this moment."""
        if self._nc is not None:
            raise RuntimeError("journal is already open")
        nc = await nats.connect(
            servers(self.url),
            name=f"assetport-reader-{self.stream}",
            error_cb=self._log_error,
            connect_timeout=5,
        )
        try:
            js = nc.jetstream(timeout=self.ack_timeout)
            try:
                info = await js.stream_info(self.stream)
            except nats.js.errors.NotFoundError:
                raise StreamMissing(f"{self._where} does not exist") from None
            subjects = info.config.subjects or []
            if subjects != [self.subject]:
                raise ValueError(f"{self._where} holds subjects {subjects}, not [{self.subject!r}]")
            self._last_seq = await self._check_tail(js)
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js = nc, js
        state = info.state
        return StreamState(
            records=state.messages,
            first_seq=state.first_seq if state.messages else None,
            last_seq=self._last_seq if state.messages else None,
            bytes=state.bytes,
        )

    @staticmethod
    async def _log_error(error: Exception) -> None:
        logger.warning("NATS connection error: %s", error)

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        try:
            info = await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            info = await js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[self.subject],
                    storage=StorageType.FILE,
                    retention=RetentionPolicy.LIMITS,
                    discard=DiscardPolicy.OLD,
                    num_replicas=self.replicas,
                    duplicate_window=_DUPLICATE_WINDOW_S,
                    # A deleted message would be a hole in the log; purging a prefix after
                    # a snapshot stays allowed.
                    deny_delete=True,
                    allow_direct=True,
                )
            )
        subjects = info.config.subjects or []
        if subjects != [self.subject]:
            raise ValueError(
                f"{self._where} holds subjects {subjects}, but this journal needs a stream of "
                f"its own with exactly [{self.subject!r}]"
            )

    async def _check_tail(self, js: JetStreamContext) -> int:
        info = await js.stream_info(self.stream)
        state = info.state
        last_seq = state.last_seq
        if state.messages and state.messages != state.last_seq - state.first_seq + 1:
            raise JournalCorrupted(
                self._where,
                state.first_seq,
                offset_kind="stream seq",
                reason=f"stream holds {state.messages} messages between seqs {state.first_seq} and "
                f"{state.last_seq}: some were deleted",
            )
        if state.messages:
            message = await js.get_msg(self.stream, last_seq)
            decode_message(message.data or b"", last_seq, self._where)
        return last_seq

    async def append(self, records: Sequence[Record]) -> None:
        """Store `records` (seq last_seq+1, +2, ...); return once JetStream acked every one."""
        js, publisher = self._writable()
        if not records:
            return
        expected = self._last_seq + 1
        for record in records:
            if record.seq != expected:
                raise ValueError(
                    f"records must continue the journal without gaps: expected seq {expected}, "
                    f"got {record.seq}"
                )
            problem = record_problem(record)
            if problem is not None:
                raise ValueError(problem)
            expected += 1
        try:
            await self._publish_until_acked(js, publisher, records)
        except BaseException:
            # Some records may be stored; reopening reads the true tail from the stream.
            self._failed = True
            raise
        self._last_seq = records[-1].seq

    def _writable(self) -> tuple[JetStreamContext, PipelinedPublisher]:
        if self._js is None or self._publisher is None:
            raise RuntimeError("journal is not open: call open() first")
        if self._failed:
            raise JournalFailed(
                f"an earlier append to {self._where} failed; close and reopen the journal"
            )
        return self._js, self._publisher

    async def _publish_until_acked(
        self, js: JetStreamContext, publisher: PipelinedPublisher, records: Sequence[Record]
    ) -> None:
        pending = list(records)
        error: BaseException | None = None
        for attempt in range(1, self.attempts + 1):
            acks = await self._publish_batch(publisher, pending)
            stored = 0
            for record, ack in zip(pending, acks, strict=True):
                if isinstance(ack, BaseException):
                    error = ack
                    break
                await self._check_ack(js, record, ack)
                stored += 1
            else:
                return
            pending = pending[stored:]
            if isinstance(error, PublishRejected) and error.err_code == _WRONG_LAST_SEQ:
                # The record before pending[0] is acked, so the stream's tail moved on
                # without us: another writer is appending.
                raise JournalConflict(
                    f"{self._where} refused record {pending[0].seq}: the stream no longer "
                    f"ends at seq {pending[0].seq - 1}; is another sequencer writing?"
                ) from error
            logger.warning(
                "append to %s: record %d not acknowledged (attempt %d of %d): %s",
                self._where,
                pending[0].seq,
                attempt,
                self.attempts,
                error,
            )
        raise JournalFailed(
            f"{self._where} did not acknowledge record {pending[0].seq} after "
            f"{self.attempts} attempts"
        ) from error

    async def _publish_batch(
        self, publisher: PipelinedPublisher, records: Sequence[Record]
    ) -> list[Ack | BaseException]:
        futures: list[asyncio.Future[Ack]] = []
        for record in records:
            headers = {
                "Nats-Msg-Id": str(record.seq),
                "Nats-Expected-Last-Sequence": str(record.seq - 1),
                "Nats-Expected-Stream": self.stream,
            }
            futures.append(await publisher.publish(self.subject, encode_message(record), headers))
        done, _ = await asyncio.wait(futures, timeout=self.ack_timeout)
        results: list[Ack | BaseException] = []
        for future in futures:
            if future not in done:
                future.cancel()
                results.append(TimeoutError(f"no ack within {self.ack_timeout}s"))
            else:
                error = future.exception()
                results.append(future.result() if error is None else error)
        return results

    async def _check_ack(self, js: JetStreamContext, record: Record, ack: Ack) -> None:
        if ack.seq != record.seq:
            raise JournalConflict(
                f"{self._where} stored record {record.seq} at stream seq {ack.seq}"
            )
        if ack.duplicate:
            # The msg id matched an earlier publish: a retry of ours, or another writer's
            # record under the same seq. Only the stored bytes tell which.
            stored = await js.get_msg(self.stream, record.seq)
            if stored.data != encode_message(record):
                raise JournalConflict(
                    f"{self._where} already holds a different record {record.seq}"
                )

    def read(self, from_seq: int = 1) -> AsyncIterator[Record]:
        """Records with seq >= from_seq, in order, up to the last seq at the time of the call."""
        self._readable()
        if from_seq < 1:
            raise ValueError(f"seqs start at 1, got from_seq={from_seq}")
        return self._consume(from_seq, self._last_seq)

    def follow(self, from_seq: int = 1) -> AsyncIterator[Record]:
        """Records with seq >= from_seq, then each new one as it is stored, without end.

        For a hot standby engine: it sees records appended by any writer.
        """
        self._readable()
        if from_seq < 1:
            raise ValueError(f"seqs start at 1, got from_seq={from_seq}")
        return self._consume(from_seq, None)

    def _readable(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("journal is not open: call open() first")
        return self._js

    async def _consume(self, from_seq: int, until: int | None) -> AsyncIterator[Record]:
        if until is not None and from_seq > until:
            return
        js = self._readable()
        delivered = _Delivered()
        # An ordered consumer is ephemeral, flow-controlled, and recreated by the client
        # at the right seq if a message is missed, so delivery is exactly in stream order.
        # Messages come through a callback into a queue of our own, read here in runs:
        # the client's `next_msg` makes a task per message, which cost a following standby
        # about half its time.
        subscription = await js.subscribe(
            self.subject,
            stream=self.stream,
            cb=delivered.take,
            ordered_consumer=True,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=from_seq
            ),
        )
        try:
            expected = from_seq
            queue = delivered.queue
            while until is None or expected <= until:
                if not queue:
                    await delivered.wait(None if until is None else self.ack_timeout)
                    continue
                message = queue.popleft()
                if len(queue) < _DELIVERED_LOW:
                    delivered.room.set()
                metadata = message.metadata
                record = decode_message(message.data, metadata.sequence.stream, self._where)
                # What a follower has yet to read: the standby's lag (the stream's messages
                # after this one not delivered yet, and those delivered and not read).
                self.pending = metadata.num_pending + len(queue) + subscription.pending_msgs
                if record.seq < expected:
                    continue
                if record.seq > expected == from_seq:
                    raise ValueError(
                        f"records before seq {record.seq} were purged from {self._where}; "
                        f"cannot read from seq {from_seq}"
                    )
                if record.seq != expected:
                    raise JournalCorrupted(
                        self._where,
                        expected,
                        offset_kind="stream seq",
                        reason=f"expected record {expected}, got {record.seq}",
                    )
                yield record
                expected += 1
        finally:
            delivered.room.set()  # a callback waiting for room must not outlive the reader
            await subscription.unsubscribe()

    async def close(self) -> None:
        if self._publisher is not None:
            await self._publisher.close()
            self._publisher = None
        if self._nc is not None:
            nc, self._nc, self._js = self._nc, None, None
            await nc.close()
