"""A real engine feeding `MarketData`, one command at a time, as the runtime will.

KGLDKRW: KGLD has 4 decimals, KRW none; tick 10 KRW, step 0.1 KGLD. Times are given in
milliseconds by the tests and stamped in microseconds on the commands.
"""

from assetport.domain.commands import Command, Deposit, ListAsset, ListMarket, PlaceOrder
from assetport.domain.events import Event
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.units import to_units
from assetport.engine.engine import Engine
from assetport.marketdata.hub import MarketData

GOLD = "KGLDKRW"
ALICE, BOB, CAROL = 100, 101, 102
T0 = 1_700_000_000_000  # ms: Tuesday 2023-11-14 22:13:20 UTC


def kgld(amount: str) -> int:
    return to_units(amount, 4)


GOLD_MARKET = Market(
    symbol=GOLD,
    base="KGLD",
    quote="KRW",
    tick_size=10,
    step_size=kgld("0.1"),
    min_qty=kgld("0.1"),
    max_qty=kgld("10000"),
    min_price=10,
    max_price=100_000_000,
    max_num_orders=1000,
)


class Feed:
    def __init__(self, start_ms: int = T0) -> None:
        self.engine = Engine()
        self.md = MarketData()
        self.seq = 0
        self.now_ms = start_ms
        self.do(ListAsset("KRW", 0))
        self.do(ListAsset("KGLD", 4))
        self.do(ListMarket(GOLD_MARKET))
        for account in (ALICE, BOB, CAROL):
            self.do(Deposit(account, "KRW", 10**13, f"krw-{account}"))
            self.do(Deposit(account, "KGLD", kgld("1000000"), f"kgld-{account}"))

    def lookup(self, symbol: str, side: Side, price: int) -> int:
        market = self.engine.markets[symbol]
        return (market.bids if side is Side.BUY else market.asks).visible_at(price)

    def do(self, command: Command, at_ms: int | None = None) -> list[Event]:
        if at_ms is not None:
            self.now_ms = at_ms
        self.seq += 1
        events = self.engine.apply(self.seq, self.now_ms * 1000, command)
        self.md.apply(self.seq, events, self.lookup)
        return events

    def limit(
        self, account: int, side: Side, qty: str, price: int, at_ms: int | None = None, **kw: object
    ) -> list[Event]:
        order = PlaceOrder(
            account,
            GOLD,
            side,
            OrderType.LIMIT,
            quantity=kgld(qty),
            price=price,
            time_in_force=TimeInForce.GTC,
            **kw,  # type: ignore[arg-type]
        )
        return self.do(order, at_ms)

    def trade(self, qty: str, price: int, at_ms: int, taker_buys: bool = True) -> None:
        """One trade of `qty` at `price`: a resting order by Alice, a taker by Bob."""
        maker, taker = (Side.SELL, Side.BUY) if taker_buys else (Side.BUY, Side.SELL)
        self.limit(ALICE, maker, qty, price, at_ms)
        self.limit(BOB, taker, qty, price, at_ms)

    def book(self, side: Side) -> list[tuple[int, int]]:
        market = self.engine.markets[GOLD]
        return (market.bids if side is Side.BUY else market.asks).depth()
