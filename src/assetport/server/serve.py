"""`assetport serve`: the exchange in one process: engine service, gateway, market data.

Start-up: recover the engine from the data directory (or, with `--engine HOST:PORT`, reach
an `assetport engine-serve` process through its command port: `api/engine_link.py`), list
what the listing file (or the demo defaults) names and the engine does not have yet, then
serve HTTP. The listing file
may also raise or lower the rate limits (Binance's by default), in exchangeInfo's terms:

    [[rate_limits]]
    rateLimitType = "ORDERS"      # REQUEST_WEIGHT, ORDERS or RAW_REQUESTS
    interval = "SECOND"           # SECOND, MINUTE, HOUR or DAY
    intervalNum = 10
    limit = 1000000

When the file has a `rate_limits` list it replaces the defaults whole. A `[limits]` table
raises or lowers the transport's limits (request sizes, timeouts, connections per address,
WebSocket frames: `api/transport_limits.py`). The address is
written to `<data_dir>/server.json` for `assetport admin`. SIGTERM or SIGINT: stop taking
requests, finish the commands in flight, write a snapshot, exit 0.
"""

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from assetport.accounts.mail import Outbox, SmtpServer, parse_smtp_url
from assetport.accounts.price_alerts import PriceAlerts
from assetport.accounts.routes import account_routes
from assetport.accounts.second_factor import TotpSecondFactor
from assetport.accounts.service import Accounts
from assetport.accounts.settings import AccountSettings
from assetport.accounts.store import AccountStore
from assetport.accounts.web_call import WebContext
from assetport.api.admission import Admission
from assetport.api.app import REST_ENDPOINTS, create_app
from assetport.api.engine_link import LocalEngine, PortEngine
from assetport.api.fix.limits import load_fix_limits
from assetport.api.fix.server import FixServer
from assetport.api.gateway import Gateway
from assetport.api.http_server import http_protocol
from assetport.api.proxies import HSTS, ForwardedHeaders, TrustedProxies
from assetport.api.ratelimit import (
    DEFAULT_RATE_LIMITS,
    Interval,
    RateLimit,
    RateLimiter,
    RateLimitType,
)
from assetport.api.rest_nft_media import UPLOADS
from assetport.api.transport_limits import TransportLimits, load_transport_limits
from assetport.api.ws_routes import realtime
from assetport.api.ws_server import websocket_protocol
from assetport.custody.config import ChainConfigError, chain_config, demo_chain_config
from assetport.custody.operators import Operators
from assetport.custody.rest_capital import capital_endpoints
from assetport.custody.rest_nft_chain import nft_chain_endpoints
from assetport.custody.rest_operator import operator_routes
from assetport.custody.service import Custody
from assetport.domain.commands import ListAsset, ListMarket
from assetport.domain.events import refusal
from assetport.edge.documents import DocumentStore
from assetport.edge.drop_seeds import DropSeeds
from assetport.edge.issuer_agents import IssuerAgents
from assetport.edge.keys import AdminToken, KeyStore
from assetport.edge.nft_media import NftMediaStore
from assetport.edge.shared_db import open_shared_db
from assetport.edge.users import UserStore
from assetport.listings import Listings, demo_listings, load_listings
from assetport.runtime.bus import EventBus
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.data_dir import claim, write_private_file
from assetport.runtime.interpreter import tune_for_latency
from assetport.runtime.journal_source import DEFAULT_STREAM, DEFAULT_SUBJECT, JournalSource
from assetport.runtime.port_client import parse_addresses
from assetport.runtime.reserves import POR_DIR
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service
from assetport.sandbox.mail import MailCatcher, sandbox_mail_routes
from assetport.sandbox.market_makers import DemoMarketMakers
from assetport.sandbox.routes import sandbox_routes
from assetport.server.custody_lock import CustodyLock
from assetport.server.demo_issuers import RENT_TOKEN, pay_rent_monthly, set_up_demo_issuers
from assetport.server.demo_nft import start_demo_nft
from assetport.server.market_prices import GatewayPrices
from assetport.server.nft_market import prime_nft_view, settle_nfts_when_due
from assetport.server.read_model import ReadModelProcess
from assetport.server.read_model_progress import PolledProgress
from assetport.server.stopping import EmbeddedServer, StopOnSignals
from assetport.store.database import open_database
from assetport.store.history import History
from assetport.web.pages import web_routes

