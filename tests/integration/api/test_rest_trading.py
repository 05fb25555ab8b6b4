"""Trading over real HTTP against a real server process: the same requests a Binance client
sends, signed with HMAC, and the answers a user would see."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exchange_server import ExchangeServer


def test_a_trade_between_two_users_moves_the_right_amounts(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        alice = server.user("alice", KGLD="2")
        bob = server.user("bob", KRW="1000000")
        status, sell = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
            timeInForce="GTC", quantity="1", price="130000",
        )  # fmt: skip
        assert status == 200, sell
        assert sell["status"] == "NEW" and sell["fills"] == []
        status, buy = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="0.4", price="131000",
        )  # fmt: skip
        assert status == 200, buy
        assert buy["status"] == "FILLED"
        assert buy["fills"] == [
            {"price": "130000", "qty": "0.4000", "commission": "26",
             "commissionAsset": "KRW", "tradeId": 1}
        ]  # fmt: skip
        assert buy["cummulativeQuoteQty"] == "52000"
        # Demo fees are 5 bps, paid in KRW on a won market (as Upbit charges): Bob pays 26
        # KRW on top of the price and gets all 0.4 KGLD, Alice 26 KRW from what she gets.
        # The account reports the rates it is charged, as Binance does.
        status, account = bob.get("/api/v3/account")
        assert (account["makerCommission"], account["takerCommission"]) == (5, 5)
        assert account["commissionRates"]["taker"] == "0.00050000"
        assert bob.balance("KRW") == ("947974", "0")
        assert bob.balance("KGLD") == ("0.4000", "0.0000")
        assert alice.balance("KGLD") == ("1.0000", "0.6000")
        assert alice.balance("KRW") == ("51974", "0")
        status, order = alice.get("/api/v3/order", symbol="KGLDKRW", orderId=sell["orderId"])
        assert status == 200 and order["status"] == "PARTIALLY_FILLED"
        assert order["executedQty"] == "0.4000"
        status, trades = bob.get("/api/v3/myTrades", symbol="KGLDKRW")
        assert status == 200 and [t["qty"] for t in trades] == ["0.4000"]
        assert [(t["commission"], t["commissionAsset"]) for t in trades] == [("26", "KRW")]
        time.sleep(0.3)  # the REST book is published with the 100 ms depth batches
        status, book = server.request("GET", "/api/v3/depth?symbol=KGLDKRW")
        assert status == 200 and book["asks"] == [["130000", "0.6000"]]


def test_binance_errors_for_bad_orders(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        bob = server.user("bob", KRW="100000")
        cases = [
            ({"quantity": "1", "price": "130000"}, 400, -2010,
             "Account has insufficient balance for requested action."),
            ({"quantity": "0.05", "price": "100000"}, 400, -1013, "Filter failure: LOT_SIZE"),
            ({"quantity": "0.1", "price": "100005"}, 400, -1013, "Filter failure: PRICE_FILTER"),
            ({"quantity": "0.1", "price": "1000.123"}, 400, -1111,
             "Parameter 'price' has too much precision."),
        ]  # fmt: skip
        for fields, status, code, msg in cases:
            got_status, error = bob.post(
                "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
                timeInForce="GTC", **fields,
            )  # fmt: skip
            assert (got_status, error) == (status, {"code": code, "msg": msg}), fields
        status, error = bob.post(
            "/api/v3/order", symbol="NOPE", side="BUY", type="LIMIT", timeInForce="GTC",
            quantity="1", price="1",
        )  # fmt: skip
        assert (status, error["code"]) == (400, -1121)
        status, error = bob.delete("/api/v3/openOrders", symbol="KGLDKRW")
        assert (status, error) == (400, {"code": -2011, "msg": "Unknown order sent."})
        assert bob.balance("KRW") == ("100000", "0")


def test_authentication_failures(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        bob = server.user("bob", KRW="100000")
        bob.secret = "x" * 64
        status, error = bob.get("/api/v3/account")
        assert (status, error["code"]) == (400, -1022)
        bob.api_key = "y" * 64
        status, error = bob.get("/api/v3/account")
        assert (status, error["code"]) == (401, -2015)
        status, error = server.request("GET", "/api/v3/account?timestamp=1")
        assert (status, error["code"]) == (401, -2014)


def test_acknowledged_orders_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data) as server:
        alice = server.user("alice", KRW="1000000")
        status, order = alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="1", price="120000",
        )  # fmt: skip
        assert status == 200
        before = _published_depth(server, lambda depth: depth["bids"] != [])
    with ExchangeServer(data) as server:
        alice.server = server
        status, orders = alice.get("/api/v3/openOrders", symbol="KGLDKRW")
        assert status == 200 and [o["orderId"] for o in orders] == [order["orderId"]]
        assert alice.balance("KRW") == ("879940", "120060")  # with the fee in KRW (0.05 %)
        # The book's update ids go on from where they were: a client that kept its
        # lastUpdateId sees a gap and resyncs, never ids that go backwards.
        after = _published_depth(server, lambda depth: True)
        assert after["bids"] == before["bids"] == [["120000", "1.0000"]]
        assert after["lastUpdateId"] >= before["lastUpdateId"] > 0
        alice.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="1", price="110000",
        )  # fmt: skip
        moved = _published_depth(server, lambda depth: len(depth["bids"]) == 2)
        assert moved["lastUpdateId"] == after["lastUpdateId"] + 1


def _published_depth(server: ExchangeServer, ready: Callable[[Any], bool]) -> Any:
    """The REST depth once `ready` holds (the snapshot follows the 100 ms publication)."""
    deadline = time.monotonic() + 10
    while True:
        status, depth = server.request("GET", "/api/v3/depth?symbol=KGLDKRW")
        assert status == 200
        if ready(depth) or time.monotonic() > deadline:
            return depth
        time.sleep(0.05)


def test_an_unknown_parameter_is_refused_not_ignored(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        bob = server.user("bob", KRW="1000000")
        status, error = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="0.1", price="100000", colour="red",
        )  # fmt: skip
        assert (status, error["code"]) == (400, -1104), error
        assert bob.balance("KRW") == ("1000000", "0")


def test_exchange_info_says_which_asset_buyers_pay_their_fee_in(tmp_path: Path) -> None:
    """Won markets charge buyers in KRW (as Upbit), the others in the asset received."""
    with ExchangeServer(tmp_path / "data") as server:
        status, info = server.request("GET", "/api/v3/exchangeInfo")
        assert status == 200
        fee_assets = {s["symbol"]: s["feeAsset"] for s in info["symbols"]}
        assert fee_assets["KGLDKRW"] == fee_assets["BTCKRW"] == "QUOTE"
        assert fee_assets["BTCUSDT"] == "RECEIVED"
