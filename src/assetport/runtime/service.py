"""The engine service: sequencer -> journal -> engine -> replies and event bus.

Commands are only queued by `submit`; the first one queued in a turn of the event loop
schedules one send for the end of that turn, which takes everything queued:

    stamp the batch (seq, time; each command was encoded when submitted) and start its
    append to the journal (the file journal's writer thread puts it into its next write
    and fsync)

and one task, `run`, finishes batches in seq order as they become durable:

    first send whatever is queued (the writer has just finished a sync), then
    apply the batch to the engine, in order; update the views; acknowledge each command
    (its future, or its reply callback); publish the batch to the bus

So the loop never waits for the disk and the disk never waits for the loop: while the
writer syncs, the loop keeps sequencing what arrives, and all of it goes out in the writer's
next write (the busier the service, the larger its group commits). A command is
acknowledged only after its record is durable and it was applied; batches are applied in
seq order because appends complete in the order they started.

If the journal fails, nothing in flight is acknowledged and the service stops: after a
failed fsync what is on disk is unknown until the journal is reopened by a restart.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from enum import Enum
from itertools import repeat
from typing import NamedTuple, TypeAlias

from assetport.domain.commands import Command, encode_command
from assetport.domain.events import Event
from assetport.engine.engine import Engine
from assetport.journal.framing import MAX_PAYLOAD_BYTES
from assetport.runtime.bus import AppliedBatch, EventBus
from assetport.runtime.command_log import CommandLog
from assetport.runtime.errors import (
    CommandRefused,
    Overloaded,
    ServiceFailed,
    ShuttingDown,
    Unjournalable,
)
from assetport.runtime.sequencer import Sequencer
from assetport.runtime.snapshotter import Snapshotter

logger = logging.getLogger(__name__)


class Outcome(NamedTuple):
    """A command's acknowledgement: durable at `seq`, applied, with the events it caused."""

    seq: int
    time: int
    events: list[Event]


class ServiceState(Enum):
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


ReplyCallback = Callable[["Outcome | ServiceFailed | CommandRefused"], None]
"""Called on the loop with the command's `Outcome` once it is durable and applied, or with
`ServiceFailed` if it never will be acknowledged. An engine in another process refuses
after the command left (its queue was full, it is stopping): that `CommandRefused` comes
here too; this service itself refuses at submit, by raising."""

_Reply: TypeAlias = "asyncio.Future[Outcome] | ReplyCallback"
_Pending = tuple[Command, bytes, _Reply]


class _Batch(NamedTuple):
    """A batch whose append has started; `durable` completes when its records are."""

    commands: tuple[Command, ...]
    replies: tuple[_Reply, ...]
    first_seq: int
    time: int
    durable: "asyncio.Future[None]"


