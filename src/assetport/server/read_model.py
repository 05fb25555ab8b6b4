"""The SQL read model, written by a process of its own.

Why a process: projecting a batch into SQL (folding its events into rows, executing the
inserts, committing) costs about as much CPU as the gateway's own work for the same
orders. In the server's process it took a quarter of the one core the event loop runs on,
and its thread held the GIL against the loop. In a child process it runs on another core,
and the server only encodes each applied batch once (one MessagePack call) and writes it to
a pipe.

    server (event bus subscription) --stdin: batches--> child (Projector) --stdout: seq-->

- stdin carries frames (4-byte big-endian length + payload): first the settings (JSON: data
  dir, database URL, the engine's seq at start, the journal: files or a JetStream stream),
  then each applied batch as MessagePack
  (`WireBatch`: its commands and their events, exactly as the engine applied them),
  written every 100 ms at most, or at once while a history query waits on the read model
  (`hurry`). The database URL travels here, not in the command line, so a password in it
  is not visible in the process list.
- stdout carries the read model's progress: the seq of the last command whose rows are
  committed, 8 bytes big-endian, after the catch-up at start (the "ready" signal) and after
  each transaction. `Gateway.from_history` waits on it so a client reads its own writes.

The child first brings the read model up to the engine's seq at start from the journal the
engine writes (`project_journal`: the data dir's files, or the JetStream stream), then
writes whatever the pipe holds in one transaction at a time: under load the batches it
reads together grow, and each costs one commit. The projector's
own guarantees hold unchanged (its seq is committed with its rows; gaps and a second writer
are refused). A full pipe makes the server's feed wait, which fills the bus subscription,
which makes the engine service wait: memory stays bounded, nothing is skipped. The child
runs at a much lower CPU priority than the server (nice 15): on a machine with two cores
the event loop has one to itself and the child takes what the other leaves, so the orders
come first and the history follows (under the WebSocket API benchmark's load it trails by
one feed interval, and is caught up a few tens of ms after the load stops).

An engine process (`assetport engine-serve --db URL`) runs the same child beside its service
once it is the primary (`engine_read_model`: a standby starts one when promoted), and the
gateways in front of it follow the committed seq in the database
(`read_model_progress.py`). The projector's seq check keeps two children from both
writing: after a failover the new one waits for the old one, which writes what it was sent
before its engine died, and goes on from where it stops (`catch_up`).

When stdin ends (the server stops), the child writes what it has read and exits (it
ignores SIGINT and SIGTERM, which a terminal's Ctrl-C sends the whole process group); a child
that fails logs why on stderr and exits, and the server logs that history stopped
following: from then on history requests answer -1001 (HTTP 503) at once and the ping a
load balancer checks fails likewise, never an empty success (`stopped`).
"""

import asyncio
import contextlib
import logging
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Final

import msgspec

from assetport.domain.commands import AnyCommand
from assetport.domain.events import AnyEvent
from assetport.runtime.bus import AppliedBatch, EventBus, Subscription
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.journal_source import DEFAULT_STREAM, DEFAULT_SUBJECT, JournalSource
from assetport.runtime.service import EngineService
from assetport.store.database import open_database
from assetport.store.projection import Applied
from assetport.store.projector import Projector, ProjectorConflict
from assetport.store.rebuild import project_journal

logger = logging.getLogger(__name__)

_LENGTH: Final = struct.Struct(">I")
_SEQ: Final = struct.Struct(">Q")
PIPE_HIGH_WATER: Final = 8 << 20  # bytes queued for the child before the feed waits
FEED_INTERVAL_S: Final = 0.1
# In an engine process (`engine-serve --db`) no history query can hurry the feed (the
# gateways that read the history are other processes): a shorter interval keeps what a
# client reads right after its order within a few tens of ms.
ENGINE_FEED_INTERVAL_S: Final = 0.02
MAX_COMMANDS_PER_TRANSACTION: Final = 20_000
CHILD_NICENESS: Final = 15
STOP_WAIT_S: Final = 60.0
TAKE_OVER_PAUSE_S: Final = 0.2  # between tries while another writer finishes


