"""Signed orders over REST and over the WebSocket API, on loopback, against a real server.

Starts `assetport serve` (its SQL read model included) with a one-market listing file
whose `[[rate_limits]]` are far above the load (Binance's defaults would refuse it), makes
funded users with HMAC and Ed25519 keys, then runs two sections one after the other, each
with load processes forked from this one. Clients are lean (raw sockets, no client library:
the load generator shares the machine with the server) but do what a real bot does: every
request is signed, or sent on a WebSocket session logged on with Ed25519, and checked by the
server; an order is acknowledged only once it is durable in the journal.

- REST: keep-alive HTTP/1.1 connections, one request in flight each (as HTTP clients do):
  place a resting LIMIT order (POST /api/v3/order, HMAC-signed form body, as ccxt sends
  it), then cancel it (DELETE /api/v3/order, signed query).
- WebSocket API (`/ws-api/v3`): connections that log on with an Ed25519 key
  (`session.logon`; then requests carry only their timestamp, as Binance allows) or, with
  `--ws-hmac`, sign every request. Each keeps `--ws-window` requests in flight: every
  placed order (`order.place`, ACK) is canceled (`order.cancel`) as soon as its answer
  arrives, and every answered cancel places the next order.

With `--hostile`, each section runs twice: quiet, then again beside two hostile clients
from another loopback address (127.0.0.2, so bans of theirs do not touch the load), each
in its own process: one sends 9.9 MB form bodies of a million parameters, over and over,
on new connections; the other sends WebSocket API messages as 40,000 empty continuation
frames each. The section's figures gain `hostile` (the second run) and
`p99_hostile_over_quiet`; what the hostile clients saw (answers, refusals, closes) is
counted.

Orders/s counts placements acknowledged (each followed by its cancel); latency is from
writing a request to reading its whole answer. CPU per order (server process with all its
threads, and the load processes) makes runs comparable on a noisy machine. The last line
printed is one JSON object with a "rest" and a "ws_api" section.

    python benchmarks/api_load.py --seconds 10
    python benchmarks/api_load.py --only ws --ws-connections 16 --ws-window 8
"""

import argparse
import asyncio
import base64
import hmac
import json
import multiprocessing
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from websockets.speedups import apply_mask

SYMBOL = "BTCUSDT"
LISTING = """
[[assets]]
code = "USDT"
precision = 8

[[assets]]
code = "BTC"
precision = 8

[[markets]]
symbol = "BTCUSDT"
base = "BTC"
quote = "USDT"
tick_size = "0.01"
step_size = "0.00001"
min_qty = "0.00001"
max_qty = "9000"
min_notional = "5"
max_num_orders = 1000
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
"""
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def start_server(
    data_dir: Path, config: Path, profile: Path | None = None
) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += [
        "-m", "assetport.cli", "serve", "--data-dir", str(data_dir / "data"),
        "--port", "0", "--config", str(config),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the server did not start")
    return process, int(json.loads(line)["port"])


def admin(port: int, token: str, path: str, **body: Any) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU so far of a process with all its threads, and of its child
    processes (the server's read model process)."""
    own = children = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / TICKS_PER_S
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                children += sum(cpu_seconds(int(child)))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return own, children


def percentile(sorted_ns: list[int], fraction: float) -> float:
    if not sorted_ns:
        return 0.0
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * fraction))] / 1e6


def _hmac_hex(secret: bytes, payload: bytes) -> bytes:
    return hmac.digest(secret, payload, "sha256").hex().encode()


class User(msgspec.Struct, frozen=True):
    hmac_key: str
    secret: str
    ed_key: str
    ed_pem: bytes


class Tally:
    """One load process's figures."""

    def __init__(self) -> None:
        self.latencies_ns: list[int] = []
        self.orders = 0
        self.cancels = 0
        self.errors = 0
        self.errors_seen: list[str] = []

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.errors_seen) < 3:
            self.errors_seen.append(text)


# -- REST ---------------------------------------------------------------------------------------


