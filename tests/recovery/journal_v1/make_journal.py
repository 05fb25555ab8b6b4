"""Write the stored journal of `test_journal_compatibility.py` (kept for the record).

The journal in this folder was written by the engine as it was before issue #14 (the
products over one ledger), with:

    PYTHONPATH=/path/to/that/tree/src python tests/recovery/journal_v1/make_journal.py

It holds a few hundred varied commands on three markets: listings (one refused), deposits
(one repeated, one reusing a reference), account and market fees, self-trade prevention
policies, halts, orders of every type and time in force (icebergs, stops that trigger,
quote-sized market orders), trades with fees, self-trade prevention, cancels by id and by
client id, cancel-all, cancel-replace, amends and withdrawals (one short of funds). Beside
it, `expected.json` names the state hash that engine computed at the end and at the
snapshot (`snapshot.bin`, the engine's bytes at `snapshot_seq`).

Running it again with the current code must give the same hashes: the state the same
commands lead to must not change.
"""

import json
import random
import sys
from pathlib import Path

from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelReplace,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetAccountFees,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
    Withdraw,
    encode_command,
)
from assetport.domain.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
)
from assetport.domain.markets import Market, MarketStatus
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.engine.engine import Engine
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record

HERE = Path(__file__).resolve().parent
START_TIME = 1_700_000_000_000_000
SNAPSHOT_SEQ = 250
COMMANDS = 420
TRADERS = (2, 3, 10, 11, 1000, 1001, 1002)

GOLD = Market(
    "KGLDKRW",
    "KGLD",
    "KRW",
    tick_size=10,
    step_size=1_000,
    min_qty=1_000,
    max_qty=1_000_000,
    min_notional=1_000,
    maker_fee_bps=10,
    taker_fee_bps=20,
    default_stp=SelfTradePrevention.NONE,
    allow_stp_none=True,
)
BTC = Market(
    "BTCUSDT",
    "BTC",
    "USDT",
    tick_size=100,
    step_size=1_000_000,
    min_qty=1_000_000,
    max_qty=100_000_000,
    min_price=100,
    max_price=1_000_000_000,
    maker_fee_bps=10,
    taker_fee_bps=25,
    max_iceberg_parts=4,
)
SILVER = Market(
    "SLVKRW",
    "SLV",
    "KRW",
    tick_size=5,
    step_size=1,
    min_qty=1,
    max_qty=50,
    min_price=900,
    max_price=1_100,
    max_num_orders=3,
    maker_fee_bps=30,
    taker_fee_bps=30,
    default_stp=SelfTradePrevention.EXPIRE_BOTH,
    iceberg_allowed=False,
)
MARKETS = {
    GOLD.symbol: (GOLD, 100_000),
    BTC.symbol: (BTC, 3_000_000),
    SILVER.symbol: (SILVER, 1_000),
}
UNITS = {"KRW": 1, "KGLD": 10_000, "BTC": 10**8, "USDT": 100, "SLV": 1}


def setup() -> list[Command]:
    commands: list[Command] = [
        ListAsset("KRW", 0),
        ListAsset("KGLD", 4),
        ListAsset("BTC", 8),
        ListAsset("USDT", 2),
        ListAsset("SLV", 0),
        ListAsset("bad", 2),  # refused: not a valid code
        ListMarket(GOLD),
        ListMarket(BTC),
        ListMarket(SILVER),
    ]
    for account in TRADERS:
        for asset, unit in UNITS.items():
            commands.append(Deposit(account, asset, 10**6 * unit, f"seed-{account}-{asset}"))
    commands.append(Deposit(2, "KRW", 10**6, "seed-2-KRW"))  # the same again: applied once
    commands.append(Deposit(3, "KRW", 5, "seed-2-KRW"))  # a reference reused: refused
    commands.append(Deposit(1, "KRW", 5, "fee-account"))  # a platform account: refused
    commands.append(SetAccountFees(1000, 0, 5))
    commands.append(SetMarketFees(GOLD.symbol, 15, 25))
    return commands


