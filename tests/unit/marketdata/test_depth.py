"""Depth diffs against a real engine: ids are contiguous, and a snapshot plus the diffs that
follow it reproduce the engine's book exactly, as a ccxt or python-binance client rebuilds it."""

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from marketdata_harness import ALICE, BOB, CAROL, GOLD, Feed, kgld

from assetport.domain.commands import AmendOrder, CancelOrder, PlaceOrder
from assetport.domain.orders import OrderType, Side
from assetport.domain.units import from_units

FAST, SLOW = "kgldkrw@depth@100ms", "kgldkrw@depth"
ACCOUNTS = st.sampled_from([ALICE, BOB, CAROL])
SIDES = st.sampled_from([Side.BUY, Side.SELL])
PRICES = st.integers(95, 105).map(lambda k: 10 * k)
QTYS = st.integers(1, 30).map(lambda n: n * 1000)  # 0.1 to 3.0 KGLD

OPS = st.one_of(
    st.tuples(st.just("limit"), ACCOUNTS, SIDES, PRICES, QTYS, st.sampled_from([0, 0, 1000])),
    st.tuples(st.just("market"), ACCOUNTS, SIDES, QTYS),
    st.tuples(st.just("stop"), ACCOUNTS, SIDES, PRICES, QTYS),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(st.just("amend"), st.integers(0, 50)),
    st.tuples(st.just("tick"), st.integers(0, 1500)),
    st.tuples(st.just("snapshot"), st.booleans()),
)


class Client:
    """Binance's recipe: buffer diffs, drop those the snapshot covers, then require each
    next diff to start right after the previous one (python-binance: from the first one)."""

    def __init__(self, snapshot: dict[str, Any], strict: bool) -> None:
        self.nonce: int = snapshot["lastUpdateId"]
        self.strict = strict
        self.started = False
        self.bids = {p: q for p, q in snapshot["bids"]}
        self.asks = {p: q for p, q in snapshot["asks"]}

    def apply(self, diff: dict[str, Any]) -> None:
        if diff["u"] <= self.nonce:
            return
        if self.started or self.strict:
            assert diff["U"] == self.nonce + 1, (diff["U"], self.nonce)
        else:
            assert diff["U"] - 1 <= self.nonce <= diff["u"] - 1
        self.started = True
        self.nonce = diff["u"]
        for levels, changes in ((self.bids, diff["b"]), (self.asks, diff["a"])):
            for price, qty in changes:
                if Decimal(qty) == 0:
                    levels.pop(price, None)
                else:
                    levels[price] = qty

    def book(self) -> tuple[list[list[str]], list[list[str]]]:
        bids = sorted(self.bids.items(), key=lambda pq: -int(pq[0]))
        asks = sorted(self.asks.items(), key=lambda pq: int(pq[0]))
        return [list(x) for x in bids], [list(x) for x in asks]


def engine_book(feed: Feed) -> tuple[list[list[str]], list[list[str]]]:
    return tuple(  # type: ignore[return-value]
        [[from_units(p, 0), from_units(q, 4)] for p, q in feed.book(side)]
        for side in (Side.BUY, Side.SELL)
    )


