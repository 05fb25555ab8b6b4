"""The engine is a pure function of its command log.

A hot standby reads the same log as the primary and must say exactly the same things; a
restart restores the last snapshot and replays the rest of the log, and must end where the
uninterrupted engine ends. Either failing means users see different fills or balances
depending on which machine answered.
"""

from engine_streams import apply_all, dense_streams, setup_commands, streams, venue
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.commands import Command, decode_command, encode_command
from assetport.domain.events import Event, encode_events
from assetport.engine.engine import Engine


def _first_difference(a: list[list[Event]], b: list[list[Event]]) -> str:
    for index, (mine, theirs) in enumerate(zip(a, b, strict=True)):
        if encode_events(mine) != encode_events(theirs):
            return f"command #{index}:\n  one engine: {mine!r}\n  the other:  {theirs!r}"
    return "no difference"


@settings(max_examples=100, deadline=None)
@given(st.one_of(streams(), dense_streams()))
def test_two_engines_fed_the_same_log_say_the_same_bytes(commands: list[Command]) -> None:
    primary = venue()
    # The standby reads the log as the journal stores it: encoded, then decoded.
    standby = Engine()
    logged = [decode_command(encode_command(c)) for c in [*setup_commands(), *commands]]
    apply_all(standby, logged[: len(setup_commands())])

    said = apply_all(primary, commands)
    also_said = apply_all(standby, logged[len(setup_commands()) :])

    assert [encode_events(e) for e in said] == [encode_events(e) for e in also_said], (
        _first_difference(said, also_said)
    )
    assert primary.state_hash() == standby.state_hash()
    assert primary.snapshot() == standby.snapshot()


@settings(max_examples=100, deadline=None)
@given(st.one_of(streams(), dense_streams()), st.data())
def test_restore_and_replay_ends_where_the_uninterrupted_engine_ends(
    commands: list[Command], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(commands)), label="cut")
    uninterrupted = venue()
    said = apply_all(uninterrupted, commands)

    before_restart = venue()
    apply_all(before_restart, commands[:cut])
    snapshot = before_restart.snapshot()
    restarted = Engine.restore(snapshot)
    # Canonical bytes: what was restored snapshots to exactly what was saved.
    assert restarted.snapshot() == snapshot, "snapshot -> restore -> snapshot changed the bytes"
    assert restarted.state_hash() == before_restart.state_hash()

    said_after_restart = apply_all(restarted, commands[cut:])
    assert [encode_events(e) for e in said_after_restart] == [
        encode_events(e) for e in said[cut:]
    ], _first_difference(said_after_restart, said[cut:])
    assert restarted.state_hash() == uninterrupted.state_hash()

    # The engine that kept running after taking the snapshot is not disturbed by it.
    kept_running = apply_all(before_restart, commands[cut:])
    assert [encode_events(e) for e in kept_running] == [encode_events(e) for e in said[cut:]]
    assert before_restart.state_hash() == uninterrupted.state_hash()


@settings(max_examples=50, deadline=None)
@given(streams())
def test_a_snapshot_restored_twice_is_still_the_same_state(commands: list[Command]) -> None:
    engine = venue()
    apply_all(engine, commands)
    once = Engine.restore(engine.snapshot())
    twice = Engine.restore(once.snapshot())
    assert twice.snapshot() == engine.snapshot()
    # Derived indexes (open orders per account) are rebuilt, not lost.
    assert [o.order_id for o in twice.open_orders()] == [o.order_id for o in engine.open_orders()]
