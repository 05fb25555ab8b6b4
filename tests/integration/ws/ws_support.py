"""WebSocket helpers for the integration tests: a WebSocket API client that signs as
Binance clients do (HMAC over the sorted params, or an Ed25519 session), and a user with an
Ed25519 key registered through the admin endpoint."""

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader, close_leftover_event_loop

__all__ = [
    "Ed25519User",
    "ExchangeServer",
    "Trader",
    "WsApi",
    "close_leftover_event_loop",
    "cross",
    "ed25519_user",
    "ws_url",
]


def ws_url(server: ExchangeServer, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def cross(seller: Trader, buyer: Trader, symbol: str, price: str, sell: str, buy: str) -> None:
    """One trade for the streams to tell: `seller` rests `sell` at `price` (GTC), `buyer`
    takes `buy` of it at market."""
    status, answer = seller.post("/api/v3/order", symbol=symbol, side="SELL", type="LIMIT",
                                 timeInForce="GTC", quantity=sell, price=price)  # fmt: skip
    assert status == 200, answer
    status, answer = buyer.post(
        "/api/v3/order", symbol=symbol, side="BUY", type="MARKET", quantity=buy
    )
    assert status == 200, answer


class Ed25519User:
    def __init__(self, trader: Trader, api_key: str, private_key: Ed25519PrivateKey) -> None:
        self.trader = trader
        self.api_key = api_key
        self.private_key = private_key

    @property
    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def ed25519_user(server: ExchangeServer, name: str, **funds: str) -> Ed25519User:
    """A user with funds and an Ed25519 API key (the public key registered by the admin)."""
    trader = server.user(name, **funds)
    private_key = Ed25519PrivateKey.generate()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    answer = server.admin(
        "/api/v1/admin/apikeys", user_id=trader.user_id, ed25519_public_key=public_pem
    )
    return Ed25519User(trader, answer["api_key"], private_key)


def _payload(params: dict[str, Any]) -> bytes:
    """Sorted `name=value` pairs; a JSON boolean signed as `true`/`false` (as ccxt does)."""
    return "&".join(f"{k}={_text(params[k])}" for k in sorted(params)).encode()


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def hmac_signed(trader: Trader, params: dict[str, Any]) -> dict[str, Any]:
    signed = {"apiKey": trader.api_key, "timestamp": int(time.time() * 1000), **params}
    digest = hmac.new(trader.secret.encode(), _payload(signed), hashlib.sha256).hexdigest()
    return {**signed, "signature": digest}


def ed25519_signed(user: Ed25519User, params: dict[str, Any]) -> dict[str, Any]:
    signed = {"apiKey": user.api_key, "timestamp": int(time.time() * 1000), **params}
    signature = base64.b64encode(user.private_key.sign(_payload(signed))).decode()
    return {**signed, "signature": signature}


class WsApi:
    """A `/ws-api/v3` connection: requests answered by id, user events in `events`."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.ids = itertools.count(1)
        self.waiting: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, server: ExchangeServer) -> "WsApi":
        return cls(await websockets.connect(ws_url(server, "/ws-api/v3")))

    async def close(self) -> None:
        self.reader.cancel()
        await self.connection.close()

    async def _read(self) -> None:
        async for text in self.connection:
            message = json.loads(text)
            if "subscriptionId" in message and "event" in message:
                await self.events.put(message)
            else:
                self.waiting.pop(message["id"]).set_result(message)

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        request_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[request_id] = future
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        await self.connection.send(json.dumps(message))
        return await asyncio.wait_for(future, 10)

    async def event(self, timeout: float = 5) -> dict[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)
