"""`assetport serve`: the exchange in one process: engine service, gateway, market data.

Start-up: recover the engine from the data directory, list what the listing file (or the
demo defaults) names and the engine does not have yet, then serve HTTP. The address is
written to `<data_dir>/server.json` for `assetport admin`. SIGTERM or SIGINT: stop taking
requests, finish the commands in flight, write a snapshot, exit 0.
"""

import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from assetport.api.app import create_app
from assetport.api.gateway import Gateway
from assetport.api.keys import AdminToken, KeyStore
from assetport.api.ratelimit import RateLimiter
from assetport.api.users import UserStore
from assetport.domain.commands import ListAsset, ListMarket
from assetport.domain.events import CommandRejected
from assetport.listings import Listings, demo_listings, load_listings
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.interpreter import tune_for_latency
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service

logger = logging.getLogger(__name__)

SERVER_FILE = "server.json"
CADENCE_S = 0.1


@dataclass(frozen=True)
class ServeOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    config: Path | None = None
    demo: bool = False
    journal_url: str | None = None
    db_url: str | None = None


async def ensure_listed(service: EngineService, listings: Listings) -> None:
    """List what the engine does not have yet; what it has stays as it is."""
    engine = service.engine
    for command in listings.commands():
        if isinstance(command, ListAsset) and command.code in engine.assets:
            continue
        if isinstance(command, ListMarket) and command.market.symbol in engine.markets:
            continue
        outcome = await service.execute(command)
        for event in outcome.events:
            if isinstance(event, CommandRejected):
                raise RuntimeError(f"the engine refused the listing {command!r}: {event.reason}")


async def serve(options: ServeOptions) -> None:
    data_dir = options.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    listings = load_listings(options.config) if options.config else demo_listings()
    service = await open_service(RuntimeConfig(data_dir, journal_url=options.journal_url))
    running = asyncio.get_running_loop().create_task(service.run())
    keys = KeyStore(data_dir)
    users = UserStore(data_dir)
    server: uvicorn.Server | None = None
    cadence: asyncio.Task[None] | None = None
    try:
        await ensure_listed(service, listings)
        gateway = Gateway(service, keys, RateLimiter(), sandbox=options.demo)
        app = create_app(gateway, users, AdminToken.load_or_create(data_dir))
        config = uvicorn.Config(
            app,
            host=options.host,
            port=options.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        server = uvicorn.Server(config)
        cadence = asyncio.get_running_loop().create_task(_cadence(gateway))
        serving = asyncio.get_running_loop().create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        if serving.done():
            serving.result()  # raises what stopped it (e.g. the port is taken)
            return
        port = server.servers[0].sockets[0].getsockname()[1]
        _announce(data_dir, options.host, port)
        tune_for_latency()
        await asyncio.wait([serving, running], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
    finally:
        if cadence is not None:
            cadence.cancel()
        service.stop()
        with contextlib.suppress(Exception):
            await running
        await close_service(service)
        keys.close()
        users.close()
        with contextlib.suppress(FileNotFoundError):
            (data_dir / SERVER_FILE).unlink()
    if running.done() and running.exception() is not None:
        raise RuntimeError(f"the engine stopped: {running.exception()}")


async def _cadence(gateway: Gateway) -> None:
    """Market data published on a clock: depth batches, tickers, klines."""
    while True:
        await asyncio.sleep(CADENCE_S)
        try:
            gateway.publish_due()
        except Exception:
            logger.exception("market data publication failed")


def _announce(data_dir: Path, host: str, port: int) -> None:
    info = {"host": host, "port": port, "pid": os.getpid()}
    path = data_dir / SERVER_FILE
    path.write_text(json.dumps(info), encoding="utf-8")
    print(json.dumps({"ready": True, **info}), flush=True)


def run_server(options: ServeOptions) -> int:
    """The `assetport serve` entry point; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        import uvloop

        uvloop.run(serve(options))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1
    return 0
