"""The engine matches exactly like a naive reference book.

On the orders where funds, fees, self-trade prevention and icebergs make no difference
(LIMIT GTC/IOC/FOK and MARKET by quantity from well-funded accounts, STP NONE, plus
cancels), the engine must produce the trades the reference produces (same resting orders
hit, same prices, same quantities, same order) and leave the same orders resting in the same
priority. A difference is a fill a user would dispute.
"""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from engine_invariants import crossed_books
from engine_streams import KGLDKRW, START_TIME, TRADERS, apply_all, venue
from hypothesis import given, settings
from hypothesis import strategies as st
from naive_book import Fill, NaiveBook

from assetport.domain.commands import (
    CancelAllOrders,
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetMarketFees,
)
from assetport.domain.events import (
    CommandRejected,
    Event,
    OrderAccepted,
    OrderCanceled,
    TradeExecuted,
)
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine

STP_NONE = SelfTradePrevention.NONE
MARKET = KGLDKRW.market
REFERENCE_ACCOUNTS = (2, 3, 4)  # the rich ones: no order of theirs here fails for funds
assert set(REFERENCE_ACCOUNTS) <= set(TRADERS)

# A step is what the reference streams think in: quantities are whole steps, prices whole
# ticks around the mid.
steps = st.integers(1, 8).map(lambda n: n * MARKET.step_size)
ticks = st.integers(-4, 4).map(lambda k: KGLDKRW.mid + k * MARKET.tick_size)
reference_accounts = st.sampled_from(REFERENCE_ACCOUNTS)

limit_orders = st.builds(
    lambda account, side, quantity, price, tif: PlaceOrder(
        account, MARKET.symbol, side, OrderType.LIMIT, quantity, price, tif, stp_mode=STP_NONE
    ),
    reference_accounts,
    st.sampled_from(Side),
    steps,
    ticks,
    st.sampled_from((TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK)),
)
market_orders = st.builds(
    lambda account, side, quantity: PlaceOrder(
        account, MARKET.symbol, side, OrderType.MARKET, quantity, stp_mode=STP_NONE
    ),
    reference_accounts,
    st.sampled_from(Side),
    steps,
)
cancels = st.builds(
    lambda account, order_id: CancelOrder(account, MARKET.symbol, order_id),
    reference_accounts,
    st.integers(1, 30),
)
cancel_alls = st.builds(lambda account: CancelAllOrders(account, MARKET.symbol), reference_accounts)
reference_streams = st.lists(
    st.one_of(limit_orders, limit_orders, market_orders, cancels, cancel_alls),
    min_size=10,
    max_size=80,
)


class Comparison:
    """Feeds each command to the engine and the reference and says how they differ."""

    def __init__(self, engine: Engine, symbol: str) -> None:
        self.engine = engine
        self.symbol = symbol
        self.reference = NaiveBook()
        self.fills = 0
        self.volume = 0

    def apply(self, command: Command) -> None:
        seq = self.engine.last_seq + 1
        events = self.engine.apply(seq, START_TIME + seq, command)
        where = f"command {command!r}\nevents {events!r}"
        if isinstance(command, PlaceOrder):
            self._place(command, events, where)
        elif isinstance(command, CancelOrder):
            done = self.reference.cancel(command.order_id, command.account)
            if done:
                assert _canceled(events) == [command.order_id], where
            else:
                assert _rejected(events), f"the reference has no such order\n{where}"
        elif isinstance(command, CancelAllOrders):
            ids = self.reference.cancel_all(command.account)
            if ids:
                assert _canceled(events) == ids, where
            else:
                assert _rejected(events), f"the reference has no such orders\n{where}"
        else:
            raise TypeError(f"not a reference command: {command!r}")

    def _place(self, command: PlaceOrder, events: list[Event], where: str) -> None:
        accepted = events[0]
        expected_id = self.engine.next_order_id - 1
        assert isinstance(accepted, OrderAccepted), f"a valid order was refused\n{where}"
        assert accepted.order_id == expected_id, where
        trades = [e for e in events if isinstance(e, TradeExecuted)]
        engine_fills = [
            Fill(t.buyer_order_id if t.buyer_is_maker else t.seller_order_id, t.price, t.quantity)
            for t in trades
        ]
        takers = {t.buyer_order_id if not t.buyer_is_maker else t.seller_order_id for t in trades}
        assert takers <= {accepted.order_id}, f"a trade names another taker\n{where}"
        is_buy = command.side is Side.BUY
        price = command.price if command.type is OrderType.LIMIT else None
        tif = (command.time_in_force or TimeInForce.GTC).value
        expected = self.reference.place(
            accepted.order_id, command.account, is_buy, command.quantity, price, tif
        )
        assert engine_fills == expected, (
            f"engine fills {engine_fills}\nreference fills {expected}\n{where}"
        )
        self.fills += len(trades)
        self.volume += sum(t.quantity for t in trades)

    def book_differences(self) -> str | None:
        """None when both books rest the same orders, in the same priority, else a report."""
        m = self.engine.markets[self.symbol]
        for name, engine_side, reference_side in (
            ("bids", m.bids.orders(), self.reference.bid_orders()),
            ("asks", m.asks.orders(), self.reference.ask_orders()),
        ):
            mine = [(o.order_id, o.price, o.remaining) for o in engine_side]
            theirs = [(o.order_id, o.price, o.remaining) for o in reference_side]
            if mine != theirs:
                return f"{name} differ:\n  engine    {mine}\n  reference {theirs}"
        return None


