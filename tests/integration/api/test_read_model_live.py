"""The running server keeps the SQL read model: after a trade and a restart, reconcile
finds the read model, the ledger postings and a replay of the journal in agreement."""

import json
import subprocess
import sys
from pathlib import Path

from exchange_server import ROOT, ExchangeServer

from assetport.store.database import open_database
from assetport.store.history import History


def test_the_read_model_follows_the_server_and_reconciles(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data) as server:
        alice = server.user("alice", KGLD="2")
        bob = server.user("bob", KRW="1000000")
        status, sell = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
            timeInForce="GTC", quantity="1", price="130000",
        )  # fmt: skip
        assert status == 200
        status, _ = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="MARKET", quantity="0.4"
        )
        assert status == 200
    reconcile = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "reconcile", "--data-dir", str(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    database = open_database(None, data)
    try:
        history = History(database)
        orders = history.all_orders(alice.user_id, "KGLDKRW")
        assert [o.order_id for o in orders] == [sell["orderId"]]
        trades = history.my_trades(bob.user_id, "KGLDKRW")
        assert len(trades) == 1
    finally:
        database.close()


def test_order_history_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data) as server:
        alice = server.user("alice", KGLD="2")
        bob = server.user("bob", KRW="1000000")
        status, sell = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
            timeInForce="GTC", quantity="0.5", price="130000",
        )  # fmt: skip
        assert status == 200
        status, buy = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="MARKET", quantity="0.5"
        )
        assert status == 200 and buy["status"] == "FILLED"
    with ExchangeServer(data) as server:
        alice.server = bob.server = server
        # Both orders are closed: only the SQL history still knows them after the restart.
        status, order = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=sell["orderId"])
        assert status == 200, order
        assert (order["status"], order["executedQty"]) == ("FILLED", "0.5000")
        status, orders = bob.get("/api/v3/allOrders", symbol="KGLDKRW")
        assert status == 200 and [o["orderId"] for o in orders] == [buy["orderId"]]
        status, trades = bob.get("/api/v3/myTrades", symbol="KGLDKRW")
        assert status == 200 and [(t["qty"], t["isBuyer"]) for t in trades] == [("0.5000", True)]
        status, error = bob.get("/api/v3/order", symbol="KGLDKRW", orderId=999)
        assert (status, error["code"]) == (400, -2013)
        # The market's own history too: trades and candles from before the restart.
        status, agg = server.request("GET", "/api/v3/aggTrades?symbol=KGLDKRW")
        assert status == 200 and [(a["p"], a["q"], a["m"]) for a in agg] == [
            ("130000", "0.5000", False)
        ]
        status, candles = server.request("GET", "/api/v3/klines?symbol=KGLDKRW&interval=1d")
        assert status == 200 and (candles[0][1], candles[0][5], candles[0][8]) == (
            "130000", "0.5000", 1,
        )  # fmt: skip
        assert [(c[4], c[5], c[8]) for c in candles[1:]] in ([], [("130000", "0.0000", 0)])
        # Days counted in Seoul (Binance's timeZone) open at 15:00 UTC.
        path = "/api/v3/klines?symbol=KGLDKRW&interval=1d&timeZone=%2B09:00"
        status, korean = server.request("GET", path)
        assert status == 200 and korean[0][5] == "0.5000"
        assert [(c[0] // 3_600_000) % 24 for c in korean] == [15] * len(korean)
        status, error = server.request("GET", path.replace("%2B09:00", "Seoul"))
        assert (status, error) == (400, {
            "code": -1130, "msg": "Data sent for parameter 'timeZone' is not valid."})  # fmt: skip


def test_admin_status_shows_the_engine_seq_and_the_read_model_lag(tmp_path: Path) -> None:
    data = tmp_path / "data"

    def status() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assetport.cli", "admin", "--data-dir", str(data), "status"],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip

    with ExchangeServer(data) as server:
        alice = server.user("status-alice", KRW="1000000")
        assert alice.post("/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
                          timeInForce="GTC", quantity="1", price="100000")[0] == 200  # fmt: skip
        shown = status()
        assert shown.returncode == 0, shown.stderr
        report = json.loads(shown.stdout)
        engine, read_model = report["engine"], report["read_model"]
        assert (engine["role"], engine["state"], engine["queued"]) == ("primary", "running", 0)
        assert engine["last_seq"] > 0 and "journal" in engine["journal"]
        assert 0 <= read_model["lag"] == engine["last_seq"] - read_model["last_seq"]
    gone = status()
    # A stopped server removed its server.json (SIGTERM included): nothing to ask.
    assert gone.returncode == 1 and "no Assetport server is running" in gone.stderr, gone.stderr
