"""`PUT /api/v3/order/amend/keepPriority` over real HTTP against a real server process (one
server for the module, one more for the restart): the amended order takes a new client
order id as on Binance, an OCO's legs are amended together, an OTO's pending order can be
amended before it is placed, and the user data stream and the amendments list say so."""

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from exchange_server import ExchangeServer, Trader

_TRADERS = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("amend") / "data") as running:
        yield running


def _bid(trader: Trader, quantity: str, price: str, client_id: str) -> dict[str, Any]:
    status, placed = trader.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity=quantity, price=price, newClientOrderId=client_id,
    )  # fmt: skip
    assert status == 200 and placed["status"] == "NEW", placed
    return placed


def _amend(trader: Trader, **params: Any) -> tuple[int, Any]:
    return trader.signed("PUT", "/api/v3/order/amend/keepPriority", symbol="KGLDKRW", **params)


def _last_price(server: ExchangeServer, price: str) -> None:
    """A trade of two traders of their own at `price`: the market's last price, which an
    OCO's prices are checked against."""
    count = next(_TRADERS)
    seller = server.user(f"amend-last-seller-{count}", KGLD="0.1")
    buyer = server.user(f"amend-last-buyer-{count}", KRW="100000")
    seller.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
        quantity="0.1", price=price,
    )  # fmt: skip
    status, bought = buyer.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="IOC",
        quantity="0.1", price=price,
    )  # fmt: skip
    assert status == 200 and bought["status"] == "FILLED", bought


def test_an_order_self_trade_prevention_expired_shows_what_it_prevented(
    server: ExchangeServer,
) -> None:
    """First in the module: nothing else rests on the book to take the buy."""
    fay = server.user("fay-amend", KRW="1000000", KGLD="1")
    status, sell = fay.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
        quantity="0.5", price="135000",
    )  # fmt: skip
    assert status == 200, sell
    status, buy = fay.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity="0.3", price="135000", selfTradePreventionMode="EXPIRE_TAKER",
    )  # fmt: skip
    assert status == 200 and buy["status"] == "EXPIRED_IN_MATCH", buy
    assert buy["preventedQuantity"] == "0.3000" and buy["preventedMatchId"] >= 0
    status, found = fay.get("/api/v3/order", symbol="KGLDKRW", orderId=buy["orderId"])
    assert (found["preventedMatchId"], found["preventedQuantity"]) == (
        buy["preventedMatchId"], "0.3000",
    )  # fmt: skip
    # The maker was not expired: no prevented quantity to show, and its amend says 0.
    status, maker = fay.get("/api/v3/order", symbol="KGLDKRW", orderId=sell["orderId"])
    assert "preventedQuantity" not in maker and "preventedMatchId" not in maker
    status, amended = _amend(fay, orderId=sell["orderId"], newQty="0.4")
    assert status == 200 and amended["amendedOrder"]["preventedQty"] == "0.0000", amended


def test_an_amended_order_takes_the_new_client_order_id(server: ExchangeServer) -> None:
    ann = server.user("ann-amend", KRW="1000000")
    placed = _bid(ann, "1", "90000", "ann-first")
    order_id = placed["orderId"]
    status, amended = _amend(ann, orderId=order_id, newQty="0.8", newClientOrderId="ann-second")
    assert status == 200, amended
    order = amended["amendedOrder"]
    assert (order["origClientOrderId"], order["clientOrderId"]) == ("ann-first", "ann-second")
    assert (order["qty"], order["orderListId"], order["preventedQty"]) == ("0.8000", -1, "0.0000")

    # Found by its new id, no longer by the old one.
    status, found = ann.get("/api/v3/order", symbol="KGLDKRW", origClientOrderId="ann-second")
    assert status == 200 and (found["orderId"], found["origQty"]) == (order_id, "0.8000")
    status, gone = ann.get("/api/v3/order", symbol="KGLDKRW", origClientOrderId="ann-first")
    assert (status, gone["code"]) == (400, -2013), gone
    status, canceled = ann.delete(
        "/api/v3/order", symbol="KGLDKRW", origClientOrderId="ann-first"
    )  # fmt: skip
    assert (status, canceled["code"]) == (400, -2011), canceled

    # Without newClientOrderId the order gets an id made up for it; sending its current id
    # keeps it.
    status, again = _amend(ann, origClientOrderId="ann-second", newQty="0.6")
    assert status == 200, again
    made_up = again["amendedOrder"]["clientOrderId"]
    assert made_up not in ("", "ann-second")
    assert again["amendedOrder"]["origClientOrderId"] == "ann-second"
    status, kept = _amend(ann, orderId=order_id, newQty="0.5", newClientOrderId=made_up)
    assert status == 200, kept
    assert kept["amendedOrder"]["clientOrderId"] == made_up

    # Another open order's id is a duplicate: refused, and nothing changes.
    _bid(ann, "1", "89000", "ann-other")
    status, refused = _amend(ann, orderId=order_id, newQty="0.4", newClientOrderId="ann-other")
    assert (status, refused["code"]) == (400, -2010), refused
    status, same = ann.get("/api/v3/order", symbol="KGLDKRW", orderId=order_id)
    assert (same["clientOrderId"], same["origQty"]) == (made_up, "0.5000")

    status, listed = ann.get("/api/v3/order/amendments", symbol="KGLDKRW", orderId=order_id)
    assert status == 200, listed
    assert [
        (a["origClientOrderId"], a["newClientOrderId"], a["origQty"], a["newQty"])
        for a in _eventually(ann, order_id, 3, listed)
    ] == [
        ("ann-first", "ann-second", "1.0000", "0.8000"),
        ("ann-second", made_up, "0.8000", "0.6000"),
        (made_up, made_up, "0.6000", "0.5000"),
    ]


