"""Custody on a gateway over the command port (`assetport serve --engine HOST:PORT --db URL
--demo`), the engine in its own `engine-serve --db URL` process writing the history: a
faucet deposit is credited through the port, a withdrawal goes to COMPLETED with its
transaction on the chain (the sender reads it from the engine's history), and a second
gateway that would run custody too is refused at start (one without the history is refused
too: tests/security/test_operations_cli.py)."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, engine_process
from test_custody_capital_api import RECIPIENT, node, ok, until, withdrawer


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExchangeServer, str]]:
    """(the custody gateway, the engine's address)."""
    tmp = tmp_path_factory.mktemp("custody-port")
    db_url = f"sqlite:///{tmp / 'history.db'}"
    with engine_process(tmp, "--db", db_url) as port:
        engine = f"127.0.0.1:{port}"
        with ExchangeServer(tmp / "gateway", "--engine", engine, "--db", db_url, "--demo") as gw:
            yield gw, engine


def test_deposits_and_withdrawals_go_through_the_port(
    deployment: tuple[ExchangeServer, str],
) -> None:
    server, _ = deployment
    erin = server.user("port-erin")
    sent = ok(erin.post("/sapi/v1/sandbox/chain-faucet", coin="ETH"))

    def credited() -> list[dict[str, Any]]:
        found = ok(erin.get("/sapi/v1/capital/deposit/hisrec", coin="ETH"))
        return [d for d in found if d["status"] == 1]

    [deposit] = until("the credited deposit", credited)
    assert (deposit["txId"], deposit["amount"]) == (sent["txId"], "1.00000000")
    assert erin.balance("ETH") == ("1.00000000", "0.00000000")

    money = withdrawer(server, erin)
    ok(money.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT, name="cold"))
    withdrawal = ok(money.post(
        "/sapi/v1/capital/withdraw/apply", coin="ETH", network="BUSAN", address=RECIPIENT,
        amount="0.25", withdrawOrderId="erin-1",
    ))  # fmt: skip

    def completed() -> dict[str, Any] | None:
        [row] = ok(erin.get("/sapi/v1/capital/withdraw/history", coin="ETH"))
        return row if row["status"] == 6 else None

    row = until("a completed withdrawal", completed)
    assert row["id"] == withdrawal["id"]
    assert erin.balance("ETH") == ("0.74950000", "0.00000000")
    w3 = node(server)
    assert w3.eth.get_transaction_receipt(row["txId"])["status"] == 1
    assert w3.eth.get_balance(Web3.to_checksum_address(RECIPIENT)) >= 25 * 10**16


def test_a_second_custody_is_refused_at_start(
    deployment: tuple[ExchangeServer, str], tmp_path: Path
) -> None:
    server, engine = deployment
    db_url = f"sqlite:///{server.data_dir.parent / 'history.db'}"
    # Any chain would do: the lock is asked for before the node is.
    chain = ("--chain-rpc", "http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="another gateway runs custody for this engine"):
        ExchangeServer(tmp_path / "second", "--engine", engine, "--db", db_url, *chain).start()
