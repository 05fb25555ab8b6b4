"""Binance's wallet endpoints against a real `assetport serve --demo`: its embedded anvil
(a block a second), the deposit watcher and the withdrawal sender, over real HTTP.

What a user of the API notices: the deposit address, a faucet transfer seen pending with
its confirmations and then credited (balance, `balanceUpdate` on the user stream), a
withdrawal going through PROCESSING to COMPLETED with its transaction on the chain, and
every bad request refused with Binance's error while nothing moves.
"""

import asyncio
import re
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.providers import HTTPProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ws"))
from exchange_server import ExchangeServer, Trader
from ws_support import WsApi, hmac_signed

from assetport.chain.addresses import parse_address, to_bech32
from assetport.chain.anvil import Anvil

PREFIX = "busan"
DEADLINE_S = 60
# Addresses nobody holds a key for (the test only reads their balances on the chain).
RECIPIENT = "0x" + "5a" * 20
OTHER = "0x" + "6b" * 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("capital") / "data", "--demo") as running:
        yield running


def node(server: ExchangeServer) -> Web3:
    """The server's embedded anvil, found by the address it logged when it started."""
    log = (server.data_dir / "chain" / "anvil.log").read_text()
    port = re.findall(r"Listening on 127\.0\.0\.1:(\d+)", log)[-1]
    return Web3(HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 10}))


