"""The WebSocket API through unmodified client libraries, against a real server process:
python-binance 1.0.37's `AsyncClient.ws_*` methods and ccxt.pro's `*Ws` methods, configured
as docs/binance-api.md says ("Pointing a client at Assetport"). ccxt sends
`returnRateLimits: false` with every request; python-binance signs its params URL-encoded
and sorted; both answer a refusal with their own exception carrying Binance's code.

ccxt offers `fetchOrderBookWs` and `fetchTickerWs` for Binance's futures only (it refuses
them for a spot market before sending anything), so they are not here."""

import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ws"))
from ws_support import ExchangeServer, Trader, close_leftover_event_loop

ccxtpro = pytest.importorskip("ccxt.pro")
ccxt_errors = pytest.importorskip("ccxt.base.errors")
binance_async = pytest.importorskip("binance.async_client")
binance_exceptions = pytest.importorskip("binance.exceptions")

SYMBOL = "KCUKRW"  # copper: tick 1 KRW, step 1 kg; market data
SILVER = "KSLVKRW"  # the same rules: python-binance's trading
CARBON = "KCO2KRW"  # tick 10 KRW, step 1 t: ccxt's trading


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wsapiclients") / "data") as running:
        yield running
    close_leftover_event_loop()


@pytest.fixture(scope="module")
def traded(server: ExchangeServer) -> tuple[Trader, Trader]:
    """Two trades in KCUKRW (12,000 and 12,100 KRW) and a resting bid and ask."""
    seller = server.user("wsc-seller", KCU="100")
    buyer = server.user("wsc-buyer", KRW="100000000")
    for price in ("12000", "12100"):
        assert seller.post("/api/v3/order", **_limit("SELL", "2", price))[0] == 200
        assert buyer.post("/api/v3/order", symbol=SYMBOL, side="BUY", type="MARKET",
                          quantity="2")[0] == 200  # fmt: skip
    assert seller.post("/api/v3/order", **_limit("SELL", "5", "13000"))[0] == 200
    assert buyer.post("/api/v3/order", **_limit("BUY", "5", "11000"))[0] == 200
    deadline = time.monotonic() + 10  # market data follows the engine a moment later
    while time.monotonic() < deadline:
        book = server.request("GET", f"/api/v3/depth?symbol={SYMBOL}")[1]
        day = server.request("GET", f"/api/v3/ticker/24hr?symbol={SYMBOL}")[1]
        if book["bids"] and book["asks"] and day["count"] == 2:
            break
        time.sleep(0.02)
    return seller, buyer


def _limit(side: str, quantity: str, price: str, symbol: str = SYMBOL) -> dict[str, str]:
    return {"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC",
            "quantity": quantity, "price": price}  # fmt: skip


def _python_binance(server: ExchangeServer) -> Any:
    base = server.base_url

    class LocalAsyncClient(binance_async.AsyncClient):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"
        WS_API_URL = f"ws://127.0.0.1:{server.port}/ws-api/v3"

    return LocalAsyncClient


def _pro(server: ExchangeServer, trader: Trader) -> Any:
    exchange = ccxtpro.binance({
        "apiKey": trader.api_key, "secret": trader.secret, "enableRateLimit": False,
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False,
                    "fetchMargins": False, "defaultType": "spot"},
    })  # fmt: skip
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


def test_python_binance_ws_methods(server: ExchangeServer, traded: tuple[Trader, Trader]) -> None:
    trader = server.user("wsc-pb", KRW="1000000", KSLV="10")
    other = server.user("wsc-pb-other", KSLV="10")

    async def scenario() -> None:
        # One client for all (closing one waits for its read loop's 10 s timeout).
        client = await _python_binance(server).create(trader.api_key, trader.secret)
        try:
            await _python_binance_market_data(client)
            await _python_binance_trading(client, other)
        finally:
            await client.close_connection()

    asyncio.run(scenario())


