"""Every consumer that must handle every kind of event does, and says so: a kind added to
`domain.events.AnyEvent` fails here (market data, the postings: `domain/postings.py` says
of each kind whether it moves money, `tests/unit/engine/test_event_kinds.py`) or in mypy
(`match` with `assert_never`: the SQL projection `store/projection.py`, the user data
streams `api/user_data.py`) until each consumer is told what to do with it. The views
(`views/orders.py`, `views/markets.py`) act on the kinds they need and ignore the rest."""

import enum
import types
import typing
from typing import Any, get_args

import msgspec
import pytest

from assetport.domain.commands import PlaceOrder
from assetport.domain.events import (
    AnyEvent,
    AssetListed,
    Event,
    MarketListed,
)
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.postings import MOVES_MONEY, PostingRules
from assetport.marketdata.hub import EVENT_KINDS, MarketData

EVERY_KIND = frozenset(get_args(AnyEvent))
SYMBOL = "KGLDKRW"
MARKET = Market(SYMBOL, "KGLD", "KRW", tick_size=10, step_size=1000, min_qty=1000, max_qty=10**9)
ORDER = PlaceOrder(1000, SYMBOL, Side.BUY, OrderType.LIMIT, 10_000, 130_000, TimeInForce.GTC)


def sample(kind: type[Event], seq: int = 1) -> Any:
    """An instance of any event kind, its fields filled by their types (amounts nonzero,
    accounts and assets of the one market above)."""
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(kind):
        values[field.name] = _value(field.name, field.type, seq)
    return kind(**values)


def _value(name: str, kind: Any, seq: int) -> Any:
    if name in ("seq",):
        return seq
    if name == "remainder":  # a distribution paid in full: its payouts are its amount
        return 0
    if name == "total":  # an NFT sale's parts (fee 7, a royalty share 7, the seller's 7)
        return 21
    if kind is int:
        return 1000 if "account" in name else 7
    if kind is str:
        return {"symbol": SYMBOL, "code": "KGLD"}.get(name, "KRW" if "asset" in name else "x")
    if kind is bool:
        return False
    if kind is Market:
        return MARKET
    if kind is PlaceOrder:
        return ORDER
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind))
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return None if type(None) in get_args(kind) else _value(name, get_args(kind)[0], seq)
    if typing.get_origin(kind) is dict:
        return {}
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):  # rules, policies
        return kind(**{f.name: _value(f.name, f.type, seq) for f in msgspec.structs.fields(kind)})
    if typing.get_origin(kind) is tuple:  # tuple[Item, ...]: one item, filled the same way
        item = get_args(kind)[0]
        if typing.get_origin(item) is tuple:  # tuple[tuple[int, int], ...]: (account, units)
            return (tuple(_value(name, arg, seq) for arg in get_args(item)),)
        if not (isinstance(item, type) and issubclass(item, msgspec.Struct)):  # tuple[str, ...]
            return (_value(name, item, seq),)
        return (
            item(**{f.name: _value(f.name, f.type, seq) for f in msgspec.structs.fields(item)}),
        )
    raise AssertionError(f"no sample for {name}: {kind}")


@pytest.mark.parametrize("kind", sorted(EVERY_KIND, key=lambda k: k.__name__))
def test_postings_of_each_kind_balance(kind: type[Event]) -> None:
    rules = PostingRules({SYMBOL: ("KGLD", "KRW")})
    lines = rules.postings(sample(kind))
    if kind in MOVES_MONEY:
        assert lines, f"{kind.__name__} moves money but posts nothing"
        totals: dict[str, int] = {}
        for line in lines:
            totals[line.asset] = totals.get(line.asset, 0) + line.amount
        assert set(totals.values()) == {0}
    else:
        assert lines == []


def test_market_data_names_every_kind() -> None:
    missing = EVERY_KIND - set(EVENT_KINDS)
    assert not missing, "market data does not say what it does with: " + ", ".join(
        sorted(k.__name__ for k in missing)
    )
    assert set(EVENT_KINDS) <= EVERY_KIND


def test_market_data_takes_every_kind() -> None:
    """Each kind, in a command of its own after the market is listed: nothing raises."""
    listed = [AssetListed(1, 0, "KGLD", 4), AssetListed(1, 0, "KRW", 0), MarketListed(1, 0, MARKET)]
    data = MarketData()
    data.apply(1, listed, lambda symbol, side, price: 0)
    for seq, kind in enumerate(sorted(EVERY_KIND, key=lambda k: k.__name__), start=2):
        data.apply(seq, [sample(kind, seq)], lambda symbol, side, price: 0)
    assert data.last_seq == len(EVERY_KIND) + 1