logger = logging.getLogger(__name__)

SERVER_FILE = "server.json"
CADENCE_S = 0.1
WS_PING_INTERVAL_S = 20.0
WS_PING_TIMEOUT_S = 40.0
# The scheduled proof of reserves (`--por-every`): the first this long after start, and a
# failed one tried again after this long.
POR_FIRST_DELAY_S = 30.0
POR_RETRY_S = 60.0


@dataclass(frozen=True)
class ServeOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    config: Path | None = None
    demo: bool = False
    journal_url: str | None = None
    # The JetStream stream and subject of `journal_url`, and the replicas of a new stream.
    stream: str = DEFAULT_STREAM
    subject: str = DEFAULT_SUBJECT
    replicas: int = 1
    db_url: str | None = None
    accounts: AccountSettings = field(default_factory=AccountSettings)  # mail, sign-ups
    tls_cert: Path | None = None  # with tls_key: serve https (and HSTS) directly
    tls_key: Path | None = None
    trusted_proxies: tuple[str, ...] = ()  # CIDRs whose X-Forwarded-For/-Proto are believed
    # HOST:PORT[,HOST:PORT...] of `assetport engine-serve` command ports (the primary and
    # its standbys): the engine runs there, not here (no journal in this process); the
    # gateway follows whichever is primary.
    engine: str | None = None
    # The published proof-of-reserves build (`assetport por build --out`); None: the data
    # dir's `proof-of-reserves` folder.
    por_dir: Path | None = None
    # Publish the proof of reserves this often (`assetport por publish` in a child process,
    # the first soon after start); None: only when an operator runs it.
    por_every_s: float | None = None
    # The chain (custody: deposits and withdrawals): a JSON-RPC URL of any EVM node; None
    # with --demo starts the embedded anvil, None otherwise uses the listing file's
    # [chain] table (no table: no custody). `no_chain` turns custody off.
    chain_rpc: str | None = None
    no_chain: bool = False
    # FIX 4.4 (api/fix/): the order entry and drop copy ports on `host`; None: off.
    fix_port: int | None = None
    fix_drop_copy_port: int | None = None
    # postgresql://... (issue #20): users, API keys, the admin token and the web accounts
    # shared by every gateway given it (edge/shared_db.py), their secrets sealed under the
    # key of `secrets_key_file` (or $ASSETPORT_SECRETS_KEY); None: SQLite in the data dir.
    shared_db: str | None = None
    secrets_key_file: Path | None = None


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


async def ensure_listed(gateway: Gateway, listings: Listings) -> None:
    """List what the engine does not have yet; what it has stays as it is, but for the
    self-trade prevention of markets listed before it had a policy and the fee asset the
    listing names (listings.py)."""
    markets = gateway.markets
    updates = [*listings.stp_updates(markets.terms), *listings.fee_asset_updates(markets.terms)]
    for command in [*listings.commands(), *updates]:
        if isinstance(command, ListAsset) and command.code in markets.assets:
            continue
        if isinstance(command, ListMarket) and command.market.symbol in markets:
            continue
        refused = refusal((await gateway.engine.execute(command)).events)
        if refused is not None:
            raise RuntimeError(f"the engine refused the listing {command!r}: {refused.reason}")


