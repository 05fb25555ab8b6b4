"""Custody's operators against a real `assetport serve --demo` (its embedded anvil, 2
approvals needed above the threshold): a large withdrawal waits; the admin token cannot
approve it; operator A approves, A again is refused, B approves and it is sent and
completes on chain; a rejection releases the funds; a risk hold sends even a small
withdrawal to the operators; the custody report's figures are the chain's own balances,
and its CSV parses; a refill from cold is an unsigned transaction that is ready only once
two operators approved it."""

import csv
import io
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from pathlib import Path
from typing import Any, Final

import pytest
from eth_typing import ChecksumAddress
from web3 import Web3

from assetport.chain.contracts import asset_token
from assetport.domain.proof_of_reserves.verify import verify_proof
from assetport.listings import DEMO_ASSETS, DEMO_MARKETS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader

PREFIX: Final = "/api/v1/admin/custody"
DEMO_PRECISION: Final = dict(DEMO_ASSETS)
WEI: Final = 10**18
DEADLINE_S: Final = 60


def wait_for(what: str, check: Callable[[], Any]) -> Any:
    """`check()` once it is truthy, polled until the deadline (the chain mines a block a
    second: nothing here is a timed assertion, only a bound on how long to wait)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.2)


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "admin", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


class Desk:
    """The server, its chain, and two named operators."""

    def __init__(self, server: ExchangeServer, web3: Web3, tokens: dict[str, str]) -> None:
        self.server = server
        self.web3 = web3
        self.tokens = tokens

    def call(self, path: str, token: str | None = None, **body: Any) -> tuple[int, Any]:
        if token is None:
            token = (self.server.data_dir / "admin.token").read_text().strip()
        return self.server.request(
            "POST", PREFIX + path,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )  # fmt: skip

    def queue(self) -> dict[str, dict[str, Any]]:
        status, answer = self.call("/withdrawals")
        assert status == 200, answer
        return {w["id"]: w for w in answer["withdrawals"]}

    def withdrawer(self, name: str, eth: str) -> Trader:
        """A user with `eth` ETH in the ledger and a key that may withdraw."""
        plain = self.server.user(name, ETH=eth)
        key = self.server.admin(
            "/api/v1/admin/apikeys", user_id=plain.user_id,
            permissions=["read", "trade", "withdraw"], ip_allow=["127.0.0.1"],
        )  # fmt: skip
        return Trader(self.server, plain.user_id, key["api_key"], key["secret_key"])

    def withdraw(self, user: Trader, address: str, amount: str) -> str:
        status, answer = user.post("/sapi/v1/capital/withdraw/address", address=address)
        assert status == 200 or answer.get("code") == -7024, answer
        status, answer = user.post(
            "/sapi/v1/capital/withdraw/apply", coin="ETH", network="BUSAN", address=address,
            amount=amount,
        )  # fmt: skip
        assert status == 200, answer
        withdrawal_id: str = answer["id"]
        return withdrawal_id

    def token_balance(self, asset: str, address: str) -> Decimal:
        """`address`'s balance of the sandbox's token `asset`, in whole tokens (18 decimals)."""
        contracts = json.loads(
            (self.server.data_dir / "custody" / "demo-contracts.json").read_text()
        )
        token = asset_token(self.web3, contracts[asset])
        units = token.functions.balanceOf(Web3.to_checksum_address(address)).call()
        return Decimal(units) / WEI

    def csv_report(self) -> str:
        token = (self.server.data_dir / "admin.token").read_text().strip()
        request = urllib.request.Request(
            f"{self.server.base_url}{PREFIX}/report?format=csv",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/csv")
            text: str = response.read().decode()
            return text

    def history_status(self, user: Trader, withdrawal_id: str) -> int | None:
        status, rows = user.get("/sapi/v1/capital/withdraw/history", coin="ETH")
        assert status == 200, rows
        found = [row["status"] for row in rows if row["id"] == withdrawal_id]
        return found[0] if found else None


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("operators") / "data"
    with ExchangeServer(data_dir, "--demo") as server:
        tokens = {}
        for name in ("alice", "bob"):
            printed = cli(data_dir, "operator", "add", name)
            tokens[name] = printed.strip().splitlines()[-1]
        admin_token = (data_dir / "admin.token").read_text().strip()
        headers = {"Authorization": f"Bearer {admin_token}"}

        def connected() -> str | None:
            status, answer = server.request("GET", PREFIX + "/status", headers)
            assert status == 200, answer
            ready = answer["watcher"] and answer["sender"]
            return str(answer["watcher"]["node"]) if ready else None

        node = wait_for("custody to connect to its node", connected)
        yield Desk(server, Web3(Web3.HTTPProvider(node)), tokens)


def new_address() -> ChecksumAddress:
    return Web3.to_checksum_address("0x" + secrets.token_hex(20))


def test_operators_are_listed_and_their_tokens_are_kept_hashed(desk: Desk) -> None:
    listed = json.loads(cli(desk.server.data_dir, "operator", "list"))
    assert [o["name"] for o in listed] == ["alice", "bob"]
    stored = (desk.server.data_dir / "custody" / "operators.sqlite3").read_bytes()
    assert desk.tokens["alice"].encode() not in stored
    assert (desk.server.data_dir / "custody" / "operators.sqlite3").stat().st_mode & 0o077 == 0


def test_a_large_withdrawal_needs_two_distinct_operators_then_is_sent(desk: Desk) -> None:
    user = desk.withdrawer("large-withdrawer", eth="30")
    to = new_address()
    withdrawal_id = desk.withdraw(user, to, "11")  # above the sandbox's 10 ETH threshold
    waiting = wait_for("the withdrawal in the queue", lambda: desk.queue().get(withdrawal_id))
    assert (waiting["status"], waiting["approvals"], waiting["approvalsRequired"]) == (
        "AWAITING_APPROVAL", 0, 2,
    )  # fmt: skip
    assert waiting["amount"] == "11.00000000" and waiting["account"] == user.user_id

    # The shared admin token is nobody: it cannot approve.
    status, answer = desk.call("/withdrawals/approve", id=withdrawal_id)
    assert (status, answer["code"]) == (401, -7040), answer
    # Nor can a made-up token.
    status, answer = desk.call("/withdrawals/approve", token="op_nobody", id=withdrawal_id)
    assert (status, answer["code"]) == (401, -1002), answer

    status, answer = desk.call("/withdrawals/approve", desk.tokens["alice"], id=withdrawal_id)
    assert status == 200, answer
    assert (answer["operator"], answer["approvals"], answer["status"]) == (
        "alice", 1, "AWAITING_APPROVAL",
    )  # fmt: skip
    status, answer = desk.call("/withdrawals/approve", desk.tokens["alice"], id=withdrawal_id)
    assert (status, answer["code"]) == (409, -7029), answer
    assert desk.web3.eth.get_balance(to) == 0

    # Bob approves through the command line, with his token in the environment.
    env = {**os.environ, "ASSETPORT_OPERATOR_TOKEN": desk.tokens["bob"]}
    printed = cli(desk.server.data_dir, "custody", "approve", withdrawal_id, env=env)
    assert json.loads(printed)["status"] == "APPROVED"

    wait_for("the withdrawal to complete", lambda: desk.history_status(user, withdrawal_id) == 6)
    assert desk.web3.eth.get_balance(to) == 11 * WEI
    assert withdrawal_id not in desk.queue()


def test_a_rejection_releases_the_funds(desk: Desk) -> None:
    user = desk.withdrawer("rejected-withdrawer", eth="20")
    to = new_address()
    withdrawal_id = desk.withdraw(user, to, "12")
    assert user.balance("ETH") == ("7.99950000", "12.00050000")
    wait_for("the withdrawal in the queue", lambda: desk.queue().get(withdrawal_id))
    status, answer = desk.call(
        "/withdrawals/reject", desk.tokens["bob"], id=withdrawal_id, reason="unknown recipient"
    )
    assert status == 200, answer
    assert (answer["status"], answer["released"]) == ("REJECTED", "12.00050000")
    assert user.balance("ETH") == ("20.00000000", "0.00000000")
    assert desk.history_status(user, withdrawal_id) == 3
    # Decided already: a late approval changes nothing.
    status, answer = desk.call("/withdrawals/approve", desk.tokens["alice"], id=withdrawal_id)
    assert (status, answer["code"]) == (409, -7028), answer
    assert desk.web3.eth.get_balance(to) == 0


def test_a_risk_hold_sends_even_a_small_withdrawal_to_the_operators(desk: Desk) -> None:
    user = desk.withdrawer("held-withdrawer", eth="5")
    # Only the admin token sets a hold: an operator's cannot.
    status, answer = desk.call(
        "/risk-hold", desk.tokens["alice"], user_id=user.user_id, held=True, reason="kyc"
    )
    assert (status, answer["code"]) == (401, -1002), answer
    printed = cli(desk.server.data_dir, "custody", "risk-hold", str(user.user_id), "--on",
                  "--reason", "kyc review")  # fmt: skip
    assert json.loads(printed)["held"] is True
    withdrawal_id = desk.withdraw(user, new_address(), "1")
    waiting = wait_for("the withdrawal in the queue", lambda: desk.queue().get(withdrawal_id))
    assert waiting["status"] == "AWAITING_APPROVAL"
    assert desk.history_status(user, withdrawal_id) == 2

    cli(desk.server.data_dir, "custody", "risk-hold", str(user.user_id), "--off")
    small = desk.withdraw(user, new_address(), "1")
    wait_for("the unheld withdrawal to complete", lambda: desk.history_status(user, small) == 6)


def test_the_report_shows_the_chain_s_balances_and_parses_as_csv(desk: Desk) -> None:
    user = desk.withdrawer("depositor", eth="1")
    status, answer = user.post("/sapi/v1/sandbox/chain-faucet", coin="KGLD")
    assert status == 200, answer
    status, answer = user.get("/sapi/v1/capital/deposit/address", coin="KGLD")
    assert status == 200, answer
    deposit_address = answer["address"]
    wait_for("the faucet's tokens", lambda: desk.token_balance("KGLD", deposit_address))

    status, report = desk.call("/report")
    assert status == 200, report
    hot = report["hotAddress"]
    lines = {line["asset"]: line for line in report["assets"]}
    eth = lines["ETH"]
    # The node's own answer (the chain mines meanwhile, but nothing moves ETH between).
    assert Decimal(eth["hotWallet"]) == Decimal(desk.web3.eth.get_balance(hot)) / WEI
    assert eth["coldWallet"] is None and report["coldAddress"] is None
    kgld = lines["KGLD"]
    assert Decimal(kgld["depositAddresses"]) >= desk.token_balance("KGLD", deposit_address)
    assert Decimal(kgld["hotWallet"]) == desk.token_balance("KGLD", hot)
    assert report["totals"]["coldRule"] == "FAIL"  # nothing is cold in the sandbox
    assert report["totals"]["coldShareRequired"] == "80.00"

    rows = list(csv.reader(io.StringIO(desk.csv_report())))
    assert rows[0][:3] == ["asset", "depositAddresses", "hotWallet"]
    by_asset = {row[0]: row for row in rows[1:] if row}
    assert set(lines) <= set(by_asset) and "TOTAL" in by_asset
    assert any(row[0] == "cold share" and row[3] == "FAIL" for row in rows if row)
    printed = cli(desk.server.data_dir, "custody", "report", "--csv")
    assert next(csv.reader(io.StringIO(printed)))[:2] == ["asset", "depositAddresses"]


def test_the_proof_of_reserves_states_the_chain_s_balances_at_one_block(desk: Desk) -> None:
    user = desk.withdrawer("por-depositor", eth="2")
    status, answer = user.post("/sapi/v1/sandbox/chain-faucet", coin="KGLD")
    assert status == 200, answer
    status, answer = user.get("/sapi/v1/capital/deposit/address", coin="KGLD")
    deposit_address = answer["address"]
    wait_for("the faucet's tokens", lambda: desk.token_balance("KGLD", deposit_address))

    status, answer = desk.call("/reserves")
    assert status == 200, answer
    chain, reserves = answer["chain"], answer["reserves"]
    assert chain["network"] == "BUSAN" and chain["chainId"] == desk.web3.eth.chain_id
    block = chain["block"]
    hot = reserves["ETH"][0]
    assert hot["role"] == "hot" and not any(r["role"] == "cold" for r in reserves["ETH"])
    # Each balance is the node's own at that block, cut (never rounded up) to the ledger's
    # precision: ETH keeps 8 decimals of its 18.
    wei = desk.web3.eth.get_balance(hot["address"], block_identifier=block)
    assert Decimal(hot["balance"]) == (Decimal(wei) / WEI).quantize(Decimal("1e-8"), ROUND_DOWN)
    contracts = json.loads((desk.server.data_dir / "custody" / "demo-contracts.json").read_text())
    token = asset_token(desk.web3, contracts["KGLD"])
    for row in reserves["KGLD"]:
        units = token.functions.balanceOf(row["address"]).call(block_identifier=block)
        assert Decimal(row["balance"]) == (Decimal(units) / WEI).quantize(
            Decimal(1).scaleb(-DEMO_PRECISION["KGLD"]), ROUND_DOWN
        ), row
    mine = [r for r in reserves["KGLD"] if r["address"].lower() == deposit_address.lower()]
    swept = desk.token_balance("KGLD", deposit_address) == 0  # the sweeper may be quicker
    assert swept or [r["role"] for r in mine] == ["deposit"]
    printed = json.loads(cli(desk.server.data_dir, "custody", "reserves"))
    assert printed["chain"]["block"] >= block and set(printed["reserves"]) == set(reserves)

    # Published beside the root: the reserves read from the chain now, and the block.
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "por", "publish", "--data-dir",
         str(desk.server.data_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    status, root = desk.server.request("GET", "/api/v1/proof-of-reserves/root")
    assert status == 200, root
    assert root["reserves_read"]["block"] >= block
    assert root["reserves_read"]["network"] == "BUSAN"
    stated = root["reserves"]["ETH"]
    assert stated["addresses"][0]["address"] == hot["address"]
    assert stated["total"] == sum_of(stated["addresses"])
    eth_line = next(line for line in done.stdout.splitlines() if line.startswith("ETH "))
    assert eth_line.split()[2] == stated["total"]
    status, proof = user.get("/api/v1/proof-of-reserves/proof")
    assert status == 200 and verify_proof(proof, root).account == user.user_id


def test_a_token_s_supply_on_chain_and_in_the_ledger_is_reconciled_with_its_reserve(
    desk: Desk,
) -> None:
    """The demo's gold token exists on the chain (its contract) and in the ledger (its
    issuer's mints): both are claims on the attested bars, read at one block. The sandbox
    attests enough bars for the tokens its hot wallet was minted, so it reconciles."""
    status, answer = desk.call("/supply")
    assert status == 200, answer
    block = answer["chain"]["block"]
    line = next(t for t in answer["tokens"] if t["asset"] == "KGLD")
    contracts = json.loads((desk.server.data_dir / "custody" / "demo-contracts.json").read_text())
    token = asset_token(desk.web3, contracts["KGLD"])
    total = token.functions.totalSupply().call(block_identifier=block)
    whole = Decimal(1).scaleb(-DEMO_PRECISION["KGLD"])
    assert Decimal(line["chainTotalSupply"]) == (Decimal(total) / WEI).quantize(whole, ROUND_UP)
    status, reserves = desk.call("/reserves")
    ours = Decimal(sum_of(reserves["reserves"]["KGLD"]))
    assert reserves["chain"]["block"] >= block
    assert Decimal(line["heldByExchangeOnChain"]) <= Decimal(line["chainTotalSupply"])
    status, public = desk.server.request("GET", "/api/v1/assets/KGLD")
    assert status == 200, public
    assert line["reserve"] == public["reserve"]
    ledger, held = Decimal(line["ledgerSupply"]), Decimal(line["heldByExchangeOnChain"])
    assert Decimal(line["ledgerOnly"]) == max(Decimal(0), ledger - held)
    claims = Decimal(line["chainTotalSupply"]) + Decimal(line["ledgerOnly"])
    assert Decimal(line["claims"]) == claims
    assert line["reconciled"] is (claims <= Decimal(line["reserve"])) is True
    assert held <= ours + whole
    printed = json.loads(cli(desk.server.data_dir, "custody", "supply"))
    assert {t["asset"] for t in printed["tokens"]} == {t["asset"] for t in answer["tokens"]}


def sum_of(rows: list[dict[str, str]]) -> str:
    return str(sum((Decimal(row["balance"]) for row in rows), Decimal(0)))


def test_a_refill_is_unsigned_and_ready_after_two_operators(desk: Desk) -> None:
    status, answer = desk.call("/refill", desk.tokens["alice"], asset="ETH", amount="5")
    # The sandbox has no cold address: nothing to refill from, and it says so.
    assert (status, answer["code"]) == (400, -7043), answer


def listing_with_cold(path: Path, cold: str) -> Path:
    """The sandbox's listings with a [chain] table that has a cold address and an ETH cap
    below what the sandbox's hot wallet starts with."""
    lines: list[str] = []
    for code, precision in DEMO_ASSETS:
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}", ""]
    for market in DEMO_MARKETS:
        lines.append("[[markets]]")
        lines += [f'{name} = "{value}"' for name, value in market.items()]
        lines.append("")
    lines += [
        "[chain]", 'network = "BUSAN"', f'cold_address = "{cold}"', "address_cooldown_hours = 0",
        "approvals_required = 2", "",
        "[[chain.assets]]", 'asset = "ETH"', 'contract = "native"', "confirmations = 1",
        'withdraw_min = "0.001"', 'daily_limit = "100"', 'approval_threshold = "10"',
        'hot_cap = "900"', "",
        "[[chain.assets]]", 'asset = "KGLD"', 'contract = "deploy"', "confirmations = 1",
        'withdraw_min = "1"', 'daily_limit = "1000"', 'approval_threshold = "100"',
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def test_with_a_cold_address_the_excess_goes_cold_and_a_refill_needs_two(tmp_path: Path) -> None:
    cold = new_address()
    config = listing_with_cold(tmp_path / "listing.toml", cold)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--demo", "--config", str(config)) as server:
        tokens = {name: cli(data_dir, "operator", "add", name).strip().splitlines()[-1]
                  for name in ("alice", "bob")}  # fmt: skip
        admin_token = (data_dir / "admin.token").read_text().strip()
        headers = {"Authorization": f"Bearer {admin_token}"}

        def status() -> Any:
            code, answer = server.request("GET", PREFIX + "/status", headers)
            assert code == 200, answer
            return answer

        node = wait_for("custody to connect", lambda: status()["watcher"] and status()["sender"])
        web3 = Web3(Web3.HTTPProvider(str(node["node"])))
        desk = Desk(server, web3, tokens)
        hot = Web3.to_checksum_address(status()["hot_wallet"])

        # The sandbox funds hot with 1,000 ETH; the cap is 900: 100 go cold.
        wait_for("the excess to reach cold", lambda: web3.eth.get_balance(cold) > 0)
        assert web3.eth.get_balance(cold) == 100 * WEI
        assert web3.eth.get_balance(hot) <= 900 * WEI
        status_code, report = desk.call("/report")
        assert status_code == 200, report
        eth = next(line for line in report["assets"] if line["asset"] == "ETH")
        assert Decimal(eth["coldWallet"]) == 100
        assert Decimal(eth["hotWallet"]) == Decimal(web3.eth.get_balance(hot)) / WEI
        assert report["coldAddress"] == cold

        # A refill: an unsigned transaction from cold to hot, for the offline signer.
        code, refill = desk.call("/refill", tokens["alice"], asset="ETH", amount="25")
        assert code == 200, refill
        tx = refill["unsignedTransaction"]
        assert (tx["from"], tx["to"], int(tx["value"], 16)) == (cold, hot, 25 * WEI)
        assert (int(tx["nonce"], 16), int(tx["chainId"], 16), int(tx["gas"], 16)) == (
            0, 31337, 21_000,
        )  # fmt: skip
        assert (refill["status"], refill["approvals"], refill["required"]) == (
            "AWAITING_APPROVAL", ["alice"], 2,
        )  # fmt: skip
        code, answer = desk.call("/refill/approve", tokens["alice"], id=refill["id"])
        assert (code, answer["code"]) == (409, -7045), answer
        code, answer = desk.call("/refill/approve", id=refill["id"])
        assert (code, answer["code"]) == (401, -7040), answer
        code, answer = desk.call("/refill/approve", tokens["bob"], id=refill["id"])
        assert code == 200, answer
        assert (answer["status"], answer["approvals"]) == ("READY", ["alice", "bob"])
        code, answer = desk.call("/refill/approve", tokens["bob"], id=999)
        assert (code, answer["code"]) == (400, -7044), answer
        listed = json.loads(cli(data_dir, "custody", "refills"))["refills"]
        assert [r["status"] for r in listed] == ["READY"]
