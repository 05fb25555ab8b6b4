"""`MarketData`: every market-data projection for every listed symbol, behind one facade.

The runtime calls `apply(seq, events, book_lookup)` once per command, in log order. The REST
layer calls the query methods, the WebSocket layer `drain()` for real-time stream messages
(trade, aggTrade, bookTicker, !bookTicker) and `due(now_ms)` for cadence ones (diff depth
every 100 ms and 1 s, partial depth, the 24 h and rolling window tickers and avgPrice every
second, klines, in UTC and in the zones of `streams.KLINE_ZONES`, every 1 s for `1s` and 2 s
otherwise). Both return {stream name: [payload, ...]} ready for JSON; passing the set of
subscribed stream names skips rendering what nobody listens to (state moves on anyway, so
update ids stay contiguous). A name subscribed with `streams.MICRO_SUFFIX` gets its payloads
rendered a second time, in microseconds, under that key.
"""

from collections.abc import Callable, Collection, Iterable
from typing import Any, Final

from assetport.domain.events import (
    AccountFeesChanged,
    AccountIdentitySet,
    AssetListed,
    AttestorRegistered,
    CommandRejected,
    CreditsRetired,
    CustodyPolicySet,
    DepositCredited,
    Deposited,
    DistributionPaid,
    DustConverted,
    HolderRulesSet,
    HoldingFrozen,
    HoldingUnfrozen,
    MarketFeeAssetChanged,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
    MatchPrevented,
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftBoxOpened,
    NftCollectionCreated,
    NftCollectionVerified,
    NftContractSet,
    NftDeposited,
    NftDropCreated,
    NftDropEnded,
    NftDropEntered,
    NftDropRefunded,
    NftFeeSet,
    NftListed,
    NftListingEnded,
    NftMinted,
    NftOfferEnded,
    NftOfferMade,
    NftSold,
    NftTransferred,
    NftWithdrawalFailed,
    NftWithdrawalRequested,
    NftWithdrawn,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderListPlaced,
    OrderListStatus,
    OrderTriggered,
    RedemptionCompleted,
    RedemptionEnded,
    RedemptionRequested,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
    RwaTermsSet,
    RwaTransferred,
    Subscribed,
    SubscriptionTermsSet,
    TradeExecuted,
    WithdrawalAddressAdded,
    WithdrawalAddressRemoved,
    WithdrawalApproved,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    WithdrawalRiskHoldSet,
    WithdrawalRulesSet,
    WithdrawalSigned,
    Withdrawn,
)
from assetport.domain.intervals import INTERVALS
from assetport.domain.orders import Side
from assetport.domain.units import from_units
from assetport.marketdata import depth as dp
from assetport.marketdata import klines as kl
from assetport.marketdata import tickers as tk
from assetport.marketdata import trades as tr
from assetport.marketdata.streams import KLINE_ZONES, MICRO_SUFFIX, TICKER_WINDOWS, Feed
from assetport.marketdata.time_unit import in_microseconds

DEPTH_DEFAULT: Final = 100
DEPTH_MAX: Final = 5000
PARTIAL_LEVELS: Final = (5, 10, 20)
FAST_MS: Final = 100
SLOW_MS: Final = 1000
KLINE_MS: Final = 2000
ALL_BOOK_TICKERS: Final = str(Feed.ALL_BOOK_TICKERS)


