"""Cancel, cancel-replace and amend that name an order by `orderId` and by a client order id
of another order are refused, as Binance does ("the orderId is searched first, then the
origClientOrderId from that result is checked against that order"), over REST and the
WebSocket API alike, and change nothing. Before, the engine went by the order id alone and
canceled an order the client's other id did not name."""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "ws"))
from ws_support import WsApi, hmac_signed

UNKNOWN_ORDER = {"code": -2011, "msg": "Unknown order sent."}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("order-ids") / "data") as running:
        yield running


def two_bids(trader: Trader, prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two resting buy orders with client order ids `<prefix>-a` and `<prefix>-b`."""
    placed = []
    for name, price in (("a", "100000"), ("b", "99000")):
        status, order = trader.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
            quantity="1", price=price, newClientOrderId=f"{prefix}-{name}",
        )  # fmt: skip
        assert status == 200 and order["status"] == "NEW", order
        placed.append(order)
    return placed[0], placed[1]


def open_orders(trader: Trader) -> list[tuple[int, str, str]]:
    status, orders = trader.get("/api/v3/openOrders", symbol="KGLDKRW")
    assert status == 200, orders
    return sorted((o["orderId"], o["clientOrderId"], o["origQty"]) for o in orders)


def test_a_rest_cancel_naming_two_orders_is_refused(server: ExchangeServer) -> None:
    trader = server.user("ids-rest", KRW="1000000")
    a, b = two_bids(trader, "rest")
    before = open_orders(trader)
    status, answer = trader.delete(
        "/api/v3/order", symbol="KGLDKRW", orderId=a["orderId"], origClientOrderId="rest-b"
    )
    assert (status, answer) == (400, UNKNOWN_ORDER)
    assert open_orders(trader) == before
    assert trader.balance("KRW") == ("800900", "199100")  # with the fee in KRW (0.05 %)
    # Both ids of one order: canceled, as before.
    status, canceled = trader.delete(
        "/api/v3/order", symbol="KGLDKRW", orderId=b["orderId"], origClientOrderId="rest-b"
    )
    assert status == 200 and (canceled["orderId"], canceled["status"]) == (b["orderId"], "CANCELED")


def test_an_amend_naming_two_orders_is_refused(server: ExchangeServer) -> None:
    trader = server.user("ids-amend", KRW="1000000")
    a, _ = two_bids(trader, "amend")
    before = open_orders(trader)
    status, answer = trader.signed(
        "PUT", "/api/v3/order/amend/keepPriority", symbol="KGLDKRW", orderId=a["orderId"],
        origClientOrderId="amend-b", newQty="0.5",
    )  # fmt: skip
    assert (status, answer) == (400, UNKNOWN_ORDER)
    assert open_orders(trader) == before


def test_a_cancel_replace_naming_two_orders_cancels_and_places_nothing(
    server: ExchangeServer,
) -> None:
    trader = server.user("ids-replace", KRW="1000000")
    a, _ = two_bids(trader, "replace")
    before = open_orders(trader)
    status, answer = trader.post(
        "/api/v3/order/cancelReplace", symbol="KGLDKRW", side="BUY", type="LIMIT",
        timeInForce="GTC", quantity="1", price="98000", cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=a["orderId"], cancelOrigClientOrderId="replace-b",
    )  # fmt: skip
    assert status == 400 and answer["code"] == -2022, answer
    assert answer["data"]["cancelResult"] == "FAILURE"
    assert answer["data"]["cancelResponse"] == UNKNOWN_ORDER
    assert answer["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    assert open_orders(trader) == before


def test_a_websocket_cancel_naming_two_orders_is_refused(server: ExchangeServer) -> None:
    trader = server.user("ids-ws", KRW="1000000")
    a, _ = two_bids(trader, "ws")
    before = open_orders(trader)

    async def cancel() -> dict[str, Any]:
        api = await WsApi.open(server)
        try:
            return await api.request(
                "order.cancel",
                hmac_signed(
                    trader,
                    {"symbol": "KGLDKRW", "orderId": a["orderId"], "origClientOrderId": "ws-b"},
                ),
            )
        finally:
            await api.close()

    answer = asyncio.run(cancel())
    assert (answer["status"], answer["error"]) == (400, UNKNOWN_ORDER)
    assert open_orders(trader) == before
