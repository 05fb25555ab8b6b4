"""Checks of the engine's invariants, shared by the property tests (a plain module, not
conftest.py: conftest names collide across test folders)."""

from collections import defaultdict

from assetport.domain.events import Event, OrderAccepted, TradeExecuted
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
        if order.held < 0 or order.fee_held < 0:
            problems.append(f"order {order.order_id} holds {order.held} + {order.fee_held}")
        key = (order.account, m.quote if order.side is Side.BUY else m.base)
        by_orders[key] += order.held + order.fee_held
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


def fee_problems(
    engine: Engine, events: list[Event], placed: dict[int, list[int]] | None = None
) -> list[str]:
    """Every trade whose fees are not the one fee rule's (`Engine.fee_rates`, which the
    gateway's views answer by too), rounded up: the hot path applies the rule inline.

    A buyer paying in quote (a QUOTE-fee market) pays at the rates of when its order was
    placed, the fee of all its trades rounded up once: `placed` carries, from one command to
    the next, each buy's (maker, taker, fee basis) since its OrderAccepted."""
    problems = []
    placed = {} if placed is None else placed
    for event in events:
        if isinstance(event, OrderAccepted) and event.side is Side.BUY:
            placed[event.order_id] = [*engine.fee_rates(event.account, event.symbol), 0]
        if not isinstance(event, TradeExecuted):
            continue
        buyer_maker, buyer_taker = engine.fee_rates(event.buyer_account, event.symbol)
        seller_maker, seller_taker = engine.fee_rates(event.seller_account, event.symbol)
        buyer_bps = buyer_maker if event.buyer_is_maker else buyer_taker
        seller_bps = seller_taker if event.buyer_is_maker else seller_maker
        buyer_fee = -(-event.quantity * buyer_bps // 10_000)
        if event.buyer_fee_in_quote:
            maker, taker, before = placed[event.buyer_order_id]
            after = before + event.quote_quantity * (maker if event.buyer_is_maker else taker)
            placed[event.buyer_order_id][2] = after
            buyer_fee = (-before // 10_000) - (-after // 10_000)
        seller_fee = -(-event.quote_quantity * seller_bps // 10_000)
        if (event.buyer_fee, event.seller_fee) != (buyer_fee, seller_fee):
            problems.append(
                f"trade {event.trade_id}: fees {event.buyer_fee}/{event.seller_fee}, "
                f"the fee rule says {buyer_fee}/{seller_fee}"
            )
    return problems


def crossed_books(engine: Engine) -> list[str]:
    """A crossed book, or a level whose kept sum of visible quantities (what the depth
    shows) is not the sum of its orders'."""
    problems = []
    for symbol, m in sorted(engine.markets.items()):
        bid, ask = m.bids.best(), m.asks.best()
        if bid is not None and ask is not None and bid >= ask:
            problems.append(f"{symbol} is crossed: best bid {bid} >= best ask {ask}")
        for side in (m.bids, m.asks):
            for price, level in sorted(side.levels.items()):
                counted = sum(order.visible for order in level)
                if level.shown != counted:
                    problems.append(
                        f"{symbol} {'bid' if side.is_bid else 'ask'} {price}: shows "
                        f"{level.shown}, its orders {counted}"
                    )
    return problems


def comparable_state(engine: Engine) -> bytes:
    """The snapshot without what every command changes: its sequence number."""
    state = decode_state(engine.snapshot())
    state.last_seq = 0
    return encode_state(state)
