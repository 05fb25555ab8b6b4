"""Self-trade prevention as Binance has it today: an order that names no mode expires the
account's own resting order (EXPIRE_MAKER) instead of trading with it, and NONE is refused
unless an operator allowed it for the market. Before, the default was NONE: one account
traded with itself at any price it liked, and moved the last price other users' stop
orders follow. Wash trades are unlawful under Korea's Virtual Asset User Protection Act."""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from exchange_server import ROOT, ExchangeServer, Trader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "ws"))
from ws_support import WsApi, hmac_signed

from assetport.domain.commands import Deposit, ListAsset, ListMarket, PlaceOrder, encode_command
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record

STP_REFUSED = {
    "code": -1013,
    "msg": "This symbol does not allow the specified self-trade prevention mode.",
}
WITHOUT_NONE = ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
EVERY_MODE = ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("stp") / "data") as running:
        yield running


def order(
    trader: Trader,
    side: str,
    price: str,
    symbol: str = "KGLDKRW",
    quantity: str = "1",
    **extra: Any,
) -> Any:
    return trader.post(
        "/api/v3/order", symbol=symbol, side=side, type="LIMIT", timeInForce="GTC",
        quantity=quantity, price=price, **extra,
    )  # fmt: skip


def policy(server: ExchangeServer, symbol: str) -> tuple[str, list[str]]:
    status, info = server.request("GET", f"/api/v3/exchangeInfo?symbol={symbol}")
    assert status == 200, info
    (market,) = info["symbols"]
    return market["defaultSelfTradePreventionMode"], market["allowedSelfTradePreventionModes"]


def admin_cli(server: ExchangeServer, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", "admin", "--data-dir", str(server.data_dir),
         *arguments],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip


def test_an_account_does_not_trade_with_itself_by_default(server: ExchangeServer) -> None:
    trader = server.user("stp-default", KRW="1000000", KGLD="5")
    status, ask = order(trader, "SELL", "120000")
    assert status == 200, ask
    status, bid = order(trader, "BUY", "120000")
    assert status == 200, bid
    assert (bid["selfTradePreventionMode"], bid["fills"], bid["status"]) == (
        "EXPIRE_MAKER",
        [],
        "NEW",
    )
    status, own = trader.get("/api/v3/order", symbol="KGLDKRW", orderId=ask["orderId"])
    assert status == 200 and own["status"] == "EXPIRED_IN_MATCH", own
    # No trade: the gold is all back, the won held by the resting bid only.
    assert trader.balance("KGLD") == ("5.0000", "0.0000")
    assert trader.balance("KRW") == ("879940", "120060")  # with the fee in KRW (0.05 %)


def test_none_is_refused_with_binances_error_and_changes_nothing(server: ExchangeServer) -> None:
    trader = server.user("stp-none", KRW="1000000", KGLD="5")
    status, ask = order(trader, "SELL", "121000")
    assert status == 200, ask
    assert order(trader, "BUY", "121000", selfTradePreventionMode="NONE") == (400, STP_REFUSED)
    status, tested = trader.post(
        "/api/v3/order/test", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity="1", price="121000", selfTradePreventionMode="NONE",
    )  # fmt: skip
    assert (status, tested) == (400, STP_REFUSED)

    async def over_the_websocket_api() -> dict[str, Any]:
        api = await WsApi.open(server)
        try:
            params = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT",
                      "timeInForce": "GTC", "quantity": "1", "price": "121000",
                      "selfTradePreventionMode": "NONE"}  # fmt: skip
            return await api.request("order.place", hmac_signed(trader, params))
        finally:
            await api.close()

    answer = asyncio.run(over_the_websocket_api())
    assert (answer["status"], answer["error"]) == (400, STP_REFUSED)
    assert trader.balance("KRW") == ("1000000", "0")
    assert trader.balance("KGLD") == ("4.0000", "1.0000")


def test_exchange_info_shows_the_policy_in_force(server: ExchangeServer) -> None:
    for symbol in ("KGLDKRW", "BTCKRW"):
        assert policy(server, symbol) == ("EXPIRE_MAKER", WITHOUT_NONE)