def _canceled(events: list[Event]) -> list[int]:
    return [e.order_id for e in events if isinstance(e, OrderCanceled)]


def _rejected(events: list[Event]) -> bool:
    return len(events) == 1 and isinstance(events[0], CommandRejected)


@settings(max_examples=200, deadline=None)
@given(reference_streams, st.sampled_from(((0, 0), (10, 25), (1_000, 1_000))))
def test_engine_matches_the_reference_book(commands: list[Command], fees: tuple[int, int]) -> None:
    # Fees are charged in what each side receives, so they must not change who trades.
    engine = venue()
    apply_all(engine, [SetMarketFees(MARKET.symbol, *fees)])
    comparison = Comparison(engine, MARKET.symbol)
    for index, command in enumerate(commands):
        comparison.apply(command)
        difference = comparison.book_differences()
        assert difference is None, f"after command #{index} {command!r}\n{difference}"
        # What each level shows (kept as a sum as orders come, trade and go) is its orders'.
        assert not crossed_books(engine), f"after command #{index} {command!r}"


# ------------------------------------------------------------------------- shared workload

WORKLOAD_OPS = 20_000
WORKLOAD_SEED = 7
WORKLOAD_ACCOUNTS = 1_000
FIRST_WORKLOAD_ACCOUNT = 10  # workload account a trades as 10 + a
LOB = Market(
    symbol="LOBKRW",
    base="LOB",
    quote="KRW",
    tick_size=1,
    step_size=1,
    min_qty=1,
    max_qty=1_000_000,
    max_num_orders=100_000,
    maker_fee_bps=5,
    taker_fee_bps=10,
    default_stp=STP_NONE,
    allow_stp_none=True,
)


def _load_workload() -> ModuleType:
    """The shared workload generator, from the `shared/workloads` folder next to the repo."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "workloads" / "lob_workload.py"
        if candidate.exists():
            spec = importlib.util.spec_from_file_location("lob_workload", candidate)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    # CI has ../shared/ next to the clone: a missing workload is a broken checkout, not a skip.
    pytest.fail("../shared/workloads/lob_workload.py is not next to this checkout")


def _workload_engine() -> Engine:
    engine = Engine()
    setup: list[Command] = [ListAsset("KRW", 0), ListAsset("LOB", 0), ListMarket(LOB)]
    for a in range(WORKLOAD_ACCOUNTS):
        account = FIRST_WORKLOAD_ACCOUNT + a
        setup.append(Deposit(account, "KRW", 10**15, f"krw-{account}"))
        setup.append(Deposit(account, "LOB", 10**12, f"lob-{account}"))
    apply_all(engine, setup)
    return engine


def test_engine_matches_the_reference_on_the_shared_workload() -> None:
    workload = _load_workload()
    stats: dict[str, Any] = {}
    ops = list(workload.generate(WORKLOAD_OPS, WORKLOAD_SEED, stats=stats))
    engine = _workload_engine()
    comparison = Comparison(engine, LOB.symbol)
    first_id = engine.next_order_id
    for index, (op, oid, side, price, qty, acct) in enumerate(ops):
        account = FIRST_WORKLOAD_ACCOUNT + acct
        if op == 0:
            # The workload numbers its orders 1, 2, 3... in arrival order, as the engine does.
            assert engine.next_order_id == first_id + oid - 1
            command: Command = PlaceOrder(
                account,
                LOB.symbol,
                Side.BUY if side == 0 else Side.SELL,
                OrderType.LIMIT,
                qty,
                price,
                TimeInForce.GTC,
                stp_mode=STP_NONE,
            )
        else:
            command = CancelOrder(account, LOB.symbol, first_id + oid - 1)
        comparison.apply(command)
        # The whole book every so often: comparing it after each op would take minutes.
        if index % 2_000 == 0 or index == len(ops) - 1:
            difference = comparison.book_differences()
            assert difference is None, f"after op #{index} {ops[index]}\n{difference}"

    m = engine.markets[LOB.symbol]
    assert comparison.fills == stats["fills"], "resting orders touched"
    assert comparison.volume == stats["volume"], "lots traded"
    assert len(m.bids) + len(m.asks) == stats["live"], "orders live at the end"
    assert engine.next_order_id - first_id == stats["orders"]
