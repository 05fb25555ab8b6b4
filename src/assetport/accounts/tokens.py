"""One-time links sent by mail: email verification and password reset.

A token is 256 random bits in the link; the database keeps only its SHA-256 (a copy of the
file opens nothing), its purpose, its user and the address it was sent to, and its expiry.
Using one deletes it in the same statement that reads it, so two clicks cannot both use it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from assetport.accounts.database import Database

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS tokens (
        token_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        email TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens (user_id, purpose)",
)
_TOKEN_BYTES: Final = 32


class Purpose(StrEnum):
    VERIFY = "verify"
    RESET = "reset"


# A verification link may wait in an inbox for a day; a reset link is worth an account, so
# it lasts an hour, and only the newest one works.
TTL_MS: Final = {Purpose.VERIFY: 24 * 3600 * 1000, Purpose.RESET: 3600 * 1000}


@dataclass(frozen=True)
class TokenOwner:
    user_id: int
    email: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._db.apply(_SCHEMA)

    def issue(self, purpose: Purpose, user_id: int, email: str, now_ms: int) -> str:
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        with self._db.transaction() as db:
            db.execute("DELETE FROM tokens WHERE expires_ms <= ?", (now_ms,))
            if purpose is Purpose.RESET:
                db.execute(
                    "DELETE FROM tokens WHERE user_id = ? AND purpose = ?",
                    (user_id, purpose.value),
                )
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?)",
                (_hash(token), purpose.value, user_id, email, now_ms + TTL_MS[purpose]),
            )
        return token

    def peek(self, purpose: Purpose, token: str, now_ms: int) -> TokenOwner | None:
        """Whose the token is, if it is good now, without using it."""
        row = self._db.one(
            "SELECT user_id, email FROM tokens WHERE token_hash = ? AND purpose = ? AND "
            "expires_ms > ?",
            (_hash(token), purpose.value, now_ms),
        )
        return TokenOwner(row[0], row[1]) if row is not None else None

    def use(self, purpose: Purpose, token: str, now_ms: int) -> TokenOwner | None:
        """Whose the token was, once: it is gone after this call."""
        # Every row read (`all`), so the statement ends and its transaction commits.
        rows = self._db.all(
            "DELETE FROM tokens WHERE token_hash = ? AND purpose = ? AND expires_ms > ? "
            "RETURNING user_id, email",
            (_hash(token), purpose.value, now_ms),
        )
        return TokenOwner(rows[0][0], rows[0][1]) if rows else None

    def revoke(self, user_id: int, purpose: Purpose) -> None:
        self._db.execute(
            "DELETE FROM tokens WHERE user_id = ? AND purpose = ?", (user_id, purpose.value)
        )
