"""The failover drill: Assetport's scaled-out form on one machine, flooded with orders through
two gateways while the engine is killed and its hot standby promoted (issue #20).

    .venv/bin/python scripts/failover_drill.py [--clients 32] [--seconds 5] [--orders 3000]

It needs the nats-server binary (/usr/sbin/nats-server, or --nats-server), a PostgreSQL server
that lets a local user in with trust auth (--pg, default "host=127.0.0.1 port=5432
dbname=test"; the drill creates a database drill_<random> there and drops it at the end),
and free local ports (the OS picks them). It starts, in this order (drill_cluster.py):
three nats-server processes routed into one JetStream cluster (one node, with a warning, if
a cluster cannot form), the database, a secrets key, the engine (`assetport engine-serve`,
stream of 3 replicas, SQL history in the database), the hot standby (`engine-serve
--standby`) and two gateways (`assetport serve --engine ENGINE,STANDBY`, users and keys in
the shared database). Through gateway A's admin endpoint it makes `--clients` users, each
with an HMAC API key and USDT, then:

1. measures orders/s through one gateway, then through two (the same clients split
   between them), `--seconds` each: every client is a loop of signed POST /api/v3/order
   (aiohttp, HMAC-SHA256 as Binance signs) placing a resting buy far below any seller,
   one request in flight per client;
2. floods both gateways, and once `--orders` orders are acknowledged in the flood, SIGKILLs
   the engine and at once sends SIGUSR1 to the standby; failover time is from the kill to
   the first order accepted (HTTP 200 with an orderId) that was sent after it, on either
   gateway. Orders answered -1001 (HTTP 503: no primary) are sent again with the same
   client order id; a connection error or -1007 leaves an order "unknown" (it may or may
   not have been executed). The flood goes on `--after` seconds past the first accepted order;
3. checks: every acknowledged order is open on the new primary (its `Read` through the
   command port) and in the SQL history (the orders table), the new primary's state hash
   equals a clean replay of the stream (`assetport journal replay`), its ledger sums to
   zero, and both gateways trade again (an order placed on each is seen from the other);
4. prints the figures: orders/s with 1 and 2 gateways and their ratio, the CPU each process
   used meanwhile, the failover time, the standby's largest lag during the floods, and the
   orders acknowledged, unknown and lost.

It exits 0 only if every check passed (1 if one failed, 2 if the form could not start, 130
when interrupted). Whatever happens (a failure, Ctrl-C, SIGTERM), it stops every process it
started and drops the database and its temporary directory, unless --keep (then both are
left for a look, and their names printed).
"""

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from drill_cluster import (
    NATS_SERVER,
    PG_ADMIN,
    ROOT,
    SYMBOL,
    Child,
    Cluster,
    DrillError,
    Gateway,
    make_work_dir,
    start_cluster,
)

from assetport.runtime.port_client import PortClient

RETRY_PAUSE_S = 0.05  # between sends of an order answered -1001: a client's back-off
FUNDS_USDT = "10000000"  # 64 clients x 10^7 x 10^8 units: under the ledger's 2^62 bound
QUANTITY = "1.00000"  # at 10-11 USDT a piece: above the market's 5 USDT minimum notional
CHECK_DEADLINE_S = 60.0
# The standby's lag is polled with a Status that leaves out the state hash (which would
# cost it a full encoding of its state), so often enough to see the backlog the flood makes.
LAG_POLL_S = 0.05


@dataclass
class Options:
    clients: int = 32
    seconds: float = 5.0
    orders: int = 3000
    after: float = 2.0
    nats_nodes: int = 3
    nats_server: str = NATS_SERVER
    pg: str = PG_ADMIN
    keep: bool = False


@dataclass(frozen=True)
class Trader:
    user_id: int
    api_key: str = field(repr=False)
    secret: bytes = field(repr=False)


@dataclass
class Sent:
    """An order as the drill sent it; `order_id` once acknowledged."""

    trader: Trader
    client_order_id: str
    gateway: int
    order_id: int = 0


@dataclass
class Tally:
    """What the clients saw: acknowledged orders by order id, unknown ones, the rest."""

    acked: dict[int, Sent] = field(default_factory=dict)
    unknown: list[Sent] = field(default_factory=list)
    unknown_why: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    # (time sent, time answered) of every acknowledged order, monotonic seconds.
    times: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def text(self) -> str:
        lines = ["figures:"]
        lines += [f"  {name}: {value}" for name, value in self.figures.items()]
        lines.append("checks:")
        for check in self.checks:
            lines.append(f"  [{'ok' if check.passed else 'FAILED'}] {check.name}: {check.detail}")
        lines.append("PASSED" if self.passed else "FAILED")
        return "\n".join(lines)


