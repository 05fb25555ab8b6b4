"""Per-request cost of the gateway's building blocks for one signed new order, in µs.

What a `POST /api/v3/order` costs before it reaches the sequencer: parse the form body as
ccxt sends it, look the key up, verify the signature and the time, count the request weight
and the order, and read every parameter into integer units. HMAC-SHA256 and Ed25519 keys.
No HTTP: the framework's own cost comes on top. The last line printed is one JSON object.

    python benchmarks/api_auth.py --requests 200000
"""

import argparse
import base64
import gc
import hashlib
import hmac
import json
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assetport.api.params import Params
from assetport.api.ratelimit import Interval, RateLimit, RateLimiter, RateLimitType
from assetport.api.signing import authenticate_rest
from assetport.edge.keys import KeyStore, Permission

NOW = 1_700_000_000_000
BASE_PRECISION = 8
QUOTE_PRECISION = 2


def order_body(n: int) -> str:
    return urlencode(
        [
            ("timestamp", str(NOW - 5)),
            ("symbol", "BTCUSDT"),
            ("side", "BUY" if n % 2 else "SELL"),
            ("newClientOrderId", f"x-TKT5PX2F{n:022x}"),
            ("newOrderRespType", "FULL"),
            ("type", "LIMIT"),
            ("quantity", "0.0001"),
            ("price", f"{50000 + n % 100}.5"),
            ("timeInForce", "GTC"),
            ("recvWindow", "10000"),
        ]
    )


def handle(
    store: KeyStore, limiter: RateLimiter, api_key: str, body: bytes, now: int
) -> tuple[int, int, int]:
    """What the app layer will do per order request, minus HTTP and the engine."""
    params = Params.parse(b"", body)
    limiter.check_request("127.0.0.1", 1, now)
    key = authenticate_rest(
        store,
        api_key=api_key,
        raw_query=b"",
        raw_body=body,
        params=params,
        client_ip="127.0.0.1",
        server_time_ms=now,
        permission=Permission.TRADE,
    )
    limiter.check_order(key.account, now)
    params.symbol()
    params.side()
    params.order_type()
    params.time_in_force()
    params.new_order_resp_type()
    params.client_order_id()
    quantity = params.units("quantity", BASE_PRECISION)
    price = params.units("price", QUOTE_PRECISION)
    params.ensure_all_read()
    return key.account, quantity, price


def run(store: KeyStore, api_key: str, bodies: list[bytes], requests: int) -> float:
    # Limits far above the load: this measures the counting, not the refusals.
    limiter = RateLimiter(
        (
            RateLimit(RateLimitType.REQUEST_WEIGHT, Interval.MINUTE, 1, 10**12),
            RateLimit(RateLimitType.ORDERS, Interval.SECOND, 10, 10**12),
            RateLimit(RateLimitType.ORDERS, Interval.DAY, 1, 10**12),
        )
    )
    count = len(bodies)
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for n in range(requests):
            handle(store, limiter, api_key, bodies[n % count], NOW)
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    return elapsed / requests / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        store = KeyStore(Path(data_dir))
        hmac_key, secret = store.create_hmac_key(2, permissions=[Permission.TRADE], now_ms=NOW)
        private = Ed25519PrivateKey.generate()
        pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        ed_key = store.register_ed25519_key(
            3, pem.decode(), permissions=[Permission.TRADE], now_ms=NOW
        )
        hmac_bodies, ed_bodies = [], []
        for n in range(1000):
            body = order_body(n)
            signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
            hmac_bodies.append(f"{body}&signature={signature}".encode())
            ed_sig = quote(base64.b64encode(private.sign(body.encode())).decode(), safe="")
            ed_bodies.append(f"{body}&signature={ed_sig}".encode())
        hmac_us = run(store, hmac_key.api_key, hmac_bodies, args.requests)
        ed_us = run(store, ed_key.api_key, ed_bodies, max(args.requests // 4, 1000))
        store.close()
    print(f"signed order, HMAC-SHA256: {hmac_us:.2f} µs/request ({1e6 / hmac_us:,.0f}/s/core)")
    print(f"signed order, Ed25519:     {ed_us:.2f} µs/request ({1e6 / ed_us:,.0f}/s/core)")
    print(
        json.dumps(
            {
                "benchmark": "api_auth",
                "requests": args.requests,
                "hmac_us_per_request": round(hmac_us, 2),
                "ed25519_us_per_request": round(ed_us, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
