"""Checks of the engine's invariants, shared by the property tests (a plain module, not
conftest.py: conftest names collide across test folders)."""

from collections import defaultdict

from assetport.domain.events import Event, TradeExecuted
from assetport.domain.orders import Side
from assetport.engine.engine import Engine
from assetport.engine.snapshot import decode_state, encode_state


def ledger_problems(engine: Engine) -> list[str]:
    """Every broken ledger rule: sums, signs, and holds matching the open orders."""
    problems: list[str] = []
    totals: dict[str, int] = defaultdict(int)
    held: dict[tuple[int, str], int] = {}
    for account, asset, record in engine.ledger.items():
        totals[asset] += record.free + record.held
        held[(account, asset)] = record.held
        # Only the external account may go negative: it mirrors what users deposited.
        if account != 0 and (record.free < 0 or record.held < 0):
            problems.append(
                f"account {account} {asset}: free {record.free}, held {record.held} (negative)"
            )
    problems.extend(
        f"{asset} sums to {total} over all accounts, not 0"
        for asset, total in sorted(totals.items())
        if total
    )

    # What each account holds must be exactly what its open orders say they hold.
    by_orders: dict[tuple[int, str], int] = defaultdict(int)
    for order in engine.open_orders():
        m = engine.markets[order.symbol].market
        if order.held < 0:
            problems.append(f"order {order.order_id} holds {order.held}")
        by_orders[(order.account, m.quote if order.side is Side.BUY else m.base)] += order.held
    for key in sorted(held.keys() | by_orders.keys()):
        if held.get(key, 0) != by_orders.get(key, 0):
            account, asset = key
            problems.append(
                f"account {account} {asset}: ledger holds {held.get(key, 0)}, "
                f"open orders hold {by_orders.get(key, 0)}"
            )
    # And every product's holds, named by purpose, add up to the same.
    by_products: dict[tuple[int, str], int] = defaultdict(int)
    for hold in engine.holds():
        by_products[(hold.account, hold.asset)] += hold.amount
    if {key: amount for key, amount in held.items() if amount} != dict(by_products):
        problems.append(f"the products' holds {dict(by_products)} are not the ledger's {held}")
    return problems


# Event fields that are amounts: a user sees each of them in an execution report or a
# balance update, and none of them can be negative.
_AMOUNT_FIELDS = (
    "amount",
    "held",
    "held_added",
    "released",
    "quantity",
    "quote_quantity",
    "buyer_fee",
    "seller_fee",
    "buyer_released",
    "new_quantity",
)


def negative_amounts(events: list[Event]) -> list[str]:
    return [
        f"{type(event).__name__}.{name} = {getattr(event, name)}"
        for event in events
        for name in _AMOUNT_FIELDS
        if isinstance(getattr(event, name, None), int) and getattr(event, name) < 0
    ]


def fee_problems(engine: Engine, events: list[Event]) -> list[str]:
    """Every trade whose fees are not the one fee rule's (`Engine.fee_rates`, which the
    gateway's views answer by too), rounded up: the hot path applies the rule inline."""
    problems = []
    for event in events:
        if not isinstance(event, TradeExecuted):
            continue
        buyer_maker, buyer_taker = engine.fee_rates(event.buyer_account, event.symbol)
        seller_maker, seller_taker = engine.fee_rates(event.seller_account, event.symbol)
        buyer_bps = buyer_maker if event.buyer_is_maker else buyer_taker
        seller_bps = seller_taker if event.buyer_is_maker else seller_maker
        buyer_fee = -(-event.quantity * buyer_bps // 10_000)
        seller_fee = -(-event.quote_quantity * seller_bps // 10_000)
        if (event.buyer_fee, event.seller_fee) != (buyer_fee, seller_fee):
            problems.append(
                f"trade {event.trade_id}: fees {event.buyer_fee}/{event.seller_fee}, "
                f"the fee rule says {buyer_fee}/{seller_fee}"
            )
    return problems


def crossed_books(engine: Engine) -> list[str]:
    problems = []
    for symbol, m in sorted(engine.markets.items()):
        bid, ask = m.bids.best(), m.asks.best()
        if bid is not None and ask is not None and bid >= ask:
            problems.append(f"{symbol} is crossed: best bid {bid} >= best ask {ask}")
    return problems


def comparable_state(engine: Engine) -> bytes:
    """The snapshot without what every command changes: its sequence number."""
    state = decode_state(engine.snapshot())
    state.last_seq = 0
    return encode_state(state)