# What market data does with each kind of event. `apply` acts on the first three and the
# depth on the book's (`views/levels.py`); the test `tests/unit/store/test_event_consumers.py`
# fails when `domain.events.AnyEvent` gains a kind this table does not name.
EVENT_KINDS: Final[dict[type, str]] = {
    TradeExecuted: "trades, aggregate trades, klines, tickers; the maker's book level",
    AssetListed: "the asset's precision",
    MarketListed: "a new symbol and its book",
    OrderAccepted: "the order's book level (a limit order that may rest)",
    OrderTriggered: "the order's book level",
    OrderAmended: "the order's book level",
    OrderCanceled: "the order's book level",
    OrderExpired: "the order's book level",
    OrderFilled: "the order's book level",
    OrderListPlaced: "nothing: its legs' own events move the book",
    OrderListStatus: "nothing: its legs' own events move the book",
    MatchPrevented: "nothing: no trade, and the expired order has its own event",
    MarketStatusChanged: "nothing: Binance's market streams do not carry it",
    MarketFeesChanged: "nothing",
    MarketFeeAssetChanged: "nothing",
    MarketSelfTradePreventionChanged: "nothing",
    AccountFeesChanged: "nothing",
    Deposited: "nothing",
    Withdrawn: "nothing",
    DustConverted: "nothing",
    CommandRejected: "nothing",
    DepositCredited: "nothing",
    WithdrawalRulesSet: "nothing",
    CustodyPolicySet: "nothing",
    WithdrawalAddressAdded: "nothing",
    WithdrawalAddressRemoved: "nothing",
    WithdrawalRiskHoldSet: "nothing",
    WithdrawalRequested: "nothing",
    WithdrawalApproved: "nothing",
    WithdrawalSigned: "nothing",
    WithdrawalCompleted: "nothing",
    WithdrawalEnded: "nothing",
    AttestorRegistered: "nothing",
    RwaTermsSet: "nothing",
    ReserveAttested: "nothing",
    RwaMinted: "nothing",
    RwaBurned: "nothing",
    DistributionPaid: "nothing",
    SubscriptionTermsSet: "nothing",
    Subscribed: "nothing",
    RedemptionRequested: "nothing",
    RedemptionCompleted: "nothing",
    RedemptionEnded: "nothing",
    CreditsRetired: "nothing",
    RwaTransferred: "nothing",
    AccountIdentitySet: "nothing",
    HolderRulesSet: "nothing",
    HoldingFrozen: "nothing",
    HoldingUnfrozen: "nothing",
    # The NFT marketplace: its `<collection>@nft` streams come from the gateway's NFT view
    # (api/ws_market.py), not from the spot markets' data.
    NftCollectionCreated: "nothing",
    NftCollectionVerified: "nothing",
    NftFeeSet: "nothing",
    NftMinted: "nothing",
    NftTransferred: "nothing",
    NftListed: "nothing",
    NftListingEnded: "nothing",
    NftOfferMade: "nothing",
    NftOfferEnded: "nothing",
    NftAuctionStarted: "nothing",
    NftBidPlaced: "nothing",
    NftAuctionEnded: "nothing",
    NftContractSet: "nothing",
    NftWithdrawalRequested: "nothing",
    NftWithdrawn: "nothing",
    NftWithdrawalFailed: "nothing",
    NftDeposited: "nothing",
    NftSold: "nothing",
    NftDropCreated: "nothing",
    NftDropEntered: "nothing",
    NftBoxOpened: "nothing",
    NftDropRefunded: "nothing",
    NftDropEnded: "nothing",
}


class UnknownSymbol(LookupError):
    """Binance -1121 Invalid symbol."""


class InvalidParameter(ValueError):
    """A parameter out of its Binance range (interval, windowSize...)."""


class _Symbol:
    """One listed market's projections and display precisions."""

    def __init__(self, symbol: str, base_precision: int, quote_precision: int) -> None:
        self.symbol = symbol
        self.qp = base_precision  # quantities
        self.pp = quote_precision  # prices and quote amounts
        self.trades = tr.SymbolTrades(tr.CAPACITY)
        self.klines = kl.SymbolKlines(symbol)
        self.ticker = tk.SymbolTicker(symbol)
        self.touched = False  # traded or book top moved since the last 1 s tick
        low = symbol.lower()
        self.trade_stream = f"{low}@trade"
        self.agg_stream = f"{low}@aggTrade"
        self.book_stream = f"{low}@bookTicker"
        self.low = low


StreamNames = Collection[str] | None


