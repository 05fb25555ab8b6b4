"""Recent trades and aggregate trades, from a real engine."""

from marketdata_harness import ALICE, BOB, CAROL, GOLD, T0, Feed, kgld

from assetport.domain.commands import PlaceOrder
from assetport.domain.orders import OrderType, Side


def sweep() -> Feed:
    """Two asks at 1000 (Alice, Carol) and one at 1010; Bob buys 2.5 through them."""
    feed = Feed()
    feed.limit(ALICE, Side.SELL, "1.0", 1000)
    feed.limit(CAROL, Side.SELL, "0.5", 1000)
    feed.limit(ALICE, Side.SELL, "2.0", 1010)
    feed.md.drain()
    feed.do(PlaceOrder(BOB, GOLD, Side.BUY, OrderType.MARKET, quantity=kgld("2.5")), T0 + 5)
    return feed


def test_fills_of_one_taker_at_one_price_are_one_agg_trade() -> None:
    feed = sweep()
    aggs = feed.md.agg_trades(GOLD)
    assert aggs == [
        {"a": 1, "p": "1000", "q": "1.5000", "f": 1, "l": 2, "T": T0 + 5, "m": False, "M": True},
        {"a": 2, "p": "1010", "q": "1.0000", "f": 3, "l": 3, "T": T0 + 5, "m": False, "M": True},
    ]
    # Another taker at the same price is another aggregate.
    feed.limit(CAROL, Side.BUY, "0.3", 1010, T0 + 9)
    assert [(a["a"], a["q"], a["f"], a["l"]) for a in feed.md.agg_trades(GOLD)][-1] == (
        3, "0.3000", 4, 4,
    )  # fmt: skip


def test_trades_rest_and_streams() -> None:
    feed = sweep()
    trades = feed.md.recent_trades(GOLD)
    assert trades[0] == {
        "id": 1, "price": "1000", "qty": "1.0000", "quoteQty": "1000", "time": T0 + 5,
        "isBuyerMaker": False, "isBestMatch": True,
    }  # fmt: skip
    assert [t["id"] for t in feed.md.recent_trades(GOLD, limit=2)] == [2, 3]
    assert [t["id"] for t in feed.md.historical_trades(GOLD, from_id=2, limit=1)] == [2]
    out = feed.md.drain({"kgldkrw@trade", "kgldkrw@aggTrade", "kgldkrw@bookTicker"})
    assert [m["t"] for m in out["kgldkrw@trade"]] == [1, 2, 3]
    assert out["kgldkrw@trade"][0] == {
        "e": "trade", "E": T0 + 5, "s": GOLD, "t": 1, "p": "1000", "q": "1.0000", "T": T0 + 5,
        "m": False, "M": True,
    }  # fmt: skip
    assert [(m["e"], m["a"], m["f"], m["l"]) for m in out["kgldkrw@aggTrade"]] == [
        ("aggTrade", 1, 1, 2),
        ("aggTrade", 2, 3, 3),
    ]
    (top,) = out["kgldkrw@bookTicker"]
    assert (top["s"], top["b"], top["B"], top["a"], top["A"]) == (GOLD, "0", "0.0000", "1010",
                                                                   "1.0000")  # fmt: skip
    assert feed.md.drain() == {}


def test_agg_trades_by_id_and_time() -> None:
    feed = Feed()
    for i in range(6):
        feed.trade("0.1", 1000, T0 + 1000 * i)
    md = feed.md
    assert [a["a"] for a in md.agg_trades(GOLD, from_id=4)] == [4, 5, 6]
    assert [a["a"] for a in md.agg_trades(GOLD, start_ms=T0 + 1500, limit=2)] == [3, 4]
    assert [a["a"] for a in md.agg_trades(GOLD, start_ms=T0 + 1000, end_ms=T0 + 3000)] == [2, 3, 4]
    assert [a["a"] for a in md.agg_trades(GOLD, end_ms=T0 + 2000, limit=2)] == [2, 3]
    assert [a["a"] for a in md.agg_trades(GOLD, limit=1)] == [6]
