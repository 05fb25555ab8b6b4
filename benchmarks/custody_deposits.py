"""The deposit watcher against a fresh anvil: token deposit logs scanned per second by a
watcher starting from scratch (target >= 5,000/s), and the time from a transfer's last
needed confirmation to its credit while the watcher polls (target <= 1 s).

N token transfers to M deposit addresses are pre-signed and sent as raw transactions in
JSON-RPC batches with automining off, then mined into a few full blocks. The scan is one
`poll()` of a new watcher over a new store: queries, decoding, matching and storing every
deposit (none is credited: it needs more confirmations than the chain has).

The latency is measured with the watcher running (`run`, short poll interval): a transfer
is mined, the blocks it still needs are mined, and the clock runs from the moment that
last block exists to the moment the credit callback is called. The last line printed is
one JSON object.

    python benchmarks/custody_deposits.py --transfers 5000 --addresses 100
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_typing import HexStr
from web3 import Web3

from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.contracts import asset_token, deploy_asset_token, transact
from assetport.chain.hd import HdWallet
from assetport.custody.deposit_store import Deposit, DepositStore
from assetport.custody.networks import ChainAsset
from assetport.custody.watcher import DepositWatcher

FIRST_ACCOUNT = 1000
NETWORK = "ETH"
GWEI = 10**9
SEND_BATCH = 500
TRANSFER_GAS = 60_000
# anvil's dev account 0 (its public mnemonic): holds the tokens and signs locally.
HOLDER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
TRANSFER_SELECTOR = bytes.fromhex("a9059cbb")  # transfer(address,uint256)


def rpc(url: str, body: object) -> Any:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def call(url: str, method: str, params: list[Any]) -> Any:
    answer = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def signed_transfers(token: str, recipients: list[str], count: int, nonce: int) -> list[str]:
    holder = Account.from_key(HOLDER_KEY)
    raws = []
    for i in range(count):
        to = bytes.fromhex(recipients[i % len(recipients)][2:])
        amount = (i + 1) * 10**15
        data = TRANSFER_SELECTOR + to.rjust(32, b"\0") + amount.to_bytes(32, "big")
        tx = {
            "type": 2,
            "chainId": CHAIN_ID,
            "nonce": nonce + i,
            "to": token,
            "value": 0,
            "data": data,
            "gas": TRANSFER_GAS,
            "maxFeePerGas": 10 * GWEI,
            "maxPriorityFeePerGas": GWEI,
        }
        raws.append("0x" + bytes(holder.sign_transaction(tx).raw_transaction).hex())
    return raws


def send_and_mine(url: str, raws: list[str]) -> float:
    """Send the raw transactions in batches, then mine until none is pending: seconds."""
    started = time.perf_counter()
    call(url, "evm_setAutomine", [False])
    for first in range(0, len(raws), SEND_BATCH):
        body = [
            {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
            for i, raw in enumerate(raws[first : first + SEND_BATCH])
        ]
        for answer in rpc(url, body):
            if "error" in answer:
                raise RuntimeError(f"a transfer was refused: {answer['error']}")
    while int(call(url, "txpool_status", [])["pending"], 16) > 0:
        call(url, "evm_mine", [])
    call(url, "evm_setAutomine", [True])
    return time.perf_counter() - started


async def ignore(_: Deposit) -> None:
    return None


def measure_scan(url: str, store: DepositStore, token: str, first_block: int) -> dict[str, Any]:
    never = 10**6  # confirmations no deposit here reaches: the scan alone is timed
    assets = [ChainAsset("XAU", token, 18, 8, never, 0)]
    watcher = DepositWatcher(url, NETWORK, assets, store, ignore, start_block=first_block)
    started = time.perf_counter()
    report = asyncio.run(watcher.poll())
    seconds = time.perf_counter() - started
    return {
        "blocks": report.head - first_block + 1,
        "logs": report.logs_scanned,
        "deposits_stored": report.deposits_seen,
        "seconds": round(seconds, 3),
        "logs_per_s": round(report.logs_scanned / seconds),
    }


async def measure_latency(
    url: str, w3: Web3, store: DepositStore, token: str, recipient: str, samples: int
) -> list[float]:
    confirmations = 3
    credited_at: dict[str, float] = {}

    async def credit(deposit: Deposit) -> None:
        credited_at[deposit.tx_hash] = time.perf_counter()

    assets = [ChainAsset("XAU", token, 18, 8, confirmations, 0)]
    watcher = DepositWatcher(
        url, NETWORK, assets, store, credit, start_block=w3.eth.block_number + 1
    )
    stop = asyncio.Event()
    running = asyncio.create_task(watcher.run(stop, 0.05))
    holder = Account.from_key(HOLDER_KEY)
    latencies = []
    for _ in range(samples):
        nonce = w3.eth.get_transaction_count(holder.address)
        [raw] = signed_transfers(token, [recipient], 1, nonce)
        sent = await asyncio.to_thread(w3.eth.send_raw_transaction, HexStr(raw))
        tx_hash = sent.to_0x_hex()
        await asyncio.to_thread(w3.eth.wait_for_transaction_receipt, sent)
        await asyncio.to_thread(
            w3.provider.make_request,
            "anvil_mine",  # type: ignore[arg-type]
            [hex(confirmations - 1)],
        )
        confirmed = time.perf_counter()  # the last confirmation it needs now exists
        while tx_hash not in credited_at:
            await asyncio.sleep(0.001)
        latencies.append(credited_at[tx_hash] - confirmed)
    stop.set()
    await running
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=5_000)
    parser.add_argument("--addresses", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=20)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        Anvil.start(Path(tmp) / "anvil", persist=False) as node,
    ):
        w3 = Web3(Web3.HTTPProvider(node.url))
        issuer = list(w3.eth.accounts)[1]
        token = deploy_asset_token(w3, issuer, "Gold", "XAU", 18, roles=("MINTER_ROLE",))
        holder = Account.from_key(HOLDER_KEY).address
        transact(w3, issuer, asset_token(w3, token).functions.mint(holder, 10**40))
        xpub = HdWallet(bytes(range(32))).xpub()

        store = DepositStore.open(Path(tmp) / "scan", xpub)
        started = time.perf_counter()
        recipients = [store.assign_address(FIRST_ACCOUNT + i) for i in range(args.addresses)]
        assigned_s = time.perf_counter() - started
        first_block = w3.eth.block_number + 1
        started = time.perf_counter()
        raws = signed_transfers(
            token, recipients, args.transfers, w3.eth.get_transaction_count(holder)
        )
        signed_s = time.perf_counter() - started
        sent_s = send_and_mine(node.url, raws)
        scan = measure_scan(node.url, store, token, first_block)
        store.close()

        latency_store = DepositStore.open(Path(tmp) / "latency", xpub)
        recipient = latency_store.assign_address(FIRST_ACCOUNT)
        latencies = asyncio.run(
            measure_latency(node.url, w3, latency_store, token, recipient, args.latency_samples)
        )
        latency_store.close()

    figures = {
        "transfers": args.transfers,
        "addresses": args.addresses,
        "addresses_assigned_per_s": round(args.addresses / assigned_s),
        "transfers_signed_per_s": round(args.transfers / signed_s),
        "transfers_sent_and_mined_per_s": round(args.transfers / sent_s),
        "scan": scan,
        "credit_latency_ms": {
            "poll_interval_ms": 50,
            "median": round(statistics.median(latencies) * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
            "samples": len(latencies),
        },
    }
    print(f"scan from scratch: {scan['logs']} Transfer logs in {scan['blocks']} blocks, "
          f"{scan['seconds']} s: {scan['logs_per_s']} logs/s (target >= 5,000/s)")  # fmt: skip
    print(f"last confirmation -> credit: median {figures['credit_latency_ms']['median']} ms, "
          f"max {figures['credit_latency_ms']['max']} ms (target <= 1,000 ms)")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
