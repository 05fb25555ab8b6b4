"""Order lists over the WebSocket API (`/ws-api/v3`) against a real server process:
`orderList.place.oco/oto/otoco`, the deprecated `orderList.place`, `orderList.status`,
`openOrderLists.status`, `allOrderLists` and `orderList.cancel`, answered as REST answers."""

import asyncio
from collections.abc import Iterator

import pytest
from ws_support import ExchangeServer, WsApi, hmac_signed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wslists") / "data") as running:
        yield running


OCO = {
    "symbol": "KGLDKRW", "side": "SELL", "quantity": "1",
    "aboveType": "LIMIT_MAKER", "abovePrice": "140000",
    "belowType": "STOP_LOSS", "belowStopPrice": "120000",
}  # fmt: skip


def test_order_lists_over_the_websocket_api(server: ExchangeServer) -> None:
    trader = server.user("ws-lists", KGLD="3", KRW="1000000")

    async def scenario() -> None:
        api = await WsApi.open(server)
        try:
            placed = await api.request(
                "orderList.place.oco", hmac_signed(trader, {**OCO, "listClientOrderId": "w1"})
            )
            assert placed["status"] == 200, placed
            result = placed["result"]
            assert (result["contingencyType"], result["listOrderStatus"]) == ("OCO", "EXECUTING")
            assert len(result["orderReports"]) == 2
            list_id = result["orderListId"]
            status = await api.request(
                "orderList.status", hmac_signed(trader, {"origClientOrderId": "w1"})
            )
            assert status["result"]["orderListId"] == list_id
            old = await api.request(
                "orderList.place",
                hmac_signed(trader, {"symbol": "KGLDKRW", "side": "SELL", "quantity": "1",
                                     "price": "150000", "stopPrice": "110000"}),
            )  # fmt: skip
            assert old["status"] == 200, old
            oto = await api.request(
                "orderList.place.oto",
                hmac_signed(trader, {"symbol": "KGLDKRW", "workingType": "LIMIT",
                                     "workingSide": "BUY", "workingPrice": "90000",
                                     "workingQuantity": "1", "workingTimeInForce": "GTC",
                                     "pendingType": "MARKET", "pendingSide": "SELL",
                                     "pendingQuantity": "1"}),
            )  # fmt: skip
            assert oto["status"] == 200, oto
            assert [r["status"] for r in oto["result"]["orderReports"]] == ["NEW", "PENDING_NEW"]
            opened = await api.request("openOrderLists.status", hmac_signed(trader, {}))
            assert len(opened["result"]) == 3
            canceled = await api.request(
                "orderList.cancel",
                hmac_signed(trader, {"symbol": "KGLDKRW", "orderListId": list_id}),
            )
            assert canceled["result"]["listOrderStatus"] == "ALL_DONE", canceled
            every = await api.request("allOrderLists", hmac_signed(trader, {}))
            ids = [x["orderListId"] for x in every["result"]]
            assert ids == [list_id, list_id + 1, list_id + 2]
            bad = await api.request(
                "orderList.place.oco", hmac_signed(trader, {**OCO, "belowType": "LIMIT_MAKER",
                                                            "belowPrice": "100000",
                                                            "belowStopPrice": ""}),
            )  # fmt: skip
            assert bad["error"]["code"] in (-1105, -1199), bad
        finally:
            await api.close()

    asyncio.run(scenario())
