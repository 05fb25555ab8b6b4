"""No stream of commands, however large its amounts, leaves the engine with a state or events
that cannot be written down.

The journal, the snapshots and the SQL read model hold integers in 64 bits. The commands here
are journalable (every integer fits in 64 bits, as the runtime requires before the engine sees
one), but their amounts sit near and beyond the limits: deposits that would take an asset's
supply past 2**62 or 2**63, prices and quantities of 2**62 and more, quote-sized orders
worth more than all the money there is. After each command the snapshot must encode, read
back to the same bytes, and hold only signed 64-bit integers; so must the command's events.

Self-contained (no shared stream module): the test runs unchanged against older engines.
"""

from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.commands import (
    AmendOrder,
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetAccountFees,
    Withdraw,
)
from assetport.domain.events import encode_events
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine
from assetport.engine.snapshot import decode_state, encode_state

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UINT64_MAX = 2**64 - 1
START_TIME = 1_700_000_000_000_000

# Whole-unit markets (tick 1, step 1) with no upper bounds of their own, so that nothing but
# the engine's own limits stands between a huge amount and the ledger; fees as high as they
# go, so that fees round on huge values too; and a market of a token with 8 decimals.
BIG = Market(
    symbol="BIGKRW",
    base="BIG",
    quote="KRW",
    tick_size=1,
    step_size=1,
    min_qty=1,
    max_qty=INT64_MAX,
    maker_fee_bps=1_000,
    taker_fee_bps=1_000,
    default_stp=SelfTradePrevention.NONE,
)
COIN = Market(
    symbol="COINKRW",
    base="COIN",
    quote="KRW",
    tick_size=1,
    step_size=10**8,
    min_qty=10**8,
    max_qty=INT64_MAX - INT64_MAX % 10**8,
    maker_fee_bps=10,
    taker_fee_bps=25,
)
MARKETS = (BIG, COIN)
ACCOUNTS = (1000, 1001, 1002)

huge = st.sampled_from(
    (
        2**62 - 1,
        2**62,
        2**62 + 1,
        2**63 - 1,
        2**63,
        UINT64_MAX,
        UINT64_MAX // 3,
        INT64_MAX // 2 + 1,
        10**18,
        10**9,
    )
)
amounts = st.one_of(huge, st.integers(1, UINT64_MAX), st.integers(1, 10**6))
accounts = st.sampled_from(ACCOUNTS)
assets = st.sampled_from(("KRW", "BIG", "COIN"))
refs = st.text("abcdef", min_size=1, max_size=3)
client_ids = st.sampled_from(("", "", "a", "b"))


# Most orders meet at a few price levels and sizes whose value is 2**58 to 2**62, so that
# books fill and trade amounts near the top; the rest are drawn from anywhere.
PRICES = (2**40 - 1, 2**40, 2**40 + 1)
SIZES = (2**18, 2**20, 2**21, 2**22 - 1)


def _multiple(step: int) -> st.SearchStrategy[int]:
    """An amount rounded down to a step (at least one step)."""
    near = st.sampled_from(SIZES).map(lambda size: size * step)
    anything = amounts.map(lambda value: max(step, value - value % step))
    return st.one_of(near, near, near, anything)


prices = st.one_of(st.sampled_from(PRICES), st.sampled_from(PRICES), amounts)


