"""History reads with Binance's paging and windows, checked against the events themselves."""

import itertools
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from store_workload import applied

from assetport.api.errors import history_error
from assetport.domain.candles import Candle
from assetport.domain.events import OrderAccepted, TradeExecuted
from assetport.domain.intervals import local_close_time, local_open_time, parse_time_zone
from assetport.store.database import Database
from assetport.store.history import History, HistoryError
from assetport.store.projector import Projector

ITEMS = applied(1500, seed=5)
EVENTS = [event for *_, events in ITEMS for event in events]
TRADES = [e for e in EVENTS if isinstance(e, TradeExecuted) and e.symbol == "KGLDKRW"]
DAY = 24 * 3600 * 1000
ACCOUNT = 3


@pytest.fixture
def history(database: Database) -> History:
    Projector(database).catch_up(ITEMS, batch_size=400)
    return History(database)


def test_all_orders_pages_by_order_id(history: History) -> None:
    expected = [
        e.order_id
        for e in EVENTS
        if isinstance(e, OrderAccepted) and e.account == ACCOUNT and e.symbol == "KGLDKRW"
    ]
    assert len(expected) > 30
    pages, next_id = [], 0
    while page := history.all_orders(ACCOUNT, "KGLDKRW", order_id=next_id, limit=7):
        pages.append([order.order_id for order in page])
        next_id = page[-1].order_id + 1
    assert [oid for page in pages for oid in page] == expected
    assert all(len(page) == 7 for page in pages[:-1])
    # No lower bound: the newest `limit`, still oldest first.
    assert [o.order_id for o in history.all_orders(ACCOUNT, "KGLDKRW", limit=5)] == expected[-5:]


def test_my_trades_pages_by_from_id_and_by_order(history: History) -> None:
    mine = [t for t in TRADES if ACCOUNT in (t.buyer_account, t.seller_account)]
    sides = [
        (t.trade_id, is_buyer)
        for t in mine
        for is_buyer in (True, False)
        if (t.buyer_account if is_buyer else t.seller_account) == ACCOUNT
    ]
    got, from_id = [], 0
    while page := history.my_trades(ACCOUNT, "KGLDKRW", from_id=from_id, limit=10):
        got += [(t.trade_id, t.is_buyer) for t in page]
        from_id = page[-1].trade_id + 1
    # A self-trade lists both sides (buyer first), and no page splits them.
    assert got == sides
    trade = next(t for t in mine if t.buyer_account == ACCOUNT and t.seller_account != ACCOUNT)
    fills = history.my_trades(ACCOUNT, "KGLDKRW", order_id=trade.buyer_order_id)
    assert trade.trade_id in [f.trade_id for f in fills]
    fill = next(f for f in fills if f.trade_id == trade.trade_id)
    assert (fill.is_buyer, fill.commission, fill.commission_asset) == (
        True,
        trade.buyer_fee,
        "KGLD",
    )
    assert fill.is_maker == trade.buyer_is_maker


