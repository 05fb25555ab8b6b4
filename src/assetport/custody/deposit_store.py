"""What the deposit watcher remembers, in one SQLite file: `<data_dir>/custody/custody.sqlite3`.

- the deposit address of each account (derived from the xpub; index = account number);
- per network, the cursor (the last block processed) and the hashes of the most recent
  blocks, so that a reorganization is seen by comparing them with the chain's;
- every deposit seen, keyed as the engine keys its credit: (network, tx hash, log index;
  -1 for a native-coin transfer, which has no log).

A deposit is PENDING until it has its confirmations, then CREDITED once the engine took
it; BELOW_MINIMUM is recorded and never credited; ORPHANED vanished in a reorganization
before it was credited (if its transaction is mined again, it is seen again and credited
once). A CREDITED deposit whose block vanished stays CREDITED (a credit is never taken
back here) and leaves an alarm row for the operators.

Chain amounts are uint256 and may not fit SQLite's 64-bit integers: amounts are stored as
decimal text. Addresses are stored as lowercase `0x` hex, the form JSON-RPC returns.
"""

import sqlite3
import time
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Final

from assetport.chain.addresses import Address, to_checksum
from assetport.chain.hd import DepositAddresses
from assetport.custody.sqlite_file import connect, transaction

CUSTODY_DIR: Final = "custody"
STORE_FILE: Final = "custody.sqlite3"
SCHEMA_VERSION: Final = 1
DEFAULT_REORG_DEPTH: Final = 64
NATIVE_LOG_INDEX: Final = -1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS created (at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS addresses (
    account INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS cursors (
    network TEXT PRIMARY KEY,
    block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blocks (
    network TEXT NOT NULL,
    number INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (network, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deposits (
    network TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    account INTEGER NOT NULL,
    asset TEXT NOT NULL,
    raw_amount TEXT NOT NULL,
    amount TEXT NOT NULL,
    dust TEXT NOT NULL,
    status TEXT NOT NULL,
    seen_at_ms INTEGER NOT NULL,
    credited_at_ms INTEGER,
    PRIMARY KEY (network, tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS deposits_by_account ON deposits (account, seen_at_ms);
CREATE INDEX IF NOT EXISTS deposits_by_status ON deposits (network, status, block_number);
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    kind TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    tx_hash TEXT,
    log_index INTEGER,
    detail TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
"""


class DepositStatus(StrEnum):
    PENDING = "PENDING"
    CREDITED = "CREDITED"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    ORPHANED = "ORPHANED"


class AlarmKind(StrEnum):
    # A credited deposit's block left the chain: its credit stands, an operator looks.
    CREDITED_DEPOSIT_REORGED = "CREDITED_DEPOSIT_REORGED"
    # The chain forked below every block hash kept: deposits deeper may be stale.
    REORG_DEEPER_THAN_KEPT = "REORG_DEEPER_THAN_KEPT"


class DepositStoreError(RuntimeError):
    """The store file is from a newer Assetport, or otherwise unusable."""


@dataclass(frozen=True, slots=True)
class Deposit:
    """One transfer to a deposit address. `amount` is in ledger units, `raw_amount` and
    `dust` in chain units; `address` is the EIP-55 form. `confirmations` is computed from
    the head a query was given (0 for an orphaned deposit)."""

    network: str
    tx_hash: str
    log_index: int
    block_number: int
    block_hash: str
    address: str
    account: int
    asset: str
    raw_amount: int
    amount: int
    dust: int
    status: DepositStatus
    seen_at_ms: int
    credited_at_ms: int | None = None
    confirmations: int = 0

    @property
    def key(self) -> tuple[str, str, int]:
        """The engine's idempotency key of this deposit's credit."""
        return (self.network, self.tx_hash, self.log_index)

    def confirmations_at(self, head: int) -> int:
        if self.status is DepositStatus.ORPHANED:
            return 0
        return max(0, head - self.block_number + 1)


@dataclass(frozen=True, slots=True)
class Alarm:
    id: int
    network: str
    kind: AlarmKind
    block_number: int
    tx_hash: str | None
    log_index: int | None
    detail: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class ReorgOutcome:
    """What forgetting the blocks above `ancestor` did."""

    ancestor: int
    orphaned: int
    credited_reorged: int


_DEPOSIT_COLUMNS: Final = (
    "network, tx_hash, log_index, block_number, block_hash, address, account, asset, "
    "raw_amount, amount, dust, status, seen_at_ms, credited_at_ms"
)


def _deposit(row: tuple[object, ...], head: int | None = None) -> Deposit:
    (network, tx_hash, log_index, number, block_hash, address, account, asset, raw, amount,
     dust, status, seen, credited) = row  # fmt: skip
    deposit = Deposit(
        network=str(network),
        tx_hash=str(tx_hash),
        log_index=int(str(log_index)),
        block_number=int(str(number)),
        block_hash=str(block_hash),
        address=to_checksum(Address(bytes.fromhex(str(address)[2:]))),
        account=int(str(account)),
        asset=str(asset),
        raw_amount=int(str(raw)),
        amount=int(str(amount)),
        dust=int(str(dust)),
        status=DepositStatus(str(status)),
        seen_at_ms=int(str(seen)),
        credited_at_ms=None if credited is None else int(str(credited)),
    )
    if head is None:
        return deposit
    return replace(deposit, confirmations=deposit.confirmations_at(head))


def normal_address(address: str | Address) -> str:
    """The stored form of an address: lowercase `0x` hex (any case accepted)."""
    if isinstance(address, Address):
        return address.hex
    text = address.strip().lower()
    if len(text) != 42 or not text.startswith("0x"):
        raise ValueError("an address is 0x and 40 hex digits")
    bytes.fromhex(text[2:])  # refuses what is not hex
    return text


class DepositStore:
    """The watcher's SQLite file. One connection, used from one thread (the event loop's)."""

    def __init__(self, path: Path, xpub: str, *, reorg_depth: int = DEFAULT_REORG_DEPTH) -> None:
        if reorg_depth < 1:
            raise ValueError("keep at least one recent block hash")
        self.path = path
        self.reorg_depth = reorg_depth
        self._derive = DepositAddresses(xpub)
        # A crash may lose the last commits, never corrupt: the chain is rescanned from
        # the cursor and the engine's credit is idempotent, so that loss is harmless.
        self._db = connect(path, synchronous="NORMAL")
        self._migrate()

    @classmethod
    def open(
        cls, data_dir: Path, xpub: str, *, reorg_depth: int = DEFAULT_REORG_DEPTH
    ) -> "DepositStore":
        """The store of a data directory (its `custody/` made 0700 if missing)."""
        custody = data_dir / CUSTODY_DIR
        custody.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(custody / STORE_FILE, xpub, reorg_depth=reorg_depth)

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"DepositStore({self.path})"

    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)  # each statement idempotent: no transaction needed
        with self._transaction():
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise DepositStoreError(
                    f"{self.path} has schema {row[0]}; this Assetport knows {SCHEMA_VERSION}"
                )
            # Later versions migrate here, one step at a time, from row[0] upwards.
            if self._db.execute("SELECT count(*) FROM created").fetchone()[0] == 0:
                now_ms = int(time.time() * 1000)
                self._db.execute("INSERT INTO created VALUES (?)", (now_ms,))

    def created_ms(self) -> int:
        """When the store was made: no deposit address is older, so no deposit either."""
        return int(self._db.execute("SELECT at_ms FROM created").fetchone()[0])

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    # -- deposit addresses ------------------------------------------------------------

    def assign_address(self, account: int) -> str:
        """The deposit address of `account` (EIP-55), recorded so the watcher matches it.
        The same account always gets the same address."""
        address = self._derive.address_of(account)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO addresses (account, address) VALUES (?, ?)",
                (account, address.hex),
            )
        return str(address)

    def address_of(self, account: int) -> str | None:
        row = self._db.execute(
            "SELECT address FROM addresses WHERE account = ?", (account,)
        ).fetchone()
        return None if row is None else to_checksum(Address(bytes.fromhex(row[0][2:])))

    def account_of(self, address: str | Address) -> int | None:
        row = self._db.execute(
            "SELECT account FROM addresses WHERE address = ?", (normal_address(address),)
        ).fetchone()
        return None if row is None else int(row[0])

    def addresses(self) -> dict[str, int]:
        """Every deposit address (lowercase hex) with its account, for matching."""
        return dict(self._db.execute("SELECT address, account FROM addresses"))

    def addresses_version(self) -> int:
        """Changes whenever an address is added: the watcher reloads its set then."""
        row = self._db.execute("SELECT count(*), coalesce(max(account), -1) FROM addresses")
        count, highest = row.fetchone()
        return int(count) * 2**32 + int(highest) + 1

    # -- cursor and recent block hashes -----------------------------------------------

    def cursor(self, network: str) -> int | None:
        """The last block of `network` processed, None before the first."""
        row = self._db.execute("SELECT block FROM cursors WHERE network = ?", (network,))
        found = row.fetchone()
        return None if found is None else int(found[0])

    def recent_blocks(self, network: str) -> dict[int, str]:
        """The kept block hashes of `network`, by number."""
        rows = self._db.execute(
            "SELECT number, hash FROM blocks WHERE network = ? ORDER BY number", (network,)
        )
        return {int(number): str(block_hash) for number, block_hash in rows}

    def store_window(
        self,
        network: str,
        last_block: int,
        block_hashes: Mapping[int, str],
        deposits: Iterable[Deposit],
    ) -> int:
        """Record a scanned window at once: its deposits, its block hashes (only the last
        `reorg_depth` are kept) and the cursor at `last_block`. Returns how many deposits
        were new. A deposit seen again (a rescan after a crash, or a transaction mined
        again after a reorganization) keeps its status, unless it was ORPHANED: then it
        is pending again, in its new block."""
        new = 0
        with self._transaction() as db:
            for deposit in deposits:
                new += self._record(db, deposit)
            db.executemany(
                "INSERT OR REPLACE INTO blocks (network, number, hash) VALUES (?, ?, ?)",
                [(network, number, h) for number, h in block_hashes.items()],
            )
            db.execute(
                "DELETE FROM blocks WHERE network = ? AND number <= ?",
                (network, last_block - self.reorg_depth),
            )
            db.execute(
                "INSERT INTO cursors (network, block) VALUES (?, ?) "
                "ON CONFLICT (network) DO UPDATE SET block = excluded.block",
                (network, last_block),
            )
        return new

    def _record(self, db: sqlite3.Connection, deposit: Deposit) -> int:
        existing = db.execute(
            "SELECT status FROM deposits WHERE network = ? AND tx_hash = ? AND log_index = ?",
            deposit.key,
        ).fetchone()
        if existing is None:
            moved = self._credited_elsewhere(db, deposit)
            if moved is not None:
                # A credited transfer re-mined in another block, at another log index:
                # the same money, whose credit (under its first key) stands.
                db.execute(
                    "UPDATE deposits SET block_number = ?, block_hash = ? "
                    "WHERE network = ? AND tx_hash = ? AND log_index = ?",
                    (deposit.block_number, deposit.block_hash, *deposit.key[:2], moved),
                )
                return 0
            db.execute(
                f"INSERT INTO deposits ({_DEPOSIT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    deposit.network,
                    deposit.tx_hash,
                    deposit.log_index,
                    deposit.block_number,
                    deposit.block_hash,
                    normal_address(deposit.address),
                    deposit.account,
                    deposit.asset,
                    str(deposit.raw_amount),
                    str(deposit.amount),
                    str(deposit.dust),
                    deposit.status.value,
                    deposit.seen_at_ms,
                    deposit.credited_at_ms,
                ),
            )
            return 1
        status = DepositStatus(existing[0])
        # Its block (number and hash) is wherever the chain has it now; a credit stands.
        revived = deposit.status if status is DepositStatus.ORPHANED else status
        db.execute(
            "UPDATE deposits SET block_number = ?, block_hash = ?, status = ? "
            "WHERE network = ? AND tx_hash = ? AND log_index = ?",
            (deposit.block_number, deposit.block_hash, revived.value, *deposit.key),
        )
        return 1 if status is DepositStatus.ORPHANED else 0

    @staticmethod
    def _credited_elsewhere(db: sqlite3.Connection, deposit: Deposit) -> int | None:
        """The log index of a credited deposit of the same transaction, address, asset and
        amount recorded in another block: the one a reorganization moved."""
        row = db.execute(
            "SELECT log_index FROM deposits WHERE network = ? AND tx_hash = ? AND status = ? "
            "AND block_hash != ? AND address = ? AND asset = ? AND raw_amount = ? LIMIT 1",
            (
                deposit.network,
                deposit.tx_hash,
                DepositStatus.CREDITED.value,
                deposit.block_hash,
                normal_address(deposit.address),
                deposit.asset,
                str(deposit.raw_amount),
            ),
        ).fetchone()
        return None if row is None else int(row[0])

    def forget_above(self, network: str, ancestor: int, now_ms: int) -> ReorgOutcome:
        """A reorganization: the chain and this store agree up to block `ancestor` only.
        Pending (and below-minimum) deposits above it become ORPHANED; a credited one
        stays credited and raises an alarm; the kept hashes above it are dropped and the
        cursor goes back to it."""
        with self._transaction() as db:
            credited = db.execute(
                "SELECT tx_hash, log_index, block_number, block_hash, account, asset, amount "
                "FROM deposits WHERE network = ? AND block_number > ? AND status = ?",
                (network, ancestor, DepositStatus.CREDITED.value),
            ).fetchall()
            for tx_hash, log_index, number, block_hash, account, asset, amount in credited:
                db.execute(
                    "INSERT INTO alarms (network, kind, block_number, tx_hash, log_index, "
                    "detail, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        network,
                        AlarmKind.CREDITED_DEPOSIT_REORGED.value,
                        number,
                        tx_hash,
                        log_index,
                        f"block {number} ({block_hash}) left the chain after account "
                        f"{account} was credited {amount} {asset} ledger units",
                        now_ms,
                    ),
                )
            orphaned = db.execute(
                "UPDATE deposits SET status = ? "
                "WHERE network = ? AND block_number > ? AND status IN (?, ?)",
                (
                    DepositStatus.ORPHANED.value,
                    network,
                    ancestor,
                    DepositStatus.PENDING.value,
                    DepositStatus.BELOW_MINIMUM.value,
                ),
            ).rowcount
            db.execute("DELETE FROM blocks WHERE network = ? AND number > ?", (network, ancestor))
            db.execute(
                "UPDATE cursors SET block = min(block, ?) WHERE network = ?", (ancestor, network)
            )
        return ReorgOutcome(ancestor, orphaned, len(credited))

    def raise_alarm(
        self, network: str, kind: AlarmKind, block_number: int, detail: str, now_ms: int
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO alarms (network, kind, block_number, detail, at_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                (network, kind.value, block_number, detail, now_ms),
            )

    def alarms(self, network: str | None = None) -> list[Alarm]:
        rows = self._db.execute(
            "SELECT id, network, kind, block_number, tx_hash, log_index, detail, at_ms "
            "FROM alarms WHERE ? IS NULL OR network = ? ORDER BY id",
            (network, network),
        )
        return [
            Alarm(int(i), str(n), AlarmKind(k), int(b), t, li, str(d), int(at))
            for i, n, k, b, t, li, d, at in rows
        ]

    # -- deposits -----------------------------------------------------------------------

    def mark_credited(self, key: tuple[str, str, int], now_ms: int) -> bool:
        """Record that the engine credited the deposit `key`; False if it was not pending
        (it was credited already, or orphaned meanwhile)."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE deposits SET status = ?, credited_at_ms = ? "
                "WHERE network = ? AND tx_hash = ? AND log_index = ? AND status = ?",
                (DepositStatus.CREDITED.value, now_ms, *key, DepositStatus.PENDING.value),
            ).rowcount
        return changed == 1

    def deposit(self, key: tuple[str, str, int], head: int | None = None) -> Deposit | None:
        row = self._db.execute(
            f"SELECT {_DEPOSIT_COLUMNS} FROM deposits "
            "WHERE network = ? AND tx_hash = ? AND log_index = ?",
            key,
        ).fetchone()
        return None if row is None else _deposit(row, head)

    def pending(self, network: str, head: int | None = None) -> list[Deposit]:
        """The PENDING deposits of `network`, oldest block first."""
        rows = self._db.execute(
            f"SELECT {_DEPOSIT_COLUMNS} FROM deposits WHERE network = ? AND status = ? "
            "ORDER BY block_number, log_index",
            (network, DepositStatus.PENDING.value),
        )
        return [_deposit(row, head) for row in rows]

    def history(
        self, account: int, head: Mapping[str, int] | int, *, limit: int = 1000
    ) -> list[Deposit]:
        """The deposits of `account`, newest first, each with its confirmations at `head`
        (the head block number, or one per network)."""
        rows = self._db.execute(
            f"SELECT {_DEPOSIT_COLUMNS} FROM deposits WHERE account = ? "
            "ORDER BY seen_at_ms DESC, block_number DESC, log_index DESC LIMIT ?",
            (account, limit),
        )
        found = []
        for row in rows:
            network = str(row[0])
            at = head if isinstance(head, int) else head.get(network)
            found.append(_deposit(row, at))
        return found

    def deposits(self, network: str) -> list[Deposit]:
        """Every deposit of `network`, in chain order (for operators and tests)."""
        rows = self._db.execute(
            f"SELECT {_DEPOSIT_COLUMNS} FROM deposits WHERE network = ? "
            "ORDER BY block_number, log_index",
            (network,),
        )
        return [_deposit(row) for row in rows]