class EngineService:
    def __init__(
        self,
        engine: Engine,
        log: CommandLog,
        sequencer: Sequencer,
        snapshotter: Snapshotter,
        bus: EventBus,
        *,
        queue_bound: int,
        batch_max: int,
    ) -> None:
        if sequencer.last_seq != engine.last_seq:
            raise ValueError(
                f"sequencer at seq {sequencer.last_seq} but engine at seq {engine.last_seq}"
            )
        self.engine = engine
        self.log = log
        self.bus = bus
        self.snapshotter = snapshotter
        self._sequencer = sequencer
        self._queue: deque[_Pending] = deque()
        self._in_flight: deque[_Batch] = deque()
        # Commands sequenced but not yet applied count against `queue_bound` too: they are
        # memory the service holds for callers just the same.
        self._sequenced = 0
        self._queue_bound = queue_bound
        self._batch_max = batch_max
        self._depth = log.appends_in_flight
        self._loop = asyncio.get_running_loop()
        self._send_scheduled = False
        self._wakeup = asyncio.Event()
        self.state = ServiceState.RUNNING
        self.failure: BaseException | None = None
        self.batches = 0
        # Called with each applied batch before its replies go out and before the bus
        # publishes it; they run on the hot loop, so they must be quick.
        self.on_applied: list[Callable[[AppliedBatch], None]] = []

    @property
    def role(self) -> str:
        return "primary"

    @property
    def last_seq(self) -> int:
        """Seq of the last command applied (and so durable)."""
        return self.engine.last_seq

    @property
    def queued(self) -> int:
        """Commands accepted and not yet acknowledged."""
        return len(self._queue) + self._sequenced

    def submit(self, command: Command, payload: bytes | None = None) -> "asyncio.Future[Outcome]":
        """Queue `command`; the future resolves once it is durable and applied.

        `payload` is the command already encoded (a gateway received it encoded): it is
        journaled as is, so replay decodes exactly what was applied. Raises `Overloaded`
        when the queue is full, `ShuttingDown` once a stop was asked for and `Unjournalable`
        for a command the journal cannot hold.
        """
        future: asyncio.Future[Outcome] = self._loop.create_future()
        self._accept(command, payload, future)
        return future

    def submit_with_reply(
        self, command: Command, reply: ReplyCallback, payload: bytes | None = None
    ) -> None:
        """As `submit`, but `reply` is called with the outcome instead of resolving a future.

        For callers that would only add a callback to the future (the command port, a
        WebSocket session): `reply` runs straight from the batch's acknowledgement pass,
        without a future, a scheduled callback and a turn of the loop per command.
        """
        self._accept(command, payload, reply)

    def _accept(self, command: Command, payload: bytes | None, reply: _Reply) -> None:
        if self.state is not ServiceState.RUNNING:
            raise ShuttingDown("the engine service is shutting down")
        if len(self._queue) + self._sequenced >= self._queue_bound:
            raise Overloaded(f"more than {self._queue_bound} commands are waiting")
        if payload is None:
            # Encoded here, not with its batch: a command that cannot be (an amount beyond
            # 64 bits) is refused to its own caller instead of failing the whole batch.
            try:
                payload = encode_command(command)
            except (OverflowError, TypeError, ValueError) as exc:
                raise Unjournalable(f"the command cannot be journaled: {exc}") from exc
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise Unjournalable(f"the command exceeds the journal's {MAX_PAYLOAD_BYTES} bytes")
        self._queue.append((command, payload, reply))
        if not self._send_scheduled:
            self._send_scheduled = True
            self._loop.call_soon(self._send_queued)

    async def execute(self, command: Command) -> Outcome:
        return await self.submit(command)

    def stop(self) -> None:
        """Take no new commands; finish those accepted, write a snapshot, then `run` returns."""
        if self.state is ServiceState.RUNNING:
            self.state = ServiceState.STOPPING
            self._wakeup.set()

    async def run(self) -> None:
        """Finish batches as they become durable, until `stop` (returns) or a failure
        (raises ServiceFailed)."""
        in_flight = self._in_flight
        try:
            while True:
                if in_flight:
                    sent = in_flight[0]
                    await sent.durable
                    in_flight.popleft()
                    self._sequenced -= len(sent.commands)
                    if self._queue:
                        # The writer has just finished a sync: hand it what arrived before
                        # applying this batch, so the disk works while the loop does.
                        self._send_queued()
                    await self._finish_batch(sent)
                elif self.failure is not None:
                    raise self.failure
                elif self._queue:
                    self._send_queued()
                elif self.state is not ServiceState.RUNNING:
                    break
                else:
                    self._wakeup.clear()
                    await self._wakeup.wait()
            await self.snapshotter.write_now(self.engine)
            self.state = ServiceState.STOPPED
        except BaseException as exc:
            cause = self.failure or exc
            self._fail(cause)
            raise ServiceFailed(f"the engine service stopped: {cause!r}") from cause
        finally:
            await self.bus.close()

    def _send_queued(self) -> None:
        """Sequence what is queued, in batches of at most `batch_max`, and start appending
        each; called once per turn of the loop in which commands arrived."""
        self._send_scheduled = False
        if self.state is ServiceState.FAILED:
            return
        was_idle = not self._in_flight
        try:
            while self._queue and len(self._in_flight) < self._depth:
                self._send_batch()
        except BaseException as exc:
            self._fail(exc)
        if was_idle:
            self._wakeup.set()

    def _send_batch(self) -> None:
        """Stamp and encode the next batch and start its append (one write, one fsync)."""
        queue = self._queue
        count = min(len(queue), self._batch_max)
        if count == len(queue):
            taken = list(queue)
            queue.clear()
        else:
            popleft = queue.popleft
            taken = [popleft() for _ in range(count)]
        # Columns, built by C loops: the per-command work left is applying.
        commands, payloads, replies = zip(*taken, strict=True)
        first_seq, time = self._sequencer.stamp(count)
        self._sequenced += count
        durable = self.log.append(first_seq, time, payloads)
        self._in_flight.append(_Batch(commands, replies, first_seq, time, durable))

    async def _finish_batch(self, sent: "_Batch") -> None:
        """The batch is durable: apply it, update the views, acknowledge it, publish it."""
        commands, replies, first_seq, time = sent.commands, sent.replies, sent.first_seq, sent.time
        count = len(commands)
        apply = self.engine.apply
        events: list[list[Event]] = []
        record = events.append
        seq = first_seq
        # A Python loop, not map(): the compiled engine never offers the GIL, so only the
        # eval loop between two commands lets the journal's writer thread take it to start
        # the next write; a whole batch in one C call would hold the disk back.
        for command in commands:
            record(apply(seq, time, command))
            seq += 1
        # tuple.__new__ skips the named tuple's Python-level __new__: half the cost.
        fields = zip(range(first_seq, seq), repeat(time, count), events, strict=True)
        outcomes: list[Outcome] = list(map(tuple.__new__, repeat(Outcome, count), fields))
        self.batches += 1
        applied_batch: AppliedBatch | None = None
        if self.on_applied or self.bus.has_subscribers:
            applied_batch = AppliedBatch(first_seq, time, list(commands), events)
            # Views that must match the engine as of this batch (the book depth a client
            # reads, an order it just placed) update here, before any reply is delivered.
            for view in self.on_applied:
                view(applied_batch)
        future_type = asyncio.Future
        for reply, outcome in zip(replies, outcomes, strict=True):
            if isinstance(reply, future_type):
                if not reply.done():  # the caller may have given up (cancelled) meanwhile
                    reply.set_result(outcome)
            else:
                try:
                    reply(outcome)
                except Exception:
                    logger.exception("a reply callback raised")  # it must not stop the engine
        if applied_batch is not None and self.bus.has_subscribers:
            await self.bus.publish(applied_batch)
        if self.snapshotter.due(first_seq + count - 1):
            self.snapshotter.start(self.engine)

    def _fail(self, exc: BaseException) -> None:
        if self.state is ServiceState.FAILED:
            return
        logger.error("engine service failed, acknowledging nothing more: %r", exc)
        self.state = ServiceState.FAILED
        self.failure = exc
        pending = [reply for sent in self._in_flight for reply in sent.replies]
        pending.extend(reply for _, _, reply in self._queue)
        self._queue.clear()
        for sent in self._in_flight:
            # Later appends fail too (the journal refuses writes after a failure); their
            # errors are expected and need no report.
            sent.durable.cancel()
            if sent.durable.done() and not sent.durable.cancelled():
                sent.durable.exception()
        self._in_flight.clear()
        self._sequenced = 0
        self._wakeup.set()
        error = ServiceFailed(f"not acknowledged: {exc!r}")
        for reply in pending:
            if isinstance(reply, asyncio.Future):
                if not reply.done():
                    reply.set_exception(error)
            else:
                try:
                    reply(error)
                except Exception:
                    logger.exception("a reply callback raised")
