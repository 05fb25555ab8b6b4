"""The engine process: recover, serve the command port, stop cleanly on SIGTERM.

SIGTERM or SIGINT: take no new commands, finish those accepted (the batch in flight and
the queue), write a snapshot, close the journal, exit 0. SIGUSR1 promotes a standby.
When the process is ready it prints one JSON line on stdout (port, role, last seq), which
supervisors and the crash tests read. The data directory is locked for the process's whole
life (`data_dir.claim`): a second writer is refused before it opens anything.
"""

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

from assetport.runtime.config import RuntimeConfig
from assetport.runtime.data_dir import DataDirInUse, claim
from assetport.runtime.interpreter import tune_for_latency
from assetport.runtime.port_server import CommandPort, PortBackend
from assetport.runtime.service import EngineService
from assetport.runtime.standby import Standby
from assetport.runtime.startup import close_service, open_service

logger = logging.getLogger(__name__)

# Run beside the service once this process is the primary (a standby: once promoted), and
# awaited after the service stops: the SQL read model of `engine-serve --db`, which the
# command line composes (it lives above this floor).
OnPrimary = Callable[[EngineService], Awaitable[None]]


def _announce(port: CommandPort, backend: PortBackend) -> None:
    line = {
        "ready": True,
        "port": port.port,
        "role": backend.role,
        "last_seq": backend.engine.last_seq,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def serve(
    config: RuntimeConfig,
    host: str,
    port: int,
    *,
    standby: bool,
    on_primary: OnPrimary | None = None,
) -> None:
    """Run the engine process until a signal stops it; raises if the service fails."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    promote = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, promote.set)

    if standby:
        follower = await Standby.open(config)
        command_port = CommandPort(follower, host, port)
        await command_port.start()
        tune_for_latency()
        _announce(command_port, follower)
        following = loop.create_task(follower.follow())
        await _first_of(stop, promote, following)
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
        if not following.cancelled() and following.exception() is not None:
            await command_port.close()
            await follower.close()
            raise following.exception()  # type: ignore[misc]
        if stop.is_set():
            await command_port.close()
            await follower.close()
            return
        service = await follower.promote()
        command_port.serve_from(service)
        _announce(command_port, service)
    else:
        service = await open_service(config)
        command_port = CommandPort(service, host, port)
        await command_port.start()
        tune_for_latency()
        _announce(command_port, service)
    await _run_until_stopped(service, stop, on_primary)
    await command_port.close()


async def _run_until_stopped(
    service: EngineService, stop: asyncio.Event, on_primary: OnPrimary | None = None
) -> None:
    running = asyncio.get_running_loop().create_task(service.run())
    beside = None if on_primary is None else asyncio.ensure_future(on_primary(service))
    try:
        await _first_of(stop, running)
        service.stop()
        await running
    finally:
        await close_service(service)
        if beside is not None:
            await beside  # it ends once the service's bus has closed


async def _first_of(*waitables: "asyncio.Event | asyncio.Task[None]") -> None:
    tasks: list[asyncio.Future[object]] = []
    for waitable in waitables:
        if isinstance(waitable, asyncio.Event):
            tasks.append(asyncio.ensure_future(waitable.wait()))
        else:
            tasks.append(waitable)  # type: ignore[arg-type]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task, waitable in zip(tasks, waitables, strict=True):
        if isinstance(waitable, asyncio.Event):
            task.cancel()


def run_engine_process(
    config: RuntimeConfig,
    host: str,
    port: int,
    *,
    standby: bool,
    on_primary: OnPrimary | None = None,
) -> int:
    """The `assetport engine-serve` entry point; returns the exit code."""
    try:
        writer = claim(config.data_dir)
    except DataDirInUse as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1
    try:
        asyncio.run(serve(config, host, port, standby=standby, on_primary=on_primary))
    except Exception as exc:
        logger.error("the engine stopped: %s", exc)
        print(f"assetport: the engine stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        writer.release()
    return 0
