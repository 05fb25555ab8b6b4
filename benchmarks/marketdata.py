"""How fast `MarketData.apply` takes in the engine's events.

A real engine runs a random limit-order workload on one market (GTC limits around a drifting
mid, a quarter of them crossing, cancels, some market orders); each command's events go to
`MarketData.apply` with a lookup into the engine's book, as the runtime will do. Only
`apply` is timed (it includes the book lookups), plus one `due()` every 100 ms of simulated
time. The last line printed is one JSON object.

    python benchmarks/marketdata.py --commands 300000 --seed 7
"""

import argparse
import json
import random
import time

from assetport.domain.commands import (
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
)
from assetport.domain.events import OrderAccepted
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine
from assetport.marketdata.hub import MarketData

SYMBOL = "KGLDKRW"
STEP = 10_000
ACCOUNTS = 200


def setup() -> list[Command]:
    market = Market(SYMBOL, "KGLD", "KRW", tick_size=1, step_size=STEP, min_qty=STEP,
                    max_qty=10**6 * STEP, max_num_orders=100_000,
                    default_stp=SelfTradePrevention.NONE, allow_stp_none=True)  # fmt: skip
    commands: list[Command] = [ListAsset("KRW", 0), ListAsset("KGLD", 4), ListMarket(market)]
    for account in range(1000, 1000 + ACCOUNTS):
        commands.append(Deposit(account, "KRW", 10**15, f"krw-{account}"))
        commands.append(Deposit(account, "KGLD", 10**12, f"kgld-{account}"))
    return commands


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = Engine()
    md = MarketData()

    def lookup(symbol: str, side: Side, price: int) -> int:
        m = engine.markets[symbol]
        return (m.bids if side is Side.BUY else m.asks).visible_at(price)

    seq, now_us, events_in, applied = 0, 1_700_000_000_000_000, 0, 0.0
    for listing in setup():
        seq += 1
        md.apply(seq, engine.apply(seq, now_us, listing), lookup)
    mid, next_due = 100_000, 0
    live: list[tuple[int, int]] = []
    for _ in range(args.commands):
        now_us += rng.randint(0, 400)  # a few thousand commands per simulated second
        account = 1000 + rng.randrange(ACCOUNTS)
        roll = rng.random()
        if roll < 0.3 and live:
            order_account, order_id = live.pop(rng.randrange(len(live)))
            command: Command = CancelOrder(order_account, SYMBOL, order_id=order_id)
        elif roll < 0.35:
            side = rng.choice((Side.BUY, Side.SELL))
            command = PlaceOrder(account, SYMBOL, side, OrderType.MARKET,
                                 quantity=rng.randint(1, 5) * STEP)  # fmt: skip
        else:
            side = rng.choice((Side.BUY, Side.SELL))
            mid += rng.randint(-2, 2)
            offset = rng.randint(-5, 40)  # a quarter or so cross the spread
            price = mid - offset if side is Side.BUY else mid + offset
            command = PlaceOrder(account, SYMBOL, side, OrderType.LIMIT, quantity=rng.randint(1, 10)
                                 * STEP, price=price, time_in_force=TimeInForce.GTC)  # fmt: skip
        seq += 1
        events = engine.apply(seq, now_us, command)
        if isinstance(command, PlaceOrder) and command.type is OrderType.LIMIT:
            accepted = events[0]
            if isinstance(accepted, OrderAccepted):
                live.append((account, accepted.order_id))
        events_in += len(events)
        started = time.perf_counter()
        md.apply(seq, events, lookup)
        now_ms = now_us // 1000
        if now_ms >= next_due:
            md.due(now_ms, set())  # publish batches; no subscribers, nothing rendered
            md.drain(set())
            next_due = now_ms + 100
        applied += time.perf_counter() - started
    trades = md.symbols[SYMBOL].trades.trades
    result = {
        "commands": args.commands,
        "events": events_in,
        "trades": trades[-1].trade_id if trades else 0,
        "apply_seconds": round(applied, 3),
        "events_per_second": round(events_in / applied),
        "commands_per_second": round(args.commands / applied),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
