"""Passwords: the rule, and argon2id hashes.

The rule: 10 to 1024 characters, no control characters (a NUL or a line break is a paste
gone wrong, and a lone surrogate cannot even be hashed), not one of the 30,000 commonest
passwords (the list bundled with the `zxcvbn` package), and hard enough to guess by
zxcvbn's estimate (score 3 of 4: about 10^8 guesses or more, which argon2 makes days of
work per account), counting the email's parts as known to a guesser. zxcvbn reads at most
72 characters, so a longer password is judged by its first 72. The estimate takes
milliseconds, so callers run it off the event loop with the hash.

argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, 64 MiB,
p=4): memory-hard, so a stolen table is slow to guess on GPUs. Hashing takes tens of
milliseconds: callers run it in a `hashing.HashLane`, never on the event loop.
"""

import functools
import re
import unicodedata
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

from assetport.accounts import errors
from assetport.edge.errors import ApiError

MIN_PASSWORD: Final = 10
# A cap so one request cannot make argon2 hash megabytes.
MAX_PASSWORD: Final = 1024
MIN_SCORE: Final = 3
_ESTIMATED_LENGTH: Final = 72  # zxcvbn's own limit
_COMMON: Final = frozenset(FREQUENCY_LISTS["passwords"])
# What a guesser tries first besides the password lists: this site's name and its kind.
_SITE_WORDS: Final = ("assetport", "exchange", "binance", "bitcoin", "crypto", "trading")

_hasher: Final = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time.
    Made on first use: a hash takes a tenth of a second, and every process (each CLI tool,
    each test's server) would pay it at import."""
    return _hasher.hash("assetport-no-such-account")


def prepare() -> None:
    """Make the dummy hash now, as the accounts service starts: the first unknown email must
    take no longer to refuse than the next."""
    _dummy_hash()


def _control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs")


def check_form(password: str) -> None:
    """The cheap part of the rule, on the event loop: length and control characters."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise errors.WEAK_PASSWORD.error()
    if any(_control(char) for char in password):
        raise errors.PASSWORD_CONTROL_CHARACTERS.error()


def check_strength(password: str, email: str) -> None:
    """The expensive part: common and easy passwords. Raises `ApiError` (-8016)."""
    if password.lower() in _COMMON:
        raise errors.COMMON_PASSWORD.error()
    local, _, domain = email.partition("@")
    known = [email, local, *re.split(r"[^\w]+", local), *domain.split("."), *_SITE_WORDS]
    result = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[word for word in known if word])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or ""
        message = errors.COMMON_PASSWORD.msg + (f" {warning}" if warning else "")
        raise ApiError(errors.COMMON_PASSWORD.code, message)


def checked_hash(password: str, email: str) -> str:
    """The whole rule, then the hash: one job for a worker thread."""
    check_strength(password, email)
    return hash_password(password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; with `stored_hash` None, spend the same time and fail.
    No password longer than the rule allows was ever hashed: it is checked against the
    dummy hash (the same time), not hashed whole."""
    too_long = len(password) > MAX_PASSWORD
    # Bytes: a lone surrogate (valid JSON) cannot be encoded strictly; it fails, not raises.
    secret = password[:MAX_PASSWORD].encode("utf-8", "surrogatepass")
    try:
        checked = stored_hash if stored_hash and not too_long else _dummy_hash()
        matched = _hasher.verify(checked, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None and not too_long


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
