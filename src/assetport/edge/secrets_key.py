"""The secrets key: 32 random bytes that every gateway of one deployment is given, under
which the shared database's secrets (HMAC API secrets, TOTP secrets, the admin token) are
sealed with AES-GCM (issue #20).

A gateway on its own seals them under its data dir's `master.key`; gateways sharing a
PostgreSQL database (`assetport serve --shared-db`) cannot each make their own, so the
operator makes one (`assetport secrets-key new --out PATH`) and hands it to every gateway:
`--secrets-key-file PATH` (hex or base64 in the file, which only its owner may read, as
`master.key`) or the environment variable `ASSETPORT_SECRETS_KEY`.
"""

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Final

from assetport.runtime.data_dir import LoosePrivateFile, read_or_create_private

SECRETS_KEY_ENV: Final = "ASSETPORT_SECRETS_KEY"
KEY_BYTES: Final = 32
_FILE_MODE: Final = 0o600


class SecretsKeyError(Exception):
    """No secrets key, or one that is not 32 bytes in hex or base64, or a loose file."""


def parse_key(text: str, source: str) -> bytes:
    """The 32 bytes written in `text` as hex (64 digits) or base64 (44 characters)."""
    text = text.strip()
    try:
        if len(text) == 2 * KEY_BYTES:
            key = bytes.fromhex(text)
        else:
            key = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != KEY_BYTES:
        raise SecretsKeyError(f"{source}: a secrets key is {KEY_BYTES} bytes in hex or base64")
    return key


def read_key_file(path: Path) -> bytes:
    """The key in `path`; refused when the file is readable by group or others."""

    def no_new_key() -> bytes:  # a missing file is an error here, never a new key
        raise SecretsKeyError(f"no secrets key file at {path}")

    try:
        content = read_or_create_private(path, no_new_key)
    except LoosePrivateFile as exc:
        raise SecretsKeyError(str(exc)) from None
    except OSError as exc:
        raise SecretsKeyError(f"cannot read the secrets key file {path}: {exc.strerror}") from None
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise SecretsKeyError(f"{path}: not a secrets key (not text)") from None
    return parse_key(text, str(path))


def load_secrets_key(path: Path | None) -> bytes:
    """The key of `--secrets-key-file`, else of `$ASSETPORT_SECRETS_KEY`; a clear error
    without either."""
    if path is not None:
        return read_key_file(path)
    text = os.environ.get(SECRETS_KEY_ENV)
    if text:
        return parse_key(text, f"${SECRETS_KEY_ENV}")
    raise SecretsKeyError(
        f"--shared-db needs the deployment's secrets key: --secrets-key-file PATH or "
        f"${SECRETS_KEY_ENV} (make one with `assetport secrets-key new --out PATH`)"
    )


def write_new_key_file(path: Path) -> None:
    """A fresh key into a new file `path` (0600, hex); an existing file is never replaced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
    try:
        os.fchmod(fd, _FILE_MODE)
        os.write(fd, (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
