"""Custody put together: the chain node (the embedded anvil in the sandbox, any EVM node
over JSON-RPC otherwise), the keys, the deposit watcher crediting the ledger, the
withdrawal sender, and what the wallet endpoints and pages ask of them.

Everything that changes balances goes through the engine as journaled commands
(`CreditDeposit`, `RequestWithdrawal`, ...); what this module keeps on disk is the chain's
side only: deposit addresses and deposits seen (`deposit_store.py`), transactions signed
(`outgoing_store.py`), the keys (`chain/signer.py`) and, in the sandbox, the addresses of
the tokens it deployed. A chain node that is down pauses deposits and withdrawals; trading
never waits for it.
"""

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import msgspec
from web3 import Web3
from web3.providers import HTTPProvider
from web3.types import TxParams, Wei

from assetport.api.engine_link import LocalEngine
from assetport.chain.addresses import (
    Address,
    InvalidAddress,
    parse_address,
    to_bech32,
    to_checksum,
)
from assetport.chain.anvil import Anvil
from assetport.chain.contracts import asset_token, deploy_asset_token, transact
from assetport.chain.signer import LocalSigner
from assetport.custody.config import ChainConfig, CustodyAsset
from assetport.custody.deposit_store import Deposit, DepositStore
from assetport.custody.networks import ChainAsset
from assetport.custody.nft_book import NftBookReader
from assetport.custody.nft_sender import NftSender
from assetport.custody.nft_store import NftStore
from assetport.custody.nft_watcher import NftDepositWatcher
from assetport.custody.outgoing_store import OutgoingStore, Purpose
from assetport.custody.sender import EngineLinkSink, OutcomeExecutor, ToSend, WithdrawalSender
from assetport.custody.sweeper import Sweeper
from assetport.custody.watcher import DepositWatcher
from assetport.domain.commands import (
    AddWithdrawalAddress,
    Command,
    CreditDeposit,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
    WithdrawNft,
)
from assetport.domain.events import Event, NftWithdrawalRequested, refusal
from assetport.domain.results import RejectReason
from assetport.store.history import History

log = logging.getLogger(__name__)

CUSTODY_DIR: Final = "custody"
CHAIN_DIR: Final = "chain"  # the embedded node's state
APPLIED_RULES: Final = "applied-rules.json"
DEMO_CONTRACTS: Final = "demo-contracts.json"
WATCH_S: Final = 0.5
CONNECT_RETRY_S: Final = 3.0
SWEEP_S: Final = 1.0
# Our clock and the chain's may differ: watch from a little before the store was made.
CLOCK_SKEW_S: Final = 600
SEND_S: Final = 0.5
DEMO_BLOCK_TIME_S: Final = 1
# What the sandbox's hot wallet starts with, so that withdrawals can be paid at once.
DEMO_HOT_ETH_WEI: Final = 1_000 * 10**18
DEMO_HOT_TOKENS: Final = 1_000_000
# What the sandbox's chain faucet sends to a learner's deposit address.
FAUCET_ETH_WEI: Final = 10**18
FAUCET_TOKENS: Final = 100


