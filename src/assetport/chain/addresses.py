"""Addresses as users type them and as the chain knows them.

An `Address` is the 20 bytes an EVM account is named by. People write it two ways:

- `0x` and 40 hex digits, where mixed case carries the EIP-55 checksum (a keccak of the
  lowercase hex decides which letters are capitals). All-lowercase or all-uppercase has no
  checksum and is accepted as it is, as wallets do; mixed case must match it exactly.
- bech32 with the chain's prefix (`busan1…`), as Evmos-style chains show the same 20
  bytes to Cosmos tools: no version byte, just the bytes in 5-bit groups and a checksum.

`parse_address` accepts either and refuses everything else with `InvalidAddress`, whose
message says what is wrong in words a user can act on. Both forms convert exactly:
`parse_address(to_bech32(a, p), p) == a == parse_address(to_checksum(a), p)`.
"""

import string
from dataclasses import dataclass
from typing import Final

from bech32 import CHARSET, bech32_decode, bech32_encode, convertbits
from eth_hash.auto import keccak

ADDRESS_BYTES: Final = 20
# Longer than any form of an address with a prefix of up to 80 characters: what is longer
# is refused before anything looks at it.
MAX_ADDRESS_TEXT: Final = 128
_HEX_DIGITS: Final = frozenset(string.hexdigits)
_BECH32_DATA: Final = frozenset(CHARSET)
_BECH32_CHECKSUM_CHARS: Final = 6
_MAX_PREFIX: Final = 80


class InvalidAddress(ValueError):
    """Text that is not an address of this chain; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Address:
    """The 20 bytes of an EVM account. `str()` is the EIP-55 form."""

    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != ADDRESS_BYTES:
            raise ValueError(f"an address is {ADDRESS_BYTES} bytes")

    @property
    def hex(self) -> str:
        """`0x` and 40 lowercase hex digits: the form JSON-RPC returns, for matching."""
        return "0x" + self.raw.hex()

    @property
    def is_zero(self) -> bool:
        return self.raw == bytes(ADDRESS_BYTES)

    def __str__(self) -> str:
        return to_checksum(self)

    def __repr__(self) -> str:
        return f"Address({to_checksum(self)})"


def to_checksum(address: Address) -> str:
    """The EIP-55 form: `0x` and 40 hex digits, letters capitalised by the keccak of the
    lowercase hex (a letter is upper when its nibble in the hash is 8 or more)."""
    lower = address.raw.hex()
    digest = keccak(lower.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char > "9" and digest[i] >= "8" else char for i, char in enumerate(lower)
    )


def to_bech32(address: Address, prefix: str) -> str:
    """The bech32 form with `prefix` (lowercase, e.g. `busan`): the same 20 bytes."""
    _check_prefix(prefix)
    groups = convertbits(address.raw, 8, 5, True)
    assert groups is not None  # 8-bit input always converts
    return bech32_encode(prefix, groups)


def parse_address(text: str, bech32_prefix: str) -> Address:
    """The address `text` names, in `0x` or `<bech32_prefix>1…` form; `InvalidAddress`
    with a user-facing reason otherwise. Surrounding whitespace (a paste) is ignored; the
    zero address is refused, as whatever is sent there is lost."""
    if len(text) > MAX_ADDRESS_TEXT:
        raise InvalidAddress(f"too long: an address has at most {MAX_ADDRESS_TEXT} characters")
    text = text.strip()
    if not text:
        raise InvalidAddress("empty: enter an address")
    if text.startswith("0x"):
        address = _parse_hex(text)
    elif _looks_like_bech32(text):
        address = _parse_bech32(text, bech32_prefix)
    else:
        raise InvalidAddress(
            f"not an address: expected 0x followed by 40 hex digits, or {bech32_prefix}1…"
        )
    if address.is_zero:
        raise InvalidAddress("the zero address: whatever is sent to it is lost")
    return address


def _parse_hex(text: str) -> Address:
    digits = text[2:]
    if not all(char in _HEX_DIGITS for char in digits):
        raise InvalidAddress("not hex: after 0x an address has only the digits 0-9 and a-f")
    if len(digits) != 2 * ADDRESS_BYTES:
        raise InvalidAddress(
            f"wrong length: an address is 0x followed by {2 * ADDRESS_BYTES} hex digits, "
            f"this one has {len(digits)}"
        )
    address = Address(bytes.fromhex(digits))
    # One case throughout carries no checksum; mixed case is a checksum and must match.
    if digits != digits.lower() and digits != digits.upper() and to_checksum(address) != text:
        raise InvalidAddress(
            "bad checksum: the capital letters do not match (EIP-55); check for a typo"
        )
    return address


def _looks_like_bech32(text: str) -> bool:
    return "1" in text and text[0].isalpha() and text.isascii()


def _parse_bech32(text: str, prefix: str) -> Address:
    if text != text.lower() and text != text.upper():
        raise InvalidAddress("mixed case: a bech32 address is all lowercase or all uppercase")
    lower = text.lower()
    found_prefix, _, data = lower.rpartition("1")
    if found_prefix != prefix:
        raise InvalidAddress(f"an address of another chain: expected {prefix}1…")
    if not data or not all(char in _BECH32_DATA for char in data):
        raise InvalidAddress(
            f"not bech32: after {prefix}1 an address has only the characters {CHARSET}"
        )
    _, groups = bech32_decode(lower)
    if groups is None:
        raise InvalidAddress("bad checksum: this bech32 address has a typo")
    raw = convertbits(groups, 5, 8, False)
    if raw is None or len(raw) != ADDRESS_BYTES:
        raise InvalidAddress(f"wrong data length: a {prefix}1… address holds {ADDRESS_BYTES} bytes")
    return Address(bytes(raw))


def _check_prefix(prefix: str) -> None:
    # BIP-173: 1 to 83 printable ASCII characters; lowercase, since the encoding is.
    if not (
        0 < len(prefix) <= _MAX_PREFIX
        and prefix.isascii()
        and prefix == prefix.lower()
        and all(33 <= ord(char) <= 126 for char in prefix)
    ):
        raise ValueError(f"not a bech32 prefix: {prefix!r}")
