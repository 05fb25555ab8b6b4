"""What custody remembers of items on the chain, in one SQLite file:
`<data_dir>/custody/nft.sqlite3`.

- `legs`: every transaction the NFT sender signed (deploying a collection's contract,
  minting, transferring), stored durably *before* it is broadcast, raw bytes and all: after
  a `kill -9` the sender finds it and sends the same bytes again rather than signing a
  second one. A leg is SENT until its receipt has its confirmations, then DONE with its
  `outcome` (CONFIRMED, or REVERTED). The engine journals no "signed" step for an item's
  withdrawal, so these rows alone say how far each withdrawal got on the chain.
- `deposits`: the item transfers the watcher credited to a deposit address (where the
  units now sit: a later withdrawal sends them on from there) and its cursor per network.
"""

import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from assetport.custody.sqlite_file import connect, transaction

CUSTODY_DIR: Final = "custody"
STORE_FILE: Final = "nft.sqlite3"
CONFIRMED: Final = "CONFIRMED"
REVERTED: Final = "REVERTED"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS legs (
    id TEXT PRIMARY KEY,
    network TEXT NOT NULL,
    kind TEXT NOT NULL,
    withdrawal_id INTEGER,
    collection TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    tx_hash TEXT NOT NULL UNIQUE,
    raw BLOB NOT NULL,
    state TEXT NOT NULL,
    block_number INTEGER,
    outcome TEXT NOT NULL DEFAULT '',
    contract TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS legs_by_withdrawal ON legs (network, withdrawal_id);
CREATE INDEX IF NOT EXISTS legs_by_state ON legs (network, state);
CREATE TABLE IF NOT EXISTS deposits (
    network TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    contract TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    address TEXT NOT NULL,
    account INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    PRIMARY KEY (network, tx_hash, log_index, token_id)
);
CREATE INDEX IF NOT EXISTS deposits_by_token ON deposits (network, contract, token_id);
CREATE TABLE IF NOT EXISTS cursors (network TEXT PRIMARY KEY, block INTEGER NOT NULL);
"""


class LegKind(StrEnum):
    DEPLOY = "DEPLOY"  # the collection's contract (no withdrawal of its own)
    MINT = "MINT"
    TRANSFER = "TRANSFER"  # from a platform address that holds the units


class LegState(StrEnum):
    SENT = "SENT"
    DONE = "DONE"


@dataclass(frozen=True, slots=True)
class Leg:
    """One signed transaction. `sender`, `recipient` and `contract` are lowercase 0x hex;
    `recipient` is the contract called (or "" for a deployment's), `contract` the collection's
    (for a deployment: the address it created, once confirmed)."""

    id: str
    network: str
    kind: LegKind
    withdrawal_id: int | None
    collection: str
    token_id: int
    quantity: int
    sender: str
    recipient: str
    nonce: int
    tx_hash: str
    raw: bytes = field(repr=False)
    state: LegState = LegState.SENT
    block_number: int | None = None
    outcome: str = ""
    contract: str = ""

    @property
    def confirmed(self) -> bool:
        return self.state is LegState.DONE and self.outcome == CONFIRMED


_COLUMNS: Final = (
    "id, network, kind, withdrawal_id, collection, token_id, quantity, sender, recipient, "
    "nonce, tx_hash, raw, state, block_number, outcome, contract"
)


def _leg(row: tuple[object, ...]) -> Leg:
    (leg_id, network, kind, withdrawal_id, collection, token_id, quantity, sender, recipient,
     nonce, tx_hash, raw, state, block, outcome, contract) = row  # fmt: skip
    assert isinstance(raw, bytes)
    return Leg(
        str(leg_id), str(network), LegKind(str(kind)),
        None if withdrawal_id is None else int(str(withdrawal_id)), str(collection),
        int(str(token_id)), int(str(quantity)), str(sender), str(recipient), int(str(nonce)),
        str(tx_hash), raw, LegState(str(state)), None if block is None else int(str(block)),
        str(outcome), str(contract),
    )  # fmt: skip


class NftStore:
    """The file: one connection, used from the event loop's thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # A signed leg lost to a crash could be signed again and the item sent twice.
        self._db = connect(path, synchronous="FULL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> "NftStore":
        return cls(data_dir / CUSTODY_DIR / STORE_FILE)

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    # -- legs ---------------------------------------------------------------------------

    def leg(self, leg_id: str) -> Leg | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM legs WHERE id = ?", (leg_id,)).fetchone()
        return None if row is None else _leg(row)

    def sent(self, network: str) -> list[Leg]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM legs WHERE network = ? AND state = 'SENT' ORDER BY rowid",
            (network,),
        )
        return [_leg(row) for row in rows]

    def legs_of(self, network: str, withdrawal_id: int) -> list[Leg]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM legs WHERE network = ? AND withdrawal_id = ? ORDER BY rowid",
            (network, withdrawal_id),
        )
        return [_leg(row) for row in rows]

    def minted(self, network: str, collection: str, token_id: int) -> int:
        """Units of an item minted on `network` (or on their way): never past its supply."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(quantity), 0) FROM legs WHERE network = ? AND kind = 'MINT' "
            "AND collection = ? AND token_id = ? AND NOT (state = 'DONE' AND outcome != ?)",
            (network, collection, token_id, CONFIRMED),
        ).fetchone()
        return int(row[0])

    def next_nonce(self, network: str, sender: str) -> int:
        """Past every nonce this store signed for `sender` (the node may forget some)."""
        row = self._db.execute(
            "SELECT MAX(nonce) FROM legs WHERE network = ? AND sender = ?", (network, sender)
        ).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def insert(self, leg: Leg) -> Leg:
        now = _now_ms()
        with self._transaction() as db:
            db.execute(
                f"INSERT INTO legs ({_COLUMNS}, created_at_ms, updated_at_ms) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SENT', NULL, '', ?, ?, ?)",
                (leg.id, leg.network, str(leg.kind), leg.withdrawal_id, leg.collection,
                 leg.token_id, leg.quantity, leg.sender, leg.recipient, leg.nonce, leg.tx_hash,
                 leg.raw, leg.contract, now, now),
            )  # fmt: skip
        found = self.leg(leg.id)
        assert found is not None
        return found

    def mark_done(self, leg_id: str, block: int, outcome: str, contract: str = "") -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE legs SET state = 'DONE', block_number = ?, outcome = ?, "
                "contract = CASE WHEN ? = '' THEN contract ELSE ? END, updated_at_ms = ? "
                "WHERE id = ? AND state = 'SENT'",
                (block, outcome, contract, contract, _now_ms(), leg_id),
            )

    def counts(self, network: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT kind || ' ' || state || CASE WHEN outcome = '' THEN '' ELSE ' ' || outcome "
            "END, COUNT(*) FROM legs WHERE network = ? GROUP BY 1",
            (network,),
        )
        return {str(name): int(count) for name, count in rows}

    # -- deposits -----------------------------------------------------------------------

    def cursor(self, network: str) -> int | None:
        row = self._db.execute("SELECT block FROM cursors WHERE network = ?", (network,))
        found = row.fetchone()
        return None if found is None else int(found[0])

    def record_deposit(
        self,
        network: str,
        tx_hash: str,
        log_index: int,
        contract: str,
        token_id: int,
        address: str,
        account: int,
        quantity: int,
        block: int,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO deposits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (network, tx_hash, log_index, contract.lower(), token_id, address.lower(),
                 account, quantity, block),
            )  # fmt: skip

    def set_cursor(self, network: str, block: int) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO cursors VALUES (?, ?) ON CONFLICT (network) DO UPDATE SET block = ?",
                (network, block, block),
            )

    def holders(self, network: str, contract: str, token_id: int) -> list[tuple[str, int]]:
        """(address, account) of every platform address units of the item were deposited
        to, oldest first: where a withdrawal looks for units before minting new ones."""
        rows = self._db.execute(
            "SELECT address, account, MIN(block_number) FROM deposits WHERE network = ? "
            "AND contract = ? AND token_id = ? GROUP BY address, account ORDER BY 3",
            (network, contract.lower(), token_id),
        )
        return [(str(address), int(account)) for address, account, _ in rows]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
