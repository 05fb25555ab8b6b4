"""The NFT deposit watcher: items sent back to the platform's deposit addresses, credited to
the accounts those addresses belong to (`CreditNftDeposit`).

It reads the logs of the collections' contracts the platform deployed (`NftBook.contracts`,
journaled by `SetNftContract`), nothing else: ERC-721 `Transfer(from, to, tokenId)` (four
topics; ERC-20's has three) and ERC-1155 `TransferSingle` / `TransferBatch`, whose `to` is
a deposit address. Only blocks with the confirmations coins need are read, so what it
credits is as settled as a coin deposit; the cursor (`nft_store.py`) moves past a window
once every transfer in it was credited, and the engine credits each (network, tx hash,
log index) once, so a crash in between credits nothing twice.

A token id the platform never issued is ignored (logged), and so are units the engine
refuses (more than are out on the chain: the engine holds that only the platform mints).
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Final

from eth_abi.abi import decode as abi_decode

from assetport.chain.contracts import TRANSFER_TOPIC
from assetport.custody.nft_book import NftBook
from assetport.custody.nft_store import NftStore
from assetport.custody.node_rpc import NodeRpc
from assetport.custody.sender import CommandSink
from assetport.domain.commands import CreditNftDeposit
from assetport.domain.events import refusal
from assetport.domain.results import RejectReason

log = logging.getLogger(__name__)

TRANSFER_SINGLE_TOPIC: Final = "0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62"
TRANSFER_BATCH_TOPIC: Final = "0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb"
_ERC721_TOPICS: Final = 4
WINDOW_BLOCKS: Final = 500


@dataclass(frozen=True, slots=True)
class ItemTransfer:
    """Units of one item that reached `to` (lowercase 0x) in a log of `contract`."""

    contract: str
    tx_hash: str
    log_index: int
    block: int
    to: str
    token_id: int
    quantity: int


def item_transfers(entry: dict[str, Any]) -> list[ItemTransfer]:
    """The item transfers one log states: none for a log of another shape."""
    topics = entry.get("topics") or []
    if entry.get("removed") or not topics:
        return []
    contract, tx_hash = str(entry["address"]).lower(), str(entry["transactionHash"]).lower()
    log_index, block = int(entry["logIndex"], 16), int(entry["blockNumber"], 16)
    data = bytes.fromhex(str(entry.get("data", "0x"))[2:])

    def to_of(topic: str) -> str:
        return "0x" + topic[-40:].lower()

    try:
        if topics[0] == TRANSFER_TOPIC and len(topics) == _ERC721_TOPICS:
            return [ItemTransfer(contract, tx_hash, log_index, block, to_of(topics[2]),
                                 int(topics[3], 16), 1)]  # fmt: skip
        if topics[0] == TRANSFER_SINGLE_TOPIC and len(topics) == _ERC721_TOPICS:
            token_id, value = abi_decode(["uint256", "uint256"], data)
            return [ItemTransfer(contract, tx_hash, log_index, block, to_of(topics[3]),
                                 token_id, value)]  # fmt: skip
        if topics[0] == TRANSFER_BATCH_TOPIC and len(topics) == _ERC721_TOPICS:
            ids, values = abi_decode(["uint256[]", "uint256[]"], data)
            return [ItemTransfer(contract, tx_hash, log_index, block, to_of(topics[3]), i, v)
                    for i, v in zip(ids, values, strict=True)]  # fmt: skip
    except (ValueError, TypeError):
        log.warning("a log of %s in %s could not be read", contract, tx_hash)
    return []


class NftDepositWatcher:
    """Credits items reaching the deposit addresses on one network (see the module)."""

    def __init__(
        self,
        rpc_url: str,
        network: str,
        store: NftStore,
        engine: CommandSink,
        book: Callable[[], NftBook],
        deposit_accounts: Callable[[], dict[str, int]],
        *,
        confirmations: int = 1,
        start_block: int = 0,
        rpc_timeout_s: float = 5.0,
    ) -> None:
        self.network = network
        self._store = store
        self._engine = engine
        self._book = book
        self._deposit_accounts = deposit_accounts
        self._confirmations = max(1, confirmations)
        self._start_block = start_block
        self._rpc = NodeRpc(rpc_url, rpc_timeout_s)
        self._last_error: str | None = None
        self._ignored = 0

    async def close(self) -> None:
        await self._rpc.close()

    async def run(self, stop: asyncio.Event, interval_s: float = 1.0) -> None:
        while not stop.is_set():
            try:
                await self.poll()
                self._last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a node or engine fault: the next pass tries again
                described = f"{type(exc).__name__}: {exc}"[:300]
                if described != self._last_error:
                    log.warning("NFT deposit watcher %s paused: %s", self.network, described)
                self._last_error = described
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    def status(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "cursor": self._store.cursor(self.network),
            "last_error": self._last_error,
            "ignored": self._ignored,
        }

    async def poll(self) -> int:
        """Read the confirmed blocks past the cursor; the number of units credited."""
        head = int(await self._rpc.call("eth_blockNumber"), 16)
        last = head - self._confirmations + 1
        cursor = self._store.cursor(self.network)
        start = self._start_block if cursor is None else cursor + 1
        book = self._book()
        contracts = book.contracts_on(self.network)
        credited = 0
        while start <= last:
            end = min(start + WINDOW_BLOCKS - 1, last)
            if contracts:
                logs = await self._rpc.call("eth_getLogs", {
                    "fromBlock": hex(start), "toBlock": hex(end), "address": list(contracts),
                    "topics": [[TRANSFER_TOPIC, TRANSFER_SINGLE_TOPIC, TRANSFER_BATCH_TOPIC]],
                })  # fmt: skip
                credited += await self._credit(book, contracts, logs)
            self._store.set_cursor(self.network, end)
            start = end + 1
        return credited

    async def _credit(
        self, book: NftBook, contracts: dict[str, str], logs: Sequence[dict[str, Any]]
    ) -> int:
        accounts = self._deposit_accounts()
        credited = 0
        for entry in logs:
            for transfer in item_transfers(entry):
                account = accounts.get(transfer.to)
                collection = contracts.get(transfer.contract)
                if account is None or collection is None or transfer.quantity <= 0:
                    continue
                if (collection, transfer.token_id) not in book.supplies:
                    self._ignore(transfer, "a token id the platform never issued")
                    continue
                command = CreditNftDeposit(
                    account, collection, transfer.token_id, transfer.quantity, self.network,
                    transfer.tx_hash, transfer.log_index,
                )  # fmt: skip
                refused = refusal(await self._engine.execute(command))
                if refused is not None and refused.reason is not RejectReason.ALREADY_APPLIED:
                    self._ignore(transfer, f"the engine refuses it: {refused.reason.value}")
                    continue
                # Where the units now sit: a later withdrawal sends them on from there.
                self._store.record_deposit(
                    self.network, transfer.tx_hash, transfer.log_index, transfer.contract,
                    transfer.token_id, transfer.to, account, transfer.quantity, transfer.block,
                )  # fmt: skip
                if refused is None:
                    credited += transfer.quantity
                    log.info("NFT deposit %s #%d x%d to account %d (%s)", collection,
                             transfer.token_id, transfer.quantity, account,
                             transfer.tx_hash)  # fmt: skip
        return credited

    def _ignore(self, transfer: ItemTransfer, why: str) -> None:
        self._ignored += 1
        log.warning("NFT transfer in %s (#%d x%d to %s) not credited: %s", transfer.tx_hash,
                    transfer.token_id, transfer.quantity, transfer.to, why)  # fmt: skip