def _eventually(trader: Trader, order_id: int, count: int, first: Any) -> list[Any]:
    """The amendments list once the SQL history has `count` rows (it is written behind the
    engine): polled, no fixed wait."""
    listed = first
    for _ in range(200):
        if len(listed) >= count:
            return list(listed)
        time.sleep(0.05)
        _, listed = trader.get("/api/v3/order/amendments", symbol="KGLDKRW", orderId=order_id)
    return list(listed)


def test_the_user_data_stream_reports_the_new_and_the_original_id(
    server: ExchangeServer,
) -> None:
    _last_price(server, "130000")
    bea = server.user("bea-amend", KRW="1000000", KGLD="2")
    headers = {"X-MBX-APIKEY": bea.api_key}
    status, answer = server.request("POST", "/api/v3/userDataStream", headers)
    assert status == 200
    url = f"ws://127.0.0.1:{server.port}/ws/{answer['listenKey']}"

    async def next_of(stream: Any, kind: str) -> dict[str, Any]:
        while True:
            event = json.loads(await asyncio.wait_for(stream.recv(), 5))
            if event["e"] == kind:
                return event

    async def scenario() -> None:
        async with websockets.connect(url) as stream:
            await asyncio.sleep(0.2)
            placed = _bid(bea, "1", "90000", "bea-first")
            assert (await next_of(stream, "executionReport"))["x"] == "NEW"
            status, _ = _amend(
                bea, orderId=placed["orderId"], newQty="0.5", newClientOrderId="bea-second"
            )
            assert status == 200
            report = await next_of(stream, "executionReport")
            assert (report["x"], report["X"], report["q"]) == ("REPLACED", "NEW", "0.5000")
            assert (report["c"], report["C"]) == ("bea-second", "bea-first")

            # An OCO: both legs take the new quantity, the named one the new id, and the
            # list says UPDATED with its orders under their ids now.
            status, oco = bea.post(
                "/api/v3/orderList/oco", symbol="KGLDKRW", side="SELL", quantity="1",
                aboveType="LIMIT_MAKER", abovePrice="140000", aboveClientOrderId="bea-above",
                belowType="STOP_LOSS_LIMIT", belowStopPrice="120000", belowPrice="119000",
                belowTimeInForce="GTC", belowClientOrderId="bea-below",
            )  # fmt: skip
            assert status == 200, oco
            await next_of(stream, "listStatus")
            ids = {o["clientOrderId"]: o["orderId"] for o in oco["orders"]}
            status, amended = _amend(
                bea, orderId=ids["bea-above"], newQty="0.7", newClientOrderId="bea-above-2"
            )
            assert status == 200, amended
            assert amended["amendedOrder"]["orderListId"] == oco["orderListId"]
            first = await next_of(stream, "executionReport")
            second = await next_of(stream, "executionReport")
            by_id = {r["i"]: r for r in (first, second)}
            above, below = by_id[ids["bea-above"]], by_id[ids["bea-below"]]
            assert (above["x"], above["q"], above["c"], above["C"]) == (
                "REPLACED", "0.7000", "bea-above-2", "bea-above",
            )  # fmt: skip
            assert (below["x"], below["q"], below["c"]) == ("REPLACED", "0.7000", "bea-below")
            updated = await next_of(stream, "listStatus")
            assert (updated["l"], updated["L"]) == ("UPDATED", "EXECUTING")
            assert {leg["c"] for leg in updated["O"]} == {"bea-above-2", "bea-below"}

    asyncio.run(scenario())
    list_id = oco_id(bea)
    status, listed = bea.get("/api/v3/orderList", orderListId=list_id)
    assert status == 200, listed
    assert {o["clientOrderId"] for o in listed["orders"]} == {"bea-above-2", "bea-below"}
    # The SQL history (written behind the engine) names them so too.
    for _ in range(200):
        status, every = bea.get("/api/v3/allOrderList")
        assert status == 200, every
        [stored] = [x for x in every if x["orderListId"] == list_id]
        if {o["clientOrderId"] for o in stored["orders"]} == {"bea-above-2", "bea-below"}:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"allOrderList still names the old ids: {stored}")


