"""Unmodified ccxt.pro `binance` and python-binance sockets against a real server process,
configured as docs/binance-api.md says: URL tables replaced whole (ccxt), URL class attributes
overridden in subclasses (python-binance), spot-only options."""

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from ws_support import ExchangeServer, Trader, WsApi, close_leftover_event_loop, hmac_signed

ccxtpro = pytest.importorskip("ccxt.pro")
binance_async = pytest.importorskip("binance.async_client")
binance_streams = pytest.importorskip("binance.ws.streams")
binance_depth = pytest.importorskip("binance.ws.depthcache")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wsclients") / "data") as running:
        yield running
    close_leftover_event_loop()


def pro(server: ExchangeServer, trader: Trader | None = None) -> Any:
    credentials = {"apiKey": trader.api_key, "secret": trader.secret} if trader else {}
    exchange = ccxtpro.binance(
        {
            **credentials,
            "enableRateLimit": False,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
                "defaultType": "spot",
            },
        }
    )
    api = f"{server.base_url}/api/v3"
    ws = f"ws://127.0.0.1:{server.port}"
    exchange.urls["api"] = {
        "public": api,
        "private": api,
        "v1": f"{server.base_url}/api/v1",
        "ws": {"spot": f"{ws}/ws", "margin": f"{ws}/ws", "ws-api": {"spot": f"{ws}/ws-api/v3"}},
    }
    exchange.urls.pop("test", None)
    exchange.urls.pop("demo", None)
    return exchange


async def _orders(server: ExchangeServer, traders: list[Trader], symbol: str, count: int) -> None:
    """A flow of resting and crossing limit orders through the WebSocket API."""
    rng = random.Random(11)
    api = await WsApi.open(server)
    try:
        for n in range(count):
            who = traders[n % len(traders)]
            params = {"symbol": symbol, "side": rng.choice(["BUY", "SELL"]), "type": "LIMIT",
                      "timeInForce": "GTC", "quantity": str(rng.randrange(1, 4)),
                      "price": str(rng.randrange(9950, 10050))}  # fmt: skip
            answer = await api.request("order.place", hmac_signed(who, params))
            assert answer["status"] == 200, answer
            await asyncio.sleep(0.01)
    finally:
        await api.close()


async def _next_or_none(waiting: Any, timeout: float = 1.0) -> Any:
    """The next update, or None when none comes (the order flow ended)."""
    try:
        return await asyncio.wait_for(waiting, timeout)
    except TimeoutError:
        return None


def test_ccxt_pro_public_watchers(server: ExchangeServer) -> None:
    traders = [server.user(f"pro-{n}", KCU="10000", KRW="100000000") for n in range(4)]

    async def scenario() -> None:
        exchange = pro(server)
        try:
            await exchange.load_markets()
            book = await exchange.watch_order_book("KCU/KRW")
            flow = asyncio.get_running_loop().create_task(_orders(server, traders, "KCUKRW", 120))
            trades = await exchange.watch_trades("KCU/KRW")
            assert trades and trades[0]["symbol"] == "KCU/KRW"
            ticker = await exchange.watch_ticker("KCU/KRW")
            assert ticker["symbol"] == "KCU/KRW" and ticker["last"] is not None
            candles = await exchange.watch_ohlcv("KCU/KRW", "1s")
            assert candles and len(candles[-1]) == 6
            while not flow.done():
                book = await _next_or_none(exchange.watch_order_book("KCU/KRW")) or book
            await flow
            await asyncio.sleep(0.5)  # the last diffs arrive; the book then stands still
            book = exchange.orderbooks["KCU/KRW"]
            rest = await exchange.fetch_order_book("KCU/KRW", 1000)
            assert book["nonce"] == rest["nonce"]
            assert book["bids"][: len(rest["bids"])] == rest["bids"]
            assert book["asks"][: len(rest["asks"])] == rest["asks"]
        finally:
            await exchange.close()

    asyncio.run(scenario())


def test_ccxt_pro_private_watchers(server: ExchangeServer) -> None:
    maker = server.user("pro-maker", KSLV="100")
    taker = server.user("pro-taker", KRW="10000000")

    async def scenario() -> None:
        exchange = pro(server, maker)
        buyer = pro(server, taker)
        try:
            await exchange.load_markets()
            await buyer.load_markets()
            balance = asyncio.get_running_loop().create_task(exchange.watch_balance())
            orders = asyncio.get_running_loop().create_task(exchange.watch_orders("KSLV/KRW"))
            await asyncio.sleep(0.5)
            placed = await exchange.create_limit_sell_order("KSLV/KRW", 10, 10000)
            watched = await asyncio.wait_for(orders, 5)
            assert watched[-1]["id"] == placed["id"]
            seen = await asyncio.wait_for(balance, 5)
            assert seen["KSLV"]["free"] == 90 and seen["KSLV"]["used"] == 10
            # Watch first: ccxt hands out only updates that arrive while it waits.
            orders = asyncio.get_running_loop().create_task(exchange.watch_orders("KSLV/KRW"))
            await asyncio.sleep(0.1)
            await buyer.create_market_buy_order("KSLV/KRW", 4)
            watched = await asyncio.wait_for(orders, 5)
            assert (watched[-1]["status"], watched[-1]["filled"]) == ("open", 4)
        finally:
            await exchange.close()
            await buyer.close()

    asyncio.run(scenario())