class MarketData:
    def __init__(self) -> None:
        self.precisions: dict[str, int] = {}
        self.symbols: dict[str, _Symbol] = {}
        self.depth = dp.DepthTracker()
        self.last_seq = 0
        self._live_trades: list[tuple[_Symbol, TradeExecuted]] = []
        self._live_aggs: list[tuple[_Symbol, tr.AggTrade]] = []
        self._live_tops: list[tuple[_Symbol, dp.BookTop]] = []
        self._fast_slot = self._slow_slot = self._kline_slot = -1

    # ----------------------------------------------------------------- feeding

    def apply(self, seq: int, events: Iterable[Any], book_lookup: dp.BookLookup) -> None:
        """Take in one command's events; `book_lookup` reads the engine's book as it is
        right after that command."""
        if seq <= self.last_seq:
            raise ValueError(f"command {seq} applied after {self.last_seq}: out of log order")
        self.last_seq = seq
        events = events if isinstance(events, list) else list(events)
        symbols = self.symbols
        live_trades, live_aggs = self._live_trades, self._live_aggs
        for event in events:
            kind = type(event)
            if kind is TradeExecuted:
                sym = symbols[event.symbol]
                agg = sym.trades.add(event)
                sym.klines.add(event)
                sym.ticker.add(event)
                sym.touched = True
                live_trades.append((sym, event))
                if agg is not None:
                    live_aggs.append((sym, agg))
            elif kind is AssetListed:
                self.precisions[event.code] = event.precision
            elif kind is MarketListed:
                market = event.market
                symbols[market.symbol] = _Symbol(
                    market.symbol, self.precisions[market.base], self.precisions[market.quote]
                )
        for book in self.depth.apply(events, book_lookup):
            sym = symbols[book.symbol]
            sym.touched = True
            self._live_tops.append((sym, book.top))

    def seed_book(
        self,
        symbol: str,
        bids: Iterable[tuple[int, int]],
        asks: Iterable[tuple[int, int]],
        open_orders: Iterable[tuple[int, Side, int]],
        update_id: int = 0,
    ) -> None:
        """Start a listed symbol's depth from a restored engine (see `DepthTracker.seed`)."""
        self._symbol(symbol)
        self.depth.seed(symbol, bids, asks, open_orders, update_id)

    # ----------------------------------------------------------------- REST queries

    def depth_snapshot(self, symbol: str, limit: int = DEPTH_DEFAULT) -> dict[str, Any]:
        """`/api/v3/depth`: as of the last published 100 ms diff batch."""
        sym = self._symbol(symbol)
        last_id, bids, asks = self.depth.books[symbol].snapshot(max(1, min(limit, DEPTH_MAX)))
        return dp.snapshot_payload(last_id, bids, asks, sym.pp, sym.qp)

    def recent_trades(self, symbol: str, limit: int = tr.DEFAULT_LIMIT) -> list[dict[str, Any]]:
        sym = self._symbol(symbol)
        return [tr.trade_rest(t, sym.pp, sym.qp, sym.pp) for t in sym.trades.recent(limit)]

    def historical_trades(
        self, symbol: str, from_id: int | None = None, limit: int = tr.DEFAULT_LIMIT
    ) -> list[dict[str, Any]]:
        sym = self._symbol(symbol)
        found = sym.trades.recent(limit) if from_id is None else sym.trades.from_id(from_id, limit)
        return [tr.trade_rest(t, sym.pp, sym.qp, sym.pp) for t in found]

    def agg_trades(
        self,
        symbol: str,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = tr.DEFAULT_LIMIT,
    ) -> list[dict[str, Any]]:
        sym = self._symbol(symbol)
        found = sym.trades.agg_trades(from_id, start_ms, end_ms, limit)
        return [tr.agg_trade_rest(a, sym.pp, sym.qp) for a in found]

    def klines(
        self,
        symbol: str,
        interval: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = kl.DEFAULT_LIMIT,
    ) -> list[list[Any]]:
        """`/api/v3/klines` and `/api/v3/uiKlines` (identical here, as on the testnet)."""
        sym = self._symbol(symbol)
        if interval not in INTERVALS:
            raise InvalidParameter(f"Invalid interval: {interval}")
        found = sym.klines.query(interval, start_ms, end_ms, limit)
        return [kl.kline_row(c, sym.pp, sym.qp, sym.pp) for c in found]

    ui_klines = klines

    def ticker_24hr(self, symbol: str, now_ms: int, mini: bool = False) -> dict[str, Any]:
        sym = self._symbol(symbol)
        stats = sym.ticker.rolling_24h(now_ms)
        if mini:
            return tk.ticker_mini(symbol, stats, sym.pp, sym.qp, sym.pp)
        return tk.ticker_24hr(symbol, stats, self._top(symbol), sym.pp, sym.qp, sym.pp)

    def tickers_24hr(
        self, symbols: Iterable[str] | None, now_ms: int, mini: bool = False
    ) -> list[dict[str, Any]]:
        """Several symbols (all when None), in the order asked or listing order."""
        return [self.ticker_24hr(s, now_ms, mini) for s in self._many(symbols)]

    def ticker_window(
        self, symbol: str, window: str, now_ms: int, mini: bool = False
    ) -> dict[str, Any]:
        """`/api/v3/ticker?windowSize=` (default 1d)."""
        sym = self._symbol(symbol)
        minutes = tk.window_minutes(window)
        if minutes is None:
            raise InvalidParameter(f"Invalid windowSize: {window}")
        stats = sym.ticker.rolling(minutes, now_ms)
        if mini:
            return tk.ticker_mini(symbol, stats, sym.pp, sym.qp, sym.pp)
        return tk.ticker_window(symbol, stats, sym.pp, sym.qp, sym.pp)

    def trading_day(
        self, symbol: str, now_ms: int, offset_ms: int = 0, mini: bool = False
    ) -> dict[str, Any]:
        """`/api/v3/ticker/tradingDay`: the day so far in a time zone `offset_ms` ahead of
        UTC (`intervals.parse_time_zone`)."""
        sym = self._symbol(symbol)
        stats = sym.ticker.trading_day(now_ms, offset_ms)
        if mini:
            return tk.ticker_mini(symbol, stats, sym.pp, sym.qp, sym.pp)
        return tk.ticker_window(symbol, stats, sym.pp, sym.qp, sym.pp)

    def ticker_price(self, symbol: str) -> dict[str, Any]:
        """`/api/v3/ticker/price`."""
        sym = self._symbol(symbol)
        close = sym.klines.last_close()
        return {"symbol": symbol, "price": from_units(close or 0, sym.pp)}

    def ticker_prices(self, symbols: Iterable[str] | None = None) -> list[dict[str, Any]]:
        return [self.ticker_price(s) for s in self._many(symbols)]

    def last_price(self, symbol: str) -> int | None:
        """The last trade's price, None before the first one (since the start)."""
        return self._symbol(symbol).klines.last_close()

    def best_prices(self, symbol: str) -> tuple[int, int]:
        """(best bid, best ask) now; 0 for an empty side."""
        top = self._top(symbol)
        return top.bid_price, top.ask_price

    def book_ticker(self, symbol: str) -> dict[str, Any]:
        """`/api/v3/ticker/bookTicker` (live, not batched)."""
        sym = self._symbol(symbol)
        return dp.book_ticker_rest(symbol, self._top(symbol), sym.pp, sym.qp)

    def book_tickers(self, symbols: Iterable[str] | None = None) -> list[dict[str, Any]]:
        return [self.book_ticker(s) for s in self._many(symbols)]

    def avg_price(self, symbol: str, now_ms: int) -> dict[str, Any]:
        """`/api/v3/avgPrice`."""
        sym = self._symbol(symbol)
        stats = sym.ticker.rolling(tk.AVG_PRICE_MINUTES, now_ms)
        return tk.avg_price_rest(stats, sym.pp, sym.qp)

    # ----------------------------------------------------------------- streams

    def drain(self, subscribed: StreamNames = None) -> dict[str, list[Any]]:
        """Real-time stream messages since the last call: trades, aggTrades, bookTickers."""
        out = _Out(subscribed)
        for sym, trade in self._live_trades:
            out.put(sym.trade_stream, tr.trade_payload, trade, sym.pp, sym.qp)
        for sym, agg in self._live_aggs:
            out.put(sym.agg_stream, tr.agg_trade_payload, sym.symbol, agg, sym.pp, sym.qp)
        every_book = out.wants(ALL_BOOK_TICKERS)
        for sym, top in self._live_tops:
            out.put(sym.book_stream, dp.book_ticker_payload, sym.symbol, top, sym.pp, sym.qp)
            if every_book:
                out.put(ALL_BOOK_TICKERS, dp.book_ticker_payload, sym.symbol, top, sym.pp, sym.qp)
        self._live_trades, self._live_aggs, self._live_tops = [], [], []
        return out.messages

    def due(self, now_ms: int, subscribed: StreamNames = None) -> dict[str, list[Any]]:
        """Cadence stream messages due at `now_ms` (call at least every 100 ms)."""
        out = _Out(subscribed)
        fast, slow, kline = now_ms // FAST_MS, now_ms // SLOW_MS, now_ms // KLINE_MS
        # The 100 ms batch goes first: a 1 s boundary is then a 100 ms boundary as well, so a
        # snapshot lines up with both diff streams.
        if fast != self._fast_slot:
            self._fast_slot = fast
            self._depth_tick(now_ms, "@100ms", out)
        if slow != self._slow_slot:
            self._slow_slot = slow
            self._depth_tick(now_ms, "", out)
            self._ticker_tick(now_ms, out)
            self._kline_tick(now_ms, ("1s",), out)
        if kline != self._kline_slot:
            self._kline_slot = kline
            self._kline_tick(now_ms, INTERVALS[1:], out)
        return out.messages

    def _depth_tick(self, now_ms: int, suffix: str, out: "_Out") -> None:
        for symbol, book in self.depth.books.items():
            sym = self.symbols[symbol]
            # Publish whether or not anyone listens: update ids and snapshots move on.
            diff = book.publish_fast() if suffix else book.publish_slow()
            name = f"{sym.low}@depth{suffix}"
            if diff is not None:
                out.put(name, dp.depth_update_payload, diff, now_ms, sym.pp, sym.qp)
            for levels in PARTIAL_LEVELS:
                name = f"{sym.low}@depth{levels}{suffix}"
                if out.wants(name):
                    snapshot = book.snapshot(levels)
                    out.put(name, dp.snapshot_payload, *snapshot, sym.pp, sym.qp)

    def _ticker_tick(self, now_ms: int, out: "_Out") -> None:
        """The 24 h tickers, the rolling window tickers and the average prices, per symbol
        and (for the symbols that changed, as Binance's arrays carry) for all."""
        changed: list[tuple[_Symbol, tk.Stats, dp.BookTop]] = []
        windows = {window: out.wants(f"!ticker_{window}@arr") for window in TICKER_WINDOWS}
        changed_windows: dict[str, list[tuple[_Symbol, tk.Stats]]] = {w: [] for w in windows}
        for symbol, sym in self.symbols.items():
            if sym.ticker.minute is None:
                continue  # never traded
            stats = sym.ticker.rolling_24h(now_ms)
            top = self._top(symbol)
            low, pp, qp = sym.low, sym.pp, sym.qp
            out.put(f"{low}@miniTicker", tk.mini_ticker_payload, symbol, stats, now_ms, pp, qp, pp)
            out.put(f"{low}@ticker", tk.ticker_payload, symbol, stats, top, now_ms, pp, qp, pp)
            name = f"{low}@avgPrice"
            if out.wants(name):
                avg = sym.ticker.rolling(tk.AVG_PRICE_MINUTES, now_ms)
                out.put(name, tk.avg_price_payload, symbol, avg, now_ms, pp, qp)
            for window, every in windows.items():
                name = f"{low}@ticker_{window}"
                alone = out.wants(name)
                if not (alone or (every and sym.touched)):
                    continue
                # The 1d window is the 24 h one: O(1) from its running sums.
                minutes = tk.STREAM_WINDOWS[window]
                found = stats if window == "1d" else sym.ticker.rolling(minutes, now_ms)
                if alone:
                    out.put(
                        name, tk.window_ticker_payload, symbol, window, found, now_ms, pp, qp, pp
                    )
                if every and sym.touched:
                    changed_windows[window].append((sym, found))
            if sym.touched:
                changed.append((sym, stats, top))
            sym.touched = False
        if changed:
            out.put("!miniTicker@arr", _mini_tickers, changed, now_ms)
            out.put("!ticker@arr", _full_tickers, changed, now_ms)
        for window, rows in changed_windows.items():
            if rows:
                out.put(f"!ticker_{window}@arr", _window_tickers, window, rows, now_ms)

    def _kline_tick(self, now_ms: int, intervals: Iterable[str], out: "_Out") -> None:
        for symbol, sym in self.symbols.items():
            for interval in intervals:
                for zone, offset in _KLINE_ZONES:
                    name = f"{sym.low}@kline_{interval}{zone}"
                    if not out.wants(name):
                        continue
                    for candle, closed in sym.klines.stream_due(interval, now_ms, offset):
                        out.put(
                            name,
                            kl.kline_payload,
                            symbol,
                            interval,
                            candle,
                            closed,
                            now_ms,
                            sym.pp,
                            sym.qp,
                            sym.pp,
                        )

    # ----------------------------------------------------------------- helpers

    def _symbol(self, symbol: str) -> _Symbol:
        sym = self.symbols.get(symbol)
        if sym is None:
            raise UnknownSymbol(symbol)
        return sym

    def _many(self, symbols: Iterable[str] | None) -> Iterable[str]:
        return self.symbols if symbols is None else symbols

    def _top(self, symbol: str) -> dp.BookTop:
        return self.depth.books[symbol].top


