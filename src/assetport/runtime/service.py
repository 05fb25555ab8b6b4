"""The engine service: sequencer -> journal -> engine -> replies and event bus.

One task runs the hot loop; everything else only queues commands. Each turn of the loop is
one group commit:

    drain up to `batch_max` queued commands
    stamp them (seq, time) and encode them
    start their append to the journal: one write, one fsync, on the journal's writer thread
    ... when it is durable: apply them to the engine, in order,
    resolve each command's future (the acknowledgement), publish the batch to the bus

While the writer thread waits for the disk, the loop keeps accepting commands and may start
the next batch's append behind it (the file journal allows two in flight), so neither the
disk nor the loop waits for the other: the busier the service, the larger its batches. A
command is acknowledged only after its record is durable and it was applied; batches are
applied in seq order because appends complete in the order they started.

If the journal fails, nothing in flight is acknowledged and the service stops: after a
failed fsync what is on disk is unknown until the journal is reopened by a restart.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import NamedTuple

from assetport.domain.commands import Command, encode_command
from assetport.domain.events import Event
from assetport.engine.engine import Engine
from assetport.journal.record import Record
from assetport.runtime.bus import AppliedBatch, EventBus
from assetport.runtime.command_log import CommandLog
from assetport.runtime.errors import Overloaded, ServiceFailed, ShuttingDown
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


_Pending = tuple[Command, bytes | None, "asyncio.Future[Outcome]"]


class _Batch(NamedTuple):
    """A batch whose append has started; `durable` completes when its records are."""

    commands: list[_Pending]
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
        self._queue_bound = queue_bound
        self._batch_max = batch_max
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._idle = False
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
        return len(self._queue)

    def submit(self, command: Command, payload: bytes | None = None) -> "asyncio.Future[Outcome]":
        """Queue `command`; the future resolves once it is durable and applied.

        `payload` is the command already encoded (a gateway received it encoded): it is
        journaled as is, so replay decodes exactly what was applied. Raises `Overloaded`
        when the queue is full and `ShuttingDown` once a stop was asked for.
        """
        if self.state is not ServiceState.RUNNING:
            raise ShuttingDown("the engine service is shutting down")
        if len(self._queue) >= self._queue_bound:
            raise Overloaded(f"more than {self._queue_bound} commands are waiting")
        future: asyncio.Future[Outcome] = self._loop.create_future()
        self._queue.append((command, payload, future))
        if self._idle:
            self._idle = False
            self._wakeup.set()
        return future

    async def execute(self, command: Command) -> Outcome:
        return await self.submit(command)

    def stop(self) -> None:
        """Take no new commands; finish those accepted, write a snapshot, then `run` returns."""
        if self.state is ServiceState.RUNNING:
            self.state = ServiceState.STOPPING
            self._wakeup.set()

    async def run(self) -> None:
        """The hot loop, until `stop` (returns) or a failure (raises ServiceFailed)."""
        in_flight = self._in_flight
        depth = self.log.appends_in_flight
        try:
            while True:
                if self._queue and len(in_flight) < depth:
                    self._send_batch()
                elif in_flight:
                    await self._finish_batch(in_flight[0])
                    in_flight.popleft()
                elif self.state is not ServiceState.RUNNING:
                    break
                else:
                    self._idle = True
                    self._wakeup.clear()
                    await self._wakeup.wait()
            await self.snapshotter.write_now(self.engine)
            self.state = ServiceState.STOPPED
        except BaseException as exc:
            self._fail(exc)
            raise ServiceFailed(f"the engine service stopped: {exc!r}") from exc
        finally:
            await self.bus.close()

    def _send_batch(self) -> None:
        """Stamp and encode the next batch and start its append (one write, one fsync)."""
        queue = self._queue
        count = min(len(queue), self._batch_max)
        popleft = queue.popleft
        batch = [popleft() for _ in range(count)]
        first_seq, time = self._sequencer.stamp(count)
        records: list[Record] = []
        append = records.append
        encode = encode_command
        seq = first_seq
        for command, payload, _ in batch:
            append(Record(seq, time, encode(command) if payload is None else payload))
            seq += 1
        self._in_flight.append(_Batch(batch, first_seq, time, self.log.append(records)))

    async def _finish_batch(self, sent: "_Batch") -> None:
        """Once the batch is durable: apply it, acknowledge each command, publish it."""
        batch, first_seq, time = sent.commands, sent.first_seq, sent.time
        await sent.durable
        apply = self.engine.apply
        publish = self.bus.has_subscribers
        collect = publish or bool(self.on_applied)
        applied: list[list[Event]] = []
        seq = first_seq
        for command, _, future in batch:
            events = apply(seq, time, command)
            if not future.done():  # the caller may have given up (cancelled) meanwhile
                future.set_result(Outcome(seq, time, events))
            if collect:
                applied.append(events)
            seq += 1
        self.batches += 1
        if collect:
            commands = [command for command, _, _ in batch]
            applied_batch = AppliedBatch(first_seq, time, commands, applied)
            # Views that must match the engine as of this batch (the book depth a client
            # reads, an order it just placed) update here, before any reply is delivered.
            for view in self.on_applied:
                view(applied_batch)
            if publish:
                await self.bus.publish(applied_batch)
        if self.snapshotter.due(seq - 1):
            self.snapshotter.start(self.engine)

    def _fail(self, exc: BaseException) -> None:
        if self.state is ServiceState.FAILED:
            return
        logger.error("engine service failed, acknowledging nothing more: %r", exc)
        self.state = ServiceState.FAILED
        self.failure = exc
        pending = [item for sent in self._in_flight for item in sent.commands]
        pending.extend(self._queue)
        self._queue.clear()
        for sent in self._in_flight:
            # Later appends fail too (the journal refuses writes after a failure); their
            # errors are expected and need no report.
            sent.durable.cancel()
            if sent.durable.done() and not sent.durable.cancelled():
                sent.durable.exception()
        self._in_flight.clear()
        self._fail_futures(pending, exc)

    @staticmethod
    def _fail_futures(batch: list[_Pending], exc: BaseException) -> None:
        error = ServiceFailed(f"not acknowledged: {exc!r}")
        for _, _, future in batch:
            if not future.done():
                future.set_exception(error)