# -- The client: signed Binance REST calls ---------------------------------------------------


def signed_query(trader: Trader, params: dict[str, str]) -> str:
    params = {**params, "timestamp": str(int(time.time() * 1000))}
    query = urllib.parse.urlencode(params)
    signature = hmac.new(trader.secret, query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


async def signed_call(
    session: aiohttp.ClientSession,
    base_url: str,
    method: str,
    path: str,
    trader: Trader,
    params: dict[str, str],
) -> tuple[int, Any]:
    url = f"{base_url}{path}?{signed_query(trader, params)}"
    headers = {"X-MBX-APIKEY": trader.api_key}
    async with session.request(method, url, headers=headers) as response:
        return response.status, await response.json(content_type=None)


def order_params(client_order_id: str, price: str) -> dict[str, str]:
    return {
        "symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
        "quantity": QUANTITY, "price": price, "newClientOrderId": client_order_id,
        "newOrderRespType": "ACK",
    }  # fmt: skip


def _retrieve(future: "asyncio.Future[Any]") -> None:
    """Take a finished future's error, so that asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


class Flood:
    """Clients placing resting buys, each with one request in flight, until `stop` is set.

    Client i is trader i on gateway i % len(gateways) (the load split evenly). An order
    answered -1001 (no primary) is sent again after a short pause, with the same client
    order id: if an earlier send was executed after all, the engine refuses the copy as a
    duplicate and the order is counted unknown rather than twice.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        gateways: list[str],
        traders: list[Trader],
        tally: Tally,
        tag: str,
    ) -> None:
        self.session = session
        self.gateways = gateways
        self.traders = traders
        self.tally = tally
        self.tag = tag
        self.stop = asyncio.Event()
        # The first order sent after `watch_from` and accepted: when, and an event for it.
        self.watch_from = float("inf")
        self.first_accepted: float | None = None
        self.accepted = asyncio.Event()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The clients run inside the block. Leaving it stops them: after their requests in
        flight are answered, or at once on an error or an interrupt."""
        clients = asyncio.gather(*(self._client(index) for index in range(len(self.traders))))
        try:
            yield
            self.stop.set()
            await clients
        finally:
            clients.cancel()
            clients.add_done_callback(_retrieve)  # a cancelled gather's error: not logged

    async def _client(self, index: int) -> None:
        trader = self.traders[index]
        gateway = index % len(self.gateways)
        number = 0
        while not self.stop.is_set():
            number += 1
            sent = Sent(trader, f"{self.tag}-{index}-{number}", gateway)
            # Spread over 100 price levels, all far below any seller: the orders rest.
            price = f"{10 + (number % 100) / 100:.2f}"
            await self._place(sent, price)

    async def _place(self, sent: Sent, price: str) -> None:
        params = order_params(sent.client_order_id, price)
        base_url = self.gateways[sent.gateway]
        while True:
            started = time.monotonic()
            try:
                status, answer = await signed_call(
                    self.session, base_url, "POST", "/api/v3/order", sent.trader, params
                )
            except aiohttp.ClientConnectorError:
                status, answer = 0, {}  # it never reached the gateway: send it again
            except (TimeoutError, aiohttp.ClientError) as exc:
                self._unknown(sent, type(exc).__name__)
                return
            code = answer.get("code") if isinstance(answer, dict) else None
            if status == 200 and isinstance(answer.get("orderId"), int):
                sent.order_id = answer["orderId"]
                self.tally.acked[sent.order_id] = sent
                answered = time.monotonic()
                self.tally.times.append((started, answered))
                if started > self.watch_from and self.first_accepted is None:
                    self.first_accepted = answered
                    self.accepted.set()
                return
            if status == 0 or code == -1001:
                self.tally.retried += 1
                if self.stop.is_set():
                    return  # never executed, and no longer wanted
                await asyncio.sleep(RETRY_PAUSE_S)
                continue
            if code == -1007:
                self._unknown(sent, "-1007")
            elif code == -2010 and answer.get("msg") == "Duplicate order sent.":
                self._unknown(sent, "-2010 duplicate of an earlier send")
            else:
                self.tally.refused[f"{status} {code} {answer.get('msg')}"] += 1
            return

    def _unknown(self, sent: Sent, why: str) -> None:
        self.tally.unknown.append(sent)
        self.tally.unknown_why[why] += 1


# -- Setting up users -------------------------------------------------------------------------


async def admin_call(
    session: aiohttp.ClientSession, gateway: Gateway, path: str, body: dict[str, Any]
) -> Any:
    headers = {"Authorization": f"Bearer {gateway.admin_token()}"}
    async with session.post(f"{gateway.base_url}{path}", json=body, headers=headers) as response:
        answer = await response.json(content_type=None)
        if response.status != 200:
            raise DrillError(f"{path} answered {response.status}: {answer}")
        return answer


async def make_traders(
    session: aiohttp.ClientSession, gateway: Gateway, count: int
) -> list[Trader]:
    """`count` users made through the gateway's admin endpoint, each with an HMAC key (the
    gateways share them) and USDT to buy with."""
    traders = []
    for index in range(count):
        user = await admin_call(session, gateway, "/api/v1/admin/users", {"name": f"drill{index}"})
        deposit = {"user_id": user["user_id"], "asset": "USDT", "amount": FUNDS_USDT}
        await admin_call(session, gateway, "/api/v1/admin/deposits", deposit)
        traders.append(Trader(user["user_id"], user["api_key"], user["secret_key"].encode()))
    return traders


# -- Watching processes -----------------------------------------------------------------------

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far (the engine's read model)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / TICKS_PER_S
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(cpu_seconds(int(child)) for child in children)
    return total


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICKS_PER_S


class CpuMeter:
    """The cores each of the drill's processes used (NATS's nodes together; the drill's
    own clients; the rest of the machine, PostgreSQL's processes most of all)."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.started = 0.0
        self.before: dict[str, float] = {}

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = self._now()

    def shares(self) -> dict[str, float]:
        elapsed = time.monotonic() - self.started
        now = self._now()
        used = {name: (now[name] - self.before[name]) / elapsed for name in now}
        machine = used.pop("machine")
        used["rest (PostgreSQL...)"] = machine - sum(used.values())
        used["machine"] = machine
        return {name: round(cores, 2) for name, cores in used.items()}

    def _now(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for child in self.children:
            name = "nats" if child.name.startswith("nats") else child.name
            found[name] = found.get(name, 0.0) + cpu_seconds(child.pid)
        found["drill clients"] = time.process_time()
        found["machine"] = machine_busy_seconds()
        return found


@dataclass
class Lag:
    """The standby's largest lag seen: records of the stream not yet applied, and the
    replication delay, how long ago the primary stamped the last record it applied (its
    Status's `lag`, `lag_ms`)."""

    records: int = 0
    ms: int = 0


async def watch_lag(standby_port: int, stop: asyncio.Event) -> Lag:
    """Poll the standby's Status every `LAG_POLL_S` until `stop`; the largest lag seen."""
    largest = Lag()
    client = await PortClient.connect("127.0.0.1", standby_port)
    try:
        while not stop.is_set():
            status = await client.status(full=False)
            largest.records = max(largest.records, status.lag)
            largest.ms = max(largest.ms, status.lag_ms)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LAG_POLL_S)
    finally:
        await client.close()
    return largest


