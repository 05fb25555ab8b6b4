"""The gateway's state: what every request handler and stream needs, in one place.

It owns no money and decides nothing: commands go to the engine service, and the views
here (order records, market data, precisions) are kept from the engine's applied batches,
updated before the replies of a batch go out.
"""

import asyncio
import secrets
import time
from collections.abc import Callable, Collection
from typing import Any, Protocol, TypeVar

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.keys import KeyStore
from assetport.api.order_records import OrderChange, OrderRecords
from assetport.api.ratelimit import RateLimiter
from assetport.api.render import Precisions
from assetport.api.session_auth import SessionCheck
from assetport.domain.commands import Command
from assetport.domain.events import AssetListed, Event, MarketListed
from assetport.domain.orders import Side
from assetport.engine.engine import Engine
from assetport.marketdata.hub import MarketData
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import CommandRefused, Overloaded, ServiceFailed
from assetport.runtime.service import EngineService, Outcome, ReplyCallback
from assetport.store.history import History, HistoryError

READ_MODEL_WAIT_S = 5.0
T = TypeVar("T")

ChangeListener = Callable[[int, Command, list[Event], list[OrderChange]], None]
StreamSink = Callable[[dict[str, list[Any]]], None]


class ReadModelProgress(Protocol):
    def last_seq(self) -> int:
        """The seq of the last command whose rows the SQL read model has committed."""
        ...

    def hurry(self) -> None:
        """A query waits: send the read model what it has not been sent yet, now."""
        ...


def refusal_error(exc: CommandRefused | ServiceFailed) -> ApiError:
    """The public error for a command the engine did not take or never acknowledged."""
    if isinstance(exc, Overloaded):
        return errors.TOO_MANY_REQUESTS_QUEUED.error()
    return errors.DISCONNECTED.error()


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Gateway:
    def __init__(
        self,
        service: EngineService,
        keys: KeyStore,
        limiter: RateLimiter,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        sandbox: bool = False,
    ) -> None:
        self.service = service
        self.engine: Engine = service.engine
        self.keys = keys
        self.limiter = limiter
        self.clock_ms = clock_ms
        self.sandbox = sandbox
        # The SQL read model (set by the server when it runs one): history beyond memory.
        self.read_model: ReadModelProgress | None = None
        self.history: History | None = None
        # Web sessions (set by the server when it runs accounts): the page's cookie login.
        self.sessions: SessionCheck | None = None
        self._id_prefix = secrets.token_hex(8)
        self._client_ids_made = 0
        self.precisions = Precisions()
        self.orders = OrderRecords()
        self.market_data = MarketData()
        # Called with (seq, command, events, order changes) per command: user data streams.
        self.listeners: list[ChangeListener] = []
        # Called with {stream name: [payload, ...]} as market data is published.
        self.stream_sinks: list[StreamSink] = []
        # The stream names someone listens to (None: every stream): market data renders
        # only these, so nobody pays for payloads nobody reads.
        self.stream_interest: Collection[str] | None = None
        self._learn_from_engine()
        service.on_applied.append(self.on_applied)

    async def from_history(self, query: Callable[[History], T]) -> T:
        """Run a query on the SQL history once the read model has written everything the
        engine has applied (what the client saw acknowledged: it reads its own writes), off
        the event loop. Waits at most a few seconds: a read model far behind answers with
        what it has. Its refusals (HistoryError) become Binance's errors."""
        if self.history is None or self.read_model is None:
            raise RuntimeError("the gateway runs without its SQL read model")
        seq = self.engine.last_seq
        deadline = time.monotonic() + READ_MODEL_WAIT_S
        while self.read_model.last_seq() < seq and time.monotonic() < deadline:
            self.read_model.hurry()
            await asyncio.sleep(0.002)
        history = self.history
        try:
            return await asyncio.to_thread(query, history)
        except HistoryError as exc:
            raise ApiError(exc.code, exc.message) from exc

    async def execute(self, command: Command) -> Outcome:
        """Run one command through the sequencer, journal and engine; the outcome arrives
        once it is durable and applied. The engine's refusals become Binance's errors: a
        full queue -1003 (back off), a stopping or failed engine -1001 (503)."""
        try:
            return await self.service.execute(command)
        except (CommandRefused, ServiceFailed) as exc:
            raise refusal_error(exc) from exc

    def submit(self, command: Command) -> "asyncio.Future[Outcome]":
        """`execute` for callers that answer from a callback rather than await (the
        WebSocket API's hot path); raises `Overloaded` when the engine's queue is full."""
        return self.service.submit(command)

    def submit_with_reply(self, command: Command, reply: ReplyCallback) -> None:
        """`submit` without a future: `reply` gets the outcome (or `ServiceFailed`) straight
        from the engine's acknowledgement pass, after the views are up to date."""
        self.service.submit_with_reply(command, reply)

    def new_client_order_id(self) -> str:
        """An id for an order sent without one, as Binance makes up: unique and opaque. A
        random prefix per process and a counter: no system call per order."""
        self._client_ids_made += 1
        return f"ap-{self._id_prefix}{self._client_ids_made:x}"

    def on_applied(self, batch: AppliedBatch) -> None:
        """Bring every view up to the batch just applied (called on the engine's loop)."""
        lookup = self._book_quantity
        seq = batch.first_seq
        for command, events in zip(batch.commands, batch.events, strict=True):
            self._learn(events)
            changes = self.orders.apply(events)
            self.market_data.apply(seq, events, lookup)
            for listener in self.listeners:
                listener(seq, command, events, changes)
            seq += 1

    def publish_due(self) -> None:
        """Publish the market data that is due (called every 100 ms): real-time messages
        since the last call, then what the clock makes due (depth batches, tickers...)."""
        data = self.market_data
        live = data.drain(self.stream_interest)
        due = data.due(self.clock_ms(), self.stream_interest)
        for sink in self.stream_sinks:
            if live:
                sink(live)
            if due:
                sink(due)

    def _book_quantity(self, symbol: str, side: Side, price: int) -> int:
        m = self.engine.markets[symbol]
        return (m.bids if side is Side.BUY else m.asks).visible_at(price)

    def _learn(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, AssetListed):
                self.precisions.list_asset(event.code, event.precision)
            elif isinstance(event, MarketListed):
                market = event.market
                self.precisions.list_market(market.symbol, market.base, market.quote)

    def _learn_from_engine(self) -> None:
        """After a restart: listings, open orders and books from the recovered engine."""
        engine = self.engine
        listed: list[Event] = []
        for asset in engine.assets.values():
            listed.append(AssetListed(0, 0, asset.code, asset.precision))
        for m in engine.markets.values():
            listed.append(MarketListed(0, 0, m.market))
        if not listed:
            return
        self._learn(listed)
        self.orders.apply(listed)
        self.market_data.apply(engine.last_seq, listed, self._book_quantity)
        for m in engine.markets.values():
            self.orders.restore(engine.open_orders(m.symbol))
            self.market_data.seed_book(
                m.symbol,
                m.bids.depth(),
                m.asks.depth(),
                [(o.order_id, o.side, o.price) for o in engine.open_orders(m.symbol)],
                update_id=engine.last_seq,
            )

    def listed_symbols(self) -> list[str]:
        return list(self.engine.markets)

    def market(self, symbol: str) -> Any:
        return self.engine.markets.get(symbol)
