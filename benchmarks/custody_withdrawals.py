"""The withdrawal sender end to end against a fresh anvil and an in-process engine service:
withdrawals paid per second, each one signed, stored (SQLite, synchronous=FULL), recorded
by the engine (journaled), broadcast, mined (automine: one block per transaction), seen
with its confirmation and completed in the ledger.

N approved ETH withdrawals to N fresh addresses are requested first (not timed); the clock
runs from the first `step()` to the pass that completes the last one. Token withdrawals
cost one `eth_estimateGas` more each. The last line printed is one JSON object.

    python benchmarks/custody_withdrawals.py --withdrawals 200
"""

import argparse
import asyncio
import json
import secrets
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from web3 import Web3
from web3.types import Wei

from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.signer import LocalSigner
from assetport.custody.networks import ChainAsset
from assetport.custody.outgoing_store import OutgoingStore
from assetport.custody.sender import EngineLinkSink, ToSend, WithdrawalSender
from assetport.domain.commands import (
    AddWithdrawalAddress,
    Command,
    CreditDeposit,
    ListAsset,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import NATIVE_TRANSFER, CustodyPolicy, WithdrawalRules
from assetport.domain.events import CommandRejected
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service

NETWORK = "ETH"
USER = 1000
FEE = 100_000


async def do(service: EngineService, command: Command) -> None:
    events = (await service.execute(command)).events
    if isinstance(events[0], CommandRejected):
        raise RuntimeError(f"{command!r} refused: {events[0].reason}")


async def measure(root: Path, url: str, withdrawals: int) -> dict[str, float | int]:
    data_dir = root / "data"
    service = await open_service(RuntimeConfig(data_dir=data_dir))
    running = asyncio.get_running_loop().create_task(service.run())
    store = OutgoingStore.open(data_dir)
    signer = LocalSigner.open(data_dir)
    try:
        await do(service, ListAsset("ETH", 8))
        await do(
            service, SetWithdrawalRules(WithdrawalRules("ETH", NETWORK, FEE, 1, 10**15, 10**15))
        )
        await do(service, SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0)))
        await do(service, CreditDeposit(USER, "ETH", 10**14, NETWORK, "0xfunds", NATIVE_TRANSFER,
                                        "0x" + "11" * 20))  # fmt: skip
        for n in range(withdrawals):
            address = Web3.to_checksum_address("0x" + secrets.token_hex(20))
            await do(service, AddWithdrawalAddress(USER, NETWORK, address, ""))
            await do(service, RequestWithdrawal(USER, "ETH", NETWORK, address, 1_000_000 + n,
                                                f"w{n}"))  # fmt: skip
        web3 = Web3(Web3.HTTPProvider(url))
        hot = Web3.to_checksum_address(str(signer.address("hot")))
        web3.eth.wait_for_transaction_receipt(
            web3.eth.send_transaction(
                {"from": web3.eth.accounts[0], "to": hot, "value": Wei(1_000 * 10**18)}
            )
        )

        async def pending() -> Sequence[ToSend]:
            return [
                ToSend(w.withdrawal_id, w.account, w.asset, w.address, w.amount, w.status.value)
                for w in service.engine.custody.open_withdrawals()
                if w.status.value in ("APPROVED", "PROCESSING")
            ]

        eth = ChainAsset("ETH", None, 18, 8, confirmations=1, min_deposit=0)
        async with WithdrawalSender(
            url, NETWORK, CHAIN_ID, {"ETH": eth}, signer, store, EngineLinkSink(service), pending
        ) as sender:
            started = time.perf_counter()
            passes = 0
            while service.engine.custody.open_withdrawals():
                await sender.step()
                passes += 1
            elapsed = time.perf_counter() - started
        if web3.eth.get_transaction_count(hot) != withdrawals:
            raise RuntimeError("the hot wallet's nonce is not the number of withdrawals")
        return {
            "withdrawals": withdrawals,
            "seconds": round(elapsed, 3),
            "withdrawals_per_s": round(withdrawals / elapsed, 1),
            "ms_per_withdrawal": round(1000 * elapsed / withdrawals, 2),
            "passes": passes,
        }
    finally:
        store.close()
        service.stop()
        await running
        await close_service(service)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--withdrawals", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with Anvil.start(root / "anvil", persist=False) as node:
            figures = asyncio.run(measure(root, node.url, args.withdrawals))
    print(
        f"{figures['withdrawals']} withdrawals sign → record → broadcast → confirm → complete: "
        f"{figures['seconds']} s, {figures['withdrawals_per_s']}/s "
        f"({figures['ms_per_withdrawal']} ms each, {figures['passes']} passes)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
