"""Sweeps against a real `assetport serve --demo` and its embedded anvil: the faucet's ETH
and KGLD reach a learner's deposit address and are credited; the sweeper tops the address
up with gas from the hot wallet, sweeps the whole token balance and then the whole coin
balance into the hot wallet, leaving the address at exactly zero of both; across a restart
of the server nothing is swept or sent a second time, and the gas top-up is never credited
to the learner as a deposit."""

import asyncio
import json
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import Wei

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader

from assetport.chain.addresses import Address
from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.contracts import asset_token, deploy_asset_token, transact
from assetport.chain.signer import HOT, LocalSigner
from assetport.custody.config import ChainConfig, CustodyAsset
from assetport.custody.deposit_store import DepositStore
from assetport.custody.networks import ChainAsset
from assetport.custody.outgoing_store import OutgoingState, OutgoingStore, Purpose
from assetport.custody.sender import EngineLinkSink, ToSend, WithdrawalSender
from assetport.custody.sweeper import Sweeper
from assetport.domain.commands import (
    AddWithdrawalAddress,
    CreditDeposit,
    ListAsset,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus
from assetport.domain.events import CommandRejected
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.startup import close_service, open_service

PREFIX: Final = "/api/v1/admin/custody"
DEADLINE_S: Final = 90
WEI: Final = 10**18
FAUCET_KGLD: Final = 100 * WEI  # the sandbox faucet's tokens (18 decimals)


def wait_for(what: str, check: Callable[[], Any]) -> Any:
    """`check()` once truthy, polled until the deadline (a bound, not a timed assertion)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.25)


def admin_get(server: ExchangeServer, path: str) -> Any:
    token = (server.data_dir / "admin.token").read_text().strip()
    status, answer = server.request("GET", PREFIX + path, {"Authorization": f"Bearer {token}"})
    assert status == 200, answer
    return answer


def node_url(server: ExchangeServer) -> str:
    def connected() -> str | None:
        status = admin_get(server, "/status")
        ready = status["watcher"] and status["sender"]
        return str(status["watcher"]["node"]) if ready else None

    url: str = wait_for("custody to connect", connected)
    return url


def deposit_address(learner: Trader) -> ChecksumAddress:
    status, answer = learner.get("/sapi/v1/capital/deposit/address", coin="ETH")
    assert status == 200, answer
    return Web3.to_checksum_address(answer["address"])


def faucet(learner: Trader, *coins: str) -> None:
    for coin in coins:
        status, answer = learner.post("/sapi/v1/sandbox/chain-faucet", coin=coin)
        assert status == 200, answer


def settled_sweeps(server: ExchangeServer, address: str, assets: set[str]) -> list[Any] | None:
    """The sweeps of `address` once one of each of `assets` is DONE."""
    mine = [s for s in admin_get(server, "/sweeps")["latest"] if s["address"] == address]
    done = {s["asset"] for s in mine if s["state"] == "DONE"}
    return mine if done == assets else None


def test_deposit_addresses_are_swept_once_across_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--demo") as server:
        web3 = Web3(Web3.HTTPProvider(node_url(server)))
        contracts = json.loads((data_dir / "custody" / "demo-contracts.json").read_text())
        kgld = asset_token(web3, contracts["KGLD"])
        hot = Web3.to_checksum_address(admin_get(server, "/status")["hot_wallet"])
        hot_kgld_before = kgld.functions.balanceOf(hot).call()
        # One learner deposits ETH and KGLD; the other only KGLD, so the sweeper must send
        # their address the gas for the token's transfer.
        both, token_only = server.user("sweep-both"), server.user("sweep-token-only")
        both_address, token_address = deposit_address(both), deposit_address(token_only)
        faucet(both, "ETH", "KGLD")
        faucet(token_only, "KGLD")

        def credited() -> bool:
            return bool(
                both.balance("ETH")[0] != "0.00000000"
                and both.balance("KGLD")[0] != "0.0000"
                and token_only.balance("KGLD")[0] != "0.0000"
            )

        wait_for("the deposits credited", credited)
        assert both.balance("ETH") == ("1.00000000", "0.00000000")
        assert both.balance("KGLD") == token_only.balance("KGLD") == ("100.0000", "0.0000")

        mine = wait_for(
            "the sweeps confirmed",
            lambda: (
                settled_sweeps(server, both_address, {"ETH", "KGLD"})
                and settled_sweeps(server, token_address, {"KGLD"})
            ),
        )
        mine = settled_sweeps(server, both_address, {"ETH", "KGLD"})
        assert mine is not None
        outcomes = sorted((s["asset"], s["outcome"]) for s in mine if s["state"] == "DONE")
        assert outcomes == [("ETH", "CONFIRMED"), ("KGLD", "CONFIRMED")], mine
        # The coin swept to exactly zero (its price fixed in advance), the tokens whole.
        assert web3.eth.get_balance(both_address) == 0
        assert kgld.functions.balanceOf(both_address).call() == 0
        assert kgld.functions.balanceOf(token_address).call() == 0
        # What the gas top-up left is less than it gave: a little, never the user's money.
        assert 0 <= web3.eth.get_balance(token_address) < 10**15
        assert kgld.functions.balanceOf(hot).call() == hot_kgld_before + 2 * FAUCET_KGLD
        # One transaction per sweep ever left each address.
        assert web3.eth.get_transaction_count(both_address) == 2
        assert web3.eth.get_transaction_count(token_address) == 1

    with ExchangeServer(data_dir, "--demo") as server:
        web3 = Web3(Web3.HTTPProvider(node_url(server)))
        kgld = asset_token(web3, contracts["KGLD"])  # the node's new port
        hot_kgld_after = kgld.functions.balanceOf(hot).call()
        first = admin_get(server, "/sweeps")["last_step_ms"] or 0
        wait_for(
            "a few passes of the restarted sweeper",
            lambda: (admin_get(server, "/sweeps")["last_step_ms"] or 0) > first + 3_000,
        )
        again = [s for s in admin_get(server, "/sweeps")["latest"] if s["address"] == both_address]
        assert [s for s in again if s["state"] != "SKIPPED"] == [
            s for s in mine if s["state"] != "SKIPPED"
        ]
        assert web3.eth.get_transaction_count(both_address) == 2
        assert web3.eth.get_transaction_count(token_address) == 1
        assert web3.eth.get_balance(both_address) == 0
        assert kgld.functions.balanceOf(hot).call() == hot_kgld_after
        # Each learner was credited what they deposited, and sees only that: never the
        # sweeper's gas as a deposit of theirs.
        for learner, coins in ((both, ["ETH", "KGLD"]), (token_only, ["KGLD"])):
            learner = Trader(server, learner.user_id, learner.api_key, learner.secret)
            status, deposits = learner.get("/sapi/v1/capital/deposit/hisrec")
            assert status == 200, deposits
            assert sorted(d["coin"] for d in deposits) == coins, deposits
            assert learner.balance("KGLD") == ("100.0000", "0.0000")
        assert Trader(server, both.user_id, both.api_key, both.secret).balance("ETH") == (
            "1.00000000", "0.00000000",
        )  # fmt: skip


# -- the hot wallet's cap, against a bare anvil and a real engine service ------------------

NETWORK: Final = "ETH"
ETH_LEDGER: Final = 10**8  # one ETH in ledger units (precision 8)
KGLD_LEDGER: Final = 10**4


def custody_config(url: str, kgld: str, cold: Address | None) -> ChainConfig:
    rules = {
        "ETH": WithdrawalRules("ETH", NETWORK, 0, 1, 100 * ETH_LEDGER, 50 * ETH_LEDGER),
        "KGLD": WithdrawalRules("KGLD", NETWORK, 0, 1, 10**6 * KGLD_LEDGER, 10**5 * KGLD_LEDGER),
    }
    assets = (
        CustodyAsset(ChainAsset("ETH", None, 18, 8, 1, 0), rules["ETH"], 5 * ETH_LEDGER),
        CustodyAsset(ChainAsset("KGLD", kgld.lower(), 18, 4, 1, 0), rules["KGLD"],
                     100 * KGLD_LEDGER),
    )  # fmt: skip
    policy = CustodyPolicy(address_cooldown_ms=0, approvals_required=2)
    return ChainConfig(NETWORK, "test chain", url, "busan", cold, policy, assets)


def test_the_hot_wallet_s_excess_goes_cold_with_nonces_shared_with_withdrawals(
    tmp_path: Path,
) -> None:
    async def scenario(node: Anvil) -> None:
        web3 = Web3(Web3.HTTPProvider(node.url))
        funder = web3.eth.accounts[0]
        kgld = deploy_asset_token(web3, funder, "Korea Gold", "KGLD", 18, roles=("MINTER_ROLE",))
        data_dir = tmp_path / "data"
        service = await open_service(RuntimeConfig(data_dir=data_dir))
        running = asyncio.get_running_loop().create_task(service.run())
        signer = LocalSigner.open(data_dir)
        hot = Web3.to_checksum_address(str(signer.address(HOT)))
        cold = Address(bytes.fromhex(secrets.token_hex(20)))
        outgoing = OutgoingStore.open(data_dir)
        deposits = DepositStore.open(data_dir, signer.deposit_xpub())
        engine = EngineLinkSink(service)
        recipient = Web3.to_checksum_address("0x" + secrets.token_hex(20))
        try:
            for command in (
                ListAsset("ETH", 8),
                ListAsset("KGLD", 4),
                SetWithdrawalRules(custody_config(node.url, kgld, cold).assets[0].rules),
                SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0, approvals_required=2)),
                CreditDeposit(1000, "ETH", 10 * ETH_LEDGER, NETWORK, "0xfund", -1, recipient),
                AddWithdrawalAddress(1000, NETWORK, recipient.lower(), "mine"),
                RequestWithdrawal(1000, "ETH", NETWORK, recipient.lower(), 2 * ETH_LEDGER, "w-1"),
            ):
                events = (await service.execute(command)).events
                assert not isinstance(events[0], CommandRejected), events
            web3.eth.wait_for_transaction_receipt(
                web3.eth.send_transaction({"from": funder, "to": hot, "value": Wei(20 * WEI)})
            )
            transact(web3, funder, asset_token(web3, kgld).functions.mint(hot, 1_000 * WEI))

            async def approved() -> list[ToSend]:
                return [
                    ToSend(w.withdrawal_id, w.account, w.asset, w.address, w.amount,
                           w.status.value, w.tx_hash)
                    for w in service.engine.custody.open_withdrawals()
                ]  # fmt: skip

            config = custody_config(node.url, kgld, cold)
            assets = {a.chain.asset: a.chain for a in config.assets}
            sender = WithdrawalSender(node.url, NETWORK, CHAIN_ID, assets, signer, outgoing,
                                      engine, approved)  # fmt: skip
            sweeper = Sweeper(data_dir, node.url, config, CHAIN_ID, signer, deposits, sender,
                              outgoing)  # fmt: skip
            try:
                # The sender signs the withdrawal; the sweeper moves the excess, taking the
                # next nonce; both go out in one pass of the sender, in nonce order.
                for _ in range(6):
                    await sender.step()
                    await sweeper.step()
                assert sweeper.status()["cold_address"] == str(cold)
            finally:
                await sweeper.close()
                await sender.close()
            status = service.engine.custody.state.withdrawals["w-1"].status
            assert status is WithdrawalStatus.COMPLETED
            assert web3.eth.get_balance(recipient) == 2 * WEI
            to_cold = outgoing.of_purpose(Purpose.TO_COLD, NETWORK, [OutgoingState.DONE])
            assert {row.asset for row in to_cold} == {"ETH", "KGLD"}
            assert all(row.outcome == "CONFIRMED" for row in to_cold)
            nonces = sorted(row.nonce for row in outgoing.of_purpose(
                Purpose.TO_COLD, NETWORK, list(OutgoingState)))  # fmt: skip
            withdrawal_row = outgoing.get("w-1")
            assert withdrawal_row is not None and withdrawal_row.nonce not in nonces
            assert web3.eth.get_transaction_count(hot) == 1 + len(to_cold)
            # Tokens: exactly the cap stays hot. The coin: the cap less the gas paid since.
            token = asset_token(web3, kgld)
            assert token.functions.balanceOf(hot).call() == 100 * WEI
            assert token.functions.balanceOf(str(cold)).call() == 900 * WEI
            cold_eth = web3.eth.get_balance(Web3.to_checksum_address(str(cold)))
            assert cold_eth == sum(r.chain_amount for r in to_cold if r.asset == "ETH") > 0
            assert 4 * WEI < web3.eth.get_balance(hot) <= 5 * WEI

            # Without a cold address nothing moves, and the status says so.
            uncapped = Sweeper(data_dir, node.url, custody_config(node.url, kgld, None),
                               CHAIN_ID, signer, deposits, sender, outgoing)  # fmt: skip
            try:
                assert (await uncapped.step()).to_cold == 0
                assert "no cold address" in uncapped.status()["hot_cap"]["*"]
            finally:
                await uncapped.close()
        finally:
            deposits.close()
            outgoing.close()
            service.stop()
            await running
            await close_service(service)

    with Anvil.start(tmp_path / "anvil", persist=False) as node:
        asyncio.run(scenario(node))
