"""The WebSocket API's method table (`api/ws_api_methods.py`): every method of Binance's Spot
WebSocket API that Assetport offers is there, each row weighs what its REST endpoint weighs,
and the methods that change orders take the order path (a `submit` form)."""

import pytest

from assetport.api.http import Security
from assetport.api.params import Params
from assetport.api.ratelimit import request_weight
from assetport.api.ws_api import WEIGHTS
from assetport.api.ws_api_methods import REST_METHODS

# Binance's Spot WebSocket API, but for order lists (their own table rows), SOR and the
# deprecated listenKey methods.
BINANCE_METHODS = (
    "ping", "time", "exchangeInfo", "depth", "trades.recent", "trades.historical",
    "trades.aggregate", "klines", "uiKlines", "avgPrice", "ticker.24hr", "ticker.tradingDay",
    "ticker", "ticker.price", "ticker.book", "session.logon", "session.status",
    "session.logout", "order.place", "order.test", "order.status", "order.cancel",
    "order.cancelReplace", "order.amend.keepPriority", "openOrders.status",
    "openOrders.cancelAll", "account.status", "account.commission",
    "account.rateLimits.orders", "allOrders", "myTrades", "myPreventedMatches",
    "order.amendments", "userDataStream.subscribe", "userDataStream.subscribe.signature",
    "userDataStream.unsubscribe",
)  # fmt: skip


def test_every_method_is_offered_once() -> None:
    assert set(BINANCE_METHODS) <= {*REST_METHODS, *WEIGHTS}
    assert not set(REST_METHODS) & set(WEIGHTS)  # a method is written by hand or a row


@pytest.mark.parametrize(
    ("method", "params", "weight"),
    [
        ("depth", {"symbol": "KGLDKRW", "limit": "5000"}, 250),
        ("ticker.24hr", {"symbols": '["A","B","C"]'}, 2),
        ("ticker", {"symbols": '["A","B","C"]'}, 12),
        ("ticker.tradingDay", {"symbols": '["' + '","'.join(["X"] * 60) + '"]'}, 200),
        ("order.test", {"computeCommissionRates": "true"}, 20),
        ("order.test", {}, 1),
        ("order.amendments", {"symbol": "KGLDKRW", "orderId": "1"}, 4),
    ],
)
def test_a_row_weighs_as_its_endpoint(method: str, params: dict[str, str], weight: int) -> None:
    row = REST_METHODS[method]
    assert row.weight(Params(params)) == weight
    endpoint = row.endpoint
    assert request_weight(endpoint.method, endpoint.path, Params(params)) == weight


# The order-list methods (api/rest_order_lists.py): a new list counts as its orders.
LIST_PLACING = (
    "orderList.place", "orderList.place.oco", "orderList.place.oto", "orderList.place.otoco",
)  # fmt: skip


def test_methods_that_change_orders_take_the_order_path() -> None:
    changing = {name for name, row in REST_METHODS.items() if row.endpoint.submit is not None}
    assert changing == {
        "order.place", "order.cancel", "order.cancelReplace", "order.amend.keepPriority",
        "openOrders.cancelAll", *LIST_PLACING, "orderList.cancel",
    }  # fmt: skip
    counted = {name for name, row in REST_METHODS.items() if row.endpoint.counts_as_order}
    assert counted == {"order.place", "order.cancelReplace", *LIST_PLACING}
    assert REST_METHODS["trades.historical"].security is Security.NONE  # no key needed here