@st.composite
def orders(draw: st.DrawFn) -> PlaceOrder:
    market = draw(st.sampled_from(MARKETS))
    account = draw(accounts)
    side = draw(st.sampled_from(Side))
    quantity = draw(_multiple(market.step_size))
    price = draw(prices)
    cid = draw(client_ids)
    stp = draw(st.sampled_from((None, *SelfTradePrevention)))
    kind = draw(st.sampled_from(("limit", "limit", "market", "quote", "stop", "iceberg")))
    symbol = market.symbol
    if kind == "limit":
        tif = draw(st.sampled_from((TimeInForce.GTC, *TimeInForce)))
        return PlaceOrder(account, symbol, side, OrderType.LIMIT, quantity, price, tif,
                          client_order_id=cid, stp_mode=stp)  # fmt: skip
    if kind == "market":
        return PlaceOrder(account, symbol, side, OrderType.MARKET, quantity, stp_mode=stp)
    if kind == "quote":
        return PlaceOrder(account, symbol, side, OrderType.MARKET,
                          quote_quantity=draw(amounts), stp_mode=stp)  # fmt: skip
    if kind == "stop":
        order_type = draw(st.sampled_from((OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT)))
        limit = order_type is OrderType.STOP_LOSS_LIMIT
        return PlaceOrder(account, symbol, side, order_type, quantity,
                          price if limit else 0, TimeInForce.GTC if limit else None,
                          stop_price=draw(prices), client_order_id=cid,
                          stp_mode=stp)  # fmt: skip
    slice_ = max(market.step_size, quantity // 4 - quantity // 4 % market.step_size)
    return PlaceOrder(account, symbol, side, OrderType.LIMIT, quantity, price,
                      iceberg_qty=slice_, client_order_id=cid, stp_mode=stp)  # fmt: skip


# Orders eight times in fourteen (hypothesis drops repeated branches of one_of, so the
# weights are drawn as an index into this table).
_CHOICES: tuple[st.SearchStrategy[Command], ...] = (
    *[orders()] * 8,
    st.builds(Deposit, accounts, assets, amounts, refs),
    st.builds(Deposit, accounts, assets, amounts, refs),
    st.builds(Withdraw, accounts, assets, amounts, refs),
    st.builds(
        CancelOrder, accounts, st.sampled_from([m.symbol for m in MARKETS]), st.integers(1, 12)
    ),
    st.builds(
        AmendOrder,
        accounts,
        st.sampled_from([m.symbol for m in MARKETS]),
        _multiple(1),
        st.integers(1, 12),
    ),
    st.builds(SetAccountFees, accounts, st.sampled_from((0, 1_000)), st.sampled_from((0, 1_000))),
)
commands: st.SearchStrategy[Command] = st.integers(0, len(_CHOICES) - 1).flatmap(
    _CHOICES.__getitem__
)


def _setup() -> list[Command]:
    listed: list[Command] = [ListAsset("KRW", 0), ListAsset("BIG", 0), ListAsset("COIN", 8)]
    listed.extend(ListMarket(market) for market in MARKETS)
    # Funds near the top already, so that trades move amounts of that size.
    for account in ACCOUNTS:
        for asset in ("KRW", "BIG", "COIN"):
            listed.append(Deposit(account, asset, 2**60, f"seed-{account}-{asset}"))
    return listed


def _ints_outside_int64(value: Any, path: str = "") -> list[str]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [] if INT64_MIN <= value <= INT64_MAX else [f"{path} = {value}"]
    if isinstance(value, list):
        return [
            p for i, item in enumerate(value) for p in _ints_outside_int64(item, f"{path}[{i}]")
        ]
    if isinstance(value, dict):
        return [p for k, item in value.items() for p in _ints_outside_int64(item, f"{path}.{k}")]
    return []


def _problems(engine: Engine, events: list[Any]) -> list[str]:
    try:
        snapshot = engine.snapshot()
    except (OverflowError, msgspec.EncodeError) as exc:
        return [f"the snapshot does not encode: {exc}"]
    problems = [f"snapshot{p}" for p in _ints_outside_int64(msgspec.msgpack.decode(snapshot))]
    if encode_state(decode_state(snapshot)) != snapshot:
        problems.append("the snapshot does not read back to the same bytes")
    try:
        encoded = encode_events(events)
    except (OverflowError, msgspec.EncodeError) as exc:
        return [*problems, f"the events do not encode: {exc}"]
    problems.extend(f"events{p}" for p in _ints_outside_int64(msgspec.msgpack.decode(encoded)))
    return problems


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, min_size=10, max_size=50))
def test_huge_amounts_never_leave_a_state_that_cannot_be_written(stream: list[Command]) -> None:
    engine = Engine()
    for command in [*_setup(), *stream]:
        seq = engine.last_seq + 1
        events = engine.apply(seq, START_TIME + seq, command)
        problems = _problems(engine, events)
        assert not problems, "\n".join([f"after {command!r}", *problems])
