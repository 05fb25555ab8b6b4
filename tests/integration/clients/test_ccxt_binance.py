"""ccxt's unmodified `binance` exchange against a real server process over real HTTP,
configured as a user would (docs/binance-api.md): only the URL table and three options change.

Each unified method sends the requests docs/binance-api.md lists and parses our answers; the
assertions are what a ccxt user reads back.
"""

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer, Trader

ccxt = pytest.importorskip("ccxt")

SYMBOL = "KGLD/KRW"
OIL = "KOIL/KRW"  # a market of its own, so books from other tests do not meet


def binance(server: ExchangeServer, trader: Trader | None = None) -> Any:
    """A ccxt binance pointed at `server`, as docs/binance-api.md says."""
    credentials = {"apiKey": trader.api_key, "secret": trader.secret} if trader else {}
    exchange = ccxt.binance(
        {
            **credentials,
            "enableRateLimit": False,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
                "defaultType": "spot",
            },
        }
    )
    # Replaced whole: a merged table would leave sapi/fapi pointing at binance.com.
    api = f"{server.base_url}/api/v3"
    exchange.urls["api"] = {"public": api, "private": api, "v1": f"{server.base_url}/api/v1"}
    exchange.urls.pop("test", None)
    exchange.urls.pop("demo", None)
    return exchange


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("ccxt") / "data") as running:
        yield running


def test_markets_tickers_book_trades_and_candles(server: ExchangeServer) -> None:
    maker = server.user("ccxt-maker", KGLD="5")
    taker = server.user("ccxt-taker", KRW="1000000")
    seller, buyer = binance(server, maker), binance(server, taker)
    markets = seller.load_markets()
    market = markets[SYMBOL]
    assert (market["base"], market["quote"], market["spot"], market["active"]) == (
        "KGLD", "KRW", True, True,
    )  # fmt: skip
    assert market["precision"] == {
        "amount": 0.1, "price": 10.0, "cost": None, "base": 0.0001, "quote": 1.0,
    } or market["precision"]["amount"] == 0.1  # fmt: skip
    assert market["limits"]["cost"]["min"] == 5000.0
    seller.create_limit_sell_order(SYMBOL, 1, 130000)
    buyer.create_market_buy_order(SYMBOL, 0.3)
    time.sleep(1.2)  # depth is published in 100 ms batches, candles when their second ends
    book = buyer.fetch_order_book(SYMBOL)
    assert book["asks"] == [[130000.0, 0.7]] and book["bids"] == []
    assert book["nonce"] > 0
    trades = buyer.fetch_trades(SYMBOL)
    assert [(t["side"], t["price"], t["amount"]) for t in trades] == [("buy", 130000.0, 0.3)]
    since = trades[0]["timestamp"] - 1000
    assert len(buyer.fetch_trades(SYMBOL, since=since)) == 1
    ticker = buyer.fetch_ticker(SYMBOL)
    assert (ticker["last"], ticker["ask"], ticker["baseVolume"]) == (130000.0, 130000.0, 0.3)
    tickers = buyer.fetch_tickers([SYMBOL, "BTC/KRW"])
    assert set(tickers) == {SYMBOL, "BTC/KRW"}
    candles = buyer.fetch_ohlcv(SYMBOL, "1m")
    assert candles[0][1:] == [130000.0, 130000.0, 130000.0, 130000.0, 0.3]
    # A minute that began since the trade has its flat candle, as on Binance.
    assert [row[1:] for row in candles[1:]] in ([], [[130000.0, 130000.0, 130000.0, 130000.0, 0]])
    assert buyer.fetch_time() == pytest.approx(time.time() * 1000, abs=5000)


