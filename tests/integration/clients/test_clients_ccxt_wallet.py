"""The wallet through unmodified clients: ccxt's `binance` and python-binance's `Client`
against a real `assetport serve --demo` (its embedded anvil), pointed at it as
docs/binance-api.md says, with `sapi` pointed there too.

A deposit from the sandbox's chain faucet, then a withdrawal back to the chain: what each
client's user reads back from its own unified methods.
"""

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader, close_leftover_event_loop

ccxt = pytest.importorskip("ccxt")
binance_client = pytest.importorskip("binance.client")

DEADLINE_S = 60
RECIPIENT = "0x" + "3d" * 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wallet") / "data", "--demo") as running:
        yield running
    close_leftover_event_loop()


def withdrawer(server: ExchangeServer, trader: Trader) -> Trader:
    """The account's key for the wallet: read, trade and withdraw, from this machine."""
    key = server.admin(
        "/api/v1/admin/apikeys", user_id=trader.user_id,
        permissions=["read", "trade", "withdraw"], ip_allow=["127.0.0.1"],
    )  # fmt: skip
    return Trader(server, trader.user_id, key["api_key"], key["secret_key"])


def ccxt_binance(server: ExchangeServer, trader: Trader) -> Any:
    exchange = ccxt.binance(
        {
            "apiKey": trader.api_key,
            "secret": trader.secret,
            "enableRateLimit": False,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": True,  # the wallet's getall: networks, fees, minimums
                "fetchMargins": False,
                "defaultType": "spot",
            },
        }
    )
    base = server.base_url
    exchange.urls["api"] = {
        "public": f"{base}/api/v3",
        "private": f"{base}/api/v3",
        "v1": f"{base}/api/v1",
        "sapi": f"{base}/sapi/v1",
    }
    exchange.urls.pop("test", None)
    exchange.urls.pop("demo", None)
    return exchange


def python_binance(server: ExchangeServer, trader: Trader) -> Any:
    base = server.base_url

    class LocalClient(binance_client.Client):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"

    return LocalClient(trader.api_key, trader.secret, ping=False)


def until(what: str, check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"no {what} within {DEADLINE_S} s")


def test_ccxt_deposit_and_withdraw(server: ExchangeServer) -> None:
    user = withdrawer(server, server.user("ccxt-wallet"))
    exchange = ccxt_binance(server, user)
    exchange.load_markets()
    eth = exchange.currencies["ETH"]
    assert eth["networks"]["BUSAN"]["fee"] == 0.0005
    assert eth["networks"]["BUSAN"]["limits"]["withdraw"]["min"] == 0.001
    assert eth["withdraw"] is True and eth["deposit"] is True
    currencies = exchange.fetch_currencies()
    assert currencies["KRW"]["networks"] == {}

    address = exchange.fetch_deposit_address("ETH")
    # Binance's answer names no network (ccxt guesses it from an explorer URL we lack).
    assert address["address"].startswith("0x") and address["currency"] == "ETH"
    assert (
        exchange.fetch_deposit_address("ETH", {"network": "BUSAN"})["address"]
        == (address["address"])
    )
    sent = user.post("/sapi/v1/sandbox/chain-faucet", coin="ETH")
    assert sent[0] == 200, sent

    def credited() -> list[dict[str, Any]]:
        return [d for d in exchange.fetch_deposits("ETH") if d["status"] == "ok"]

    [deposit] = until("a credited deposit", credited)
    assert (deposit["amount"], deposit["currency"], deposit["txid"]) == (
        1.0, "ETH", sent[1]["txId"],
    )  # fmt: skip
    assert deposit["address"] == address["address"] and deposit["type"] == "deposit"
    assert exchange.fetch_balance()["ETH"]["free"] == 1.0

    user.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT, name="ccxt")
    withdrawal = exchange.withdraw("ETH", 0.3, RECIPIENT, params={"network": "BUSAN"})
    assert len(withdrawal["id"]) == 32

    def done() -> list[dict[str, Any]]:
        return [w for w in exchange.fetch_withdrawals("ETH") if w["status"] == "ok"]

    [row] = until("a completed withdrawal", done)
    assert (row["id"], row["amount"], row["fee"]["cost"], row["type"]) == (
        withdrawal["id"], 0.3, 0.0005, "withdrawal",
    )  # fmt: skip
    assert row["txid"].startswith("0x") and row["network"] == "BUSAN"
    assert exchange.fetch_balance()["ETH"]["free"] == 0.6995

    refused = ccxt.InsufficientFunds
    with pytest.raises(refused):
        exchange.withdraw("ETH", 5, RECIPIENT)
    with pytest.raises(ccxt.BadRequest):
        exchange.withdraw("ETH", 0.1, "0xnot-an-address")


def test_python_binance_deposit_and_withdraw(server: ExchangeServer) -> None:
    user = withdrawer(server, server.user("pb-wallet"))
    client = python_binance(server, user)
    address = client.get_deposit_address(coin="KGLD")
    assert address["coin"] == "KGLD" and address["addressBech32"].startswith("busan1")
    assert client.get_deposit_address(coin="ETH")["address"] == address["address"]
    sent = user.post("/sapi/v1/sandbox/chain-faucet", coin="KGLD")
    assert sent[0] == 200, sent

    def credited() -> list[dict[str, Any]]:
        return [d for d in client.get_deposit_history(coin="KGLD") if d["status"] == 1]

    [deposit] = until("a credited deposit", credited)
    assert (deposit["amount"], deposit["txId"]) == ("100.0000", sent[1]["txId"])

    user.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT, name="python-binance")
    answer = client.withdraw(coin="KGLD", address=RECIPIENT, amount="12.5", network="BUSAN")

    def done() -> list[dict[str, Any]]:
        rows = client.get_withdraw_history(coin="KGLD")
        return [w for w in rows if w["id"] == answer["id"] and w["status"] == 6]

    [row] = until("a completed withdrawal", done)
    assert (row["amount"], row["transactionFee"], row["network"]) == ("12.5000", "1.0000", "BUSAN")
    assert client.get_asset_balance(asset="KGLD")["free"] == "86.5000"
    close_leftover_event_loop()
