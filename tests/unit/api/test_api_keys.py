"""API keys at rest: persistence, encryption, file modes, secrets kept out of sight."""

import logging
import sqlite3
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assetport.edge.keys import (
    ADMIN_TOKEN_FILE,
    KEYS_DB_FILE,
    MASTER_KEY_FILE,
    AdminToken,
    KeyKind,
    KeyStore,
    KeyStoreError,
    Permission,
)

NOW = 1_700_000_000_000


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ed25519_pem() -> str:
    public = Ed25519PrivateKey.generate().public_key()
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def test_hmac_key_shape_and_persistence_across_reopen(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key, secret = store.create_hmac_key(
        5,
        permissions=[Permission.READ],
        now_ms=NOW,
        label="bot",
        ip_allowlist=["192.168.1.0/24", "2001:db8::1"],
    )
    assert len(key.api_key) == 64 and key.api_key.isalnum()
    assert len(secret) == 64 and secret.isalnum()
    assert store.get(key.api_key) is key
    store.close()

    reopened = KeyStore(tmp_path)
    again = reopened.get(key.api_key)
    assert again is not None
    assert again.hmac_secret == secret.encode()
    assert (again.account, again.kind, again.label, again.created_ms) == (
        5,
        KeyKind.HMAC_SHA256,
        "bot",
        NOW,
    )
    assert again.permissions == frozenset({Permission.READ})
    assert [str(n) for n in again.ip_allowlist] == ["192.168.1.0/24", "2001:db8::1/128"]
    assert reopened.keys_of(5) == [again]
    reopened.close()


def test_secret_is_encrypted_at_rest(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    _, secret = store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW)
    store.close()
    assert secret.encode() not in (tmp_path / KEYS_DB_FILE).read_bytes()
    for wal in tmp_path.glob(KEYS_DB_FILE + "*"):
        assert secret.encode() not in wal.read_bytes()


def test_files_are_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW)
    files = list(tmp_path.iterdir())
    assert any(path.name.endswith("-wal") for path in files)
    assert all(mode_of(path) == 0o600 for path in files), [(p.name, oct(mode_of(p))) for p in files]
    store.close()
    AdminToken.load_or_create(tmp_path)
    assert mode_of(tmp_path / MASTER_KEY_FILE) == 0o600
    assert mode_of(tmp_path / ADMIN_TOKEN_FILE) == 0o600
    assert mode_of(tmp_path / KEYS_DB_FILE) == 0o600


def test_loose_master_key_is_refused(tmp_path: Path) -> None:
    KeyStore(tmp_path).close()
    (tmp_path / MASTER_KEY_FILE).chmod(0o644)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        KeyStore(tmp_path)


def test_another_master_key_cannot_read_the_secrets(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key, secret = store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW)
    store.close()
    (tmp_path / MASTER_KEY_FILE).write_bytes(b"\x01" * 32)
    with pytest.raises(KeyStoreError) as info:
        KeyStore(tmp_path)
    assert secret not in str(info.value)
    assert key.api_key not in str(info.value)


def test_swapped_ciphertexts_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    first, _ = store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW)
    second, _ = store.create_hmac_key(6, permissions=[Permission.TRADE], now_ms=NOW)
    store.close()
    db = sqlite3.connect(tmp_path / KEYS_DB_FILE)
    rows = dict(
        (r[0], (r[1], r[2]))
        for r in db.execute("SELECT api_key, secret_nonce, secret_sealed FROM api_keys")
    )
    db.execute(
        "UPDATE api_keys SET secret_nonce = ?, secret_sealed = ? WHERE api_key = ?",
        (*rows[second.api_key], first.api_key),
    )
    db.commit()
    db.close()
    with pytest.raises(KeyStoreError):
        KeyStore(tmp_path)


def test_secret_never_in_repr_str_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = KeyStore(tmp_path)
    key, secret = store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW, label="x")
    logging.getLogger("test").info("created %s in %s", key, store)
    token = AdminToken.load_or_create(tmp_path)
    token_text = (tmp_path / ADMIN_TOKEN_FILE).read_text().strip()
    logging.getLogger("test").info("token %s %r", token, token)
    seen = " ".join([repr(key), str(key), repr(store), repr(token), str(token), caplog.text])
    assert secret not in seen
    assert key.api_key not in seen
    assert token_text not in seen
    assert "account=5" in repr(key)
    store.close()


def test_ed25519_registration(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    pem = ed25519_pem()
    key = store.register_ed25519_key(9, pem, permissions=[Permission.TRADE], now_ms=NOW)
    assert key.kind is KeyKind.ED25519 and key.public_key is not None
    assert key.hmac_secret == b""
    with pytest.raises(ValueError, match="PEM"):
        store.register_ed25519_key(9, "garbage", permissions=[], now_ms=NOW)
    x25519 = X25519PrivateKey.generate().public_key()
    x_pem = x25519.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(ValueError, match="Ed25519"):
        store.register_ed25519_key(9, x_pem, permissions=[], now_ms=NOW)
    assert len(store) == 1
    store.close()
    reopened = KeyStore(tmp_path)
    again = reopened.get(key.api_key)
    assert again is not None and again.public_key is not None
    assert again.public_key_pem == key.public_key_pem
    reopened.close()


def test_bad_allowlist_entry_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    with pytest.raises(ValueError):
        store.create_hmac_key(5, permissions=[], now_ms=NOW, ip_allowlist=["10.0.0.0/33"])
    assert len(store) == 0
    store.close()


def test_revoke_persists(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key, _ = store.create_hmac_key(5, permissions=[Permission.TRADE], now_ms=NOW)
    assert store.revoke(key.api_key)
    assert not store.revoke(key.api_key)
    assert store.get(key.api_key) is None
    store.close()
    assert KeyStore(tmp_path).get(key.api_key) is None


def test_admin_token_is_made_once_and_checked(tmp_path: Path) -> None:
    token = AdminToken.load_or_create(tmp_path)
    text = (tmp_path / ADMIN_TOKEN_FILE).read_text().strip()
    assert len(text) >= 40
    assert token.check(text)
    assert not token.check(text[:-1])
    assert not token.check("")
    assert not token.check(None)
    assert not token.check("é" + text)
    assert AdminToken.load_or_create(tmp_path).check(text)