class RestClient(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection of one user: place, cancel, place, ..."""

    def __init__(self, user: User, name: str, stop_at: float, tally: Tally) -> None:
        self.secret = user.secret.encode()
        self.head = f"Host: 127.0.0.1\r\nX-MBX-APIKEY: {user.hmac_key}\r\n".encode()
        self.name = name
        self.stop_at = stop_at
        self.tally = tally
        self.buffer = b""
        self.n = 0
        self.client_id = ""
        self.placing = False
        self.sent_ns = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self._place()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)

    def _signed(self, params: str) -> bytes:
        payload = params.encode()
        return payload + b"&signature=" + _hmac_hex(self.secret, payload)

    def _place(self) -> None:
        self.n += 1
        self.client_id = f"{self.name}-{self.n}"
        body = self._signed(
            f"timestamp={time.time_ns() // 1_000_000}&symbol={SYMBOL}&side=BUY&type=LIMIT"
            f"&timeInForce=GTC&quantity=0.001&price={10000 + self.n % 100}"
            f"&newClientOrderId={self.client_id}&newOrderRespType=ACK&recvWindow=10000"
        )
        self.placing = True
        self._write(
            b"POST /api/v3/order HTTP/1.1\r\n" + self.head
            + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip

    def _cancel(self) -> None:
        query = self._signed(
            f"timestamp={time.time_ns() // 1_000_000}&symbol={SYMBOL}"
            f"&origClientOrderId={self.client_id}&recvWindow=10000"
        )
        self.placing = False
        self._write(b"DELETE /api/v3/order?" + query + b" HTTP/1.1\r\n" + self.head + b"\r\n")

    def _write(self, request: bytes) -> None:
        self.sent_ns = time.perf_counter_ns()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            self.buffer = buffer
            return
        at = buffer.lower().find(b"content-length:", 0, end)
        length = int(buffer[at + 15 : buffer.find(b"\r\n", at)])
        if len(buffer) < end + 4 + length:
            self.buffer = buffer
            return
        self.buffer = buffer[end + 4 + length :]
        tally = self.tally
        tally.latencies_ns.append(time.perf_counter_ns() - self.sent_ns)
        if not buffer.startswith(b"HTTP/1.1 200"):
            tally.error(buffer[: end + 4 + length].decode("utf-8", "replace"))
        if self.placing:
            tally.orders += 1
            self._cancel()
        else:
            tally.cancels += 1
            if time.monotonic() < self.stop_at:
                self._place()
            else:
                self.transport.close()


def rest_worker(port: int, users: list[User], connections: int, seconds: float) -> Any:
    async def main() -> Tally:
        loop = asyncio.get_running_loop()
        stop_at = time.monotonic() + seconds
        tally = Tally()
        clients = []
        for i in range(connections):
            user = users[i % len(users)]
            name = f"w{os.getpid()}c{i}"
            _, client = await loop.create_connection(
                lambda u=user, n=name: RestClient(u, n, stop_at, tally),  # type: ignore[misc]
                "127.0.0.1",
                port,
            )
            clients.append(client)
        await asyncio.gather(*(c.done for c in clients))
        return tally

    return _run_worker(main)


# -- WebSocket API ------------------------------------------------------------------------------

_decode_answer = msgspec.json.Decoder().decode


class WsClient(asyncio.Protocol):
    """One WebSocket API connection keeping `window` requests in flight.

    Frames are written masked, as RFC 6455 wants from a client; each batch of answers read
    together is followed by one write of the requests they allow.
    """

    def __init__(
        self, user: User, window: int, stop_at: float, tally: Tally, use_hmac: bool
    ) -> None:
        self.user = user
        self.secret = user.secret.encode()
        self.window = window
        self.stop_at = stop_at
        self.tally = tally
        self.use_hmac = use_hmac
        self.buffer = bytearray()
        self.handshaken = False
        self.logged_on = use_hmac
        self.sent: dict[int, int] = {}  # request id -> send time (ns)
        self.next_id = 0
        self.price = 0
        self.out: list[bytes] = []
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                "GET /ws-api/v3?returnRateLimits=false HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)

    # requests

    def _frame(self, payload: bytes) -> None:
        mask = random.randbytes(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        self.out.append(head + mask + apply_mask(payload, mask))

    def _request(self, method: str, params: str) -> None:
        """`params`: the JSON object's members after the timestamp (and before the
        signature), already written; signed here with HMAC when asked."""
        self.next_id += 1
        now = time.time_ns() // 1_000_000
        if self.use_hmac:
            members = json.loads("{" + params + "}")
            members["apiKey"] = self.user.hmac_key
            members["timestamp"] = now
            payload = "&".join(f"{k}={members[k]}" for k in sorted(members)).encode()
            members["signature"] = _hmac_hex(self.secret, payload).decode()
            text = json.dumps(members, separators=(",", ":"))
        else:
            text = f'{{"timestamp":{now},{params}}}'
        self.sent[self.next_id] = time.perf_counter_ns()
        self._frame(f'{{"id":{self.next_id},"method":"{method}","params":{text}}}'.encode())

    def _place(self) -> None:
        self.price = (self.price + 1) % 100
        self._request(
            "order.place",
            f'"symbol":"{SYMBOL}","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
            f'"quantity":"0.001","price":"{10000 + self.price}","newOrderRespType":"ACK"',
        )

    def _logon(self) -> None:
        key = serialization.load_pem_private_key(self.user.ed_pem, None)
        params = {"apiKey": self.user.ed_key, "timestamp": time.time_ns() // 1_000_000}
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params)).encode()
        signature = base64.b64encode(key.sign(payload)).decode()  # type: ignore[call-arg,union-attr]
        params["signature"] = signature
        self._frame(json.dumps({"id": 0, "method": "session.logon", "params": params}).encode())

    def _flush(self) -> None:
        if self.out:
            self.transport.write(b"".join(self.out))
            self.out.clear()

    # answers

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                raise SystemExit(f"WebSocket handshake refused: {bytes(buffer[:end])!r}")
            del buffer[: end + 4]
            self.handshaken = True
            if self.use_hmac:
                self._start()
            else:
                self._logon()
            self._flush()
        at = 0
        size = len(buffer)
        while size - at >= 2:
            opcode = buffer[at] & 0x0F
            length = buffer[at + 1] & 0x7F
            start = at + 2
            if length == 126:
                if size - at < 4:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 4], "big")
                start = at + 4
            elif length == 127:
                if size - at < 10:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 10], "big")
                start = at + 10
            if size < start + length:
                break
            payload = bytes(buffer[start : start + length])
            at = start + length
            if opcode == 0x1:
                self._answer(payload)
            elif opcode == 0x8:
                self.transport.close()
                return
            elif opcode == 0x9:  # ping: pong with the same payload
                mask = random.randbytes(4)
                self.out.append(bytes([0x8A, 0x80 | length]) + mask + apply_mask(payload, mask))
        del buffer[:at]
        self._flush()
        if self.handshaken and self.logged_on and not self.sent:
            self.transport.close()

    def _start(self) -> None:
        for _ in range(self.window):
            self._place()

    def _answer(self, text: bytes) -> None:
        answer = _decode_answer(text)
        tally = self.tally
        request_id = answer["id"]
        if request_id == 0:  # session.logon
            if answer["status"] != 200:
                raise SystemExit(f"session.logon failed: {answer}")
            self.logged_on = True
            self._start()
            return
        tally.latencies_ns.append(time.perf_counter_ns() - self.sent.pop(request_id))
        if answer["status"] != 200:
            tally.error(text.decode())
            if time.monotonic() < self.stop_at:
                self._place()
            return
        result = answer["result"]
        if "origClientOrderId" not in result:
            tally.orders += 1
            self._request("order.cancel", f'"symbol":"{SYMBOL}","orderId":{result["orderId"]}')
        else:
            tally.cancels += 1
            if time.monotonic() < self.stop_at:
                self._place()


def ws_worker(
    port: int, users: list[User], connections: int, window: int, seconds: float, use_hmac: bool
) -> Any:
    async def main() -> Tally:
        loop = asyncio.get_running_loop()
        stop_at = time.monotonic() + seconds
        tally = Tally()
        clients = []
        for i in range(connections):
            user = users[i % len(users)]
            _, client = await loop.create_connection(
                lambda u=user: WsClient(u, window, stop_at, tally, use_hmac),  # type: ignore[misc]
                "127.0.0.1",
                port,
            )
            clients.append(client)
        await asyncio.gather(*(c.done for c in clients))
        return tally

    return _run_worker(main)


# -- hostile clients ---------------------------------------------------------------------------

HOSTILE_ADDRESS = "127.0.0.2"
_BIG_BODY = b"&".join([b"a=1"] * 1_000_000) + b"&" + b"b" * (9_900_000 - 3_999_999 - 1)
_FRAGMENTS = 40_000


def _masked(first: int, payload: bytes) -> bytes:
    mask = b"\x01\x02\x03\x04"
    return bytes((first, 0x80 | len(payload))) + mask + apply_mask(payload, mask)


_FRAGMENTED = b"".join(
    [_masked(0x01, b"{")]  # a text frame, not final
    + [_masked(0x00, b"")] * _FRAGMENTS  # empty continuation frames
    + [_masked(0x80, b"}")]  # the final one
)


class HostileTally(msgspec.Struct):
    attempts: int = 0
    answers: dict[str, int] = msgspec.field(default_factory=dict)

    def saw(self, what: str) -> None:
        self.answers[what] = self.answers.get(what, 0) + 1


async def _hostile_exchange(
    port: int, head: bytes, body: bytes, tally: HostileTally, websocket: bool
) -> None:
    """On a new connection from the hostile address: send `head`, then `body` (for a
    WebSocket, once the handshake is answered, as a client must); count the first line of
    the answer (for a WebSocket, the close frame's code), and hang up once it is in (or
    after 5 s)."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, local_addr=(HOSTILE_ADDRESS, 0)
    )
    tally.attempts += 1
    seen = "closed without an answer"
    try:
        async with asyncio.timeout(5):
            writer.write(head if websocket else head + body)
            answer_head = await reader.readuntil(b"\r\n\r\n")
            seen = answer_head.split(b"\r\n", 1)[0].decode("latin-1")[:40]
            if websocket and seen.startswith("HTTP/1.1 101"):
                seen = "101, no close frame"
                writer.write(body)
                while True:  # frames until the server's close
                    first, second = await reader.readexactly(2)
                    length = second & 0x7F
                    if length >= 126:
                        extended = await reader.readexactly(2 if length == 126 else 8)
                        length = int.from_bytes(extended, "big")
                    payload = await reader.readexactly(length)
                    if first & 0x0F == 0x8:
                        seen = f"101, then close {int.from_bytes(payload[:2], 'big')}"
                        break
    except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()
    tally.saw(seen)


