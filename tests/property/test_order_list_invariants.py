"""Order lists (OCO, OTO, OTOCO) against the engine, over random programs of plain orders,
lists, cancels and amends on the property venue (engine_streams.py).

What a user would notice if it broke: an OCO whose other leg stays live after one leg traded
or triggered (both could fill: sold twice), funds held twice or not at all for a list, money
created or lost, and an engine that says something else after a restart.
"""

from engine_invariants import comparable_state, crossed_books, ledger_problems, negative_amounts
from engine_streams import (
    BTCUSDT,
    KGLDKRW,
    SLVKRW,
    Listing,
    accounts,
    amend_orders,
    apply_all,
    cancel_orders,
    client_ids,
    place_orders,
    prices,
    quantities,
    sides,
    venue,
    weighted,
)
from hypothesis import event as tally
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.commands import (
    CancelAllOrders,
    CancelOrderList,
    Command,
    PlaceOrder,
    PlaceOrderList,
    decode_command,
    encode_command,
)
from assetport.domain.events import (
    Event,
    OrderListPlaced,
    OrderTriggered,
    TradeExecuted,
    decode_events,
    encode_events,
    refusal,
)
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.engine.engine import Engine

list_listings = st.sampled_from((KGLDKRW, KGLDKRW, BTCUSDT, SLVKRW))
TAKE_PROFITS = (OrderType.LIMIT_MAKER, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT)
STOP_LOSSES = (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT)


def near(listing: Listing, low: int, high: int) -> st.SearchStrategy[int]:
    """A price `low` to `high` ticks from the mid, mostly; sometimes a wrong one."""
    tick = listing.market.tick_size
    return st.integers(0, 9).flatmap(
        lambda n: (
            prices(listing)
            if n == 9
            else st.integers(low, high).map(lambda k: listing.mid + k * tick)
        )
    )


@st.composite
def legs(
    draw: st.DrawFn,
    listing: Listing,
    account: int,
    side: Side,
    order_type: OrderType,
    qty: int,
    where: tuple[int, int] = (-3, 3),
) -> PlaceOrder:
    """A leg of a list: its trigger (a limit maker's limit, a stop's stop price) `where`
    ticks from the mid, a stop's limit a tick or two from its stop."""
    limited = order_type in (
        OrderType.LIMIT,
        OrderType.LIMIT_MAKER,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT_LIMIT,
    )
    trigger = draw(near(listing, *where))
    plain = order_type in (OrderType.LIMIT, OrderType.LIMIT_MAKER)
    stop = 0 if plain else trigger
    offset = draw(st.integers(-2, 2)) * listing.market.tick_size
    price = trigger if plain else max(trigger + offset, listing.market.tick_size)
    tif = (
        draw(st.sampled_from((TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC)))
        if limited and order_type is not OrderType.LIMIT_MAKER
        else None
    )
    return PlaceOrder(
        account,
        listing.symbol,
        side,
        order_type,
        qty,
        price if limited else 0,
        tif,
        stop_price=stop,
        client_order_id=draw(client_ids),
    )


@st.composite
def oco_pairs(
    draw: st.DrawFn, listing: Listing, account: int, side: Side, qty: int
) -> tuple[PlaceOrder, PlaceOrder]:
    """Mostly a pair of the kinds Binance allows, sometimes the wrong way round."""
    take = draw(st.sampled_from(TAKE_PROFITS))
    stop = draw(st.sampled_from(STOP_LOSSES))
    # Above the mid for the above leg, below for the below leg (the last price wanders).
    above_type, below_type = (take, stop) if side is Side.SELL else (stop, take)
    right = (
        draw(legs(listing, account, side, above_type, qty, (1, 3))),
        draw(legs(listing, account, side, below_type, qty, (-3, -1))),
    )
    if draw(st.integers(0, 9)):
        return right
    return right[1], right[0]


@st.composite
def order_lists(draw: st.DrawFn) -> PlaceOrderList:
    listing = draw(list_listings)
    account = draw(accounts)
    side = draw(sides)
    qty = draw(quantities(listing))
    kind = draw(st.sampled_from(ListKind))
    lcid = draw(st.sampled_from(("", "", "L1", "L2")))
    if kind is ListKind.OCO:
        return PlaceOrderList(
            account, listing.symbol, kind, draw(oco_pairs(listing, account, side, qty)), lcid
        )
    working = draw(
        legs(
            listing,
            account,
            side,
            draw(st.sampled_from((OrderType.LIMIT, OrderType.LIMIT_MAKER))),
            qty,
        )
    )
    other = Side.SELL if side is Side.BUY else Side.BUY
    pending_side = draw(st.sampled_from((other, other, side)))
    if kind is ListKind.OTO:
        pending_type = draw(
            st.sampled_from((OrderType.LIMIT, OrderType.MARKET, *TAKE_PROFITS, *STOP_LOSSES))
        )
        if pending_type is OrderType.MARKET:
            pending = PlaceOrder(account, listing.symbol, pending_side, OrderType.MARKET, qty)
        else:
            pending = draw(legs(listing, account, pending_side, pending_type, qty))
        return PlaceOrderList(account, listing.symbol, kind, (working, pending), lcid)
    pair = draw(oco_pairs(listing, account, pending_side, qty))
    return PlaceOrderList(account, listing.symbol, kind, (working, *pair), lcid)


