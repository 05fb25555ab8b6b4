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
is one dict access; SQLite (stdlib `sqlite3`, SQLAlchemy is not in the venv) is touched only
to create and revoke keys.
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
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from assetport.edge.labels import LabelError, check_label
from assetport.runtime.data_dir import (
    LoosePrivateFile,
    create_private_file,
    read_or_create_private,
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


class KeyStore:
    """Every API key of the platform, persisted in `<data_dir>/api_keys.sqlite3`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        master = read_or_create_private_file(data_dir / MASTER_KEY_FILE, os.urandom(32))
        self._box = _SecretBox(master)
        db_path = data_dir / KEYS_DB_FILE
        create_private_file(db_path)
        self._rows = _KeyRows(db_path)
        self._lock = threading.Lock()
        self._keys: dict[str, ApiKey] = {}
        for row in self._rows.all():
            key = self._from_row(row)
            self._keys[key.api_key] = key

    def get(self, api_key: str) -> ApiKey | None:
        """The key sent in `X-MBX-APIKEY`, or None: one dict lookup."""
        return self._keys.get(api_key)

    def keys_of(self, account: int) -> list[ApiKey]:
        return sorted(
            (key for key in self._keys.values() if key.account == account),
            key=lambda key: (key.created_ms, key.api_key),
        )

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


class AdminToken:
    """The operator's bearer token, made on first start into `<data_dir>/admin.token`."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    @classmethod
    def load_or_create(cls, data_dir: Path) -> "AdminToken":
        data_dir.mkdir(parents=True, exist_ok=True)
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