def _python_binance(server: ExchangeServer) -> tuple[Any, Any]:
    base = server.base_url
    ws = f"ws://127.0.0.1:{server.port}"

    class LocalAsyncClient(binance_async.AsyncClient):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"
        WS_API_URL = f"{ws}/ws-api/v3"

    class LocalSocketManager(binance_streams.BinanceSocketManager):  # type: ignore[misc,name-defined]
        STREAM_URL = f"{ws}/"

    return LocalAsyncClient, LocalSocketManager


def test_python_binance_sockets_and_depth_cache(server: ExchangeServer) -> None:
    traders = [server.user(f"pb-{n}", KCU="10000", KRW="100000000") for n in range(4)]
    client_class, manager_class = _python_binance(server)

    async def scenario() -> None:
        client = await client_class.create()
        try:
            manager = manager_class(client)
            flow = asyncio.get_running_loop().create_task(_orders(server, traders, "KCUKRW", 120))
            async with manager.trade_socket("KCUKRW") as trades:
                trade = await asyncio.wait_for(trades.recv(), 5)
                assert trade["e"] == "trade" and trade["s"] == "KCUKRW"
            streams = ["kcukrw@aggTrade", "kcukrw@bookTicker"]
            async with manager.multiplex_socket(streams) as multiplex:
                message = await asyncio.wait_for(multiplex.recv(), 5)
                assert message["stream"] in streams
            cache_manager = binance_depth.DepthCacheManager(client, "KCUKRW", bm=manager)
            async with cache_manager as depth:
                cache = await asyncio.wait_for(depth.recv(), 5)
                while not flow.done():
                    cache = await _next_or_none(depth.recv()) or cache
                await flow
                while (latest := await _next_or_none(depth.recv(), 0.5)) is not None:
                    cache = latest
                rest = await client.get_order_book(symbol="KCUKRW", limit=1000)
                assert cache.update_time is not None
                bids = [[float(p), float(q)] for p, q in rest["bids"]]
                asks = [[float(p), float(q)] for p, q in rest["asks"]]
                assert [list(level) for level in cache.get_bids()] == bids
                assert [list(level) for level in cache.get_asks()] == asks
        finally:
            await client.close_connection()

    asyncio.run(scenario())


def test_python_binance_threaded_manager(server: ExchangeServer) -> None:
    client_class, manager_class = _python_binance(server)
    seller = server.user("twm-seller", KOIL="10")
    buyer = server.user("twm-buyer", KRW="10000000")

    class LocalThreadedManager(binance_streams.ThreadedWebsocketManager):  # type: ignore[misc,name-defined]
        async def socket_listener(self) -> None:
            # The library builds its client by class name; ours points at the server.
            self._client = await client_class.create(loop=self._loop)
            self._bsm = manager_class(client=self._client, max_queue_size=self._max_queue_size)
            while self._running:
                await asyncio.sleep(0.2)
            while self._socket_running:
                await asyncio.sleep(0.2)

    received: list[dict[str, Any]] = []
    got = threading.Event()

    def on_message(message: dict[str, Any]) -> None:
        received.append(message)
        if message.get("e") == "trade":
            got.set()

    manager = LocalThreadedManager()
    manager.start()
    try:
        manager.start_trade_socket(callback=on_message, symbol="KOILKRW")
        time.sleep(0.5)
        seller.post("/api/v3/order", symbol="KOILKRW", side="SELL", type="LIMIT",
                    timeInForce="GTC", quantity="1", price="100000")  # fmt: skip
        buyer.post("/api/v3/order", symbol="KOILKRW", side="BUY", type="MARKET", quantity="1")
        assert got.wait(5), received
        assert received[-1]["p"] == "100000"
    finally:
        manager.stop()
        # Its listener notices the stop only when its 10 s read timeout ends: wait for that,
        # or its loop keeps running with an open socket that warns in a later test.
        manager.join(30)
        # The manager's thread made an event loop it does not close; left to the garbage
        # collector, its sockets would warn in whichever test runs then.
        if not manager._loop.is_running():
            manager._loop.close()
