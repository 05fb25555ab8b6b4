"""Order lists with unmodified client libraries against a real server process (one for the
module): python-binance's `create_oco_order`, `get_open_oco_orders` and its v3 order-list
methods, and ccxt's implicit `private_*_orderlist*` methods, as a bot would call them."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, close_leftover_event_loop
from test_ccxt_binance import binance
from test_python_binance_client import client

BinanceAPIException = pytest.importorskip("binance.exceptions").BinanceAPIException


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("client-lists") / "data") as running:
        yield running
    close_leftover_event_loop()


def test_python_binance_places_queries_and_cancels_order_lists(server: ExchangeServer) -> None:
    trader = client(server, server.user("pb-lists", KGLD="2", KRW="1000000"))
    oco = trader.create_oco_order(
        symbol="KGLDKRW", side="SELL", quantity="1",
        aboveType="LIMIT_MAKER", abovePrice="140000",
        belowType="STOP_LOSS_LIMIT", belowStopPrice="120000", belowPrice="119000",
        belowTimeInForce="GTC",
    )  # fmt: skip
    assert oco["contingencyType"] == "OCO" and len(oco["orderReports"]) == 2
    assert [x["orderListId"] for x in trader.get_open_oco_orders()] == [oco["orderListId"]]
    oto = trader.v3_post_order_list_oto(
        symbol="KGLDKRW", workingType="LIMIT", workingSide="BUY", workingPrice="90000",
        workingQuantity="1", workingTimeInForce="GTC", pendingType="LIMIT_MAKER",
        pendingSide="SELL", pendingPrice="150000", pendingQuantity="1",
    )  # fmt: skip
    assert [r["status"] for r in oto["orderReports"]] == ["NEW", "PENDING_NEW"]
    got = trader.v3_get_order_list(orderListId=oto["orderListId"])
    assert got["listOrderStatus"] == "EXECUTING"
    canceled = trader.v3_delete_order_list(symbol="KGLDKRW", orderListId=oco["orderListId"])
    assert [r["status"] for r in canceled["orderReports"]] == ["CANCELED", "CANCELED"]
    every = trader.v3_get_all_order_list()
    assert [x["orderListId"] for x in every] == [oco["orderListId"], oto["orderListId"]]
    with pytest.raises(BinanceAPIException) as refused:
        trader.create_oco_order(
            symbol="KGLDKRW", side="BUY", quantity="1",
            aboveType="LIMIT_MAKER", abovePrice="140000",
            belowType="STOP_LOSS", belowStopPrice="100000",
        )  # fmt: skip
    assert refused.value.code == -1196


def test_ccxt_implicit_order_list_methods(server: ExchangeServer) -> None:
    exchange = binance(server, server.user("ccxt-lists", KGLD="2"))
    exchange.load_markets()
    placed: Any = exchange.private_post_orderlist_oco(
        {
            "symbol": "KGLDKRW", "side": "SELL", "quantity": "1",
            "aboveType": "LIMIT_MAKER", "abovePrice": "160000",
            "belowType": "STOP_LOSS", "belowStopPrice": "110000",
        }
    )  # fmt: skip
    list_id = placed["orderListId"]
    assert placed["listStatusType"] == "EXEC_STARTED"
    opened = exchange.private_get_openorderlist()
    assert [x["orderListId"] for x in opened] == [list_id]
    orders = exchange.fetch_open_orders("KGLD/KRW")
    assert {o["info"]["orderListId"] for o in orders} == {list_id}
    one = exchange.private_get_orderlist({"orderListId": list_id})
    assert one["contingencyType"] == "OCO"
    done = exchange.private_delete_orderlist({"symbol": "KGLDKRW", "orderListId": list_id})
    assert done["listOrderStatus"] == "ALL_DONE"
    assert exchange.fetch_balance()["KGLD"]["free"] == 2.0
