"""The WebSocket API's methods that are REST endpoints under another name: one row each.

A row names the REST endpoint (`"GET /api/v3/depth"`), and from it the method takes all it
does: the handler (the same code answers both, with the same errors), the security type,
the request weight (`ratelimit.request_weight` of the endpoint's path and the request's
params, so a weight that depends on `limit` or on the symbols asked is Binance's in both),
whether it counts as an order, and whether it has a `submit` form. A method with one goes
the order path (`ws_api.py`: checked and submitted from the socket's callback, answered from
the engine's); one without runs as a task. Adding a method is adding a row.

Where the WebSocket API differs from REST the row says so: `trades.historical` needs no API
key there (REST's `historicalTrades` asks for one), and parameters the WebSocket API accepts
but Assetport does not act on are listed as `ignored`.
"""

from dataclasses import dataclass, field
from typing import Final

from assetport.api import rest_market, rest_order_lists, rest_trade
from assetport.api.http import Endpoint, Security
from assetport.api.params import Params
from assetport.api.ratelimit import request_weight, static_weight
from assetport.edge.keys import Permission

_PERMISSIONS: Final = {
    Security.USER_DATA: Permission.READ,
    Security.TRADE: Permission.TRADE,
    Security.USER_STREAM: Permission.READ,
    Security.MARKET_DATA: Permission.READ,
}


@dataclass(frozen=True, slots=True)
class RestMethod:
    """A WebSocket API method answered by a REST endpoint's handler."""

    endpoint: Endpoint
    security: Security
    ignored: tuple[str, ...] = ()
    # Known once for the endpoints no parameter scales (order.place, order.cancel...): the
    # order path asks it for every request.
    fixed_weight: int | None = field(init=False)
    # What the API key must allow (None: no key), known once for the same reason.
    permission: Permission | None = field(init=False)

    def __post_init__(self) -> None:
        fixed = static_weight(self.endpoint.method, self.endpoint.path)
        object.__setattr__(self, "fixed_weight", fixed)
        object.__setattr__(self, "permission", _PERMISSIONS.get(self.security))

    def weight(self, params: Params) -> int:
        if self.fixed_weight is not None:
            return self.fixed_weight
        return request_weight(self.endpoint.method, self.endpoint.path, params)


_ENDPOINTS: Final = {
    f"{endpoint.method} {endpoint.path}": endpoint
    for endpoint in (*rest_market.ENDPOINTS, *rest_trade.ENDPOINTS, *rest_order_lists.ENDPOINTS)
}


def rest(route: str, security: Security | None = None, ignored: tuple[str, ...] = ()) -> RestMethod:
    """The row of the REST endpoint `route` ("GET /api/v3/depth"), with its own security
    unless the WebSocket API asks another."""
    endpoint = _ENDPOINTS[route]
    return RestMethod(endpoint, security or endpoint.security, ignored)


REST_METHODS: Final[dict[str, RestMethod]] = {
    # -- market data
    "exchangeInfo": rest("GET /api/v3/exchangeInfo", ignored=("showPermissionSets",)),
    "depth": rest("GET /api/v3/depth"),
    "trades.recent": rest("GET /api/v3/trades"),
    "trades.historical": rest("GET /api/v3/historicalTrades", Security.NONE, ("apiKey",)),
    "trades.aggregate": rest("GET /api/v3/aggTrades"),
    "klines": rest("GET /api/v3/klines"),
    "uiKlines": rest("GET /api/v3/uiKlines"),
    "avgPrice": rest("GET /api/v3/avgPrice"),
    "ticker.24hr": rest("GET /api/v3/ticker/24hr"),
    "ticker.tradingDay": rest("GET /api/v3/ticker/tradingDay"),
    "ticker": rest("GET /api/v3/ticker"),
    "ticker.price": rest("GET /api/v3/ticker/price"),
    "ticker.book": rest("GET /api/v3/ticker/bookTicker"),
    # -- trading
    "order.place": rest("POST /api/v3/order"),
    "order.test": rest("POST /api/v3/order/test"),
    "order.status": rest("GET /api/v3/order"),
    "order.cancel": rest("DELETE /api/v3/order"),
    "order.cancelReplace": rest("POST /api/v3/order/cancelReplace"),
    "order.amend.keepPriority": rest("PUT /api/v3/order/amend/keepPriority"),
    "openOrders.status": rest("GET /api/v3/openOrders"),
    "openOrders.cancelAll": rest("DELETE /api/v3/openOrders"),
    # -- order lists (api/rest_order_lists.py); `orderList.place` is the deprecated OCO
    "orderList.place": rest("POST /api/v3/order/oco"),
    "orderList.place.oco": rest("POST /api/v3/orderList/oco"),
    "orderList.place.oto": rest("POST /api/v3/orderList/oto"),
    "orderList.place.otoco": rest("POST /api/v3/orderList/otoco"),
    "orderList.cancel": rest("DELETE /api/v3/orderList"),
    "orderList.status": rest("GET /api/v3/orderList"),
    "allOrderLists": rest("GET /api/v3/allOrderList"),
    "openOrderLists.status": rest("GET /api/v3/openOrderList"),
    # -- account
    "account.status": rest("GET /api/v3/account"),
    "account.commission": rest("GET /api/v3/account/commission"),
    "account.rateLimits.orders": rest("GET /api/v3/rateLimit/order"),
    "allOrders": rest("GET /api/v3/allOrders"),
    "myTrades": rest("GET /api/v3/myTrades"),
    "myPreventedMatches": rest("GET /api/v3/myPreventedMatches"),
    "order.amendments": rest("GET /api/v3/order/amendments"),
}
