"""Every WebSocket API method that is a REST endpoint under another name
(`api/ws_api_methods.py`), over a real WebSocket against a real server: the same answers as
REST, Binance's request weights (several depend on the params), `returnRateLimits` per
request, the order-count rows of methods that place orders, and bad params answered with
Binance's error while nothing changes."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import websockets
from ws_support import ExchangeServer, Trader, WsApi, hmac_signed, ws_url

SYMBOL = "KGLDKRW"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wsmethods") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def traded(server: ExchangeServer) -> tuple[Trader, Trader]:
    """A seller and a buyer who traded twice in KGLDKRW, and a resting bid and ask."""
    seller = server.user("m-seller", KGLD="10")
    buyer = server.user("m-buyer", KRW="10000000")
    for price in ("100000", "101000"):
        assert seller.post("/api/v3/order", **limit("SELL", "0.5", price))[0] == 200
        assert buyer.post("/api/v3/order", symbol=SYMBOL, side="BUY", type="MARKET",
                          quantity="0.5")[0] == 200  # fmt: skip
    assert seller.post("/api/v3/order", **limit("SELL", "1", "120000"))[0] == 200
    assert buyer.post("/api/v3/order", **limit("BUY", "1", "80000"))[0] == 200
    # Market data follows the engine a moment later: wait until it shows all of it.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        book = server.request("GET", f"/api/v3/depth?symbol={SYMBOL}")[1]
        day = server.request("GET", f"/api/v3/ticker/24hr?symbol={SYMBOL}")[1]
        if book["bids"] and book["asks"] and day["count"] == 2:
            break
        time.sleep(0.02)
    return seller, buyer


def limit(side: str, quantity: str, price: str, **extra: Any) -> dict[str, Any]:
    return {"symbol": SYMBOL, "side": side, "type": "LIMIT", "timeInForce": "GTC",
            "quantity": quantity, "price": price, **extra}  # fmt: skip


def run(server: ExchangeServer, scenario: Callable[[WsApi], Awaitable[None]],
        query: str = "") -> None:  # fmt: skip
    async def main() -> None:
        api = WsApi(await websockets.connect(ws_url(server, f"/ws-api/v3{query}")))
        try:
            await scenario(api)
        finally:
            await api.close()

    asyncio.run(main())


async def ok(api: WsApi, method: str, params: dict[str, Any] | None = None) -> Any:
    answer = await api.request(method, params)
    assert answer["status"] == 200, (method, answer)
    return answer["result"]


async def weight_of(api: WsApi, method: str, params: dict[str, Any] | None = None) -> int:
    """The weight a request used: its count less the count of a `time` just before, both
    in one minute window (else measured again; the window starts on the minute)."""
    while True:
        before = await api.request("time")
        answer = await api.request(method, params)
        after = await api.request("time")
        same_window = before["result"]["serverTime"] // 60_000 == (
            after["result"]["serverTime"] // 60_000
        )
        if same_window:
            return int(answer["rateLimits"][0]["count"]) - int(before["rateLimits"][0]["count"])


def test_market_data_methods_answer_as_rest(
    server: ExchangeServer, traded: tuple[Trader, Trader]
) -> None:
    def rest(path: str) -> Any:
        status, answer = server.request("GET", path)
        assert status == 200, answer
        return answer

    async def scenario(api: WsApi) -> None:
        book = await ok(api, "depth", {"symbol": SYMBOL, "limit": 5})
        assert book == rest(f"/api/v3/depth?symbol={SYMBOL}&limit=5")
        assert (book["bids"][0], book["asks"][0]) == (["80000", "1.0000"], ["120000", "1.0000"])
        recent = await ok(api, "trades.recent", {"symbol": SYMBOL})
        assert [t["price"] for t in recent] == ["100000", "101000"]
        assert await ok(api, "trades.historical", {"symbol": SYMBOL, "fromId": recent[1]["id"]}
                        ) == recent[1:]  # fmt: skip
        aggregate = await ok(api, "trades.aggregate", {"symbol": SYMBOL, "limit": 1})
        assert aggregate == rest(f"/api/v3/aggTrades?symbol={SYMBOL}&limit=1")
        for method, path in (("klines", "klines"), ("uiKlines", "uiKlines")):
            candles = await ok(api, method, {"symbol": SYMBOL, "interval": "1d",
                                             "timeZone": "+09:00"})  # fmt: skip
            assert candles == rest(f"/api/v3/{path}?symbol={SYMBOL}&interval=1d&timeZone=%2B09:00")
            # The day's high (the trades may straddle a day: 15:00 UTC starts one in Seoul).
            assert max(c[2] for c in candles if c[8]) == "101000"
        average = await ok(api, "avgPrice", {"symbol": SYMBOL})
        assert average["mins"] == 5 and average["price"]
        day = await ok(api, "ticker.24hr", {"symbol": SYMBOL})
        assert (day["symbol"], day["lastPrice"], day["count"]) == (SYMBOL, "101000", 2)
        both = await ok(api, "ticker.24hr", {"symbols": [SYMBOL, "BTCKRW"], "type": "MINI"})
        assert [t["symbol"] for t in both] == [SYMBOL, "BTCKRW"] and "bidPrice" not in both[0]
        window = await ok(api, "ticker", {"symbol": SYMBOL, "windowSize": "1h"})
        assert window["highPrice"] == "101000"
        trading_day = await ok(api, "ticker.tradingDay", {"symbols": [SYMBOL]})
        assert trading_day[0]["lastPrice"] == "101000"
        assert await ok(api, "ticker.price", {"symbol": SYMBOL}) == {
            "symbol": SYMBOL, "price": "101000"}  # fmt: skip
        prices = await ok(api, "ticker.price")
        assert {p["symbol"] for p in prices} >= {SYMBOL, "BTCKRW", "KSLVKRW"}
        assert await ok(api, "ticker.book", {"symbol": SYMBOL}) == {
            "symbol": SYMBOL, "bidPrice": "80000", "bidQty": "1.0000",
            "askPrice": "120000", "askQty": "1.0000"}  # fmt: skip
        info = await ok(api, "v3/exchangeInfo", {"symbol": SYMBOL})  # Binance's version prefix
        assert [s["symbol"] for s in info["symbols"]] == [SYMBOL]

    run(server, scenario)


def test_market_data_refusals(server: ExchangeServer) -> None:
    async def scenario(api: WsApi) -> None:
        cases = [
            ("depth", {"symbol": "NOPEKRW"}, -1121),
            ("depth", {}, -1102),
            ("depth", {"symbol": SYMBOL, "limit": 0}, -1130),
            ("klines", {"symbol": SYMBOL, "interval": "7m"}, -1120),
            ("trades.aggregate", {"symbol": SYMBOL, "startTime": 0, "endTime": 7_200_000}, -1127),
            ("ticker.24hr", {"symbol": SYMBOL, "symbols": [SYMBOL]}, -1128),
            ("ticker", {"symbol": SYMBOL, "windowSize": "9y"}, -1130),
            ("ticker.tradingDay", {}, -1102),
            ("avgPrice", {"symbol": SYMBOL, "colour": "red"}, -1104),
        ]
        for method, params, code in cases:
            answer = await api.request(method, params)
            assert answer["status"] == 400 and answer["error"]["code"] == code, (method, answer)
        unknown = await api.request("depth.everything", {})
        assert unknown["error"] == {"code": -1100, "msg": "Unknown method 'depth.everything'."}

    run(server, scenario)


def test_request_weights_are_binances(server: ExchangeServer, traded: tuple[Trader, Trader]
                                      ) -> None:  # fmt: skip
    _seller, buyer = traded

    async def scenario(api: WsApi) -> None:
        market = [
            ("depth", {"symbol": SYMBOL, "limit": 5}, 5),
            ("depth", {"symbol": SYMBOL, "limit": 500}, 25),
            ("depth", {"symbol": SYMBOL, "limit": 1000}, 50),
            ("trades.recent", {"symbol": SYMBOL}, 25),
            ("trades.aggregate", {"symbol": SYMBOL}, 4),
            ("klines", {"symbol": SYMBOL, "interval": "1m"}, 2),
            ("avgPrice", {"symbol": SYMBOL}, 2),
            ("ticker.24hr", {"symbol": SYMBOL}, 2),
            ("ticker.24hr", {}, 80),
            ("ticker", {"symbols": [SYMBOL, "BTCKRW"]}, 8),
            ("ticker.tradingDay", {"symbol": SYMBOL}, 4),
            ("ticker.price", {"symbol": SYMBOL}, 2),
            ("ticker.price", {}, 4),
            ("ticker.book", {"symbols": [SYMBOL]}, 4),
            ("exchangeInfo", {}, 20),
        ]
        for method, params, weight in market:
            assert await weight_of(api, method, params) == weight, (method, params)
        order_id = (await ok(api, "openOrders.status", hmac_signed(buyer, {})))[0]["orderId"]
        signed = [
            ("order.test", limit("BUY", "1", "1000"), 1),
            ("order.test", limit("BUY", "1", "1000", computeCommissionRates="true"), 20),
            ("account.commission", {"symbol": SYMBOL}, 20),
            ("account.rateLimits.orders", {}, 40),
            ("allOrders", {"symbol": SYMBOL}, 20),
            ("myTrades", {"symbol": SYMBOL}, 20),
            ("myTrades", {"symbol": SYMBOL, "orderId": order_id}, 5),
            ("myPreventedMatches", {"symbol": SYMBOL, "preventedMatchId": 1}, 2),
            ("myPreventedMatches", {"symbol": SYMBOL, "orderId": order_id}, 20),
            ("order.amendments", {"symbol": SYMBOL, "orderId": order_id}, 4),
            ("order.status", {"symbol": SYMBOL, "orderId": order_id}, 4),
            ("openOrders.status", {"symbol": SYMBOL}, 6),
            ("openOrders.status", {}, 80),
            ("account.status", {}, 20),
        ]
        for method, params, weight in signed:
            assert await weight_of(api, method, hmac_signed(buyer, params)) == weight, method

    run(server, scenario)


def test_return_rate_limits_per_request(server: ExchangeServer) -> None:
    trader = server.user("m-limits", KRW="1000000")

    async def shown_by_default(api: WsApi) -> None:
        assert "rateLimits" in await api.request("time")
        hidden = await api.request("time", {"returnRateLimits": False})
        assert hidden["status"] == 200 and "rateLimits" not in hidden
        refused = await api.request("time", {"returnRateLimits": "maybe"})
        assert refused["error"]["code"] == -1130 and "rateLimits" not in refused
        # Signed, the parameter is signed with the rest (ccxt sends it with every request).
        answer = await api.request(
            "account.status", hmac_signed(trader, {"returnRateLimits": False})
        )
        assert answer["status"] == 200 and "rateLimits" not in answer

    async def hidden_by_default(api: WsApi) -> None:
        assert "rateLimits" not in await api.request("time")
        shown = await api.request("depth", {"symbol": SYMBOL, "returnRateLimits": True})
        assert [row["rateLimitType"] for row in shown["rateLimits"]] == ["REQUEST_WEIGHT"]
        placed = await api.request("order.place", hmac_signed(
            trader, limit("BUY", "1", "1000", returnRateLimits=True)))  # fmt: skip
        kinds = [row["rateLimitType"] for row in placed["rateLimits"]]
        assert kinds == ["REQUEST_WEIGHT", "ORDERS", "ORDERS"]
        assert placed["rateLimits"][1]["count"] == 1

    run(server, shown_by_default)
    run(server, hidden_by_default, "?returnRateLimits=false")


def test_trading_methods(server: ExchangeServer) -> None:
    maker = server.user("m-maker", KRW="1000000")
    other = server.user("m-other", KGLD="5")

    async def scenario(api: WsApi) -> None:
        async def open_ids() -> list[int]:
            orders = await ok(api, "openOrders.status", hmac_signed(maker, {"symbol": SYMBOL}))
            return [o["orderId"] for o in orders]

        async def krw() -> tuple[str, str]:
            account = await ok(api, "account.status", hmac_signed(maker, {}))
            row = next(b for b in account["balances"] if b["asset"] == "KRW")
            return row["free"], row["locked"]

        # order.test: every check, nothing placed; with the rates it would pay.
        assert await ok(api, "order.test", hmac_signed(maker, limit("BUY", "1", "90000"))) == {}
        rates = await ok(api, "order.test", hmac_signed(
            maker, limit("BUY", "1", "90000", computeCommissionRates="true")))  # fmt: skip
        assert rates["standardCommissionForOrder"] == {"maker": "0.00050000",
                                                       "taker": "0.00050000"}  # fmt: skip
        # Past LOT_SIZE's maxQty: refused as a new order would be (balances are not checked).
        huge = await api.request("order.test", hmac_signed(maker, limit("BUY", "9" * 12, "90000")))
        assert huge["error"]["code"] == -1013, huge
        assert await open_ids() == [] and await krw() == ("1000000", "0")

        first = await ok(api, "order.place", hmac_signed(maker, limit("BUY", "2", "90000")))
        # order.cancelReplace: the cancel and the new order, counted as an order.
        replaced = await api.request("order.cancelReplace", hmac_signed(maker, {
            **limit("BUY", "1", "91000"), "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": first["orderId"]}))  # fmt: skip
        assert replaced["status"] == 200, replaced
        result = replaced["result"]
        assert (result["cancelResult"], result["newOrderResult"]) == ("SUCCESS", "SUCCESS")
        assert result["cancelResponse"]["orderId"] == first["orderId"]
        assert [row["rateLimitType"] for row in replaced["rateLimits"]] == [
            "REQUEST_WEIGHT", "ORDERS", "ORDERS"]  # fmt: skip
        second = result["newOrderResponse"]
        assert (second["price"], second["status"]) == ("91000", "NEW")
        assert await open_ids() == [second["orderId"]]
        # Its cancel fails (the first is gone): Binance's -2022 with the data, nothing changes.
        failed = await api.request("order.cancelReplace", hmac_signed(maker, {
            **limit("BUY", "1", "92000"), "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": first["orderId"]}))  # fmt: skip
        assert (failed["status"], failed["error"]["code"]) == (400, -2022), failed
        assert failed["error"]["msg"] == "Order cancel-replace failed."
        assert failed["error"]["data"]["cancelResponse"] == {
            "code": -2011,
            "msg": "Unknown order sent.",
        }
        assert failed["error"]["data"]["newOrderResult"] == "NOT_ATTEMPTED"
        missing = await api.request("order.cancelReplace", hmac_signed(maker, {
            **limit("BUY", "1", "92000"), "cancelOrderId": second["orderId"]}))  # fmt: skip
        assert missing["error"]["code"] == -1102
        assert await open_ids() == [second["orderId"]]
        held = await krw()

        # order.amend.keepPriority: Binance's amend shape, no order counted; the order takes
        # the new client order id.
        amended = await api.request("order.amend.keepPriority", hmac_signed(maker, {
            "symbol": SYMBOL, "orderId": second["orderId"], "newQty": "0.4",
            "newClientOrderId": "amended-2"}))  # fmt: skip
        assert amended["status"] == 200, amended
        assert [row["rateLimitType"] for row in amended["rateLimits"]] == ["REQUEST_WEIGHT"]
        order = amended["result"]["amendedOrder"]
        assert order == {
            "symbol": SYMBOL, "orderId": second["orderId"], "orderListId": -1,
            "origClientOrderId": second["clientOrderId"],
            "clientOrderId": "amended-2", "price": "91000", "qty": "0.4000",
            "executedQty": "0.0000", "preventedQty": "0.0000", "quoteOrderQty": "0",
            "cumulativeQuoteQty": "0", "status": "NEW", "timeInForce": "GTC", "type": "LIMIT",
            "side": "BUY", "workingTime": second["workingTime"],
            "selfTradePreventionMode": second["selfTradePreventionMode"],
        }  # fmt: skip
        execution_id = amended["result"]["executionId"]
        assert amended["result"]["transactTime"] >= second["transactTime"]
        # 91,000 x 0.4 and its fee (18.2, rounded up) held now, the rest of the 1 KGLD bid's freed.
        assert await krw() == ("963581", "36419")
        growing = await api.request("order.amend.keepPriority", hmac_signed(maker, {
            "symbol": SYMBOL, "orderId": second["orderId"], "newQty": "3"}))  # fmt: skip
        assert growing["status"] == 400 and growing["error"]["code"] == -2038, growing
        assert await krw() == ("963581", "36419")
        listed = await ok(api, "order.amendments", hmac_signed(maker, {
            "symbol": SYMBOL, "orderId": second["orderId"]}))  # fmt: skip
        assert listed == [{
            "symbol": SYMBOL, "orderId": second["orderId"], "executionId": execution_id,
            "origClientOrderId": second["clientOrderId"],
            "newClientOrderId": "amended-2", "origQty": "1.0000",
            "newQty": "0.4000", "time": amended["result"]["transactTime"],
        }]  # fmt: skip
        status, rest = maker.get("/api/v3/order/amendments", symbol=SYMBOL,
                                 orderId=second["orderId"])  # fmt: skip
        assert (status, rest) == (200, listed)
        assert held != await krw()

        # A fill, then the account's history.
        sold = await ok(api, "order.place", hmac_signed(other, {
            "symbol": SYMBOL, "side": "SELL", "type": "MARKET", "quantity": "0.1"}))  # fmt: skip
        assert sold["status"] == "FILLED"
        orders = await ok(api, "allOrders", hmac_signed(maker, {"symbol": SYMBOL}))
        assert [(o["orderId"], o["status"]) for o in orders] == [
            (first["orderId"], "CANCELED"), (second["orderId"], "PARTIALLY_FILLED")]  # fmt: skip
        trades = await ok(api, "myTrades", hmac_signed(maker, {"symbol": SYMBOL}))
        assert [(t["price"], t["qty"], t["isBuyer"], t["isMaker"]) for t in trades] == [
            ("91000", "0.1000", True, True)]  # fmt: skip
        commission = await ok(api, "account.commission", hmac_signed(maker, {"symbol": SYMBOL}))
        assert commission["standardCommission"]["maker"] == "0.00050000"
        counts = await ok(api, "account.rateLimits.orders", hmac_signed(maker, {}))
        # The first order, the replacing one, and the one not attempted (Binance counts it).
        assert [(row["interval"], row["intervalNum"]) for row in counts] == [
            ("SECOND", 10), ("DAY", 1)]  # fmt: skip
        assert counts[1]["count"] == 3 and counts[0]["count"] <= 3

        # openOrders.cancelAll: every open order of the symbol, reported as cancels.
        await ok(api, "order.place", hmac_signed(maker, limit("BUY", "0.1", "50000")))
        before = await open_ids()
        canceled = await ok(api, "openOrders.cancelAll", hmac_signed(maker, {"symbol": SYMBOL}))
        assert sorted(c["orderId"] for c in canceled) == sorted(before)
        assert {c["status"] for c in canceled} == {"CANCELED"}
        assert await open_ids() == []
        nothing = await api.request("openOrders.cancelAll", hmac_signed(maker, {"symbol": SYMBOL}))
        assert nothing["error"]["code"] == -2011
        no_symbol = await api.request("openOrders.cancelAll", hmac_signed(maker, {}))
        assert no_symbol["error"]["code"] == -1102

    run(server, scenario)


def test_prevented_matches(server: ExchangeServer) -> None:
    trader = server.user("m-stp", KRW="1000000", KGLD="1")

    async def scenario(api: WsApi) -> None:
        ask = await ok(api, "order.place", hmac_signed(trader, limit("SELL", "0.5", "99000")))
        bid = await ok(api, "order.place", hmac_signed(trader, limit(
            "BUY", "0.5", "99000", selfTradePreventionMode="EXPIRE_MAKER")))  # fmt: skip
        assert bid["status"] == "NEW"
        matches = await ok(api, "myPreventedMatches", hmac_signed(trader, {
            "symbol": SYMBOL, "orderId": bid["orderId"]}))  # fmt: skip
        assert [(m["takerOrderId"], m["makerOrderId"], m["makerPreventedQuantity"])
                for m in matches] == [(bid["orderId"], ask["orderId"], "0.5000")]  # fmt: skip
        one = await ok(api, "myPreventedMatches", hmac_signed(trader, {
            "symbol": SYMBOL, "preventedMatchId": matches[0]["preventedMatchId"]}))  # fmt: skip
        assert one == matches
        both = await api.request("myPreventedMatches", hmac_signed(trader, {
            "symbol": SYMBOL, "orderId": 1, "preventedMatchId": 1}))  # fmt: skip
        assert both["error"]["code"] == -1128

    run(server, scenario)