def place(rng: random.Random) -> PlaceOrder:
    symbol = rng.choice((GOLD.symbol, GOLD.symbol, BTC.symbol, SILVER.symbol))
    market, mid = MARKETS[symbol]
    account = rng.choice(TRADERS)
    side = rng.choice((Side.BUY, Side.SELL))
    quantity = rng.randint(1, 6) * market.step_size
    price = mid + rng.randint(-3, 3) * market.tick_size
    stop = mid + rng.randint(-3, 3) * market.tick_size
    cid = rng.choice(("", "", "", "a", "b", "c"))
    stp = rng.choice((None, None, *SelfTradePrevention))
    kind = rng.choice(
        (
            "limit",
            "limit",
            "limit",
            "ioc",
            "fok",
            "market",
            "market_quote",
            "limit_maker",
            "iceberg",
            "stop_loss",
            "stop_loss_limit",
            "take_profit",
            "take_profit_limit",
        )
    )
    if kind in ("limit", "ioc", "fok"):
        tif = {"limit": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK}[kind]
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.LIMIT,
            quantity,
            price,
            tif,
            client_order_id=cid,
            stp_mode=stp,
        )
    if kind == "market":
        return PlaceOrder(account, symbol, side, OrderType.MARKET, quantity, stp_mode=stp)
    if kind == "market_quote":
        budget = mid * quantity // UNITS[market.base]
        return PlaceOrder(account, symbol, side, OrderType.MARKET, quote_quantity=budget)
    if kind == "limit_maker":
        return PlaceOrder(
            account, symbol, side, OrderType.LIMIT_MAKER, quantity, price, client_order_id=cid
        )
    if kind == "iceberg":
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.LIMIT,
            quantity * 3,
            price,
            iceberg_qty=quantity,
            stp_mode=stp,
        )
    order_type = {
        "stop_loss": OrderType.STOP_LOSS,
        "stop_loss_limit": OrderType.STOP_LOSS_LIMIT,
        "take_profit": OrderType.TAKE_PROFIT,
        "take_profit_limit": OrderType.TAKE_PROFIT_LIMIT,
    }[kind]
    limit = kind.endswith("_limit")
    return PlaceOrder(
        account,
        symbol,
        side,
        order_type,
        quantity,
        price if limit else 0,
        TimeInForce.GTC if limit else None,
        stop_price=stop,
        client_order_id=cid,
    )


def next_command(rng: random.Random, open_orders: list[tuple[int, str, int, int]]) -> Command:
    roll = rng.random()
    if open_orders and roll < 0.22:
        account, symbol, order_id, quantity = open_orders.pop(rng.randrange(len(open_orders)))
        restriction = rng.choice((None, None, None, *CancelRestriction))
        return CancelOrder(account, symbol, order_id, restriction=restriction, ids_must_match=True)
    if open_orders and roll < 0.28:
        account, symbol, order_id, quantity = rng.choice(open_orders)
        step = MARKETS[symbol][0].step_size
        return AmendOrder(
            account, symbol, max(quantity - step, step), order_id, ids_must_match=True
        )
    if open_orders and roll < 0.32:
        account, symbol, order_id, _ = rng.choice(open_orders)
        new = place(rng)
        new = PlaceOrder(
            new.account if rng.random() < 0.2 else account,
            symbol,
            new.side,
            OrderType.LIMIT,
            MARKETS[symbol][0].step_size * 2,
            MARKETS[symbol][1],
            TimeInForce.GTC,
        )
        return CancelReplace(CancelOrder(account, symbol, order_id), new, rng.random() < 0.5)
    if roll < 0.34:
        return CancelOrder(
            rng.choice(TRADERS), GOLD.symbol, client_order_id=rng.choice(("a", "b", "zz"))
        )
    if roll < 0.35:
        return CancelAllOrders(rng.choice(TRADERS), rng.choice(list(MARKETS)))
    if roll < 0.37:
        account = rng.choice(TRADERS)
        asset = rng.choice(list(UNITS))
        amount = rng.choice((UNITS[asset], 10**9 * UNITS[asset]))  # the second is too much
        return Withdraw(account, asset, amount, f"out-{rng.randrange(10**6)}")
    if roll < 0.39:
        # Halted or cancel-only for a few commands (main() reopens it).
        return SetMarketStatus(rng.choice(list(MARKETS)), rng.choice(list(MarketStatus)))
    if roll < 0.395:
        return SetMarketSelfTradePrevention(
            rng.choice(list(MARKETS)), rng.choice(list(SelfTradePrevention)), rng.random() < 0.5
        )
    if roll < 0.40:
        return SetAccountFees(rng.choice(TRADERS), rng.choice((-1, 0, 10)), rng.choice((-1, 5, 30)))
    return place(rng)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    journal = FileJournal.in_data_dir(target / "data", segment_bytes=16 * 1024)
    journal.open()
    engine = Engine()
    rng = random.Random(14)
    open_orders: list[tuple[int, str, int, int]] = []
    commands = setup()
    seq = 0
    expected: dict[str, object] = {}
    while seq < COMMANDS:
        command = commands.pop(0) if commands else next_command(rng, open_orders)
        if isinstance(command, SetMarketStatus) and command.status is not MarketStatus.TRADING:
            commands.extend([place(rng) for _ in range(4)])
            commands.append(SetMarketStatus(command.symbol, MarketStatus.TRADING))
        seq += 1
        time = START_TIME + seq * 1_000
        events: list[Event] = engine.apply(seq, time, command)
        journal.append([Record(seq, time, encode_command(command))])
        for event in events:
            if isinstance(event, OrderAccepted):
                open_orders.append(
                    (event.account, event.symbol, event.order_id, event.order.quantity)
                )
            elif isinstance(event, OrderCanceled | OrderExpired | OrderFilled):
                open_orders[:] = [o for o in open_orders if o[2] != event.order_id]
        if seq == SNAPSHOT_SEQ:
            (target / "snapshot.bin").write_bytes(engine.snapshot())
            expected["snapshot_seq"] = seq
            expected["snapshot_hash"] = engine.state_hash()
    journal.close()
    expected["last_seq"] = seq
    expected["state_hash"] = engine.state_hash()
    (target / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(json.dumps(expected))


if __name__ == "__main__":
    main()
