"""The ledger and the books stay sound after every command of any stream.

What a user would notice if these broke: money appearing or vanishing (the per-asset sum),
a balance below zero, funds held for no order or an order trading on funds nobody holds,
a book showing a bid at or above an ask, or a refused request that still changed something.
"""

from collections import defaultdict

from engine_streams import START_TIME, dense_streams, streams, venue
from hypothesis import given, settings

from assetport.domain.commands import Command
from assetport.domain.events import CommandRejected, Event
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
    return problems


def crossed_books(engine: Engine) -> list[str]:
    problems = []
    for symbol, m in sorted(engine.markets.items()):
        bid, ask = m.bids.best(), m.asks.best()
        if bid is not None and ask is not None and bid >= ask:
            problems.append(f"{symbol} is crossed: best bid {bid} >= best ask {ask}")
    return problems


def comparable_state(engine: Engine) -> bytes:
    """The snapshot without what every command changes (its sequence number) and without
    empty balance records.

    Empty records are dropped because a refused Withdraw currently leaves one behind (an
    engine bug with its own strict xfail test in test_known_engine_bugs.py); a balance of
    zero free and zero held is not something a user can tell from no balance at all.
    """
    state = decode_state(engine.snapshot())
    state.last_seq = 0
    state.balances = [row for row in state.balances if row[2] or row[3]]
    return encode_state(state)


def _describe(index: int, command: Command, events: list[Event]) -> str:
    lines = [f"after command #{index}: {command!r}", "events:"]
    lines.extend(f"  {event!r}" for event in events)
    return "\n".join(lines)


def check_every_step(commands: list[Command]) -> None:
    """Apply the stream to a fresh venue, checking every invariant after each command."""
    engine = venue()
    assert ledger_problems(engine) == []
    for index, command in enumerate(commands):
        before = comparable_state(engine)
        seq = engine.last_seq + 1
        events = engine.apply(seq, START_TIME + seq, command)
        where = _describe(index, command, events)

        assert events, f"a command must answer with at least one event\n{where}"
        assert all(event.seq == seq for event in events), where

        problems = ledger_problems(engine) + crossed_books(engine)
        assert not problems, "\n".join([*problems, where])

        # A refused request changes nothing: not a balance, an order, a counter or a fee.
        if all(isinstance(event, CommandRejected) for event in events):
            assert comparable_state(engine) == before, f"a rejected command changed state\n{where}"


@settings(max_examples=150, deadline=None)
@given(streams())
def test_ledger_and_books_stay_sound_across_the_venue(commands: list[Command]) -> None:
    check_every_step(commands)


@settings(max_examples=150, deadline=None)
@given(dense_streams())
def test_ledger_and_books_stay_sound_in_one_busy_market(commands: list[Command]) -> None:
    check_every_step(commands)
