"""Sweeps and the hot wallet's cap: moving what reached the deposit addresses into the hot
wallet, and what the hot wallet holds above its cap to the cold address.

**Sweeps.** A credited deposit leaves its funds on the depositor's own address. A sweep
moves an address's whole balance of one asset into the hot wallet, as a recorded job in
`<data_dir>/custody/sweeps.sqlite3`, one row per (address, asset) sweep:

    PLANNED ──> GAS_SENT ──> SENT ──> DONE
       │  └──────────────────┘
       └──> SKIPPED (nothing worth sweeping)

- PLANNED: a credited deposit is newer than the address's last sweep of that asset. A
  token sweep is paid in the chain's coin by the deposit address itself: when it holds too
  little, the hot wallet sends the difference (a GAS transaction, `WithdrawalSender.
  send_from_hot`, so it takes its nonce where the withdrawals take theirs) → GAS_SENT.
- GAS_SENT: waits until that gas transaction is confirmed (reverted: planned again).
- SENT: the sweep transaction is signed by the deposit address's key and stored, raw bytes
  and all, *before* it is broadcast; it is sent again (the same bytes) until mined, so a
  `kill -9` at any point neither loses it nor sends a second one. A native sweep is a
  legacy transaction whose price is fixed, so `balance − 21,000 × price` leaves exactly
  nothing; a token sweep moves the whole token balance (the coin left from its gas stays,
  a little, and is swept with the address's next native sweep).
- DONE: confirmed (`outcome` CONFIRMED, or "reverted on chain": not retried by itself; an
  operator sees it in `status()`).

One sweep at a time per address (its nonces are its own), tokens before the coin, so the
coin is not swept away from under a token sweep's gas.

**The cap.** Per asset, `hot_cap` (config) is the most the hot wallet keeps: each pass,
what it holds above the cap (less what its withdrawals in flight will pay out) goes to the
configured cold address as a TO_COLD transaction from the hot wallet, one at a time per
asset. The cold address is watch-only: Assetport has no key for it, and the way back is an
operators' refill (`rest_operator.py`). Without a cold address nothing moves and
`status()` says so.

`run` loops over `step`: a node that is down pauses it (`status()` says so) and it resumes
when the node answers; nothing raises out of `run`. No key, raw transaction or node
credential is ever logged or shown.
"""

import asyncio
import logging
import sqlite3
import time
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from assetport.chain.addresses import Address, to_checksum
from assetport.chain.node_url import redact_url
from assetport.chain.signer import HOT, Signer, deposit_key_id
from assetport.custody.config import ChainConfig
from assetport.custody.deposit_store import DepositStatus, DepositStore
from assetport.custody.networks import ChainAsset
from assetport.custody.node_rpc import NodeError, NodeRpc, quantity
from assetport.custody.outgoing_store import IN_FLIGHT, OutgoingState, OutgoingStore, Purpose
from assetport.custody.report import balance_of
from assetport.custody.sender import (
    GAS_MARGIN_PERCENT,
    NATIVE_TRANSFER_GAS,
    REVERTED_ON_CHAIN,
    WithdrawalSender,
    to_chain_units,
    transfer_call_data,
)
from assetport.custody.sqlite_file import connect, transaction
from assetport.custody.transactions import broadcast, fees, follow

log = logging.getLogger(__name__)

CUSTODY_DIR: Final = "custody"
STORE_FILE: Final = "sweeps.sqlite3"
CONFIRMED: Final = "CONFIRMED"
# The hot wallet's excess moves to cold only when it is at least this share of the cap:
# every move costs gas, and a deposit swept in should not cost a transaction each time.
MIN_EXCESS_PERCENT: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS sweeps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network TEXT NOT NULL,
    account INTEGER NOT NULL,
    address TEXT NOT NULL,
    asset TEXT NOT NULL,
    covers_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    gas_rounds INTEGER NOT NULL DEFAULT 0,
    amount TEXT NOT NULL DEFAULT '',
    nonce INTEGER,
    tx_hash TEXT NOT NULL DEFAULT '',
    raw BLOB,
    block_number INTEGER,
    outcome TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sweeps_by_address ON sweeps (network, address, asset, id);
