"""The accounts' table and the sessions' table, in `<data_dir>/accounts.sqlite3`.

What is stored: per user the normalised email, the argon2id hash of the password (never the
password), the anti-phishing code, the TOTP secret sealed with AES-GCM under the data dir's
master key (the one that seals HMAC API secrets; the associated data names the user, so rows
cannot be swapped) and the last TOTP step used; per session the SHA-256 of its id (the
cookie's value never touches the disk, so a copy of the file opens no session), its user, its
CSRF token and its expiry. The file is made 0600 before SQLite opens it, as the key store's.
"""

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assetport.api.keys import MASTER_KEY_FILE, KeyStoreError, read_or_create_private_file

ACCOUNTS_DB_FILE: Final = "accounts.sqlite3"

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS accounts (
        user_id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        anti_phishing TEXT,
        totp_nonce BLOB,
        totp_sealed BLOB,
        totp_enabled INTEGER NOT NULL DEFAULT 0,
        totp_last_step INTEGER NOT NULL DEFAULT -1,
        created_ms INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        csrf_token TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
)
_ACCOUNT_COLUMNS: Final = (
    "user_id, email, password_hash, anti_phishing, totp_nonce, totp_sealed, totp_enabled, "
    "totp_last_step"
)


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    password_hash: str
    anti_phishing: str | None
    totp_secret: str | None  # enrolled (maybe not yet confirmed) secret
    totp_enabled: bool
    totp_last_step: int


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf_token: str
    expires_ms: int


class AccountStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        master = read_or_create_private_file(data_dir / MASTER_KEY_FILE, os.urandom(32))
        self._aead = AESGCM(master)
        path = data_dir / ACCOUNTS_DB_FILE
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()
        for statement in _SCHEMA:
            self._db.execute(statement)

    # -- accounts --------------------------------------------------------------------------

    def add(self, user_id: int, email: str, password_hash: str, now_ms: int) -> None:
        """Raises sqlite3.IntegrityError when the email is taken."""
        with self._lock:
            self._db.execute(
                "INSERT INTO accounts (user_id, email, password_hash, created_ms) "
                "VALUES (?, ?, ?, ?)",
                (user_id, email, password_hash, now_ms),
            )

    def by_email(self, email: str) -> Account | None:
        return self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE email = ?", email)

    def by_user(self, user_id: int) -> Account | None:
        return self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE user_id = ?", user_id)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._update(user_id, "password_hash = ?", password_hash)

    def set_anti_phishing(self, user_id: int, code: str) -> None:
        self._update(user_id, "anti_phishing = ?", code)

    def set_totp(self, user_id: int, secret: str | None, *, enabled: bool) -> None:
        """Enrol (`enabled` False), confirm (True) or remove (`secret` None) the secret."""
        nonce: bytes | None = None
        sealed: bytes | None = None
        if secret is not None:
            nonce = os.urandom(12)
            sealed = self._aead.encrypt(nonce, secret.encode(), _totp_aad(user_id))
        with self._lock:
            self._db.execute(
                "UPDATE accounts SET totp_nonce = ?, totp_sealed = ?, totp_enabled = ?, "
                "totp_last_step = -1 WHERE user_id = ?",
                (nonce, sealed, int(enabled), user_id),
            )

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was used already."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE accounts SET totp_last_step = ? WHERE user_id = ? AND totp_last_step < ?",
                (step, user_id, step),
            )
        return cursor.rowcount == 1

    # -- sessions --------------------------------------------------------------------------

    def add_session(
        self, id_hash: str, user_id: int, csrf_token: str, now_ms: int, expires_ms: int
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (id_hash, user_id, csrf_token, now_ms, expires_ms),
            )

    def session(self, id_hash: str) -> Session | None:
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, csrf_token, expires_ms FROM sessions WHERE id_hash = ?",
                (id_hash,),
            ).fetchone()
        return Session(row[0], row[1], row[2]) if row is not None else None

    def delete_session(self, id_hash: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def delete_sessions_of(self, user_id: int) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount

    def delete_expired_sessions(self, now_ms: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires_ms <= ?", (now_ms,))

    def close(self) -> None:
        self._db.close()

    def _one(self, sql: str, value: object) -> Account | None:
        with self._lock:
            row = self._db.execute(sql, (value,)).fetchone()
        if row is None:
            return None
        user_id, email, password_hash, anti_phishing, nonce, sealed, enabled, last_step = row
        secret = None
        if nonce is not None and sealed is not None:
            try:
                secret = self._aead.decrypt(nonce, sealed, _totp_aad(user_id)).decode()
            except InvalidTag:
                raise KeyStoreError(f"cannot decrypt the TOTP secret of user {user_id}") from None
        return Account(
            user_id, email, password_hash, anti_phishing, secret, bool(enabled), last_step
        )

    def _update(self, user_id: int, assignment: str, value: object) -> None:
        with self._lock:
            self._db.execute(
                f"UPDATE accounts SET {assignment} WHERE user_id = ?", (value, user_id)
            )

    def __repr__(self) -> str:
        return "AccountStore(<redacted>)"


def _totp_aad(user_id: int) -> bytes:
    return f"totp:{user_id}".encode()