def test_the_operator_allows_none_for_one_market_and_a_restart_keeps_it(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        trader = server.user("stp-operator", KRW="1000000", KSLV="50")
        done = admin_cli(server, "stp", "KSLVKRW", "EXPIRE_TAKER", "--allow-none")
        assert done.returncode == 0, done.stderr
        assert policy(server, "KSLVKRW") == ("EXPIRE_TAKER", EVERY_MODE)
        assert policy(server, "KGLDKRW") == ("EXPIRE_MAKER", WITHOUT_NONE)
        status, ask = order(trader, "SELL", "1700", symbol="KSLVKRW", quantity="3")
        assert status == 200, ask
        status, bid = order(
            trader, "BUY", "1700", symbol="KSLVKRW", quantity="3", selfTradePreventionMode="NONE"
        )
        assert status == 200 and bid["status"] == "FILLED", bid
        # A default of NONE must say NONE is allowed: refused, with the reason.
        refused = admin_cli(server, "stp", "KSLVKRW", "NONE")
        assert refused.returncode == 1
        assert "must allow NONE" in refused.stderr
    # The switch is a journaled command: the restarted engine replays it.
    with ExchangeServer(tmp_path / "data") as server:
        assert policy(server, "KSLVKRW") == ("EXPIRE_TAKER", EVERY_MODE)
        done = admin_cli(server, "stp", "KSLVKRW", "EXPIRE_MAKER")
        assert done.returncode == 0, done.stderr
        assert policy(server, "KSLVKRW") == ("EXPIRE_MAKER", WITHOUT_NONE)


def _old_journal(data_dir: Path) -> None:
    """A journal written before markets had a self-trade policy: KGLDKRW listed with the old
    default NONE (and no `allow_stp_none` in its record), and account 1000 trading with
    itself there."""
    listing = msgspec.msgpack.decode(
        encode_command(
            ListMarket(
                Market("KGLDKRW", "KGLD", "KRW", tick_size=10, step_size=1_000, min_qty=1_000,
                       max_qty=10**9, min_notional=5_000, default_stp=SelfTradePrevention.NONE)
            )
        )
    )  # fmt: skip
    listing[1].pop("allow_stp_none", None)
    payloads = [
        encode_command(ListAsset("KRW", 0)),
        encode_command(ListAsset("KGLD", 4)),
        msgspec.msgpack.encode(listing),
        encode_command(Deposit(1000, "KRW", 1_000_000, "old-krw")),
        encode_command(Deposit(1000, "KGLD", 50_000, "old-kgld")),
        encode_command(PlaceOrder(1000, "KGLDKRW", Side.SELL, OrderType.LIMIT, 10_000, 100_000)),
        encode_command(PlaceOrder(1000, "KGLDKRW", Side.BUY, OrderType.LIMIT, 10_000, 100_000)),
    ]
    journal = FileJournal.in_data_dir(data_dir)
    journal.open()
    now = time.time_ns() // 1_000
    journal.append([Record(seq, now, payload) for seq, payload in enumerate(payloads, 1)])
    journal.close()


def test_a_market_listed_under_the_old_default_gets_the_listing_policy_at_start(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    _old_journal(data_dir)
    with ExchangeServer(data_dir) as server:
        # The old records replayed as they ran (the self-trade is in the history), and the
        # market now follows the listing's policy.
        status, trades = server.request("GET", "/api/v3/aggTrades?symbol=KGLDKRW")
        assert status == 200, trades
        assert [(t["p"], t["q"]) for t in trades] == [("100000", "1.0000")]
        assert policy(server, "KGLDKRW") == ("EXPIRE_MAKER", WITHOUT_NONE)
        trader = server.user("stp-upgraded", KRW="1000000", KGLD="5")
        assert order(trader, "BUY", "100000", selfTradePreventionMode="NONE") == (
            400,
            STP_REFUSED,
        )
    replayed = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "journal", "replay", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stderr
    assert '"ledger_sums_to_zero": true' in replayed.stdout
