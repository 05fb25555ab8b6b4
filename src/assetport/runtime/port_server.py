"""The engine's command port: an asyncio TCP server speaking `assetport.runtime.wire`.

This is how gateway processes (`assetport serve --engine HOST:PORT`, `api/engine_link.py`)
and the crash tests' client reach the engine. A `Done` reply leaves only after the command
is durable and applied: it is written from the command's acknowledgement callback. Replies
to one connection are gathered and written once per turn of the event loop, and a client
that stops reading stops being read from (transport flow control), so a slow client cannot
make the server buffer without bound.

A gateway starts its views from `Read` (the engine's read API as one `Seed`) and follows:
every batch the engine applies, whoever sent its commands, goes to every following
connection as one `Applied` frame (encoded once), with the visible quantity at every book
level the batch touched (`views/levels.py` says which), before the batch's `Done` replies;
so each gateway's views see every command, in seq order, and its own command's outcome is
in its views before its reply. A follower that does not read is dropped once its backlog
passes `MAX_FOLLOWER_BACKLOG` rather than grow the engine's memory; it comes back with
`Read(since=...)` and gets the batches it missed, right behind the `ReadOf`, from the last
`RECENT_COMMANDS` the port keeps (a standby keeps them too, from the records it follows, so
a gateway that turns to a promoted standby misses nothing). `Check` runs `Engine.order_problem` for
`POST /order/test`.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, Final, Protocol

import msgspec

from assetport.domain.commands import Command, PlaceOrder, decode_command
from assetport.domain.events import encode_events
from assetport.domain.orders import Side
from assetport.engine.engine import Engine
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome, ReplyCallback
from assetport.runtime.standby import Standby
from assetport.runtime.wire import (
    Applied,
    Check,
    CheckOf,
    Done,
    FrameTooLarge,
    Level,
    Read,
    ReadOf,
    Refused,
    Reply,
    Status,
    StatusOf,
    Submit,
    frame,
    request_decoder,
    split_frames,
)
from assetport.views.levels import Key, LevelKeys
from assetport.views.seed import (
    Book,
    NftSeed,
    OpenOrder,
    OpenOrderList,
    ReserveState,
    RwaSeed,
    Seed,
)

logger = logging.getLogger(__name__)

_SIDES: Final = {True: Side.BUY, False: Side.SELL}
# The applied commands kept for gateways that come back (a lost connection, a failover):
# a second or two of a full flood, about 30 MB; a gateway away longer starts afresh.
RECENT_COMMANDS: Final = 50_000
# Bytes queued for a follower that does not read before it is dropped.
MAX_FOLLOWER_BACKLOG: Final = 64 * 1024 * 1024


class PortBackend(Protocol):
    """What the port serves: the primary's `EngineService`, or a standby that refuses."""

    @property
    def role(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def on_applied(self) -> list[Callable[[AppliedBatch], None]]: ...

    def submit_with_reply(
        self, command: Command, reply: ReplyCallback, payload: bytes | None = None
    ) -> None: ...


def status_of(request_id: int, backend: PortBackend, *, full: bool = True) -> StatusOf:
    engine = backend.engine
    lag, lag_ms = backend.lag() if isinstance(backend, Standby) else (0, 0)
    if not full:
        return StatusOf(request_id, backend.role, engine.last_seq, "", {}, lag, lag_ms)
    nonzero = {asset: total for asset, total in engine.ledger_totals().items() if total}
    return StatusOf(
        request_id, backend.role, engine.last_seq, engine.state_hash(), nonzero, lag, lag_ms
    )


def read_state(engine: Engine, *, balances: bool = False, books_only: bool = False) -> Seed:
    """What a gateway's views start from, from the engine's read API: the listings as they
    trade now, the fee overrides, the open orders and the books they make (a level's
    visible quantity is the sum of its resting orders' visible parts), issuance's tokens
    (terms, subscription terms, reserves, supplies; holder rules, identities, frozen
    holdings), the NFT marketplace (`Engine.nft_state()`), and with `balances` every
    balance record. With `books_only` (a gateway coming back, whose views take the batches
    it missed) only the seq, listings, books and balances: no open orders, issuance or NFT
    state, which are most of a large state's bytes."""
    held = engine.open_orders()
    levels: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
    for terms in engine.listed_markets():
        levels[terms.market.symbol] = ({}, {})
    for order in held:
        if order.working:  # resting in the book (a stop waiting for its price is not)
            side = levels[order.symbol][0 if order.side is Side.BUY else 1]
            side[order.price] = side.get(order.price, 0) + order.visible
    books = {
        symbol: Book(sorted(bids.items(), reverse=True), sorted(asks.items()))
        for symbol, (bids, asks) in levels.items()
    }
    everyone = engine.balances() if balances else []
    if books_only:
        return Seed(
            engine.last_seq,
            engine.listed_assets(),
            engine.listed_markets(),
            engine.fee_overrides(),
            [],
            books,
            everyone,
        )
    return Seed(
        engine.last_seq,
        engine.listed_assets(),
        engine.listed_markets(),
        engine.fee_overrides(),
        [_open_order(order) for order in held],
        books,
        everyone,
        RwaSeed(
            engine.rwa_terms(),
            engine.subscription_terms(),
            [ReserveState(*reserve) for reserve in engine.rwa_reserves()],
            engine.rwa_supplies(),
            engine.holder_rules(),
            engine.identities(),
            engine.frozen(),
        ),
        _nft_seed(engine),
        [_open_order_list(order_list) for order_list in engine.open_order_lists()],
    )


def _open_order_list(order_list: Any) -> OpenOrderList:
    return OpenOrderList(
        order_list.order_list_id,
        order_list.account,
        order_list.symbol,
        order_list.kind,
        order_list.list_client_order_id,
        order_list.order_ids,
        order_list.created,
        list(order_list.pending),
        order_list.client_order_ids,
    )


def _nft_seed(engine: Engine) -> NftSeed:
    nft = engine.nft_state()
    return NftSeed(nft.fee_bps, nft.counters, nft.collections, nft.items, nft.listings,
                   nft.offers, nft.auctions, nft.drops, nft.next_drop_id, nft.contracts,
                   nft.outside)  # fmt: skip


def _open_order(order: Any) -> OpenOrder:
    return OpenOrder(
        order.order_id,
        order.account,
        order.symbol,
        order.client_order_id,
        order.side,
        order.type,
        order.time_in_force,
        order.price,
        order.quantity,
        order.quote_quantity,
        order.stop_price,
        order.iceberg_qty,
        order.stp_mode,
        order.created,
        order.working,
        order.status,
        order.executed,
        order.executed_quote,
        order.updated,
    )


def visible_quantity(engine: Engine, symbol: str, side: Side, price: int) -> int:
    """The visible quantity at one price level of a book right now: what the depth view
    reads after each command (`marketdata/depth.py`'s `BookLookup`)."""
    return engine.visible_at(symbol, side, price)


def applied_frame(batch: AppliedBatch, levels: list[Level]) -> bytes:
    """The batch as a follower takes it: one `Applied` frame."""
    return frame(
        Applied(
            batch.first_seq,
            batch.time,
            batch.commands,  # type: ignore[arg-type]
            batch.events,  # type: ignore[arg-type]
            levels,
        )
    )


class Recent:
    """The last applied batches (at least `limit` commands of them), for a gateway that
    comes back and asks for what it missed since its views' seq: as the `Applied` frames
    sent to the followers (bytes, which the garbage collector never walks: tens of
    thousands of batches kept as objects lengthened the engine's rare long pauses), or as
    the batches themselves on a standby (which sends none; framed when asked)."""

    def __init__(self, limit: int = RECENT_COMMANDS) -> None:
        self._limit = limit
        self._entries: deque[tuple[int, int, bytes | AppliedBatch]] = deque()
        self._commands = 0

    def add(self, first_seq: int, last_seq: int, entry: bytes | AppliedBatch) -> None:
        entries = self._entries
        if entries and first_seq != entries[-1][1] + 1:
            # Never a hole: what is kept runs without a gap up to the newest batch.
            entries.clear()
            self._commands = 0
        entries.append((first_seq, last_seq, entry))
        self._commands += last_seq - first_seq + 1
        while self._commands - (entries[0][1] - entries[0][0] + 1) >= self._limit:
            first, last, _ = entries.popleft()
            self._commands -= last - first + 1

    def since(self, seq: int, last_seq: int) -> list[bytes] | None:
        """The framed batches holding the commands after `seq` up to `last_seq` (the
        engine's; the first may begin before `seq`: the follower skips what it has); None
        when some of them are no longer kept."""
        if seq >= last_seq:
            return []
        entries = self._entries
        if not entries or entries[0][0] > seq + 1:
            return None
        missed: list[bytes] = []
        for _, last, entry in entries:
            if last <= seq:
                continue
            missed.append(applied_frame(entry, []) if isinstance(entry, AppliedBatch) else entry)
        return missed


class CommandPort:
    def __init__(self, backend: PortBackend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self.recent = Recent()
        self._followers: set[_Connection] = set()
        # Once a connection follows: where each open order rests, to tell which levels a
        # batch touched.
        self._keys: LevelKeys | None = None
        self.backend = backend
        self._kept_for_takeover = isinstance(backend, Standby)
        backend.on_applied.append(self._applied)

    def serve_from(self, backend: PortBackend) -> None:
        """Answer from another backend from now on (a standby just promoted: its service)."""
        self.backend = backend
        backend.on_applied.append(self._applied)

    def follow(self, connection: "_Connection") -> None:
        """`connection` gets every applied batch from now on."""
        if self._keys is None:
            self._keys = LevelKeys()
            self._keys.seed(
                (order.order_id, order.side, order.price)
                for order in self.backend.engine.open_orders()
            )
        self._followers.add(connection)

    def unfollow(self, connection: "_Connection") -> None:
        self._followers.discard(connection)

    def _applied(self, batch: AppliedBatch) -> None:
        keys = self._keys
        if keys is None:
            # Nobody follows yet. A standby (or a standby just promoted) keeps its batches
            # for the gateways that will turn to it; a primary has had no gateway to miss
            # anything.
            if self._kept_for_takeover:
                self.recent.add(batch.first_seq, batch.last_seq, batch)
            return
        touched: dict[str, set[Key]] = {}
        for events in batch.events:
            for symbol, found in keys.touched(events).items():
                touched.setdefault(symbol, set()).update(found)
        # Framed once the first gateway followed, whether any follows right now or not:
        # the ones that lost their connection come back for them.
        data = applied_frame(batch, self._levels(touched))
        self.recent.add(batch.first_seq, batch.last_seq, data)
        for connection in list(self._followers):
            connection.send_frame(data)

    def _levels(self, touched: dict[str, set[Key]]) -> list[Level]:
        """The visible quantity, now, at each level the batch touched."""
        engine = self.backend.engine
        return [
            (symbol, is_bid, price, visible_quantity(engine, symbol, _SIDES[is_bid], price))
            for symbol, keys in touched.items()
            for is_bid, price in keys
        ]

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the command port is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), self.host, self._requested_port
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


class _Connection(asyncio.Protocol):
    def __init__(self, port: CommandPort) -> None:
        self._port = port
        self._buffer = bytearray()
        self._out: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._follows = False  # it gets every applied batch (its Done replies carry no events)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        # Commands already submitted still run; their replies have nowhere to go.
        self._transport = None
        self._port.unfollow(self)

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            bodies = split_frames(self._buffer)
        except FrameTooLarge as exc:
            self._drop(f"bad frame: {exc}")
            return
        for body in bodies:
            try:
                request = request_decoder.decode(body)
            except msgspec.DecodeError as exc:
                self._drop(f"unreadable request: {exc}")
                return
            if type(request) is Submit:
                self._submit(request)
            elif isinstance(request, Status):
                self._send(status_of(request.id, self._port.backend, full=request.full))
            elif isinstance(request, Read):
                self._read(request)
            else:
                assert isinstance(request, Check)
                self._check(request)

    def _read(self, request: Read) -> None:
        port = self._port
        backend = port.backend
        engine = backend.engine
        if not request.follow:
            self._send(ReadOf(request.id, read_state(engine, balances=True)))
            return
        if backend.role != "primary":
            self._send(Refused(request.id, "not_primary", "a standby has no batches to follow"))
            return
        since = request.since
        missed = [] if since < 0 else port.recent.since(since, engine.last_seq)
        if missed is None or since > engine.last_seq:
            message = (
                f"the batches after seq {since} are not kept here (this engine is at "
                f"{engine.last_seq}): start the views again from a fresh Read"
            )
            self._send(Refused(request.id, "gap", message))
            return
        port.follow(self)
        self._follows = True
        seed = read_state(engine, balances=True, books_only=since >= 0)
        self._send(ReadOf(request.id, seed, len(missed)))
        for data in missed:  # before any batch applied from now on
            self._send_framed(data)

    def _check(self, request: Check) -> None:
        try:
            command = decode_command(request.command)
        except msgspec.DecodeError as exc:
            self._send(Refused(request.id, "bad_request", f"not a command: {exc}"))
            return
        if not isinstance(command, PlaceOrder):
            self._send(Refused(request.id, "bad_request", "only a new order can be checked"))
            return
        self._send(CheckOf(request.id, self._port.backend.engine.order_problem(command)))

    def _submit(self, request: Submit) -> None:
        try:
            command = decode_command(request.command)
        except msgspec.DecodeError as exc:
            self._send(Refused(request.id, "bad_request", f"not a command: {exc}"))
            return
        request_id = request.id
        try:
            self._port.backend.submit_with_reply(
                command, lambda result: self._acknowledge(request_id, result), request.command
            )
        except CommandRefused as exc:
            self._send(Refused(request_id, exc.code, str(exc)))

    def _acknowledge(
        self, request_id: int, result: Outcome | ServiceFailed | CommandRefused
    ) -> None:
        if isinstance(result, ServiceFailed | CommandRefused):
            self._send(Refused(request_id, result.code, str(result)))
            return
        seq, time, events = result
        # A follower has the events already, in the batch's `Applied` frame.
        self._send(Done(request_id, seq, time, b"" if self._follows else encode_events(events)))

    def _send(self, reply: Reply) -> None:
        if self._transport is not None:
            self._send_framed(frame(reply))

    def send_frame(self, data: bytes) -> None:
        """A frame encoded once for every follower."""
        transport = self._transport
        if transport is None:
            return
        if transport.get_write_buffer_size() > MAX_FOLLOWER_BACKLOG:
            self._drop(f"a follower {MAX_FOLLOWER_BACKLOG} bytes behind")
            return
        self._send_framed(data)

    def _send_framed(self, data: bytes) -> None:
        if self._transport is None:
            return
        if not self._out:
            self._loop.call_soon(self._flush)
        self._out.append(data)

    def _flush(self) -> None:
        if self._transport is not None and self._out:
            self._transport.write(b"".join(self._out))
        self._out.clear()

    def _drop(self, reason: str) -> None:
        logger.warning("closing a command port connection: %s", reason)
        self._port.unfollow(self)
        if self._transport is not None:
            self._transport.close()
            self._transport = None
