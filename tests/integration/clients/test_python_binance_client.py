"""python-binance's unmodified `Client` against a real server process over real HTTP,
pointed at it as docs/binance-api.md says: a subclass overriding the URL class attributes.

python-binance signs its parameters sorted by name, sends GETs with a JSON content type and
DELETEs with a form body; these tests pass only if the server verifies what was sent.
"""

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader, close_leftover_event_loop

binance_client = pytest.importorskip("binance.client")
binance_exceptions = pytest.importorskip("binance.exceptions")
BinanceAPIException = binance_exceptions.BinanceAPIException

SYMBOL = "KCUKRW"  # copper: tick 1 KRW, step 1 kg
SILVER = "KSLVKRW"  # the same rules; a book of its own for the trading test


def client(server: ExchangeServer, trader: Trader | None = None) -> Any:
    """A python-binance Client whose every URL is our server's."""
    base = server.base_url

    class LocalClient(binance_client.Client):  # type: ignore[misc,name-defined]
        API_URL = f"{base}/api"
        API_TESTNET_URL = f"{base}/api"
        MARGIN_API_URL = f"{base}/sapi"  # keeps a stray /sapi call off binance.com

    if trader is None:
        return LocalClient(ping=False)
    return LocalClient(trader.api_key, trader.secret, ping=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("pybinance") / "data") as running:
        yield running
    close_leftover_event_loop()


def test_market_data(server: ExchangeServer) -> None:
    public = client(server)
    public.ping()
    assert abs(public.get_server_time()["serverTime"] - time.time() * 1000) < 5000
    info = public.get_symbol_info(SYMBOL)
    assert info is not None and info["baseAsset"] == "KCU"
    filters = {f["filterType"]: f for f in info["filters"]}
    assert filters["LOT_SIZE"]["stepSize"] == "1.0000"
    maker = server.user("pb-maker", KCU="100")
    taker = server.user("pb-taker", KRW="10000000")
    client(server, maker).order_limit_sell(symbol=SYMBOL, quantity="10", price="12000")
    client(server, taker).order_market_buy(symbol=SYMBOL, quantity="4")
    time.sleep(1.2)  # depth batches every 100 ms; candles when their second ends
    book = public.get_order_book(symbol=SYMBOL)
    assert book["asks"] == [["12000", "6.0000"]]
    recent = public.get_recent_trades(symbol=SYMBOL)
    assert [(t["price"], t["qty"], t["isBuyerMaker"]) for t in recent] == [
        ("12000", "4.0000", False)
    ]
    agg = public.get_aggregate_trades(symbol=SYMBOL)
    assert [(a["p"], a["q"]) for a in agg] == [("12000", "4.0000")]
    klines = public.get_klines(symbol=SYMBOL, interval="1m")
    assert len(klines[0]) == 12 and klines[0][5] == "4.0000"
    assert [k[5] for k in klines[1:]] in ([], ["0.0000"])  # a minute begun since: flat
    assert public.get_ticker(symbol=SYMBOL)["lastPrice"] == "12000"
    prices = {p["symbol"]: p["price"] for p in public.get_all_tickers()}
    assert prices[SYMBOL] == "12000"
    assert public.get_orderbook_ticker(symbol=SYMBOL)["askPrice"] == "12000"
    assert public.get_avg_price(symbol=SYMBOL)["price"] == "12000"
    # historicalTrades is MARKET_DATA: an API key, no signature.
    with pytest.raises(BinanceAPIException) as refused:
        public.get_historical_trades(symbol=SYMBOL)
    assert (refused.value.status_code, refused.value.code) == (401, -2014)
    old = client(server, taker).get_historical_trades(symbol=SYMBOL, fromId=1)
    assert [t["qty"] for t in old] == ["4.0000"]


def test_trading_with_sorted_signatures_and_form_deletes(server: ExchangeServer) -> None:
    alice = client(server, server.user("pb-alice", KSLV="50"))
    bob = client(server, server.user("pb-bob", KRW="1000000"))
    sell = alice.order_limit_sell(symbol=SILVER, quantity="20", price="13000")
    assert (sell["status"], sell["type"], sell["fills"]) == ("NEW", "LIMIT", [])
    assert isinstance(sell["orderId"], int)
    buy = bob.order_limit_buy(symbol=SILVER, quantity="5", price="13000")
    assert buy["status"] == "FILLED"
    assert buy["fills"] == [
        {"price": "13000", "qty": "5.0000", "commission": "33",
         "commissionAsset": "KRW", "tradeId": buy["fills"][0]["tradeId"]}
    ]  # fmt: skip
    # On a won market the buyer's fee is in KRW too: all 5 KSLV arrive.
    assert bob.get_asset_balance(asset="KSLV") == {
        "asset": "KSLV", "free": "5.0000", "locked": "0.0000",
    }  # fmt: skip
    assert bob.get_asset_balance(asset="KRW")["free"] == "934967"
    # Alice receives 65000 KRW less 5 bps (32.5, rounded in the venue's favour to 33).
    assert alice.get_asset_balance(asset="KRW")["free"] == "64967"
    assert alice.get_asset_balance(asset="KSLV") == {
        "asset": "KSLV", "free": "30.0000", "locked": "15.0000",
    }  # fmt: skip
    by_cost = bob.order_market_buy(symbol=SILVER, quoteOrderQty="26000")
    assert (by_cost["executedQty"], by_cost["cummulativeQuoteQty"]) == ("2.0000", "26000")
    assert alice.get_order(symbol=SILVER, orderId=sell["orderId"])["executedQty"] == "7.0000"
    resting = bob.order_limit_buy(symbol=SILVER, quantity="1", price="9000")
    assert [o["orderId"] for o in bob.get_open_orders(symbol=SILVER)] == [resting["orderId"]]
    canceled = bob.cancel_order(symbol=SILVER, orderId=resting["orderId"])  # form body
    assert (canceled["status"], canceled["origClientOrderId"]) == (
        "CANCELED", resting["clientOrderId"],
    )  # fmt: skip
    assert [o["status"] for o in bob.get_all_orders(symbol=SILVER)] == [
        "FILLED", "FILLED", "CANCELED",
    ]  # fmt: skip
    trades = bob.get_my_trades(symbol=SILVER)
    assert [(t["qty"], t["isBuyer"], t["isMaker"]) for t in trades] == [
        ("5.0000", True, False), ("2.0000", True, False),
    ]  # fmt: skip
    assert (
        bob.create_test_order(
            symbol=SILVER, side="BUY", type="LIMIT", timeInForce="GTC", quantity="1", price="9000"
        )
        == {}
    )
    rates = bob.create_test_order(
        symbol=SILVER, side="BUY", type="LIMIT", timeInForce="GTC", quantity="1",
        price="9000", computeCommissionRates="true",
    )  # fmt: skip
    assert rates["standardCommissionForOrder"] == {"maker": "0.00050000", "taker": "0.00050000"}
    with pytest.raises(BinanceAPIException) as refused:
        bob.order_limit_buy(symbol=SILVER, quantity="1000", price="13000")
    assert (refused.value.code, refused.value.message) == (
        -2010, "Account has insufficient balance for requested action.",
    )  # fmt: skip
    with pytest.raises(BinanceAPIException) as missing:
        bob.cancel_order(symbol=SILVER, orderId=999_999)
    assert (missing.value.status_code, missing.value.code) == (400, -2011)
