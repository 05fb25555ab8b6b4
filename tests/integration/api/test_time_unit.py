"""Microsecond times (Binance's `X-MBX-TIME-UNIT: MICROSECOND` on REST, `?timeUnit=` on the
WebSocket API and the market streams) against a real server process, with python-binance's
`time_unit` where it has one: every time of an answer, an event or a stream payload switches,
carrying the real microsecond the sequencer stamped (not the millisecond times 1000); the
same answer in milliseconds is that time divided by 1000. Any other unit is -1194."""

import asyncio
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ws"))
from ws_support import (
    ExchangeServer,
    Trader,
    WsApi,
    close_leftover_event_loop,
    cross,
    ed25519_signed,
    ed25519_user,
    hmac_signed,
    ws_url,
)

binance_client = pytest.importorskip("binance.client")
binance_async = pytest.importorskip("binance.async_client")
binance_streams = pytest.importorskip("binance.ws.streams")

MICRO = {"X-MBX-TIME-UNIT": "MICROSECOND"}
SYMBOL = "KCUKRW"  # copper: tick 1 KRW, step 1 kg


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("timeunit") / "data") as running:
        yield running
    close_leftover_event_loop()


def client(server: ExchangeServer, trader: Trader, time_unit: str | None = None) -> Any:
    base = server.base_url

    class LocalClient(binance_client.Client):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"

    return LocalClient(trader.api_key, trader.secret, ping=False, time_unit=time_unit)


def test_rest_header_switches_every_time_of_the_answer(server: ExchangeServer) -> None:
    try:
        _rest_header(server)
    finally:
        close_leftover_event_loop()  # python-binance's Client made one; asyncio.run drops it


