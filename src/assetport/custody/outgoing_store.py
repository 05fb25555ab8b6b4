"""What the withdrawal sender remembers, in one SQLite file:
`<data_dir>/custody/outgoing.sqlite3`.

One row per withdrawal the sender signed a transaction for, written durably (WAL,
synchronous=FULL) *before* the engine hears of the transaction and before the chain does:
after a `kill -9` at any point the sender finds the very transaction it signed (nonce,
hash, raw bytes) and carries it on, rather than signing a second one. A row moves

    SIGNED ──> RECORDED ──> BROADCAST <──> MINED ──> DONE
       └─────> VOID

- SIGNED: signed and stored; the engine may or may not have journaled it.
- RECORDED: the engine journaled it (the withdrawal is PROCESSING): it may now be sent.
- BROADCAST: a node took it (or already knew it).
- MINED: in a block, short of its confirmations; back to BROADCAST if that block vanishes.
- DONE: the engine completed or failed the withdrawal from its receipt (`outcome`).
- VOID: the engine refused it (the withdrawal was cancelled or rejected in between): it
  was never broadcast, so its nonce is free and the next transaction takes it.

The hot wallet sends more than withdrawals: gas for the sweeps of token deposits (GAS) and
the excess above its cap to the cold address (TO_COLD). Every transaction from the hot
wallet takes its nonce here, whatever its purpose, so no two ever share one. Such a row has
no withdrawal to journal: it starts RECORDED (its `withdrawal_id` is its own id, e.g.
`gas:12`), and the sender broadcasts it in nonce order with the withdrawals and marks it
DONE from its receipt; only a WITHDRAWAL row completes anything in the ledger.

Chain amounts are uint256 and may not fit SQLite's integers: they are stored as decimal
text. Addresses are lowercase `0x` hex, the form JSON-RPC returns.
"""

import sqlite3
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from assetport.custody.sqlite_file import connect, transaction

