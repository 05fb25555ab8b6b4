"""The market streams Binance offers beyond the basic ones, against a real server process:
klines in a time zone (`@kline_1d@+08:00`, and `@+09:00` for a Korean day), the rolling
window tickers (`@ticker_1h`, `!ticker_4h@arr`), every symbol's book ticker (`!bookTicker`)
and the average price, over real sockets and with ccxt.pro's `watch_ohlcv` in UTC+8."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from ws_support import ExchangeServer, close_leftover_event_loop, ws_url

HOUR = 3_600_000
DAY = 24 * HOUR
SYMBOL = "KOILKRW"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("streams-more") / "data") as running:
        yield running
    close_leftover_event_loop()


@pytest.fixture(scope="module")
def traded(server: ExchangeServer) -> dict[str, Any]:
    """One trade of 0.5 KOIL at 100,000 KRW (1.5 left on the book); REST's view of it."""
    seller = server.user("more-seller", KOIL="10")
    buyer = server.user("more-buyer", KRW="10000000")
    status, _ = seller.post("/api/v3/order", symbol=SYMBOL, side="SELL", type="LIMIT",
                            timeInForce="GTC", quantity="2", price="100000")  # fmt: skip
    assert status == 200
    status, _ = buyer.post("/api/v3/order", symbol=SYMBOL, side="BUY", type="MARKET",
                           quantity="0.5")  # fmt: skip
    assert status == 200
    status, trades = server.request("GET", f"/api/v3/trades?symbol={SYMBOL}")
    assert status == 200 and len(trades) == 1
    return trades[0]  # type: ignore[no-any-return]


async def _until(ws: Any, done: Any, seen: dict[str, list[Any]]) -> None:
    """Read combined-stream messages into `seen` until `done(seen)`."""
    while not done(seen):
        message = json.loads(await ws.recv())
        seen.setdefault(message["stream"], []).append(message["data"])


def test_zoned_klines_rolling_tickers_book_tickers_and_average_price(
    server: ExchangeServer, traded: dict[str, Any]
) -> None:
    low = SYMBOL.lower()
    names = [
        f"{low}@kline_1d",
        f"{low}@kline_1d@+08:00",
        f"{low}@kline_1d@+09:00",
        f"{low}@kline_4h@+09:00",
        f"{low}@ticker_1h",
        "!ticker_4h@arr",
        f"{low}@avgPrice",
    ]

    bidder = server.user("more-bidder", KRW="1000000")

    async def scenario() -> dict[str, list[Any]]:
        seen: dict[str, list[Any]] = {}
        async with websockets.connect(ws_url(server, "/stream?streams=" + "/".join(names))) as ws:
            await asyncio.sleep(0.2)
            # A new best bid: the all-market arrays carry the symbols that changed since.
            status, _ = bidder.post("/api/v3/order", symbol=SYMBOL, side="BUY", type="LIMIT",
                                    timeInForce="GTC", quantity="0.1", price="90000")  # fmt: skip
            assert status == 200
            await asyncio.wait_for(_until(ws, lambda s: set(names) <= set(s), seen), 10)
        return seen

    seen = asyncio.run(scenario())
    price, when = traded["price"], traded["time"]
    for zone, hours in (("", 0), ("@+08:00", 8), ("@+09:00", 9)):
        event = seen[f"{low}@kline_1d{zone}"][-1]
        k = event["k"]
        # A day from midnight in the zone, written in UTC milliseconds as Binance does.
        assert (k["t"] + hours * HOUR) % DAY == 0, (zone, k)
        assert k["t"] <= when <= k["T"] == k["t"] + DAY - 1
        assert (event["e"], event["s"], k["i"], k["s"]) == ("kline", SYMBOL, "1d", SYMBOL)
        assert (k["o"], k["c"], float(k["v"]), k["n"]) == (price, price, 0.5, 1)
    k4 = seen[f"{low}@kline_4h@+09:00"][-1]["k"]
    assert (k4["t"] + 9 * HOUR) % (4 * HOUR) == 0 and k4["t"] <= when <= k4["T"]
    assert k4["i"] == "4h" and k4["n"] == 1

    hourly = seen[f"{low}@ticker_1h"][-1]
    assert list(hourly) == ["e", "E", "s", "p", "P", "o", "h", "l", "c", "w", "v", "q",
                            "O", "C", "F", "L", "n"]  # fmt: skip
    assert (hourly["e"], hourly["s"], hourly["c"], hourly["n"]) == ("1hTicker", SYMBOL, price, 1)
    assert hourly["O"] % 60_000 == 0 and hourly["C"] - hourly["O"] <= HOUR + 60_000
    assert hourly["F"] == hourly["L"] == traded["id"]
    four = [row for batch in seen["!ticker_4h@arr"] for row in batch if row["s"] == SYMBOL]
    assert four and four[0]["e"] == "4hTicker" and four[0]["c"] == price

    average = seen[f"{low}@avgPrice"][-1]
    assert list(average) == ["e", "E", "s", "i", "w", "T"]
    assert (average["e"], average["i"], average["w"], average["T"]) == (
        "avgPrice", "5m", price, when,
    )  # fmt: skip

    # The same Korean day from REST (`timeZone=+09:00`, added up from the SQL candles).
    status, rows = server.request(
        "GET", f"/api/v3/klines?symbol={SYMBOL}&interval=1d&timeZone=%2B09:00"
    )
    assert status == 200
    korean = seen[f"{low}@kline_1d@+09:00"][-1]["k"]
    assert rows[-1][:7] == [korean["t"], korean["o"], korean["h"], korean["l"], korean["c"],
                            korean["v"], korean["T"]]  # fmt: skip


