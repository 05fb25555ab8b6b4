"""The NFT sender: moves withdrawn items to their holders' own wallets, exactly once on chain.

Each pending withdrawal (`NftBook`, from the engine) goes out as one or more *legs*, one
transaction each, planned one at a time, each signed and stored (`nft_store.py`) *before* it
is broadcast:

1. the collection's contract, the first time one of its items leaves: deployed by the NFT
   custody key (admin and minter), its EIP-2981 royalty the collection's whole royalty paid
   to the platform's royalty address (the hot wallet), then journaled (`SetNftContract`);
2. ERC-721: minted to the recipient when it never was (`ownerOf` refuses it), else sent on
   by the platform's deposit address that holds it (an item deposited back), signed by that
   address's key; ERC-1155: units sent on from the platform's deposit addresses that hold
   some, the rest minted (never more minted than the item's supply);
3. once every unit went out and the last leg has its confirmations:
   `CompleteNftWithdrawal(tx_hash)`; a leg the contract refuses before any unit went
   (a revert, a recipient that cannot take the token) → `FailNftWithdrawal` and the units
   are the holder's again.

The NFT custody key is HD key `deposit/NFT_KEY_INDEX` of the custody's seed: an index no
account reaches, so its nonces are its own, apart from the hot wallet's (the coin
withdrawals') and the deposit addresses'. Its gas, and a deposit address's gas for a
transfer, come from the hot wallet as GAS transactions (`WithdrawalSender.send_from_hot`),
as the sweeps' do. A deposit address also signs its sweeps (`sweeper.py`): its nonce is
taken past both the node's pending count and every nonce signed here.

`run` loops over `step`; a node that is down pauses it and `status()` says why.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from eth_abi.abi import decode as abi_decode
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from assetport.chain.addresses import Address, to_checksum
from assetport.chain.contracts import artifact, describe_revert
from assetport.chain.hd import MAX_INDEX
from assetport.chain.signer import HOT, Signer, deposit_key_id
from assetport.custody.nft_book import NftBook, PendingNft
from assetport.custody.nft_store import CONFIRMED, REVERTED, Leg, LegKind, NftStore
from assetport.custody.node_rpc import NodeError, NodeRpc, quantity, revert_data
from assetport.custody.outgoing_store import OutgoingState, OutgoingStore, Purpose
from assetport.custody.sender import (
    GAS_MARGIN_PERCENT,
    REVERTED_ON_CHAIN,
    CommandSink,
    WithdrawalSender,
)
from assetport.custody.transactions import broadcast, fees, follow
from assetport.domain.commands import (
    CompleteNftWithdrawal,
    FailNftWithdrawal,
    SetNftContract,
)
from assetport.domain.events import Event, refusal
from assetport.domain.nft.collections import Standard
from assetport.domain.results import RejectReason

log = logging.getLogger(__name__)

NFT_KEY_INDEX: Final = MAX_INDEX  # accounts are numbered from 1000 up, in order
NFT_KEY: Final = deposit_key_id(NFT_KEY_INDEX)
# Gas rounds for one leg (fees may rise between a top-up and the signing) before giving up.
GAS_ROUNDS: Final = 100
_NONEXISTENT: Final = keccak(text="ERC721NonexistentToken(uint256)")[:4]
_CONTRACTS: Final = {Standard.ERC721: "CollectionItems721", Standard.ERC1155: "CollectionItems1155"}


@cache
def _abi_of(standard: Standard) -> type[Contract]:
    """The collection's contract for encoding calls (no node behind it)."""
    compiled = artifact(_CONTRACTS[standard])
    return Web3().eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)


@dataclass(slots=True)
class NftStepReport:
    signed: int = 0
    completed: int = 0
    failed: int = 0
    confirmed: int = 0
    held_back: dict[int, str] = field(default_factory=dict)

    @property
    def moved(self) -> bool:
        return any((self.signed, self.completed, self.failed, self.confirmed))


@dataclass(frozen=True, slots=True)
class _Plan:
    """The next transaction of a withdrawal: `data` to `to` (None: a deployment), signed by
    key `key_id` at `sender`."""

    kind: LegKind
    key_id: str
    sender: str
    to: str | None
    data: str
    quantity: int


