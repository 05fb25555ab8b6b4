"""The deposit watcher: follows one EVM chain over JSON-RPC and credits what reaches the
deposit addresses once it has its confirmations.

One pass (`poll`):

1. the head block number;
2. the reorganization check: the kept hashes of the recent blocks are compared with the
   chain's; on a difference the watcher walks back to the last block both agree on and
   forgets everything above it (`DepositStore.forget_above`), then scans again from there;
3. the new blocks, in windows of `window_blocks`: native-coin transfers from the block
   bodies (to a deposit address, value > 0, and a successful receipt, fetched only for
   those), and ERC-20 `Transfer` logs queried per token contract and matched here; each
   window is stored with its block hashes and the cursor in one transaction, so a restart
   resumes after the last window stored;
4. every pending deposit with its confirmations (head - block + 1) is handed to `credit`
   and marked CREDITED only after `credit` returned. The engine's command is idempotent
   by (network, tx hash, log index): a crash between the two credits nothing twice.

`Transfer` logs are decoded from their topics and data directly (web3's event decoding
costs ~4x the query itself). Only top-level transfers are seen: ETH sent to a deposit
address by a contract's internal call has no transaction or log of its own.

`run` polls until stopped. A node that is down, slow or answering errors pauses the
watcher (`status()` says so, with the error, never the URL's credentials) and it resumes
when the node is back; nothing raises out of `run`.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp
import msgspec

from assetport.chain.contracts import TRANSFER_TOPIC
from assetport.chain.node_url import redact_url
from assetport.custody.deposit_store import (
    NATIVE_LOG_INDEX,
    AlarmKind,
    Deposit,
    DepositStatus,
    DepositStore,
    normal_address,
)
from assetport.custody.networks import ChainAsset

log = logging.getLogger(__name__)

# Blocks and receipts fetched per JSON-RPC batch: big enough to amortise a round trip,
# small enough to stay within a node's batch limit and the call timeout.
RPC_BATCH: Final = 100
_RECEIPT_SUCCESS: Final = "0x1"
_UINT256_HEX: Final = 2 + 64
_ERC20_TOPICS: Final = 3  # Transfer(from, to, value): ERC-721's has its token id as a 4th


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error, or with something that is not an answer."""


class CreditFailed(RuntimeError):
    """The credit callback raised: the deposit stays pending and is tried next pass."""


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one pass did."""

    head: int
    scanned_from: int | None  # None: no new block
    scanned_to: int | None
    logs_scanned: int  # token Transfer logs read (for every contract), matched or not
    deposits_seen: int  # new deposits recorded (pending or below minimum)
    credited: list[Deposit] = field(default_factory=list)
    reorg_ancestor: int | None = None  # the last common block, when a reorg was found
    orphaned: int = 0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class _Rpc:
    """JSON-RPC over one aiohttp session; every call bounded by the timeout."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = url
        self._id = 0
        self._decoder = msgspec.json.Decoder()

    async def _post(self, body: object) -> Any:
        async with self._session.post(
            self._url,
            data=msgspec.json.encode(body),
            headers={"Content-Type": "application/json"},
        ) as response:
            if response.status != 200:
                raise RpcError(f"the node answered HTTP {response.status}")
            return self._decoder.decode(await response.read())

    async def call(self, method: str, params: Sequence[object]) -> Any:
        self._id += 1
        answer = await self._post({"jsonrpc": "2.0", "id": self._id, "method": method,
                                   "params": list(params)})  # fmt: skip
        return _result(method, answer)

    async def batch(self, method: str, calls: Sequence[Sequence[object]]) -> list[Any]:
        """`method` once per params list, in batches of `RPC_BATCH`; results in order."""
        results: list[Any] = []
        for start in range(0, len(calls), RPC_BATCH):
            chunk = calls[start : start + RPC_BATCH]
            first = self._id + 1
            self._id += len(chunk)
            body = [
                {"jsonrpc": "2.0", "id": first + i, "method": method, "params": list(params)}
                for i, params in enumerate(chunk)
            ]
            answers = await self._post(body)
            if not isinstance(answers, list) or len(answers) != len(chunk):
                raise RpcError(f"{method}: the node's batch answer does not match the request")
            by_id = {answer.get("id"): answer for answer in answers if isinstance(answer, dict)}
            for i in range(len(chunk)):
                results.append(_result(method, by_id.get(first + i)))
        return results


