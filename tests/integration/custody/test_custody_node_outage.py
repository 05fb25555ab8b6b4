"""A chain node that is down pauses custody, never the exchange: `assetport serve` with a
`[chain]` table whose node does not answer starts, trades and hands out deposit addresses;
when a node comes up at that address, the watcher connects and credits a deposit; when it
goes away again, trading goes on, and once it is back with its chain the next deposit is
credited too.

A real server process, a real anvil started and stopped by the test on a fixed port."""

import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.providers import HTTPProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer

from assetport.chain.anvil import Anvil
from assetport.listings import DEMO_ASSETS, DEMO_MARKETS

DEADLINE_S = 60
ETH_WEI = 10**18


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listing_with_chain(path: Path, port: int) -> Path:
    lines: list[str] = []
    for code, precision in DEMO_ASSETS:
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}", ""]
    for market in DEMO_MARKETS:
        lines.append("[[markets]]")
        lines += [f'{name} = "{value}"' for name, value in market.items()]
        lines.append("")
    lines += [
        "[chain]",
        'network = "BUSAN"',
        f'rpc_url = "http://127.0.0.1:{port}"',
        "address_cooldown_hours = 0",
        "",
        "[[chain.assets]]",
        'asset = "ETH"',
        'contract = "native"',
        "chain_decimals = 18",
        "confirmations = 2",
        'min_deposit = "0.001"',
        'withdraw_fee = "0.0005"',
        'withdraw_min = "0.001"',
        'daily_limit = "100"',
        'approval_threshold = "10"',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def until(what: str, check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {DEADLINE_S} s")


def send_eth(url: str, to: str, wei: int) -> None:
    """From the node's first dev account, then two blocks: the deposit's confirmations."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 10}))
    sent = w3.eth.send_transaction(
        {"from": w3.eth.accounts[0], "to": Web3.to_checksum_address(to), "value": wei}  # type: ignore[typeddict-item]
    )
    w3.eth.wait_for_transaction_receipt(sent, timeout=30)
    w3.provider.make_request("anvil_mine", [2])  # type: ignore[arg-type]


def test_trading_goes_on_while_the_node_is_down_and_deposits_resume(tmp_path: Path) -> None:
    port = free_port()
    config = listing_with_chain(tmp_path / "listing.toml", port)
    with ExchangeServer(tmp_path / "data", "--config", str(config)) as server:
        alice = server.user("outage", KRW="1000000")
        status, order = alice.post(
            "/api/v3/order",
            symbol="ETHKRW", side="BUY", type="LIMIT", timeInForce="GTC",
            quantity="0.01", price="3000000",
        )  # fmt: skip
        assert status == 200, order
        status, answer = alice.get("/sapi/v1/capital/deposit/address", coin="ETH")
        assert status == 200, answer
        address = answer["address"]
        coins = {c["coin"]: c for c in alice.get("/sapi/v1/capital/config/getall")[1]}
        assert coins["ETH"]["networkList"][0]["busy"] is True

        with Anvil.start(tmp_path / "node", port=port) as node:
            send_eth(node.url, address, ETH_WEI)
            until("credit after the node came up", lambda: alice.balance("ETH")[0] == "1.00000000")
        # The node is gone again: the exchange trades on.
        status, order = alice.post(
            "/api/v3/order",
            symbol="ETHKRW", side="BUY", type="LIMIT", timeInForce="GTC",
            quantity="0.01", price="3000000",
        )  # fmt: skip
        assert status == 200, order
        # The node comes back with its chain (its state kept on disk).
        with Anvil.start(tmp_path / "node", port=port) as node:
            send_eth(node.url, address, ETH_WEI // 2)
            until("the second credit", lambda: alice.balance("ETH")[0] == "1.50000000")