def withdrawer(server: ExchangeServer, trader: Trader) -> Trader:
    """The same account with a key that may withdraw (from this machine only)."""
    key = server.admin(
        "/api/v1/admin/apikeys", user_id=trader.user_id, permissions=["read", "withdraw"],
        ip_allow=["127.0.0.1"], label="withdrawals",
    )  # fmt: skip
    return Trader(server, trader.user_id, key["api_key"], key["secret_key"])


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def until(what: str, check: Any) -> Any:
    """Poll `check` until it returns something true; fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {DEADLINE_S} s")


def test_getall_lists_every_asset_with_the_chain_network(server: ExchangeServer) -> None:
    alice = server.user("getall", KRW="1000")
    coins = {c["coin"]: c for c in ok(alice.get("/sapi/v1/capital/config/getall"))}
    assert coins["KRW"]["isLegalMoney"] is True and coins["KRW"]["networkList"] == []
    assert coins["KRW"]["free"] == "1000"
    eth = coins["ETH"]["networkList"]
    assert [(n["network"], n["withdrawFee"], n["withdrawMin"], n["minConfirm"]) for n in eth] == [
        ("BUSAN", "0.00050000", "0.00100000", 2)
    ]
    gold = coins["KGLD"]["networkList"][0]
    assert gold["contractAddress"].startswith("0x") and gold["withdrawIntegerMultiple"] == "0.0001"
    assert re.fullmatch(gold["addressRegex"], "busan1" + "q" * 38)


def test_deposit_address_is_stable_and_in_both_forms(server: ExchangeServer) -> None:
    alice, bob = server.user("addr-alice"), server.user("addr-bob")
    first = ok(alice.get("/sapi/v1/capital/deposit/address", coin="ETH"))
    again = ok(alice.get("/sapi/v1/capital/deposit/address", coin="KGLD", network="BUSAN"))
    assert first["address"] == again["address"] and first["coin"] == "ETH"
    assert first["tag"] == "" and first["url"] == ""
    parsed = parse_address(first["address"], PREFIX)
    assert first["addressBech32"] == to_bech32(parsed, PREFIX)
    assert parse_address(first["addressBech32"], PREFIX) == parsed
    other = ok(bob.get("/sapi/v1/capital/deposit/address", coin="ETH"))
    assert other["address"] != first["address"]
    assert alice.get("/sapi/v1/capital/deposit/address", coin="KRW")[1]["code"] == -1130
    assert alice.get("/sapi/v1/capital/deposit/address", coin="NOPE")[1]["code"] == -4018
    wrong = alice.get("/sapi/v1/capital/deposit/address", coin="ETH", network="ETH")
    assert wrong[1]["code"] == -1130 and "BUSAN" in wrong[1]["msg"]


def test_faucet_deposit_shows_pending_then_credited(server: ExchangeServer) -> None:
    alice = server.user("faucet-alice")

    async def scenario() -> dict[str, Any]:
        api = await WsApi.open(server)
        try:
            subscribed = await api.request(
                "userDataStream.subscribe.signature", hmac_signed(alice, {})
            )
            assert subscribed["status"] == 200, subscribed
            sent = await asyncio.to_thread(alice.post, "/sapi/v1/sandbox/chain-faucet", coin="ETH")
            assert sent[0] == 200, sent
            while True:
                message = await api.event(timeout=DEADLINE_S)
                if message["event"]["e"] == "balanceUpdate":
                    return {"tx": sent[1]["txId"], "update": message["event"]}
        finally:
            await api.close()

    result = asyncio.run(scenario())
    tx_hash, update = result["tx"], result["update"]
    assert (update["a"], update["d"]) == ("ETH", "1.00000000")
    [deposit] = ok(alice.get("/sapi/v1/capital/deposit/hisrec", coin="ETH"))
    assert (deposit["txId"], deposit["status"]) == (tx_hash, 1)
    assert (deposit["amount"], deposit["network"], deposit["confirmTimes"]) == (
        "1.00000000", "BUSAN", "2/2",
    )  # fmt: skip
    address = ok(alice.get("/sapi/v1/capital/deposit/address", coin="ETH"))["address"]
    assert deposit["address"] == address
    assert alice.balance("ETH") == ("1.00000000", "0.00000000")
    # Once a minute per coin: a second request at once is refused, nothing sent.
    again = alice.post("/sapi/v1/sandbox/chain-faucet", coin="ETH")
    assert again[0] == 429 and again[1]["code"] == -7005
    assert len(ok(alice.get("/sapi/v1/capital/deposit/hisrec"))) == 1


def test_pending_deposit_counts_its_confirmations(server: ExchangeServer) -> None:
    carol = server.user("pending-carol")
    tx_hash = ok(carol.post("/sapi/v1/sandbox/chain-faucet", coin="KSLV"))["txId"]

    def seen() -> list[dict[str, Any]]:
        found = ok(carol.get("/sapi/v1/capital/deposit/hisrec", txId=tx_hash))
        return [d for d in found if d["status"] in (0, 1)]

    [deposit] = until("the deposit seen", seen)
    if deposit["status"] == 0:
        assert deposit["confirmTimes"] in ("0/2", "1/2")
    until("the credit", lambda: [d for d in seen() if d["status"] == 1])
    assert carol.balance("KSLV")[0] == "100.0000"


def test_withdrawal_goes_through_processing_to_completed(server: ExchangeServer) -> None:
    dave = server.user("withdraw-dave", ETH="5")
    money = withdrawer(server, dave)
    recipient = parse_address(RECIPIENT, PREFIX)
    added = ok(money.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT, name="cold"))
    assert added["addressBech32"] == to_bech32(recipient, PREFIX)
    book = ok(dave.get("/sapi/v1/capital/withdraw/address/list"))
    assert [(a["address"], a["name"], a["network"]) for a in book] == [
        (str(recipient), "cold", "BUSAN")
    ]
    # The bech32 form is the same address.
    withdrawal = ok(money.post(
        "/sapi/v1/capital/withdraw/apply", coin="ETH", network="BUSAN",
        address=to_bech32(recipient, PREFIX), amount="0.25", withdrawOrderId="dave-1",
    ))  # fmt: skip
    assert dave.balance("ETH") == ("4.74950000", "0.25050000")
    statuses: list[int] = []

    def completed() -> dict[str, Any] | None:
        [row] = ok(dave.get("/sapi/v1/capital/withdraw/history", coin="ETH"))
        statuses.append(row["status"])
        return row if row["status"] == 6 else None

    row = until("a completed withdrawal", completed)
    assert set(statuses) <= {4, 6}
    assert (row["id"], row["amount"], row["transactionFee"], row["withdrawOrderId"]) == (
        withdrawal["id"], "0.25000000", "0.00050000", "dave-1",
    )  # fmt: skip
    assert row["address"] == str(recipient) and re.fullmatch(r"0x[0-9a-f]{64}", row["txId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["applyTime"])
    assert dave.balance("ETH") == ("4.74950000", "0.00000000")
    w3 = node(server)
    assert w3.eth.get_balance(Web3.to_checksum_address(RECIPIENT)) == 25 * 10**16
    receipt = w3.eth.get_transaction_receipt(row["txId"])
    assert receipt["status"] == 1
    by_ref = ok(dave.get("/sapi/v1/capital/withdraw/history", withdrawOrderId="dave-1"))
    assert [r["id"] for r in by_ref] == [withdrawal["id"]]
    by_id = ok(dave.get("/sapi/v1/capital/withdraw/history", idList=withdrawal["id"]))
    assert [r["status"] for r in by_id] == [6]


def test_a_large_withdrawal_waits_and_can_be_cancelled(server: ExchangeServer) -> None:
    erin = server.user("withdraw-erin", ETH="20")
    money = withdrawer(server, erin)
    ok(money.post("/sapi/v1/capital/withdraw/address", address=OTHER))
    # Above the sandbox's approval threshold (10 ETH): operators approve it first.
    withdrawal = ok(money.post(
        "/sapi/v1/capital/withdraw/apply", coin="ETH", address=OTHER, amount="15"
    ))  # fmt: skip
    [waiting] = ok(erin.get("/sapi/v1/capital/withdraw/history", status="2"))
    assert waiting["id"] == withdrawal["id"]
    assert ok(erin.get("/sapi/v1/capital/config/getall"))
    coins = {c["coin"]: c for c in ok(erin.get("/sapi/v1/capital/config/getall"))}
    assert (coins["ETH"]["withdrawing"], coins["ETH"]["locked"]) == ("15.00050000", "0.00000000")
    ok(money.post("/sapi/v1/capital/withdraw/cancel", id=withdrawal["id"]))
    [cancelled] = ok(erin.get("/sapi/v1/capital/withdraw/history"))
    assert cancelled["status"] == 1
    assert erin.balance("ETH") == ("20.00000000", "0.00000000")
    again = money.post("/sapi/v1/capital/withdraw/cancel", id=withdrawal["id"])
    assert again[1]["code"] == -7028
    ok(money.delete("/sapi/v1/capital/withdraw/address", address=OTHER))
    assert ok(erin.get("/sapi/v1/capital/withdraw/address/list")) == []


def test_bad_withdrawals_are_refused_and_nothing_moves(server: ExchangeServer) -> None:
    frank = server.user("bad-frank", ETH="2", KGLD="10")
    money = withdrawer(server, frank)
    ok(money.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT))
    not_in_book = "0x" + "7c" * 20

    def refused(**params: str) -> tuple[int, str]:
        status, body = money.post("/sapi/v1/capital/withdraw/apply", **params)
        assert status >= 400, body
        return body["code"], body["msg"]

    eth = {"coin": "ETH", "address": RECIPIENT}
    assert refused(**{**eth, "address": "0x1234"}, amount="0.1")[0] == -4033
    code, msg = refused(**{**eth, "address": "cosmos1" + "q" * 38}, amount="0.1")
    assert code == -4033 and "busan1" in msg
    checksum = refused(**{**eth, "address": RECIPIENT.upper().replace("0X", "0x")[:-1] + "a"},
                       amount="0.1")  # fmt: skip
    assert checksum[0] == -4033
    assert refused(**eth, amount="0.0001")[0] == -7021  # below the minimum
    assert refused(**eth, amount="0.123456789")[0] == -1111  # more decimals than ETH has
    assert refused(**eth, amount="-1")[0] == -1100
    assert refused(**eth, amount="5")[0] == -4026
    assert refused(**{**eth, "address": not_in_book}, amount="0.1")[0] == -7022
    assert refused(**eth, amount="0.1", network="ETH")[0] == -1130
    assert refused(**eth, amount="0.1", addressTag="12")[0] == -1130
    assert refused(coin="KRW", address=RECIPIENT, amount="1")[0] == -1130
    assert refused(coin="KGLD", address=RECIPIENT, amount="2.00001")[0] == -1111
    # A key without the withdraw permission (the default read + trade) cannot withdraw.
    status, body = frank.post("/sapi/v1/capital/withdraw/apply", **eth, amount="0.1")
    assert (status, body["code"]) == (401, -2015)
    status, body = frank.post("/sapi/v1/capital/withdraw/address", address=not_in_book)
    assert (status, body["code"]) == (401, -2015)
    assert ok(frank.get("/sapi/v1/capital/withdraw/history")) == []
    assert frank.balance("ETH") == ("2.00000000", "0.00000000")
    assert frank.balance("KGLD") == ("10.0000", "0.0000")
    ninety_one_days = 91 * 24 * 3600 * 1000
    too_long = frank.get("/sapi/v1/capital/withdraw/history", startTime="0",
                         endTime=str(ninety_one_days))  # fmt: skip
    assert too_long[1]["code"] == -4047
    too_long = frank.get("/sapi/v1/capital/deposit/hisrec", startTime="0",
                         endTime=str(ninety_one_days))  # fmt: skip
    assert too_long[1]["code"] == -4047


def test_a_withdraw_key_needs_an_ip_allowlist(server: ExchangeServer) -> None:
    grace = server.user("key-grace")
    token = (server.data_dir / "admin.token").read_text().strip()
    status, body = server.request(
        "POST", "/api/v1/admin/apikeys",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        f'{{"user_id": {grace.user_id}, "permissions": ["withdraw"]}}'.encode(),
    )  # fmt: skip
    assert status == 400 and "IP allowlist" in body["msg"]


def test_amounts_are_exact_decimal_strings(server: ExchangeServer) -> None:
    """Every amount of every wallet answer is a string with the asset's decimals."""
    henry = server.user("exact-henry", ETH="1.23456789")
    coins = {c["coin"]: c for c in ok(henry.get("/sapi/v1/capital/config/getall"))}
    assert Decimal(coins["ETH"]["free"]) == Decimal("1.23456789")
    for coin in coins.values():
        for name in ("free", "locked", "withdrawing"):
            assert isinstance(coin[name], str)


