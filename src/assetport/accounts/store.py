"""The accounts' table and the sessions' table, in `<data_dir>/accounts.sqlite3`.

What is stored: per user the normalised email and whether its owner has shown they read
it (`email_verified`), the argon2id hash of the password (never the password), the
language of the account's emails, the version of the terms its owner accepted at sign-up
and when (none for an account made before sign-up asked), the anti-phishing code, the
TOTP secret sealed with AES-GCM under the data dir's master key (the one that seals HMAC
API secrets; the associated data names the user, so rows cannot be swapped) and the last
TOTP step used; per session the SHA-256 of its id (the cookie's value never touches the
disk, so a copy of the file opens no session), its user, its CSRF token, its expiry and
when it was last used; per account the network addresses it signed up or logged in from
(an IPv6 address by its /64), to tell a login from a new one.

With a shared database (`assetport serve --shared-db`: `database.SharedDatabase`) the
tables are every gateway's, the TOTP secrets sealed under the deployment's secrets key, and
what a request reads is cached here: the sessions (a session started, ended or every one
of a user's ended on any gateway reaches the others' caches through the change poller; a
session not cached is looked up within `MissLookups`' budget) and whether an account's
email is verified. A session's last use is written as before but not told to the others:
`fresh_session` reads it again before a session that looks idle is ended.
"""

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assetport.accounts.database import ACCOUNTS_DB_FILE, Database, SharedDatabase
from assetport.edge.keys import MASTER_KEY_FILE, KeyStoreError, read_or_create_private_file
from assetport.edge.shared_db import MissLookups, SharedDb

