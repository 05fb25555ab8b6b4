"""The API key page's backend: list (never a secret), create HMAC (the secret is in this one
answer only), register Ed25519, permissions and IP allowlist, delete. A key that may trade
takes re-authentication to make (the password, and a second factor when two-factor login is
on): with it anyone can trade the account away from any machine, so an open session alone
must not be enough. A key that may withdraw moves money off the platform, so as on Binance it
asks more: a verified email, two-factor login turned on (-8028 otherwise: the password alone
would confirm it) and re-authentication with the password and a code, besides the IP
allowlist the key store requires of it. Each key says whether it is `unrestricted`: it may
trade and has no IP allowlist, so whoever copies it trades from anywhere (the page warns of
it). Every key is made and checked by the `KeyStore` the gateway reads too (`edge/keys.py`),
so the keys work on the REST and WebSocket APIs at once.
"""

from typing import Any

from assetport.accounts import errors
from assetport.accounts.web_call import AccountCall
from assetport.edge.errors import ApiError
from assetport.edge.keys import (
    ApiKey,
    KeyKind,
    KeyStoreError,
    Permission,
    check_key_request,
    parse_ip_allowlist,
)

MAX_LABEL = 64
# The `type` a request names, and the kind of key it makes.
_KINDS = {"HMAC": KeyKind.HMAC_SHA256, "ED25519": KeyKind.ED25519}


def _shown(key: ApiKey) -> dict[str, Any]:
    return {
        "unrestricted": Permission.TRADE in key.permissions and not key.ip_allowlist,
        "apiKey": key.api_key,
        "type": "HMAC" if key.kind is KeyKind.HMAC_SHA256 else "ED25519",
        "label": key.label,
        "permissions": sorted(key.permissions),
        "ipAllowlist": [str(network) for network in key.ip_allowlist],
        "createTime": key.created_ms,
    }


def _invalid(detail: str) -> ApiError:
    return ApiError(errors.INVALID_KEY_REQUEST.code, f"Invalid API key request: {detail}.")


def _strings(call: AccountCall, name: str, default: list[str]) -> list[str]:
    value = call.body.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"'{name}' must be a list of strings")
    return value


async def list_keys(call: AccountCall) -> dict[str, Any]:
    return {"apiKeys": [_shown(key) for key in call.keys.keys_of(call.me.user_id)]}


def _check_draft(
    kind: KeyKind, permissions: frozenset[Permission], label: str, allowlist: list[str], pem: str
) -> None:
    """The key store's own checks (the allowlist's and the public key's parsing,
    `check_key_request`) on a draft that is never stored. Run before re-authentication, so a
    key the store would refuse does not use up the one-time code sent to confirm it."""
    try:
        draft = ApiKey(
            api_key="", account=0, kind=kind, permissions=permissions,
            ip_allowlist=parse_ip_allowlist(allowlist), created_ms=0, label=label,
            public_key_pem=pem,
        )  # fmt: skip
        check_key_request(draft.permissions, draft.label, draft.ip_allowlist)
    except ValueError as exc:
        raise _invalid(str(exc)) from exc


async def create_key(call: AccountCall) -> dict[str, Any]:
    keys = call.keys
    kind = call.body.get("type", "HMAC")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise _invalid("'type' is HMAC or ED25519")
    label = call.body.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise _invalid(f"a label has at most {MAX_LABEL} characters")
    try:
        permissions = frozenset(Permission(p) for p in _strings(call, "permissions", ["read"]))
    except ValueError as exc:
        raise _invalid("permissions are 'read', 'trade' and 'withdraw'") from exc
    # Trading or moving money off the platform: what a session may not do unconfirmed.
    confirmed = Permission.TRADE in permissions or Permission.WITHDRAW in permissions
    if confirmed and not call.me.email_verified:
        raise errors.EMAIL_NOT_VERIFIED.error()  # a key must not trade where a session cannot
    if Permission.WITHDRAW in permissions and not call.me.totp_enabled:
        # Without two-factor login, re-authentication would be the password alone.
        raise errors.WITHDRAW_KEY_NEEDS_TOTP.error()
    allowlist = _strings(call, "ipAllowlist", [])
    pem = call.text("publicKey") if kind == "ED25519" else ""
    _check_draft(_KINDS[kind], permissions, label, allowlist, pem)
    if confirmed:
        # After every other check, before the key exists: a refused key is never made. With
        # two-factor login on (always, for `withdraw`) it takes a code besides the password.
        await call.accounts.reauthenticate(call.me, *call.reauthentication(), call.ip, call.now_ms)
    common: dict[str, Any] = {
        "permissions": permissions, "now_ms": call.now_ms, "label": label,
        "ip_allowlist": allowlist,
    }  # fmt: skip
    try:
        if kind == "HMAC":
            key, secret = keys.create_hmac_key(call.me.user_id, **common)
            return {**_shown(key), "secretKey": secret}
        return _shown(keys.register_ed25519_key(call.me.user_id, pem, **common))
    except (KeyStoreError, ValueError) as exc:
        raise _invalid(str(exc)) from exc


async def delete_key(call: AccountCall) -> dict[str, Any]:
    api_key = call.path_params["api_key"]
    key = call.keys.get(api_key)
    if key is None or key.account != call.me.user_id:  # someone else's key is "no such key"
        raise errors.KEY_NOT_FOUND.error()
    call.keys.revoke(api_key)
    return {"apiKey": api_key, "deleted": True}