def _rest_header(server: ExchangeServer) -> None:
    maker = server.user("tu-maker", KCU="100")
    taker = server.user("tu-taker", KRW="10000000")
    micro_maker, plain_maker = client(server, maker, "MICROSECOND"), client(server, maker)
    micro_taker = client(server, taker, "MICROSECOND")
    placed = [
        micro_maker.order_limit_sell(symbol=SYMBOL, quantity="1", price=str(12000 + n))
        for n in range(3)
    ]
    filled = micro_taker.order_market_buy(symbol=SYMBOL, quantity="1")
    before = time.time() * 1e6
    for answer in [*placed, filled]:
        assert abs(answer["transactTime"] - before) < 60e6  # microseconds, not milliseconds
        assert answer["workingTime"] == answer["transactTime"]
    # The sequencer's own microseconds: three orders in a row are not all on a millisecond.
    assert any(answer["transactTime"] % 1000 for answer in [*placed, filled])
    for answer in placed:
        micro = micro_maker.get_order(symbol=SYMBOL, orderId=answer["orderId"])
        plain = plain_maker.get_order(symbol=SYMBOL, orderId=answer["orderId"])
        assert micro["time"] == answer["transactTime"]
        assert plain["time"] == micro["time"] // 1000
        assert plain["updateTime"] == micro["updateTime"] // 1000
    trades = micro_taker.get_my_trades(symbol=SYMBOL)
    assert [t["time"] for t in trades] == [filled["transactTime"]]

    status, public = server.request("GET", f"/api/v3/trades?symbol={SYMBOL}", MICRO)
    assert status == 200 and public[-1]["time"] == filled["transactTime"]
    status, aggs = server.request("GET", f"/api/v3/aggTrades?symbol={SYMBOL}", MICRO)
    assert status == 200 and aggs[-1]["T"] == filled["transactTime"]
    status, historical = server.request(
        "GET", f"/api/v3/historicalTrades?symbol={SYMBOL}", {**MICRO, "X-MBX-APIKEY": maker.api_key}
    )
    assert status == 200 and historical[-1]["time"] == filled["transactTime"]
    status, average = server.request("GET", f"/api/v3/avgPrice?symbol={SYMBOL}", MICRO)
    assert status == 200 and average["closeTime"] == filled["transactTime"]
    # A candle's open is its first microsecond, its close its last.
    status, candles = server.request("GET", f"/api/v3/klines?symbol={SYMBOL}&interval=1m", MICRO)
    assert status == 200
    opened, closed = candles[-1][0], candles[-1][6]
    assert opened % 60_000_000 == 0 and closed == opened + 60_000_000 - 1
    assert opened <= filled["transactTime"] <= closed
    status, plain = server.request("GET", f"/api/v3/klines?symbol={SYMBOL}&interval=1m")
    assert (plain[-1][0], plain[-1][6]) == (opened // 1000, closed // 1000)
    status, ticker = server.request("GET", f"/api/v3/ticker/24hr?symbol={SYMBOL}", MICRO)
    assert ticker["openTime"] % 60_000_000 == 0 and ticker["closeTime"] > 1e15

    for unit in ("MICROSECOND", "microsecond"):
        status, now = server.request("GET", "/api/v3/time", {"X-MBX-TIME-UNIT": unit})
        assert status == 200 and abs(now["serverTime"] - time.time() * 1e6) < 60e6
    status, now = server.request("GET", "/api/v3/time", {"X-MBX-TIME-UNIT": "millisecond"})
    assert status == 200 and abs(now["serverTime"] - time.time() * 1e3) < 60e3
    for unit in ("NANOSECOND", "micro", ""):
        status, error = server.request("GET", "/api/v3/time", {"X-MBX-TIME-UNIT": unit})
        assert (status, error["code"]) == (400, -1194), unit
    # Refused before anything happens: no order is placed.
    status, error = maker.server.request(
        "GET", f"/api/v3/openOrders?symbol={SYMBOL}", {"X-MBX-TIME-UNIT": "SECOND"}
    )
    assert (status, error["code"]) == (400, -1194)


def _async_client(server: ExchangeServer) -> Any:
    base, ws_base = server.base_url, f"ws://127.0.0.1:{server.port}"

    class LocalAsyncClient(binance_async.AsyncClient):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"
        WS_API_URL = f"{ws_base}/ws-api/v3"

    return LocalAsyncClient


def _socket_manager(server: ExchangeServer) -> Any:
    class LocalSocketManager(binance_streams.BinanceSocketManager):  # type: ignore[misc,name-defined]
        STREAM_URL = f"ws://127.0.0.1:{server.port}/"

    return LocalSocketManager


def test_websocket_api_time_unit_for_answers_and_user_events(server: ExchangeServer) -> None:
    user = ed25519_user(server, "tu-ws", KCU="100", KRW="10000000")

    async def scenario() -> None:
        # python-binance puts `?timeUnit=` on its WebSocket API URL.
        pb = await _async_client(server).create(
            user.trader.api_key, user.trader.secret, time_unit="MICROSECOND"
        )
        # Its read loop notices a close only when a read times out (10 s by default).
        pb.ws_api.TIMEOUT = 2
        micro = WsApi(await websockets.connect(ws_url(server, "/ws-api/v3?timeUnit=MICROSECOND")))
        plain = await WsApi.open(server)
        try:
            logon = await micro.request("session.logon", ed25519_signed(user, {}))
            assert logon["result"]["connectedSince"] > 1e15
            assert (await micro.request("userDataStream.subscribe"))["status"] == 200
            assert (await plain.request("session.logon", ed25519_signed(user, {})))["status"] == 200
            assert (await plain.request("userDataStream.subscribe"))["status"] == 200
            order = {"symbol": SYMBOL, "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                     "quantity": "2", "price": "13000"}  # fmt: skip
            answer = await pb.ws_create_order(**order)
            assert abs(answer["transactTime"] - time.time() * 1e6) < 60e6
            micro_event = await _execution_report(micro)
            plain_event = await _execution_report(plain)
            assert micro_event["i"] == plain_event["i"] == answer["orderId"]
            assert micro_event["T"] == micro_event["O"] == answer["transactTime"]
            for field in ("E", "T", "O", "W"):
                assert plain_event[field] == micro_event[field] // 1000, field
            served = await micro.request("time")
            assert abs(served["result"]["serverTime"] - time.time() * 1e6) < 60e6
            status = await micro.request(
                "order.status",
                hmac_signed(user.trader, {"symbol": SYMBOL, "orderId": answer["orderId"]}),
            )
            assert status["result"]["time"] == answer["transactTime"]
            # A read runs as a task: it keeps the connection's unit.
            signed = hmac_signed(user.trader, {"symbol": SYMBOL})
            open_orders = await micro.request("openOrders.status", signed)
            assert [o["time"] for o in open_orders["result"]] == [answer["transactTime"]]
        finally:
            await micro.close()
            await plain.close()
            await pb.close_connection()
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(ws_url(server, "/ws-api/v3?timeUnit=SECOND"))
        assert refused.value.response.status_code == 400
        assert json.loads(refused.value.response.body)["code"] == -1194

    asyncio.run(scenario())


async def _execution_report(api: WsApi) -> dict[str, Any]:
    while True:
        event = (await api.event())["event"]
        if event["e"] == "executionReport":
            return event  # type: ignore[no-any-return]


def test_market_streams_time_unit(server: ExchangeServer) -> None:
    seller = server.user("tu-stream-seller", KSLV="10")
    buyer = server.user("tu-stream-buyer", KRW="10000000")
    streams = "kslvkrw@trade/kslvkrw@kline_1m"
    status, created = server.request(
        "POST", "/api/v3/userDataStream", {"X-MBX-APIKEY": buyer.api_key}
    )
    assert status == 200
    listen_key = created["listenKey"]

    async def scenario() -> None:
        # python-binance's own URL: /stream?streams=a/b?timeUnit=MICROSECOND.
        pb = await _async_client(server).create(time_unit="MICROSECOND")
        manager = _socket_manager(server)(pb)
        raw_micro_url = ws_url(server, "/ws/kslvkrw@aggTrade?timeUnit=microsecond")
        user_url = ws_url(server, f"/ws/{listen_key}?timeUnit=MICROSECOND")
        try:
            async with (
                manager.multiplex_socket(streams.split("/")) as micro,
                websockets.connect(ws_url(server, f"/stream?streams={streams}")) as plain,
                websockets.connect(raw_micro_url) as raw_micro,
                websockets.connect(user_url) as user_events,
            ):
                await asyncio.sleep(0.2)
                cross(seller, buyer, "KSLVKRW", price="10000", sell="2", buy="1")
                micro_seen = await _both(micro.recv, "python-binance's multiplex socket")
                plain_seen = await _both(_decoded(plain), "/stream")
                agg = json.loads(await asyncio.wait_for(raw_micro.recv(), 30))
                while (event := json.loads(await asyncio.wait_for(user_events.recv(), 30)))[
                    "e"
                ] != "executionReport":
                    pass
        finally:
            # Its aiohttp session, left open, fails whichever test the collector runs in.
            await pb.close_connection()
        assert event["T"] == event["O"] > 1e15  # the buyer's market order, in microseconds
        trade, plain_trade = micro_seen["kslvkrw@trade"], plain_seen["kslvkrw@trade"]
        assert trade["T"] > 1e15 and trade["T"] // 1000 == plain_trade["T"]
        assert agg["e"] == "aggTrade" and agg["T"] == trade["T"]
        k, plain_k = micro_seen["kslvkrw@kline_1m"]["k"], plain_seen["kslvkrw@kline_1m"]["k"]
        assert k["t"] == plain_k["t"] * 1000 and k["T"] == k["t"] + 60_000_000 - 1
        status, trades = server.request("GET", "/api/v3/trades?symbol=KSLVKRW", MICRO)
        assert status == 200 and trades[-1]["time"] == trade["T"]
        assert event["T"] == trade["T"]

        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(ws_url(server, "/ws/kslvkrw@trade?timeUnit=SECOND"))
        assert refused.value.response.status_code == 400
        assert json.loads(refused.value.response.body)["code"] == -1194

    asyncio.run(scenario())


def _decoded(ws: Any) -> Any:
    async def recv() -> Any:
        return json.loads(await ws.recv())

    return recv


async def _both(recv: Any, source: str) -> dict[str, Any]:
    """The first trade and the first kline with a trade in it, by stream; on a timeout, what
    did come (a bound for a loaded machine, not a measure of speed)."""
    seen: dict[str, Any] = {}
    came: list[Any] = []
    try:
        while len(seen) < 2:
            message = await asyncio.wait_for(recv(), 30)
            came.append(message)
            data = message.get("data")
            if data is None:  # python-binance's report of a lost connection
                pytest.fail(f"{source} said {message} after {came[:-1]}")
            if message["stream"].endswith("kline_1m") and data["k"]["n"] == 0:
                continue
            seen.setdefault(message["stream"], data)
    except TimeoutError:
        pytest.fail(f"{source} gave only {came} in 30 s")
    return seen