@st.composite
def list_cancels(draw: st.DrawFn) -> CancelOrderList:
    return CancelOrderList(
        draw(accounts),
        draw(list_listings).symbol,
        draw(st.integers(0, 8)),
        draw(st.sampled_from(("", "L1", "L2"))),
    )


commands: st.SearchStrategy[Command] = weighted(
    (12, order_lists()),
    (30, place_orders(ticks=3)),
    (4, cancel_orders()),
    (3, list_cancels()),
    (2, amend_orders()),
    (1, st.builds(CancelAllOrders, accounts, list_listings.map(lambda listing: listing.symbol))),
)
programs = st.lists(commands, min_size=20, max_size=80)


class Pairs:
    """Each OCO pair's legs, learnt from the events: leg -> the other leg."""

    def __init__(self) -> None:
        self.other: dict[int, int] = {}

    def learn(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, OrderListPlaced):
                ids = event.order_ids
                pair = ids if event.kind is ListKind.OCO else ids[1:] if len(ids) == 3 else ()
                if pair:
                    self.other[pair[0]] = pair[1]
                    self.other[pair[1]] = pair[0]

    def both_live(self, engine: Engine, events: list[Event]) -> list[str]:
        """An OCO leg that traded or triggered in these events whose other leg is still
        open after them."""
        active: set[int] = set()
        for event in events:
            if isinstance(event, TradeExecuted):
                active.update((event.buyer_order_id, event.seller_order_id))
            elif isinstance(event, OrderTriggered):
                active.add(event.order_id)
        open_ids = {order.order_id for order in engine.open_orders()}
        return [
            f"leg {leg} traded or triggered, its other leg {self.other[leg]} is still open"
            for leg in sorted(active)
            if leg in self.other and self.other[leg] in open_ids
        ]


def pair_hold_problems(engine: Engine) -> list[str]:
    """A live pair holds once, for its dearer leg: one leg all of it, the other nothing."""
    problems = []
    for order_list in engine.spot.open_order_lists():
        pair = order_list.pair
        if pair is None:
            continue
        first, second = pair
        m = engine.markets[first.symbol]
        if first.side is Side.BUY:
            need = max((leg.price or leg.stop_price) * leg.quantity // m.base_unit for leg in pair)
        else:
            need = first.quantity
        held = sorted((first.held, second.held))
        if held != [0, need] or first.executed or second.executed:
            problems.append(f"list {order_list.order_list_id}: pair holds {held}, needs {need}")
    return problems


@settings(max_examples=150, deadline=None)
@given(programs)
def test_order_lists_keep_the_ledger_and_never_leave_both_legs_live(
    commands: list[Command],
) -> None:
    engine = venue()
    pairs = Pairs()
    for command in commands:
        # As the journal stores it, and the events as the bus carries them.
        assert decode_command(encode_command(command)) == command
        [events] = apply_all(engine, [command])
        assert decode_events(encode_events(events)) == events
        pairs.learn(events)
        if isinstance(command, PlaceOrderList):
            tally("list placed" if refusal(events) is None else "list refused")
        problems = (
            pairs.both_live(engine, events)
            + ledger_problems(engine)
            + pair_hold_problems(engine)
            + crossed_books(engine)
            + negative_amounts(events)
        )
        assert not problems, f"after {command!r}:\n" + "\n".join(problems)
        assert not engine.spot.state.lists_due, "a list was left to move on after the command"
    restored = Engine.restore(engine.snapshot())
    assert restored.snapshot() == engine.snapshot()


@settings(max_examples=60, deadline=None)
@given(programs, st.data())
def test_snapshot_and_replay_of_order_lists_end_where_the_uninterrupted_engine_ends(
    commands: list[Command], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(commands)), label="cut")
    uninterrupted = venue()
    said = apply_all(uninterrupted, commands)

    before = venue()
    apply_all(before, commands[:cut])
    restarted = Engine.restore(before.snapshot())
    assert restarted.snapshot() == before.snapshot()
    said_after = apply_all(restarted, commands[cut:])
    assert said_after == said[cut:]
    assert comparable_state(restarted) == comparable_state(uninterrupted)
    assert restarted.state_hash() == uninterrupted.state_hash()
