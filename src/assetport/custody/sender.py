"""The withdrawal sender: pays approved withdrawals from the hot wallet, exactly once on chain.

One sender per hot wallet and network, strictly sequential (the nonces are its own). One
pass (`step`):

0. rows left SIGNED by a crash (stored, the engine's answer unknown) are resolved first:
   `RecordWithdrawalSigned` again with the same hash; accepted, or ALREADY_APPLIED (the
   engine journaled it before the crash) → RECORDED; refused otherwise → VOID;
1. each APPROVED withdrawal without a row: its transaction is built (native: `value`;
   token: ERC-20 `transfer(to, amount)` encoded here), given the next nonce (a VOID row's
   first, else past both the chain's pending count and every nonce ever handed out) and
   EIP-1559 fees (2 × base fee + tip), signed, and stored durably (SIGNED) *before* the
   engine hears of it; then `RecordWithdrawalSigned`: accepted → RECORDED; refused (the
   withdrawal was cancelled or rejected meanwhile) → VOID, never broadcast;
2. every RECORDED row is broadcast (the same raw bytes, always: a withdrawal never gets a
   second transaction). "Already known", or "nonce too low" for a transaction that is
   mined, mean the node has it;
3. receipts: once a receipt has the asset's confirmations, status 1 → `CompleteWithdrawal`
   (the held funds pay out), status 0 → `FailWithdrawal("reverted on chain")` (released);
   the row is then DONE. A receipt that vanished (a reorganization) sends the row back to
   BROADCAST and the same transaction is sent again.

The hot wallet's other transactions (gas for the sweeps, the excess to cold) are signed by
`send_from_hot`, which takes its nonce from the same store at the same moment as a
withdrawal would (nothing awaits in between, so on one event loop no two transactions get
one nonce); they are stored RECORDED, broadcast in nonce order with the withdrawals by
step 2 and marked DONE from their receipts by step 3, without the engine.

Whatever is killed when, the store and the engine's journal together say how far each
withdrawal got, and the next pass goes on from there: the crash test
(`tests/integration/custody/test_custody_withdrawal_crash.py`) proves it with `kill -9`.

A withdrawal the chain would refuse before anything is signed (a token contract that
reverts the estimate: paused, or the hot wallet short) is held back, not signed, and
`status()` says why; the one refusal that cannot pass (the recipient's address is frozen by
the token) fails it and releases its funds.

`run` loops over `step`: a node that is down or slow pauses it (`status()` says so) and it
resumes when the node answers again; nothing raises out of `run`. Nothing secret is logged
or shown: no key (the signer holds them), no raw transaction, no node URL credentials.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol

from eth_utils.crypto import keccak

from assetport.chain.addresses import ADDRESS_BYTES, Address, to_checksum
from assetport.chain.contracts import describe_revert
from assetport.chain.node_url import redact_url
from assetport.chain.signer import HOT, Signer
from assetport.custody.networks import ChainAsset
from assetport.custody.node_rpc import NodeError, NodeRpc, NodeUnavailable, quantity, revert_data
from assetport.custody.outgoing_store import Outgoing, OutgoingState, OutgoingStore, Purpose
from assetport.custody.transactions import ALREADY_KNOWN, NONCE_TOO_LOW, fees, mined_receipt
from assetport.domain.commands import (
    Command,
    CompleteWithdrawal,
    FailWithdrawal,
    RecordWithdrawalSigned,
)
from assetport.domain.events import (
    Event,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalSigned,
    refusal,
)
from assetport.domain.results import RejectReason

log = logging.getLogger(__name__)

NATIVE_TRANSFER_GAS: Final = 21_000
# What a token transfer's gas estimate is raised by: the estimate is for the state it was
# made on; a transfer to a fresh address or after a storage change may cost a little more.
GAS_MARGIN_PERCENT: Final = 25
REVERTED_ON_CHAIN: Final = "reverted on chain"
# ERC-20 transfer(address,uint256) and the token's AddressIsFrozen(address) error.
_TRANSFER_SELECTOR: Final = bytes.fromhex("a9059cbb")
_FROZEN_SELECTOR: Final = keccak(text="AddressIsFrozen(address)")[:4]
_UINT256_LIMIT: Final = 2**256


@dataclass(frozen=True, slots=True)
class ToSend:
    """An open withdrawal as the read model shows it. `address` is the canonical `0x`
    form; `amount` is in ledger units (the fee stays on the exchange)."""

    withdrawal_id: str
    account: int
    asset: str
    address: str
    amount: int
    status: str  # APPROVED or PROCESSING: the others are not the sender's
    tx_hash: str = ""


@dataclass(slots=True)
class StepReport:
    """What one pass did. `held_back` names the approved withdrawals not signed yet, and why."""

    signed: int = 0
    voided: int = 0
    broadcast: int = 0
    completed: int = 0
    failed: int = 0
    reorged: int = 0
    held_back: dict[str, str] = field(default_factory=dict)

    @property
    def moved(self) -> bool:
        """Whether anything changed (another pass straight away may move more)."""
        changes = (self.signed, self.voided, self.broadcast, self.completed, self.failed)
        return any(changes) or bool(self.reorged)


class CommandSink(Protocol):
    """The engine as the sender needs it: a command's events once it is durable and
    applied (a refusal is a `CommandRejected` event, not an exception)."""

    async def execute(self, command: Command) -> Sequence[Event]: ...


class OutcomeExecutor(Protocol):
    async def execute(self, command: Command) -> Any: ...


class EngineLinkSink:
    """A `CommandSink` over the gateway's engine link, whose `execute` answers an
    `Outcome` carrying `.events`."""

    def __init__(self, link: OutcomeExecutor) -> None:
        self._link = link

    async def execute(self, command: Command) -> Sequence[Event]:
        outcome = await self._link.execute(command)
        events: Sequence[Event] = outcome.events
        return events


def to_chain_units(amount: int, chain_decimals: int, ledger_precision: int) -> int:
    """`amount` ledger units in the chain's smallest units, exactly: ×10^(chain − ledger).
    A ledger finer than the chain converts only a multiple of the step (ValueError else:
    no part of a withdrawal is rounded away)."""
    if amount < 0:
        raise ValueError("a withdrawal amount cannot be negative")
    if chain_decimals >= ledger_precision:
        scale: int = 10 ** (chain_decimals - ledger_precision)
        return amount * scale
    step: int = 10 ** (ledger_precision - chain_decimals)
    whole, rest = divmod(amount, step)
    if rest:
        raise ValueError(f"{amount} ledger units are not a whole number of chain units")
    return whole


def transfer_call_data(recipient: Address, amount: int) -> bytes:
    """ERC-20 `transfer(recipient, amount)`: the selector and the two ABI-encoded words."""
    if not 0 <= amount < _UINT256_LIMIT:
        raise ValueError("a token amount is a uint256")
    return _TRANSFER_SELECTOR + recipient.raw.rjust(32, b"\0") + amount.to_bytes(32, "big")


class WithdrawalSender:
    """Sends the approved withdrawals of one network from the hot wallet (see the module)."""

    def __init__(
        self,
        rpc_url: str,
        network: str,
        chain_id: int,
        assets: Mapping[str, ChainAsset],
        signer: Signer,
        store: OutgoingStore,
        engine: CommandSink,
        pending: Callable[[], Awaitable[Sequence[ToSend]]],
        *,
        confirmations: int = 1,
        rpc_timeout_s: float = 5.0,
    ) -> None:
        """`assets` by ledger name; each needs its own `confirmations` before a withdrawal
        completes, and never fewer than `confirmations`. `pending` lists the open
        withdrawals of this network (APPROVED and PROCESSING)."""
        if confirmations < 1:
            raise ValueError("a withdrawal needs at least one confirmation (its own block)")
        self.network = network
        self.chain_id = chain_id
        self._assets = dict(assets)
        self._signer = signer
        self._store = store
        self._engine = engine
        self._pending = pending
        self._confirmations = confirmations
        self._rpc = NodeRpc(rpc_url, rpc_timeout_s)
        self._node = redact_url(rpc_url)
        self.hot = signer.address(HOT)
        self._up: bool | None = None
        self._last_error: str | None = None
        self._last_step_ms: int | None = None
        self._held_back: dict[str, str] = {}
        self._stuck: dict[str, str] = {}  # withdrawal id -> why its broadcast is refused
        self._orphans: list[str] = []

    async def close(self) -> None:
        await self._rpc.close()

    async def __aenter__(self) -> "WithdrawalSender":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"WithdrawalSender({self.network}, hot={self.hot}, node={self._node})"

    # ------------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event, interval_s: float = 1.0) -> None:
        """Pass after pass until `stop` is set; straight on while passes move something.
        The owner calls `close()` after it returns."""
        while not stop.is_set():
            moved = False
            try:
                moved = (await self.step()).moved
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a node, engine or disk fault: paused, retried
                self._paused(exc)
            if not moved:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)

    def status(self) -> dict[str, Any]:
        """The sender as operators see it: node up or down, the last error, the hot
        address, rows by state, withdrawals held back or stuck (no secret in any)."""
        return {
            "network": self.network,
            "node": self._node,
            "up": self._up,
            "last_error": self._last_error,
            "last_step_ms": self._last_step_ms,
            "hot_address": str(self.hot),
            "rows": self._store.counts(self.network),
            "held_back": dict(self._held_back),
            "stuck": dict(self._stuck),
            "processing_without_transaction": list(self._orphans),
        }

    def _paused(self, exc: Exception) -> None:
        described = f"{type(exc).__name__}: {exc}"[:300]
        if isinstance(exc, NodeUnavailable | NodeError):
            self._up = False
        if described != self._last_error:
            log.warning("withdrawal sender %s paused: %s", self.network, described)
        self._last_error = described

    # ------------------------------------------------------------------ one pass

    async def step(self) -> StepReport:
        """One pass (see the module). Raises on a node or engine fault: what was done
        stays done, and the next pass goes on from there."""
        report = StepReport()
        for row in self._store.in_states((OutgoingState.SIGNED,), self.network):
            await self._record(row, report)
        await self._sign_new(report)
        for row in self._store.in_states((OutgoingState.RECORDED,), self.network):
            if await self._send(row):
                self._store.mark_broadcast(row.withdrawal_id)
                report.broadcast += 1
        await self._follow_receipts(report)
        self._held_back = dict(report.held_back)
        self._up = True
        self._last_error = None
        self._last_step_ms = time.time_ns() // 1_000_000
        return report

    async def _sign_new(self, report: StepReport) -> None:
        known = self._store.withdrawal_ids(self.network)
        open_withdrawals = await self._pending()
        # Signed by the engine's account, yet unknown here: the store was lost or replaced.
        # Signing again could pay twice: an operator looks.
        orphans = [
            w.withdrawal_id
            for w in open_withdrawals
            if w.status == "PROCESSING" and w.withdrawal_id not in known
        ]
        for orphan in set(orphans) - set(self._orphans):
            log.error("withdrawal %s is PROCESSING but has no transaction here", orphan)
        self._orphans = orphans
        todo = [
            w for w in open_withdrawals if w.status == "APPROVED" and w.withdrawal_id not in known
        ]
        if not todo:
            return
        hot = self.hot.hex
        chain_pending = quantity(await self._rpc.call("eth_getTransactionCount", hot, "pending"))
        chain_mined = quantity(await self._rpc.call("eth_getTransactionCount", hot, "latest"))
        spendable = quantity(await self._rpc.call("eth_getBalance", hot, "latest"))
        max_fee, tip = await fees(self._rpc)
        for withdrawal in todo:
            built = await self._build(withdrawal, report)
            if built is None:
                continue
            chain_asset, recipient, chain_amount, tx = built
            # Against the balance mined: what is still in flight from earlier passes is not
            # counted, so this only spares the pool a transaction that could never pay.
            cost = tx["gas"] * max_fee + tx["value"]
            if cost > spendable:
                report.held_back[withdrawal.withdrawal_id] = (
                    "the hot wallet cannot pay the amount and the gas"
                )
                continue
            spendable -= cost
            nonce = self._store.next_nonce(self.network, hot, chain_pending, chain_mined)
            row = self._sign_and_store(
                Outgoing(
                    withdrawal.withdrawal_id, self.network, chain_asset.asset, hot,
                    recipient.hex, chain_amount, nonce, "", b"",
                ),
                tx,
                (max_fee, tip),
            )  # fmt: skip
            report.signed += 1
            log.info(
                "withdrawal %s signed: nonce %d, tx %s", row.withdrawal_id, row.nonce, row.tx_hash
            )
            await self._record(row, report)

    async def _build(
        self, withdrawal: ToSend, report: StepReport
    ) -> tuple[ChainAsset, Address, int, dict[str, Any]] | None:
        """The unsigned transaction paying `withdrawal` (no nonce or fees yet), or None
        when it is held back or failed here."""
        chain_asset = self._assets.get(withdrawal.asset)
        if chain_asset is None:
            report.held_back[withdrawal.withdrawal_id] = (
                f"{withdrawal.asset} is not configured on {self.network}"
            )
            return None
        try:
            recipient = _recipient(withdrawal.address)
            chain_amount = to_chain_units(
                withdrawal.amount, chain_asset.chain_decimals, chain_asset.ledger_precision
            )
        except ValueError as exc:
            await self._fail_unsent(withdrawal, f"cannot be sent: {exc}", report)
            return None
        if chain_asset.contract is None:
            tx: dict[str, Any] = {
                "to": to_checksum(recipient),
                "value": chain_amount,
                "gas": NATIVE_TRANSFER_GAS,
            }
            return chain_asset, recipient, chain_amount, tx
        data = transfer_call_data(recipient, chain_amount)
        call = {"from": self.hot.hex, "to": chain_asset.contract.lower(), "data": _hex(data)}
        try:
            estimate = quantity(await self._rpc.call("eth_estimateGas", call))
        except NodeError as refused:
            revert = revert_data(refused.data)
            if revert[:4] == _FROZEN_SELECTOR and revert[4 + 12 : 4 + 32] == recipient.raw:
                reason = f"the {withdrawal.asset} contract refuses the recipient: it is frozen"
                await self._fail_unsent(withdrawal, reason, report)
            else:
                # The token's own errors by name; anything else as the node put it.
                described = describe_revert(revert) if revert else ""
                known = described and not described.startswith("unknown")
                why = described if known else refused.message[:200]
                report.held_back[withdrawal.withdrawal_id] = f"the token refuses it: {why}"
            return None
        tx = {
            "to": to_checksum(Address(bytes.fromhex(chain_asset.contract[2:]))),
            "value": 0,
            "data": data,
            "gas": estimate + estimate * GAS_MARGIN_PERCENT // 100,
        }
        return chain_asset, recipient, chain_amount, tx

    async def _record(self, row: Outgoing, report: StepReport) -> None:
        """Tell the engine the transaction of `row` (SIGNED) is signed; RECORDED or VOID."""
        command = RecordWithdrawalSigned(
            row.withdrawal_id, row.tx_hash, row.nonce, _checksum_of(row.sender)
        )
        events = await self._engine.execute(command)
        refused = _rejection(events)
        if refused is None or refused is RejectReason.ALREADY_APPLIED:
            self._store.mark_recorded(row.withdrawal_id)
            return
        self._store.mark_void(row.withdrawal_id, f"refused by the engine: {refused.value}")
        report.voided += 1
        log.info(
            "withdrawal %s: the engine refused its transaction (%s); nonce %d is free again",
            row.withdrawal_id,
            refused.value,
            row.nonce,
        )

    async def _fail_unsent(self, withdrawal: ToSend, reason: str, report: StepReport) -> None:
        events = await self._engine.execute(FailWithdrawal(withdrawal.withdrawal_id, reason))
        if any(isinstance(event, WithdrawalEnded) for event in events):
            report.failed += 1
            log.warning("withdrawal %s failed before signing: %s", withdrawal.withdrawal_id, reason)

    async def _send(self, row: Outgoing) -> bool:
        """Broadcast the stored transaction of `row`; True when the node has it (or mined)."""
        try:
            await self._rpc.call("eth_sendRawTransaction", _hex(row.raw))
        except NodeError as refused:
            message = refused.message.lower()
            if any(text in message for text in ALREADY_KNOWN):
                pass
            elif any(text in message for text in NONCE_TOO_LOW):
                if await mined_receipt(self._rpc, row.tx_hash) is None:
                    return self._refused(row, "its nonce was used by another transaction")
            else:
                return self._refused(row, refused.message[:200])
        self._stuck.pop(row.withdrawal_id, None)
        return True

    def _refused(self, row: Outgoing, why: str) -> bool:
        if self._stuck.get(row.withdrawal_id) != why:
            log.error(
                "withdrawal %s (tx %s): the node refuses it: %s",
                row.withdrawal_id,
                row.tx_hash,
                why,
            )
        self._stuck[row.withdrawal_id] = why
        return False

    async def _follow_receipts(self, report: StepReport) -> None:
        rows = self._store.in_states((OutgoingState.BROADCAST, OutgoingState.MINED), self.network)
        if not rows:
            return
        head = quantity(await self._rpc.call("eth_blockNumber"))
        for row in rows:
            receipt = await mined_receipt(self._rpc, row.tx_hash)
            if receipt is None:
                if row.state is OutgoingState.MINED:
                    log.warning(
                        "withdrawal %s: block %s of tx %s vanished (reorg)",
                        row.withdrawal_id,
                        row.block_number,
                        row.tx_hash,
                    )
                    self._store.mark_broadcast(row.withdrawal_id)
                    report.reorged += 1
                await self._send(row)
                continue
            block = quantity(receipt["blockNumber"])
            if head - block + 1 < self._confirmations_of(row.asset):
                if row.state is not OutgoingState.MINED or row.block_number != block:
                    self._store.mark_mined(row.withdrawal_id, block)
                continue
            succeeded = quantity(receipt.get("status", "0x0")) == 1
            await self._settle(row, block, succeeded=succeeded)
            if succeeded:
                report.completed += 1
            else:
                report.failed += 1

    async def send_from_hot(
        self, row_id: str, purpose: Purpose, asset: str, recipient: Address, chain_amount: int
    ) -> Outgoing:
        """Sign and store (RECORDED) a transfer of `chain_amount` of `asset` from the hot
        wallet that pays no withdrawal; the next pass broadcasts it. Idempotent by
        `row_id`: the row already stored is answered, never a second transaction."""
        if purpose is Purpose.WITHDRAWAL:
            raise ValueError("withdrawals are signed by the sender's own pass")
        known = self._store.get(row_id)
        if known is not None:
            return known
        chain_asset = self._assets.get(asset)
        if chain_asset is None:
            raise ValueError(f"{asset} is not configured on {self.network}")
        hot = self.hot.hex
        tx: dict[str, Any]
        if chain_asset.contract is None:
            tx = {"to": to_checksum(recipient), "value": chain_amount, "gas": NATIVE_TRANSFER_GAS}
        else:
            data = transfer_call_data(recipient, chain_amount)
            call = {"from": hot, "to": chain_asset.contract.lower(), "data": _hex(data)}
            estimate = quantity(await self._rpc.call("eth_estimateGas", call))
            tx = {
                "to": to_checksum(Address(bytes.fromhex(chain_asset.contract[2:]))),
                "value": 0,
                "data": data,
                "gas": estimate + estimate * GAS_MARGIN_PERCENT // 100,
            }
        chain_pending = quantity(await self._rpc.call("eth_getTransactionCount", hot, "pending"))
        chain_mined = quantity(await self._rpc.call("eth_getTransactionCount", hot, "latest"))
        max_fee, tip = await fees(self._rpc)
        known = self._store.get(row_id)  # another caller may have stored it meanwhile
        if known is not None:
            return known
        # From here to the insert nothing awaits: no withdrawal can take this nonce.
        nonce = self._store.next_nonce(self.network, hot, chain_pending, chain_mined)
        # Nothing for the engine to record: it is ready to broadcast once stored.
        unsigned = Outgoing(
            row_id, self.network, asset, hot, recipient.hex, chain_amount, nonce, "", b"",
            state=OutgoingState.RECORDED, purpose=purpose,
        )  # fmt: skip
        row = self._sign_and_store(unsigned, tx, (max_fee, tip))
        log.info("%s %s signed: nonce %d, tx %s", purpose, row_id, row.nonce, row.tx_hash)
        return row

    def _sign_and_store(
        self, unsigned: Outgoing, tx: dict[str, Any], fees: tuple[int, int]
    ) -> Outgoing:
        """Sign `tx` from the hot wallet with the row's nonce and the EIP-1559 `fees`, and
        store the signed transaction before anything can broadcast it."""
        max_fee, tip = fees
        tx |= {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": unsigned.nonce,
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": tip,
        }
        signed = self._signer.sign_transaction(HOT, tx)
        row = replace(
            unsigned,
            sender=signed.sender.hex,
            nonce=signed.nonce,
            tx_hash="0x" + signed.tx_hash.hex(),
            raw=signed.raw,
        )
        return self._store.insert_signed(row)

    def _confirmations_of(self, asset: str) -> int:
        chain_asset = self._assets.get(asset)
        needed = self._confirmations if chain_asset is None else chain_asset.confirmations
        return max(needed, self._confirmations)

    async def _settle(self, row: Outgoing, block: int, *, succeeded: bool) -> None:
        """Complete (or fail, when it reverted) the withdrawal of a confirmed transaction;
        any other purpose's row is only marked DONE (nothing in the ledger moves)."""
        if row.purpose is not Purpose.WITHDRAWAL:
            outcome = "CONFIRMED" if succeeded else REVERTED_ON_CHAIN
            log.info("%s %s %s in block %d", row.purpose, row.withdrawal_id, outcome, block)
            self._store.mark_done(row.withdrawal_id, block, outcome)
            return
        command: Command
        if succeeded:
            command = CompleteWithdrawal(row.withdrawal_id, row.tx_hash, block)
        else:
            command = FailWithdrawal(row.withdrawal_id, REVERTED_ON_CHAIN)
        events = await self._engine.execute(command)
        refused = _rejection(events)
        if refused is None:
            outcome = "COMPLETED" if succeeded else "FAILED"
            log.info("withdrawal %s %s in block %d", row.withdrawal_id, outcome.lower(), block)
        else:
            # Only this sender completes or fails a withdrawal it recorded: a refusal means
            # it did so before a crash (the row was not marked DONE yet).
            outcome = f"{'COMPLETED' if succeeded else 'FAILED'} (engine: {refused.value})"
            log.warning(
                "withdrawal %s: the engine answered %s for its receipt",
                row.withdrawal_id,
                refused.value,
            )
        self._store.mark_done(row.withdrawal_id, block, outcome)


def _rejection(events: Sequence[Event]) -> RejectReason | None:
    refused = refusal(events)
    if refused is not None:
        return refused.reason
    if not any(
        isinstance(e, WithdrawalSigned | WithdrawalCompleted | WithdrawalEnded) for e in events
    ):
        raise RuntimeError("the engine answered neither an outcome nor a refusal")
    return None


def _recipient(text: str) -> Address:
    digits = text.removeprefix("0x")
    if not text.startswith("0x") or len(digits) != 2 * ADDRESS_BYTES:
        raise ValueError("the address is not 0x and 40 hex digits")
    address = Address(bytes.fromhex(digits))
    if address.is_zero:
        raise ValueError("the zero address: whatever is sent to it is lost")
    return address


def _checksum_of(hex_address: str) -> str:
    return to_checksum(Address(bytes.fromhex(hex_address[2:])))


def _hex(data: bytes) -> str:
    return "0x" + data.hex()