def place(feed: Feed, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "limit":
        _, account, side, price, qty, iceberg = op
        feed.do(PlaceOrder(account, GOLD, side, OrderType.LIMIT, quantity=qty, price=price,
                           iceberg_qty=iceberg if iceberg < qty else 0))  # fmt: skip
    elif kind == "market":
        _, account, side, qty = op
        feed.do(PlaceOrder(account, GOLD, side, OrderType.MARKET, quantity=qty))
    elif kind == "stop":
        _, account, side, price, qty = op
        last = feed.engine.markets[GOLD].last_price or 1000
        stop = last + 20 if side is Side.BUY else last - 20
        feed.do(PlaceOrder(account, GOLD, side, OrderType.STOP_LOSS_LIMIT, quantity=qty,
                           price=price, stop_price=max(stop, 10)))  # fmt: skip
    else:
        orders = feed.engine.open_orders(GOLD)
        if not orders:
            return
        order = orders[op[1] % len(orders)]
        if kind == "cancel":
            feed.do(CancelOrder(order.account, GOLD, order_id=order.order_id))
        else:
            feed.do(AmendOrder(order.account, GOLD, max(kgld("0.1"), order.quantity // 2),
                               order_id=order.order_id))  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(OPS, min_size=1, max_size=120))
def test_snapshot_plus_diffs_reproduce_the_engine_book(ops: list[tuple[Any, ...]]) -> None:
    feed = Feed()
    md = feed.md
    now = feed.now_ms
    clients: list[tuple[str, Client]] = [
        (FAST, Client(md.depth_snapshot(GOLD, 5000), strict=True)),
        (SLOW, Client(md.depth_snapshot(GOLD, 5000), strict=True)),
    ]
    last_u = {FAST: 0, SLOW: 0}
    for op in ops:
        if op[0] == "tick":
            now += op[1]
            out = md.due(now, {FAST, SLOW})
            for name in (FAST, SLOW):
                for diff in out.get(name, []):
                    assert diff["U"] == last_u[name] + 1 and diff["u"] >= diff["U"]
                    assert diff["E"] == now and diff["s"] == GOLD
                    last_u[name] = diff["u"]
                    for stream, client in clients:
                        if stream == name:
                            client.apply(diff)
        elif op[0] == "snapshot":
            # A 100 ms client may snapshot any time; a 1 s python-binance one right after a
            # 1 s batch, which the 100 ms batch published together with it.
            snap = md.depth_snapshot(GOLD, 5000)
            if op[1]:
                clients.append((FAST, Client(snap, strict=False)))
            elif snap["lastUpdateId"] == last_u[SLOW]:
                clients.append((SLOW, Client(snap, strict=True)))
        else:
            place(feed, op)
            feed.now_ms = now
        # bookTicker and the REST bookTicker follow the live book.
        top = md.book_ticker(GOLD)
        bids, asks = feed.book(Side.BUY), feed.book(Side.SELL)
        assert (top["bidPrice"], top["bidQty"]) == (
            (from_units(bids[0][0], 0), from_units(bids[0][1], 4)) if bids else ("0", "0.0000")
        )
        assert (top["askPrice"], top["askQty"]) == (
            (from_units(asks[0][0], 0), from_units(asks[0][1], 4)) if asks else ("0", "0.0000")
        )
    now = (now // 1000 + 1) * 1000  # a 1 s boundary: both batches publish
    out = md.due(now, {FAST, SLOW})
    for name, client in clients:
        for diff in out.get(name, []):
            client.apply(diff)
    expected = engine_book(feed)
    for _, client in clients:
        assert client.book() == expected
    snap = md.depth_snapshot(GOLD, 5000)
    assert (snap["bids"], snap["asks"]) == expected
    assert snap["lastUpdateId"] == md.depth.books[GOLD].update_id


def test_update_id_moves_once_per_command_that_changes_the_book() -> None:
    feed = Feed()
    md = feed.md
    feed.limit(ALICE, Side.SELL, "1.0", 1000)
    feed.limit(ALICE, Side.SELL, "1.0", 1010)
    feed.limit(BOB, Side.BUY, "0.1", 900)
    feed.do(CancelOrder(BOB, GOLD, order_id=999))  # rejected: no change
    assert md.depth.books[GOLD].update_id == 3
    # A sweep of two levels is one update.
    feed.limit(BOB, Side.BUY, "1.5", 1010)
    out = md.due(feed.now_ms + 100)
    (diff,) = out["kgldkrw@depth@100ms"]
    assert (diff["U"], diff["u"]) == (1, 4)
    assert diff["b"] == [["900", "0.1000"]]
    assert diff["a"] == [["1000", "0.00000000"], ["1010", "0.5000"]]
    partial = out["kgldkrw@depth5@100ms"][0]
    assert partial == {"lastUpdateId": 4, "bids": [["900", "0.1000"]], "asks": [["1010", "0.5000"]]}
    assert md.depth_snapshot(GOLD, 1) == partial
    assert out["kgldkrw@depth"][0]["u"] == 4  # the first call publishes both batches
    feed.limit(BOB, Side.BUY, "0.1", 910)
    out = md.due(feed.now_ms + 200)
    assert [(d["U"], d["u"]) for d in out["kgldkrw@depth@100ms"]] == [(5, 5)]
    assert "kgldkrw@depth" not in out  # the 1 s batch waits for its boundary
    out = md.due(feed.now_ms + 1000)
    assert [(d["U"], d["u"]) for d in out["kgldkrw@depth"]] == [(5, 5)]


def test_iceberg_shows_only_its_slice() -> None:
    feed = Feed()
    feed.do(PlaceOrder(ALICE, GOLD, Side.SELL, OrderType.LIMIT, quantity=kgld("3.0"), price=1000,
                       iceberg_qty=kgld("1.0")))  # fmt: skip
    feed.limit(BOB, Side.BUY, "1.5", 1000)
    feed.md.due(feed.now_ms + 100)
    assert feed.md.depth_snapshot(GOLD)["asks"] == [["1000", "0.5000"]]