def test_orders_of_every_kind_and_a_trade_between_two_accounts(server: ExchangeServer) -> None:
    alice = binance(server, server.user("ccxt-alice", KOIL="2"))
    bob = binance(server, server.user("ccxt-bob", KRW="1000000"))
    alice.load_markets()
    bob.load_markets()
    sell = alice.create_order(OIL, "limit", "sell", 1, 140000)
    assert (sell["status"], sell["type"], sell["amount"], sell["filled"]) == (
        "open", "limit", 1.0, 0.0,
    )  # fmt: skip
    assert sell["clientOrderId"].startswith("x-")
    buy = bob.create_order(OIL, "limit", "buy", 0.4, 141000)
    assert (buy["status"], buy["filled"], buy["average"], buy["cost"]) == (
        "closed", 0.4, 140000.0, 56000.0,
    )  # fmt: skip
    assert buy["fee"] == {"currency": "KRW", "cost": 28.0}
    # 5 bps, in KRW on a won market (ccxt reads the asset from commissionAsset): Bob pays
    # 28 KRW on top of the price and gets all 0.4 KOIL; Alice 28 KRW from what she gets.
    bob_balance = bob.fetch_balance()
    assert bob_balance["KRW"] == {"free": 943972.0, "used": 0.0, "total": 943972.0}
    assert bob_balance["KOIL"]["free"] == 0.4
    alice_balance = alice.fetch_balance()
    assert alice_balance["KOIL"] == {"free": 1.0, "used": 0.6, "total": 1.6}
    assert alice_balance["KRW"]["free"] == 55972.0
    mine = bob.fetch_my_trades(OIL)
    assert [(t["side"], t["takerOrMaker"], t["amount"], t["fee"]["cost"]) for t in mine] == [
        ("buy", "taker", 0.4, 28.0)
    ]
    theirs = alice.fetch_my_trades(OIL)
    assert [(t["side"], t["takerOrMaker"], t["fee"]) for t in theirs] == [
        ("sell", "maker", {"currency": "KRW", "cost": 28.0})
    ]
    fetched = alice.fetch_order(sell["id"], OIL)
    assert (fetched["status"], fetched["filled"], fetched["remaining"]) == ("open", 0.4, 0.6)
    # Market buy by cost: quoteOrderQty.
    by_cost = bob.create_market_buy_order_with_cost(OIL, 14000)
    assert (by_cost["status"], by_cost["filled"], by_cost["cost"]) == ("closed", 0.1, 14000.0)
    # A market order with a price is sent as quoteOrderQty = amount * price too.
    by_price = bob.create_order(OIL, "market", "buy", 0.1, 140000)
    assert by_price["filled"] == 0.1
    # Post-only: LIMIT_MAKER; crossing is refused as ccxt expects.
    maker = bob.create_order(OIL, "limit", "buy", 0.1, 100000, {"postOnly": True})
    assert (maker["postOnly"], maker["status"]) == (True, "open")
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        bob.create_order(OIL, "limit", "buy", 0.1, 150000, {"postOnly": True})
    # Stop-limit: STOP_LOSS_LIMIT, waiting (not working) until the last price falls.
    stop = alice.create_order(OIL, "limit", "sell", 0.1, 120000, {"stopPrice": 125000})
    assert (stop["status"], stop["triggerPrice"]) == ("open", 125000.0)
    open_orders = alice.fetch_open_orders(OIL)
    assert {o["id"] for o in open_orders} == {sell["id"], stop["id"]}
    canceled = alice.cancel_order(stop["id"], OIL)
    assert canceled["status"] == "canceled"
    assert [o["status"] for o in alice.fetch_orders(OIL)] == ["open", "canceled"]
    swept = alice.cancel_all_orders(OIL)
    assert [o["id"] for o in swept] == [sell["id"]]
    assert alice.fetch_open_orders(OIL) == []
    assert alice.fetch_balance()["KOIL"]["used"] == 0.0


def test_errors_map_to_the_exceptions_ccxt_users_catch(server: ExchangeServer) -> None:
    trader = server.user("ccxt-errors", KRW="100000")
    exchange = binance(server, trader)
    exchange.load_markets()
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order(SYMBOL, "limit", "buy", 1, 130000)
    with pytest.raises(ccxt.OrderNotFound):
        exchange.fetch_order("987654", SYMBOL)
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_order("987654", SYMBOL)
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_all_orders(SYMBOL)  # nothing open: -2011, as Binance answers
    # -1013 is BadRequest in ccxt's code table; LOT_SIZE and PRICE_FILTER in the body make
    # it InvalidOrder (binance.handle_errors), as with Binance itself.
    with pytest.raises(ccxt.BadRequest, match="NOTIONAL"):  # 0.1 x 10 KRW < 5000 KRW
        exchange.create_order(SYMBOL, "limit", "buy", 0.1, 10)
    with pytest.raises(ccxt.InvalidOrder, match="LOT_SIZE"):  # over maxQty
        exchange.create_order(SYMBOL, "limit", "buy", 200000, 10)
    with pytest.raises(ccxt.InvalidOrder, match="PRICE_FILTER"):  # off the 10 KRW tick
        # create_order would round the price first; the raw call sends it as it is.
        exchange.privatePostOrder(
            {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
             "quantity": "0.1", "price": "100005"}
        )  # fmt: skip
    with pytest.raises(ccxt.BadSymbol):
        exchange.publicGetDepth({"symbol": "NOPE"})
    exchange.options["timeDifference"] = 120_000  # the request's timestamp 2 minutes old
    with pytest.raises(ccxt.InvalidNonce):
        exchange.fetch_balance()
    exchange.options["timeDifference"] = 0
    exchange.secret = "x" * 64
    with pytest.raises(ccxt.AuthenticationError):
        exchange.fetch_balance()
    exchange.apiKey = "y" * 64
    with pytest.raises(ccxt.AuthenticationError):
        exchange.fetch_balance()
