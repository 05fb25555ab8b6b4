"""OCO order lists placed per second: through the engine alone, and over REST against a
real server.

- Engine: one market, 1000 funded accounts; each account places a sell OCO (a LIMIT_MAKER
  above the last price, a STOP_LOSS_LIMIT below it: both legs, one hold), and every list is
  canceled again once 1000 are open, so the book stays the size it would in production.
  Only `Engine.apply` of the placements is timed.
- REST: `assetport serve` on a one-market listing (api_load.py's, rate limits far above the
  load), one funded user, one keep-alive connection: `POST /api/v3/orderList/oco` (signed
  form, as python-binance sends it), then `DELETE /api/v3/orderList`, for `--seconds`.
  Lists/s counts placements acknowledged (each durable in the journal before its answer).

The last line printed is one JSON object.

    python benchmarks/order_lists.py --lists 200000 --seconds 10
"""

import argparse
import hashlib
import hmac
import http.client
import importlib.util
import json
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from assetport.domain.commands import (
    CancelOrderList,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    PlaceOrderList,
)
from assetport.domain.events import CommandRejected
from assetport.domain.markets import Market
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.engine.engine import Engine

# The server, its listing and the admin calls, shared with the API benchmark.
_spec = importlib.util.spec_from_file_location("api_load", Path(__file__).with_name("api_load.py"))
assert _spec is not None and _spec.loader is not None
api_load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_load)

ACCOUNTS = 1000
FIRST = 1000


def engine_section(lists: int) -> dict[str, float]:
    engine = Engine()
    seq = 0

    def apply(command: Command) -> list[object]:
        nonlocal seq
        seq += 1
        return list(engine.apply(seq, seq, command))

    apply(ListAsset("USDT", 8))
    apply(ListAsset("BTC", 8))
    apply(
        ListMarket(
            Market(
                "BTCUSDT",
                "BTC",
                "USDT",
                tick_size=1_000_000,
                step_size=1_000,
                min_qty=1_000,
                max_qty=10**12,
                max_num_orders=1000,
            )
        )
    )
    for account in range(FIRST, FIRST + ACCOUNTS):
        apply(Deposit(account, "BTC", 10**12, f"b{account}"))
    quantity = 100_000  # 0.001 BTC
    placed = 0
    timed_ns = 0
    open_ids: list[tuple[int, int]] = []
    for n in range(lists):
        account = FIRST + n % ACCOUNTS
        step = (n % 50) * 1_000_000
        above = PlaceOrder(account, "BTCUSDT", Side.SELL, OrderType.LIMIT_MAKER, quantity,
                           6_000_000_000_000 + step)  # fmt: skip
        below = PlaceOrder(account, "BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, quantity,
                           3_900_000_000_000 - step, TimeInForce.GTC,
                           stop_price=4_000_000_000_000 - step)  # fmt: skip
        command = PlaceOrderList(account, "BTCUSDT", ListKind.OCO, (above, below))
        seq += 1
        started = time.perf_counter_ns()
        events = engine.apply(seq, seq, command)
        timed_ns += time.perf_counter_ns() - started
        if any(isinstance(event, CommandRejected) for event in events):
            raise SystemExit(f"list {n} was refused: {events}")
        placed += 1
        open_ids.append((account, n + 1))
        if len(open_ids) == 1000:
            for owner, list_id in open_ids:
                apply(CancelOrderList(owner, "BTCUSDT", list_id))
            open_ids.clear()
    seconds = timed_ns / 1e9
    return {"lists": placed, "seconds": round(seconds, 3), "lists_per_s": round(placed / seconds)}


def rest_section(seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "listing.toml"
        config.write_text(api_load.LISTING, encoding="utf-8")
        server, port = api_load.start_server(root, config)
        try:
            token = (root / "data" / "admin.token").read_text().strip()
            made = api_load.admin(port, token, "/api/v1/admin/users", name="lists")
            api_load.admin(port, token, "/api/v1/admin/deposits", user_id=made["user_id"],
                           asset="BTC", amount="1000")  # fmt: skip
            return _rest_loop(port, made["api_key"], made["secret_key"].encode(), seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _signed(secret: bytes, params: dict[str, str]) -> str:
    params = {**params, "timestamp": str(int(time.time() * 1000))}
    query = urlencode(params)
    signature = hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


def _rest_loop(port: int, api_key: str, secret: bytes, seconds: float) -> dict[str, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-MBX-APIKEY": api_key, "Content-Type": "application/x-www-form-urlencoded"}
    placed = 0
    latencies: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _signed(secret, {
            "symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001",
            "aboveType": "LIMIT_MAKER", "abovePrice": "60000",
            "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": "40000",
            "belowPrice": "39000", "belowTimeInForce": "GTC", "newOrderRespType": "ACK",
        })  # fmt: skip
        started = time.perf_counter_ns()
        connection.request("POST", "/api/v3/orderList/oco", body, headers)
        answer = json.loads(connection.getresponse().read())
        latencies.append(time.perf_counter_ns() - started)
        if "orderListId" not in answer:
            raise SystemExit(f"refused: {answer}")
        placed += 1
        query = _signed(secret, {"symbol": "BTCUSDT", "orderListId": str(answer["orderListId"])})
        connection.request("DELETE", f"/api/v3/orderList?{query}", headers=headers)
        connection.getresponse().read()
    latencies.sort()
    return {
        "lists": placed,
        "lists_per_s": round(placed / seconds),  # each followed by its cancel
        "p50_ms": round(api_load.percentile(latencies, 0.50), 3),
        "p99_ms": round(api_load.percentile(latencies, 0.99), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=100_000, help="engine section")
    parser.add_argument("--seconds", type=float, default=5.0, help="REST section")
    parser.add_argument("--only", choices=["engine", "rest"])
    args = parser.parse_args()
    figures: dict[str, object] = {}
    if args.only != "rest":
        figures["engine"] = engine_section(args.lists)
        print(f"engine: {figures['engine']}")
    if args.only != "engine":
        figures["rest"] = rest_section(args.seconds)
        print(f"REST: {figures['rest']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
