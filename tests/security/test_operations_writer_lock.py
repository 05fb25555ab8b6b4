"""One writer per data directory (issue 13, operations): a second `serve` or `engine-serve`
on a data directory someone writes is refused, naming the holder, before it touches a
file; a holder killed with SIGKILL never blocks the restart; the read-only tools run
beside a writer. Real processes throughout."""

import json
import signal
import threading
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from operations_support import Writer, run_cli

PAIRS = [
    ("engine-serve", "serve"),
    ("serve", "serve"),
    ("engine-serve", "engine-serve"),
    ("serve", "engine-serve"),
]


@pytest.mark.parametrize(("first_kind", "second_kind"), PAIRS)
def test_a_second_writer_is_refused_naming_the_holder(
    tmp_path: Path, first_kind: str, second_kind: str
) -> None:
    data = tmp_path / "data"
    with Writer(first_kind, data).start() as first:
        segments_before = sorted(p.read_bytes() for p in (data / "journal").glob("*.seg"))
        with Writer(second_kind, data) as second:
            second.launch()
            ready = second.ready_line()
            assert ready is None, f"a second writer was accepted: {ready}"
            assert second.process is not None and second.process.returncode == 1
            message = second.stderr()
            assert "Traceback" not in message
            assert message.count("\n") == 1, message
            assert f"is in use by pid {first.pid} (assetport {first_kind} " in message
            assert str(data) in message
        # The refused one wrote nothing: the holder's journal is as it was, and it still
        # stops as usual.
        segments_after = sorted(p.read_bytes() for p in (data / "journal").glob("*.seg"))
        assert segments_after == segments_before
        assert first.stop() == 0
    verified = run_cli("journal", "verify", "--data-dir", str(data))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_writer_killed_with_sigkill_does_not_block_the_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Writer("engine-serve", data).start()
    first.stop(signal.SIGKILL)
    # The lock file still names the dead holder; the kernel released its lock.
    assert str(first.pid) in (data / "writer.lock").read_text()
    with Writer("serve", data).start() as second:
        assert second.ready["pid"] == second.pid
        assert second.stop() == 0


def test_the_read_only_tools_run_beside_a_writer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data) as server:
        trader = server.user("alice", KRW="100000000")
        stop = threading.Event()
        answers: list[tuple[int, object]] = []
        order = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                 "quantity": "0.1", "price": "100000"}  # fmt: skip

        def trade() -> None:  # orders keep the journal growing while the tools read it
            while not stop.is_set():
                answers.append(trader.post("/api/v3/order", **order))
                stop.wait(0.15)  # within Binance's 100 orders per 10 s

        trading = threading.Thread(target=trade)
        trading.start()
        try:
            verified = run_cli("journal", "verify", "--data-dir", str(data))
            stats = run_cli("journal", "stats", "--data-dir", str(data))
            replayed = run_cli("journal", "replay", "--data-dir", str(data))
            reconciled = run_cli("reconcile", "--data-dir", str(data))
            status = run_cli("admin", "--data-dir", str(data), "status")
        finally:
            stop.set()
            trading.join()
        assert answers and all(status == 200 for status, _ in answers), answers[-1]
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "a writer is running (pid " in verified.stdout
        assert f"pid {server.process.pid if server.process else 0} " in verified.stdout
        assert stats.returncode == 0 and json.loads(stats.stdout)["records"] > 0
        assert replayed.returncode == 0 and json.loads(replayed.stdout)["ledger_sums_to_zero"]
        assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
        assert status.returncode == 0, status.stderr
        assert server.stop() == 0
