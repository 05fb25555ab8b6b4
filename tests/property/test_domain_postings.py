"""The production postings (assetport.domain.postings) reproduce the engine's ledger.

The read model's balances and the reconcile tool both trust these postings; if one event's
lines misstated an amount, every balance page built from them would drift from the engine.
"""

from collections import defaultdict

from engine_streams import START_TIME, dense_streams, setup_commands, streams
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.commands import Command
from assetport.domain.postings import FREE, Posting, PostingRules
from assetport.engine.engine import Engine

Balances = dict[tuple[int, str], tuple[int, int]]


def _from_postings(lines: list[Posting]) -> Balances:
    free: dict[tuple[int, str], int] = defaultdict(int)
    held: dict[tuple[int, str], int] = defaultdict(int)
    for line in lines:
        (free if line.bucket is FREE else held)[(line.account, line.asset)] += line.amount
    keys = free.keys() | held.keys()
    return {key: (free[key], held[key]) for key in keys if (free[key], held[key]) != (0, 0)}


def _from_engine(engine: Engine) -> Balances:
    return {
        (account, asset): (record.free, record.held)
        for account, asset, record in engine.ledger.items()
        if (record.free, record.held) != (0, 0)
    }


def _unbalanced(lines: list[Posting]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for line in lines:
        sums[line.asset] += line.amount
    return {asset: total for asset, total in sums.items() if total}


@settings(max_examples=150, deadline=None)
@given(st.one_of(streams(), dense_streams()))
def test_postings_reproduce_the_engine_ledger(commands: list[Command]) -> None:
    engine = Engine()
    rules = PostingRules()
    journal: list[Posting] = []
    for index, command in enumerate([*setup_commands(), *commands]):
        seq = engine.last_seq + 1
        events = engine.apply(seq, START_TIME + seq, command)
        for event in events:
            lines = rules.postings(event)
            assert not _unbalanced(lines), f"command #{index}: {event!r} posts {lines}"
            assert all(line.seq == seq and line.amount for line in lines), lines
            journal.extend(lines)
        assert _from_postings(journal) == _from_engine(engine), f"after command #{index}"


def test_rules_resume_with_known_pairs() -> None:
    """A projector that resumes mid-log passes the pairs it stored instead of replaying."""
    engine = Engine()
    everything = PostingRules()
    for seq, command in enumerate(setup_commands(), start=1):
        for event in engine.apply(seq, START_TIME, command):
            everything.postings(event)
    resumed = PostingRules(everything.pairs)
    assert (
        resumed.pairs
        == everything.pairs
        == {
            "KGLDKRW": ("KGLD", "KRW"),
            "BTCUSDT": ("BTC", "USDT"),
            "SLVKRW": ("SLV", "KRW"),
        }
    )
