"""Emails and passwords: normalisation, the strength rule, argon2id hashes.

argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, 64 MiB,
p=4): memory-hard, so a stolen table is slow to guess on GPUs. Hashing takes tens of
milliseconds, so callers run it off the event loop.
"""

import unicodedata
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD: Final = 10
# A cap so one request cannot make argon2 hash megabytes.
MAX_PASSWORD: Final = 1024
MAX_EMAIL: Final = 254  # RFC 5321's limit on a forward path

_hasher: Final = PasswordHasher()
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH: Final = _hasher.hash("assetport-no-such-account")


def normalise_email(text: str) -> str | None:
    """The email as stored and compared, or None when it is not an address.

    NFKC then lower case: the domain is case-insensitive, and no provider people use treats
    `Alice@` and `alice@` as two mailboxes, so one person cannot get two accounts by case.
    """
    email = unicodedata.normalize("NFKC", text).strip().lower()
    # One @ only: quoted local parts with an @ are legal and used by nobody.
    local, _, domain = email.partition("@")
    if email.count("@") != 1 or not local or len(email) > MAX_EMAIL:
        return None
    if "." not in domain.strip(".") or any(c.isspace() for c in email):
        return None
    return email


def strong_enough(password: str) -> bool:
    return MIN_PASSWORD <= len(password) <= MAX_PASSWORD


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; with `stored_hash` None, spend the same time and fail."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