class Settings(msgspec.Struct, frozen=True):
    data_dir: str
    db_url: str | None
    engine_seq: int
    # The journal the engine writes: None (or file:) its data dir's files, else a stream.
    journal_url: str | None = None
    stream: str = DEFAULT_STREAM
    subject: str = DEFAULT_SUBJECT


class WireBatch(msgspec.Struct, frozen=True, array_like=True):
    """An `AppliedBatch` on the pipe."""

    first_seq: int
    time: int
    commands: list[AnyCommand]
    events: list[list[AnyEvent]]


_encode: Final = msgspec.msgpack.Encoder().encode
_decode_batch: Final = msgspec.msgpack.Decoder(WireBatch).decode


def _frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


# -- the server's side --------------------------------------------------------------------------


class ReadModelProcess:
    """The child writing the read model, seen from the server: feed it, read its progress."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        subscription: Subscription,
        feed_interval_s: float | None = None,
    ) -> None:
        self._process = process
        self._subscription = subscription
        # Read when made, not when this module was: None is `FEED_INTERVAL_S` as it is now.
        self._feed_interval_s = FEED_INTERVAL_S if feed_interval_s is None else feed_interval_s
        self._last_seq = 0
        self._closing = False
        self._stopped = False  # the child exited while the server still ran
        self._feeding: asyncio.Task[None] | None = None
        self._reading: asyncio.Task[None] | None = None
        self._pending: list[bytes] = []  # framed batches not yet written to the pipe
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    async def start(
        cls,
        bus: EventBus,
        data_dir: Path,
        db_url: str | None,
        engine_seq: int,
        journal: JournalSource | None = None,
        feed_interval_s: float | None = None,
    ) -> "ReadModelProcess":
        """Start the child, wait until it has caught up with `engine_seq` from `journal`
        (default: the data dir's files), then feed it every batch the bus publishes from
        now on."""
        # Subscribe first: batches applied while the child catches up wait in the queue.
        subscription = bus.subscribe("read-model")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "assetport.server.read_model",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        except BaseException:
            bus.unsubscribe(subscription)  # else the bus would wait on it for ever
            raise
        self = cls(process, subscription, feed_interval_s)
        assert process.stdin is not None and process.stdout is not None
        journal = journal or JournalSource(data_dir)
        settings = Settings(
            str(Path(data_dir).resolve()),
            db_url,
            engine_seq,
            journal.journal_url,
            journal.stream,
            journal.subject,
        )
        process.stdin.write(_frame(msgspec.json.encode(settings)))
        try:
            self._last_seq = _SEQ.unpack(await process.stdout.readexactly(_SEQ.size))[0]
        except asyncio.IncompleteReadError:
            await process.wait()
            bus.unsubscribe(subscription)
            raise RuntimeError(
                f"the read model process failed at start (exit {process.returncode}); "
                "see its messages above"
            ) from None
        loop = asyncio.get_running_loop()
        self._feeding = loop.create_task(self._feed())
        self._reading = loop.create_task(self._read_progress())
        return self

    def last_seq(self) -> int:
        """The seq of the last command whose rows are committed."""
        return self._last_seq

    def stopped(self) -> bool:
        """Whether the child has stopped while the server runs: the read model no longer
        follows the engine, and what it holds must not be served as the whole history."""
        return self._stopped

    def hurry(self) -> None:
        """Someone waits for the read model (a history query): send what is pending now
        rather than at the end of the feed interval."""
        self._write_pending()

    def _write_pending(self) -> None:
        """Write every pending batch to the pipe, ending the interval's timer (a no-op when
        the timer is what called this)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        stdin = self._process.stdin
        assert stdin is not None
        if self._pending and not stdin.transport.is_closing():
            stdin.transport.write(b"".join(self._pending))
        self._pending.clear()

    async def _feed(self) -> None:
        """Every batch to the child, in order; written to the pipe at most every
        feed interval (`FEED_INTERVAL_S` in `serve`), or at once for a waiting history
        query (`hurry`). Each write
        wakes the child for a transaction: under load, fewer and larger ones cost it less
        than half as much per command, and more of the orders placed and canceled within
        one interval are written once, in their final state."""
        stdin = self._process.stdin
        assert stdin is not None
        loop = asyncio.get_running_loop()
        pending = self._pending
        try:
            async for batch in self._subscription:
                pending.append(_frame(_encode(_wire(batch))))
                if self._timer is None:
                    self._timer = loop.call_later(self._feed_interval_s, self._write_pending)
                if stdin.transport.get_write_buffer_size() > PIPE_HIGH_WATER:
                    await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child is gone; _read_progress says so
        finally:
            self._write_pending()
            stdin.close()

    async def _read_progress(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while True:
                self._last_seq = _SEQ.unpack(await stdout.readexactly(_SEQ.size))[0]
        except asyncio.IncompleteReadError:
            if not self._closing:
                self._stopped = True
                logger.error(
                    "the read model process stopped (exit %s): SQL history no longer follows",
                    await self._process.wait(),
                )

    async def wait_fed(self) -> None:
        """Until the feed ends: the bus closed (the engine service stopped), or the child
        is gone."""
        if self._feeding is not None:
            await asyncio.shield(self._feeding)

    async def close(self) -> None:
        """Once the engine service has stopped (its bus closed, so the feed ends after the
        last batch): let the child write everything it was sent, and wait for it to exit."""
        self._closing = True
        feeding = self._feeding
        if feeding is not None:
            try:
                await asyncio.wait_for(asyncio.shield(feeding), STOP_WAIT_S)
            except TimeoutError:
                feeding.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await feeding
        try:
            await asyncio.wait_for(self._process.wait(), STOP_WAIT_S)
        except TimeoutError:
            logger.error("the read model process did not stop; killing it")
            self._process.kill()
            await self._process.wait()
        if self._reading is not None:
            await self._reading


def _wire(batch: AppliedBatch) -> WireBatch:
    return WireBatch(batch.first_seq, batch.time, batch.commands, batch.events)  # type: ignore[arg-type]


# -- an engine process's read model (`engine-serve --db`) ----------------------------------------


def engine_read_model(
    config: RuntimeConfig, db_url: str
) -> Callable[[EngineService], Awaitable[None]]:
    """What an engine process runs beside its service once it is the primary (the `on_primary`
    of `runtime/process.py`): the same child as `serve`'s, fed by the service's bus and caught
    up from the journal the service writes (`follow_engine`)."""
    journal = JournalSource(config.data_dir, config.journal_url, config.stream, config.subject)

    async def follow(service: EngineService) -> None:
        await follow_engine(service, config.data_dir, db_url, journal)

    return follow


async def follow_engine(
    service: EngineService, data_dir: Path, db_url: str, journal: JournalSource
) -> None:
    """Write the SQL read model of `service` until its bus closes (the service stopped).

    The projector's committed seq is in the database, so a promoted standby's child goes on
    from where the old primary's stopped (if that one still writes what it was sent, the
    new one waits for it: `catch_up`). A read model that fails is logged and the
    engine goes on: its commands matter more than its history, and the gateways that follow
    the committed seq see it stall and answer -1001 (503) for history."""
    try:
        read_model = await ReadModelProcess.start(
            service.bus, data_dir, db_url, service.last_seq, journal, ENGINE_FEED_INTERVAL_S
        )
    except Exception as exc:
        logger.error("the SQL read model did not start: %s", exc)
        return
    await read_model.wait_fed()
    await read_model.close()


# -- the child ----------------------------------------------------------------------------------


class _Frames:
    """Frames read from a pipe: blocks only when no whole frame is buffered."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.at = 0
        self.ended = False

    def _fill(self) -> None:
        data = os.read(self.fd, 1 << 20)
        if not data:
            self.ended = True
        del self.buffer[: self.at]
        self.at = 0
        self.buffer += data

    def _whole(self) -> bytes | None:
        buffer, at = self.buffer, self.at
        if len(buffer) - at < _LENGTH.size:
            return None
        (length,) = _LENGTH.unpack_from(buffer, at)
        end = at + _LENGTH.size + length
        if len(buffer) < end:
            return None
        self.at = end
        return bytes(buffer[at + _LENGTH.size : end])

    def next(self) -> bytes | None:
        """The next frame, waiting for it; None at the end of the pipe."""
        while True:
            frame = self._whole()
            if frame is not None or self.ended:
                return frame
            self._fill()

    def ready(self) -> bytes | None:
        """The next frame if it can be had without waiting."""
        frame = self._whole()
        if frame is None and not self.ended and select.select([self.fd], [], [], 0)[0]:
            self._fill()
            frame = self._whole()
        return frame


def _items(batches: list[WireBatch]) -> Iterator[Applied]:
    for batch in batches:
        seq, time = batch.first_seq, batch.time
        for command, events in zip(batch.commands, batch.events, strict=True):
            yield seq, time, command, events
            seq += 1


def catch_up(projector: Projector, journal: JournalSource, engine_seq: int) -> None:
    """Write what `journal` holds up to `engine_seq` beyond the projector's seq.

    Another projector may write within that range meanwhile: the child of the engine that
    wrote this journal before this one (a primary that died, whose child writes what it was
    sent before it exits; a server killed and started again at once). Its rows are the ones
    this one would write, from the same journal, so this one waits a moment and goes on
    from where that one stops (the projector reloads at a conflict and skips what is
    written). A writer that moves the read model beyond `engine_seq` is not that one: it
    writes what this engine has not applied, and is refused as ever (ProjectorConflict)."""
    while True:
        try:
            project_journal(projector, journal, engine_seq)
            return
        except ProjectorConflict as exc:
            if projector.last_seq() > engine_seq:
                raise
            logger.warning("%s; going on from where it stops", exc)
            time.sleep(TAKE_OVER_PAUSE_S)


def child_main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    # Ctrl-C in a terminal (or a supervisor signalling the whole process group) reaches the
    # child too: it stops with the server instead, when stdin ends, after writing all it
    # was sent. A server killed outright also ends stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    frames = _Frames(sys.stdin.buffer.fileno())
    out = sys.stdout.buffer
    header = frames.next()
    if header is None:
        return 0
    settings = msgspec.json.decode(header, type=Settings)
    data_dir = Path(settings.data_dir)
    projector = Projector(open_database(settings.db_url, data_dir))
    journal = JournalSource(data_dir, settings.journal_url, settings.stream, settings.subject)
    try:
        if projector.last_seq() < settings.engine_seq:
            catch_up(projector, journal, settings.engine_seq)
        if projector.last_seq() < settings.engine_seq:
            # Following from here would skip commands (BatchGap at the first batch).
            logger.error(
                "%s ends at seq %d, but the engine is at seq %d: the read model cannot "
                "catch up from it",
                journal.describe(),
                projector.last_seq(),
                settings.engine_seq,
            )
            return 1
        out.write(_SEQ.pack(projector.last_seq()))
        out.flush()
        while True:
            frame = frames.next()
            if frame is None:
                return 0
            batches = [_decode_batch(frame)]
            commands = len(batches[0].commands)
            while commands < MAX_COMMANDS_PER_TRANSACTION:
                frame = frames.ready()
                if frame is None:
                    break
                batches.append(_decode_batch(frame))
                commands += len(batches[-1].commands)
            projector.apply_batch(_items(batches))
            out.write(_SEQ.pack(projector.last_seq()))
            out.flush()
    except BrokenPipeError:
        return 0  # the server is gone
    finally:
        projector.database.close()


if __name__ == "__main__":
    sys.exit(child_main())
