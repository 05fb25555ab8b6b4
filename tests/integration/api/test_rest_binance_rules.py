"""Binance's refusals over real HTTP: authentication, permissions, IP allowlists, each order
filter, rate limits with their headers; and the less common endpoints (exchangeInfo
filters, myPreventedMatches, allOrders paging). Codes, messages and statuses are Binance's."""

import hashlib
import hmac
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader

ORDER = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("rules") / "data") as running:
        yield running


def key_with(server: ExchangeServer, trader: Trader, **options: Any) -> Trader:
    made = server.admin("/api/v1/admin/apikeys", user_id=trader.user_id, **options)
    return Trader(server, trader.user_id, made["api_key"], made["secret_key"])


def test_authentication_and_permissions(server: ExchangeServer) -> None:
    alice = server.user("auth-alice", KRW="1000000")
    order = {**ORDER, "quantity": "0.1", "price": "100000"}
    stale = alice.post("/api/v3/order", **order, timestamp=int(time.time() * 1000) - 6000)
    outside = "Timestamp for this request is outside of the recvWindow."
    assert stale == (400, {"code": -1021, "msg": outside})
    ahead = alice.post("/api/v3/order", **order, timestamp=int(time.time() * 1000) + 5000)
    assert ahead == (400, {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead "
                                                 "of the server's time."})  # fmt: skip
    forged = Trader(server, alice.user_id, alice.api_key, "z" * 64)
    assert forged.post("/api/v3/order", **order) == (
        400, {"code": -1022, "msg": "Signature for this request is not valid."},
    )  # fmt: skip
    rejected = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    reader = key_with(server, alice, permissions=["read"])
    assert reader.get("/api/v3/account")[0] == 200
    assert reader.post("/api/v3/order", **order) == (401, rejected)
    elsewhere = key_with(server, alice, ip_allow=["10.0.0.0/8"])
    assert elsewhere.get("/api/v3/account") == (401, rejected)
    assert key_with(server, alice, ip_allow=["127.0.0.1"]).get("/api/v3/account")[0] == 200
    assert server.request("GET", "/api/v3/account?timestamp=1") == (
        401, {"code": -2014, "msg": "API-key format invalid."},
    )  # fmt: skip
    assert alice.balance("KRW") == ("1000000", "0")  # nothing refused moved money


