"""The keys that sign transactions, behind `Signer` so a KMS or an HSM can replace them.

A key is named by an id, never handed out: `"hot"` is the hot wallet, `"deposit/<n>"` the
deposit address of account number n (its key signs the sweep into the hot wallet). A
signer signs a transaction dict as web3 and eth_account write it (EIP-1559 with
`maxFeePerGas`, or legacy with `gasPrice`); it never fetches anything, so the nonce, the
gas and the chain id come with the dict (without a chain id a signature could be replayed
on another chain: refused).

`LocalSigner` keeps its keys in `<data_dir>/custody/`, sealed with AES-GCM under a master
key of its own:

    custody/master.key        32 random bytes, mode 0600, made on first use
    custody/hot-key.sealed    the hot wallet's private key (32 random bytes at first use)
    custody/hd-seed.sealed    the seed of the deposit addresses (`hd.py`)

Each sealed file is a version byte, a 12-byte nonce and the ciphertext; its purpose is the
associated data, so the two files cannot be swapped. Every file is created whole or not at
all (written aside, then linked into place), so a crash leaves no half key, and two
processes opening a new directory at once agree on one key. A master key is never made
beside sealed files that exist (they would be lost): their loss is reported instead.
Back up the whole `custody/` directory; the master key alone or the sealed files alone
are useless.

`LocalSigner.from_dev_mnemonic` takes its deposit addresses from anvil's public dev
mnemonic, for tests and the sandbox only: a directory made so is refused by `open`, and
the reverse, so a public seed never guards real funds.

No key material appears in a repr, a str or an exception message.
"""

import re
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_account.signers.local import LocalAccount

from assetport.chain.addresses import Address
from assetport.chain.anvil import DEV_MNEMONIC
from assetport.chain.hd import HdKeyError, HdWallet, check_index, generate_seed
from assetport.runtime.data_dir import LoosePrivateFile, read_or_create_private

CUSTODY_DIR: Final = "custody"
MASTER_KEY_FILE: Final = "master.key"
HOT_KEY_FILE: Final = "hot-key.sealed"
HD_SEED_FILE: Final = "hd-seed.sealed"
HOT: Final = "hot"
DEPOSIT_PREFIX: Final = "deposit/"

_SEAL_VERSION: Final = 1
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_KEY_BYTES: Final = 32
_DEPOSIT_ID: Final = re.compile(r"deposit/(0|[1-9][0-9]{0,9})")
_PURPOSE: Final = {
    HOT_KEY_FILE: b"assetport custody: hot wallet private key",
    HD_SEED_FILE: b"assetport custody: deposit addresses HD seed",
}


class SignerError(Exception):
    """A key cannot be used: unknown id, a sealed file that does not open, a bad tx."""


class SealedFileError(SignerError):
    """A key file is missing, loose, tampered with, or sealed under another master key."""


class UnknownKey(SignerError):
    """A key id this signer does not hold."""


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """A transaction ready to broadcast (`raw`), with what is recorded before it is sent."""

    raw: bytes
    tx_hash: bytes
    nonce: int
    sender: Address

    def __repr__(self) -> str:
        return (
            f"SignedTransaction(tx_hash=0x{self.tx_hash.hex()}, nonce={self.nonce}, "
            f"sender={self.sender})"
        )


class Signer(Protocol):
    """What custody needs of a key holder; `LocalSigner` here, a KMS or HSM elsewhere."""

    def address(self, key_id: str) -> Address:
        """The address of key `key_id` (`"hot"`, `"deposit/<n>"`); `UnknownKey` if none."""
        ...

    def sign_transaction(self, key_id: str, tx: dict[str, Any]) -> SignedTransaction:
        """`tx` (web3/eth_account form, with nonce, gas, fees and chainId) signed by key
        `key_id`; `SignerError` if it cannot be."""
        ...


def deposit_key_id(index: int) -> str:
    """The key id of the deposit address of account number `index`."""
    check_index(index)
    return f"{DEPOSIT_PREFIX}{index}"


