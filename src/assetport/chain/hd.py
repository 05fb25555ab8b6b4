"""Deposit addresses: one per Assetport account, derived by BIP-32 from one seed.

The path is the standard BIP-44 one for Ethereum, so any wallet restores the same
addresses from the same seed:

    m / 44' / 60' / 0'   the account-level key: its extended PUBLIC key (xpub) is all the
                         deposit watcher holds
        / 0 / n          the deposit address of Assetport account number n (0 <= n < 2^31)

The last two steps are not hardened, so the xpub derives every address without a private
key (`DepositAddresses`), and the signing side, which holds the seed (`HdWallet`), derives
the same key pairs to sweep them. The address is the last 20 bytes of the keccak of the
uncompressed public key. Index n is the account number itself (1000, 1001, ...): nothing
needs to be stored to find a user's address, and a user's address never changes.

BIP-44 wallets stop scanning after 20 unused addresses (the "gap limit"); a wallet that
restores this seed must be told to look as far as the highest account number.

bip-utils has no type information: its calls stay in this module.
"""

import secrets
from typing import Any, Final

from bip_utils import Bip32Secp256k1, Bip39SeedGenerator
from eth_hash.auto import keccak

from assetport.chain.addresses import Address

ACCOUNT_PATH: Final = "m/44'/60'/0'"
EXTERNAL_CHAIN: Final = 0
MAX_INDEX: Final = 2**31 - 1  # above, indexes are hardened: no xpub can derive them
ACCOUNT_DEPTH: Final = 3
SEED_BYTES: Final = 64


class HdKeyError(ValueError):
    """An extended key or index that cannot derive deposit addresses."""


def check_index(index: int) -> None:
    """Refuse an index the xpub cannot derive (negative, or hardened: 2^31 and above)."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_INDEX:
        raise HdKeyError(f"a deposit index is an integer from 0 to {MAX_INDEX}")


def _address_of_node(node: Any) -> Address:
    uncompressed = node.PublicKey().RawUncompressed().ToBytes()
    return Address(keccak(uncompressed[1:])[-20:])


class DepositAddresses:
    """Every deposit address, from the account-level xpub of `ACCOUNT_PATH`; holds no
    private key, and refuses an extended private key so none is handed to it by mistake."""

    __slots__ = ("_external", "_xpub")

    def __init__(self, xpub: str) -> None:
        try:
            account = Bip32Secp256k1.FromExtendedKey(xpub)
        except Exception:  # bip-utils raises its own types; the key itself is not echoed
            raise HdKeyError("not an extended public key (xpub…)") from None
        if not account.IsPublicOnly():
            raise HdKeyError("an extended private key: the deposit addresses need only the xpub")
        if account.Depth().ToInt() != ACCOUNT_DEPTH or not account.Index().IsHardened():
            raise HdKeyError(f"not an account-level key: expected the xpub of {ACCOUNT_PATH}")
        self._xpub = xpub
        self._external = account.ChildKey(EXTERNAL_CHAIN)

    @property
    def xpub(self) -> str:
        return self._xpub

    def address_of(self, index: int) -> Address:
        """The deposit address of account number `index`."""
        check_index(index)
        return _address_of_node(self._external.ChildKey(index))

    def __repr__(self) -> str:
        return f"DepositAddresses({self._xpub[:12]}…)"


class HdWallet:
    """The signing side of the deposit addresses: the seed and the keys derived from it."""

    __slots__ = ("_account", "_external")

    def __init__(self, seed: bytes) -> None:
        if not 16 <= len(seed) <= 64:
            raise HdKeyError("a BIP-32 seed is 16 to 64 bytes")
        self._account = Bip32Secp256k1.FromSeed(seed).DerivePath(ACCOUNT_PATH)
        self._external = self._account.ChildKey(EXTERNAL_CHAIN)

    @classmethod
    def from_mnemonic(cls, mnemonic: str, passphrase: str = "") -> "HdWallet":
        """The wallet of a BIP-39 mnemonic (e.g. anvil's dev mnemonic, in tests)."""
        return cls(cls.seed_of_mnemonic(mnemonic, passphrase))

    @staticmethod
    def seed_of_mnemonic(mnemonic: str, passphrase: str = "") -> bytes:
        """The BIP-39 seed of `mnemonic` (its words checked: wordlist and checksum)."""
        try:
            return bytes(Bip39SeedGenerator(mnemonic).Generate(passphrase))
        except Exception:  # the words are not echoed: they are the key
            raise HdKeyError("not a valid BIP-39 mnemonic") from None

    def xpub(self) -> str:
        """The account-level extended public key, for `DepositAddresses`."""
        return str(self._account.PublicKey().ToExtended())

    def private_key_of(self, index: int) -> bytes:
        """The 32-byte private key of deposit address `index` (to sweep it)."""
        check_index(index)
        return bytes(self._external.ChildKey(index).PrivateKey().Raw().ToBytes())

    def address_of(self, index: int) -> Address:
        check_index(index)
        return _address_of_node(self._external.ChildKey(index))

    def __repr__(self) -> str:
        return "HdWallet(<redacted>)"

    __str__ = __repr__


def generate_seed() -> bytes:
    """A new random seed for a new data directory (512 bits, as BIP-39 seeds are)."""
    return secrets.token_bytes(SEED_BYTES)


def generate_wallet() -> tuple[HdWallet, bytes]:
    """A new wallet and its seed, which the caller seals (it is the only copy)."""
    seed = generate_seed()
    return HdWallet(seed), seed
