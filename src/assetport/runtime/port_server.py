"""The engine's command port: an asyncio TCP server speaking `assetport.runtime.wire`.

This is how gateway processes (`assetport serve --engine HOST:PORT`, `api/engine_link.py`)
and the crash tests' client reach the engine. A `Done` reply leaves only after the command
is durable and applied: it is written from the command's acknowledgement callback. Replies
to one connection are gathered and written once per turn of the event loop, and a client
that stops reading stops being read from (transport flow control), so a slow client cannot
make the server buffer without bound.

A gateway starts its views from `Read` (the engine's read API as one `Seed`) and, when it
asks to follow, gets with each `Done` the visible quantity at every book level the
command's events touched (`views/levels.py` says which): what its depth view would
otherwise read from the engine's book. `Check` runs `Engine.order_problem` for
`POST /order/test`.
"""

import asyncio
import logging
from typing import Any, Final, Protocol

import msgspec

from assetport.domain.commands import Command, PlaceOrder, decode_command
from assetport.domain.events import encode_events
from assetport.domain.orders import Side
from assetport.engine.engine import Engine
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import EngineService, Outcome, ReplyCallback
from assetport.runtime.wire import (
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


class PortBackend(Protocol):
    """What the port serves: the primary's `EngineService`, or a standby that refuses."""

    @property
    def role(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    def submit_with_reply(
        self, command: Command, reply: ReplyCallback, payload: bytes | None = None
    ) -> None: ...


def status_of(request_id: int, backend: PortBackend) -> StatusOf:
    engine = backend.engine
    nonzero = {asset: total for asset, total in engine.ledger_totals().items() if total}
    return StatusOf(request_id, backend.role, engine.last_seq, engine.state_hash(), nonzero)


def read_state(engine: Engine, *, balances: bool = False) -> Seed:
    """What a gateway's views start from, from the engine's read API: the listings as they
    trade now, the fee overrides, the open orders and the books they make (a level's
    visible quantity is the sum of its resting orders' visible parts), issuance's tokens
    (terms, subscription terms, reserves, supplies; holder rules, identities, frozen
    holdings), the NFT marketplace (`Engine.nft_state()`), and with `balances` every
    balance record."""
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
    return Seed(
        engine.last_seq,
        engine.listed_assets(),
        engine.listed_markets(),
        engine.fee_overrides(),
        [_open_order(order) for order in held],
        books,
        engine.balances() if balances else [],
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


class CommandPort:
    def __init__(self, backend: PortBackend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        self.host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        # For connections that follow the book (a gateway's `Read` with `follow`): where
        # each open order rests, and the levels each command of the batch being
        # acknowledged touched, by seq.
        self._keys: LevelKeys | None = None
        self._touched: dict[int, dict[str, set[Key]]] = {}

    def follow(self) -> None:
        """A connection follows the book from now on: start telling levels apart."""
        backend = self.backend
        if self._keys is not None or not isinstance(backend, EngineService):
            return
        self._keys = LevelKeys()
        self._keys.seed(
            (order.order_id, order.side, order.price) for order in backend.engine.open_orders()
        )
        backend.on_applied.append(self._applied)

    def _applied(self, batch: AppliedBatch) -> None:
        keys = self._keys
        assert keys is not None
        touched: dict[int, dict[str, set[Key]]] = {}
        seq = batch.first_seq
        for events in batch.events:
            found = keys.touched(events)
            if found:
                touched[seq] = found
            seq += 1
        self._touched = touched

    def levels(self, seq: int) -> list[Level]:
        """The visible quantity, now, at each level command `seq` touched (called while its
        batch is acknowledged)."""
        touched = self._touched.get(seq)
        if not touched:
            return []
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
        self._follows = False  # its replies carry the book levels their commands touched

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        # Commands already submitted still run; their replies have nowhere to go.
        self._transport = None

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
                self._send(status_of(request.id, self._port.backend))
            elif isinstance(request, Read):
                self._read(request)
            else:
                assert isinstance(request, Check)
                self._check(request)

    def _read(self, request: Read) -> None:
        port = self._port
        if request.follow:
            port.follow()
            self._follows = True
        self._send(ReadOf(request.id, read_state(port.backend.engine, balances=True)))

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

    def _acknowledge(self, request_id: int, result: Outcome | ServiceFailed) -> None:
        if isinstance(result, ServiceFailed):
            self._send(Refused(request_id, ServiceFailed.code, str(result)))
            return
        seq, time, events = result
        levels = self._port.levels(seq) if self._follows else []
        self._send(Done(request_id, seq, time, encode_events(events), levels))

    def _send(self, reply: Reply) -> None:
        if self._transport is None:
            return
        if not self._out:
            self._loop.call_soon(self._flush)
        self._out.append(frame(reply))

    def _flush(self) -> None:
        if self._transport is not None and self._out:
            self._transport.write(b"".join(self._out))
        self._out.clear()

    def _drop(self, reason: str) -> None:
        logger.warning("closing a command port connection: %s", reason)
        if self._transport is not None:
            self._transport.close()
            self._transport = None
