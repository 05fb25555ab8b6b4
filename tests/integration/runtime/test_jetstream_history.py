"""`serve` on a real JetStream journal (127.0.0.1:4222): the SQL read model follows the
stream, so the history endpoints show the orders (after a restart too), and `reconcile`,
`journal verify`, `stats` and `replay` read the stream and tell the truth about it. A read
model that stops makes the history endpoints and the health check answer -1001 (503),
never an empty success; Binance's ping stays {}."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nats

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from exchange_server import ROOT, ExchangeServer, Trader

URL = "nats://127.0.0.1:4222"  # the `stream` fixture is conftest.py's


def _journal_args(stream: tuple[str, str]) -> list[str]:
    return ["--journal-url", URL, "--stream", stream[0], "--subject", stream[1]]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


def _stream_last_seq(stream: tuple[str, str]) -> int:
    async def last() -> int:
        nc = await nats.connect(URL)
        try:
            info = await nc.jetstream().stream_info(stream[0])
            return int(info.state.last_seq)
        finally:
            await nc.close()

    return asyncio.run(last())


def _trade(alice: Trader, bob: Trader) -> tuple[int, int]:
    status, sell = alice.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
        timeInForce="GTC", quantity="1", price="130000",
    )  # fmt: skip
    assert status == 200, sell
    status, buy = bob.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="MARKET", quantity="0.4"
    )
    assert status == 200 and buy["status"] == "FILLED", buy
    return sell["orderId"], buy["orderId"]


def _history_shows(alice: Trader, bob: Trader, sell_id: int, buy_id: int) -> None:
    status, orders = alice.get("/api/v3/allOrders", symbol="KGLDKRW")
    assert status == 200 and [o["orderId"] for o in orders] == [sell_id], orders
    status, orders = bob.get("/api/v3/allOrders", symbol="KGLDKRW")
    assert status == 200 and [o["orderId"] for o in orders] == [buy_id], orders
    status, trades = bob.get("/api/v3/myTrades", symbol="KGLDKRW")
    assert status == 200 and [(t["qty"], t["isBuyer"]) for t in trades] == [("0.4000", True)]


def test_history_follows_a_jetstream_journal_and_the_tools_read_the_stream(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    data = tmp_path / "data"
    journal = _journal_args(stream)
    with ExchangeServer(data, *journal, "--no-chain") as server:
        alice = server.user("alice", KGLD="2")
        bob = server.user("bob", KRW="1000000")
        sell_id, buy_id = _trade(alice, bob)
        _history_shows(alice, bob, sell_id, buy_id)
        status, ping = server.request("GET", "/api/v3/ping")
        assert (status, ping) == (200, {})
        status, health = server.request("GET", "/api/v1/health")
        assert (status, health["status"]) == (200, "ok") and health["readModel"]["seq"] > 5
    last_seq = _stream_last_seq(stream)
    assert last_seq > 5  # the listings, the users' deposits and the orders are in the stream
    assert not (data / "journal").exists() or not any((data / "journal").glob("*.seg"))

    reconcile = _cli("reconcile", "--data-dir", str(data), *journal)
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    assert reconcile.stdout.strip() == (f"the read model agrees with the journal at seq {last_seq}")
    verify = _cli("journal", "verify", "--data-dir", str(data), *journal)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"{last_seq} records (seqs 1..{last_seq}) in stream {stream[0]}" in verify.stdout
    assert verify.stdout.rstrip().endswith(": OK")
    stats = _cli("journal", "stats", *journal)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout) | {"bytes": 0} == {
        "stream": stream[0], "records": last_seq, "first_seq": 1, "last_seq": last_seq,
        "bytes": 0, "snapshots": [],
    }  # fmt: skip
    # No --data-dir: the stream is all a replay needs.
    replay = _cli("journal", "replay", *journal)
    assert replay.returncode == 0, replay.stderr
    replayed = json.loads(replay.stdout)
    assert (replayed["records"], replayed["last_seq"]) == (last_seq, last_seq)
    assert replayed["ledger_sums_to_zero"] is True

    # A mistyped stream is an error, never an empty journal that is "OK".
    missing = ["--journal-url", URL, "--stream", stream[0] + "_TYPO", "--subject", stream[1]]
    typo = _cli("journal", "verify", *missing)
    assert typo.returncode == 1 and "does not exist" in typo.stderr, typo.stderr
    typo = _cli("reconcile", "--data-dir", str(data), *missing)
    assert typo.returncode == 2 and "does not exist" in typo.stderr, typo.stderr

    with ExchangeServer(data, *journal, "--no-chain") as server:
        alice.server = bob.server = server
        _history_shows(alice, bob, sell_id, buy_id)


def _read_model_pid(server_pid: int) -> int:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            if int(stat.read_text().rpartition(")")[2].split()[1]) != server_pid:
                continue
            command = (stat.parent / "cmdline").read_bytes()
            if b"assetport.server.read_model" in command:
                return int(stat.parent.name)
    raise AssertionError("the server has no read model process")


def test_a_read_model_that_stops_makes_history_and_health_answer_an_error(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    with ExchangeServer(tmp_path / "data", *_journal_args(stream), "--no-chain") as server:
        alice = server.user("alice", KGLD="2")
        bob = server.user("bob", KRW="1000000")
        sell_id, buy_id = _trade(alice, bob)
        _history_shows(alice, bob, sell_id, buy_id)
        assert server.process is not None
        os.kill(_read_model_pid(server.process.pid), signal.SIGKILL)
        # The server learns it from the child's pipe: poll the health check until it fails.
        for _ in range(500):
            status, answer = server.request("GET", "/api/v1/health")
            if status != 200:
                break
            time.sleep(0.01)
        assert (status, answer["code"]) == (503, -1001), answer
        assert server.request("GET", "/api/v3/ping") == (200, {})  # bots still connect
        status, orders = alice.get("/api/v3/allOrders", symbol="KGLDKRW")
        assert (status, orders["code"]) == (503, -1001), orders
        status, trades = bob.get("/api/v3/myTrades", symbol="KGLDKRW")
        assert (status, trades["code"]) == (503, -1001), trades
        read_model = server.admin("/api/v1/admin/status")["read_model"]
        assert read_model["stopped"] is True
        # Trading itself goes on: the engine and the journal are not the read model.
        status, order = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
            timeInForce="GTC", quantity="0.1", price="140000",
        )  # fmt: skip
        assert status == 200, order