# -- The drill's steps ------------------------------------------------------------------------


@dataclass
class Measured:
    rate: float  # orders/s acknowledged
    cpu: dict[str, float]  # cores used by each process meanwhile
    tally: Tally


async def measure(
    session: aiohttp.ClientSession,
    gateways: list[Gateway],
    traders: list[Trader],
    seconds: float,
    cluster: Cluster,
) -> Measured:
    """Orders/s acknowledged through `gateways` with every trader flooding for `seconds`."""
    tally = Tally()
    urls = [gateway.base_url for gateway in gateways]
    flood = Flood(session, urls, traders, tally, f"by{len(gateways)}")
    meter = CpuMeter(cluster.children())
    meter.start()
    started = time.monotonic()
    async with flood.running():
        await asyncio.sleep(seconds)
        flood.stop.set()
        ended = time.monotonic()
        cpu = meter.shares()
    in_time = sum(1 for _, answered in tally.times if answered <= ended)
    return Measured(in_time / (ended - started), cpu, tally)


@dataclass
class Failover:
    tally: Tally
    seconds: float | None  # from the kill to the first order accepted after it
    promotion_s: float  # from the kill to the standby's ready line as the primary
    promoted_role: str
    lag: Lag  # the standby's largest lag in the flood, before the kill


async def fail_over(
    session: aiohttp.ClientSession,
    cluster: Cluster,
    traders: list[Trader],
    options: Options,
) -> Failover:
    """Flood both gateways; once `options.orders` are acknowledged, SIGKILL the engine and
    SIGUSR1 the standby; flood on until `options.after` seconds past the first order
    accepted after the kill (or `CHECK_DEADLINE_S` without one)."""
    assert cluster.primary is not None and cluster.standby is not None
    standby = cluster.standby.child
    tally = Tally()
    urls = [gateway.base_url for gateway in cluster.gateways]
    flood = Flood(session, urls, traders, tally, "failover")
    stop_lag = asyncio.Event()
    async with flood.running():
        lag = asyncio.ensure_future(watch_lag(cluster.standby.port, stop_lag))
        deadline = time.monotonic() + CHECK_DEADLINE_S
        while len(tally.acked) < options.orders and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        stop_lag.set()
        largest_lag = await lag  # no Status in the standby's hands at the kill
        flood.watch_from = killed_at = time.monotonic()
        cluster.primary.child.signal_group(signal.SIGKILL)
        standby.signal(signal.SIGUSR1)
        # Seen in its stdout (its second ready line): no request to the standby meanwhile.
        promoted = asyncio.ensure_future(asyncio.to_thread(_when_ready, standby, 1))
        try:
            await asyncio.wait_for(flood.accepted.wait(), CHECK_DEADLINE_S)
            await asyncio.sleep(options.after)
        except TimeoutError:
            pass  # no order accepted after the kill: the check says so
    cluster.primary.child.kill_group()  # reaped
    ready, promoted_at = await promoted
    seconds = None if flood.first_accepted is None else flood.first_accepted - killed_at
    role = str(ready.get("role"))
    return Failover(tally, seconds, promoted_at - killed_at, role, largest_lag)


