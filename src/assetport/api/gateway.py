"""The gateway's state: what every request handler and stream needs, in one place.

It owns no money and decides nothing: commands go to its engine (`engine_link.py`: the
engine service in this process, or an engine process through its command port), and the
views here (`views/`: order records, the markets and fees, issuance's tokens, the NFT
marketplace; market data)
start from the engine's read API and follow its applied batches, updated before the replies
of a batch go out. Handlers read these views, or the engine link's few reads; never the
engine's objects.
"""

import asyncio
import secrets
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Protocol, TypeVar

from assetport.api import errors
from assetport.api.engine_link import EngineLink
from assetport.api.errors import ApiError
from assetport.api.ratelimit import RateLimiter
from assetport.domain.commands import Command
from assetport.domain.events import AssetListed, Event, MarketListed
from assetport.domain.orders import Side
from assetport.edge.documents import DocumentStore
from assetport.edge.drop_seeds import DropSeeds
from assetport.edge.keys import KeyStore
from assetport.edge.nft_media import NftMediaStore
from assetport.edge.sessions import SessionCheck
from assetport.marketdata.hub import MarketData
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import CommandRefused, OutcomeUnknown, Overloaded, ServiceFailed
from assetport.runtime.service import Outcome, ReplyCallback
from assetport.store.history import History, HistoryError
from assetport.views.issuance import Issuance
from assetport.views.markets import Markets
from assetport.views.nft import NftView
from assetport.views.orders import OrderChange, OrderRecords
from assetport.views.seed import Seed

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

    def stopped(self) -> bool:
        """Whether the read model stopped following the engine (its writer failed)."""
        ...


def refusal_error(exc: CommandRefused | ServiceFailed) -> ApiError:
    """The public error for a command the engine did not take or never acknowledged."""
    if isinstance(exc, Overloaded):
        return errors.TOO_MANY_REQUESTS_QUEUED.error()
    if isinstance(exc, OutcomeUnknown):
        return errors.OUTCOME_UNKNOWN.error()
    return errors.DISCONNECTED.error()


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Gateway:
    def __init__(
        self,
        engine: EngineLink,
        keys: KeyStore,
        limiter: RateLimiter,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        sandbox: bool = False,
    ) -> None:
        self.engine = engine
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
        self.markets = Markets()
        self.orders = OrderRecords()
        self.issuance = Issuance()
        self.nft = NftView()
        self.market_data = MarketData()
        # The published proof-of-reserves build (`assetport por build --out`), served by
        # api/rest_reserves.py; None serves none.
        self.reserves_dir: Path | None = None
        # The tokens' documents, kept by their hash (edge/documents.py): api/rest_documents.py.
        self.documents: DocumentStore | None = None
        # NFT images (edge/nft_media.py: api/rest_nft_media.py) and the secret seeds of NFT
        # draws and box sales (edge/drop_seeds.py: api/rest_nft_drops.py), in the data
        # directory; None where the gateway has none (some tests).
        self.nft_media: NftMediaStore | None = None
        self.drop_seeds: DropSeeds | None = None
        # Called with (seq, command, events, order changes) per command: user data streams.
        self.listeners: list[ChangeListener] = []
        # Called with {stream name: [payload, ...]} as market data is published.
        self.stream_sinks: list[StreamSink] = []
        # The stream names someone listens to (None: every stream): market data renders
        # only these, so nobody pays for payloads nobody reads.
        self.stream_interest: Collection[str] | None = None
        self._start_from(engine.seed())
        engine.on_applied.append(self.on_applied)

    async def from_history(self, query: Callable[[History], T]) -> T:
        """Run a query on the SQL history once the read model has written everything the
        engine has applied (what the client saw acknowledged: it reads its own writes), off
        the event loop. Waits at most a few seconds: a read model far behind answers with
        what it has. Its refusals (HistoryError) become Binance's errors. A read model
        that stopped answers -1001 (503): what it holds is not the whole history."""
        read_model = self.read_model
        if self.history is None or read_model is None or read_model.stopped():
            raise errors.DISCONNECTED.error()  # no SQL read model, or it stopped following
        seq = self.engine.last_seq
        deadline = time.monotonic() + READ_MODEL_WAIT_S
        while read_model.last_seq() < seq and time.monotonic() < deadline:
            if read_model.stopped():
                raise errors.DISCONNECTED.error()
            read_model.hurry()
            await asyncio.sleep(0.002)
        history = self.history
        try:
            return await asyncio.to_thread(query, history)
        except HistoryError as exc:
            raise errors.history_error(exc.reason) from exc

    async def execute(self, command: Command) -> Outcome:
        """Run one command through the sequencer, journal and engine; the outcome arrives
        once it is durable and applied. The engine's refusals become Binance's errors: a
        full queue -1003 (back off), a stopping or failed engine -1001 (503)."""
        try:
            return await self.engine.execute(command)
        except (CommandRefused, ServiceFailed) as exc:
            raise refusal_error(exc) from exc

    def submit(self, command: Command) -> "asyncio.Future[Outcome]":
        """`execute` for callers that answer from a callback rather than await (the
        WebSocket API's hot path); raises `Overloaded` when the engine's queue is full."""
        return self.engine.submit(command)

    def submit_with_reply(self, command: Command, reply: ReplyCallback) -> None:
        """`submit` without a future: `reply` gets the outcome (or `ServiceFailed`) straight
        from the engine's acknowledgement pass, after the views are up to date."""
        self.engine.submit_with_reply(command, reply)

    def new_client_order_id(self) -> str:
        """An id for an order sent without one, as Binance makes up: unique and opaque. A
        random prefix per process and a counter: no system call per order."""
        self._client_ids_made += 1
        return f"ap-{self._id_prefix}{self._client_ids_made:x}"

    def on_applied(self, batch: AppliedBatch) -> None:
        """Bring every view up to the batch just applied (called on the engine's loop)."""
        lookup = self.engine.book_quantity
        markets, orders, market_data = self.markets, self.orders, self.market_data
        issuance, nft = self.issuance, self.nft
        listeners = self.listeners
        seq = batch.first_seq
        for command, events in zip(batch.commands, batch.events, strict=True):
            markets.apply(events)
            issuance.apply(events)
            nft.apply(events)
            changes = orders.apply(events)
            market_data.apply(seq, events, lookup)
            for listener in listeners:
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

    def _start_from(self, seed: Seed) -> None:
        """The views as of the engine's state at start (after a restart: its listings, open
        orders and books)."""
        self.markets.seed(seed.assets, seed.markets, seed.fee_overrides)
        self.issuance.seed(seed.assets, seed.rwa)
        self.nft.seed(seed.nft, seed.last_seq)
        listed: list[Event] = [AssetListed(0, 0, a.code, a.precision) for a in seed.assets]
        listed.extend(MarketListed(0, 0, terms.market) for terms in seed.markets)
        if not listed:
            return
        self.orders.apply(listed)
        self.orders.restore(seed.open_orders, seed.order_lists)
        self.market_data.apply(seed.last_seq, listed, self.engine.book_quantity)
        resting: dict[str, list[tuple[int, Side, int]]] = {
            t.market.symbol: [] for t in seed.markets
        }
        for order in seed.open_orders:
            resting[order.symbol].append((order.order_id, order.side, order.price))
        for symbol, orders in resting.items():
            book = seed.books[symbol]
            self.market_data.seed_book(
                symbol, book.bids, book.asks, orders, update_id=seed.last_seq
            )