class NftSender:
    """Sends the pending item withdrawals of one network (see the module)."""

    def __init__(
        self,
        rpc_url: str,
        network: str,
        chain_id: int,
        signer: Signer,
        store: NftStore,
        engine: CommandSink,
        book: Callable[[], NftBook],
        changed: Callable[[], None],
        hot_sender: WithdrawalSender,
        outgoing: OutgoingStore,
        native_asset: str,
        deposit_accounts: Callable[[], dict[str, int]],
        *,
        confirmations: int = 1,
        rpc_timeout_s: float = 5.0,
    ) -> None:
        """`book` reads the pending withdrawals and collections, `changed` tells it to read
        again; `deposit_accounts` maps each deposit address (lowercase) to its account."""
        self.network = network
        self.chain_id = chain_id
        self._signer = signer
        self._store = store
        self._engine = engine
        self._book = book
        self._changed = changed
        self._hot_sender = hot_sender
        self._outgoing = outgoing
        self._native = native_asset
        self._deposit_accounts = deposit_accounts
        self._confirmations = max(1, confirmations)
        self._rpc = NodeRpc(rpc_url, rpc_timeout_s)
        self.key_address = signer.address(NFT_KEY).hex
        self.royalty_receiver = signer.address(HOT).hex
        self._up: bool | None = None
        self._last_error: str | None = None
        self._held_back: dict[int, str] = {}

    async def close(self) -> None:
        await self._rpc.close()

    # ------------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event, interval_s: float = 1.0) -> None:
        while not stop.is_set():
            moved = False
            try:
                moved = (await self.step()).moved
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a node, engine or disk fault: paused, retried
                described = f"{type(exc).__name__}: {exc}"[:300]
                if described != self._last_error:
                    log.warning("NFT sender %s paused: %s", self.network, described)
                self._up = False
                self._last_error = described
            if not moved:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)

    def status(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "up": self._up,
            "last_error": self._last_error,
            "nft_key_address": to_checksum(_address(self.key_address)),
            "royalty_receiver": to_checksum(_address(self.royalty_receiver)),
            "legs": self._store.counts(self.network),
            "held_back": {str(k): v for k, v in self._held_back.items()},
        }

    async def step(self) -> NftStepReport:
        report = NftStepReport()
        for leg in self._store.sent(self.network):
            await self._follow(leg, report)
        book = self._book()
        for withdrawal in book.withdrawals:
            if withdrawal.network == self.network:
                await self._advance(book, withdrawal, report)
        self._held_back = dict(report.held_back)
        self._up = True
        self._last_error = None
        return report

    # ------------------------------------------------------------------ a withdrawal

    async def _advance(self, book: NftBook, w: PendingNft, report: NftStepReport) -> None:
        collection = book.collections.get(w.collection)
        if collection is None:
            return
        contract = book.contract(w.collection, self.network)
        if contract is None:
            contract = await self._contract_for(book, w, report)
            if contract is None:
                return
        legs = self._store.legs_of(self.network, w.withdrawal_id)
        if any(leg.state.value == "SENT" for leg in legs):
            return  # followed by `_follow`
        delivered = sum(leg.quantity for leg in legs if leg.confirmed)
        if legs and legs[-1].outcome == REVERTED:
            if delivered == 0:
                await self._fail(w, REVERTED_ON_CHAIN, report)
            else:
                report.held_back[w.withdrawal_id] = "a leg reverted after others went out"
            return
        if delivered >= w.quantity:
            await self._complete(w, legs[-1].tx_hash, report)
            return
        plan = await self._plan(book, w, contract, collection.standard, w.quantity - delivered)
        if isinstance(plan, str):
            report.held_back[w.withdrawal_id] = plan
            return
        leg_id = f"nft:{self.network}:{w.withdrawal_id}:{len(legs)}"
        await self._sign(leg_id, plan, w, contract, report)

    async def _contract_for(
        self, book: NftBook, w: PendingNft, report: NftStepReport
    ) -> str | None:
        """The collection's contract once deployed and journaled; deploys it the first time."""
        leg_id = f"deploy:{self.network}:{w.collection}"
        leg = self._store.leg(leg_id)
        if leg is None:
            collection = book.collections[w.collection]
            abi = _abi_of(collection.standard)
            key, receiver = _checksum(self.key_address), _checksum(self.royalty_receiver)
            bps = collection.royalty_bps
            base = f"/api/v1/nft/collections/{collection.code}/items/"
            if collection.standard is Standard.ERC721:
                symbol = collection.code.upper().replace("-", "")[:11]
                args: tuple[Any, ...] = (collection.name, symbol, base, receiver, bps, key, key)
            else:
                args = (base + "{id}", receiver, bps, key, key)
            data = abi.constructor(*args).data_in_transaction
            plan = _Plan(LegKind.DEPLOY, NFT_KEY, self.key_address, None, data, 0)
            await self._sign(leg_id, plan, None, "", report, collection=w.collection)
            return None
        if not leg.confirmed:
            if leg.outcome == REVERTED:
                report.held_back[w.withdrawal_id] = "deploying the collection's contract reverted"
            return None
        events = await self._engine.execute(SetNftContract(w.collection, self.network,
                                                           _checksum(leg.contract)))  # fmt: skip
        refused = refusal(events)
        if refused is not None:
            report.held_back[w.withdrawal_id] = f"the engine refuses the contract: {refused.reason}"
            return None
        log.info("collection %s deployed on %s at %s", w.collection, self.network, leg.contract)
        self._changed()
        return leg.contract

    async def _plan(
        self, book: NftBook, w: PendingNft, contract: str, standard: Standard, remaining: int
    ) -> _Plan | str:
        """The next leg, or why none can be signed now."""
        abi = _abi_of(standard)
        to = _checksum(w.address)
        accounts = self._deposit_accounts()
        if standard is Standard.ERC721:
            owner = await self._owner_of(contract, w.token_id)
            if owner is None:
                return self._mint_plan(abi, w, contract, to, 1, book)
            account = accounts.get(owner)
            if account is None:
                return f"ownerOf is {owner}, not an address of the platform's"
            data = abi.encode_abi("safeTransferFrom", args=[_checksum(owner), to, w.token_id])
            return _Plan(LegKind.TRANSFER, deposit_key_id(account), owner, contract, data, 1)
        for address, account in self._store.holders(self.network, contract, w.token_id):
            if accounts.get(address) != account:
                continue
            units = await self._balance_1155(contract, address, w.token_id)
            if units > 0:
                quantity = min(units, remaining)
                args = [_checksum(address), to, w.token_id, quantity, b""]
                data = abi.encode_abi("safeTransferFrom", args=args)
                return _Plan(LegKind.TRANSFER, deposit_key_id(account), address, contract, data,
                             quantity)  # fmt: skip
        return self._mint_plan(abi, w, contract, to, remaining, book)

    def _mint_plan(
        self,
        abi: type[Contract],
        w: PendingNft,
        contract: str,
        to: str,
        quantity: int,
        book: NftBook,
    ) -> _Plan | str:
        supply = book.supplies.get((w.collection, w.token_id), 0)
        if self._store.minted(self.network, w.collection, w.token_id) + quantity > supply:
            return "minting it would put more units on chain than the item's supply"
        if book.collections[w.collection].standard is Standard.ERC721:
            data = abi.encode_abi("mint", args=[to, w.token_id])
        else:
            data = abi.encode_abi("mint", args=[to, w.token_id, quantity])
        return _Plan(LegKind.MINT, NFT_KEY, self.key_address, contract, data, quantity)

    # ------------------------------------------------------------------ signing

    async def _sign(
        self,
        leg_id: str,
        plan: _Plan,
        w: PendingNft | None,
        contract: str,
        report: NftStepReport,
        *,
        collection: str = "",
    ) -> None:
        """Estimate, make sure the sender can pay the gas, sign, store, broadcast."""
        to = plan.to
        call: dict[str, Any] = {"from": plan.sender, "data": plan.data}
        if to:
            call["to"] = to
        try:
            estimate = quantity(await self._rpc.call("eth_estimateGas", call))
        except NodeError as refused:
            why = _described(refused)
            if w is None:
                log.error("deploying %s refused: %s", collection, why)
                return
            legs = self._store.legs_of(self.network, w.withdrawal_id)
            if not any(leg.confirmed for leg in legs):
                await self._fail(w, f"the contract refuses it: {why}", report)
            else:
                report.held_back[w.withdrawal_id] = f"the contract refuses it: {why}"
            return
        gas = estimate + estimate * GAS_MARGIN_PERCENT // 100
        max_fee, tip = await fees(self._rpc)
        if not await self._has_gas(plan.sender, gas * max_fee, leg_id):
            if w is not None:
                report.held_back[w.withdrawal_id] = f"waiting for gas at {plan.sender}"
            return
        pending = quantity(await self._rpc.call("eth_getTransactionCount", plan.sender, "pending"))
        nonce = max(pending, self._store.next_nonce(self.network, plan.sender))
        tx: dict[str, Any] = {
            "value": 0, "data": plan.data, "gas": gas, "type": 2, "chainId": self.chain_id,
            "nonce": nonce, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip,
        }  # fmt: skip
        if to:
            tx["to"] = _checksum(to)
        signed = self._signer.sign_transaction(plan.key_id, tx)
        if signed.sender.hex != plan.sender:
            raise RuntimeError(f"key {plan.key_id} does not sign for {plan.sender}")
        token_id = 0 if w is None else w.token_id
        leg = self._store.insert(
            Leg(leg_id, self.network, plan.kind, None if w is None else w.withdrawal_id,
                collection or (w.collection if w else ""), token_id, plan.quantity, plan.sender,
                (to or "").lower(), nonce, "0x" + signed.tx_hash.hex(), signed.raw,
                contract=contract.lower())
        )  # fmt: skip
        report.signed += 1
        log.info("NFT %s %s signed: %s", plan.kind.value.lower(), leg.id, leg.tx_hash)
        await broadcast(self._rpc, leg.raw, f"NFT leg {leg.id}")

    async def _has_gas(self, address: str, cost: int, leg_id: str) -> bool:
        """Whether `address` can pay `cost` now; if not, ask the hot wallet for twice it
        (one GAS transaction at a time per leg)."""
        balance = quantity(await self._rpc.call("eth_getBalance", address, "latest"))
        if balance >= cost:
            return True
        for round_ in range(GAS_ROUNDS):
            row_id = f"nftgas:{leg_id}:{round_}"
            row = self._outgoing.get(row_id)
            if row is None:
                await self._hot_sender.send_from_hot(
                    row_id, Purpose.GAS, self._native, _address(address), 2 * cost - balance
                )
                return False
            if row.state is not OutgoingState.DONE:
                return False  # on its way
        raise RuntimeError(f"{GAS_ROUNDS} rounds of gas for {leg_id} were not enough")

    async def _follow(self, leg: Leg, report: NftStepReport) -> None:
        what = f"NFT leg {leg.id}"
        settled = await follow(self._rpc, leg.tx_hash, leg.raw, self._confirmations, what)
        if settled is None:
            return
        succeeded = settled.succeeded
        self._store.mark_done(leg.id, settled.block, CONFIRMED if succeeded else REVERTED,
                              settled.created if succeeded else "")  # fmt: skip
        report.confirmed += 1
        log.info("NFT leg %s %s in block %d", leg.id, "confirmed" if succeeded else "reverted",
                 settled.block)  # fmt: skip

    # ------------------------------------------------------------------ the engine

    async def _complete(self, w: PendingNft, tx_hash: str, report: NftStepReport) -> None:
        events = await self._engine.execute(CompleteNftWithdrawal(w.withdrawal_id, tx_hash))
        self._note(w, events, "completed")
        report.completed += 1

    async def _fail(self, w: PendingNft, reason: str, report: NftStepReport) -> None:
        events = await self._engine.execute(FailNftWithdrawal(w.withdrawal_id, reason[:200]))
        self._note(w, events, f"failed: {reason}")
        report.failed += 1

    def _note(self, w: PendingNft, events: Sequence[Event], outcome: str) -> None:
        refused = refusal(events)
        if refused is not None and refused.reason is not RejectReason.UNKNOWN_NFT_WITHDRAWAL:
            raise RuntimeError(f"NFT withdrawal {w.withdrawal_id}: {refused.reason}")
        log.info("NFT withdrawal %d %s", w.withdrawal_id, outcome)
        self._changed()

    # ------------------------------------------------------------------ reads

    async def _owner_of(self, contract: str, token_id: int) -> str | None:
        data = _abi_of(Standard.ERC721).encode_abi("ownerOf", args=[token_id])
        try:
            answer = await self._rpc.call("eth_call", {"to": contract, "data": data}, "latest")
        except NodeError as refused:
            if revert_data(refused.data)[:4] == _NONEXISTENT:
                return None
            raise
        (owner,) = abi_decode(["address"], bytes.fromhex(str(answer)[2:]))
        return str(owner).lower()

    async def _balance_1155(self, contract: str, holder: str, token_id: int) -> int:
        data = _abi_of(Standard.ERC1155).encode_abi("balanceOf", args=[_checksum(holder), token_id])
        answer = await self._rpc.call("eth_call", {"to": contract, "data": data}, "latest")
        return int(str(answer), 16)


def _described(refused: NodeError) -> str:
    revert = revert_data(refused.data)
    described = describe_revert(revert) if revert else ""
    if described and not described.startswith("unknown"):
        return described[:200]
    return refused.message[:200]


def _address(text: str) -> Address:
    return Address(bytes.fromhex(text[2:]))


def _checksum(text: str) -> str:
    return str(to_checksum(_address(text.lower())))
