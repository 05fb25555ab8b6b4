"""The ledger and the books stay sound after every command of any stream.

What a user would notice if these broke: money appearing or vanishing (the per-asset sum),
a balance below zero, funds held for no order or an order trading on funds nobody holds,
a book showing a bid at or above an ask, a fee other than the account's rate, or a refused
request that still changed something.
"""

from engine_invariants import (
    comparable_state,
    crossed_books,
    fee_problems,
    ledger_problems,
    negative_amounts,
)
from engine_streams import START_TIME, dense_streams, streams, venue
from hypothesis import given, settings

from assetport.domain.commands import Command
from assetport.domain.events import CommandRejected, Event


def _describe(index: int, command: Command, events: list[Event]) -> str:
    lines = [f"after command #{index}: {command!r}", "events:"]
    lines.extend(f"  {event!r}" for event in events)
    return "\n".join(lines)


def check_every_step(commands: list[Command]) -> None:
    """Apply the stream to a fresh venue, checking every invariant after each command."""
    engine = venue()
    assert ledger_problems(engine) == []
    placed: dict[int, list[int]] = {}  # the fee rule's memory of each buy (fee_problems)
    for index, command in enumerate(commands):
        before = comparable_state(engine)
        seq = engine.last_seq + 1
        events = engine.apply(seq, START_TIME + seq, command)
        where = _describe(index, command, events)

        assert events, f"a command must answer with at least one event\n{where}"
        assert all(event.seq == seq for event in events), where

        problems = (
            ledger_problems(engine)
            + crossed_books(engine)
            + negative_amounts(events)
            + fee_problems(engine, events, placed)
        )
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