CREATE INDEX IF NOT EXISTS sweeps_by_state ON sweeps (network, state, id);
"""


class SweepState(StrEnum):
    PLANNED = "PLANNED"
    GAS_SENT = "GAS_SENT"
    SENT = "SENT"
    DONE = "DONE"
    SKIPPED = "SKIPPED"


OPEN: Final = (SweepState.PLANNED, SweepState.GAS_SENT, SweepState.SENT)


@dataclass(frozen=True, slots=True)
class Sweep:
    """One sweep of `asset` from `address` (lowercase hex) of `account`. `covers_ms` is the
    credit time of the newest deposit it sweeps; `amount` is in chain units once signed."""

    id: int
    network: str
    account: int
    address: str
    asset: str
    covers_ms: int
    state: SweepState
    gas_rounds: int
    amount: int | None
    nonce: int | None
    tx_hash: str
    block_number: int | None
    outcome: str
    created_at_ms: int
    updated_at_ms: int

    @property
    def gas_row(self) -> str:
        """The id of the hot wallet's gas transaction of this sweep's current round."""
        return f"gas:{self.network}:{self.id}:{self.gas_rounds}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "address": to_checksum(Address(bytes.fromhex(self.address[2:]))),
            "asset": self.asset,
            "state": self.state.value,
            "amount": None if self.amount is None else str(self.amount),
            "txId": self.tx_hash or None,
            "blockNumber": self.block_number,
            "outcome": self.outcome,
            "gasRounds": self.gas_rounds,
            "createdAt": self.created_at_ms,
            "updatedAt": self.updated_at_ms,
        }


_COLUMNS: Final = (
    "id, network, account, address, asset, covers_ms, state, gas_rounds, amount, nonce, "
    "tx_hash, block_number, outcome, created_at_ms, updated_at_ms"
)


def _sweep(row: tuple[Any, ...]) -> Sweep:
    (sweep_id, network, account, address, asset, covers, state, rounds, amount, nonce,
     tx_hash, block, outcome, created, updated) = row  # fmt: skip
    return Sweep(
        int(sweep_id), str(network), int(account), str(address), str(asset), int(covers),
        SweepState(state), int(rounds), int(amount) if amount else None,
        None if nonce is None else int(nonce), str(tx_hash),
        None if block is None else int(block), str(outcome), int(created), int(updated),
    )  # fmt: skip


class SweepStore:
    """The sweeps file: one connection, used from the event loop's thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # A signed sweep lost to a crash could be signed again with another nonce: every
        # write reaches the disk before the sweeper goes on.
        self._db = connect(path, synchronous="FULL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> "SweepStore":
        return cls(data_dir / CUSTODY_DIR / STORE_FILE)

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    def open_sweeps(self, network: str) -> list[Sweep]:
        marks = ", ".join("?" * len(OPEN))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM sweeps WHERE network = ? AND state IN ({marks}) ORDER BY id",
            (network, *[str(s) for s in OPEN]),
        ).fetchall()
        return [_sweep(row) for row in rows]

    def latest(self, network: str, limit: int = 100) -> list[Sweep]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM sweeps WHERE network = ? ORDER BY id DESC LIMIT ?",
            (network, limit),
        ).fetchall()
        return [_sweep(row) for row in rows]

    def covered(self, network: str) -> dict[tuple[str, str], int]:
        """(address, asset) -> the newest credit time a sweep (any state) covers."""
        rows = self._db.execute(
            "SELECT address, asset, MAX(covers_ms) FROM sweeps WHERE network = ? "
            "GROUP BY address, asset",
            (network,),
        )
        return {(str(a), str(asset)): int(ms) for a, asset, ms in rows}

    def next_nonce(self, network: str, address: str) -> int:
        """Past every nonce a sweep of `address` ever signed (the node may forget some)."""
        row = self._db.execute(
            "SELECT MAX(nonce) FROM sweeps WHERE network = ? AND address = ?", (network, address)
        ).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def counts(self, network: str) -> dict[str, int]:
        counts = {str(state): 0 for state in SweepState}
        rows = self._db.execute(
            "SELECT state, COUNT(*) FROM sweeps WHERE network = ? GROUP BY state", (network,)
        )
        for state, count in rows:
            counts[str(state)] = int(count)
        return counts

    def plan(self, network: str, account: int, address: str, asset: str, covers_ms: int) -> Sweep:
        now = _now_ms()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO sweeps (network, account, address, asset, covers_ms, state, "
                "created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (network, account, address, asset, covers_ms, str(SweepState.PLANNED), now, now),
            )
        return self._get(int(cursor.lastrowid or 0))

    def raw(self, sweep_id: int) -> bytes:
        row = self._db.execute("SELECT raw FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
        if row is None or not isinstance(row[0], bytes):
            raise RuntimeError(f"sweep {sweep_id} has no signed transaction")
        return row[0]

    def move(self, sweep: Sweep, to: SweepState, **changes: object) -> Sweep:
        """`sweep` to state `to` (from the state it is in), with `changes` to its columns."""
        allowed = {"gas_rounds", "amount", "nonce", "tx_hash", "raw", "block_number", "outcome"}
        if not set(changes) <= allowed:
            raise ValueError(f"a sweep has no columns {set(changes) - allowed}")
        values = {
            name: str(value) if name == "amount" else value for name, value in changes.items()
        }
        assignments = "".join(f", {name} = ?" for name in values)
        with self._transaction() as db:
            moved = db.execute(
                f"UPDATE sweeps SET state = ?, updated_at_ms = ?{assignments} "
                "WHERE id = ? AND state = ?",
                (str(to), _now_ms(), *values.values(), sweep.id, str(sweep.state)),
            ).rowcount
        if moved != 1:
            raise RuntimeError(f"sweep {sweep.id} is no longer {sweep.state}")
        return self._get(sweep.id)

    def _get(self, sweep_id: int) -> Sweep:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM sweeps WHERE id = ?", (sweep_id,))
        found = row.fetchone()
        if found is None:
            raise RuntimeError(f"no sweep {sweep_id}")
        return _sweep(found)


@dataclass(slots=True)
class SweepReport:
    planned: int = 0
    gas_sent: int = 0
    sent: int = 0
    done: int = 0
    skipped: int = 0
    to_cold: int = 0

    @property
    def moved(self) -> bool:
        return any((self.planned, self.gas_sent, self.sent, self.done, self.skipped,
                    self.to_cold))  # fmt: skip


class Sweeper:
    """Sweeps the deposit addresses of one network into the hot wallet, and keeps the hot
    wallet under its caps (see the module). Made by the owner of the sender, whose
    `send_from_hot` it uses for every transaction from the hot wallet."""

    def __init__(
        self,
        data_dir: Path,
        rpc_url: str,
        config: ChainConfig,
        chain_id: int,
        signer: Signer,
        deposits: DepositStore,
        sender: WithdrawalSender,
        outgoing: OutgoingStore,
        *,
        rpc_timeout_s: float = 5.0,
    ) -> None:
        self.network = config.network
        self.chain_id = chain_id
        self._config = config
        self._assets = {asset.chain.asset: asset.chain for asset in config.assets}
        natives = [chain for chain in self._assets.values() if chain.contract is None]
        self._native: ChainAsset | None = natives[0] if natives else None
        self._signer = signer
        self._deposits = deposits
        self._sender = sender
        self._outgoing = outgoing
        self._store = SweepStore.open(data_dir)
        self._rpc = NodeRpc(rpc_url, rpc_timeout_s)
        self._node = redact_url(rpc_url)
        self.hot = signer.address(HOT)
        self._up: bool | None = None
        self._last_error: str | None = None
        self._last_step_ms: int | None = None
        self._cold_notes: dict[str, str] = {}
        self._held: dict[int, str] = {}  # sweep id -> why the node refuses it now

    async def close(self) -> None:
        await self._rpc.close()
        self._store.close()

    def __repr__(self) -> str:
        return f"Sweeper({self.network}, hot={self.hot}, node={self._node})"

    # ------------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event, interval_s: float = 2.0) -> None:
        """Pass after pass until `stop` is set. The owner calls `close()` after it returns."""
        while not stop.is_set():
            moved = False
            try:
                moved = (await self.step()).moved
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a node or disk fault: paused, tried again
                described = f"{type(exc).__name__}: {exc}"[:300]
                if described != self._last_error:
                    log.warning("sweeper %s paused: %s", self.network, described)
                self._up = False
                self._last_error = described
            if not moved:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)

    def status(self) -> dict[str, Any]:
        """For operators: node up or down, sweeps by state, the latest ones, the caps."""
        cold = self._config.cold_address
        return {
            "network": self.network,
            "node": self._node,
            "up": self._up,
            "last_error": self._last_error,
            "last_step_ms": self._last_step_ms,
            "hot_address": str(self.hot),
            "cold_address": None if cold is None else str(cold),
            "sweeps": self._store.counts(self.network),
            "held_back": {str(sweep_id): why for sweep_id, why in self._held.items()},
            "latest": [sweep.to_json() for sweep in self._store.latest(self.network, 50)],
            "hot_cap": dict(self._cold_notes)
            if cold is not None
            else {"*": "no cold address is configured: nothing moves to cold"},
        }

    async def step(self) -> SweepReport:
        report = SweepReport()
        self._plan(report)
        held: dict[int, str] = {}
        for sweep in self._store.open_sweeps(self.network):
            try:
                await self._advance(sweep, report)
            except NodeError as refused:
                # This sweep only (a paused token, a frozen address): the others go on.
                held[sweep.id] = refused.message[:200]
        for sweep_id in held.keys() - self._held.keys():
            log.warning("sweep %d held back: %s", sweep_id, held[sweep_id])
        self._held = held
        await self._excess_to_cold(report)
        self._up = True
        self._last_error = None
        self._last_step_ms = _now_ms()
        return report

    # ------------------------------------------------------------------ sweeps

    def _plan(self, report: SweepReport) -> None:
        """A sweep for each (address, asset) with a credit newer than its last sweep, one
        open sweep per address, tokens first."""
        newest: dict[tuple[str, str], tuple[int, int]] = {}
        for deposit in self._deposits.deposits(self.network):
            if deposit.status is not DepositStatus.CREDITED or deposit.credited_at_ms is None:
                continue
            key = (deposit.address.lower(), deposit.asset)
            at = max(deposit.credited_at_ms, newest.get(key, (0, 0))[0])
            newest[key] = (at, deposit.account)
        if not newest:
            return
        covered = self._store.covered(self.network)
        busy = {sweep.address for sweep in self._store.open_sweeps(self.network)}
        native = None if self._native is None else self._native.asset
        # Tokens first: the coin at an address pays its token sweeps' gas.
        for (address, asset), (credited_ms, account) in sorted(
            newest.items(), key=lambda item: item[0][1] == native
        ):
            if address in busy or asset not in self._assets:
                continue
            if covered.get((address, asset), -1) >= credited_ms:
                continue
            self._store.plan(self.network, account, address, asset, credited_ms)
            busy.add(address)
            report.planned += 1

    async def _advance(self, sweep: Sweep, report: SweepReport) -> None:
        if sweep.state is SweepState.SENT:
            await self._follow(sweep, report)
            return
        if sweep.state is SweepState.GAS_SENT:
            gas = self._outgoing.get(sweep.gas_row)
            if gas is None or gas.state is not OutgoingState.DONE:
                return  # on its way (the sender broadcasts and follows it)
            if gas.outcome != CONFIRMED:
                sweep = self._store.move(sweep, SweepState.PLANNED, gas_rounds=sweep.gas_rounds + 1)
        await self._sign(sweep, report)

    async def _sign(self, sweep: Sweep, report: SweepReport) -> None:
        """Sign the sweep of a PLANNED or GAS_SENT row, or send it gas first."""
        asset = self._assets[sweep.asset]
        address = sweep.address
        coin = await balance_of(self._rpc, None, address)
        max_fee, tip = await fees(self._rpc)
        nonce = max(
            quantity(await self._rpc.call("eth_getTransactionCount", address, "pending")),
            self._store.next_nonce(self.network, address),
        )
        tx: dict[str, Any]
        if asset.contract is None:
            # Legacy: the price is what is paid, so balance - 21,000 x price leaves nothing.
            price = max_fee
            amount = coin - NATIVE_TRANSFER_GAS * price
            if amount <= 0 or amount < to_chain_units(
                asset.min_deposit, asset.chain_decimals, asset.ledger_precision
            ):
                self._store.move(sweep, SweepState.SKIPPED, outcome="too little to pay its gas")
                report.skipped += 1
                return
            tx = {"to": to_checksum(self.hot), "value": amount, "gas": NATIVE_TRANSFER_GAS,
                  "gasPrice": price}  # fmt: skip
        else:
            amount = await balance_of(self._rpc, asset.contract, address)
            if amount == 0:
                self._store.move(sweep, SweepState.SKIPPED, outcome="no balance")
                report.skipped += 1
                return
            data = transfer_call_data(self.hot, amount)
            call = {"from": address, "to": asset.contract, "data": "0x" + data.hex()}
            estimate = quantity(await self._rpc.call("eth_estimateGas", call))
            gas = estimate + estimate * GAS_MARGIN_PERCENT // 100
            if coin < gas * max_fee:
                await self._send_gas(sweep, gas * max_fee - coin, report)
                return
            # What the address holds pays the gas: the fee cap uses all of it if fees rose.
            max_fee = coin // gas
            tx = {"to": to_checksum(Address(bytes.fromhex(asset.contract[2:]))), "value": 0,
                  "data": data, "gas": gas, "maxFeePerGas": max_fee,
                  "maxPriorityFeePerGas": min(tip, max_fee), "type": 2}  # fmt: skip
        tx |= {"nonce": nonce, "chainId": self.chain_id}
        signed = self._signer.sign_transaction(deposit_key_id(sweep.account), tx)
        if signed.sender.hex != address:
            raise RuntimeError(f"sweep {sweep.id}: the key of account {sweep.account} is not "
                               f"the key of {address}")  # fmt: skip
        sweep = self._store.move(
            sweep, SweepState.SENT, amount=amount, nonce=signed.nonce,
            tx_hash="0x" + signed.tx_hash.hex(), raw=signed.raw,
        )  # fmt: skip
        report.sent += 1
        log.info("sweep %d of %s signed: %s", sweep.id, sweep.asset, sweep.tx_hash)
        await broadcast(self._rpc, signed.raw, f"sweep {sweep.id}")

    async def _send_gas(self, sweep: Sweep, needed: int, report: SweepReport) -> None:
        if self._native is None:
            raise RuntimeError(f"{self.network} has no native coin configured to pay gas with")
        if sweep.state is SweepState.GAS_SENT:
            # The last round's gas is spent or too little now (fees rose): a new round.
            sweep = self._store.move(sweep, SweepState.PLANNED, gas_rounds=sweep.gas_rounds + 1)
        recipient = Address(bytes.fromhex(sweep.address[2:]))
        await self._sender.send_from_hot(
            sweep.gas_row, Purpose.GAS, self._native.asset, recipient, needed
        )
        self._store.move(sweep, SweepState.GAS_SENT)
        report.gas_sent += 1

    async def _follow(self, sweep: Sweep, report: SweepReport) -> None:
        confirmations = self._assets[sweep.asset].confirmations
        raw = self._store.raw(sweep.id)
        settled = await follow(self._rpc, sweep.tx_hash, raw, confirmations, f"sweep {sweep.id}")
        if settled is None:
            return
        outcome = CONFIRMED if settled.succeeded else REVERTED_ON_CHAIN
        self._store.move(sweep, SweepState.DONE, block_number=settled.block, outcome=outcome)
        report.done += 1
        log.info("sweep %d of %s %s in block %d", sweep.id, sweep.asset, outcome, settled.block)

    # ------------------------------------------------------------------ hot and cold

    async def _excess_to_cold(self, report: SweepReport) -> None:
        cold = self._config.cold_address
        if cold is None:
            return
        in_flight = self._outgoing.of_purpose(Purpose.TO_COLD, self.network)
        paying = self._outgoing.of_purpose(Purpose.WITHDRAWAL, self.network, IN_FLIGHT)
        for custody_asset in self._config.assets:
            asset, cap = custody_asset.chain, custody_asset.hot_cap
            if cap is None:
                continue
            if any(row.asset == asset.asset for row in in_flight):
                self._cold_notes[asset.asset] = "a move to cold is on its way"
                continue
            cap_chain = to_chain_units(cap, asset.chain_decimals, asset.ledger_precision)
            held = await balance_of(self._rpc, asset.contract, self.hot.hex)
            owed = sum(row.chain_amount for row in paying if row.asset == asset.asset)
            excess = held - owed - cap_chain
            if excess <= 0 or excess * 100 < cap_chain * MIN_EXCESS_PERCENT:
                self._cold_notes[asset.asset] = "at or under its cap"
                continue
            row_id = f"cold:{self.network}:{asset.asset}:{_now_ms()}"
            row = await self._sender.send_from_hot(row_id, Purpose.TO_COLD, asset.asset, cold,
                                                   excess)  # fmt: skip
            self._cold_notes[asset.asset] = f"{excess} (chain units) to cold in {row.tx_hash}"
            report.to_cold += 1
            log.info("%s above the hot cap: %d to cold, tx %s", asset.asset, excess, row.tx_hash)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
