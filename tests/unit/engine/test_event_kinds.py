"""Every kind of event is accounted for by the ledger postings derived from events: a new
kind must be declared as moving money (and posted) or not, or this test fails."""

from typing import get_args

from assetport.domain.events import AnyEvent
from assetport.domain.postings import MOVES_MONEY, MOVES_NO_MONEY


def test_every_event_kind_is_declared_as_moving_money_or_not() -> None:
    kinds = set(get_args(AnyEvent))
    assert not set(MOVES_MONEY) & set(MOVES_NO_MONEY)
    assert set(MOVES_MONEY) | set(MOVES_NO_MONEY) == kinds, "undeclared: " + ", ".join(
        sorted(k.__name__ for k in kinds - set(MOVES_MONEY) - set(MOVES_NO_MONEY))
    )
