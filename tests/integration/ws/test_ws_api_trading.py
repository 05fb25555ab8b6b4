"""The WebSocket API (`/ws-api/v3`) and user data streams against a real server process:
signed orders, an Ed25519 session, executionReport / outboundAccountPosition sequences and
the legacy listenKey flow, as a Binance client sees them."""

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from ws_support import (
    ExchangeServer,
    WsApi,
    ed25519_signed,
    ed25519_user,
    hmac_signed,
    ws_url,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wsapi") / "data") as running:
        yield running


def limit(side: str, quantity: str, price: str, **extra: Any) -> dict[str, Any]:
    return {"symbol": "KGLDKRW", "side": side, "type": "LIMIT", "timeInForce": "GTC",
            "quantity": quantity, "price": price, **extra}  # fmt: skip


def test_place_query_and_cancel_with_hmac_signatures(server: ExchangeServer) -> None:
    trader = server.user("ws-hmac", KRW="1000000")

    async def scenario() -> None:
        api = await WsApi.open(server)
        try:
            assert (await api.request("ping"))["result"] == {}
            placed = await api.request(
                "order.place", hmac_signed(trader, limit("BUY", "1", "90000"))
            )
            assert placed["status"] == 200, placed
            order = placed["result"]
            assert (order["status"], order["price"], order["fills"]) == ("NEW", "90000", [])
            kinds = [row["rateLimitType"] for row in placed["rateLimits"]]
            assert kinds == ["REQUEST_WEIGHT", "ORDERS", "ORDERS"]
            status = await api.request(
                "order.status",
                hmac_signed(trader, {"symbol": "KGLDKRW", "orderId": order["orderId"]}),
            )
            assert status["result"]["status"] == "NEW"
            opened = await api.request("openOrders.status", hmac_signed(trader, {}))
            assert [o["orderId"] for o in opened["result"]] == [order["orderId"]]
            account = await api.request("account.status", hmac_signed(trader, {}))
            krw = next(b for b in account["result"]["balances"] if b["asset"] == "KRW")
            # 90,000 KRW and its fee in KRW (0.05 %).
            assert (krw["free"], krw["locked"]) == ("909955", "90045")
            canceled = await api.request(
                "order.cancel",
                hmac_signed(trader, {"symbol": "KGLDKRW", "orderId": order["orderId"]}),
            )
            assert canceled["result"]["status"] == "CANCELED"
            assert canceled["result"]["origClientOrderId"] == order["clientOrderId"]
            again = await api.request(
                "order.cancel",
                hmac_signed(trader, {"symbol": "KGLDKRW", "orderId": order["orderId"]}),
            )
            assert (again["status"], again["error"]) == (
                400, {"code": -2011, "msg": "Unknown order sent."},
            )  # fmt: skip
            poor = await api.request(
                "order.place", hmac_signed(trader, limit("BUY", "100", "90000"))
            )
            assert poor["error"] == {
                "code": -2010, "msg": "Account has insufficient balance for requested action.",
            }  # fmt: skip
            bad = hmac_signed(trader, limit("BUY", "1", "90000"))
            bad["signature"] = "0" * 64
            assert (await api.request("order.place", bad))["error"]["code"] == -1022
            old = int(time.time() * 1000) - 60_000
            stale = hmac_signed(trader, limit("BUY", "1", "90000", timestamp=old))
            assert (await api.request("order.place", stale))["error"]["code"] == -1021
            unsigned = {k: v for k, v in stale.items() if k != "signature"}
            assert (await api.request("order.place", unsigned))["error"]["code"] == -1102
            unknown = await api.request("order.fly", {})
            assert unknown["status"] == 400
        finally:
            await api.close()

    asyncio.run(scenario())


def test_ed25519_session_logon_then_unsigned_requests(server: ExchangeServer) -> None:
    user = ed25519_user(server, "ws-ed", KRW="1000000")

    async def scenario() -> None:
        api = await WsApi.open(server)
        try:
            before = await api.request("order.place", {**limit("BUY", "1", "90000"),
                                                       "timestamp": 1})  # fmt: skip
            assert before["error"]["code"] == -2014  # no key, no session
            logon = await api.request("session.logon", ed25519_signed(user, {}))
            assert logon["status"] == 200, logon
            assert logon["result"]["apiKey"] == user.api_key
            now = int(time.time() * 1000)
            placed = await api.request("order.place", {**limit("BUY", "1", "90000"),
                                                       "timestamp": now})  # fmt: skip
            assert placed["result"]["status"] == "NEW", placed
            status = await api.request("session.status")
            assert status["result"]["apiKey"] == user.api_key
            await api.request("session.logout")
            after = await api.request("order.place", {**limit("BUY", "1", "90000"),
                                                      "timestamp": now})  # fmt: skip
            assert after["error"]["code"] == -2014
            hmac_user = server.user("ws-hmac-logon")
            refused = await api.request("session.logon", hmac_signed(hmac_user, {}))
            assert refused["status"] == 400 and refused["error"]["code"] == -4056
        finally:
            await api.close()

    asyncio.run(scenario())


async def _events_until(api: WsApi, count: int) -> list[dict[str, Any]]:
    return [(await api.event())["event"] for _ in range(count)]


def test_user_data_follows_an_order_from_new_to_filled(server: ExchangeServer) -> None:
    maker = ed25519_user(server, "ud-maker", KGLD="2")
    taker = server.user("ud-taker", KRW="1000000")

    async def scenario() -> None:
        watcher, trading = await WsApi.open(server), await WsApi.open(server)
        try:
            await watcher.request("session.logon", ed25519_signed(maker, {}))
            subscribed = await watcher.request("userDataStream.subscribe")
            assert subscribed["result"] == {"subscriptionId": 0}
            twice = await watcher.request("userDataStream.subscribe")
            assert twice["error"]["code"] == -2035
            sell = await trading.request(
                "order.place", ed25519_signed(maker, limit("SELL", "1", "130000"))
            )
            order_id = sell["result"]["orderId"]
            for quantity in ("0.4", "0.6"):
                buy = await trading.request(
                    "order.place", hmac_signed(taker, limit("BUY", quantity, "130000"))
                )
                assert buy["result"]["status"] == "FILLED"
            events = await _events_until(watcher, 6)
            kinds = [(e["e"], e.get("x"), e.get("X")) for e in events]
            assert kinds == [
                ("executionReport", "NEW", "NEW"),
                ("outboundAccountPosition", None, None),
                ("executionReport", "TRADE", "PARTIALLY_FILLED"),
                ("outboundAccountPosition", None, None),
                ("executionReport", "TRADE", "FILLED"),
                ("outboundAccountPosition", None, None),
            ]
            new, _, first, _, last, position = events
            assert {new["i"], first["i"], last["i"]} == {order_id}
            assert (first["l"], first["z"], first["L"], first["m"]) == (
                "0.4000", "0.4000", "130000", True,
            )  # fmt: skip
            assert (last["l"], last["z"], last["Z"], last["n"], last["N"]) == (
                "0.6000", "1.0000", "130000", "39", "KRW",
            )  # fmt: skip
            assert last["t"] > first["t"] > 0 and new["t"] == -1
            assert position["B"] == [
                {"a": "KGLD", "f": "1.0000", "l": "0.0000"},
                {"a": "KRW", "f": "129935", "l": "0"},
            ]
            for field in "EscSofqpPFgCxXrilzLnNTtIwmMOZYQWV":
                assert field in new, field
            # Deposits come as balanceUpdate, then the position.
            server.admin("/api/v1/admin/deposits", user_id=maker.trader.user_id,
                         asset="KGLD", amount="0.5")  # fmt: skip
            update, position = await _events_until(watcher, 2)
            assert (update["e"], update["a"], update["d"]) == ("balanceUpdate", "KGLD", "0.5000")
            assert position["B"] == [{"a": "KGLD", "f": "1.5000", "l": "0.0000"}]
            ended = await watcher.request("userDataStream.unsubscribe", {"subscriptionId": 0})
            assert ended["status"] == 200
            missing = await watcher.request("userDataStream.unsubscribe", {"subscriptionId": 0})
            assert missing["error"]["code"] == -2036
        finally:
            await watcher.close()
            await trading.close()

    asyncio.run(scenario())


def test_subscription_by_signature_and_cancel_report(server: ExchangeServer) -> None:
    trader = server.user("ud-sig", KRW="1000000")

    async def scenario() -> None:
        api = await WsApi.open(server)
        try:
            subscribed = await api.request(
                "userDataStream.subscribe.signature", hmac_signed(trader, {})
            )
            subscription = subscribed["result"]["subscriptionId"]
            placed = await api.request(
                "order.place", hmac_signed(trader, limit("BUY", "1", "10000"))
            )
            order = placed["result"]
            cancel = await api.request("order.cancel", hmac_signed(trader, {
                "symbol": "KGLDKRW", "orderId": order["orderId"],
                "newClientOrderId": "my-cancel-1"}))  # fmt: skip
            # As on Binance: the cancel's own id in `clientOrderId` / `c`, the order's in
            # `origClientOrderId` / `C`.
            assert (cancel["result"]["clientOrderId"], cancel["result"]["origClientOrderId"]) == (
                "my-cancel-1", order["clientOrderId"],
            )  # fmt: skip
            messages = [await api.event() for _ in range(4)]
            assert {m["subscriptionId"] for m in messages} == {subscription}
            canceled = messages[2]["event"]
            assert (canceled["x"], canceled["X"], canceled["c"], canceled["C"]) == (
                "CANCELED", "CANCELED", "my-cancel-1", order["clientOrderId"],
            )  # fmt: skip
            assert messages[3]["event"]["B"] == [{"a": "KRW", "f": "1000000", "l": "0"}]
        finally:
            await api.close()

    asyncio.run(scenario())


def test_legacy_listen_key_stream(server: ExchangeServer) -> None:
    trader = server.user("legacy", KRW="1000000")
    headers = {"X-MBX-APIKEY": trader.api_key}
    status, answer = server.request("POST", "/api/v3/userDataStream", headers)
    assert status == 200 and len(answer["listenKey"]) == 64
    listen_key = answer["listenKey"]
    assert server.request("POST", "/api/v3/userDataStream", headers)[1] == answer
    assert server.request("PUT", f"/api/v3/userDataStream?listenKey={listen_key}", headers) == (
        200,
        {},
    )
    assert server.request("PUT", "/api/v3/userDataStream?listenKey=nope", headers) == (
        400, {"code": -1125, "msg": "This listenKey does not exist."},
    )  # fmt: skip

    async def scenario() -> None:
        raw_url = ws_url(server, f"/ws/{listen_key}")
        wrapped_url = ws_url(server, f"/stream?streams={listen_key}")
        async with websockets.connect(raw_url) as raw, websockets.connect(wrapped_url) as wrapped:
            await asyncio.sleep(0.2)
            status, order = trader.post("/api/v3/order", **limit("BUY", "1", "10000"))
            assert status == 200
            event = json.loads(await asyncio.wait_for(raw.recv(), 5))
            assert (event["e"], event["x"], event["i"]) == ("executionReport", "NEW",
                                                            order["orderId"])  # fmt: skip
            position = json.loads(await asyncio.wait_for(raw.recv(), 5))
            assert position["e"] == "outboundAccountPosition"
            combined = json.loads(await asyncio.wait_for(wrapped.recv(), 5))
            assert combined["stream"] == listen_key and combined["data"]["x"] == "NEW"

    asyncio.run(scenario())
    assert server.request("DELETE", f"/api/v3/userDataStream?listenKey={listen_key}", headers) == (
        200,
        {},
    )
    assert (
        server.request("PUT", f"/api/v3/userDataStream?listenKey={listen_key}", headers)[1]["code"]
        == -1125
    )
