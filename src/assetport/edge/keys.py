"""API keys and the operator's admin token.

An API key belongs to one account and is either HMAC-SHA256 (the platform generates a
64-character key and secret; the secret is shown once) or Ed25519 (the user registers a
public key in PEM, the platform generates the API key). A key carries permissions (`read`,
`trade`, `withdraw`; at least one), an optional IP allowlist (required for `withdraw`, as
Binance requires it of keys that may move money off the platform), its creation time and a
label (at most 64 characters, no control or bidirectional characters: `labels.py`). Every
way of making a key (the admin endpoint and CLI, the account page) goes through `KeyStore`,
which refuses one without permissions, with a bad label or that may withdraw from any address
(`KeyRequestError`, a ValueError).

HMAC secrets are encrypted at rest with AES-GCM under a master key kept in
`<data_dir>/master.key` (mode 0600, made on first use); the associated data binds each
ciphertext to its API key, so rows cannot be swapped. Secrets never appear in reprs, logs
or exceptions. `KeyStore` keeps every key in a dict warmed at open: the per-request lookup
is one dict access; SQLite (stdlib `sqlite3`) is touched only to create and revoke keys.

With a shared database (`assetport serve --shared-db`, `shared_db.py`) the keys live in
its `api_keys` table, their secrets sealed under the deployment's secrets key instead of
`master.key`, and the dict is every gateway's cache: warmed at open, a key made or revoked
on any gateway changed in it by the change poller, and a key it does not hold looked up on
a miss within `MissLookups`' budget (a revoked or unknown key is remembered as absent).
"""

import hmac
import ipaddress
import os
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from assetport.edge.labels import LabelError, check_label
from assetport.edge.shared_db import MissLookups, SharedDb
from assetport.runtime.data_dir import (
    LoosePrivateFile,
    create_private_file,
    read_or_create_private,
    write_private_file,
)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MASTER_KEY_FILE: Final = "master.key"
ADMIN_TOKEN_FILE: Final = "admin.token"
KEYS_DB_FILE: Final = "api_keys.sqlite3"
KEY_LENGTH: Final = 64
_ALPHABET: Final = string.ascii_letters + string.digits
_NONCE_BYTES: Final = 12
MAX_LABEL: Final = 64


class Permission(StrEnum):
    READ = "read"
    TRADE = "trade"
    WITHDRAW = "withdraw"  # the wallet's withdrawals and address book


class KeyKind(StrEnum):
    HMAC_SHA256 = "HMAC_SHA256"
    ED25519 = "ED25519"


class KeyStoreError(Exception):
    """The key store cannot be used as it is (a file with loose permissions, bad data)."""


class KeyRequestError(ValueError):
    """A key that cannot be made as asked: no permission, or a bad label."""


def check_key_request(
    permissions: frozenset[Permission], label: str, ip_allowlist: tuple[IpNetwork, ...] = ()
) -> None:
    """Refuse a key no request could use, whose label would not read as what it is, or
    that could withdraw from anywhere: a leaked key without an allowlist would empty the
    account."""
    if not permissions:
        raise KeyRequestError("an API key needs at least one permission (read, trade, withdraw)")
    if Permission.WITHDRAW in permissions and not ip_allowlist:
        raise KeyRequestError("a key that may withdraw needs an IP allowlist")
    try:
        check_label(label, "a label", MAX_LABEL)
    except LabelError as exc:
        raise KeyRequestError(str(exc)) from None


class ApiKey:
    """One API key, as the gateway checks requests against it. Immutable by convention."""

    __slots__ = (
        "_secret",
        "account",
        "api_key",
        "created_ms",
        "ip_allowlist",
        "kind",
        "label",
        "permissions",
        "public_key",
        "public_key_pem",
    )

    def __init__(
        self,
        *,
        api_key: str,
        account: int,
        kind: KeyKind,
        permissions: frozenset[Permission],
        ip_allowlist: tuple[IpNetwork, ...],
        created_ms: int,
        label: str,
        secret: bytes = b"",
        public_key_pem: str = "",
    ) -> None:
        self.api_key = api_key
        self.account = account
        self.kind = kind
        self.permissions = permissions
        self.ip_allowlist = ip_allowlist
        self.created_ms = created_ms
        self.label = label
        self._secret = secret
        self.public_key_pem = public_key_pem
        self.public_key: Ed25519PublicKey | None = (
            _load_ed25519(public_key_pem) if kind is KeyKind.ED25519 else None
        )

    @property
    def hmac_secret(self) -> bytes:
        """The HMAC secret, for signature checks only."""
        return self._secret

    def allows(self, permission: Permission) -> bool:
        return permission in self.permissions

    def allows_ip(self, client_ip: str) -> bool:
        """True when the key has no allowlist or `client_ip` is inside one of its networks."""
        if not self.ip_allowlist:
            return True
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.ip_allowlist)

    def __repr__(self) -> str:
        # The API key is half a credential: show only enough of it to tell keys apart.
        return (
            f"ApiKey(api_key='{self.api_key[:6]}…', account={self.account}, "
            f"kind={self.kind.value}, permissions={sorted(self.permissions)}, "
            f"label={self.label!r})"
        )

    __str__ = __repr__