def _when_ready(child: Child, index: int) -> tuple[dict[str, Any], float]:
    """The child's `index`-th ready line, and when (monotonic) it was seen."""
    line = child.ready(index, CHECK_DEADLINE_S, poll=0.001)
    return line, time.monotonic()


async def read_open_orders(port: int) -> dict[int, tuple[int, str]]:
    """The open orders of the engine at `port`: order id -> (account, client order id)."""
    client = await PortClient.connect("127.0.0.1", port)
    try:
        seed = (await client.read()).seed
    finally:
        await client.close()
    return {order.order_id: (order.account, order.client_order_id) for order in seed.open_orders}


def _key(sent: Sent) -> tuple[int, str]:
    """What identifies an order the drill sent: its account and client order id."""
    return sent.trader.user_id, sent.client_order_id


def check_on_primary(acked: dict[int, Sent], open_orders: dict[int, tuple[int, str]]) -> Check:
    missing = [
        order_id for order_id, sent in acked.items() if open_orders.get(order_id) != _key(sent)
    ]
    detail = f"{len(acked) - len(missing)} of {len(acked)} acknowledged orders open there"
    if missing:
        detail += f"; missing or different: {sorted(missing)[:10]}"
    return Check("every acknowledged order is on the new primary", not missing, detail)


async def check_in_history(cluster: Cluster, acked: dict[int, Sent]) -> Check:
    """Wait (up to CHECK_DEADLINE_S) for the SQL history to hold every acknowledged order."""
    assert cluster.database is not None
    wanted = sorted(acked)
    deadline = time.monotonic() + CHECK_DEADLINE_S
    while True:
        rows = await asyncio.to_thread(
            cluster.database.query,
            "SELECT order_id, account, client_order_id FROM orders WHERE order_id = ANY(%s)",
            (wanted,),
        )
        found = {int(order_id): (int(account), cid) for order_id, account, cid in rows}
        missing = [order_id for order_id in wanted if found.get(order_id) != _key(acked[order_id])]
        if not missing or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.25)
    detail = f"{len(wanted) - len(missing)} of {len(wanted)} in the orders table"
    if missing:
        detail += f"; missing: {missing[:10]}"
    return Check("every acknowledged order is in the SQL history", not missing, detail)