class LocalSigner:
    """Keys sealed in the data directory, signing in this process (eth_account + coincurve)."""

    __slots__ = ("_custody_dir", "_dev", "_hd", "_hot", "_hot_address")

    def __init__(self, custody_dir: Path, hot: LocalAccount, hd: HdWallet, *, dev: bool) -> None:
        self._custody_dir = custody_dir
        self._hot = hot
        self._hot_address = _address_of(hot)
        self._hd = hd
        self._dev = dev

    @classmethod
    def open(cls, data_dir: Path) -> "LocalSigner":
        """The keys of `data_dir`, made on first use: a new random hot key and HD seed."""
        return cls._open(data_dir, dev=False)

    @classmethod
    def from_dev_mnemonic(cls, data_dir: Path) -> "LocalSigner":
        """For tests and the sandbox only: deposit addresses from anvil's public dev
        mnemonic (the hot key is still random and sealed)."""
        return cls._open(data_dir, dev=True)

    @classmethod
    def _open(cls, data_dir: Path, *, dev: bool) -> "LocalSigner":
        custody_dir = data_dir / CUSTODY_DIR
        custody_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        box = _SealedFiles(custody_dir)
        hot_key = box.read_or_create(HOT_KEY_FILE, lambda: secrets.token_bytes(_KEY_BYTES))
        if len(hot_key) != _KEY_BYTES:
            raise SealedFileError(f"{custody_dir / HOT_KEY_FILE} does not hold a 32-byte key")
        seed = box.read_or_create(HD_SEED_FILE, _dev_seed if dev else generate_seed)
        if dev and seed != _dev_seed():
            raise SignerError(
                f"{custody_dir} holds its own deposit seed, not the dev mnemonic's: "
                "open it with LocalSigner.open"
            )
        if not dev and seed == _dev_seed():
            raise SignerError(
                f"{custody_dir} holds anvil's public dev mnemonic, never for real funds: "
                "open it with LocalSigner.from_dev_mnemonic (tests and sandbox only)"
            )
        try:
            hot = Account.from_key(hot_key)
            hd = HdWallet(seed)
        except (ValueError, HdKeyError):  # a key out of the curve's range: not shown
            raise SealedFileError(f"{custody_dir} holds an unusable key") from None
        return cls(custody_dir, hot, hd, dev=dev)

    @property
    def is_dev(self) -> bool:
        """True when the deposit addresses come from the public dev mnemonic."""
        return self._dev

    def deposit_xpub(self) -> str:
        """The account-level xpub, for the deposit watcher's `DepositAddresses`."""
        return self._hd.xpub()

    def address(self, key_id: str) -> Address:
        if key_id == HOT:
            return self._hot_address
        return self._hd.address_of(_deposit_index(key_id))

    def sign_transaction(self, key_id: str, tx: dict[str, Any]) -> SignedTransaction:
        if key_id == HOT:
            account = self._hot
        else:
            account = Account.from_key(self._hd.private_key_of(_deposit_index(key_id)))
        sender = _address_of(account)
        _check_transaction(tx, sender)
        unsigned = {name: value for name, value in tx.items() if name != "from"}
        try:
            signed = account.sign_transaction(unsigned)
        except Exception as exc:  # eth_account's messages name fields, never the key
            raise SignerError(f"cannot sign the transaction: {exc}") from None
        return SignedTransaction(
            raw=bytes(signed.raw_transaction),
            tx_hash=bytes(signed.hash),
            nonce=int(tx["nonce"]),
            sender=sender,
        )

    def __repr__(self) -> str:
        dev = ", dev mnemonic" if self._dev else ""
        return f"LocalSigner({self._custody_dir}, hot={self.address(HOT)}{dev})"

    __str__ = __repr__


def _address_of(account: LocalAccount) -> Address:
    return Address(bytes.fromhex(account.address[2:]))


def _deposit_index(key_id: str) -> int:
    match = _DEPOSIT_ID.fullmatch(key_id)
    if match is None or int(match[1]) > 2**31 - 1:
        raise UnknownKey(f"no key {key_id[:40]!r}: expected 'hot' or 'deposit/<index>'")
    return int(match[1])


def _check_transaction(tx: dict[str, Any], sender: Address) -> None:
    for name in ("nonce", "chainId", "gas"):
        if not isinstance(tx.get(name), int) or isinstance(tx.get(name), bool):
            raise SignerError(f"the transaction needs an integer {name!r}")
    declared = tx.get("from")
    if declared is not None and str(declared).lower() != sender.hex:
        raise SignerError(f"the transaction is from {declared}, but this key is {sender}")


@cache
def _dev_seed() -> bytes:
    return HdWallet.seed_of_mnemonic(DEV_MNEMONIC)


class _SealedFiles:
    """The sealed files of one custody directory, under its master key."""

    __slots__ = ("_aead", "_dir")

    def __init__(self, custody_dir: Path) -> None:
        self._dir = custody_dir
        master_path = custody_dir / MASTER_KEY_FILE
        if not master_path.exists():
            orphans = [name for name in _PURPOSE if (custody_dir / name).exists()]
            if orphans:
                raise SealedFileError(
                    f"{master_path} is missing but {', '.join(orphans)} exist: restore the "
                    "master key from the backup (a new one could not open them)"
                )
        master = _read_or_create_private(master_path, lambda: secrets.token_bytes(_KEY_BYTES))
        if len(master) != _KEY_BYTES:
            raise SealedFileError(f"{master_path} must hold {_KEY_BYTES} bytes")
        self._aead = AESGCM(master)

    def read_or_create(self, name: str, make: "_Maker") -> bytes:
        """The secret sealed in `name`, sealing a new one from `make()` if it is missing."""
        path = self._dir / name
        purpose = _PURPOSE[name]

        def seal() -> bytes:
            nonce = secrets.token_bytes(_NONCE_BYTES)
            return bytes([_SEAL_VERSION]) + nonce + self._aead.encrypt(nonce, make(), purpose)

        sealed = _read_or_create_private(path, seal)
        if len(sealed) < 1 + _NONCE_BYTES + _TAG_BYTES or sealed[0] != _SEAL_VERSION:
            raise SealedFileError(f"{path} is not a sealed key file (truncated or another format)")
        nonce, ciphertext = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, ciphertext, purpose)
        except Exception:  # InvalidTag
            raise SealedFileError(
                f"{path} cannot be decrypted: it was altered, or sealed under another master key"
            ) from None

    def __repr__(self) -> str:
        return f"_SealedFiles({self._dir}, <redacted>)"


class _Maker(Protocol):
    def __call__(self) -> bytes: ...


def _read_or_create_private(path: Path, make: _Maker) -> bytes:
    try:
        return read_or_create_private(path, make)
    except LoosePrivateFile as exc:
        raise SealedFileError(str(exc)) from None
