"""The scaled-out form of Assetport on one machine, for the failover drill
(scripts/failover_drill.py) and its test: a NATS JetStream cluster of three nodes, a fresh
PostgreSQL database, an engine process, a hot standby and gateway processes.

Every process is started in a session of its own (so a Ctrl-C in the terminal reaches the
drill alone, which then stops them in order), writes its stdout and stderr to files in the
drill's work directory, and is stopped by `Cluster.close()` whatever happened before:
SIGTERM first, SIGKILL to its process group (a gateway's read model child too) if it does
not end in time.
"""

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import nats.js.api
import nats.js.errors
import psycopg

ROOT = Path(__file__).resolve().parents[1]
NATS_SERVER = "/usr/sbin/nats-server"
PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test"
STREAM = "ASSETPORT_DRILL"
SUBJECT = "assetport.drill"
SYMBOL = "BTCUSDT"

# One market with rate limits far above any flood (Binance's would refuse it), and room for
# every resting order the drill leaves open (it places limit orders far below the market).
LISTING = f"""
[[assets]]
code = "USDT"
precision = 8

[[assets]]
code = "BTC"
precision = 8

[[markets]]
symbol = "{SYMBOL}"
base = "BTC"
quote = "USDT"
tick_size = "0.01"
step_size = "0.00001"
min_qty = "0.00001"
max_qty = "9000"
min_notional = "5"
max_num_orders = 1000000
maker_fee_bps = 5
taker_fee_bps = 5

[[rate_limits]]
rateLimitType = "REQUEST_WEIGHT"
interval = "MINUTE"
intervalNum = 1
limit = 1000000000

[[rate_limits]]
rateLimitType = "ORDERS"
interval = "SECOND"
intervalNum = 10
limit = 1000000000

[[rate_limits]]
rateLimitType = "ORDERS"
interval = "DAY"
intervalNum = 1
limit = 1000000000
"""


class DrillError(Exception):
    """The drill cannot go on: a process did not start, the database cannot be made..."""


