"""`assetport serve`: the exchange in one process: engine service, gateway, market data.

Start-up: recover the engine from the data directory, list what the listing file (or the
demo defaults) names and the engine does not have yet, then serve HTTP. The listing file
may also raise or lower the rate limits (Binance's by default), in exchangeInfo's terms:

    [[rate_limits]]
    rateLimitType = "ORDERS"      # REQUEST_WEIGHT, ORDERS or RAW_REQUESTS
    interval = "SECOND"           # SECOND, MINUTE, HOUR or DAY
    intervalNum = 10
    limit = 1000000

When the file has a `rate_limits` list it replaces the defaults whole. The address is
written to `<data_dir>/server.json` for `assetport admin`. SIGTERM or SIGINT: stop taking
requests, finish the commands in flight, write a snapshot, exit 0.
"""

import asyncio
import contextlib
import json
import logging
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from assetport.accounts.routes import account_routes
from assetport.accounts.service import Accounts
from assetport.api.app import REST_ENDPOINTS, create_app
from assetport.api.gateway import Gateway
from assetport.api.http import rest_fast_path
from assetport.api.keys import AdminToken, KeyStore
from assetport.api.ratelimit import (
    DEFAULT_RATE_LIMITS,
    Interval,
    RateLimit,
    RateLimiter,
    RateLimitType,
)
from assetport.api.rest_sandbox import sandbox_routes
from assetport.api.users import UserStore
from assetport.domain.commands import ListAsset, ListMarket
from assetport.domain.events import CommandRejected
from assetport.listings import Listings, demo_listings, load_listings
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.interpreter import tune_for_latency
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service
from assetport.sandbox.market_makers import DemoMarketMakers
from assetport.store.database import open_database
from assetport.store.history import History
from assetport.store.projector import Projector
from assetport.store.rebuild import project_journal
from assetport.web.pages import web_routes

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


def load_rate_limits(config: Path | None) -> tuple[RateLimit, ...]:
    """The `[[rate_limits]]` of the listing file, or Binance's defaults without one. A load
    test from one address, or a private deployment, needs far higher limits than Binance's
    6000 weight per minute and 100 orders per 10 s."""
    if config is None:
        return DEFAULT_RATE_LIMITS
    rows = tomllib.loads(config.read_text(encoding="utf-8")).get("rate_limits")
    if rows is None:
        return DEFAULT_RATE_LIMITS
    try:
        limits = tuple(
            RateLimit(
                RateLimitType(row["rateLimitType"]),
                Interval(row["interval"]),
                int(row["intervalNum"]),
                int(row["limit"]),
            )
            for row in rows
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{config}: a rate limit needs rateLimitType, interval, intervalNum and limit: {exc}"
        ) from exc
    if any(limit.interval_num < 1 or limit.limit < 1 for limit in limits):
        raise ValueError(f"{config}: intervalNum and limit must be at least 1")
    return limits


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
    limiter = RateLimiter(load_rate_limits(options.config))
    service = await open_service(RuntimeConfig(data_dir, journal_url=options.journal_url))
    running = asyncio.get_running_loop().create_task(service.run())
    keys = KeyStore(data_dir)
    users = UserStore(data_dir)
    accounts = Accounts(data_dir, users)
    server: uvicorn.Server | None = None
    background: list[asyncio.Task[None]] = []
    try:
        await ensure_listed(service, listings)
        gateway = Gateway(service, keys, limiter, sandbox=options.demo)
        background.append(await _start_read_model(service, gateway, data_dir, options.db_url))
        # The accounts package sits above the gateway; this file is where they meet.
        extra_routes = account_routes(accounts, gateway)
        if options.demo:
            background.append(_start_sandbox(service))
            extra_routes.extend(sandbox_routes(gateway))
        extra_routes.extend(
            web_routes(sandbox=options.demo, symbols=lambda: service.engine.markets.keys())
        )
        app = create_app(
            gateway, users, AdminToken.load_or_create(data_dir), extra_routes=extra_routes
        )
        config = uvicorn.Config(
            rest_fast_path(gateway, REST_ENDPOINTS, app),
            host=options.host,
            port=options.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            http="httptools",
            # Clients connect directly; X-Forwarded-For is not trusted (the IP allowlists
            # and per-IP limits key on the peer address), and the middleware costs time.
            proxy_headers=False,
            server_header=False,
            # Binance pings every 20 s and drops a client silent for 60 s; compression
            # costs more CPU than the small JSON messages save on a LAN.
            ws_ping_interval=20.0,
            ws_ping_timeout=40.0,
            ws_per_message_deflate=False,
            ws_max_size=1 << 20,
        )
        server = uvicorn.Server(config)
        background.append(asyncio.get_running_loop().create_task(_cadence(gateway)))
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
        for task in background:
            task.cancel()
        service.stop()
        with contextlib.suppress(Exception):
            await running
        await close_service(service)
        keys.close()
        accounts.close()
        users.close()
        with contextlib.suppress(FileNotFoundError):
            (data_dir / SERVER_FILE).unlink()
    if running.done() and running.exception() is not None:
        raise RuntimeError(f"the engine stopped: {running.exception()}")


async def _start_read_model(
    service: EngineService, gateway: Gateway, data_dir: Path, db_url: str | None
) -> "asyncio.Task[None]":
    """Open the SQL read model, bring it up to the journal, and keep it fed from the bus.

    The projector stores its last seq with its rows, so after any stop it resumes where it
    was; the catch-up replays the journal privately (the engine may have started from a
    snapshot beyond the projector's position).
    """
    projector = await asyncio.to_thread(Projector, open_database(db_url, data_dir))
    if projector.last_seq() < service.engine.last_seq:
        await asyncio.to_thread(project_journal, projector, data_dir, service.engine.last_seq)
    subscription = service.bus.subscribe("read-model")
    history_database = await asyncio.to_thread(open_database, db_url, data_dir)
    gateway.read_model = projector
    gateway.history = History(history_database)

    async def feed() -> None:
        try:
            async for batch in subscription:
                await asyncio.to_thread(
                    projector.apply_columns,
                    batch.first_seq,
                    batch.time,
                    batch.commands,
                    batch.events,
                )
        finally:
            service.bus.unsubscribe(subscription)
            gateway.history = None
            await asyncio.to_thread(projector.database.close)
            await asyncio.to_thread(history_database.close)

    return asyncio.get_running_loop().create_task(feed())


def _start_sandbox(service: EngineService) -> "asyncio.Task[None]":
    return asyncio.get_running_loop().create_task(DemoMarketMakers(service).run())


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