NODE_LISTING = """
[[assets]]
code = "KRW"
precision = 0

[[assets]]
code = "ETH"
precision = 8

[[markets]]
symbol = "ETHKRW"
base = "ETH"
quote = "KRW"
tick_size = "10000"
step_size = "0.0001"
min_qty = "0.0001"
max_qty = "1000"
min_notional = "5000"

[chain]
network = "BUSAN"
rpc_url = "{url}"
bech32_prefix = "busan"
address_cooldown_hours = 0

[[chain.assets]]
asset = "ETH"
contract = "native"
chain_decimals = 18
confirmations = 1
withdraw_fee = "0.0005"
withdraw_min = "0.001"
daily_limit = "100"
approval_threshold = "10"
"""


def test_a_node_that_is_down_pauses_the_wallet_not_the_api(tmp_path: Path) -> None:
    """Any EVM node over JSON-RPC (`[chain] rpc_url`); once it stops answering, getall says
    `busy`, the deposit address still answers (derived here) and a withdrawal is queued
    with its funds held, sent when the node is back."""
    chain = Anvil.start(tmp_path / "anvil", persist=False)
    try:
        listing = tmp_path / "listing.toml"
        listing.write_text(NODE_LISTING.format(url=chain.url), encoding="utf-8")
        with ExchangeServer(tmp_path / "data", "--config", str(listing)) as server:
            ivan = server.user("node-ivan", ETH="3")
            money = withdrawer(server, ivan)

            def busy() -> bool:
                coins = {c["coin"]: c for c in ok(ivan.get("/sapi/v1/capital/config/getall"))}
                return bool(coins["ETH"]["networkList"][0]["busy"])

            until("the node seen up", lambda: not busy())
            ok(money.post("/sapi/v1/capital/withdraw/address", address=RECIPIENT))
            chain.stop()
            until("the node seen down", busy)
            address = ok(ivan.get("/sapi/v1/capital/deposit/address", coin="ETH"))
            assert address["addressBech32"].startswith("busan1")
            withdrawal = ok(money.post(
                "/sapi/v1/capital/withdraw/apply", coin="ETH", address=RECIPIENT, amount="1"
            ))  # fmt: skip
            [row] = ok(ivan.get("/sapi/v1/capital/withdraw/history"))
            assert (row["id"], row["status"], row["txId"]) == (withdrawal["id"], 4, "")
            assert ivan.balance("ETH") == ("1.99950000", "1.00050000")
            # Trading never waits for the chain.
            assert ivan.get("/api/v3/account")[0] == 200
    finally:
        chain.stop()