def free_port() -> int:
    """A port free at this moment (the OS picks it; another process could take it after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Child:
    """A process of the drill, its stdout in `<name>.out` and its stderr in `<name>.log`."""

    def __init__(self, name: str, argv: list[str], work: Path) -> None:
        self.name = name
        self.argv = argv
        self.out_path = work / f"{name}.out"
        self.log_path = work / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.out_path.open("wb") as out, self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=log,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self, index: int = 0, timeout: float = 60.0, poll: float = 0.02) -> dict[str, Any]:
        """The `index`-th JSON line with "ready" the process printed (a standby prints a
        second one once promoted), looking every `poll` seconds for up to `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            lines: list[dict[str, Any]] = [json.loads(line) for line in self._json_lines()]
            found = [line for line in lines if line.get("ready")]
            if len(found) > index:
                return found[index]
            if not self.running:
                raise DrillError(f"{self.name} exited before it was ready:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise DrillError(f"{self.name} not ready in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(poll)

    def _json_lines(self) -> list[str]:
        text = self.out_path.read_text(encoding="utf-8", errors="replace")
        complete = text[: text.rfind("\n") + 1]
        return [line for line in complete.splitlines() if line.startswith("{")]

    def signal(self, signum: int) -> None:
        if self.running:
            assert self.process is not None
            self.process.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        """Signal the process and whatever it started (its session's process group)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def kill_group(self) -> None:
        """SIGKILL the process and whatever it started, and reap it."""
        if self.process is not None:
            self.signal_group(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL to the group after `timeout`; the exit code (None if it was
        never started)."""
        if self.process is None:
            return None
        self.signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        # Its children (a gateway's read model) end with it; the group kill is the backstop.
        self.kill_group()
        return self.process.returncode

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(f"  {self.name}: {line}" for line in text.splitlines()[-lines:])


# -- NATS ---------------------------------------------------------------------------------


def _nats_config(name: str, client: int, route: int, routes: list[int], store: Path) -> str:
    lines = [
        f"server_name: {name}",
        f"listen: 127.0.0.1:{client}",
        "jetstream {",
        f'  store_dir: "{store}"',
        "  max_memory_store: 64MB",
        "  max_file_store: 4GB",
        "}",
    ]
    if routes:
        others = ", ".join(f"nats-route://127.0.0.1:{port}" for port in routes)
        lines += [
            "cluster {",
            "  name: assetport-drill",
            f"  listen: 127.0.0.1:{route}",
            f"  routes: [{others}]",
            "}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Nats:
    """NATS servers with JetStream; `replicas` is what a stream on them can have."""

    nodes: list[Child]
    urls: list[str]

    @property
    def replicas(self) -> int:
        return len(self.nodes)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop(timeout=10)


def start_nats(work: Path, nodes: int, nats_server: str = NATS_SERVER) -> Nats:
    """`nodes` nats-server processes with JetStream, routed into one cluster when more
    than one; returns once JetStream answers (for a cluster: once a stream of `nodes`
    replicas can be made). Raises DrillError if it cannot."""
    work.mkdir(parents=True)
    clients = [free_port() for _ in range(nodes)]
    routes = [free_port() for _ in range(nodes)] if nodes > 1 else [0]
    started = Nats([], [f"nats://127.0.0.1:{port}" for port in clients])
    for index in range(nodes):
        name = f"nats-{index + 1}"
        config = work / f"{name}.conf"
        store = work / name
        store.mkdir()
        cluster_routes = routes if nodes > 1 else []
        config.write_text(_nats_config(name, clients[index], routes[index], cluster_routes, store))
        node = Child(name, [nats_server, "-c", str(config)], work)
        node.start()
        started.nodes.append(node)
    try:
        asyncio.run(_wait_for_jetstream(started.urls[0], nodes, timeout=30.0))
    except BaseException:
        started.stop()
        raise
    return started


async def _quiet(error: Exception) -> None:
    """The probe's connection errors are expected while the servers start: not logged."""


async def _wait_for_jetstream(url: str, replicas: int, timeout: float) -> None:
    """Wait until a stream of `replicas` replicas can be made (a JetStream meta leader is
    elected and enough servers joined); the probe stream is deleted at once."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False, error_cb=_quiet)
        except Exception as exc:
            last_error = exc
            await asyncio.sleep(0.2)
            continue
        try:
            js = nc.jetstream(timeout=2)
            name = f"DRILL_PROBE_{uuid.uuid4().hex[:8].upper()}"
            config = nats.js.api.StreamConfig(
                name=name, subjects=[f"drill.probe.{name.lower()}"], num_replicas=replicas
            )
            await js.add_stream(config)
            await js.delete_stream(name)
            return
        except Exception as exc:
            last_error = exc
            await asyncio.sleep(0.2)
        finally:
            await nc.close()
    raise DrillError(f"JetStream with {replicas} replica(s) did not answer: {last_error}")


# -- PostgreSQL ---------------------------------------------------------------------------


def pg_user(admin: str = PG_ADMIN) -> str | None:
    """The user the server lets in (the DSN's own, else postgres or root with trust auth),
    or None without a server."""
    named = _dsn_value(admin, "user", "")
    for user in [named] if named else ["postgres", "root"]:
        try:
            with psycopg.connect(f"{admin} user={user}", connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


@dataclass
class Database:
    """A database made for the drill, dropped by `drop()`."""

    admin: str
    name: str
    url: str

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url) as connection:
            return connection.execute(sql, params).fetchall()


def create_database(admin: str = PG_ADMIN) -> Database:
    user = pg_user(admin)
    if user is None:
        raise DrillError(f"no PostgreSQL server lets us in at '{admin}'")
    name = f"drill_{secrets.token_hex(6)}"
    admin_dsn = f"{admin} user={user}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    host = _dsn_value(admin, "host", "127.0.0.1")
    port = _dsn_value(admin, "port", "5432")
    return Database(admin_dsn, name, f"postgresql://{user}@{host}:{port}/{name}")


def _dsn_value(dsn: str, key: str, default: str) -> str:
    for part in dsn.split():
        name, _, value = part.partition("=")
        if name == key:
            return value
    return default


# -- Assetport processes -------------------------------------------------------------------


def _assetport(*args: str) -> list[str]:
    return [sys.executable, "-m", "assetport.cli", *args]


@dataclass
class Engine:
    child: Child
    port: int
    role: str

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Gateway:
    child: Child
    port: int
    data_dir: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin_token(self) -> str:
        return (self.data_dir / "admin.token").read_text(encoding="utf-8").strip()


@dataclass
class Cluster:
    """Everything the drill started, in start-up order; `close()` stops it in reverse."""

    work: Path
    nats: Nats | None = None
    database: Database | None = None
    primary: Engine | None = None
    standby: Engine | None = None
    gateways: list[Gateway] = field(default_factory=list)
    secrets_key: Path | None = None
    keep_database: bool = False

    @property
    def journal_args(self) -> list[str]:
        assert self.nats is not None
        # Every node's address: the client connects to any and fails over to the others.
        urls = ",".join(self.nats.urls)
        return ["--journal-url", urls, "--stream", STREAM, "--subject", SUBJECT]

    @property
    def engines(self) -> list[Engine]:
        return [engine for engine in (self.primary, self.standby) if engine is not None]

    def children(self) -> list[Child]:
        found = [gateway.child for gateway in self.gateways]
        found += [engine.child for engine in self.engines]
        if self.nats is not None:
            found += self.nats.nodes
        return found

    def log_tails(self) -> str:
        """The end of each Assetport process's log (NATS's are left in the work dir)."""
        nats_nodes = self.nats.nodes if self.nats is not None else []
        children = [child for child in self.children() if child not in nats_nodes]
        return "\n".join(tail for child in children if (tail := child.log_tail()))

    def close(self) -> None:
        """Stop every process (gateways, engines, NATS) and drop the database."""
        for gateway in self.gateways:
            gateway.child.stop()
        for engine in self.engines:
            engine.child.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.database is not None and not self.keep_database:
            self.database.drop()


def start_engine(cluster: Cluster, name: str, *, standby: bool) -> Engine:
    assert cluster.nats is not None and cluster.database is not None
    argv = _assetport(
        "engine-serve", "--data-dir", str(cluster.work / name), "--port", "0",
        *cluster.journal_args, "--replicas", str(cluster.nats.replicas),
        "--db-url", cluster.database.url,
    )  # fmt: skip
    if standby:
        argv.append("--standby")
    child = Child(name, argv, cluster.work)
    child.start()
    engine = Engine(child, 0, "")
    if standby:
        cluster.standby = engine
    else:
        cluster.primary = engine
    ready = child.ready()
    engine.port, engine.role = int(ready["port"]), str(ready["role"])
    return engine


def start_gateway(cluster: Cluster, name: str, listing: Path) -> Gateway:
    assert cluster.database is not None and cluster.secrets_key is not None
    addresses = ",".join(engine.address for engine in cluster.engines)
    data_dir = cluster.work / name
    argv = _assetport(
        "serve", "--data-dir", str(data_dir), "--port", "0", "--no-chain",
        "--config", str(listing), "--engine", addresses,
        "--shared-db", cluster.database.url, "--secrets-key-file", str(cluster.secrets_key),
        "--db-url", cluster.database.url,
    )  # fmt: skip
    child = Child(name, argv, cluster.work)
    child.start()
    gateway = Gateway(child, 0, data_dir)
    cluster.gateways.append(gateway)
    gateway.port = int(child.ready()["port"])
    return gateway


def make_secrets_key(work: Path) -> Path:
    path = work / "secrets.key"
    done = subprocess.run(
        _assetport("secrets-key", "new", "--out", str(path)),
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        raise DrillError(f"assetport secrets-key new failed: {done.stderr.strip()}")
    return path


def start_cluster(
    cluster: Cluster,
    *,
    gateways: int = 2,
    nats_nodes: int = 3,
    nats_server: str = NATS_SERVER,
    pg_admin: str = PG_ADMIN,
    say: Any = print,
) -> None:
    """Start the scaled-out form into `cluster` (which the caller closes, also when this
    raises): NATS, the database, the secrets key, the engine, the standby, the gateways."""
    try:
        cluster.nats = start_nats(cluster.work / "nats", nats_nodes, nats_server)
    except DrillError as exc:
        if nats_nodes == 1:
            raise
        say(f"WARNING: a {nats_nodes}-node NATS cluster did not form ({exc}); a single node "
            "instead: acks then mean stored on one server, not replicated")  # fmt: skip
        cluster.nats = start_nats(cluster.work / "nats-single", 1, nats_server)
    say(f"NATS JetStream: {len(cluster.nats.nodes)} node(s) at {', '.join(cluster.nats.urls)}")
    cluster.database = create_database(pg_admin)
    say(f"PostgreSQL: database {cluster.database.name}")
    cluster.secrets_key = make_secrets_key(cluster.work)
    primary = start_engine(cluster, "engine", standby=False)
    standby = start_engine(cluster, "standby", standby=True)
    say(f"engine at {primary.address} ({primary.role}), standby at {standby.address} "
        f"({standby.role})")  # fmt: skip
    listing = cluster.work / "listing.toml"
    listing.write_text(LISTING, encoding="utf-8")
    # One after the other: the first lists the market, the next finds it listed.
    for index in range(gateways):
        gateway = start_gateway(cluster, f"gateway-{chr(ord('a') + index)}", listing)
        say(f"gateway {gateway.child.name} at {gateway.base_url}")


def make_work_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="assetport-drill-"))