@pytest.mark.parametrize(
    ("fields", "code", "msg"),
    [
        ({"quantity": "0.15", "price": "100000"}, -1013, "Filter failure: LOT_SIZE"),
        ({"quantity": "0.1", "price": "100005"}, -1013, "Filter failure: PRICE_FILTER"),
        ({"quantity": "0.1", "price": "10000"}, -1013, "Filter failure: NOTIONAL"),
        ({"quantity": "20", "price": "10000", "icebergQty": "0.1"}, -1013,
         "Filter failure: ICEBERG_PARTS"),
        ({"quantity": "0.1", "price": "1000.5"}, -1111,
         "Parameter 'price' has too much precision."),
        ({"quantity": "1e-1", "price": "100000"}, -1100,
         "Illegal characters found in parameter 'quantity'; legal range is "
         "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
        ({"price": "100000"}, -1102,
         "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."),
        ({"quantity": "0.1", "price": "100000", "side": "UP"}, -1117, "Invalid side."),
        ({"quantity": "0.1", "price": "100000", "type": "TRAILING"}, -1116, "Invalid orderType."),
        ({"quantity": "0.1", "price": "100000", "timeInForce": "GTD"}, -1115,
         "Invalid timeInForce."),
        ({"quantity": "0.1", "price": "100000", "symbol": "NOPE"}, -1121, "Invalid symbol."),
        ({"quantity": "0.1", "price": "100000", "type": "MARKET", "timeInForce": None},
         -1106, "Parameter 'price' sent when not required."),
        ({"quantity": "99999999999999999999", "price": "100000"}, -1108,
         "Parameter 'quantity' overflowed."),
        ({"quantity": "0.1", "price": "99999999999999999999"}, -1108,
         "Parameter 'price' overflowed."),
    ],
)  # fmt: skip
def test_each_bad_order_gets_binance_s_error(
    server: ExchangeServer, fields: dict[str, Any], code: int, msg: str
) -> None:
    trader = server.user(f"filters-{code}-{abs(hash(msg)) % 10_000}", KRW="1000000")
    params = {k: v for k, v in {**ORDER, **fields}.items() if v is not None}
    assert trader.post("/api/v3/order", **params) == (400, {"code": code, "msg": msg})


def test_an_oversized_amount_is_refused_and_the_exchange_goes_on(server: ExchangeServer) -> None:
    # Amounts beyond what the journal's 64-bit integers hold once stopped the engine for
    # everyone; now the request alone is refused and the next order is taken.
    trader = server.user("oversized", KRW="1000000")
    huge = {**ORDER, "quantity": "1", "price": "9" * 20}
    assert trader.post("/api/v3/order", **huge)[1]["code"] == -1108
    status, placed = trader.post("/api/v3/order", **ORDER, quantity="0.1", price="100000")
    assert status == 200 and placed["status"] == "NEW"


def test_exchange_info_filters(server: ExchangeServer) -> None:
    def symbols(query: str) -> Any:
        status, info = server.request("GET", f"/api/v3/exchangeInfo?{query}")
        return status, [s["symbol"] for s in info["symbols"]] if status == 200 else info

    status, every = symbols("")
    assert status == 200 and "KGLDKRW" in every
    assert symbols("permissions=SPOT") == (200, every)
    assert symbols(urllib.parse.urlencode({"permissions": '["MARGIN"]'})) == (200, [])
    assert symbols("symbolStatus=TRADING") == (200, every)
    assert symbols("symbolStatus=HALT") == (200, [])
    assert symbols("symbolStatus=TRADING&symbol=KGLDKRW")[1]["code"] == -1128
    assert symbols("symbolStatus=SLEEPING")[1]["code"] == -1130


def test_prevented_matches_and_history_paging(server: ExchangeServer) -> None:
    bob = server.user("stp-bob", KRW="1000000", KGLD="5")
    status, sell = bob.post("/api/v3/order", **{**ORDER, "side": "SELL"}, quantity="1",
                            price="120000")  # fmt: skip
    assert status == 200
    status, buy = bob.post("/api/v3/order", **ORDER, quantity="1", price="120000",
                           selfTradePreventionMode="EXPIRE_TAKER")  # fmt: skip
    assert status == 200 and buy["status"] == "EXPIRED_IN_MATCH"
    status, matches = bob.get("/api/v3/myPreventedMatches", symbol="KGLDKRW",
                              orderId=buy["orderId"])  # fmt: skip
    assert status == 200
    assert [(m["takerOrderId"], m["makerOrderId"], m["selfTradePreventionMode"],
             m["price"], m["makerPreventedQuantity"]) for m in matches] == [
        (buy["orderId"], sell["orderId"], "EXPIRE_TAKER", "120000", "0.0000")
    ]  # fmt: skip
    one = matches[0]["preventedMatchId"]
    by_id = bob.get("/api/v3/myPreventedMatches", symbol="KGLDKRW", preventedMatchId=one)
    assert by_id == (200, matches)
    assert bob.get("/api/v3/myPreventedMatches", symbol="KGLDKRW")[1]["code"] == -1102
    status, orders = bob.get("/api/v3/allOrders", symbol="KGLDKRW", orderId=buy["orderId"])
    assert status == 200 and [o["orderId"] for o in orders] == [buy["orderId"]]
    status, latest = bob.get("/api/v3/allOrders", symbol="KGLDKRW", limit=1)
    assert [o["orderId"] for o in latest] == [buy["orderId"]]
    too_long = bob.get("/api/v3/allOrders", symbol="KGLDKRW", startTime=0,
                       endTime=int(time.time() * 1000))  # fmt: skip
    over_a_day = "More than 24 hours between startTime and endTime."
    assert too_long == (400, {"code": -1127, "msg": over_a_day})


LIMITED = """
[[assets]]
code = "KRW"
precision = 0

[[assets]]
code = "KGLD"
precision = 4

[[markets]]
symbol = "KGLDKRW"
base = "KGLD"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "100000"
min_notional = "5000"

[[rate_limits]]
rateLimitType = "REQUEST_WEIGHT"
interval = "MINUTE"
intervalNum = 1
limit = 200

[[rate_limits]]
rateLimitType = "ORDERS"
interval = "SECOND"
intervalNum = 10
limit = 3
"""


def raw(server: ExchangeServer, method: str, path: str, trader: Trader | None = None,
        **params: Any) -> tuple[int, dict[str, str], Any]:  # fmt: skip
    """A request answered with its headers too."""
    headers = {}
    query = urllib.parse.urlencode(params)
    if trader is not None:
        query = urllib.parse.urlencode({**params, "timestamp": int(time.time() * 1000)})
        digest = hmac.new(trader.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        query += f"&signature={digest}"
        headers["X-MBX-APIKEY"] = trader.api_key
    request = urllib.request.Request(f"{server.base_url}{path}?{query}", headers=headers,
                                     method=method)  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers.items()), error.read()


def _lower(items: Any) -> dict[str, str]:
    """Header names are case-insensitive; uvicorn sends them in lower case."""
    return {name.lower(): value for name, value in items}


def test_rate_limits_from_the_listing_file(tmp_path: Path) -> None:
    config = tmp_path / "listing.toml"
    config.write_text(LIMITED, encoding="utf-8")
    with ExchangeServer(tmp_path / "data", "--config", str(config)) as server:
        carol = server.user("carol", KRW="1000000")
        order = {**ORDER, "quantity": "0.1", "price": "100000"}
        for count in (1, 2, 3):
            status, headers, _ = raw(server, "POST", "/api/v3/order", carol, **order)
            assert status == 200 and headers["x-mbx-order-count-10s"] == str(count)
            assert int(headers["x-mbx-used-weight-1m"]) > 0
        status, headers, body = raw(server, "POST", "/api/v3/order", carol, **order)
        assert status == 429 and 1 <= int(headers["retry-after"]) <= 10
        assert body == (b'{"code":-1015,"msg":"Too many new orders; current limit is 3 orders '
                        b'per 10 SECOND."}')  # fmt: skip
        info = raw(server, "GET", "/api/v3/exchangeInfo")
        assert b'"limit":3' in info[2]
        while (answer := raw(server, "GET", "/api/v3/exchangeInfo"))[0] == 200:
            pass
        status, headers, body = answer
        assert status == 429 and int(headers["retry-after"]) >= 1
        assert int(headers["x-mbx-used-weight-1m"]) > 200
        assert body.startswith(b'{"code":-1003,"msg":"Too much request weight used; current '
                               b'limit is 200 request weight per 1 MINUTE.')  # fmt: skip