__all__ = ["ACCOUNTS_DB_FILE", "Account", "AccountStore", "Session"]

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
    """CREATE TABLE IF NOT EXISTS login_addresses (
        user_id INTEGER NOT NULL,
        address TEXT NOT NULL,
        first_ms INTEGER NOT NULL,
        last_ms INTEGER NOT NULL,
        PRIMARY KEY (user_id, address))""",
)
# The addresses kept per account: the oldest are forgotten past this (a login from one of
# them again is then told as new, which errs on the safe side).
MAX_LOGIN_ADDRESSES: Final = 50
_ACCOUNT_COLUMNS: Final = (
    "user_id, email, password_hash, anti_phishing, totp_nonce, totp_sealed, totp_enabled, "
    "totp_last_step, email_verified, language, terms_version, terms_accepted_ms"
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
    email_verified: bool = False
    language: str = "en"  # of the emails sent to this account: "en" or "ko"
    # The terms of use and risk disclosure accepted at sign-up (accounts/terms.py) and when;
    # None for an account made before sign-up asked for consent, or by the server itself.
    terms_version: str | None = None
    terms_accepted_ms: int | None = None


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf_token: str
    expires_ms: int
    last_seen_ms: int


# The change topics the other gateways' caches follow.
SESSION_TOPIC: Final = "session"  # subject: the id hash
USER_SESSIONS_TOPIC: Final = "user_sessions"  # subject: the user id
ACCOUNT_TOPIC: Final = "account"  # subject: the user id


class AccountStore:
    def __init__(self, data_dir: Path, shared: SharedDb | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        if shared is None:
            master = read_or_create_private_file(data_dir / MASTER_KEY_FILE, os.urandom(32))
            self.database = Database(data_dir)
        else:
            master = shared.secrets_key
            self.database = SharedDatabase(shared)
        self._aead = AESGCM(master)
        self._master = master
        self._shared = shared is not None
        self._sessions: dict[str, Session] = {}  # the shared database's, cached
        self._verified: dict[int, bool] = {}
        self._misses = MissLookups()
        self._cache_lock = threading.Lock()
        self.database.apply(_SCHEMA)
        # Files made before email verification and idle timeouts: their accounts start
        # unverified (they verify with a new link), their sessions as just used.
        self.database.add_column("accounts", "email_verified", "INTEGER NOT NULL DEFAULT 0")
        self.database.add_column("accounts", "language", "TEXT NOT NULL DEFAULT 'en'")
        # Accounts made before sign-up asked for consent to the terms keep NULL: no consent
        # is invented for them.
        self.database.add_column("accounts", "terms_version", "TEXT")
        self.database.add_column("accounts", "terms_accepted_ms", "INTEGER")
        self.database.add_column("sessions", "last_seen_ms", "INTEGER NOT NULL DEFAULT 0")
        self.database.execute(
            "UPDATE sessions SET last_seen_ms = created_ms WHERE last_seen_ms = 0"
        )
        if shared is not None:
            self._sessions = self._read_sessions("")
            shared.subscribe(SESSION_TOPIC, self._session_changed)
            shared.subscribe(USER_SESSIONS_TOPIC, self._user_sessions_changed)
            shared.subscribe(ACCOUNT_TOPIC, self._account_changed)

    def derived_key(self, purpose: str) -> bytes:
        """A key for one purpose (the recovery codes' keyed hash), derived from the master
        key so that no second key file needs keeping; one purpose's key says nothing of
        another's, nor of the master key."""
        return hmac.new(self._master, f"assetport:{purpose}".encode(), hashlib.sha256).digest()

    # -- accounts --------------------------------------------------------------------------

    def add(
        self,
        user_id: int,
        email: str,
        password_hash: str,
        now_ms: int,
        language: str = "en",
        terms_version: str | None = None,
    ) -> None:
        """Raises sqlite3.IntegrityError when the email is taken. The terms, when accepted,
        are recorded as accepted now."""
        self.database.execute(
            "INSERT INTO accounts (user_id, email, password_hash, created_ms, language, "
            "terms_version, terms_accepted_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, email, password_hash, now_ms, language, terms_version,
             now_ms if terms_version is not None else None),
        )  # fmt: skip

    def by_email(self, email: str) -> Account | None:
        return self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE email = ?", email)

    def by_user(self, user_id: int) -> Account | None:
        return self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE user_id = ?", user_id)

    def is_verified(self, user_id: int) -> bool:
        """Asked by every trading request made with a session: cached with a shared database."""
        verified = self._verified.get(user_id)
        if verified is not None:
            return verified
        # Read and kept under the lock the poller's change takes: a change seen meanwhile
        # never leaves the old answer behind.
        with self._cache_lock:
            row = self.database.one(
                "SELECT email_verified FROM accounts WHERE user_id = ?", (user_id,)
            )
            verified = row is not None and bool(row[0])
            if self._shared:
                self._verified[user_id] = verified
        return verified

    def set_verified(self, user_id: int) -> None:
        self._update(user_id, "email_verified = ?", 1)

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
        self.database.execute(
            "UPDATE accounts SET totp_nonce = ?, totp_sealed = ?, totp_enabled = ?, "
            "totp_last_step = -1 WHERE user_id = ?",
            (nonce, sealed, int(enabled), user_id),
        )

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was used already."""
        cursor = self.database.execute(
            "UPDATE accounts SET totp_last_step = ? WHERE user_id = ? AND totp_last_step < ?",
            (step, user_id, step),
        )
        return cursor.rowcount == 1

    # -- sessions --------------------------------------------------------------------------

    def add_session(
        self, id_hash: str, user_id: int, csrf_token: str, now_ms: int, expires_ms: int
    ) -> None:
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, expires_ms, "
                "last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)",
                (id_hash, user_id, csrf_token, now_ms, expires_ms, now_ms),
            )
            self.database.changed(db, SESSION_TOPIC, id_hash)
        if self._shared:
            with self._cache_lock:
                self._sessions[id_hash] = Session(user_id, csrf_token, expires_ms, now_ms)
                self._misses.forget(id_hash)

    def session(self, id_hash: str) -> Session | None:
        """The session of a request's cookie: with a shared database, from the cache (a
        miss looked up within the budget)."""
        if not self._shared:
            return self.fresh_session(id_hash)
        found = self._sessions.get(id_hash)
        if found is None and self._misses.may_look_up(id_hash):
            found = self.fresh_session(id_hash)
        return found

    def fresh_session(self, id_hash: str) -> Session | None:
        """The session as the database has it now (its last use perhaps on another gateway).
        Read and cached under the cache's lock, so a session ended meanwhile on this
        gateway (which drops it from the cache after its delete) does not come back."""
        if not self._shared:
            return self._read_sessions("WHERE id_hash = ?", id_hash).get(id_hash)
        with self._cache_lock:
            found = self._read_sessions("WHERE id_hash = ?", id_hash).get(id_hash)
            if found is None:
                self._sessions.pop(id_hash, None)
                self._misses.absent(id_hash)
            else:
                self._sessions[id_hash] = found
                self._misses.forget(id_hash)
        return found

    def touch_session(self, id_hash: str, now_ms: int) -> None:
        self.database.execute(
            "UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ?", (now_ms, id_hash)
        )
        if self._shared:
            with self._cache_lock:
                cached = self._sessions.get(id_hash)
                if cached is not None:
                    self._sessions[id_hash] = replace(cached, last_seen_ms=now_ms)

    def note_login_address(self, user_id: int, address: str, now_ms: int) -> bool:
        """Records that the account was used from `address`; True when the address is new
        to an account that had been used from another one (a login worth telling of)."""
        with self.database.transaction() as db:
            known = db.execute(
                "SELECT address FROM login_addresses WHERE user_id = ?", (user_id,)
            ).fetchall()
            seen = any(row[0] == address for row in known)
            if seen:
                db.execute(
                    "UPDATE login_addresses SET last_ms = ? WHERE user_id = ? AND address = ?",
                    (now_ms, user_id, address),
                )
                return False
            db.execute(
                "INSERT INTO login_addresses (user_id, address, first_ms, last_ms) "
                "VALUES (?, ?, ?, ?)",
                (user_id, address, now_ms, now_ms),
            )
            if len(known) >= MAX_LOGIN_ADDRESSES:
                db.execute(
                    "DELETE FROM login_addresses WHERE user_id = ? AND address IN (SELECT "
                    "address FROM login_addresses WHERE user_id = ? ORDER BY last_ms LIMIT ?)",
                    (user_id, user_id, len(known) + 1 - MAX_LOGIN_ADDRESSES),
                )
            return bool(known)

    def delete_session(self, id_hash: str) -> None:
        with self.database.transaction() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
            self.database.changed(db, SESSION_TOPIC, id_hash)
        if self._shared:
            with self._cache_lock:
                self._sessions.pop(id_hash, None)
                self._misses.absent(id_hash)

    def delete_sessions_of(self, user_id: int, keep: str | None = None) -> int:
        """Ends every session of the user but `keep` (an id hash); the number ended."""
        with self.database.transaction() as db:
            ended = db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id_hash IS DISTINCT FROM ?",
                (user_id, keep),
            ).rowcount
            self.database.changed(db, USER_SESSIONS_TOPIC, str(user_id))
        if self._shared:
            self._user_sessions_changed(str(user_id))
        return ended

    def delete_expired_sessions(self, now_ms: int, idle_ms: int) -> None:
        """Sessions past their end or idle too long. Not told to the other gateways: their
        caches judge the end themselves, and read a session that looks idle again."""
        self.database.execute(
            "DELETE FROM sessions WHERE expires_ms <= ? OR last_seen_ms <= ?",
            (now_ms, now_ms - idle_ms),
        )
        if self._shared:
            with self._cache_lock:
                ended = [key for key, found in self._sessions.items() if found.expires_ms <= now_ms]
                for id_hash in ended:
                    del self._sessions[id_hash]

    def close(self) -> None:
        self.database.close()

    def _one(self, sql: str, value: object) -> Account | None:
        row = self.database.one(sql, (value,))
        if row is None:
            return None
        (user_id, email, password_hash, anti_phishing, nonce, sealed, enabled, last_step,
         verified, language, terms_version, terms_accepted_ms) = row  # fmt: skip
        secret = None
        if nonce is not None and sealed is not None:
            try:
                secret = self._aead.decrypt(nonce, sealed, _totp_aad(user_id)).decode()
            except InvalidTag:
                raise KeyStoreError(f"cannot decrypt the TOTP secret of user {user_id}") from None
        return Account(
            user_id, email, password_hash, anti_phishing, secret, bool(enabled), last_step,
            bool(verified), language, terms_version, terms_accepted_ms,
        )  # fmt: skip

    def _update(self, user_id: int, assignment: str, value: object) -> None:
        with self.database.transaction() as db:
            db.execute(f"UPDATE accounts SET {assignment} WHERE user_id = ?", (value, user_id))
            self.database.changed(db, ACCOUNT_TOPIC, str(user_id))
        self._account_changed(str(user_id))

    # -- the shared database's caches (changes come on the poller's thread) -------------------

    def _read_sessions(self, where: str, *parameters: object) -> dict[str, Session]:
        rows = self.database.all(
            f"SELECT id_hash, user_id, csrf_token, expires_ms, last_seen_ms FROM sessions {where}",
            parameters,
        )
        return {row[0]: Session(int(row[1]), row[2], int(row[3]), int(row[4])) for row in rows}

    def _session_changed(self, id_hash: str | None) -> None:
        if id_hash is None:
            with self._cache_lock:
                self._sessions = self._read_sessions("")
                self._misses.clear()
            return
        self.fresh_session(id_hash)

    def _user_sessions_changed(self, user_id: str | None) -> None:
        if user_id is None:
            return  # `_session_changed(None)` reloads them all
        with self._cache_lock:
            alive = self._read_sessions("WHERE user_id = ?", int(user_id))
            ended = [
                key
                for key, found in self._sessions.items()
                if found.user_id == int(user_id) and key not in alive
            ]
            for id_hash in ended:
                del self._sessions[id_hash]
                self._misses.absent(id_hash)
            self._sessions.update(alive)

    def _account_changed(self, user_id: str | None) -> None:
        with self._cache_lock:
            if user_id is None:
                self._verified.clear()
            else:
                self._verified.pop(int(user_id), None)

    def __repr__(self) -> str:
        return "AccountStore(<redacted>)"


def _totp_aad(user_id: int) -> bytes:
    return f"totp:{user_id}".encode()
