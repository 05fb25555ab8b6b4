"""Legacy user data streams by listenKey (docs/binance-api.md, "Legacy listen keys"), for clients
older than the WebSocket API subscription: `POST /api/v3/userDataStream` (API key header, no
signature) gives a 60-minute key, `PUT` keeps it alive, `DELETE` ends it; events are pushed
unwrapped on `/ws/<listenKey>` (wrapped on `/stream?streams=<listenKey>`). An expired key gets
one `listenKeyExpired` event and its sockets receive nothing more."""

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from assetport.api import errors
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.api.user_data import UserData, UserSubscriber
from assetport.marketdata.time_unit import from_ms, in_microseconds

VALIDITY_MS: Final = 60 * 60_000
KEY_LENGTH: Final = 64
_ALPHABET: Final = string.ascii_letters + string.digits


@dataclass
class _Key:
    account: int
    expires_ms: int
    sockets: list[UserSubscriber] = field(default_factory=list)


class ListenKeys:
    def __init__(self, user_data: UserData, clock_ms: Callable[[], int]) -> None:
        self.user_data = user_data
        self.clock_ms = clock_ms
        self._keys: dict[str, _Key] = {}
        self._by_account: dict[int, str] = {}

    def create(self, account: int, now_ms: int) -> str:
        """The account's key (Binance returns the active one, extended) or a new one."""
        existing = self._by_account.get(account)
        if existing is not None:
            self._keys[existing].expires_ms = now_ms + VALIDITY_MS
            return existing
        key = "".join(secrets.choice(_ALPHABET) for _ in range(KEY_LENGTH))
        self._keys[key] = _Key(account, now_ms + VALIDITY_MS)
        self._by_account[account] = key
        return key

    def keep_alive(self, account: int, listen_key: str, now_ms: int) -> None:
        self._owned(account, listen_key).expires_ms = now_ms + VALIDITY_MS

    def close(self, account: int, listen_key: str) -> None:
        self._owned(account, listen_key)
        self._end(listen_key)

    def is_key(self, name: str) -> bool:
        return name in self._keys

    def attach(self, listen_key: str, socket: UserSubscriber) -> bool:
        """Send the key's events to `socket`; False for an unknown or expired key."""
        key = self._keys.get(listen_key)
        if key is None or key.expires_ms <= self.clock_ms():
            return False
        key.sockets.append(socket)
        self.user_data.subscribe(key.account, socket)
        return True

    def detach(self, listen_key: str, socket: UserSubscriber) -> None:
        key = self._keys.get(listen_key)
        if key is not None and socket in key.sockets:
            key.sockets.remove(socket)
            self.user_data.unsubscribe(key.account, socket)

    def expire(self, now_ms: int) -> None:
        """End the keys not kept alive in time (call now and then)."""
        for name in [name for name, key in self._keys.items() if key.expires_ms <= now_ms]:
            for socket in self._keys[name].sockets:
                with in_microseconds(getattr(socket, "micro", False)):
                    event = {"e": "listenKeyExpired", "E": from_ms(now_ms), "listenKey": name}
                socket.deliver(event)
            self._end(name)

    def _owned(self, account: int, listen_key: str) -> _Key:
        key = self._keys.get(listen_key)
        if key is None or key.account != account:
            raise errors.INVALID_LISTEN_KEY.error()
        return key

    def _end(self, listen_key: str) -> None:
        key = self._keys.pop(listen_key)
        if self._by_account.get(key.account) == listen_key:
            del self._by_account[key.account]
        for socket in key.sockets:
            self.user_data.unsubscribe(key.account, socket)
        key.sockets.clear()


def listen_key_endpoints(keys: ListenKeys) -> tuple[Endpoint, ...]:
    """The three REST endpoints, bound to `keys`."""

    async def start(call: Call) -> Any:
        call.params.ensure_all_read()
        return {"listenKey": keys.create(call.account, call.now_ms)}

    async def keep_alive(call: Call) -> Any:
        listen_key = call.params.string("listenKey")
        call.params.ensure_all_read()
        keys.keep_alive(call.account, listen_key, call.now_ms)
        return {}

    async def close(call: Call) -> Any:
        listen_key = call.params.string("listenKey")
        call.params.ensure_all_read()
        keys.close(call.account, listen_key)
        return {}

    path = "/api/v3/userDataStream"
    key_param = (ParamDoc("listenKey", required=True),)
    return (
        Endpoint("POST", path, start, Security.USER_STREAM,
                 "Start a user data stream (legacy listenKey)"),
        Endpoint("PUT", path, keep_alive, Security.USER_STREAM,
                 "Keep a listenKey alive for 60 minutes", key_param),
        Endpoint("DELETE", path, close, Security.USER_STREAM, "Close a listenKey", key_param),
    )  # fmt: skip