def _result(method: str, answer: Any) -> Any:
    if not isinstance(answer, dict):
        raise RpcError(f"{method}: no answer")
    error = answer.get("error")
    if error is not None:
        message = error.get("message", "") if isinstance(error, dict) else str(error)
        raise RpcError(f"{method}: {str(message)[:200]}")
    return answer.get("result")


def _int(value: str) -> int:
    return int(value, 16)


class DepositWatcher:
    """Watches `network` at `rpc_url` for deposits of `assets` to the store's addresses
    and hands each to `credit` once it has the asset's confirmations."""

    def __init__(
        self,
        rpc_url: str,
        network: str,
        assets: list[ChainAsset],
        store: DepositStore,
        credit: Callable[[Deposit], Awaitable[None]],
        *,
        window_blocks: int = 500,
        rpc_timeout_s: float = 5.0,
        start_block: int = 0,
        clock: Callable[[], int] = _now_ms,
        is_own_transfer: Callable[[str], bool] = lambda tx_hash: False,
    ) -> None:
        """`is_own_transfer(tx_hash)`: a native transfer the platform itself sent to a
        deposit address (the sweeper's gas for a token sweep), which is not a deposit."""
        if window_blocks < 1:
            raise ValueError("a scan window is at least one block")
        natives = [asset for asset in assets if asset.contract is None]
        if len(natives) > 1:
            raise ValueError(f"{network} has one native coin, not {len(natives)}")
        self._url = rpc_url
        self.network = network
        self._is_own_transfer = is_own_transfer
        self._native = natives[0] if natives else None
        self._tokens = {
            normal_address(asset.contract): asset for asset in assets if asset.contract is not None
        }
        self._assets = {asset.asset: asset for asset in assets}
        self._store = store
        self._credit = credit
        self._window = window_blocks
        self._timeout = aiohttp.ClientTimeout(total=rpc_timeout_s)
        self._start_block = start_block
        self._clock = clock
        self._rpc: _Rpc | None = None
        self._addresses: dict[str, int] = {}
        self._addresses_version = -1
        self._up: bool | None = None
        self._head: int | None = None
        self._last_error: str | None = None
        self._last_poll_ms: int | None = None

    def __repr__(self) -> str:
        return f"DepositWatcher({self.network} at {redact_url(self._url)})"

    # -- running ------------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        """For operators and the health endpoint: is the node reachable, where the chain
        and the watcher are, and the last error (without credentials)."""
        state = {None: "starting", True: "up", False: "down"}[self._up]
        return {
            "network": self.network,
            "node": redact_url(self._url),
            "state": state,
            "head": self._head,
            "cursor": self._store.cursor(self.network),
            "last_poll_ms": self._last_poll_ms,
            "last_error": self._last_error,
        }

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Poll every `interval_s` until `stop` is set. A failing node or a failing
        credit pauses the watcher until the next pass; nothing raises out of here."""
        while not stop.is_set():
            try:
                async with self._connected():
                    while not stop.is_set():
                        await self._guarded_poll()
                        await _wait(stop, interval_s)
            except Exception as failure:  # a session that cannot even open: try again
                self._note_failure(failure)
                await _wait(stop, interval_s)

    async def _guarded_poll(self) -> None:
        try:
            await self.poll()
        except asyncio.CancelledError:
            raise
        except Exception as failure:
            self._note_failure(failure)

    def _note_failure(self, failure: BaseException) -> None:
        was_up = self._up
        self._up = False
        self._last_error = self._describe(failure)
        if was_up is not False:
            log.warning("deposit watcher %s paused: %s", self.network, self._last_error)

    def _describe(self, failure: BaseException) -> str:
        if isinstance(failure, TimeoutError):
            text = "the node did not answer in time"
        elif isinstance(failure, aiohttp.ClientConnectionError):
            text = f"cannot reach the node ({type(failure).__name__})"
        else:
            text = f"{type(failure).__name__}: {failure}"
        # Whatever the message carried, the configured URL (and its secrets) stays out.
        return text.replace(self._url, redact_url(self._url))[:300]

    @asynccontextmanager
    async def _connected(self) -> AsyncIterator[_Rpc]:
        if self._rpc is not None:
            yield self._rpc
            return
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            self._rpc = _Rpc(session, self._url)
            try:
                yield self._rpc
            finally:
                self._rpc = None

    # -- one pass -----------------------------------------------------------------------

    async def poll(self) -> PollReport:
        """One pass: reorg check, scan of the new blocks, credits. Raises what the node
        raised (`run` catches it); what was stored before stays stored."""
        async with self._connected() as rpc:
            report = await self._poll(rpc)
        was_down = self._up is False
        self._up = True
        self._last_error = None
        self._last_poll_ms = self._clock()
        if was_down:
            log.warning("deposit watcher %s resumed at block %d", self.network, report.head)
        return report

    async def _poll(self, rpc: _Rpc) -> PollReport:
        head = _int(await rpc.call("eth_blockNumber", []))
        self._head = head
        ancestor, orphaned = await self._check_reorg(rpc, head)
        self._reload_addresses()
        cursor = self._store.cursor(self.network)
        first = self._start_block if cursor is None else cursor + 1
        logs_scanned = seen = 0
        start = first
        # A new store keeps the hash of the block before its first too: a reorg of that
        # first block then has a common ancestor to go back to.
        parent = first - 1 if cursor is None and first > 0 else None
        while start <= head:
            end = min(start + self._window - 1, head)
            scanned, new = await self._scan_window(rpc, start, end, head, parent)
            parent = None
            logs_scanned += scanned
            seen += new
            start = end + 1
        credited = await self._credit_confirmed(head)
        scanned_any = first <= head
        return PollReport(
            head=head,
            scanned_from=first if scanned_any else None,
            scanned_to=head if scanned_any else None,
            logs_scanned=logs_scanned,
            deposits_seen=seen,
            credited=credited,
            reorg_ancestor=ancestor,
            orphaned=orphaned,
        )

    async def _check_reorg(self, rpc: _Rpc, head: int) -> tuple[int | None, int]:
        """Compare the kept hashes with the chain's; on a difference forget the blocks
        above the last common one. Returns (that block, deposits orphaned)."""
        kept = self._store.recent_blocks(self.network)
        if not kept:
            return None, 0
        top = max(kept)
        if top <= head:
            block = await rpc.call("eth_getBlockByNumber", [hex(top), False])
            if block is not None and block["hash"] == kept[top]:
                return None, 0
        # The newest kept block changed, or the chain is now shorter: walk back.
        numbers = sorted((n for n in kept if n <= head), reverse=True)
        blocks = await rpc.batch("eth_getBlockByNumber", [[hex(n), False] for n in numbers])
        ancestor = None
        for number, block in zip(numbers, blocks, strict=True):
            if block is not None and block["hash"] == kept[number]:
                ancestor = number
                break
        now = self._clock()
        if ancestor is None:
            # Forked below every hash kept: rescan from the oldest one; deposits deeper
            # than that are beyond what this watcher can check.
            ancestor = min(kept) - 1
            self._store.raise_alarm(
                self.network,
                AlarmKind.REORG_DEEPER_THAN_KEPT,
                ancestor,
                f"the chain differs at every one of the last {len(kept)} blocks kept",
                now,
            )
        outcome = self._store.forget_above(self.network, ancestor, now)
        log.warning(
            "chain reorganization on %s above block %d: %d pending deposits orphaned, "
            "%d credited ones moved",
            self.network,
            ancestor,
            outcome.orphaned,
            outcome.credited_reorged,
        )
        return ancestor, outcome.orphaned

    def _reload_addresses(self) -> None:
        version = self._store.addresses_version()
        if version != self._addresses_version:
            self._addresses = self._store.addresses()
            self._addresses_version = version

    async def _scan_window(
        self, rpc: _Rpc, start: int, end: int, head: int, parent: int | None
    ) -> tuple[int, int]:
        now = self._clock()
        found: list[Deposit] = []
        hashes: dict[int, str] = {}
        logs_scanned = 0
        if self._native is not None:
            found += await self._native_deposits(rpc, self._native, start, end, hashes, now)
        # Only the last `reorg_depth` hashes are kept: fetch those the bodies did not give,
        # before the logs, so a reorg in between shows (below) or is seen next pass.
        missing = [n for n in range(max(start, end - self._store.reorg_depth + 1), end + 1)
                   if n not in hashes]  # fmt: skip
        if parent is not None:
            missing.insert(0, parent)
        if missing:
            headers = await rpc.batch("eth_getBlockByNumber", [[hex(n), False] for n in missing])
            for number, header in zip(missing, headers, strict=True):
                if header is None:
                    raise RpcError(f"block {number} is missing below the head {head}")
                hashes[number] = header["hash"]
        for contract, asset in self._tokens.items():
            logs = await rpc.call(
                "eth_getLogs",
                [
                    {
                        "fromBlock": hex(start),
                        "toBlock": hex(end),
                        "address": contract,
                        "topics": [TRANSFER_TOPIC],
                    }
                ],
            )
            logs_scanned += len(logs)
            found += self._token_deposits(asset, logs, now)
        # A reorg between the queries of this window shows as a deposit whose block hash is
        # not the one kept: store nothing, the next pass sees the reorg and starts again.
        for deposit in found:
            kept = hashes.get(deposit.block_number)
            if kept is not None and kept != deposit.block_hash:
                raise RpcError(f"block {deposit.block_number} changed during the scan")
        new = self._store.store_window(self.network, end, hashes, found)
        return logs_scanned, new

    async def _native_deposits(
        self,
        rpc: _Rpc,
        asset: ChainAsset,
        start: int,
        end: int,
        hashes: dict[int, str],
        now: int,
    ) -> list[Deposit]:
        numbers = list(range(start, end + 1))
        blocks = await rpc.batch("eth_getBlockByNumber", [[hex(n), True] for n in numbers])
        matches: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for number, block in zip(numbers, blocks, strict=True):
            if block is None:
                raise RpcError(f"block {number} is missing")
            hashes[number] = block["hash"]
            for tx in block["transactions"]:
                to = tx.get("to")
                if (
                    to is not None
                    and to.lower() in self._addresses
                    and _int(tx["value"]) > 0
                    and not self._is_own_transfer(tx["hash"])
                ):
                    matches.append((block, tx))
        if not matches:
            return []
        receipts = await rpc.batch("eth_getTransactionReceipt", [[tx["hash"]] for _, tx in matches])
        found = []
        for (block, tx), receipt in zip(matches, receipts, strict=True):
            if receipt is None or receipt.get("status") != _RECEIPT_SUCCESS:
                continue  # reverted: the value never moved
            if receipt.get("blockHash") != block["hash"]:
                raise RpcError(f"block {_int(block['number'])} changed during the scan")
            found.append(
                self._deposit(
                    asset,
                    tx["hash"],
                    NATIVE_LOG_INDEX,
                    _int(block["number"]),
                    block["hash"],
                    tx["to"].lower(),
                    _int(tx["value"]),
                    now,
                )
            )
        return found

    def _token_deposits(
        self, asset: ChainAsset, logs: list[dict[str, Any]], now: int
    ) -> list[Deposit]:
        found = []
        addresses = self._addresses
        for entry in logs:
            topics = entry["topics"]
            if len(topics) != _ERC20_TOPICS or entry.get("removed"):
                continue
            to = "0x" + topics[2][-40:].lower()
            data = entry["data"]
            if to not in addresses or len(data) != _UINT256_HEX:
                continue
            found.append(
                self._deposit(
                    asset,
                    entry["transactionHash"],
                    _int(entry["logIndex"]),
                    _int(entry["blockNumber"]),
                    entry["blockHash"],
                    to,
                    int(data, 16),
                    now,
                )
            )
        return [deposit for deposit in found if deposit.raw_amount > 0]

    def _deposit(
        self,
        asset: ChainAsset,
        tx_hash: str,
        log_index: int,
        block_number: int,
        block_hash: str,
        address: str,
        raw: int,
        now: int,
    ) -> Deposit:
        amount, dust = asset.to_ledger_units(raw)
        # Below the minimum (or all dust): recorded for the user to see, never credited.
        enough = amount > 0 and amount >= asset.min_deposit
        return Deposit(
            network=self.network,
            tx_hash=tx_hash.lower(),
            log_index=log_index,
            block_number=block_number,
            block_hash=block_hash,
            address=address,
            account=self._addresses[address],
            asset=asset.asset,
            raw_amount=raw,
            amount=amount,
            dust=dust,
            status=DepositStatus.PENDING if enough else DepositStatus.BELOW_MINIMUM,
            seen_at_ms=now,
        )

    async def _credit_confirmed(self, head: int) -> list[Deposit]:
        credited = []
        for deposit in self._store.pending(self.network, head):
            asset = self._assets.get(deposit.asset)
            if asset is None or deposit.confirmations < asset.confirmations:
                continue
            try:
                await self._credit(deposit)
            except Exception as failure:
                raise CreditFailed(
                    f"crediting {deposit.tx_hash}/{deposit.log_index}: "
                    f"{type(failure).__name__}: {failure}"
                ) from failure
            if self._store.mark_credited(deposit.key, self._clock()):
                credited.append(deposit)
        return credited


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
