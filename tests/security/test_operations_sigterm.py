"""SIGTERM stops the exchange as SIGINT does (issue 13, operations): it finishes the commands
in flight, writes the final snapshot, removes `server.json` (and closes its databases, so
no SQLite -wal/-shm file is left) and exits 0; every order acknowledged before the signal
is there after a restart. Real processes; `kill` sends SIGTERM, as systemd and Docker do."""

import asyncio
import json
import signal
from pathlib import Path

import pytest
from exchange_server import ExchangeServer, Trader
from operations_support import Writer, run_cli

from assetport.domain.commands import Deposit
from assetport.runtime.port_client import PortClient
from assetport.runtime.wire import Done


def _snapshots(data: Path) -> list[str]:
    return sorted(path.name for path in (data / "snapshots").glob("*.snap"))


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly(tmp_path: Path, number: int) -> None:
    data = tmp_path / "data"
    server = ExchangeServer(data)
    server.start()
    try:
        alice = server.user("alice", KRW="10000000")
        placed = []
        for index in range(20):
            status, order = alice.post(
                "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
                timeInForce="GTC", quantity="0.1", price=str(100000 + 10 * index),
            )  # fmt: skip
            assert status == 200, order
            placed.append(order["orderId"])
        assert server.process is not None
        server.process.send_signal(number)
        code = server.process.wait(timeout=60)
    finally:
        server.stop()
    assert code == 0, server.log_path.read_text()
    assert "Traceback" not in server.log_path.read_text()
    assert not (data / "server.json").exists()
    assert not list(data.glob("*-wal")) and not list(data.glob("*-shm"))
    snapshots = _snapshots(data)
    assert snapshots, "no final snapshot"
    # The final snapshot holds everything: nothing is left to replay from the journal.
    assert int(snapshots[-1].removesuffix(".snap")) == _last_seq(data)

    with ExchangeServer(data) as again:
        again_alice = Trader(again, alice.user_id, alice.api_key, alice.secret)
        status, open_orders = again_alice.get("/api/v3/openOrders", symbol="KGLDKRW")
        assert status == 200, open_orders
        assert sorted(order["orderId"] for order in open_orders) == placed


def test_engine_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Writer("engine-serve", data).start() as engine:
        asyncio.run(_deposit(engine.ready["port"], count=10))
        assert engine.stop(signal.SIGTERM) == 0, engine.stderr()
    assert _snapshots(data) == [f"{10:020d}.snap"]
    assert not (data / "writer.lock").read_text()  # released: it names no holder


async def _deposit(port: int, count: int) -> None:
    client = await PortClient.connect("127.0.0.1", port)
    try:
        for index in range(count):
            reply = await client.submit(Deposit(1000, "KRW", 1, f"ref-{index}"))
            assert isinstance(reply, Done), reply
    finally:
        await client.close()


def _last_seq(data: Path) -> int:
    stats = run_cli("journal", "stats", "--data-dir", str(data))
    last: int = json.loads(stats.stdout)["last_seq"]
    return last
