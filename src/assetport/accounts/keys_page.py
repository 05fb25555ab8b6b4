"""The API key page's backend: list (never a secret), create HMAC (the secret is in this one
answer only), register Ed25519, permissions and IP allowlist, delete. A key that may trade
takes re-authentication to make (the password, and a second factor when two-factor login is
on): with it anyone can trade the account away from any machine, so an open session alone
must not be enough. Each key says whether it is `unrestricted`: it may trade and has no IP
allowlist, so whoever copies it trades from anywhere (the page warns of it). Every key is made and
checked by the `KeyStore` the gateway reads too (`edge/keys.py`), so the keys work on the
REST and WebSocket APIs at once.
"""

from typing import Any

from assetport.accounts import errors
from assetport.accounts.web_call import AccountCall
from assetport.edge.errors import ApiError
from assetport.edge.keys import ApiKey, KeyKind, KeyStoreError, Permission

MAX_LABEL = 64


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


async def create_key(call: AccountCall) -> dict[str, Any]:
    keys = call.keys
    kind = call.body.get("type", "HMAC")
    label = call.body.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise _invalid(f"a label has at most {MAX_LABEL} characters")
    try:
        permissions = [Permission(p) for p in _strings(call, "permissions", ["read"])]
    except ValueError as exc:
        raise _invalid("permissions are 'read' and 'trade'") from exc
    if Permission.TRADE in permissions and not call.me.email_verified:
        raise errors.EMAIL_NOT_VERIFIED.error()  # a key must not trade where a session cannot
    allowlist = _strings(call, "ipAllowlist", [])
    if Permission.TRADE in permissions:
        # After the cheap checks, before the key exists: a refused key is never made.
        await call.accounts.reauthenticate(call.me, *call.reauthentication(), call.ip, call.now_ms)
    common: dict[str, Any] = {
        "permissions": permissions, "now_ms": call.now_ms, "label": label,
        "ip_allowlist": allowlist,
    }  # fmt: skip
    try:
        if kind == "HMAC":
            key, secret = keys.create_hmac_key(call.me.user_id, **common)
            return {**_shown(key), "secretKey": secret}
        if kind == "ED25519":
            pem = call.text("publicKey")
            return _shown(keys.register_ed25519_key(call.me.user_id, pem, **common))
    except (KeyStoreError, ValueError) as exc:
        raise _invalid(str(exc)) from exc
    raise _invalid("'type' is HMAC or ED25519")


async def delete_key(call: AccountCall) -> dict[str, Any]:
    api_key = call.path_params["api_key"]
    key = call.keys.get(api_key)
    if key is None or key.account != call.me.user_id:  # someone else's key is "no such key"
        raise errors.KEY_NOT_FOUND.error()
    call.keys.revoke(api_key)
    return {"apiKey": api_key, "deleted": True}
