"""A funded market for the runtime unit tests (a plain module: conftest names collide)."""

from assetport.domain.commands import Command, Deposit, ListAsset, ListMarket, PlaceOrder
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side

SYMBOL = "KGLDKRW"
STEP = 10_000


def funded_market() -> list[Command]:
    market = Market(
        symbol=SYMBOL,
        base="KGLD",
        quote="KRW",
        tick_size=1,
        step_size=STEP,
        min_qty=STEP,
        max_qty=1_000 * STEP,
        max_num_orders=1_000,
        maker_fee_bps=5,
        taker_fee_bps=10,
    )
    return [
        ListAsset("KRW", 0),
        ListAsset("KGLD", 4),
        ListMarket(market),
        Deposit(2, "KRW", 10**12, "krw-2"),
        Deposit(3, "KGLD", 10**9, "kgld-3"),
    ]


def buy(price: int, lots: int = 1) -> PlaceOrder:
    return PlaceOrder(2, SYMBOL, Side.BUY, OrderType.LIMIT, quantity=lots * STEP, price=price)


def sell(price: int, lots: int = 1) -> PlaceOrder:
    return PlaceOrder(3, SYMBOL, Side.SELL, OrderType.LIMIT, quantity=lots * STEP, price=price)