def test_time_windows_are_inclusive_milliseconds(history: History) -> None:
    t = TRADES[len(TRADES) // 2]
    ms = t.time // 1000
    same_ms = [x.trade_id for x in TRADES if x.time // 1000 == ms]
    window = history.historical_trades("KGLDKRW", from_id=same_ms[0], limit=len(same_ms))
    assert [x.trade_id for x in window] == same_ms
    aggs = history.agg_trades("KGLDKRW", start_ms=ms, end_ms=ms, limit=1000)
    assert aggs and {a.time_us // 1000 for a in aggs} == {ms}
    assert aggs[0].first_id == same_ms[0] and aggs[-1].last_id == same_ms[-1]


def test_a_time_bound_beyond_any_time_is_no_bound(history: History) -> None:
    """A client's `endTime` too large for a 64-bit microsecond column (the OpenAPI fuzz
    found one) answers like no bound at all, not 500."""
    far = 2**62
    everything = history.agg_trades("KGLDKRW", start_ms=0, limit=1000)
    assert history.agg_trades("KGLDKRW", start_ms=0, end_ms=far, limit=1000) == everything
    assert history.agg_trades("KGLDKRW", start_ms=far) == []
    orders = history.all_orders(ACCOUNT, "KGLDKRW", start_ms=far - DAY, end_ms=far)
    assert orders == []


def test_agg_trades_join_one_takers_fills_at_one_price(history: History) -> None:
    groups: list[list[TradeExecuted]] = []
    for t in TRADES:
        taker = t.seller_order_id if t.buyer_is_maker else t.buyer_order_id
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and (last.seq, last.price) == (t.seq, t.price)
            and taker == (last.seller_order_id if last.buyer_is_maker else last.buyer_order_id)
        ):
            groups[-1].append(t)
        else:
            groups.append([t])
    assert len(groups) < len(TRADES)  # some takers swept several makers
    got, from_id = [], 1
    while page := history.agg_trades("KGLDKRW", from_id=from_id, limit=13):
        got += page
        from_id = page[-1].agg_id + 1
    assert [a.agg_id for a in got] == list(range(1, len(groups) + 1))
    assert [(a.first_id, a.last_id, a.qty) for a in got] == [
        (g[0].trade_id, g[-1].trade_id, sum(t.quantity for t in g)) for g in groups
    ]
    newest = history.agg_trades("KGLDKRW", limit=3)
    assert [a.agg_id for a in newest] == [len(groups) - 2, len(groups) - 1, len(groups)]


def test_klines_of_every_interval(history: History) -> None:
    by_minute: dict[int, list[TradeExecuted]] = defaultdict(list)
    for t in TRADES:
        by_minute[t.time // 1000 // 60_000 * 60_000].append(t)
    minutes = history.klines("KGLDKRW", "1m", start_ms=0, limit=1000)
    # Every minute from the first trade to the last, as Binance has them.
    first, last = min(by_minute), max(by_minute)
    assert [k.open_time for k in minutes] == list(range(first, last + 1, 60_000))
    assert len(by_minute) < len(minutes)  # the workload leaves quiet minutes
    previous_close = None
    for k in minutes:
        assert k.close_time == k.open_time + 59_999
        trades = by_minute.get(k.open_time)
        if trades is None:  # a quiet minute: flat at the previous close, no volume
            assert (k.open, k.high, k.low, k.close) == (previous_close,) * 4
            assert (k.volume, k.quote_volume, k.count) == (0, 0, 0)
        else:
            assert (k.open, k.close, k.count) == (trades[0].price, trades[-1].price, len(trades))
            assert k.high == max(t.price for t in trades)
            assert k.low == min(t.price for t in trades)
            assert k.volume == sum(t.quantity for t in trades)
        previous_close = k.close
    # Up to the minute open now, however long ago the last trade was.
    now = last + 10 * 60_000 + 5_000
    latest = history.klines("KGLDKRW", "1m", limit=3, now_ms=now)
    assert [k.open_time for k in latest] == [
        last + 8 * 60_000,
        last + 9 * 60_000,
        last + 600_000,
    ]
    assert {(k.close, k.count) for k in latest} == {(TRADES[-1].price, 0)}
    # A window that starts in a quiet minute begins at that minute's flat candle.
    quiet = next(k for k in minutes if k.open_time not in by_minute)
    (alone,) = history.klines("KGLDKRW", "1m", start_ms=quiet.open_time - 1, limit=1)
    assert _fields([alone]) == _fields([quiet])
    (week,) = history.klines("KGLDKRW", "1w")
    assert datetime.fromtimestamp(week.open_time / 1000, UTC).strftime("%a %H:%M") == "Mon 00:00"
    (month,) = history.klines("KGLDKRW", "1M")
    assert datetime.fromtimestamp(month.open_time / 1000, UTC).day == 1
    assert week.volume == month.volume == sum(t.quantity for t in TRADES)
    # The newest `limit`, and a window by open time.
    assert _fields(history.klines("KGLDKRW", "1m", limit=2)) == _fields(minutes[-2:])
    start, end = minutes[3].open_time, minutes[5].open_time
    assert _fields(history.klines("KGLDKRW", "1m", start_ms=start, end_ms=end)) == _fields(
        minutes[3:6]
    )


@pytest.mark.parametrize(("interval", "zone"), [("1h", "05:45"), ("1d", "+09:00"), ("1M", "-3")])
def test_klines_in_a_time_zone_add_up_the_trades_of_each_local_period(
    history: History, interval: str, zone: str
) -> None:
    offset = parse_time_zone(zone)
    periods: dict[int, list[TradeExecuted]] = defaultdict(list)
    for t in TRADES:
        periods[local_open_time(interval, t.time // 1000, offset)].append(t)
    candles = history.klines("KGLDKRW", interval, start_ms=0, offset_ms=offset)
    traded = [k for k in candles if k.count]
    assert [k.open_time for k in traded] == sorted(periods)
    for k in traded:
        trades = periods[k.open_time]
        assert (k.open, k.close, k.count) == (trades[0].price, trades[-1].price, len(trades))
        assert (k.high, k.low) == (max(t.price for t in trades), min(t.price for t in trades))
        assert k.volume == sum(t.quantity for t in trades)
        assert k.close_time == local_close_time(interval, k.open_time, offset)
    # The periods are the zone's, contiguous, and quiet ones flat at the previous close.
    for earlier, later in itertools.pairwise(candles):
        assert later.open_time == earlier.close_time + 1
        if not later.count:
            assert (later.open, later.close) == (earlier.close, earlier.close)


def test_refused_parameters_carry_binance_codes(history: History) -> None:
    day = 24 * 3600 * 1000
    with pytest.raises(HistoryError) as too_long:
        history.all_orders(ACCOUNT, "KGLDKRW", start_ms=0, end_ms=day + 1)
    assert history_error(too_long.value.reason).code == -1127
    with pytest.raises(HistoryError) as combination:
        history.my_trades(ACCOUNT, "KGLDKRW", from_id=1, start_ms=0)
    assert history_error(combination.value.reason).code == -1128
    with pytest.raises(HistoryError) as interval:
        history.klines("KGLDKRW", "2m")
    assert history_error(interval.value.reason).code == -1120


def test_orders_outlive_the_engine_and_markets_render(history: History) -> None:
    info = history.market("ETHUSDT")
    assert info is not None and (info.base_precision, info.quote_precision) == (18, 2)
    first = history.all_orders(ACCOUNT, "KGLDKRW", order_id=0, limit=1)[0]
    assert history.order(ACCOUNT, "KGLDKRW", order_id=first.order_id) == first
    assert history.order(ACCOUNT + 1, "KGLDKRW", order_id=first.order_id) is None


def _fields(candles: list[Candle]) -> list[tuple[int, ...]]:
    return [
        (c.open_time, c.close_time, c.open, c.high, c.low, c.close, c.volume, c.count)
        for c in candles
    ]
