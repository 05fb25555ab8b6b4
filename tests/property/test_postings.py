"""Events alone are enough to rebuild every balance.

Read models, user streams and audit derive balances from events without asking the engine.
If an event left out (or misstated) an amount that moved, a user's balance page would drift
from what the engine holds for them. The postings below are written from the event
docstrings in assetport.domain.events, independently of the engine's ledger code.
"""

from collections import defaultdict

from engine_streams import START_TIME, dense_streams, setup_commands, streams
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT
from assetport.domain.commands import Command
from assetport.domain.events import (
    DepositCredited,
    Deposited,
    DustConverted,
    Event,
    MarketListed,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderTriggered,
    TradeExecuted,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    Withdrawn,
)
from assetport.engine.engine import Engine

FREE = "free"
HELD = "held"

Posting = tuple[int, str, str, int]  # account, asset, FREE or HELD, signed amount
Balances = dict[tuple[int, str], tuple[int, int]]  # (account, asset) -> (free, held)


def postings(event: Event, pairs: dict[str, tuple[str, str]]) -> list[Posting]:
    """The balance changes an event states. `pairs` maps symbol -> (base, quote), learned
    from MarketListed events."""
    if isinstance(event, MarketListed):
        pairs[event.market.symbol] = (event.market.base, event.market.quote)
        return []
    if isinstance(event, Deposited | DepositCredited):
        return [
            (event.account, event.asset, FREE, event.amount),
            (EXTERNAL_ACCOUNT, event.asset, FREE, -event.amount),
        ]
    if isinstance(event, Withdrawn):
        return [
            (event.account, event.asset, FREE, -event.amount),
            (EXTERNAL_ACCOUNT, event.asset, FREE, event.amount),
        ]
    if isinstance(event, WithdrawalRequested):  # the amount and its fee held
        return _hold(event.account, event.asset, event.amount + event.fee)
    if isinstance(event, WithdrawalEnded):
        return _hold(event.account, event.asset, -event.released)
    if isinstance(event, WithdrawalCompleted):  # out of the hold: the amount leaves, the fee stays
        return [
            (event.account, event.asset, HELD, -(event.amount + event.fee)),
            (EXTERNAL_ACCOUNT, event.asset, FREE, event.amount),
            (FEE_ACCOUNT, event.asset, FREE, event.fee),
        ]
    if isinstance(event, OrderAccepted):
        return _hold(event.account, event.held_asset, event.held)
    if isinstance(event, OrderTriggered):
        return _hold(event.account, event.held_asset, event.held_added)
    if isinstance(event, OrderCanceled | OrderExpired | OrderFilled | OrderAmended):
        return _hold(event.account, event.asset, -event.released)
    if isinstance(event, DustConverted):
        lines: list[Posting] = []
        for c in event.conversions:
            lines += [
                (event.account, c.asset, FREE, -c.amount),
                (FEE_ACCOUNT, c.asset, FREE, c.amount),
                (FEE_ACCOUNT, event.target, FREE, -(c.value - c.fee)),
                (event.account, event.target, FREE, c.value - c.fee),
            ]
        return lines
    if isinstance(event, TradeExecuted):
        base, quote = pairs[event.symbol]
        buyer, seller = event.buyer_account, event.seller_account
        # The buyer's fee is in base, or in quote from its hold when the event says so.
        fee_asset = quote if event.buyer_fee_in_quote else base
        return [
            # The buyer's hold pays the price and returns any price improvement.
            (buyer, quote, HELD, -(event.quote_quantity + event.buyer_released)),
            (buyer, quote, FREE, event.buyer_released),
            (buyer, base, FREE, event.quantity),
            (buyer, fee_asset, HELD if event.buyer_fee_in_quote else FREE, -event.buyer_fee),
            # The seller's hold gives the base; the quote comes in net of the fee.
            (seller, base, HELD, -event.quantity),
            (seller, quote, FREE, event.quote_quantity - event.seller_fee),
            (FEE_ACCOUNT, fee_asset, FREE, event.buyer_fee),
            (FEE_ACCOUNT, quote, FREE, event.seller_fee),
        ]
    return []


def _hold(account: int, asset: str, amount: int) -> list[Posting]:
    """Free -> held of one account (held -> free when `amount` is negative)."""
    return [(account, asset, FREE, -amount), (account, asset, HELD, amount)]


class EventLedger:
    """Balances kept from events only, as a read model would keep them."""

    def __init__(self) -> None:
        self.pairs: dict[str, tuple[str, str]] = {}
        self.free: dict[tuple[int, str], int] = defaultdict(int)
        self.held: dict[tuple[int, str], int] = defaultdict(int)

    def post(self, events: list[Event]) -> None:
        for event in events:
            for account, asset, bucket, amount in postings(event, self.pairs):
                (self.free if bucket == FREE else self.held)[(account, asset)] += amount

    def balances(self) -> Balances:
        keys = self.free.keys() | self.held.keys()
        return _nonzero({key: (self.free[key], self.held[key]) for key in keys})


def engine_balances(engine: Engine) -> Balances:
    return _nonzero(
        {
            (account, asset): (record.free, record.held)
            for account, asset, record in engine.ledger.items()
        }
    )


def _nonzero(balances: Balances) -> Balances:
    # An empty record and no record are the same balance to a user.
    return {key: value for key, value in balances.items() if value != (0, 0)}


def _mismatches(derived: Balances, actual: Balances) -> list[str]:
    return [
        f"account {key[0]} {key[1]}: events say (free, held) = {derived.get(key, (0, 0))}, "
        f"ledger has {actual.get(key, (0, 0))}"
        for key in sorted(derived.keys() | actual.keys())
        if derived.get(key, (0, 0)) != actual.get(key, (0, 0))
    ]


@settings(max_examples=150, deadline=None)
@given(st.one_of(streams(), dense_streams()))
def test_balances_rebuilt_from_events_equal_the_ledger(commands: list[Command]) -> None:
    engine = Engine()
    from_events = EventLedger()
    for index, command in enumerate([*setup_commands(), *commands]):
        said = engine.apply(engine.last_seq + 1, START_TIME, command)
        from_events.post(said)
        # Checked after each command, so a failure names the events that misstated it.
        problems = _mismatches(from_events.balances(), engine_balances(engine))
        assert not problems, "\n".join([*problems, f"after command #{index}: {said!r}"])