class CustodyRefused(Exception):
    """The engine refused a custody command: `reason` says why (the API maps it)."""

    def __init__(self, reason: RejectReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class DepositAddress:
    address: str  # EIP-55
    bech32: str


class Custody:
    """One chain's custody for the gateway. Made by `open`, stopped by `close`.

    What needs only the disk (keys, stores, deposit addresses, the rules journaled) is
    ready when `open` returns; what needs the node (its chain id, the sandbox's tokens,
    the watcher and the sender) starts once the node answers, retried until it does, so a
    node that is down when the exchange starts pauses custody, never the exchange."""

    def __init__(
        self,
        data_dir: Path,
        config: ChainConfig,
        engine: EngineLinkSink,
        history: History | None,
        rpc_url: str,
        signer: LocalSigner,
        deposits: DepositStore,
        node: Anvil | None,
        nft_book: NftBookReader | None = None,
    ) -> None:
        """`nft_book`: the NFT market as custody reads it (None: items do not go on chain)."""
        self.data_dir = data_dir
        self.config = config
        self.engine = engine
        self.history = history
        self.rpc_url = rpc_url
        self.signer = signer
        self.deposits = deposits
        self.node = node
        self.sandbox = node is not None
        self.assets: dict[str, ChainAsset] = {a.chain.asset: a.chain for a in config.assets}
        self.outgoing = OutgoingStore.open(data_dir)
        self.watcher: DepositWatcher | None = None
        self.sender: WithdrawalSender | None = None
        self.sweeper: Sweeper | None = None
        self.nft_book = nft_book
        self.nft_store = NftStore.open(data_dir) if nft_book is not None else None
        self.nft_sender: NftSender | None = None
        self.nft_watcher: NftDepositWatcher | None = None
        self.connect_error: str | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ life

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        config: ChainConfig,
        engine: OutcomeExecutor,
        history: History | None,
        *,
        rpc_url: str | None,
    ) -> "Custody":
        """Start custody: the embedded node when no `rpc_url` is given (the sandbox), the
        keys, the stores; journal the withdrawal rules the engine lacks; then, in the
        background, connect to the node and start watching and sending."""
        custody_dir = data_dir / CUSTODY_DIR
        custody_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        node: Anvil | None = None
        url = rpc_url or config.rpc_url
        if url is not None and any(asset.deploy for asset in config.assets):
            # Only the sandbox's own chain deploys tokens: a real chain names its contracts.
            raise ValueError('chain.assets: contract = "deploy" needs the embedded node')
        if url is None:
            # Automining while the sandbox's chain is prepared (a block per transaction),
            # then a block a second, as a real chain makes them.
            node = await asyncio.to_thread(Anvil.start, data_dir / CHAIN_DIR)
            url = node.url
        try:
            signer = await asyncio.to_thread(LocalSigner.open, data_dir)
            deposits = DepositStore.open(data_dir, signer.deposit_xpub())
        except BaseException:
            if node is not None:
                node.stop()
            raise
        nft_book = _nft_book_of(engine)
        custody = cls(
            data_dir, config, EngineLinkSink(engine), history, url, signer, deposits, node,
            nft_book,
        )  # fmt: skip
        try:
            await custody._journal_rules()
            if node is not None:
                # The sandbox's own node is up: its tokens exist before the first request.
                await custody._connect()
        except BaseException:
            await custody.close()
            raise
        custody._tasks.append(asyncio.get_running_loop().create_task(custody._run()))
        return custody

    async def _connect(self) -> None:
        """What needs the node: its chain id, the sandbox's tokens, where to watch from;
        then the watcher and the sender."""
        if self.watcher is not None:
            return
        url, config = self.rpc_url, self.config
        if self.node is not None:
            prepare = _prepare_sandbox_chain
            config = await asyncio.to_thread(prepare, url, config, self.signer, self.data_dir)
            self.config = config
            self.assets = {a.chain.asset: a.chain for a in config.assets}
        chain_id = await asyncio.to_thread(_chain_id, url)
        # A new store on a real chain watches from the block of its making, not from
        # genesis (no deposit address is older); the sandbox's chain is short.
        start_block = 0
        if self.node is None and self.deposits.cursor(config.network) is None:
            since_s = self.deposits.created_ms() // 1000 - CLOCK_SKEW_S
            start_block = await asyncio.to_thread(_first_block_since, url, since_s)
        assets = list(self.assets.values())
        self.sender = WithdrawalSender(
            url, config.network, chain_id, self.assets, self.signer, self.outgoing,
            self.engine, self._to_send,
        )  # fmt: skip
        self.sweeper = Sweeper(
            self.data_dir, url, config, chain_id, self.signer, self.deposits, self.sender,
            self.outgoing,
        )  # fmt: skip
        self.watcher = DepositWatcher(
            url, config.network, assets, self.deposits, self._credit, start_block=start_block,
            is_own_transfer=self._is_gas_top_up,
        )  # fmt: skip
        self._connect_nft(chain_id, start_block)

    def _connect_nft(self, chain_id: int, start_block: int) -> None:
        """Items to and from the chain: the sender pays its gas from the hot wallet (as the
        sweeps do), so it needs the coin sender and the chain's native coin."""
        book, store, sender = self.nft_book, self.nft_store, self.sender
        natives = [a for a in self.assets.values() if a.contract is None]
        if book is None or store is None or sender is None or not natives:
            return
        network = self.config.network
        confirmations = natives[0].confirmations
        self.nft_sender = NftSender(
            self.rpc_url, network, chain_id, self.signer, store, self.engine, book,
            book.changed, sender, self.outgoing, natives[0].asset, self.deposits.addresses,
            confirmations=confirmations,
        )  # fmt: skip
        self.nft_watcher = NftDepositWatcher(
            self.rpc_url, network, store, self.engine, book, self.deposits.addresses,
            confirmations=confirmations, start_block=start_block,
        )  # fmt: skip

    def _is_gas_top_up(self, tx_hash: str) -> bool:
        return self.outgoing.purpose_of(tx_hash) is Purpose.GAS

    async def _run(self) -> None:
        while self.watcher is None and not self._stop.is_set():
            try:
                await self._connect()
                self.connect_error = None
            except Exception as failure:  # the node is down or not an EVM node yet
                self.connect_error = f"{type(failure).__name__}: cannot reach the chain node"
                log.warning("custody waits for the chain node: %s", type(failure).__name__)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), CONNECT_RETRY_S)
        if self.watcher is None or self.sender is None or self.sweeper is None:
            return
        running = [self.watcher.run(self._stop, WATCH_S)]
        if self.history is not None:  # the sender reads what to send from the SQL history
            running.append(self.sender.run(self._stop, SEND_S))
            # Sweeps need the sender: the gas for a token sweep leaves from the hot wallet.
            running.append(self.sweeper.run(self._stop, SWEEP_S))
            if self.nft_sender is not None and self.nft_watcher is not None:
                running.append(self.nft_sender.run(self._stop, SEND_S))
                running.append(self.nft_watcher.run(self._stop, WATCH_S))
        await asyncio.gather(*running)

    async def close(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)
        if self.sender is not None:
            await self.sender.close()
        if self.sweeper is not None:
            await self.sweeper.close()
        if self.nft_sender is not None:
            await self.nft_sender.close()
        if self.nft_watcher is not None:
            await self.nft_watcher.close()
        if self.nft_store is not None:
            self.nft_store.close()
        self.outgoing.close()
        self.deposits.close()
        if self.node is not None:
            await asyncio.to_thread(self.node.stop)

    async def _journal_rules(self) -> None:
        """The policy and each asset's withdrawal rules, journaled when they differ from
        what was journaled last (recorded beside the stores), so a restart adds nothing."""
        path = self.data_dir / CUSTODY_DIR / APPLIED_RULES
        wanted = {
            "policy": msgspec.to_builtins(self.config.policy),
            "rules": [msgspec.to_builtins(a.rules) for a in self.config.assets],
        }
        try:
            applied = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            applied = None
        if applied == wanted:
            return
        await self._must(SetCustodyPolicy(self.config.policy))
        for asset in self.config.assets:
            await self._must(SetWithdrawalRules(asset.rules))
        path.write_text(json.dumps(wanted, sort_keys=True) + "\n", encoding="utf-8")

    async def _must(self, command: Command) -> None:
        rejected = _rejection(await self._execute(command))
        if rejected is not None:
            raise RuntimeError(f"the engine refused {command!r}: {rejected}")

    async def _execute(self, command: Command) -> Sequence[Event]:
        return await self.engine.execute(command)

    async def _to_send(self) -> list[ToSend]:
        """The sender's work, from the SQL read model (a moment behind the engine: the
        engine refuses a step taken twice, and the sender's own store keeps it once)."""
        history = self.history
        if history is None:
            return []
        rows = await asyncio.to_thread(history.withdrawals_to_send, self.config.network)
        return [
            ToSend(r.withdrawal_id, r.account, r.asset, r.address, r.amount, r.status.value,
                   r.tx_hash)
            for r in rows
        ]  # fmt: skip

    # ------------------------------------------------------------------ deposits

    async def _credit(self, deposit: Deposit) -> None:
        """The watcher's hand-off: credit the deposit through the journal, once."""
        command = CreditDeposit(
            deposit.account,
            deposit.asset,
            deposit.amount,
            deposit.network,
            deposit.tx_hash,
            deposit.log_index,
            deposit.address,
        )
        rejected = _rejection(await self._execute(command))
        if rejected is not None and rejected is not RejectReason.ALREADY_APPLIED:
            # Stays pending and is tried again at the next pass; an operator sees why.
            raise RuntimeError(f"the engine refused the credit of {deposit.key}: {rejected}")

    def deposit_address(self, account: int) -> DepositAddress:
        address = self.deposits.assign_address(account)
        parsed = parse_address(address, self.config.bech32_prefix)
        return DepositAddress(address, to_bech32(parsed, self.config.bech32_prefix))

    def head(self) -> int:
        head = None if self.watcher is None else self.watcher.status().get("head")
        return head if isinstance(head, int) else 0

    def deposit_history(self, account: int) -> list[Deposit]:
        return self.deposits.history(account, self.head())

    # ------------------------------------------------------------------ withdrawals

    def parse_address(self, text: str) -> Address:
        """A withdrawal address in either form (0x or bech32); `InvalidAddress` says why
        not."""
        return parse_address(text, self.config.bech32_prefix)

    async def add_address(self, account: int, text: str, label: str) -> None:
        address = self.parse_address(text)
        command = AddWithdrawalAddress(account, self.config.network, address.hex, label)
        _raise_refusal(await self._execute(command))

    async def remove_address(self, account: int, text: str) -> None:
        address = self.parse_address(text)
        command = RemoveWithdrawalAddress(account, self.config.network, address.hex)
        _raise_refusal(await self._execute(command))

    async def request_withdrawal(
        self, account: int, asset: str, text: str, amount: int, client_ref: str
    ) -> str:
        """Hold the amount and fee for a withdrawal to `text`; its id."""
        address = self.parse_address(text)
        withdrawal_id = secrets.token_hex(16)
        command = RequestWithdrawal(
            account, asset, self.config.network, address.hex, amount, withdrawal_id, client_ref
        )
        _raise_refusal(await self._execute(command))
        return withdrawal_id

    async def withdraw_nft(
        self,
        account: int,
        collection: str,
        token_id: int,
        quantity: int,
        text: str,
        ref: str,
    ) -> int:
        """Set aside `quantity` units of an item for a withdrawal to `text` (0x or bech32);
        the withdrawal's id. `CustodyRefused` says why not."""
        address = self.parse_address(text)
        command = WithdrawNft(
            account, collection, token_id, quantity, self.config.network,
            to_checksum(address), ref,
        )  # fmt: skip
        events = await self._execute(command)
        _raise_refusal(events)
        if self.nft_book is not None:
            self.nft_book.changed()
        return next(e.withdrawal_id for e in events if isinstance(e, NftWithdrawalRequested))

    # ------------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        return {
            "network": self.config.network,
            "sandbox": self.sandbox,
            "hot_wallet": str(self.signer.address("hot")),
            "connect_error": self.connect_error,
            "watcher": None if self.watcher is None else self.watcher.status(),
            "sender": None if self.sender is None else self.sender.status(),
            "sweeper": None if self.sweeper is None else self.sweeper.status(),
            "nft_sender": None if self.nft_sender is None else self.nft_sender.status(),
            "nft_watcher": None if self.nft_watcher is None else self.nft_watcher.status(),
        }

    # ------------------------------------------------------------------ sandbox

    async def faucet(self, account: int, asset: str) -> str:
        """Send test funds from the embedded chain's faucet account to `account`'s deposit
        address (the sandbox only): the learner then sees a deposit arrive. The hash."""
        if self.node is None:
            raise RuntimeError("the chain faucet exists only in the sandbox")
        chain = self.assets.get(asset)
        if chain is None:
            raise InvalidAddress(f"{asset} is not on this chain")
        to = self.deposit_address(account).address
        return await asyncio.to_thread(_faucet_send, self.rpc_url, chain, to)


