"""A gateway in its own process, whose engine is an `assetport engine-serve` process reached
only through the command port (`assetport serve --engine HOST:PORT`): it lists the markets,
takes deposits, places and cancels an order, and sees its own order, book and balances at
once, its views fed from the events in the port's replies."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, engine_process, wait_for

from assetport.runtime.port_client import PortClient


@pytest.fixture
def engine_port(tmp_path: Path) -> Iterator[int]:
    with engine_process(tmp_path) as port:
        yield port


def _engine_status(port: int) -> tuple[int, dict[str, int]]:
    async def ask() -> tuple[int, dict[str, int]]:
        client = await PortClient.connect("127.0.0.1", port)
        try:
            status = await client.status()
        finally:
            await client.close()
        return status.last_seq, status.ledger_nonzero

    return asyncio.run(ask())


def test_a_gateway_over_the_command_port_places_cancels_and_sees_its_own_order(
    tmp_path: Path, engine_port: int
) -> None:
    engine_seq_at_start, _ = _engine_status(engine_port)
    assert engine_seq_at_start == 0  # a new engine: the gateway lists the demo markets
    gateway_dir = tmp_path / "gateway"
    with ExchangeServer(gateway_dir, "--engine", f"127.0.0.1:{engine_port}") as server:
        alice = server.user("alice", KRW="1000000")
        assert alice.balance("KRW") == ("1000000", "0")
        status, placed = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="2", price="130000", newOrderRespType="RESULT",
        )  # fmt: skip
        assert status == 200, placed
        assert placed["status"] == "NEW"
        order_id = placed["orderId"]
        # At once, from this gateway's views: the order, its hold, the book's best bid.
        status, found = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
        assert (status, found["status"], found["origQty"]) == (200, "NEW", "2.0000")
        status, open_orders = alice.get("/api/v3/openOrders", symbol="KGLDKRW")
        assert [o["orderId"] for o in open_orders] == [order_id]
        # 260,000 KRW and its fee, paid in KRW on a won market: 0.05 % = 130 KRW.
        assert alice.balance("KRW") == ("739870", "260130")
        status, top = server.request("GET", "/api/v3/ticker/bookTicker?symbol=KGLDKRW")
        assert (top["bidPrice"], top["bidQty"]) == ("130000", "2.0000")
        # The engine process has it too: the commands went through its journal.
        engine_seq, unbalanced = _engine_status(engine_port)
        assert engine_seq > engine_seq_at_start and unbalanced == {}

        # Another user of this gateway sells into it: the trade's reply moves both balances
        # and the level, as this gateway's views see them.
        bob = server.user("bob", KGLD="1")
        status, sold = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="MARKET", quantity="0.5"
        )
        assert (status, sold["status"], sold["executedQty"]) == (200, "FILLED", "0.5000"), sold
        status, found = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
        assert (found["status"], found["executedQty"]) == ("PARTIALLY_FILLED", "0.5000")
        # 65,000 KRW paid for 0.5 KGLD and its maker fee, 32.5 KRW rounded up to 33.
        assert alice.balance("KRW") == ("739870", "195097")
        assert bob.balance("KGLD") == ("0.5000", "0.0000")
        status, top = server.request("GET", "/api/v3/ticker/bookTicker?symbol=KGLDKRW")
        assert (top["bidPrice"], top["bidQty"]) == ("130000", "1.5000")
        engine_seq, unbalanced = _engine_status(engine_port)
        assert unbalanced == {}

        status, canceled = alice.delete("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
        assert (status, canceled["status"]) == (200, "CANCELED"), canceled
        status, found = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
        assert (status, found["status"]) == (200, "CANCELED")
        status, open_orders = alice.get("/api/v3/openOrders", symbol="KGLDKRW")
        assert open_orders == []
        assert alice.balance("KRW") == ("934967", "0")
        status, top = server.request("GET", "/api/v3/ticker/bookTicker?symbol=KGLDKRW")
        assert top["bidPrice"] == "0"
        # A test order is checked by the engine, through the port.
        status, refused = alice.post(
            "/api/v3/order/test", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="2", price="130005",
        )  # fmt: skip
        assert (status, refused["code"]) == (400, -1013)
        assert _engine_status(engine_port)[0] == engine_seq + 1  # the cancel, and nothing else


def test_two_gateways_over_one_engine_each_see_the_others_orders_and_trades(
    tmp_path: Path, engine_port: int
) -> None:
    engine = f"127.0.0.1:{engine_port}"
    with (
        ExchangeServer(tmp_path / "a", "--engine", engine) as gateway_a,
        ExchangeServer(tmp_path / "b", "--engine", engine) as gateway_b,
    ):
        # Users are made on gateway A only: each gateway keeps its own users here (the
        # shared users and keys of `--shared-db` are tested elsewhere).
        alice = gateway_a.user("alice", KRW="1000000")
        bob = gateway_a.user("bob", KGLD="1")
        status, placed = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="2", price="130000",
        )  # fmt: skip
        assert status == 200, placed

        def best_bid_on_b() -> Any:
            _, top = gateway_b.request("GET", "/api/v3/ticker/bookTicker?symbol=KGLDKRW")
            return top if top["bidPrice"] == "130000" else None

        top = wait_for(best_bid_on_b, "gateway B to see A's bid")
        assert top["bidQty"] == "2.0000"
        _, depth = gateway_b.request("GET", "/api/v3/depth?symbol=KGLDKRW&limit=5")
        assert depth["bids"] == [["130000", "2.0000"]]

        status, sold = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="MARKET", quantity="0.5"
        )
        assert (status, sold["status"]) == (200, "FILLED"), sold

        def trades_on_b() -> Any:
            _, trades = gateway_b.request("GET", "/api/v3/trades?symbol=KGLDKRW")
            return trades

        trades = wait_for(trades_on_b, "gateway B to see the trade")
        assert [(t["price"], t["qty"], t["isBuyerMaker"]) for t in trades] == [
            ("130000", "0.5000", True)
        ]

        def bid_shrunk_on_b() -> Any:
            _, top = gateway_b.request("GET", "/api/v3/ticker/bookTicker?symbol=KGLDKRW")
            return top["bidQty"] == "1.5000"

        wait_for(bid_shrunk_on_b, "gateway B's book to shrink")
        # Both gateways' views stand at the engine's seq, and B's admin status says so.
        engine_seq, unbalanced = _engine_status(engine_port)
        assert unbalanced == {}

        def b_at_engine_seq() -> Any:
            status_b = gateway_b.admin("/api/v1/admin/status")
            return status_b if status_b["engine"]["last_seq"] == engine_seq else None

        status_b = wait_for(b_at_engine_seq, "gateway B to reach the engine's seq")
        assert status_b["engine"]["role"] == "gateway"
        assert [(e["role"], e["last_seq"]) for e in status_b["engines"]] == [
            ("primary", engine_seq)
        ]
