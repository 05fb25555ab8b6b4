"""A gateway process over a primary engine and its hot standby on a real JetStream stream:
when the primary is killed and the standby promoted, the gateway finds the new primary by
itself, carries its views on from the seq they reached (nothing missed, nothing twice), and
trades again; its admin status shows both engines, the standby's lag among them."""

import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[2] / "recovery"))
sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from engine_process import EngineProcess
from exchange_server import ExchangeServer, wait_for

URL = "nats://127.0.0.1:4222"  # the `stream` fixture is conftest.py's


def _engine(data_dir: Path, stream: tuple[str, str], *extra: str) -> EngineProcess:
    name, subject = stream
    return EngineProcess(
        data_dir, "--journal-url", URL, "--stream", name, "--subject", subject, *extra
    )


def test_a_gateway_turns_to_the_promoted_standby_and_trades_on(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    primary = _engine(tmp_path / "primary", stream)
    standby = _engine(tmp_path / "standby", stream, "--standby")
    primary.start()
    standby.start()
    engines = f"127.0.0.1:{primary.port},127.0.0.1:{standby.port}"
    try:
        with ExchangeServer(tmp_path / "gateway", "--engine", engines) as gateway:
            alice = gateway.user("alice", KRW="1000000")
            bob = gateway.user("bob", KGLD="1")
            status, resting = alice.post(
                "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
                timeInForce="GTC", quantity="2", price="130000",
            )  # fmt: skip
            assert status == 200, resting
            status, sold = bob.post(
                "/api/v3/order", symbol="KGLDKRW", side="SELL", type="MARKET", quantity="0.5"
            )
            assert (status, sold["status"]) == (200, "FILLED"), sold

            before = gateway.admin("/api/v1/admin/status")
            roles = {e["address"]: e["role"] for e in before["engines"]}
            assert roles == {
                f"127.0.0.1:{primary.port}": "primary",
                f"127.0.0.1:{standby.port}": "standby",
            }

            def standby_caught_up() -> Any:
                found = gateway.admin("/api/v1/admin/status")["engines"]
                seqs = {e["role"]: (e["last_seq"], e["lag"]) for e in found}
                return seqs["standby"] == (seqs["primary"][0], 0)

            wait_for(standby_caught_up, "the standby to catch up (lag 0)")

            primary.kill()
            standby.signal(signal.SIGUSR1)

            def placed_again() -> Any:
                status, placed = alice.post(
                    "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
                    timeInForce="GTC", quantity="1", price="129000",
                )  # fmt: skip
                if status == 200:
                    return placed
                # While no engine answers as primary: -1001 (not taken) or -1007 (unknown).
                assert (status, placed["code"]) in ((503, -1001), (503, -1007)), placed
                return None

            placed = wait_for(placed_again, "an order accepted by the promoted standby")
            assert placed["status"] == "NEW"

            # The views carried on: the first order and the trade are as they were, the new
            # order beside them, and the book shows both levels.
            status, found = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=resting["orderId"])
            assert (found["status"], found["executedQty"]) == ("PARTIALLY_FILLED", "0.5000")
            status, open_orders = alice.get("/api/v3/openOrders", symbol="KGLDKRW")
            assert sorted(o["orderId"] for o in open_orders) == sorted(
                [resting["orderId"], placed["orderId"]]
            )

            def both_levels() -> Any:  # the depth is published every 100 ms
                _, depth = gateway.request("GET", "/api/v3/depth?symbol=KGLDKRW&limit=5")
                return depth["bids"] == [["130000", "1.5000"], ["129000", "1.0000"]]

            wait_for(both_levels, "the book's two levels")
            _, trades = gateway.request("GET", "/api/v3/trades?symbol=KGLDKRW")
            assert len(trades) == 1
            # 260,130 held for the first order, 65,033 of it paid for 0.5; 129,065 for the new.
            assert alice.balance("KRW") == ("610805", "324162")

            after = gateway.admin("/api/v1/admin/status")
            assert after["engine"]["engine"] == f"127.0.0.1:{standby.port}"
            assert after["engine"]["reconnects"] == 1
            roles = {e["address"]: e["role"] for e in after["engines"]}
            assert roles == {
                f"127.0.0.1:{primary.port}": "unreachable",
                f"127.0.0.1:{standby.port}": "primary",
            }
            new_primary = next(e for e in after["engines"] if e["role"] == "primary")
            assert new_primary["last_seq"] == after["engine"]["last_seq"]
            _, health = gateway.request("GET", "/api/v1/health")
            assert health["engineSeq"] == new_primary["last_seq"]
    finally:
        primary.stop()
        standby.stop()