def _nft_book_of(engine: OutcomeExecutor) -> NftBookReader | None:
    """The NFT market read from the engine of this process (custody runs beside it)."""
    if not isinstance(engine, LocalEngine):
        return None
    book = NftBookReader(engine.service.engine.nft_state)
    engine.on_applied.append(book.on_applied)
    return book


def _rejection(events: Sequence[Event]) -> RejectReason | None:
    refused = refusal(events)
    return None if refused is None else refused.reason


def _raise_refusal(events: Sequence[Event]) -> None:
    refused = refusal(events)
    if refused is not None:
        raise CustodyRefused(refused.reason)


def _web3(url: str) -> Web3:
    return Web3(HTTPProvider(url, request_kwargs={"timeout": 10}))


def _prepare_sandbox_chain(
    url: str, config: ChainConfig, signer: LocalSigner, data_dir: Path
) -> ChainConfig:
    """The sandbox's chain, made once: its tokens deployed from the node's first dev
    account (the faucet, which may mint them), the hot wallet funded. The tokens'
    addresses are kept beside the stores; a node whose state was lost deploys again."""
    w3 = _web3(url)
    faucet = w3.eth.accounts[0]
    path = data_dir / CUSTODY_DIR / DEMO_CONTRACTS
    try:
        known: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    hot = str(signer.address("hot"))
    assets: list[CustodyAsset] = []
    changed = False
    for asset in config.assets:
        if not asset.deploy:
            assets.append(asset)
            continue
        code = asset.chain.asset
        address = known.get(code)
        if address is None or w3.eth.get_code(Web3.to_checksum_address(address)) == b"":
            address = deploy_asset_token(
                w3, faucet, f"{code} (sandbox)", code, asset.chain.chain_decimals,
                roles=("MINTER_ROLE",),
            )  # fmt: skip
            known[code] = address
            changed = True
            token = asset_token(w3, address)
            amount = DEMO_HOT_TOKENS * 10**asset.chain.chain_decimals
            transact(w3, faucet, token.functions.mint(hot, amount))
        chain = replace(asset.chain, contract=address.lower())
        assets.append(replace(asset, chain=chain, deploy=False))
    if w3.eth.get_balance(Web3.to_checksum_address(hot)) == 0:
        funding: TxParams = {"from": faucet, "to": Web3.to_checksum_address(hot)}
        funding["value"] = Wei(DEMO_HOT_ETH_WEI)
        w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(funding), timeout=30)
    if changed:
        path.write_text(json.dumps(known, sort_keys=True) + "\n", encoding="utf-8")
    w3.provider.make_request("evm_setIntervalMining", [DEMO_BLOCK_TIME_S])  # type: ignore[arg-type]
    return replace(config, assets=tuple(assets))


def _chain_id(url: str) -> int:
    return int(_web3(url).eth.chain_id)


def _first_block_since(url: str, since_s: int) -> int:
    """The first block whose time is `since_s` or later (the head's number when none is),
    found by bisection: block times never go backwards."""
    w3 = _web3(url)
    low, high = 0, int(w3.eth.block_number)
    while low < high:
        middle = (low + high) // 2
        if int(w3.eth.get_block(middle)["timestamp"]) >= since_s:
            high = middle
        else:
            low = middle + 1
    return low


def _faucet_send(url: str, chain: ChainAsset, to: str) -> str:
    w3 = _web3(url)
    faucet = w3.eth.accounts[0]
    if chain.contract is None:
        payment: TxParams = {"from": faucet, "to": Web3.to_checksum_address(to)}
        payment["value"] = Wei(FAUCET_ETH_WEI)
        return "0x" + bytes(w3.eth.send_transaction(payment)).hex()
    token = asset_token(w3, chain.contract)
    amount = FAUCET_TOKENS * 10**chain.chain_decimals
    call = token.functions.mint(Web3.to_checksum_address(to), amount)
    receipt = transact(w3, faucet, call)
    return "0x" + bytes(receipt["transactionHash"]).hex()