def parse_ip_allowlist(entries: Iterable[str]) -> tuple[IpNetwork, ...]:
    """Addresses or CIDRs ("10.0.0.0/8", "2001:db8::1") as networks; ValueError if one is not."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _load_ed25519(pem: str) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    return key


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def read_or_create_private_file(path: Path, make: bytes) -> bytes:
    """The bytes of a file only its owner may read, written with `make` if it is missing
    (`runtime/data_dir.read_or_create_private`); a loose one is a `KeyStoreError`."""
    try:
        return read_or_create_private(path, lambda: make)
    except LoosePrivateFile as exc:
        raise KeyStoreError(str(exc)) from None


class _SecretBox:
    """AES-GCM under the master key; each secret bound to its API key as associated data."""

    __slots__ = ("_aead",)

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise KeyStoreError("the master key file must hold 32 bytes")
        self._aead = AESGCM(master_key)

    def seal(self, api_key: str, secret: bytes) -> tuple[bytes, bytes]:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, secret, api_key.encode())

    def open(self, api_key: str, nonce: bytes, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(nonce, sealed, api_key.encode())
        except Exception:  # InvalidTag: a different master key, or a tampered row
            raise KeyStoreError(f"cannot decrypt the secret of key {api_key[:6]}…") from None

    def __repr__(self) -> str:
        return "_SecretBox(<redacted>)"


_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS api_keys (
    api_key TEXT PRIMARY KEY,
    account INTEGER NOT NULL,
    kind TEXT NOT NULL,
    permissions TEXT NOT NULL,
    ip_allowlist TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    label TEXT NOT NULL,
    secret_nonce BLOB,
    secret_sealed BLOB,
    public_key_pem TEXT NOT NULL
)
"""

_Row = tuple[str, int, str, str, str, int, str, bytes | None, bytes | None, str]


class _KeyRows:
    """The SQL side of the key store, kept small so a later SQL layer can replace it."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def all(self) -> list[_Row]:
        rows: list[_Row] = self._db.execute(
            "SELECT api_key, account, kind, permissions, ip_allowlist, created_ms, label, "
            "secret_nonce, secret_sealed, public_key_pem FROM api_keys"
        ).fetchall()
        return rows

    def insert(self, row: _Row) -> None:
        self._db.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def delete(self, api_key: str) -> bool:
        return self._db.execute("DELETE FROM api_keys WHERE api_key = ?", (api_key,)).rowcount > 0

    def close(self) -> None:
        self._db.close()


_SHARED_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        api_key TEXT PRIMARY KEY,
        account BIGINT NOT NULL,
        kind TEXT NOT NULL,
        permissions TEXT NOT NULL,
        ip_allowlist TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        label TEXT NOT NULL,
        secret_nonce BYTEA,
        secret_sealed BYTEA,
        public_key_pem TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS api_keys_by_account ON api_keys (account)",
)
_COLUMNS: Final = (
    "api_key, account, kind, permissions, ip_allowlist, created_ms, label, secret_nonce, "
    "secret_sealed, public_key_pem"
)
_INSERT: Final = f"INSERT INTO api_keys ({_COLUMNS}) VALUES ({', '.join(['%s'] * 10)})"
KEY_TOPIC: Final = "api_key"


class _SharedKeyRows:
    """The key store's rows in the shared database; each write notes its change."""

    def __init__(self, shared: SharedDb) -> None:
        self._shared = shared
        shared.apply_schema(_SHARED_SCHEMA)

    def all(self) -> list[_Row]:
        return [_row(r) for r in self._shared.execute(f"SELECT {_COLUMNS} FROM api_keys")]

    def one(self, api_key: str) -> _Row | None:
        found = self._shared.execute(
            f"SELECT {_COLUMNS} FROM api_keys WHERE api_key = %s", (api_key,)
        ).fetchone()
        return _row(found) if found is not None else None

    def of_account(self, account: int) -> list[_Row]:
        rows = self._shared.execute(
            f"SELECT {_COLUMNS} FROM api_keys WHERE account = %s", (account,)
        )
        return [_row(r) for r in rows]

    def insert(self, row: _Row) -> None:
        with self._shared.transaction() as conn:
            conn.execute(_INSERT, row)
            self._shared.note_change(conn, KEY_TOPIC, row[0])

    def delete(self, api_key: str) -> bool:
        with self._shared.transaction() as conn:
            deleted = conn.execute("DELETE FROM api_keys WHERE api_key = %s", (api_key,)).rowcount
            self._shared.note_change(conn, KEY_TOPIC, api_key)
        return deleted > 0

    def close(self) -> None:
        """The shared database's connection is its owner's to close."""


