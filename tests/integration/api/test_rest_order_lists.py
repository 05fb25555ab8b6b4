"""Order lists over real HTTP against a real server process (one server for the module):
OCO, OTO and OTOCO placed, filled, canceled and queried as a Binance client does, and the
refusals a bad list gets (docs/binance-api.md#order-lists)."""

import asyncio
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from exchange_server import ExchangeServer, Trader

_TRADERS = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("lists") / "data") as running:
        yield running


def _last_price(server: ExchangeServer, price: str) -> None:
    """Two traders of their own trade 0.1 KGLD at `price`: the market's last price, which
    an OCO's prices are checked against, whatever the other tests left."""
    count = next(_TRADERS)
    seller = server.user(f"last-seller-{count}", KGLD="0.1")
    buyer = server.user(f"last-buyer-{count}", KRW="100000")
    seller.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
        quantity="0.1", price=price,
    )  # fmt: skip
    status, bought = buyer.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="IOC",
        quantity="0.1", price=price,
    )  # fmt: skip
    assert status == 200 and bought["status"] == "FILLED", bought


def _oco_sell(trader: Trader, **extra: Any) -> tuple[int, Any]:
    fields: dict[str, Any] = {
        "symbol": "KGLDKRW", "side": "SELL", "quantity": "1",
        "aboveType": "LIMIT_MAKER", "abovePrice": "140000",
        "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": "120000", "belowPrice": "119000",
        "belowTimeInForce": "GTC",
    }  # fmt: skip
    fields.update(extra)  # None leaves a parameter out
    return trader.post(
        "/api/v3/orderList/oco", **{k: v for k, v in fields.items() if v is not None}
    )