def oco_id(trader: Trader) -> int:
    status, lists = trader.get("/api/v3/openOrderList")
    assert status == 200 and len(lists) == 1, lists
    return int(lists[0]["orderListId"])


def test_an_oto_s_pending_order_is_amended_before_it_is_placed(server: ExchangeServer) -> None:
    _last_price(server, "130000")
    cal = server.user("cal-amend", KRW="1000000")
    dan = server.user("dan-amend", KGLD="1")
    status, oto = cal.post(
        "/api/v3/orderList/oto", symbol="KGLDKRW",
        workingType="LIMIT", workingSide="BUY", workingPrice="100000", workingQuantity="1",
        workingTimeInForce="GTC", workingClientOrderId="cal-working",
        pendingType="LIMIT_MAKER", pendingSide="SELL", pendingPrice="150000",
        pendingQuantity="1", pendingClientOrderId="cal-pending",
    )  # fmt: skip
    assert status == 200, oto
    pending = next(o["orderId"] for o in oto["orders"] if o["clientOrderId"] == "cal-pending")
    status, amended = _amend(
        cal, origClientOrderId="cal-pending", newQty="0.6", newClientOrderId="cal-pending-2"
    )
    assert status == 200, amended
    order = amended["amendedOrder"]
    assert (order["orderId"], order["status"], order["qty"]) == (pending, "PENDING_NEW", "0.6000")
    assert (order["origClientOrderId"], order["clientOrderId"]) == ("cal-pending", "cal-pending-2")
    status, bigger = _amend(cal, orderId=pending, newQty="0.9")
    assert (status, bigger["code"]) == (400, -2038), bigger

    # The working order fills: the pending order goes on the book as amended.
    status, sold = dan.post(
        "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
        quantity="1", price="100000",
    )  # fmt: skip
    assert status == 200 and sold["status"] == "FILLED", sold
    status, now = cal.get("/api/v3/order", symbol="KGLDKRW", origClientOrderId="cal-pending-2")
    assert status == 200, now
    assert (now["orderId"], now["status"], now["origQty"]) == (pending, "NEW", "0.6000")
    assert cal.balance("KGLD") == ("0.4000", "0.6000")
    status, listed = cal.get("/api/v3/order/amendments", symbol="KGLDKRW", orderId=pending)
    rows = _eventually(cal, pending, 1, listed)
    assert [(a["origClientOrderId"], a["newClientOrderId"], a["origQty"], a["newQty"])
            for a in rows] == [("cal-pending", "cal-pending-2", "1.0000", "0.6000")]  # fmt: skip


def test_an_amended_id_survives_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = tmp_path_factory.mktemp("amend-restart") / "data"
    with ExchangeServer(data) as first:
        eve = first.user("eve-amend", KRW="1000000")
        placed = _bid(eve, "1", "90000", "eve-first")
        status, _ = _amend(eve, orderId=placed["orderId"], newQty="0.5", newClientOrderId="eve-2")
        assert status == 200
        status, canceled = eve.delete("/api/v3/order", symbol="KGLDKRW", orderId=placed["orderId"])
        assert status == 200 and canceled["origClientOrderId"] == "eve-2", canceled
    with ExchangeServer(data) as second:
        eve.server = second
        status, found = eve.get("/api/v3/order", symbol="KGLDKRW", origClientOrderId="eve-2")
        assert status == 200, found
        assert (found["orderId"], found["status"], found["origQty"]) == (
            placed["orderId"], "CANCELED", "0.5000",
        )  # fmt: skip
        status, listed = eve.get(
            "/api/v3/order/amendments", symbol="KGLDKRW", orderId=placed["orderId"]
        )
        assert [(a["origClientOrderId"], a["newClientOrderId"]) for a in listed] == [
            ("eve-first", "eve-2"),
        ]