CUSTODY_DIR: Final = "custody"
STORE_FILE: Final = "outgoing.sqlite3"
SCHEMA_VERSION: Final = 2

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outgoing (
    withdrawal_id TEXT PRIMARY KEY,
    network TEXT NOT NULL,
    asset TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    chain_amount TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    tx_hash TEXT NOT NULL UNIQUE,
    raw BLOB NOT NULL,
    state TEXT NOT NULL,
    block_number INTEGER,
    outcome TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'WITHDRAWAL'
);
CREATE INDEX IF NOT EXISTS outgoing_by_nonce ON outgoing (network, sender, nonce);
CREATE INDEX IF NOT EXISTS outgoing_by_state ON outgoing (state, nonce);
"""


class OutgoingState(StrEnum):
    SIGNED = "SIGNED"
    RECORDED = "RECORDED"
    BROADCAST = "BROADCAST"
    MINED = "MINED"
    DONE = "DONE"
    VOID = "VOID"


class Purpose(StrEnum):
    """Why the hot wallet sends a transaction."""

    WITHDRAWAL = "WITHDRAWAL"  # pays a withdrawal: journaled, completed in the ledger
    GAS = "GAS"  # gas for a deposit address's token sweep (`sweeper.py`)
    TO_COLD = "TO_COLD"  # the hot wallet's excess above its cap, to the cold address


# The rows whose transaction may be on its way: the nonce they hold is taken for good.
IN_FLIGHT: Final = (OutgoingState.RECORDED, OutgoingState.BROADCAST, OutgoingState.MINED)


class OutgoingStoreError(RuntimeError):
    """The store file is from a newer Assetport, or a row breaks the store's rules."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The transaction that pays one withdrawal. `sender` and `recipient` are lowercase
    `0x` hex; `chain_amount` is in the chain's smallest units; `raw` is the signed
    transaction (public once broadcast, kept out of reprs and logs all the same)."""

    withdrawal_id: str
    network: str
    asset: str
    sender: str
    recipient: str
    chain_amount: int
    nonce: int
    tx_hash: str
    raw: bytes = field(repr=False)
    state: OutgoingState = OutgoingState.SIGNED
    block_number: int | None = None
    outcome: str = ""
    created_at_ms: int = 0
    updated_at_ms: int = 0
    purpose: Purpose = Purpose.WITHDRAWAL


_COLUMNS: Final = (
    "withdrawal_id, network, asset, sender, recipient, chain_amount, nonce, tx_hash, raw, "
    "state, block_number, outcome, created_at_ms, updated_at_ms, purpose"
)


def _row(values: tuple[object, ...]) -> Outgoing:
    (withdrawal_id, network, asset, sender, recipient, amount, nonce, tx_hash, raw, state,
     block, outcome, created, updated, purpose) = values  # fmt: skip
    assert isinstance(raw, bytes)
    return Outgoing(
        withdrawal_id=str(withdrawal_id),
        network=str(network),
        asset=str(asset),
        sender=str(sender),
        recipient=str(recipient),
        chain_amount=int(str(amount)),
        nonce=int(str(nonce)),
        tx_hash=str(tx_hash),
        raw=raw,
        state=OutgoingState(str(state)),
        block_number=None if block is None else int(str(block)),
        outcome=str(outcome),
        created_at_ms=int(str(created)),
        updated_at_ms=int(str(updated)),
        purpose=Purpose(str(purpose)),
    )


class OutgoingStore:
    """The sender's SQLite file. One connection, used from one thread (the event loop's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # A row lost to a crash would be a transaction signed, maybe sent, and forgotten:
        # every commit reaches the disk before the sender goes on.
        self._db = connect(path, synchronous="FULL")
        self._migrate()

    @classmethod
    def open(cls, data_dir: Path) -> "OutgoingStore":
        """The store of a data directory (its `custody/` made 0700 if missing)."""
        custody = data_dir / CUSTODY_DIR
        custody.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(custody / STORE_FILE)

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"OutgoingStore({self.path})"

    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)  # each statement idempotent
        with self._transaction():
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise OutgoingStoreError(
                    f"{self.path} has schema {row[0]}; this Assetport knows {SCHEMA_VERSION}"
                )
            elif row[0] < 2:
                # Version 1 held withdrawals only: every row it has is one.
                columns = [c[1] for c in self._db.execute("PRAGMA table_info(outgoing)")]
                if "purpose" not in columns:
                    self._db.execute(
                        "ALTER TABLE outgoing ADD COLUMN purpose TEXT NOT NULL DEFAULT 'WITHDRAWAL'"
                    )
                self._db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    # -- reads ------------------------------------------------------------------------

    def get(self, withdrawal_id: str) -> Outgoing | None:
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM outgoing WHERE withdrawal_id = ?", (withdrawal_id,)
        ).fetchone()
        return None if found is None else _row(found)

    def in_states(self, states: Iterable[OutgoingState], network: str) -> list[Outgoing]:
        """The rows of `network` in any of `states`, by nonce (the order they must go)."""
        wanted = [str(state) for state in states]
        marks = ", ".join("?" * len(wanted))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM outgoing WHERE network = ? AND state IN ({marks}) "
            "ORDER BY nonce, created_at_ms",
            (network, *wanted),
        ).fetchall()
        return [_row(values) for values in rows]

    def withdrawal_ids(self, network: str) -> set[str]:
        """Every withdrawal of `network` that has a row, whatever its state."""
        rows = self._db.execute(
            "SELECT withdrawal_id FROM outgoing WHERE network = ?", (network,)
        ).fetchall()
        return {str(withdrawal_id) for (withdrawal_id,) in rows}

    def of_purpose(
        self, purpose: Purpose, network: str, states: Iterable[OutgoingState] = IN_FLIGHT
    ) -> list[Outgoing]:
        """The rows of `network` sent for `purpose` in any of `states` (by default those
        on their way), by nonce."""
        wanted = [str(state) for state in states]
        marks = ", ".join("?" * len(wanted))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM outgoing WHERE network = ? AND purpose = ? "
            f"AND state IN ({marks}) ORDER BY nonce, created_at_ms",
            (network, str(purpose), *wanted),
        ).fetchall()
        return [_row(values) for values in rows]

    def purpose_of(self, tx_hash: str) -> Purpose | None:
        """Why the hot wallet sent transaction `tx_hash` (0x hex), None if it did not: the
        deposit watcher must not take the sweeper's gas for a deposit."""
        row = self._db.execute(
            "SELECT purpose FROM outgoing WHERE tx_hash = ?", (tx_hash.lower(),)
        ).fetchone()
        return None if row is None else Purpose(str(row[0]))

    def counts(self, network: str) -> dict[str, int]:
        """The number of rows of `network` in each state (every state named)."""
        counts = {str(state): 0 for state in OutgoingState}
        rows = self._db.execute(
            "SELECT state, COUNT(*) FROM outgoing WHERE network = ? GROUP BY state", (network,)
        ).fetchall()
        for state, count in rows:
            counts[str(state)] = int(count)
        return counts

    def next_nonce(self, network: str, sender: str, chain_pending: int, chain_mined: int) -> int:
        """The nonce the next transaction from `sender` takes: the lowest nonce a VOID row
        left free (one the chain has not used since: `chain_mined` is the sender's mined
        transaction count), else the next after both the chain's pending transactions and
        every nonce this store ever handed out (the node may have forgotten some)."""
        row = self._db.execute(
            "SELECT MIN(nonce) FROM outgoing AS void WHERE network = ? AND sender = ? "
            "AND state = 'VOID' AND nonce >= ? AND NOT EXISTS (SELECT 1 FROM outgoing AS "
            "taken WHERE taken.network = void.network AND taken.sender = void.sender "
            "AND taken.nonce = void.nonce AND taken.state != 'VOID')",
            (network, sender, chain_mined),
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        highest = self._db.execute(
            "SELECT MAX(nonce) FROM outgoing WHERE network = ? AND sender = ?", (network, sender)
        ).fetchone()[0]
        return max(chain_pending, -1 if highest is None else int(highest) + 1)

    # -- writes: each one durable when it returns ------------------------------------

    def insert_signed(self, outgoing: Outgoing) -> Outgoing:
        """Record a newly signed transaction: a withdrawal's starts SIGNED (the engine
        journals it next), any other purpose's RECORDED (nothing to journal: it may be
        broadcast). A row id has one row for good: a second raises `OutgoingStoreError`
        (the sender never signs twice)."""
        first = (
            OutgoingState.SIGNED
            if outgoing.purpose is Purpose.WITHDRAWAL
            else OutgoingState.RECORDED
        )
        if outgoing.state is not first:
            raise OutgoingStoreError(f"a new {outgoing.purpose} row starts {first}")
        now = _now_ms()
        try:
            with self._transaction() as db:
                db.execute(
                    f"INSERT INTO outgoing ({_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, ?)",
                    (
                        outgoing.withdrawal_id,
                        outgoing.network,
                        outgoing.asset,
                        outgoing.sender,
                        outgoing.recipient,
                        str(outgoing.chain_amount),
                        outgoing.nonce,
                        outgoing.tx_hash,
                        outgoing.raw,
                        str(first),
                        now,
                        now,
                        str(outgoing.purpose),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise OutgoingStoreError(
                f"withdrawal {outgoing.withdrawal_id} already has a transaction"
            ) from exc
        return self._must_get(outgoing.withdrawal_id)

    def mark_recorded(self, withdrawal_id: str) -> Outgoing:
        return self._move(withdrawal_id, OutgoingState.RECORDED, (OutgoingState.SIGNED,))

    def mark_void(self, withdrawal_id: str, reason: str) -> Outgoing:
        return self._move(
            withdrawal_id, OutgoingState.VOID, (OutgoingState.SIGNED,), outcome=reason
        )

    def mark_broadcast(self, withdrawal_id: str) -> Outgoing:
        """Sent to a node, or (from MINED) its block vanished and it waits to be mined again."""
        return self._move(withdrawal_id, OutgoingState.BROADCAST, IN_FLIGHT, block_number=None)

    def mark_mined(self, withdrawal_id: str, block_number: int) -> Outgoing:
        return self._move(withdrawal_id, OutgoingState.MINED, IN_FLIGHT, block_number=block_number)

    def mark_done(self, withdrawal_id: str, block_number: int, outcome: str) -> Outgoing:
        return self._move(
            withdrawal_id,
            OutgoingState.DONE,
            IN_FLIGHT,
            block_number=block_number,
            outcome=outcome,
        )

    def _move(
        self,
        withdrawal_id: str,
        to: OutgoingState,
        allowed_from: Iterable[OutgoingState],
        *,
        block_number: int | None = None,
        outcome: str = "",
    ) -> Outgoing:
        allowed = [str(state) for state in allowed_from]
        marks = ", ".join("?" * len(allowed))
        with self._transaction() as db:
            moved = db.execute(
                "UPDATE outgoing SET state = ?, block_number = ?, outcome = ?, "
                f"updated_at_ms = ? WHERE withdrawal_id = ? AND state IN ({marks})",
                (str(to), block_number, outcome, _now_ms(), withdrawal_id, *allowed),
            ).rowcount
        if moved != 1:
            current = self.get(withdrawal_id)
            shown = "no row" if current is None else f"state {current.state}"
            raise OutgoingStoreError(f"withdrawal {withdrawal_id}: {shown} cannot move to {to}")
        return self._must_get(withdrawal_id)

    def _must_get(self, withdrawal_id: str) -> Outgoing:
        found = self.get(withdrawal_id)
        if found is None:
            raise OutgoingStoreError(f"withdrawal {withdrawal_id} has no row")
        return found


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