def test_an_oco_holds_once_and_its_other_leg_expires_when_one_fills(
    server: ExchangeServer,
) -> None:
    _last_price(server, "130000")
    alice = server.user("alice-oco", KGLD="2")
    bob = server.user("bob-oco", KRW="1000000")
    status, placed = _oco_sell(alice, listClientOrderId="my-oco")
    assert status == 200, placed
    assert placed["contingencyType"] == "OCO"
    assert (placed["listStatusType"], placed["listOrderStatus"]) == ("EXEC_STARTED", "EXECUTING")
    assert placed["listClientOrderId"] == "my-oco"
    list_id = placed["orderListId"]
    stop, maker = placed["orderReports"]  # the stop loss gets the first id, as Binance
    assert [o["orderId"] for o in placed["orders"]] == [stop["orderId"], maker["orderId"]]
    assert (stop["type"], maker["type"]) == ("STOP_LOSS_LIMIT", "LIMIT_MAKER")
    assert {stop["orderListId"], maker["orderListId"]} == {list_id}
    assert (stop["status"], maker["status"]) == ("NEW", "NEW")
    assert (stop["workingTime"], stop["stopPrice"]) == (-1, "120000")
    # One KGLD held for both legs.
    assert alice.balance("KGLD") == ("1.0000", "1.0000")

    status, lists = alice.get("/api/v3/openOrderList")
    assert status == 200 and [x["orderListId"] for x in lists] == [list_id]
    status, by_client = alice.get("/api/v3/orderList", origClientOrderId="my-oco")
    assert status == 200 and by_client["orderListId"] == list_id
    assert "orderReports" not in by_client
    status, orders = alice.get("/api/v3/openOrders", symbol="KGLDKRW")
    assert [o["orderListId"] for o in orders] == [list_id, list_id]

    status, buy = bob.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity="1", price="140000",
    )  # fmt: skip
    assert status == 200 and buy["status"] == "FILLED"
    status, done = alice.get("/api/v3/orderList", orderListId=list_id)
    assert (done["listStatusType"], done["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    status, expired = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=stop["orderId"])
    assert (expired["status"], expired["orderListId"]) == ("EXPIRED", list_id)
    status, filled = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=maker["orderId"])
    assert filled["status"] == "FILLED"
    assert alice.balance("KGLD") == ("1.0000", "0.0000")
    status, lists = alice.get("/api/v3/openOrderList")
    assert lists == []
    status, every = alice.get("/api/v3/allOrderList")
    assert [x["orderListId"] for x in every] == [list_id]


def test_bad_lists_get_binance_errors_and_change_nothing(server: ExchangeServer) -> None:
    _last_price(server, "130000")
    carol = server.user("carol-bad", KGLD="1", KRW="100000")
    cases = [
        ({"aboveType": "STOP_LOSS", "aboveStopPrice": "150000", "abovePrice": None,
          "belowType": "LIMIT_MAKER", "belowPrice": "110000", "belowStopPrice": None,
          "belowTimeInForce": None},
         -1197, "A stop loss order in a sell OCO must be below."),
        ({"belowType": "TAKE_PROFIT_LIMIT"}, -1199,
         "A take profit order in a sell OCO must be above."),
        ({"belowPrice": None}, -1102,
         "Mandatory parameter 'belowPrice' was not sent, was empty/null, or malformed."),
        ({"belowType": "STOP_LOSS", "belowTimeInForce": None}, -1106,
         "Parameter 'belowPrice' sent when not required."),
        ({"quantity": "2"}, -2010, "Account has insufficient balance for requested action."),
        ({"abovePrice": "110000"}, -2010,
         "The relationship of the prices for the orders is not correct."),
    ]  # fmt: skip
    for change, code, msg in cases:
        status, error = _oco_sell(carol, **change)
        assert (status, error) == (400, {"code": code, "msg": msg}), change
    status, error = carol.post(
        "/api/v3/orderList/oco", symbol="KGLDKRW", side="BUY", quantity="0.1",
        aboveType="LIMIT_MAKER", abovePrice="150000",
        belowType="STOP_LOSS", belowStopPrice="100000",
    )  # fmt: skip
    assert (status, error["code"]) == (400, -1196)
    assert carol.balance("KGLD") == ("1.0000", "0.0000")
    assert carol.balance("KRW") == ("100000", "0")
    status, lists = carol.get("/api/v3/openOrderList")
    assert lists == []


def test_canceling_a_list_or_one_of_its_orders_cancels_the_list(server: ExchangeServer) -> None:
    _last_price(server, "130000")
    dave = server.user("dave-cancel", KGLD="2")
    status, placed = _oco_sell(dave, listClientOrderId="dave-1")
    assert status == 200, placed
    status, canceled = dave.delete(
        "/api/v3/orderList", symbol="KGLDKRW", listClientOrderId="dave-1"
    )
    assert status == 200, canceled
    assert (canceled["listStatusType"], canceled["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert [r["status"] for r in canceled["orderReports"]] == ["CANCELED", "CANCELED"]
    assert dave.balance("KGLD") == ("2.0000", "0.0000")
    status, error = dave.delete("/api/v3/orderList", symbol="KGLDKRW", orderListId=999999)
    assert (status, error["code"]) == (400, -2011)

    status, again = _oco_sell(dave, listClientOrderId="dave-1")  # the id is free again
    assert status == 200, again
    maker = again["orderReports"][1]
    status, one = dave.delete("/api/v3/order", symbol="KGLDKRW", orderId=maker["orderId"])
    assert status == 200 and one["orderId"] == maker["orderId"]
    assert one["status"] == "CANCELED" and one["orderListId"] == again["orderListId"]
    status, listed = dave.get("/api/v3/orderList", orderListId=again["orderListId"])
    assert listed["listOrderStatus"] == "ALL_DONE"
    assert dave.balance("KGLD") == ("2.0000", "0.0000")


def test_an_oto_places_its_pending_order_when_the_working_order_fills(
    server: ExchangeServer,
) -> None:
    _last_price(server, "130000")
    erin = server.user("erin-oto", KRW="1000000")
    frank = server.user("frank-oto", KGLD="1")
    status, placed = erin.post(
        "/api/v3/orderList/oto", symbol="KGLDKRW",
        workingType="LIMIT", workingSide="BUY", workingPrice="100000", workingQuantity="1",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER", pendingSide="SELL", pendingPrice="150000",
        pendingQuantity="1",
    )  # fmt: skip
    assert status == 200, placed
    assert placed["contingencyType"] == "OTO"
    working, pending = placed["orderReports"]
    assert (working["status"], pending["status"]) == ("NEW", "PENDING_NEW")
    assert erin.balance("KRW")[1] != "0"  # the working order's funds only
    status, sold = frank.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
        quantity="1", price="100000",
    )  # fmt: skip
    assert status == 200 and sold["status"] == "FILLED"
    status, now = erin.get("/api/v3/order", symbol="KGLDKRW", orderId=pending["orderId"])
    assert (now["status"], now["orderListId"]) == ("NEW", placed["orderListId"])
    assert erin.balance("KGLD") == ("0.0000", "1.0000")


def test_the_deprecated_oco_endpoint_and_otoco(server: ExchangeServer) -> None:
    _last_price(server, "130000")
    gina = server.user("gina-old", KGLD="1", KRW="1000000")
    status, placed = gina.post(
        "/api/v3/order/oco", symbol="KGLDKRW", side="SELL", quantity="1", price="160000",
        stopPrice="90000", stopLimitPrice="89000", stopLimitTimeInForce="GTC",
    )  # fmt: skip
    assert status == 200, placed
    assert sorted(r["type"] for r in placed["orderReports"]) == ["LIMIT_MAKER", "STOP_LOSS_LIMIT"]
    status, placed = gina.post(
        "/api/v3/orderList/otoco", symbol="KGLDKRW",
        workingType="LIMIT", workingSide="BUY", workingPrice="95000", workingQuantity="1",
        workingTimeInForce="GTC", pendingSide="SELL", pendingQuantity="1",
        pendingAboveType="LIMIT_MAKER", pendingAbovePrice="170000",
        pendingBelowType="STOP_LOSS", pendingBelowStopPrice="80000", newOrderRespType="ACK",
    )  # fmt: skip
    assert status == 200, placed
    assert placed["contingencyType"] == "OTO" and len(placed["orders"]) == 3
    assert set(placed["orderReports"][0]) == {
        "symbol", "orderId", "orderListId", "clientOrderId", "transactTime",
    }  # fmt: skip
    status, lists = gina.get("/api/v3/openOrderList")
    assert len(lists) == 2


def test_the_user_data_stream_reports_the_legs_then_the_list(server: ExchangeServer) -> None:
    _last_price(server, "130000")
    hana = server.user("hana-stream", KGLD="2")
    ivan = server.user("ivan-stream", KRW="1000000")
    headers = {"X-MBX-APIKEY": hana.api_key}
    status, answer = server.request("POST", "/api/v3/userDataStream", headers)
    assert status == 200
    url = f"ws://127.0.0.1:{server.port}/ws/{answer['listenKey']}"

    async def next_of(stream: Any, kind: str) -> dict[str, Any]:
        while True:
            event = json.loads(await asyncio.wait_for(stream.recv(), 5))
            if event["e"] == kind:
                return event
            seen.append(event)

    seen: list[dict[str, Any]] = []

    async def scenario() -> None:
        async with websockets.connect(url) as stream:
            await asyncio.sleep(0.2)
            status, placed = _oco_sell(hana, listClientOrderId="hana-1")
            assert status == 200, placed
            started = await next_of(stream, "listStatus")
            list_id = placed["orderListId"]
            assert (started["g"], started["c"], started["l"], started["L"]) == (
                list_id, "OCO", "EXEC_STARTED", "EXECUTING",
            )  # fmt: skip
            assert started["C"] == "hana-1"
            assert [leg["i"] for leg in started["O"]] == [o["orderId"] for o in placed["orders"]]
            reports = [e for e in seen if e["e"] == "executionReport"]
            assert [(r["x"], r["g"]) for r in reports] == [("NEW", list_id), ("NEW", list_id)]
            seen.clear()
            status, _ = ivan.post(
                "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
                quantity="1", price="140000",
            )  # fmt: skip
            done = await next_of(stream, "listStatus")
            assert (done["l"], done["L"]) == ("ALL_DONE", "ALL_DONE")
            reports = [(r["x"], r["X"]) for r in seen if r["e"] == "executionReport"]
            assert sorted(reports) == [("EXPIRED", "EXPIRED"), ("TRADE", "FILLED")]
            seen.clear()
            status, oto = hana.post(
                "/api/v3/orderList/oto", symbol="KGLDKRW",
                workingType="LIMIT_MAKER", workingSide="SELL", workingPrice="150000",
                workingQuantity="0.5", pendingType="LIMIT", pendingSide="BUY",
                pendingPrice="100000", pendingQuantity="0.5", pendingTimeInForce="GTC",
            )  # fmt: skip
            assert status == 200, oto
            started = await next_of(stream, "listStatus")
            assert (started["g"], started["c"]) == (oto["orderListId"], "OTO")
            reports = [(r["x"], r["X"]) for r in seen if r["e"] == "executionReport"]
            assert reports == [("NEW", "NEW"), ("NEW", "PENDING_NEW")]

    asyncio.run(scenario())


def test_lists_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = tmp_path_factory.mktemp("lists-restart") / "data"
    with ExchangeServer(data) as first:
        june = first.user("june", KGLD="2")
        status, done = _oco_sell(june, listClientOrderId="june-done")
        assert status == 200, done
        june.delete("/api/v3/orderList", symbol="KGLDKRW", orderListId=done["orderListId"])
        status, kept = _oco_sell(june, listClientOrderId="june-open")
        assert status == 200, kept
    with ExchangeServer(data) as second:
        june.server = second
        status, every = june.get("/api/v3/allOrderList")
        assert status == 200, every
        assert [(x["orderListId"], x["listOrderStatus"]) for x in every] == [
            (done["orderListId"], "ALL_DONE"), (kept["orderListId"], "EXECUTING"),
        ]  # fmt: skip
        assert every[1]["orders"] == kept["orders"]
        status, closed = june.get("/api/v3/orderList", origClientOrderId="june-done")
        assert status == 200 and closed["orderListId"] == done["orderListId"], closed
        assert closed["listOrderStatus"] == "ALL_DONE" and closed["orders"] == done["orders"]
        status, missing = june.get("/api/v3/orderList", orderListId=999999)
        assert (status, missing["code"]) == (400, -2013)
        status, opened = june.get("/api/v3/openOrderList")
        assert [x["listClientOrderId"] for x in opened] == ["june-open"]
        status, orders = june.get("/api/v3/openOrders", symbol="KGLDKRW")
        assert {o["orderListId"] for o in orders} == {kept["orderListId"]}
        assert june.balance("KGLD") == ("1.0000", "1.0000")
        # The pair still holds once and still expires its other leg.
        status, canceled = june.delete("/api/v3/order", symbol="KGLDKRW",
                                       orderId=kept["orders"][0]["orderId"])  # fmt: skip
        assert status == 200 and canceled["status"] == "CANCELED"
        assert june.balance("KGLD") == ("2.0000", "0.0000")


def test_ended_lists_orders_keep_their_list_id_after_a_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Orders and trades read back from SQL (the view keeps only open orders across a
    restart) still name the list their order was a leg of."""
    data = tmp_path_factory.mktemp("lists-ids-restart") / "data"
    with ExchangeServer(data) as first:
        kate = first.user("kate", KRW="1000000")
        liam = first.user("liam", KGLD="1")
        status, oto = kate.post(
            "/api/v3/orderList/oto", symbol="KGLDKRW",
            workingType="LIMIT", workingSide="BUY", workingPrice="100000",
            workingQuantity="1", workingTimeInForce="GTC",
            pendingType="LIMIT_MAKER", pendingSide="SELL", pendingPrice="150000",
            pendingQuantity="1",
        )  # fmt: skip
        assert status == 200, oto
        working, pending = (o["orderId"] for o in oto["orders"])
        status, sold = liam.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
            quantity="1", price="100000",
        )  # fmt: skip
        assert status == 200 and sold["status"] == "FILLED", sold
        status, canceled = kate.delete("/api/v3/order", symbol="KGLDKRW", orderId=pending)
        assert status == 200 and canceled["status"] == "CANCELED", canceled
        status, solo = kate.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
            quantity="0.1", price="200000",
        )  # fmt: skip
        assert status == 200, solo
    with ExchangeServer(data) as second:
        kate.server = second
        list_id = oto["orderListId"]
        for order_id in (working, pending):
            status, order = kate.get("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
            assert status == 200 and order["orderListId"] == list_id, order
        status, every = kate.get("/api/v3/allOrders", symbol="KGLDKRW")
        assert status == 200, every
        assert [(o["orderId"], o["orderListId"]) for o in every] == [
            (working, list_id), (pending, list_id), (solo["orderId"], -1),
        ]  # fmt: skip
        status, trades = kate.get("/api/v3/myTrades", symbol="KGLDKRW")
        assert status == 200, trades
        assert [(t["orderId"], t["orderListId"]) for t in trades] == [(working, list_id)]