async def _python_binance_market_data(client: Any) -> None:
    book = await client.ws_get_order_book(symbol=SYMBOL, limit=5)
    assert (book["bids"][0], book["asks"][0]) == (["11000", "5.0000"], ["13000", "5.0000"])
    recent = await client.ws_get_recent_trades(symbol=SYMBOL)
    assert [t["price"] for t in recent] == ["12000", "12100"]
    older = await client.ws_get_historical_trades(symbol=SYMBOL, limit=1)
    assert older == recent[1:]
    aggregate = await client.ws_get_aggregate_trades(symbol=SYMBOL)
    assert [a["p"] for a in aggregate] == ["12000", "12100"]
    candles = await client.ws_get_klines(symbol=SYMBOL, interval="1h")
    busy = [c for c in candles if c[8]]  # the fixture's trades may straddle an hour
    assert (max(c[2] for c in busy), min(c[3] for c in busy)) == ("12100", "12000")
    assert await client.ws_get_uiKlines(symbol=SYMBOL, interval="1h") == candles
    assert (await client.ws_get_avg_price(symbol=SYMBOL))["mins"] == 5
    day = await client.ws_get_ticker(symbol=SYMBOL)
    assert (day["lastPrice"], day["highPrice"], day["count"]) == ("12100", "12100", 2)
    trading_day = await client.ws_get_trading_day_ticker(symbol=SYMBOL)
    assert trading_day["lastPrice"] == "12100"
    window = await client.ws_get_symbol_ticker_window(symbol=SYMBOL, windowSize="2h")
    assert window["openPrice"] == "12000"
    assert await client.ws_get_symbol_ticker(symbol=SYMBOL) == {
        "symbol": SYMBOL, "price": "12100"}  # fmt: skip
    top = await client.ws_get_orderbook_ticker(symbol=SYMBOL)
    assert (top["bidPrice"], top["askPrice"]) == ("11000", "13000")
    info = await client.ws_get_exchange_info(symbol=SYMBOL)
    assert info["symbols"][0]["symbol"] == SYMBOL
    with pytest.raises(binance_exceptions.BinanceAPIException) as refused:
        await client.ws_get_klines(symbol=SYMBOL, interval="2s")
    assert refused.value.code == -1120