async def check_replay(cluster: Cluster) -> list[Check]:
    """The new primary's state hash against a clean replay of the stream, at one seq."""
    assert cluster.standby is not None and cluster.nats is not None
    for _ in range(3):  # a command arriving between the two reads moves the seq: read again
        client = await PortClient.connect("127.0.0.1", cluster.standby.port)
        try:
            status = await client.status()
        finally:
            await client.close()
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "assetport.cli", "journal", "replay", *cluster.journal_args],
            capture_output=True, text=True, cwd=ROOT, timeout=300,
        )  # fmt: skip
        if done.returncode != 0:
            return [Check("state hash equals a clean replay", False, done.stderr.strip())]
        replayed = json.loads(done.stdout)
        if replayed["last_seq"] == status.last_seq:
            break
    same = replayed["state_hash"] == status.state_hash and replayed["last_seq"] == status.last_seq
    detail = (
        f"seq {status.last_seq} hash {status.state_hash[:16]}…; replay seq "
        f"{replayed['last_seq']} hash {replayed['state_hash'][:16]}…"
    )
    ledger = not status.ledger_nonzero
    return [
        Check("the new primary's state hash equals a clean replay", same, detail),
        Check("the new primary's ledger sums to zero", ledger, str(status.ledger_nonzero or "")),
    ]


async def check_trading_again(
    session: aiohttp.ClientSession, gateways: list[Gateway], trader: Trader
) -> Check:
    """An order placed on each gateway is accepted and seen from the other (its followers
    have the engine's whole event stream)."""
    details = []
    passed = True
    for index, gateway in enumerate(gateways):
        other = gateways[(index + 1) % len(gateways)]
        params = order_params(f"again-{index}", "10.00")
        status, placed = await signed_call(
            session, gateway.base_url, "POST", "/api/v3/order", trader, params
        )
        if status != 200:
            passed = False
            details.append(f"{gateway.child.name} refused: {status} {placed}")
            continue
        seen = await _seen_from(session, other, trader, placed["orderId"])
        passed = passed and seen
        details.append(
            f"order {placed['orderId']} on {gateway.child.name} "
            f"{'seen' if seen else 'NOT seen'} from {other.child.name}"
        )
    return Check("both gateways trade again", passed, "; ".join(details))


async def _seen_from(
    session: aiohttp.ClientSession, gateway: Gateway, trader: Trader, order_id: int
) -> bool:
    deadline = time.monotonic() + CHECK_DEADLINE_S
    params = {"symbol": SYMBOL, "orderId": str(order_id)}
    while time.monotonic() < deadline:
        status, found = await signed_call(
            session, gateway.base_url, "GET", "/api/v3/order", trader, params
        )
        if status == 200 and found.get("orderId") == order_id:
            return True
        await asyncio.sleep(0.05)
    return False


def engine_status(cluster: Cluster) -> str:
    """What `assetport engine-status` says of both engines now (one JSON line each)."""
    addresses = ",".join(engine.address for engine in cluster.engines)
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "engine-status", "--engine", addresses],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    return (done.stdout or done.stderr).strip()