def oversized_bodies(port: int, seconds: float) -> Any:
    """A client sending 9.9 MB form bodies of a million parameters to the order endpoint."""
    head = (
        b"POST /api/v3/order HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(_BIG_BODY)).encode() + b"\r\n\r\n"
    )
    return _hostile_loop(port, seconds, head, _BIG_BODY, websocket=False)


def fragmented_messages(port: int, seconds: float) -> Any:
    """A client sending WebSocket API messages of 40,000 empty continuation frames."""
    key = base64.b64encode(b"hostile-client!!")
    head = (
        b"GET /ws-api/v3 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    return _hostile_loop(port, seconds, head, _FRAGMENTED, websocket=True)


def _hostile_loop(port: int, seconds: float, head: bytes, body: bytes, websocket: bool) -> Any:
    import uvloop

    async def main() -> HostileTally:
        tally = HostileTally()
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            try:
                await _hostile_exchange(port, head, body, tally, websocket)
            except OSError as exc:
                tally.saw(f"connect: {exc.strerror}")
                await asyncio.sleep(0.05)
        return tally

    return msgspec.to_builtins(uvloop.run(main()))


# -- running ------------------------------------------------------------------------------------


def _run_worker(main: Callable[[], Any]) -> tuple[float, Any]:
    """Run `main` on uvloop; answer (this process's CPU seconds, its tally as a dict)."""
    import uvloop

    cpu = time.process_time()
    tally = uvloop.run(main())
    return time.process_time() - cpu, {
        "latencies_ns": tally.latencies_ns,
        "orders": tally.orders,
        "cancels": tally.cancels,
        "errors": tally.errors,
        "errors_seen": tally.errors_seen,
    }


def machine_ticks() -> tuple[int, int]:
    """All CPU ticks of the machine so far, and those the hypervisor stole (the VM's
    vCPUs wanted to run but the host ran something else): a run with much stolen time
    measures the host, not the exchange."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[:8]), fields[7]


def read_model_lag(port: int, token: str) -> int:
    """Commands the server's SQL read model has not yet committed."""
    return int(admin(port, token, "/api/v1/admin/status")["read_model"]["lag"])


def wait_for_read_model(port: int, token: str) -> float:
    """Seconds until the read model has caught up with the engine."""
    started = time.perf_counter()
    while read_model_lag(port, token) > 0:
        if time.perf_counter() - started > 120:
            raise SystemExit("the read model did not catch up within 120 s")
        time.sleep(0.01)
    return time.perf_counter() - started


def run_section(
    server_pid: int,
    server: tuple[int, str],
    workers: int,
    worker: Callable[..., Any],
    job: tuple[Any, ...],
    hostile_seconds: float = 0.0,
) -> dict[str, Any]:
    """One section's figures. The read model's CPU is counted until it has written the
    whole section (it may trail the load while the CPU is busy), and its lag when the load
    stops is reported. With `hostile_seconds`, the two hostile clients run beside the load,
    each in a process of its own."""
    context = multiprocessing.get_context("fork")
    wait_for_read_model(*server)
    hostile_pool = context.Pool(2) if hostile_seconds else None
    hostile_runs = []
    if hostile_pool is not None:
        port = server[0]
        hostile_runs = [
            hostile_pool.apply_async(oversized_bodies, (port, hostile_seconds)),
            hostile_pool.apply_async(fragmented_messages, (port, hostile_seconds)),
        ]
    with context.Pool(workers) as pool:
        server_before, children_before = cpu_seconds(server_pid)
        ticks_before, stolen_before = machine_ticks()
        started = time.perf_counter()
        results = pool.starmap(worker, [job] * workers)
        elapsed = time.perf_counter() - started
        server_after, _ = cpu_seconds(server_pid)
        ticks_after, stolen_after = machine_ticks()
        lag_at_end = read_model_lag(*server)
        catch_up_s = wait_for_read_model(*server)
        _, children_after = cpu_seconds(server_pid)
    hostile = [run.get() for run in hostile_runs]
    if hostile_pool is not None:
        hostile_pool.close()
        hostile_pool.join()
    tallies = [tally for _, tally in results]
    latencies = sorted(x for t in tallies for x in t["latencies_ns"])
    orders = sum(t["orders"] for t in tallies)
    for t in tallies:
        for text in t["errors_seen"]:
            print("error:", text, file=sys.stderr)
    per_order = 1e6 / max(1, orders)
    return {
        "seconds": round(elapsed, 2),
        "orders_per_s": round(orders / elapsed),
        "requests_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "max_ms": round(latencies[-1] / 1e6, 3) if latencies else 0.0,
        "errors": sum(t["errors"] for t in tallies),
        "server_cpu_us_per_order": round((server_after - server_before) * per_order, 1),
        "read_model_cpu_us_per_order": round((children_after - children_before) * per_order, 1),
        "client_cpu_us_per_order": round(sum(cpu for cpu, _ in results) * per_order, 1),
        "stolen_cpu_pct": round(
            100 * (stolen_after - stolen_before) / max(1, ticks_after - ticks_before), 1
        ),
        "read_model_lag_at_end": lag_at_end,
        "read_model_catch_up_s": round(catch_up_s, 3),
        **({"hostile_clients": dict(zip(("bodies", "fragments"), hostile, strict=True))}
           if hostile else {}),
    }  # fmt: skip


def make_users(port: int, token: str, count: int) -> list[User]:
    users = []
    for n in range(count):
        made = admin(port, token, "/api/v1/admin/users", name=f"load{n}")
        admin(port, token, "/api/v1/admin/deposits", user_id=made["user_id"],
              asset="USDT", amount="100000000")  # fmt: skip
        private_key = Ed25519PrivateKey.generate()
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        ed = admin(port, token, "/api/v1/admin/apikeys", user_id=made["user_id"],
                   ed25519_public_key=public_pem.decode())  # fmt: skip
        private_pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        users.append(User(made["api_key"], made["secret_key"], ed["api_key"], private_pem))
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per section")
    parser.add_argument("--only", choices=["rest", "ws"], help="run one section only")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--rest-workers", type=int, default=2, help="load processes")
    parser.add_argument("--rest-connections", type=int, default=64, help="per process")
    parser.add_argument("--ws-workers", type=int, default=1, help="load processes")
    parser.add_argument("--ws-connections", type=int, default=32, help="per process")
    parser.add_argument("--ws-window", type=int, default=16, help="requests in flight each")
    parser.add_argument("--ws-hmac", action="store_true", help="sign every request")
    parser.add_argument("--profile", type=Path, help="run the server under cProfile")
    parser.add_argument(
        "--hostile", action="store_true", help="run each section again beside hostile clients"
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {"benchmark": "api_load"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "listing.toml"
        config.write_text(LISTING, encoding="utf-8")
        server, port = start_server(root, config, args.profile)
        print(f"server pid {server.pid} on port {port}", file=sys.stderr, flush=True)
        try:
            token = (root / "data" / "admin.token").read_text().strip()
            users = make_users(port, token, args.users)
            if args.only in (None, "rest"):
                job = (port, users, args.rest_connections, args.seconds)
                rest = run_section(server.pid, (port, token), args.rest_workers, rest_worker, job)
                rest["connections"] = args.rest_workers * args.rest_connections
                figures["rest"] = rest
                _say("REST", rest)
                if args.hostile:
                    _beside_hostile(rest, "REST", server.pid, (port, token),
                                    args.rest_workers, rest_worker, job, args.seconds)  # fmt: skip
            if args.only in (None, "ws"):
                job = (port, users, args.ws_connections, args.ws_window, args.seconds,
                       args.ws_hmac)  # fmt: skip
                ws = run_section(server.pid, (port, token), args.ws_workers, ws_worker, job)
                ws["connections"] = args.ws_workers * args.ws_connections
                ws["window"] = args.ws_window
                ws["auth"] = "hmac" if args.ws_hmac else "ed25519_session"
                figures["ws_api"] = ws
                _say("WebSocket API", ws)
                if args.hostile:
                    _beside_hostile(ws, "WebSocket API", server.pid, (port, token),
                                    args.ws_workers, ws_worker, job, args.seconds)  # fmt: skip
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=120)
    print(json.dumps(figures))


def _beside_hostile(
    quiet: dict[str, Any],
    name: str,
    server_pid: int,
    server: tuple[int, str],
    workers: int,
    worker: Callable[..., Any],
    job: tuple[Any, ...],
    seconds: float,
) -> None:
    """The section again, beside the hostile clients; its figures go into `quiet`."""
    hostile = run_section(server_pid, server, workers, worker, job, hostile_seconds=seconds)
    quiet["hostile"] = hostile
    quiet["p99_hostile_over_quiet"] = round(hostile["p99_ms"] / max(quiet["p99_ms"], 1e-9), 2)
    _say(f"{name} beside hostile clients", hostile)
    print(f"  hostile clients saw: {hostile['hostile_clients']}", file=sys.stderr)
    print(f"  p99 beside them / quiet: {quiet['p99_hostile_over_quiet']}", file=sys.stderr)


def _say(name: str, f: dict[str, Any]) -> None:
    print(
        f"{name}: {f['orders_per_s']:,} orders/s placed and canceled "
        f"({f['requests_per_s']:,} requests/s), latency p50 {f['p50_ms']} ms, "
        f"p99 {f['p99_ms']} ms, max {f['max_ms']} ms, {f['errors']} errors; section "
        f"{f['seconds']} s; CPU per order: server "
        f"{f['server_cpu_us_per_order']} µs, its read model process "
        f"{f['read_model_cpu_us_per_order']} µs, load generator {f['client_cpu_us_per_order']} µs; "
        f"read model {f['read_model_lag_at_end']:,} commands behind at the end, caught up "
        f"{f['read_model_catch_up_s']} s later; {f['stolen_cpu_pct']}% of the CPU stolen "
        "by the host"
    )


if __name__ == "__main__":
    main()
