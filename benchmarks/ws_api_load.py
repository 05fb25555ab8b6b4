"""Orders over the WebSocket API (`/ws-api/v3`) on loopback against a real `assetport serve`.

Starts the server with `api_load.py`'s one-market listing (its `[[rate_limits]]` are far
above the load; Binance's defaults would refuse it), makes funded users, then runs worker
processes, each with WebSocket connections (the `websockets` client). A connection logs on
with an Ed25519 key (`session.logon`; then requests carry only a timestamp, as a market
maker's would), or with `--hmac` signs every request. It keeps `--window` requests in
flight: each resting LIMIT order placed (`order.place`, ACK) is canceled (`order.cancel`)
as soon as its answer arrives, and each cancel answered places the next order. Latency is
from sending a request to reading its answer. The last line printed is one JSON object.

    python benchmarks/ws_api_load.py --seconds 10 --workers 1 --connections 16 --window 8
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import multiprocessing
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import LISTING, SYMBOL, admin, percentile, start_server

User = tuple[str, str, str]  # (HMAC api key, HMAC secret, Ed25519 api key); the PEM apart


def _payload(params: dict[str, Any]) -> bytes:
    return "&".join(f"{k}={params[k]}" for k in sorted(params)).encode()


class Connection:
    def __init__(self, port: int, user: User, private_pem: bytes, use_hmac: bool) -> None:
        self.port = port
        self.hmac_key, self.secret, self.ed_key = user[0], user[1].encode(), user[2]
        self.private_key = serialization.load_pem_private_key(private_pem, None)
        self.use_hmac = use_hmac
        self.latencies_ns: list[int] = []
        self.orders = 0
        self.cancels = 0
        self.errors = 0
        self.errors_seen: list[Any] = []  # the first few, to print
        self.sent: dict[int, int] = {}  # request id -> send time
        self.next_id = 0
        self.price = 0

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        params["timestamp"] = int(time.time() * 1000)
        if self.use_hmac:
            params["apiKey"] = self.hmac_key
            digest = hmac.new(self.secret, _payload(params), hashlib.sha256).hexdigest()
            params["signature"] = digest
        return params

    async def _send(self, ws: Any, method: str, params: dict[str, Any]) -> None:
        self.next_id += 1
        message = json.dumps({"id": self.next_id, "method": method, "params": params})
        self.sent[self.next_id] = time.perf_counter_ns()
        await ws.send(message)

    async def _place(self, ws: Any) -> None:
        self.price = (self.price + 1) % 100
        params = {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                  "quantity": "0.001", "price": str(10000 + self.price),
                  "newOrderRespType": "ACK"}  # fmt: skip
        await self._send(ws, "order.place", self._params(params))

    async def run(self, stop_at: float, window: int) -> None:
        url = f"ws://127.0.0.1:{self.port}/ws-api/v3?returnRateLimits=false"
        # No permessage-deflate: trading clients (ccxt on aiohttp) do not ask for it.
        async with websockets.connect(url, max_queue=None, compression=None) as ws:
            if not self.use_hmac:
                params = {"apiKey": self.ed_key, "timestamp": int(time.time() * 1000)}
                signature = self.private_key.sign(_payload(params))  # type: ignore[call-arg,union-attr]
                params["signature"] = base64.b64encode(signature).decode()
                await ws.send(json.dumps({"id": 0, "method": "session.logon", "params": params}))
                answer = json.loads(await ws.recv())
                if answer["status"] != 200:
                    raise SystemExit(f"session.logon failed: {answer}")
            for _ in range(window):
                await self._place(ws)
            async for text in ws:
                answer = json.loads(text)
                self.latencies_ns.append(time.perf_counter_ns() - self.sent.pop(answer["id"]))
                if answer["status"] != 200:
                    self.errors += 1
                    if len(self.errors_seen) < 3:
                        self.errors_seen.append(answer)
                result = answer.get("result", {})
                stopping = time.monotonic() >= stop_at
                if "orderId" in result and "origClientOrderId" not in result:
                    self.orders += 1
                    cancel = {"symbol": SYMBOL, "orderId": result["orderId"]}
                    await self._send(ws, "order.cancel", self._params(cancel))
                else:
                    self.cancels += "origClientOrderId" in result
                    if not stopping:
                        await self._place(ws)
                if stopping and not self.sent:
                    return


def worker(
    port: int, users: list[User], pems: list[bytes], connections: int, window: int,
    seconds: float, use_hmac: bool,
) -> Any:  # fmt: skip
    async def main() -> tuple[list[int], int, int, int, list[Any]]:
        stop_at = time.monotonic() + seconds
        conns = [
            Connection(port, users[i % len(users)], pems[i % len(users)], use_hmac)
            for i in range(connections)
        ]
        await asyncio.gather(*(c.run(stop_at, window) for c in conns))
        latencies = [x for c in conns for x in c.latencies_ns]
        seen = [e for c in conns for e in c.errors_seen][:3]
        return (latencies, sum(c.orders for c in conns), sum(c.cancels for c in conns),
                sum(c.errors for c in conns), seen)  # fmt: skip

    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="load generator processes")
    parser.add_argument("--connections", type=int, default=16, help="per worker")
    parser.add_argument("--window", type=int, default=8, help="requests in flight each")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--hmac", action="store_true", help="sign every request (no logon)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "listing.toml"
        config.write_text(LISTING, encoding="utf-8")
        server, port = start_server(root, config)
        try:
            token = (root / "data" / "admin.token").read_text().strip()
            users: list[User] = []
            pems: list[bytes] = []
            for n in range(args.users):
                made = admin(port, token, "/api/v1/admin/users", name=f"wsload{n}")
                admin(port, token, "/api/v1/admin/deposits", user_id=made["user_id"],
                      asset="USDT", amount="100000000")  # fmt: skip
                private_key = Ed25519PrivateKey.generate()
                public_pem = private_key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                ed = admin(port, token, "/api/v1/admin/apikeys", user_id=made["user_id"],
                           ed25519_public_key=public_pem.decode())  # fmt: skip
                users.append((made["api_key"], made["secret_key"], ed["api_key"]))
                pems.append(
                    private_key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                )
            context = multiprocessing.get_context("fork")
            with context.Pool(args.workers) as pool:
                started = time.perf_counter()
                job = (port, users, pems, args.connections, args.window, args.seconds, args.hmac)
                results = pool.starmap(worker, [job] * args.workers)
                elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    latencies = sorted(x for result in results for x in result[0])
    orders = sum(result[1] for result in results)
    cancels = sum(result[2] for result in results)
    errors = sum(result[3] for result in results)
    for result in results:
        for answer in result[4]:
            print("error:", answer, file=sys.stderr)
    figures = {
        "benchmark": "ws_api_load",
        "auth": "hmac" if args.hmac else "ed25519_session",
        "seconds": round(elapsed, 2),
        "workers": args.workers,
        "connections": args.workers * args.connections,
        "window": args.window,
        "orders_per_s": round(orders / elapsed),
        "cancels_per_s": round(cancels / elapsed),
        "requests_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "errors": errors,
    }
    print(
        f"{figures['orders_per_s']:,} orders/s placed and {figures['cancels_per_s']:,}/s "
        f"canceled ({figures['requests_per_s']:,} requests/s), latency p50 "
        f"{figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, {errors} errors"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