def merged(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.acked.update(tally.acked)
        total.unknown += tally.unknown
        total.unknown_why += tally.unknown_why
        total.refused += tally.refused
        total.retried += tally.retried
    return total


async def drill(cluster: Cluster, options: Options, say: Any = print) -> Report:
    """Steps 1-4 of the module's docstring against a started cluster."""
    assert cluster.primary is not None and cluster.standby is not None
    report = Report()
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        traders = await make_traders(session, cluster.gateways[0], options.clients)
        say(f"{len(traders)} users with keys and {FUNDS_USDT} USDT each")

        one = await measure(session, cluster.gateways[:1], traders, options.seconds, cluster)
        say(f"1 gateway: {one.rate:.0f} orders/s")
        two = await measure(session, cluster.gateways, traders, options.seconds, cluster)
        say(f"2 gateways: {two.rate:.0f} orders/s")
        failover = await fail_over(session, cluster, traders, options)
        say("killed the engine, promoted the standby; checking")

        total = merged([one.tally, two.tally, failover.tally])
        role = failover.promoted_role
        said = f"its second ready line says {role}"
        report.checks.append(Check("the standby took over", role == "primary", said))
        seconds = failover.seconds
        when = "none in time" if seconds is None else f"{seconds * 1000:.1f} ms after it"
        accepted = Check("an order is accepted after the kill", seconds is not None, when)
        report.checks.append(accepted)
        report.checks.append(await check_trading_again(session, cluster.gateways, traders[0]))
        open_orders = await read_open_orders(cluster.standby.port)
        report.checks.append(check_on_primary(total.acked, open_orders))
        report.checks.append(await check_in_history(cluster, total.acked))
        report.checks += await check_replay(cluster)

    report.figures = figures(cluster, options, one, two, failover, total, open_orders)
    report.figures["engine-status after"] = await asyncio.to_thread(engine_status, cluster)
    return report


def figures(
    cluster: Cluster,
    options: Options,
    one: "Measured",
    two: "Measured",
    failover: Failover,
    total: Tally,
    open_orders: dict[int, tuple[int, str]],
) -> dict[str, Any]:
    landed = {client_order_id for _, client_order_id in open_orders.values()}
    lag = failover.lag
    lost = [
        order_id
        for order_id, sent in total.acked.items()
        if open_orders.get(order_id) != _key(sent)
    ]
    return {
        "NATS nodes (stream replicas)": cluster.nats.replicas if cluster.nats else 0,
        "clients (one request in flight each)": options.clients,
        "orders/s through 1 gateway": round(one.rate),
        "orders/s through 2 gateways": round(two.rate),
        "ratio 2/1": round(two.rate / one.rate, 2) if one.rate else None,
        "CPU (cores) with 1 gateway": one.cpu,
        "CPU (cores) with 2 gateways": two.cpu,
        "failover ms (kill -> first accepted order)": (
            None if failover.seconds is None else round(failover.seconds * 1000, 1)
        ),
        "promotion ms (kill -> standby's ready line as primary)": round(
            failover.promotion_s * 1000, 1
        ),
        "standby's largest lag in the flood": f"{lag.records} records, {lag.ms} ms",
        "acknowledged": len(total.acked),
        "unknown": f"{len(total.unknown)} {dict(total.unknown_why)}",
        "unknown that were executed": sum(
            1 for sent in total.unknown if sent.client_order_id in landed
        ),
        "lost (acknowledged, not on the new primary)": len(lost),
        "sent again after -1001": total.retried,
        "refused otherwise": dict(total.refused),
    }


def run_drill(options: Options, say: Any = print, cluster: Cluster | None = None) -> Report:
    """Start the scaled-out form (into `cluster`, a new one by default, its work directory
    made for it), run the drill, stop everything; the report."""
    if cluster is None:
        cluster = Cluster(make_work_dir())
    cluster.keep_database = options.keep
    work = cluster.work
    try:
        start_cluster(
            cluster,
            nats_nodes=options.nats_nodes,
            nats_server=options.nats_server,
            pg_admin=options.pg,
            say=say,
        )
        report = asyncio.run(drill(cluster, options, say))
        if not report.passed:
            say(cluster.log_tails())
        return report
    except BaseException:
        say(cluster.log_tails())
        raise
    finally:
        cluster.close()
        if options.keep:
            name = cluster.database.name if cluster.database else "none"
            say(f"kept: {work} and database {name}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Options()
    parser.add_argument("--clients", type=int, default=defaults.clients,
                        help="clients (users), one request in flight each")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=defaults.seconds,
                        help="length of each orders/s measurement")  # fmt: skip
    parser.add_argument("--orders", type=int, default=defaults.orders,
                        help="orders acknowledged in the last flood before the kill")  # fmt: skip
    parser.add_argument("--after", type=float, default=defaults.after,
                        help="seconds the flood goes on past the first accepted order")  # fmt: skip
    parser.add_argument("--nats-nodes", type=int, default=defaults.nats_nodes)
    parser.add_argument("--nats-server", default=defaults.nats_server)
    parser.add_argument("--pg", default=defaults.pg, help="libpq DSN of the admin database")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory and the database")  # fmt: skip
    args = parser.parse_args(argv)
    return Options(
        clients=args.clients, seconds=args.seconds, orders=args.orders, after=args.after,
        nats_nodes=args.nats_nodes, nats_server=args.nats_server, pg=args.pg, keep=args.keep,
    )  # fmt: skip


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    signal.raise_signal(signal.SIGINT)  # as Ctrl-C: asyncio cancels the drill, then clean-up


def main(argv: list[str]) -> int:
    options = _parse(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    try:
        report = run_drill(options)
    except KeyboardInterrupt:
        print("interrupted: everything the drill started is stopped")
        return 130
    except DrillError as exc:
        print(f"the drill could not run: {exc}")
        return 2
    print(report.text())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
