"""Exactly once on chain, proven with `kill -9`: a process running the engine and the
withdrawal sender (`custody_crash_child.py`) is killed again and again while it pays a batch
of withdrawals, at each named point of a withdrawal's way out and at random moments, and
restarted each time on the same data directory and the same node. In the end every
withdrawal is COMPLETED, each paid by exactly one transaction: the hot wallet's nonce is
the number of withdrawals, each recipient holds exactly its amount, the fees are with the
exchange and the ledger sums to zero."""

import asyncio
import random
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import pytest
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import Wei

from assetport.chain.anvil import Anvil
from assetport.chain.signer import LocalSigner
from assetport.custody.outgoing_store import OutgoingStore
from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.commands import (
    AddWithdrawalAddress,
    Command,
    CreditDeposit,
    ListAsset,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import (
    NATIVE_TRANSFER,
    CustodyPolicy,
    WithdrawalRules,
    WithdrawalStatus,
)
from assetport.domain.events import CommandRejected
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service

CHILD: Final = Path(__file__).with_name("custody_crash_child.py")
NETWORK: Final = "ETH"
USER: Final = 1000
FEE: Final = 100_000  # 0.001 ETH in ledger units
WEI_PER_UNIT: Final = 10**10
POINTS: Final = ("stored", "journaled", "broadcast", "completed")
ROUNDS_PER_POINT: Final = 2
PER_ROUND: Final = 3
WITHDRAWALS: Final = 2 * len(POINTS) * ROUNDS_PER_POINT * PER_ROUND  # named and random
KILLED: Final = 137
CHILD_TIMEOUT_S: Final = 120


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anvil]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as running:
        yield running


async def do(service: EngineService, command: Command) -> None:
    events = (await service.execute(command)).events
    assert not isinstance(events[0], CommandRejected), events


@asynccontextmanager
async def engine_of(data_dir: Path) -> AsyncIterator[EngineService]:
    """The engine service of `data_dir`, running, while no child holds it."""
    service = await open_service(RuntimeConfig(data_dir=data_dir))
    running = asyncio.get_running_loop().create_task(service.run())
    try:
        yield service
    finally:
        service.stop()
        await running
        await close_service(service)


async def open_exchange(data_dir: Path) -> None:
    """ETH listed, its withdrawals open with no cooldown, and the user's ETH credited."""
    async with engine_of(data_dir) as service:
        await do(service, ListAsset("ETH", 8))
        rules = WithdrawalRules("ETH", NETWORK, FEE, 1_000, 10**12, 10**12)
        await do(service, SetWithdrawalRules(rules))
        await do(service, SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0)))
        await do(service, CreditDeposit(USER, "ETH", 10**10, NETWORK, "0xfunds", NATIVE_TRANSFER,
                                        "0x" + "11" * 20))  # fmt: skip


async def request(data_dir: Path, name: str) -> dict[str, tuple[ChecksumAddress, int]]:
    """`PER_ROUND` new APPROVED withdrawals, each to a fresh address: id -> (address, amount)."""
    batch: dict[str, tuple[ChecksumAddress, int]] = {
        f"{name}-{n}": (Web3.to_checksum_address("0x" + secrets.token_hex(20)), 1_000_000 + n)
        for n in range(PER_ROUND)
    }
    async with engine_of(data_dir) as service:
        for withdrawal_id, (address, amount) in batch.items():
            await do(service, AddWithdrawalAddress(USER, NETWORK, address, withdrawal_id))
            await do(service, RequestWithdrawal(USER, "ETH", NETWORK, address, amount,
                                                withdrawal_id))  # fmt: skip
    return batch


async def audit(data_dir: Path) -> tuple[dict[str, WithdrawalStatus], dict[str, int], int]:
    """(status by withdrawal, the ledger's totals per asset, the fee account's ETH)."""
    async with engine_of(data_dir) as service:
        engine = service.engine
        statuses = {w.withdrawal_id: w.status for w in engine.custody.state.withdrawals.values()}
        fees = sum(free + held for _, asset, free, held in engine.balances(FEE_ACCOUNT)
                   if asset == "ETH")  # fmt: skip
        return statuses, engine.ledger_totals(), fees


def start_child(data_dir: Path, url: str, point: str = "") -> subprocess.Popen[str]:
    args = [sys.executable, str(CHILD), str(data_dir), url] + ([point] if point else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_ready(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "ready" or child.poll() is not None, line


def finish(child: subprocess.Popen[str]) -> int:
    try:
        _, errors = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    assert child.returncode in (0, KILLED, -signal.SIGKILL), errors
    return child.returncode


def test_kill_9_at_any_point_neither_loses_a_withdrawal_nor_pays_it_twice(
    tmp_path: Path, node: Anvil
) -> None:
    data_dir = tmp_path / "data"
    web3 = Web3(Web3.HTTPProvider(node.url))
    rng = random.Random(16)
    asyncio.run(open_exchange(data_dir))
    hot = Web3.to_checksum_address(str(LocalSigner.open(data_dir).address("hot")))
    funder = web3.eth.accounts[0]
    web3.eth.wait_for_transaction_receipt(
        web3.eth.send_transaction({"from": funder, "to": hot, "value": Wei(10 * 10**18)})
    )

    recipients: dict[str, tuple[ChecksumAddress, int]] = {}
    named_deaths = random_deaths = 0
    for round_number, point in enumerate(POINTS * ROUNDS_PER_POINT):
        # Fresh withdrawals before each start, so that each death finds work under way.
        recipients |= asyncio.run(request(data_dir, f"n{round_number}"))
        child = start_child(data_dir, node.url, point)  # dies at the named point
        named_deaths += finish(child) == KILLED
        recipients |= asyncio.run(request(data_dir, f"r{round_number}"))
        child = start_child(data_dir, node.url)  # killed at a random moment
        wait_ready(child)
        try:
            child.wait(timeout=rng.uniform(0.0, 0.03))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        random_deaths += finish(child) != 0
    assert named_deaths == len(POINTS) * ROUNDS_PER_POINT  # every named point was reached
    assert random_deaths > 0  # most land mid-work (SIGNED and RECORDED rows left behind)
    assert finish(start_child(data_dir, node.url)) == 0

    statuses, totals, fees = asyncio.run(audit(data_dir))
    assert statuses == dict.fromkeys(recipients, WithdrawalStatus.COMPLETED)
    assert web3.eth.get_transaction_count(hot, "latest") == WITHDRAWALS
    assert web3.eth.get_transaction_count(hot, "pending") == WITHDRAWALS
    for address, amount in recipients.values():
        assert web3.eth.get_balance(address) == amount * WEI_PER_UNIT
    assert fees == WITHDRAWALS * FEE
    assert not any(totals.values()), totals
    store = OutgoingStore.open(data_dir)
    try:
        assert store.counts(NETWORK)["DONE"] == WITHDRAWALS
        assert store.counts(NETWORK)["VOID"] == 0
    finally:
        store.close()
