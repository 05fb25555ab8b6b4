"""Signed REST orders over loopback against a real `assetport serve` process.

Starts the server with a one-market listing file whose `[[rate_limits]]` are far above the
load (Binance's defaults would refuse it), makes funded users with HMAC keys, then runs
worker processes, each with keep-alive HTTP/1.1 connections on raw asyncio streams (no
client library: the load generator shares the machine and must stay cheap). Every
connection loops: place a LIMIT order that rests (POST /api/v3/order, signed form body, as
ccxt sends it), then cancel it (DELETE /api/v3/order, signed query). Each request's latency
is timed from the first byte written to the last byte read. The last line printed is one
JSON object.

    python benchmarks/api_load.py --seconds 10 --workers 2 --connections 64

Group commit batches the orders of concurrent requests into one fsync, so throughput grows
with the connections in flight; 128 (2 x 64) is a small market maker's fleet.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

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


def start_server(data_dir: Path, config: Path) -> tuple[subprocess.Popen[str], int]:
    command = [
        sys.executable, "-m", "assetport.cli", "serve", "--data-dir", str(data_dir / "data"),
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


class Connection:
    """One keep-alive HTTP/1.1 connection sending signed requests of one user."""

    def __init__(self, port: int, api_key: str, secret: str, name: str) -> None:
        self.port = port
        self.api_key = api_key
        self.secret = secret.encode()
        self.name = name
        self.latencies_ns: list[int] = []
        self.errors = 0

    def _sign(self, params: str) -> str:
        digest = hmac.new(self.secret, params.encode(), hashlib.sha256).hexdigest()
        return f"{params}&signature={digest}"

    async def run(self, stop_at: float, order_count: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"Host: 127.0.0.1\r\nX-MBX-APIKEY: {self.api_key}\r\n"
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            client_id = f"{self.name}-{n}"
            now = int(time.time() * 1000)
            body = self._sign(
                f"timestamp={now}&symbol={SYMBOL}&side=BUY&type=LIMIT&timeInForce=GTC"
                f"&quantity=0.001&price={10000 + n % 100}&newClientOrderId={client_id}"
                "&newOrderRespType=ACK&recvWindow=10000"
            )
            place = (
                f"POST /api/v3/order HTTP/1.1\r\n{head}"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n{body}"
            ).encode()
            if await self._call(reader, writer, place):
                order_count[0] += 1
            query = self._sign(
                f"timestamp={now}&symbol={SYMBOL}&origClientOrderId={client_id}&recvWindow=10000"
            )
            cancel = f"DELETE /api/v3/order?{query} HTTP/1.1\r\n{head}\r\n".encode()
            await self._call(reader, writer, cancel)
        writer.close()

    async def _call(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> bool:
        start = time.perf_counter_ns()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        at = head.lower().find(b"content-length:")
        length = int(head[at + 15 : head.find(b"\r\n", at)])
        await reader.readexactly(length)
        self.latencies_ns.append(time.perf_counter_ns() - start)
        ok = head.startswith(b"HTTP/1.1 200")
        if not ok:
            self.errors += 1
        return ok


def worker(port: int, users: list[tuple[str, str]], connections: int, seconds: float) -> Any:
    """One load process: `connections` connections for `seconds`; returns its figures."""

    async def main() -> tuple[list[int], int, int]:
        stop_at = time.monotonic() + seconds
        conns = [
            Connection(port, *users[i % len(users)], f"w{os.getpid()}c{i}")
            for i in range(connections)
        ]
        orders = [0]
        await asyncio.gather(*(c.run(stop_at, orders) for c in conns))
        latencies = [x for c in conns for x in c.latencies_ns]
        return latencies, orders[0], sum(c.errors for c in conns)

    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


def percentile(sorted_ns: list[int], fraction: float) -> float:
    if not sorted_ns:
        return 0.0
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * fraction))] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="load generator processes")
    parser.add_argument("--connections", type=int, default=64, help="per worker")
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "listing.toml"
        config.write_text(LISTING, encoding="utf-8")
        server, port = start_server(root, config)
        try:
            token = (root / "data" / "admin.token").read_text().strip()
            users = []
            for n in range(args.users):
                made = admin(port, token, "/api/v1/admin/users", name=f"load{n}")
                admin(port, token, "/api/v1/admin/deposits", user_id=made["user_id"],
                      asset="USDT", amount="100000000")  # fmt: skip
                users.append((made["api_key"], made["secret_key"]))
            context = multiprocessing.get_context("fork")
            with context.Pool(args.workers) as pool:
                started = time.perf_counter()
                results = pool.starmap(
                    worker,
                    [(port, users, args.connections, args.seconds)] * args.workers,
                )
                elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    latencies = sorted(x for result in results for x in result[0])
    orders = sum(result[1] for result in results)
    errors = sum(result[2] for result in results)
    figures = {
        "benchmark": "api_load",
        "seconds": round(elapsed, 2),
        "workers": args.workers,
        "connections": args.workers * args.connections,
        "orders_per_s": round(orders / elapsed),
        "requests_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "errors": errors,
    }
    print(
        f"{figures['orders_per_s']:,} orders/s placed and canceled "
        f"({figures['requests_per_s']:,} requests/s), latency p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {errors} errors"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