def _row(found: tuple[Any, ...]) -> _Row:
    """A row as SQLite gives it (bytea comes back as bytes; kept explicit for the types)."""
    api_key, account, kind, perms, allowlist, created_ms, label, nonce, sealed, pem = found
    return (api_key, int(account), kind, perms, allowlist, int(created_ms), label,
            bytes(nonce) if nonce is not None else None,
            bytes(sealed) if sealed is not None else None, pem)  # fmt: skip


class KeyStore:
    """Every API key of the platform, persisted in `<data_dir>/api_keys.sqlite3`, or in the
    shared database when given one."""

    def __init__(self, data_dir: Path, shared: SharedDb | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._rows: _KeyRows | _SharedKeyRows
        if shared is None:
            master = read_or_create_private_file(data_dir / MASTER_KEY_FILE, os.urandom(32))
            self._box = _SecretBox(master)
            db_path = data_dir / KEYS_DB_FILE
            create_private_file(db_path)
            self._rows = _KeyRows(db_path)
        else:
            self._box = _SecretBox(shared.secrets_key)
            self._rows = _SharedKeyRows(shared)
        self._shared = shared
        self._misses = MissLookups()
        self._lock = threading.Lock()
        self._keys: dict[str, ApiKey] = self._load_all()
        if shared is not None:
            shared.subscribe(KEY_TOPIC, self._changed)

    def get(self, api_key: str) -> ApiKey | None:
        """The key sent in `X-MBX-APIKEY`, or None: one dict lookup (and with a shared
        database, on a miss, maybe a look-up there)."""
        key = self._keys.get(api_key)
        if key is None and self._shared is not None:
            return self._look_up(api_key)
        return key

    def keys_of(self, account: int) -> list[ApiKey]:
        if isinstance(self._rows, _SharedKeyRows):  # every gateway's, not only those cached
            found = [self._from_row(row) for row in self._rows.of_account(account)]
        else:
            found = [key for key in self._keys.values() if key.account == account]
        return sorted(found, key=lambda key: (key.created_ms, key.api_key))

    def __len__(self) -> int:
        return len(self._keys)

    def create_hmac_key(
        self,
        account: int,
        *,
        permissions: Iterable[Permission],
        now_ms: int,
        label: str = "",
        ip_allowlist: Iterable[str] = (),
    ) -> tuple[ApiKey, str]:
        """A new HMAC key; returns it with its secret, which is shown to the user once."""
        api_key = self._new_api_key()
        secret = _random_text(KEY_LENGTH)
        key = ApiKey(
            api_key=api_key,
            account=account,
            kind=KeyKind.HMAC_SHA256,
            permissions=frozenset(permissions),
            ip_allowlist=parse_ip_allowlist(ip_allowlist),
            created_ms=now_ms,
            label=label,
            secret=secret.encode(),
        )
        check_key_request(key.permissions, key.label, key.ip_allowlist)
        nonce, sealed = self._box.seal(api_key, secret.encode())
        self._store(key, nonce, sealed)
        return key, secret

    def register_ed25519_key(
        self,
        account: int,
        public_key_pem: str,
        *,
        permissions: Iterable[Permission],
        now_ms: int,
        label: str = "",
        ip_allowlist: Iterable[str] = (),
    ) -> ApiKey:
        """Register a user's Ed25519 public key (PEM); ValueError if it is not one."""
        key = ApiKey(
            api_key=self._new_api_key(),
            account=account,
            kind=KeyKind.ED25519,
            permissions=frozenset(permissions),
            ip_allowlist=parse_ip_allowlist(ip_allowlist),
            created_ms=now_ms,
            label=label,
            public_key_pem=public_key_pem.strip() + "\n",
        )
        check_key_request(key.permissions, key.label, key.ip_allowlist)
        self._store(key, None, None)
        return key

    def revoke(self, api_key: str) -> bool:
        with self._lock:
            removed = self._rows.delete(api_key)
            self._keys.pop(api_key, None)
            self._misses.absent(api_key)
        return removed

    def close(self) -> None:
        self._rows.close()

    def __repr__(self) -> str:
        return f"KeyStore({len(self._keys)} keys)"

    def _new_api_key(self) -> str:
        while True:
            api_key = _random_text(KEY_LENGTH)
            if api_key not in self._keys:
                return api_key

    def _store(self, key: ApiKey, nonce: bytes | None, sealed: bytes | None) -> None:
        row: _Row = (
            key.api_key,
            key.account,
            key.kind.value,
            ",".join(sorted(key.permissions)),
            ",".join(str(network) for network in key.ip_allowlist),
            key.created_ms,
            key.label,
            nonce,
            sealed,
            key.public_key_pem,
        )
        with self._lock:
            self._rows.insert(row)
            self._keys[key.api_key] = key
            self._misses.forget(key.api_key)

    def _load_all(self) -> dict[str, ApiKey]:
        keys = {}
        for row in self._rows.all():
            key = self._from_row(row)
            keys[key.api_key] = key
        return keys

    def _look_up(self, api_key: str) -> ApiKey | None:
        """A key this gateway has not cached: made on another one since the last poll, or
        (most often) not a key at all. Looked up within the budget; not found, remembered."""
        assert isinstance(self._rows, _SharedKeyRows)
        if len(api_key) != KEY_LENGTH or not self._misses.may_look_up(api_key):
            return None
        with self._lock:
            row = self._rows.one(api_key)
            if row is None:
                self._misses.absent(api_key)
                return None
            key = self._from_row(row)
            self._keys[api_key] = key
            return key

    def _changed(self, api_key: str | None) -> None:
        """A change the poller saw (the poller's thread): the key as the database has it
        now, or every key after a gap."""
        assert isinstance(self._rows, _SharedKeyRows)
        with self._lock:
            if api_key is None:
                self._keys = self._load_all()
                self._misses.clear()
                return
            row = self._rows.one(api_key)
            if row is None:
                self._keys.pop(api_key, None)
                self._misses.absent(api_key)
            else:
                self._keys[api_key] = self._from_row(row)
                self._misses.forget(api_key)

    def _from_row(self, row: _Row) -> ApiKey:
        api_key, account, kind, perms, allowlist, created_ms, label, nonce, sealed, pem = row
        secret = b""
        if nonce is not None and sealed is not None:
            secret = self._box.open(api_key, nonce, sealed)
        return ApiKey(
            api_key=api_key,
            account=account,
            kind=KeyKind(kind),
            permissions=frozenset(Permission(p) for p in perms.split(",") if p),
            ip_allowlist=parse_ip_allowlist(e for e in allowlist.split(",") if e),
            created_ms=created_ms,
            label=label,
            secret=secret,
            public_key_pem=pem,
        )


_ADMIN_TOKEN_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS admin_token (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        nonce BYTEA NOT NULL,
        sealed BYTEA NOT NULL)""",
)
_ADMIN_TOKEN_AAD: Final = "admin-token"


class AdminToken:
    """The operator's bearer token, made on first start into `<data_dir>/admin.token`; with
    a shared database, one token for the deployment, sealed there by the first gateway and
    written by each into its own data dir's file (so `assetport admin --data-dir` works
    against any gateway)."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    @classmethod
    def load_or_create(cls, data_dir: Path, shared: SharedDb | None = None) -> "AdminToken":
        data_dir.mkdir(parents=True, exist_ok=True)
        if shared is not None:
            token = _shared_admin_token(shared)
            path = data_dir / ADMIN_TOKEN_FILE
            if not path.exists() or path.read_text(encoding="utf-8").strip() != token:
                write_private_file(path, token + "\n")
            return cls(token)
        made = (secrets.token_urlsafe(32) + "\n").encode()
        text = read_or_create_private_file(data_dir / ADMIN_TOKEN_FILE, made)
        return cls(text.decode().strip())

    def check(self, candidate: str | None) -> bool:
        """Constant-time comparison, so timing tells nothing about the token."""
        if not candidate:
            return False
        return hmac.compare_digest(self._token, candidate.encode())

    def __repr__(self) -> str:
        return "AdminToken(<redacted>)"

    __str__ = __repr__


def _shared_admin_token(shared: SharedDb) -> str:
    """The deployment's token: made and sealed by whichever gateway comes first."""
    box = _SecretBox(shared.secrets_key)
    shared.apply_schema(_ADMIN_TOKEN_SCHEMA)
    nonce, sealed = box.seal(_ADMIN_TOKEN_AAD, secrets.token_urlsafe(32).encode())
    with shared.transaction() as conn:
        conn.execute(
            "INSERT INTO admin_token (id, nonce, sealed) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (nonce, sealed),
        )
        row = conn.execute("SELECT nonce, sealed FROM admin_token WHERE id = 1").fetchone()
    assert row is not None
    return box.open(_ADMIN_TOKEN_AAD, bytes(row[0]), bytes(row[1])).decode()
