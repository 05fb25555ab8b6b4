"""A small harness for engine tests: one engine, a few listed markets, funded accounts.

Amounts in tests are written in whole units through `units()` so that a reader can check
the figures by hand: KGLD has 4 decimals, KRW none, BTC 8.

After every command the harness checks the global balance (`assert_balanced`): each asset
sums to zero over all accounts, no account but the external one is below zero, and what the
products say they hold is what the ledger holds.
"""

from decimal import Decimal

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.commands import (
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
)
from assetport.domain.events import CommandRejected, Event, OrderAccepted
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.domain.results import RejectReason
from assetport.domain.units import to_units
from assetport.engine.engine import Engine
from assetport.engine.snapshot import decode_state, encode_state

GOLD = "KGLDKRW"
ALICE, BOB, CAROL = 100, 101, 102
KGLD_UNIT = 10_000


def kgld(amount: str) -> int:
    return to_units(Decimal(amount), 4)


def units(amount: str, precision: int) -> int:
    return to_units(Decimal(amount), precision)


GOLD_MARKET = Market(
    symbol=GOLD,
    base="KGLD",
    quote="KRW",
    tick_size=10,  # 10 KRW
    step_size=kgld("0.1"),
    min_qty=kgld("0.1"),
    max_qty=kgld("10000"),
    min_price=10,
    max_price=100_000_000,
    min_notional=5_000,
    max_num_orders=50,
    maker_fee_bps=10,
    taker_fee_bps=20,
)


class Exchange:
    """The engine with a sequencer of its own: every call is the next sequenced command."""

    def __init__(self, market: Market = GOLD_MARKET) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = 1_700_000_000_000_000
        self.do(ListAsset("KRW", 0))
        self.do(ListAsset("KGLD", 4))
        self.do(ListAsset("BTC", 8))
        self.do(ListMarket(market))

    def do(self, command: Command) -> list[Event]:
        self.seq += 1
        self.time += 1000
        events = self.engine.apply(self.seq, self.time, command)
        assert_balanced(self.engine)
        return events

    def fund(self, account: int, krw: int = 0, gold: int = 0) -> None:
        if krw:
            self.do(Deposit(account, "KRW", krw, f"fund-krw-{account}-{self.seq}"))
        if gold:
            self.do(Deposit(account, "KGLD", gold, f"fund-kgld-{account}-{self.seq}"))

    def limit(
        self,
        account: int,
        side: Side,
        quantity: int,
        price: int,
        tif: TimeInForce = TimeInForce.GTC,
        **fields: object,
    ) -> list[Event]:
        return self.do(
            PlaceOrder(
                account,
                GOLD,
                side,
                OrderType.LIMIT,
                quantity=quantity,
                price=price,
                time_in_force=tif,
                **fields,  # type: ignore[arg-type]
            )
        )

    def place(
        self, account: int, side: Side, order_type: OrderType, **fields: object
    ) -> list[Event]:
        return self.do(PlaceOrder(account, GOLD, side, order_type, **fields))  # type: ignore[arg-type]

    def cancel(self, account: int, order_id: int) -> list[Event]:
        return self.do(CancelOrder(account, GOLD, order_id=order_id))

    def balance(self, account: int, asset: str) -> tuple[int, int]:
        record = self.engine.ledger.balance(account, asset)
        return record.free, record.held

    def resting(self, side: Side) -> list[tuple[int, int, int]]:
        """(order id, price, visible quantity) in priority order."""
        m = self.engine.markets[GOLD]
        book = m.bids if side is Side.BUY else m.asks
        return [(o.order_id, o.price, o.visible) for o in book.orders()]


def assert_balanced(engine: Engine) -> None:
    """The ledger's global balance and the products' holds, as a user would audit them."""
    totals = engine.ledger_totals()
    assert not any(totals.values()), f"the ledger does not sum to zero: {totals}"
    held: dict[tuple[int, str], int] = {}
    for account, asset, free, on_hold in engine.balances():
        assert on_hold >= 0 and (free >= 0 or account == EXTERNAL_ACCOUNT), (account, asset)
        if on_hold:
            held[(account, asset)] = on_hold
    by_products: dict[tuple[int, str], int] = {}
    for hold in engine.holds():
        key = (hold.account, hold.asset)
        by_products[key] = by_products.get(key, 0) + hold.amount
    assert held == by_products, f"ledger holds {held}, the products hold {by_products}"


def fingerprint(engine: Engine) -> bytes:
    """The engine's state without its last sequence number, which every command advances,
    rejected or not: equal fingerprints mean the command changed nothing."""
    state = decode_state(engine.snapshot())
    state.last_seq = 0
    return encode_state(state)


def accepted_id(events: list[Event]) -> int:
    accepted = [e for e in events if isinstance(e, OrderAccepted)]
    assert accepted, f"no order accepted: {events}"
    return accepted[0].order_id


def rejection(events: list[Event]) -> RejectReason:
    assert len(events) == 1 and isinstance(events[0], CommandRejected), events
    return events[0].reason


def of_type(events: list[Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


STP = SelfTradePrevention