async def _python_binance_trading(client: Any, other: Trader) -> None:
    assert await client.ws_create_test_order(**_limit("BUY", "1", "10000", SILVER)) == {}
    rates = await client.ws_create_test_order(
        **_limit("BUY", "1", "10000", SILVER), computeCommissionRates="true"
    )
    assert rates["standardCommissionForOrder"]["taker"] == "0.00050000"
    placed = await client.ws_order_limit_buy(symbol=SILVER, quantity="2", price="10000")
    assert placed["status"] == "NEW"
    replaced = await client.ws_cancel_and_replace_order(
        **_limit("BUY", "1", "10500", SILVER), cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=placed["orderId"],
    )  # fmt: skip
    assert (replaced["cancelResult"], replaced["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    new_id = replaced["newOrderResponse"]["orderId"]
    status = await client.ws_get_order(symbol=SILVER, orderId=new_id)
    assert (status["price"], status["origQty"]) == ("10500", "1.0000")
    assert [o["orderId"] for o in await client.ws_get_open_orders(symbol=SILVER)] == [new_id]
    with pytest.raises(binance_exceptions.BinanceAPIException) as failed:
        await client.ws_cancel_and_replace_order(
            **_limit("BUY", "1", "10600", SILVER), cancelReplaceMode="STOP_ON_FAILURE",
            cancelOrderId=placed["orderId"],
        )  # fmt: skip
    assert failed.value.code == -2022
    sold = await asyncio.to_thread(
        other.post, "/api/v3/order", symbol=SILVER, side="SELL", type="MARKET",
        quantity="1",
    )  # fmt: skip
    assert sold[1]["status"] == "FILLED"
    mine = await client.ws_get_my_trades(symbol=SILVER)
    assert [(t["price"], t["isBuyer"]) for t in mine] == [("10500", True)]
    orders = await client.ws_get_all_orders(symbol=SILVER)
    assert [o["status"] for o in orders] == ["CANCELED", "FILLED"]
    await client.ws_order_limit_buy(symbol=SILVER, quantity="1", price="9000")
    canceled = await client.ws_cancel_all_open_orders(symbol=SILVER)
    assert [c["status"] for c in canceled] == ["CANCELED"]
    account = await client.ws_get_account()
    kslv = next(b for b in account["balances"] if b["asset"] == "KSLV")
    assert (kslv["free"], kslv["locked"]) == ("11.0000", "0.0000")
    counts = await client.ws_get_account_rate_limits_orders()
    assert [row["rateLimitType"] for row in counts] == ["ORDERS", "ORDERS"]
    commission = await client.ws_get_commission_rates(symbol=SILVER)
    assert commission["standardCommission"]["maker"] == "0.00050000"
    assert await client.ws_get_prevented_matches(symbol=SILVER, orderId=new_id) == []


def test_ccxt_pro_ws_methods(server: ExchangeServer, traded: tuple[Trader, Trader]) -> None:
    trader = server.user("wsc-ccxt", KRW="1000000", KCO2="10")
    other = server.user("wsc-ccxt-other", KCO2="10")

    async def scenario() -> None:
        exchange = _pro(server, trader)
        try:
            await exchange.load_markets()
            candles = await exchange.fetch_ohlcv_ws("KCU/KRW", "1h")
            busy = [c for c in candles if c[5]]  # the trades may straddle an hour
            assert (max(c[2] for c in busy), min(c[3] for c in busy)) == (12100.0, 12000.0)
            trades = await exchange.fetch_trades_ws("KCU/KRW")
            assert [t["price"] for t in trades][:2] == [12000.0, 12100.0]
            # account.status answers (weight 20); ccxt 4.5.90 then reads the balances from a
            # futures field (`assets`) that Binance's spot answer does not have either, so
            # it hands back none: `fetch_balance` (REST) or `watch_balance` are the ways.
            balance = await exchange.fetch_balance_ws()
            assert isinstance(balance, dict)
            await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 1, 10000, {"test": True})
            order = await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 2, 10000)
            assert (order["status"], order["amount"], order["price"]) == ("open", 2.0, 10000.0)
            fetched = await exchange.fetch_order_ws(order["id"], "KCO2/KRW")
            assert fetched["id"] == order["id"]
            edited = await exchange.edit_order_ws(order["id"], "KCO2/KRW", "limit", "buy", 1, 10500)
            assert (edited["price"], edited["amount"]) == (10500.0, 1.0)
            opened = await exchange.fetch_open_orders_ws("KCO2/KRW")
            assert [o["id"] for o in opened] == [edited["id"]]
            sold = await asyncio.to_thread(
                other.post, "/api/v3/order", symbol=CARBON, side="SELL", type="MARKET",
                quantity="1",
            )  # fmt: skip
            assert sold[1]["status"] == "FILLED"
            mine = await exchange.fetch_my_trades_ws("KCO2/KRW")
            assert [(t["price"], t["side"]) for t in mine] == [(10500.0, "buy")]
            orders = await exchange.fetch_orders_ws("KCO2/KRW")
            assert [o["status"] for o in orders] == ["canceled", "closed"]
            closed = await exchange.fetch_closed_orders_ws("KCO2/KRW")
            assert [o["id"] for o in closed] == [edited["id"]]
            resting = await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 1, 9000)
            canceled = await exchange.cancel_order_ws(resting["id"], "KCO2/KRW")
            assert canceled["status"] == "canceled"
            await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 1, 9000)
            await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 1, 9100)
            all_canceled = await exchange.cancel_all_orders_ws("KCO2/KRW")
            assert sorted(o["price"] for o in all_canceled) == [9000.0, 9100.0]
            assert await exchange.fetch_open_orders_ws("KCO2/KRW") == []
            with pytest.raises(ccxt_errors.InsufficientFunds):
                await exchange.create_order_ws("KCO2/KRW", "limit", "buy", 1000, 10000)
        finally:
            await exchange.close()

    asyncio.run(scenario())
