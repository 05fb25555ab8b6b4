"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps
make them: HMAC-SHA1, 30 s steps, 6 digits. Written with the standard library; the RFC's
test vectors are in tests/unit/accounts.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Final
from urllib.parse import quote, urlencode

STEP_S: Final = 30
DIGITS: Final = 6
# One step either way: a phone clock a little off, or a code typed as it changed.
DRIFT_STEPS: Final = 1
SECRET_BYTES: Final = 20  # 160 bits, RFC 4226's recommended length for SHA-1


def new_secret() -> str:
    """A random secret in base32 without padding, as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.upper().replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, unix_s: int) -> str:
    """The code an authenticator shows at `unix_s`."""
    return hotp(_key(secret), unix_s // STEP_S)


def matching_step(secret: str, code: str, unix_s: int, after_step: int = -1) -> int | None:
    """The time step whose code is `code`, within one step of now and later than
    `after_step` (a code is good once: a code seen over someone's shoulder cannot be
    replayed); None when there is none."""
    code = code.strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now_step = unix_s // STEP_S
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def otpauth_uri(secret: str, account_name: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app reads from a QR code."""
    label = quote(f"{issuer}:{account_name}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
         "period": STEP_S}
    )  # fmt: skip
    return f"otpauth://totp/{label}?{query}"
