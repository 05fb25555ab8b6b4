"""The gateway's views, built from the events, agree with the engine's read API: the markets
as they trade now and the fee rule, balances from postings, and the state a gateway starts
from (`read_state`, what the command port's `Read` sends), book levels included."""

from assetport.domain.commands import (
    AmendOrder,
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetAccountFees,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
)
from assetport.domain.events import Event
from assetport.domain.markets import Market, MarketStatus
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine
from assetport.runtime.port_server import read_state, visible_quantity
from assetport.views.balances import Balances
from assetport.views.markets import Markets
from assetport.views.orders import OrderRecords

GOLD, OIL = "KGLDKRW", "KOILKRW"
ALICE, BOB = 1000, 1001


def _market(symbol: str, base: str) -> Market:
    return Market(
        symbol, base, "KRW", tick_size=10, step_size=1000, min_qty=1000, max_qty=10**8,
        maker_fee_bps=10, taker_fee_bps=20,
    )  # fmt: skip


class Run:
    """An engine, and the views following its events as a gateway's do."""

    def __init__(self) -> None:
        self.engine = Engine()
        self.markets = Markets()
        self.balances = Balances()
        self.orders = OrderRecords()

    def do(self, command: Command) -> list[Event]:
        events = self.engine.apply(self.engine.last_seq + 1, 1_000_000, command)
        self.markets.apply(events)
        self.balances.apply(events)
        self.orders.apply(events)
        return events

    def setup(self) -> None:
        for code, precision in (("KRW", 0), ("KGLD", 4), ("KOIL", 4)):
            self.do(ListAsset(code, precision))
        self.do(ListMarket(_market(GOLD, "KGLD")))
        self.do(ListMarket(_market(OIL, "KOIL")))
        for account in (ALICE, BOB):
            self.do(Deposit(account, "KRW", 10_000_000, f"krw-{account}"))
            self.do(Deposit(account, "KGLD", 100_000, f"kgld-{account}"))

    def limit(self, account: int, side: Side, quantity: int, price: int, **extra: int) -> None:
        self.do(
            PlaceOrder(
                account, GOLD, side, OrderType.LIMIT, quantity, price, TimeInForce.GTC, **extra
            )
        )


def test_the_markets_view_follows_listings_and_operators_as_the_engine_has_them() -> None:
    run = Run()
    run.setup()
    run.do(SetMarketStatus(OIL, MarketStatus.CANCEL_ONLY))
    run.do(SetMarketFees(GOLD, 5, 7))
    run.do(SetMarketSelfTradePrevention(GOLD, SelfTradePrevention.EXPIRE_TAKER, True))
    run.do(SetAccountFees(ALICE, 0, 3))
    run.do(SetAccountFees(BOB, 1, 2))
    run.do(SetAccountFees(BOB, -1, -1))  # removed again
    assert list(run.markets.terms.values()) == run.engine.listed_markets()
    assert run.markets.fee_overrides == run.engine.fee_overrides() == {ALICE: (0, 3)}
    for account in (ALICE, BOB, 1002):
        for symbol in (GOLD, OIL):
            # The one fee rule: the view's and the engine's agree.
            assert run.markets.fee_rates(account, symbol) == run.engine.fee_rates(account, symbol)
    assert [run.markets.assets[a.code] for a in run.engine.listed_assets()] == (
        run.engine.listed_assets()
    )
    assert (run.markets.base(GOLD), run.markets.quote(GOLD)) == (4, 0)


def test_balances_from_postings_are_the_engine_s() -> None:
    run = Run()
    run.setup()
    run.do(SetAccountFees(BOB, 0, 50))
    run.limit(ALICE, Side.SELL, 30_000, 130_000, iceberg_qty=10_000)
    run.limit(BOB, Side.BUY, 12_000, 131_000)  # takes, with a price improvement
    run.limit(BOB, Side.BUY, 5_000, 120_000)
    run.do(AmendOrder(BOB, GOLD, 2_000, order_id=3))
    run.do(CancelOrder(ALICE, GOLD, order_id=1))
    for account in (ALICE, BOB):
        assert run.balances.of(account) == run.engine.balances(account)


def test_the_start_state_has_the_engine_s_books_and_open_orders() -> None:
    run = Run()
    run.setup()
    run.limit(ALICE, Side.SELL, 30_000, 130_000, iceberg_qty=10_000)  # shows 1.0 of 3.0
    run.limit(ALICE, Side.SELL, 20_000, 130_000)
    run.limit(BOB, Side.BUY, 15_000, 130_000)  # takes the iceberg's slice and half the next
    run.limit(BOB, Side.BUY, 5_000, 120_000)
    run.limit(BOB, Side.BUY, 5_000, 120_000)
    run.do(
        PlaceOrder(
            BOB,
            GOLD,
            Side.BUY,
            OrderType.STOP_LOSS_LIMIT,
            1_000,
            140_000,
            TimeInForce.GTC,
            stop_price=140_000,
        )
    )  # fmt: skip  (waits for its stop: not in the book)
    seed = read_state(run.engine, balances=True)
    assert seed.last_seq == run.engine.last_seq
    assert seed.markets == run.engine.listed_markets()
    assert seed.balances == run.engine.balances()
    book = seed.books[GOLD]
    # What the engine's own book shows, level by level.
    m = run.engine.markets[GOLD]
    assert book.bids == m.bids.depth() and book.asks == m.asks.depth()
    assert book.asks == [(130_000, 5_000 + 20_000)] and book.bids == [(120_000, 10_000)]
    for price, quantity in book.asks:
        assert visible_quantity(run.engine, GOLD, Side.SELL, price) == quantity
    assert seed.books[OIL].bids == seed.books[OIL].asks == []
    # The order view restored from it has every open order as the running one has it.
    restored = OrderRecords()
    restored.apply([])
    restored.restore(seed.open_orders)
    for order in seed.open_orders:
        mine, theirs = restored.get(order.order_id), run.orders.get(order.order_id)
        assert mine is not None and theirs is not None
        assert (mine.status, mine.executed, mine.working) == (
            theirs.status,
            theirs.executed,
            theirs.working,
        )
    assert {o.order_id for o in seed.open_orders} == {1, 2, 4, 5, 6}