def test_all_book_tickers_and_refused_names(server: ExchangeServer) -> None:
    seller = server.user("book-seller", KCU="100")

    async def scenario() -> None:
        async with websockets.connect(ws_url(server, "/ws/!bookTicker")) as ws:
            await asyncio.sleep(0.2)
            status, _ = seller.post("/api/v3/order", symbol="KCUKRW", side="SELL", type="LIMIT",
                                    timeInForce="GTC", quantity="3", price="12000")  # fmt: skip
            assert status == 200
            while True:
                top = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if top["s"] == "KCUKRW":
                    break
            assert list(top) == ["u", "s", "b", "B", "a", "A"]
            assert (top["a"], float(top["A"])) == ("12000", 3.0)
            for n, name in enumerate(["kcukrw@kline_1d@+07:00", "kcukrw@ticker_2h",
                                      "!ticker_1m@arr", "kcukrw@kline_1d@"]):  # fmt: skip
                await asyncio.sleep(0.25)  # 5 messages a second
                await ws.send(json.dumps({"method": "SUBSCRIBE", "params": [name], "id": n}))
                while "id" not in (answer := json.loads(await asyncio.wait_for(ws.recv(), 5))):
                    pass
                assert answer["error"]["code"] == 2 and answer["id"] == n, name

    asyncio.run(scenario())


def test_ccxt_pro_watch_ohlcv_in_utc_plus_8(server: ExchangeServer, traded: dict[str, Any]) -> None:
    """ccxt.pro subscribes to `<id>@kline_<interval>@+08:00` for `params.timezone` on spot
    (pointed at the server as docs/binance-api.md says)."""
    ccxtpro = pytest.importorskip("ccxt.pro")

    async def scenario() -> list[list[Any]]:
        exchange = ccxtpro.binance(
            {
                "enableRateLimit": False,
                "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False,
                            "fetchMargins": False, "defaultType": "spot"},
            }
        )  # fmt: skip
        api, ws = f"{server.base_url}/api/v3", f"ws://127.0.0.1:{server.port}"
        exchange.urls["api"] = {"public": api, "private": api, "v1": f"{server.base_url}/api/v1",
                                "ws": {"spot": f"{ws}/ws"}}  # fmt: skip
        try:
            watching = exchange.watch_ohlcv("KOIL/KRW", "1d", None, None, {"timezone": "+08:00"})
            return await asyncio.wait_for(watching, 10)  # type: ignore[no-any-return]
        finally:
            await exchange.close()

    candles = asyncio.run(scenario())
    opened, o, _, _, c, volume = candles[-1]
    assert (opened + 8 * HOUR) % DAY == 0  # the day from midnight in UTC+8
    assert opened <= traded["time"] < opened + DAY
    assert (o, c, volume) == (100000, 100000, 0.5)