async def serve(options: ServeOptions) -> None:
    stopping = StopOnSignals()  # SIGTERM as SIGINT: see server/stopping.py
    data_dir = options.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    listings = load_listings(options.config) if options.config else demo_listings()
    limiter = RateLimiter(load_rate_limits(options.config))
    limits = load_transport_limits(options.config)
    proxies = TrustedProxies(options.trusted_proxies)  # a bad option stops here
    if options.tls_key is not None and options.tls_cert is None:
        raise ValueError("--tls-key needs --tls-cert")
    if options.engine is not None and options.db_url is None and _has_chain(options):
        # The sender reads the withdrawals to send from the SQL history, which a gateway
        # over the port reads from the database the engine process writes.
        raise ChainConfigError(
            "custody over --engine needs --db (the history the engine process writes), "
            "or pass --no-chain"
        )
    custody_lock: CustodyLock | None = None
    if options.engine is not None and options.db_url is not None and _has_chain(options):
        # One gateway of those over an engine runs custody (server/custody_lock.py).
        custody_lock = await asyncio.to_thread(CustodyLock.take, options.db_url)
    try:
        await _serve(options, stopping, listings, limiter, limits, proxies)
    finally:
        if custody_lock is not None:
            await asyncio.to_thread(custody_lock.release)


