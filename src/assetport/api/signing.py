"""Signed requests, as Binance checks them (docs/binance-api.md, "Signed requests").

REST: the signed payload is the raw query string exactly as received followed, with no
separator, by the raw body, minus the `signature` parameter. Nothing is decoded, re-encoded
or sorted: ccxt signs its parameters in insertion order, python-binance sorted, and both
verify because the server signs what was sent. HMAC-SHA256 signatures are hex (any case);
Ed25519 signatures are base64, percent-encoded in a query or form body.

WebSocket API: the payload is every parameter but `signature`, sorted by name, joined as
`k=v&...` without percent-encoding; an Ed25519 signature is plain base64 there.

Then the time: accept iff `timestamp < serverTime + 1000` and
`serverTime - timestamp <= recvWindow` (default 5000 ms, at most 60000, up to three
decimals); a timestamp in microseconds is compared in microseconds.
"""

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Final, Protocol
from urllib.parse import unquote_to_bytes

from cryptography.exceptions import InvalidSignature

from assetport.api import errors
from assetport.api.params import Params, decimal_to_units, ws_text
from assetport.edge.keys import ApiKey, KeyKind, Permission

API_KEY_HEADER: Final = "X-MBX-APIKEY"
DEFAULT_RECV_WINDOW_MS: Final = 5000
MAX_RECV_WINDOW_MS: Final = 60000
_AHEAD_ALLOWED_US: Final = 1_000_000
_MICROSECOND_TIMESTAMPS: Final = 10**14  # above this a timestamp is in µs (year 5138 in ms)
_SIG_FIRST: Final = b"signature="
_SIG_LATER: Final = b"&signature="


class KeyLookup(Protocol):
    def get(self, api_key: str) -> ApiKey | None: ...


def _strip(raw: bytes) -> tuple[bytes, bytes | None]:
    """`raw` without its `signature=...` pair, and that pair's value (still encoded)."""
    if raw.startswith(_SIG_FIRST):
        end = raw.find(b"&")
        if end < 0:
            return b"", raw[len(_SIG_FIRST) :]
        return raw[end + 1 :], raw[len(_SIG_FIRST) : end]
    start = raw.find(_SIG_LATER)
    if start < 0:
        return raw, None
    value_at = start + len(_SIG_LATER)
    end = raw.find(b"&", value_at)
    if end < 0:
        return raw[:start], raw[value_at:]
    return raw[:start] + raw[end:], raw[value_at:end]


def split_signature(raw_query: bytes, raw_body: bytes = b"") -> tuple[bytes, bytes | None]:
    """The REST payload to verify and the signature as sent (None when there is none)."""
    query, in_query = _strip(raw_query)
    body, in_body = _strip(raw_body) if raw_body else (b"", None)
    if in_query is not None and in_body is not None:
        raise errors.DUPLICATE_PARAMETER.error()
    return query + body, in_query if in_query is not None else in_body


def hmac_ok(secret: bytes, payload: bytes, signature: bytes) -> bool:
    """A hex HMAC-SHA256 signature, any case, compared in constant time."""
    try:
        given = bytes.fromhex(signature.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return False
    return hmac.compare_digest(hmac.digest(secret, payload, "sha256"), given)


def ed25519_ok(key: ApiKey, payload: bytes, signature_b64: bytes) -> bool:
    """A base64 Ed25519 signature of `payload` by the key's registered public key."""
    if key.public_key is None:
        return False
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.public_key.verify(signature, payload)
    except InvalidSignature:
        return False
    return True


def verify_signature(key: ApiKey, payload: bytes, signature: bytes) -> None:
    """-1022 unless `signature` (decoded) signs `payload` with `key`."""
    if key.kind is KeyKind.HMAC_SHA256:
        ok = hmac_ok(key.hmac_secret, payload, signature)
    else:
        ok = ed25519_ok(key, payload, signature)
    if not ok:
        raise errors.INVALID_SIGNATURE.error()


def check_timestamp(params: Params, server_time_ms: int) -> None:
    """-1021 unless the request's `timestamp` is within its `recvWindow` of the server."""
    timestamp = params.integer("timestamp")
    window_text = params.optional_string("recvWindow")
    if window_text is None:
        window_us = DEFAULT_RECV_WINDOW_MS * 1000
    else:
        window_us = decimal_to_units("recvWindow", window_text, 3)
        if window_us > MAX_RECV_WINDOW_MS * 1000:
            raise errors.greater_than_allowed("recvWindow", str(MAX_RECV_WINDOW_MS))
    timestamp_us = timestamp if timestamp >= _MICROSECOND_TIMESTAMPS else timestamp * 1000
    server_us = server_time_ms * 1000
    if timestamp_us >= server_us + _AHEAD_ALLOWED_US:
        raise errors.INVALID_TIMESTAMP_AHEAD.error()
    if server_us - timestamp_us > window_us:
        raise errors.INVALID_TIMESTAMP_WINDOW.error()


def check_key(
    keys: KeyLookup, api_key: str | None, client_ip: str, permission: Permission
) -> ApiKey:
    """The key named by `X-MBX-APIKEY`: -2014 malformed or missing, -2015 unknown, from an
    address outside its allowlist, or without the permission (both 401)."""
    if not api_key or len(api_key) != 64 or not (api_key.isascii() and api_key.isalnum()):
        raise errors.BAD_API_KEY_FORMAT.error()
    key = keys.get(api_key)
    if key is None or permission not in key.permissions or not key.allows_ip(client_ip):
        raise errors.REJECTED_API_KEY.error()
    return key


def authenticate_rest(
    keys: KeyLookup,
    *,
    api_key: str | None,
    raw_query: bytes,
    raw_body: bytes,
    params: Params,
    client_ip: str,
    server_time_ms: int,
    permission: Permission,
) -> ApiKey:
    """Everything a SIGNED (TRADE, USER_DATA) REST request must pass, in Binance's order:
    the key, the signature, the time. Returns the key; raises `ApiError`."""
    key = check_key(keys, api_key, client_ip, permission)
    payload, signature = split_signature(raw_query, raw_body)
    params.mark_read("signature")
    if not signature:
        raise errors.mandatory_missing("signature")
    if b"%" in signature:
        signature = unquote_to_bytes(signature)  # decode once: Ed25519's %2B, %2F, %3D
    verify_signature(key, payload, signature)
    check_timestamp(params, server_time_ms)
    return key


def ws_payload(params: Mapping[str, object]) -> bytes:
    """The WebSocket API payload: parameters but `signature`, sorted, `k=v` joined by `&`."""
    return "&".join(
        f"{name}={ws_text(params[name])}" for name in sorted(params) if name != "signature"
    ).encode()


def authenticate_ws(
    keys: KeyLookup,
    raw_params: Mapping[str, object],
    *,
    client_ip: str,
    server_time_ms: int,
    permission: Permission,
) -> ApiKey:
    """A signed WebSocket API request (`apiKey`, `timestamp`, `signature` in its params)."""
    api_key = raw_params.get("apiKey")
    key = check_key(keys, api_key if isinstance(api_key, str) else None, client_ip, permission)
    signature = raw_params.get("signature")
    if not isinstance(signature, str) or not signature:
        raise errors.mandatory_missing("signature")
    verify_signature(key, ws_payload(raw_params), signature.encode())
    check_timestamp(Params.from_mapping(dict(raw_params)), server_time_ms)
    return key
