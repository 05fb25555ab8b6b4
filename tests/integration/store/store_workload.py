"""A seeded, reproducible command stream for the read model's tests, and its events.

A plain module rather than conftest.py (conftest names collide across test folders). Two
markets, a few accounts, every order type, cancels, amends, deposits and withdrawals, with
the clock moving by up to a couple of minutes per command so that candles of many
intervals open and close. The engine runs it, so the events are the real ones.
"""

import random
from collections.abc import Iterator

from assetport.domain.commands import (
    AmendOrder,
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetMarketFees,
    Withdraw,
)
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine
from assetport.store.projection import Applied

START_US = 1_704_067_200_000_000  # 2024-01-01 00:00 UTC, a Monday
ACCOUNTS = (2, 3, 4, 5)
MARKETS = {
    # symbol: (base, quote, tick, step, mid)
    "KGLDKRW": ("KGLD", "KRW", 10, 1_000, 100_000),
    "ETHUSDT": ("ETH", "USDT", 100, 10**16, 300_000),
}


def setup() -> list[Command]:
    commands: list[Command] = [ListAsset("KRW", 0), ListAsset("KGLD", 4)]
    # 18 decimals: the external account goes near what the ledger records (an asset's
    # supply is at most 2**62 - 1 units, domain.units.MAX_AMOUNT), which the read model
    # must keep exactly.
    commands += [ListAsset("ETH", 18), ListAsset("USDT", 2)]
    for symbol, (base, quote, tick, step, _mid) in MARKETS.items():
        commands.append(
            ListMarket(
                Market(
                    symbol,
                    base,
                    quote,
                    tick_size=tick,
                    step_size=step,
                    min_qty=step,
                    max_qty=step * 1000,
                    maker_fee_bps=10,
                    taker_fee_bps=20,
                    # Accounts trade with themselves here: the history lists both sides.
                    default_stp=SelfTradePrevention.NONE,
                    allow_stp_none=True,
                )
            )
        )
    for account in ACCOUNTS:
        commands.append(Deposit(account, "KRW", 10**12, f"seed-krw-{account}"))
        commands.append(Deposit(account, "KGLD", 10**9, f"seed-kgld-{account}"))
        commands.append(Deposit(account, "ETH", 10**18, f"seed-eth-{account}"))
        commands.append(Deposit(account, "USDT", 10**10, f"seed-usdt-{account}"))
    return commands


def _command(rng: random.Random, n: int) -> Command:
    symbol = rng.choice(list(MARKETS))
    base, quote, tick, step, mid = MARKETS[symbol]
    account = rng.choice(ACCOUNTS)
    side = rng.choice((Side.BUY, Side.SELL))
    quantity = rng.randint(1, 5) * step
    price = mid + rng.randint(-3, 3) * tick
    roll = rng.random()
    if roll < 0.55:
        return PlaceOrder(account, symbol, side, OrderType.LIMIT, quantity, price)
    if roll < 0.62:
        return PlaceOrder(account, symbol, side, OrderType.MARKET, quantity)
    if roll < 0.66:
        tif = rng.choice((TimeInForce.IOC, TimeInForce.FOK))
        return PlaceOrder(account, symbol, side, OrderType.LIMIT, quantity, price, tif)
    if roll < 0.70:
        stop = mid + rng.choice((-4, 4)) * tick
        return PlaceOrder(
            account, symbol, side, OrderType.STOP_LOSS_LIMIT, quantity, price, stop_price=stop
        )
    if roll < 0.85:
        return CancelOrder(account, symbol, order_id=rng.randint(max(1, n // 2 - 40), n // 2 + 1))
    if roll < 0.90:
        return AmendOrder(
            account, symbol, step, order_id=rng.randint(max(1, n // 2 - 40), n // 2 + 1)
        )
    if roll < 0.94:
        return Deposit(account, quote, rng.randint(1, 10**6), f"dep-{n}")
    if roll < 0.98:
        return Withdraw(account, base, rng.randint(1, step), f"wd-{n}")
    return SetMarketFees(symbol, rng.randint(0, 20), rng.randint(0, 30))


def applied(count: int, seed: int = 1) -> list[Applied]:
    """The setup and `count` random commands, applied: (seq, time µs, command, events)."""
    rng = random.Random(seed)
    engine = Engine()
    out: list[Applied] = []
    now = START_US
    commands: Iterator[Command] = iter(setup())
    for n in range(len(setup()) + count):
        command = next(commands, None) or _command(rng, n)
        seq = engine.last_seq + 1
        if rng.random() < 0.3:
            now += rng.randint(0, 120_000_000)
        out.append((seq, now, command, engine.apply(seq, now, command)))
    return out


def engine_after(items: list[Applied]) -> Engine:
    engine = Engine()
    for seq, time, command, _events in items:
        engine.apply(seq, time, command)
    return engine