# UTC first, then each zone klines stream in, as a stream name's suffix and an offset.
_KLINE_ZONES: Final = (("", 0), *((f"@{zone}", offset) for zone, offset in KLINE_ZONES.items()))


def _mini_tickers(rows: list[tuple[_Symbol, tk.Stats, dp.BookTop]], now_ms: int) -> list[Any]:
    return [
        tk.mini_ticker_payload(sym.symbol, stats, now_ms, sym.pp, sym.qp, sym.pp)
        for sym, stats, _ in rows
    ]


def _full_tickers(rows: list[tuple[_Symbol, tk.Stats, dp.BookTop]], now_ms: int) -> list[Any]:
    return [
        tk.ticker_payload(sym.symbol, stats, top, now_ms, sym.pp, sym.qp, sym.pp)
        for sym, stats, top in rows
    ]


def _window_tickers(window: str, rows: list[tuple[_Symbol, tk.Stats]], now_ms: int) -> list[Any]:
    return [
        tk.window_ticker_payload(sym.symbol, window, stats, now_ms, sym.pp, sym.qp, sym.pp)
        for sym, stats in rows
    ]


class _Out:
    """Stream messages by name, rendered only for the subscribed names (all when None).

    A name with listeners in microseconds (`name + MICRO_SUFFIX`, see `streams.py`) gets a
    second rendering under that key with the time unit set to microseconds; nobody else
    pays for it."""

    def __init__(self, subscribed: StreamNames) -> None:
        self.subscribed = subscribed
        self.messages: dict[str, list[Any]] = {}

    def wants(self, name: str) -> bool:
        """Whether anyone listens to `name`, in either unit."""
        subscribed = self.subscribed
        return subscribed is None or name in subscribed or name + MICRO_SUFFIX in subscribed

    def put(self, name: str, render: Callable[..., Any], *args: Any) -> None:
        """`render(*args)` under `name` for each unit someone listens to it in."""
        subscribed = self.subscribed
        if subscribed is None or name in subscribed:
            self.messages.setdefault(name, []).append(render(*args))
        if subscribed is None:
            return
        micro = name + MICRO_SUFFIX
        if micro in subscribed:
            with in_microseconds():
                payload = render(*args)
            self.messages.setdefault(micro, []).append(payload)