async def _serve(
    options: ServeOptions,
    stopping: StopOnSignals,
    listings: Listings,
    limiter: RateLimiter,
    limits: TransportLimits,
    proxies: TrustedProxies,
) -> None:
    data_dir = options.data_dir
    outbox, catcher = _mail_outbox(options)
    shared = open_shared_db(options.shared_db, options.secrets_key_file)  # None: SQLite
    engine = await _open_engine(options)
    keys = KeyStore(data_dir, shared)
    users = UserStore(data_dir, shared)
    account_store = AccountStore(data_dir, shared)
    accounts = Accounts(
        data_dir, users, settings=options.accounts, outbox=outbox, store=account_store
    )
    admin_token = AdminToken.load_or_create(data_dir, shared)
    if shared is not None:
        shared.start()  # the other gateways' changes, into the stores' caches
    server: uvicorn.Server | None = None
    gateway: Gateway | None = None
    read_model: ReadModelProcess | PolledProgress | None = None
    custody: Custody | None = None
    background: list[asyncio.Task[None]] = []
    fix: FixServer | None = None
    try:
        gateway = Gateway(engine.link, keys, limiter, sandbox=options.demo)
        if isinstance(engine.link, PortEngine):
            engine.link.follow()  # the views are attached: the engine's batches go to them
        gateway.reserves_dir = options.por_dir or data_dir / POR_DIR
        gateway.documents = DocumentStore(data_dir)
        gateway.nft_media = NftMediaStore(data_dir)
        gateway.drop_seeds = DropSeeds(data_dir)
        await ensure_listed(gateway, listings)
        # The demo tokens' issuers, before anything (makers, faucet, chain) can bring tokens in.
        issued = [] if options.config else await set_up_demo_issuers(gateway, data_dir)
        if engine.bus is not None:
            read_model = await _start_read_model(engine.bus, gateway, options)
        elif options.db_url is not None:  # the engine process writes it (engine-serve --db)
            read_model = await _follow_read_model(gateway, options.db_url)
        await prime_nft_view(gateway)  # the NFT market's volumes and last sales
        # The accounts and the gateway meet here: neither imports the other.
        gateway.sessions = accounts.sessions
        context = WebContext(keys, gateway.clock_ms, limiter)
        # Price alerts by email watch the trades as a change listener of the gateway.
        alerts = PriceAlerts(accounts, GatewayPrices(gateway))
        gateway.listeners.append(alerts.on_command)
        extra_routes = account_routes(accounts, context, catcher=catcher, alerts=alerts)
        custody = await _open_custody(options, listings, gateway)
        second_factor = TotpSecondFactor(accounts.store)
        extra_endpoints = []
        if custody is not None:
            extra_endpoints.extend(capital_endpoints(custody, second_factor))
            extra_endpoints.extend(nft_chain_endpoints(custody, second_factor))
            operators = Operators.open(data_dir)
            extra_routes.extend(operator_routes(custody, gateway, users, admin_token, operators))
        if options.demo:
            background.append(_start_sandbox(gateway))
            if not options.config:  # the demo NFT marketplace, priced in the demo listings' won
                background.append(start_demo_nft(gateway, data_dir))
            if RENT_TOKEN in issued:  # the office tower's monthly rent to its holders
                rent = pay_rent_monthly(gateway)
                background.append(asyncio.get_running_loop().create_task(rent))
            extra_routes.extend(sandbox_routes(gateway))
        if catcher is not None:
            outbox.server = SmtpServer("127.0.0.1", await catcher.start(), "smtp")
            extra_routes.extend(sandbox_mail_routes(catcher, gateway.clock_ms, limiter))
        markets = gateway.markets
        extra_routes.extend(
            web_routes(
                sandbox=options.demo,
                symbols=markets.symbols,
                market_fees=lambda: {
                    symbol: (terms.maker_fee_bps, terms.taker_fee_bps)
                    for symbol, terms in markets.terms.items()
                },
                tokens=gateway.issuance.tokens,
            )
        )
        live = realtime(gateway)
        app = create_app(
            gateway,
            users,
            admin_token,
            extra_routes=extra_routes,
            live=live,
            verifier=accounts,
            extra_endpoints=extra_endpoints,
            issuer_agents=IssuerAgents.open(data_dir),
        )
        tls = options.tls_cert is not None
        admission = Admission(limits, limiter, gateway.clock_ms, proxies)
        config = uvicorn.Config(
            ForwardedHeaders(app, proxies) if proxies else app,
            host=options.host,
            port=options.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            # The REST endpoints below the ASGI layer (http_server), the rest through the app.
            http=http_protocol(
                gateway,
                (*REST_ENDPOINTS, *live.endpoints, *extra_endpoints),
                admission,
                uploads=UPLOADS,
            ),
            # X-Forwarded-* only from --trusted-proxy addresses, by api/proxies.py (the IP
            # allowlists and per-IP limits key on the address): never uvicorn's own.
            proxy_headers=False,
            ssl_certfile=options.tls_cert,
            ssl_keyfile=options.tls_key,
            headers=[HSTS] if tls else [],  # on every answer, the fast path's included
            server_header=False,
            # Binance pings every 20 s and drops a client silent for 60 s; compression
            # costs more CPU than the small JSON messages save on a LAN.
            ws_ping_interval=WS_PING_INTERVAL_S,
            ws_ping_timeout=WS_PING_TIMEOUT_S,
            ws_per_message_deflate=False,
            ws_max_size=limits.ws_max_message_bytes,
            # `/ws-api/v3` on the socket itself (ws_server); the market streams through
            # uvicorn's own WebSocket protocol (held to the same limits) and the app.
            ws=websocket_protocol(
                live.ws_api,
                admission,
                ping_interval=WS_PING_INTERVAL_S,
                ping_timeout=WS_PING_TIMEOUT_S,
            ),
        )
        server = EmbeddedServer(config)
        stopping.attach(server)
        background.append(asyncio.get_running_loop().create_task(_cadence(gateway)))
        # Auctions end, NFT listings and offers expire: the engine reads no clock.
        background.append(asyncio.get_running_loop().create_task(settle_nfts_when_due(gateway)))
        if options.por_every_s is not None and options.engine is None:
            publishing = _publish_reserves(data_dir, gateway.reserves_dir, options.por_every_s)
            background.append(asyncio.get_running_loop().create_task(publishing))
        serving = asyncio.get_running_loop().create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        if serving.done():
            serving.result()  # raises what stopped it (e.g. the port is taken)
            return
        port = server.servers[0].sockets[0].getsockname()[1]
        if options.accounts.public_url is None:  # links in mails: this server's address
            accounts.public_url = _own_url(options.host, port, tls=tls)
        if options.fix_port is not None or options.fix_drop_copy_port is not None:
            # FIX reports come from the same user data events as the WebSocket API's.
            fix = FixServer(gateway, live.ws_api.user_data, load_fix_limits(options.config))
            await fix.start(options.host, options.fix_port, options.fix_drop_copy_port)
        _announce(data_dir, options.host, port, options.tls_cert, fix)
        tune_for_latency()
        await asyncio.wait([serving, engine.running], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
    finally:
        if fix is not None:
            await fix.stop()
        for task in background:
            task.cancel()
        if custody is not None:
            await custody.close()
        await engine.close()
        if read_model is not None:
            await read_model.close()
        if gateway is not None and gateway.history is not None:
            await asyncio.to_thread(gateway.history.database.close)
            gateway.history = None
        keys.close()
        await outbox.close()
        if catcher is not None:
            await catcher.close()
        accounts.close()
        users.close()
        if shared is not None:
            shared.close()
        with contextlib.suppress(FileNotFoundError):
            (data_dir / SERVER_FILE).unlink()
    engine.raise_if_failed()


async def _open_custody(
    options: ServeOptions, listings: Listings, gateway: Gateway
) -> Custody | None:
    """Custody on the chain the options name: the embedded node in the sandbox, the
    listing file's [chain] table (its node, or --chain-rpc), or none."""
    if options.no_chain:
        return None
    table = _chain_table(options.config)
    precisions = dict(gateway.markets.precision)
    if table is not None:
        config = chain_config(table, precisions)
    elif options.demo or options.chain_rpc is not None:
        config = demo_chain_config(precisions)
    else:
        return None
    rpc_url = options.chain_rpc or config.rpc_url
    if rpc_url is None and not options.demo:
        raise ChainConfigError("chain: give rpc_url in the [chain] table or --chain-rpc")
    history = gateway.history
    return await Custody.open(options.data_dir, config, gateway.engine, history, rpc_url=rpc_url)


def _has_chain(options: ServeOptions) -> bool:
    """Whether these options run custody (`_open_custody` opens it)."""
    if options.no_chain:
        return False
    return options.demo or options.chain_rpc is not None or _chain_table(options.config) is not None


def _chain_table(config: Path | None) -> dict[str, Any] | None:
    if config is None:
        return None
    table = tomllib.loads(config.read_text(encoding="utf-8")).get("chain")
    if table is not None and not isinstance(table, dict):
        raise ChainConfigError("chain: a [chain] table")
    return table


@dataclass
class _Engine:
    """The gateway's engine, and how this process runs it and stops it."""

    link: LocalEngine | PortEngine
    running: "asyncio.Task[None]"  # ends when the engine does (or its connection)
    service: EngineService | None = None  # the engine runs in this process
    bus: EventBus | None = None  # its applied batches, for the SQL read model

    async def close(self) -> None:
        if self.service is not None:
            self.service.stop()
        elif isinstance(self.link, PortEngine):
            await self.link.close()
        with contextlib.suppress(Exception):
            await self.running
        if self.service is not None:
            await close_service(self.service)

    def raise_if_failed(self) -> None:
        running = self.running
        if running.done() and not running.cancelled() and running.exception() is not None:
            raise RuntimeError(f"the engine stopped: {running.exception()}")


async def _open_engine(options: ServeOptions) -> _Engine:
    """The engine service of this data directory, or the engine process at `--engine`."""
    loop = asyncio.get_running_loop()
    if options.engine is not None:
        try:
            addresses = parse_addresses(options.engine)
        except ValueError as exc:
            raise ValueError(f"--engine: {exc}") from None
        link = await PortEngine.connect(addresses)
        return _Engine(link, loop.create_task(link.run()))
    config = RuntimeConfig(
        options.data_dir,
        journal_url=options.journal_url,
        stream=options.stream,
        subject=options.subject,
        replicas=options.replicas,
    )
    service = await open_service(config)
    return _Engine(LocalEngine(service), loop.create_task(service.run()), service, service.bus)


async def _start_read_model(
    bus: EventBus, gateway: Gateway, options: ServeOptions
) -> ReadModelProcess:
    """Start the process writing the SQL read model (see `read_model`), once it has caught
    up with the journal the engine writes, and open the history the endpoints read."""
    data_dir, db_url = options.data_dir, options.db_url
    journal = JournalSource(data_dir, options.journal_url, options.stream, options.subject)
    read_model = await ReadModelProcess.start(
        bus, data_dir, db_url, gateway.engine.last_seq, journal
    )
    gateway.read_model = read_model
    gateway.history = History(await asyncio.to_thread(open_database, db_url, data_dir))
    return read_model


async def _follow_read_model(gateway: Gateway, db_url: str) -> PolledProgress:
    """A gateway over the command port: open the history the engine process's read model
    writes, and follow its committed seq there (`read_model_progress`)."""
    database = await asyncio.to_thread(open_database, db_url)
    gateway.history = History(database)
    progress = await PolledProgress.start(database, lambda: gateway.engine.last_seq)
    gateway.read_model = progress
    return progress


def _mail_outbox(options: ServeOptions) -> tuple[Outbox, MailCatcher | None]:
    """The accounts' mail: the `--smtp-url` server; in the sandbox without one, a local
    catcher (started with the app, which points the outbox at it); else none."""
    settings = options.accounts
    if settings.smtp_url is not None:
        return Outbox(parse_smtp_url(settings.smtp_url), settings.mail_from), None
    catcher = MailCatcher(lambda: int(time.time() * 1000)) if options.demo else None
    return Outbox(None, settings.mail_from), catcher


def _own_url(host: str, port: int, *, tls: bool) -> str:
    if host in ("0.0.0.0", "::", ""):
        logger.warning("mails link to 127.0.0.1: set --public-url to the address people use")
        host = "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{host}:{port}"


def _start_sandbox(gateway: Gateway) -> "asyncio.Task[None]":
    return asyncio.get_running_loop().create_task(DemoMarketMakers(gateway).run())


async def _cadence(gateway: Gateway) -> None:
    """Market data published on a clock: depth batches, tickers, klines."""
    while True:
        await asyncio.sleep(CADENCE_S)
        try:
            gateway.publish_due()
        except Exception:
            logger.exception("market data publication failed")


async def _publish_reserves(data_dir: Path, por_dir: Path | None, every_s: float) -> None:
    """`assetport por publish` in a child process every `every_s`: a build over many
    accounts is seconds of CPU, which must not stall this process's loop. The first runs
    soon after start (once custody has had time to reach its chain); a failed one (the
    chain node down) is tried again sooner than the next."""
    await asyncio.sleep(min(every_s, POR_FIRST_DELAY_S))
    command = [sys.executable, "-m", "assetport.cli", "por", "publish"]
    command += ["--data-dir", str(data_dir)]
    if por_dir is not None:
        command += ["--por-dir", str(por_dir)]
    while True:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            out, err = await process.communicate()
        finally:
            if process.returncode is None:  # cancelled: the server is stopping
                process.kill()
                await process.wait()
        if process.returncode == 0:
            logger.info("proof of reserves published: %s", out.decode(errors="replace")[:80])
            await asyncio.sleep(every_s)
        else:
            reason = err.decode(errors="replace").strip()[-400:]
            logger.warning("proof-of-reserves publication failed: %s", reason)
            await asyncio.sleep(min(every_s, POR_RETRY_S))


def _announce(
    data_dir: Path, host: str, port: int, tls_cert: Path | None, fix: FixServer | None = None
) -> None:
    """`server.json`: where `assetport admin` finds the server (over https, the certificate
    it pins: the server's own, from a data directory it may read anyway), and its FIX
    ports when they are on."""
    info: dict[str, Any] = {"host": host, "port": port, "pid": os.getpid()}
    if fix is not None:
        info |= {f"fix_{kind.name.lower()}_port": bound for kind, bound in fix.ports.items()}
    if tls_cert is not None:
        info |= {"scheme": "https", "tls_cert": str(tls_cert.resolve())}
    path = data_dir / SERVER_FILE
    write_private_file(path, json.dumps(info))
    print(json.dumps({"ready": True, **info}), flush=True)


def run_server(options: ServeOptions) -> int:
    """The `assetport serve` entry point; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        import uvloop

        with claim(options.data_dir):  # one writer per data directory
            uvloop.run(serve(options))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1
    return 0
