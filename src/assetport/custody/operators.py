"""Named operators, for the approvals that need N of M people, in one SQLite file:
`<data_dir>/custody/operators.sqlite3`.

A large withdrawal, a risk-held account's withdrawal and a refill of the hot wallet from
cold each wait for `approvals_required` (N) distinct operators out of those registered
here (M). Each operator has a token of their own (`assetport admin operator add NAME`
prints it once); an approval authenticates with it and the engine records the operator's
name, so one person cannot approve twice and the shared admin token cannot approve at all.

Only the SHA-256 of a token is kept (a 32-byte random token needs no slow hash: there is
nothing to guess), in a file only its owner may read. The command line writes the file and
the running server reads it at each request, so an operator added or removed counts at once.

Refills (`Refill`) live in the same file: an operator's request to move an amount from the
cold address to the hot wallet, with the unsigned transaction for the offline signer and
the operators who approved it; it is READY once N distinct operators approved.
"""

import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

CUSTODY_DIR: Final = "custody"
STORE_FILE: Final = "operators.sqlite3"
TOKEN_PREFIX: Final = "op_"
NAME: Final = re.compile(r"[a-z][a-z0-9._-]{0,31}")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS operators (
    name TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    added_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asset TEXT NOT NULL,
    amount TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    unsigned_tx TEXT NOT NULL,
    approvals TEXT NOT NULL,
    required INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
"""


class OperatorError(ValueError):
    """A name that is taken, unknown or not a name; a refill that cannot be approved."""


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    added_at_ms: int


@dataclass(frozen=True, slots=True)
class Refill:
    """A request to move `amount` (a decimal string, in the asset) from cold to hot."""

    id: int
    asset: str
    amount: str
    requested_by: str
    unsigned_tx: dict[str, Any]
    approvals: tuple[str, ...]
    required: int
    created_at_ms: int

    @property
    def ready(self) -> bool:
        return len(self.approvals) >= self.required

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "asset": self.asset,
            "amount": self.amount,
            "requestedBy": self.requested_by,
            "approvals": list(self.approvals),
            "required": self.required,
            "status": "READY" if self.ready else "AWAITING_APPROVAL",
            "createdAt": self.created_at_ms,
            "unsignedTransaction": self.unsigned_tx,
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Operators:
    """The operators file. Each call opens its own short connection: the command line and
    the server use the file at the same time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            # Made private before SQLite writes a byte into it.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connection() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> "Operators":
        return cls(data_dir / CUSTODY_DIR / STORE_FILE)

    def __repr__(self) -> str:
        return f"Operators({self.path})"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    # -- operators ----------------------------------------------------------------------

    def add(self, name: str, now_ms: int | None = None) -> str:
        """Register `name`; its new token, which is shown this once and never kept."""
        if not NAME.fullmatch(name):
            raise OperatorError(
                "an operator's name is 1 to 32 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with self._connection() as db:
                db.execute(
                    "INSERT INTO operators (name, token_sha256, added_at_ms) VALUES (?, ?, ?)",
                    (name, hash_token(token), _now_ms() if now_ms is None else now_ms),
                )
        except sqlite3.IntegrityError:
            raise OperatorError(f"an operator named {name!r} exists already") from None
        return token

    def remove(self, name: str) -> None:
        with self._connection() as db:
            removed = db.execute("DELETE FROM operators WHERE name = ?", (name,)).rowcount
        if removed != 1:
            raise OperatorError(f"no operator is named {name!r}")

    def registered(self) -> list[Operator]:
        with self._connection() as db:
            rows = db.execute("SELECT name, added_at_ms FROM operators ORDER BY name").fetchall()
        return [Operator(str(name), int(added)) for name, added in rows]

    def count(self) -> int:
        """M: the operators registered."""
        with self._connection() as db:
            return int(db.execute("SELECT COUNT(*) FROM operators").fetchone()[0])

    def authenticate(self, token: str | None) -> str | None:
        """The name of the operator whose token this is, or None. The lookup is by the
        token's hash, so no comparison runs over the secret itself."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        with self._connection() as db:
            row = db.execute(
                "SELECT name FROM operators WHERE token_sha256 = ?", (hash_token(token),)
            ).fetchone()
        return None if row is None else str(row[0])

    # -- refills ------------------------------------------------------------------------

    def request_refill(
        self, asset: str, amount: str, operator: str, unsigned_tx: dict[str, Any], required: int
    ) -> Refill:
        """Record a refill request; the requester's request is their approval."""
        now = _now_ms()
        with self._connection() as db:
            cursor = db.execute(
                "INSERT INTO refills (asset, amount, requested_by, unsigned_tx, approvals, "
                "required, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (asset, amount, operator, json.dumps(unsigned_tx), json.dumps([operator]),
                 required, now, now),
            )  # fmt: skip
            refill_id = int(cursor.lastrowid or 0)
        found = self.refill(refill_id)
        assert found is not None
        return found

    def approve_refill(self, refill_id: int, operator: str) -> Refill:
        """`operator`'s approval of refill `refill_id`; each operator approves once."""
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT approvals FROM refills WHERE id = ?", (refill_id,)
                ).fetchone()
                if row is None:
                    raise OperatorError(f"no refill has id {refill_id}")
                approvals = list(json.loads(row[0]))
                if operator in approvals:
                    raise OperatorError(f"{operator} approved refill {refill_id} already")
                approvals.append(operator)
                db.execute(
                    "UPDATE refills SET approvals = ?, updated_at_ms = ? WHERE id = ?",
                    (json.dumps(approvals), _now_ms(), refill_id),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        found = self.refill(refill_id)
        assert found is not None
        return found

    def refill(self, refill_id: int) -> Refill | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {_REFILL_COLUMNS} FROM refills WHERE id = ?", (refill_id,))
            found = row.fetchone()
        return None if found is None else _refill(found)

    def refills(self, limit: int = 100) -> list[Refill]:
        """The latest refills, newest first."""
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {_REFILL_COLUMNS} FROM refills ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_refill(row) for row in rows]


_REFILL_COLUMNS: Final = (
    "id, asset, amount, requested_by, unsigned_tx, approvals, required, created_at_ms"
)


def _refill(row: tuple[Any, ...]) -> Refill:
    refill_id, asset, amount, by, tx, approvals, required, created = row
    return Refill(
        int(refill_id),
        str(asset),
        str(amount),
        str(by),
        json.loads(tx),
        tuple(json.loads(approvals)),
        int(required),
        int(created),
    )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
