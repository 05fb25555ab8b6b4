"""The gateway's engine: the engine service in this process, or an engine process reached
through its command port, behind one small interface.

What the gateway needs of an engine is little: send it commands (each answered once durable
and applied, the gateway's views updated first), the state its views start from, and the
few reads no event states (an account's balances, a book level's visible quantity, an
order's problems without placing it). `LocalEngine` answers them from the engine's read API;
`PortEngine` from the command port (`runtime/wire.py`) of an engine process: its views
follow the engine's whole stream of applied batches (every gateway's commands), with the
book levels and balances they changed, and when the connection is lost it finds the
primary among the engine addresses it was given (a promoted standby) and carries on from
the seq its views reached (docs/scaled-out.md).
"""

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, Final, Protocol

from assetport.domain.commands import Command, PlaceOrder
from assetport.domain.events import Event, decode_events
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import (
    CommandRefused,
    NotPrimary,
    OutcomeUnknown,
    Overloaded,
    ServiceFailed,
    ShuttingDown,
    Unjournalable,
)
from assetport.runtime.port_client import Address, PortClient, ReadRefused, engine_statuses
from assetport.runtime.port_server import read_state, visible_quantity
from assetport.runtime.service import EngineService, Outcome, ReplyCallback
from assetport.runtime.wire import Applied, Done, ReadOf, Refused
from assetport.views.balances import Balances
from assetport.views.seed import Seed

logger = logging.getLogger(__name__)

AppliedListener = Callable[[AppliedBatch], None]
# Finding the primary again: each address is given this long to answer, and a round over
# all of them that finds none is tried again after a pause growing to RETRY_MAX_S.
CONNECT_TIMEOUT_S: Final = 1.0
READ_TIMEOUT_S: Final = 30.0
RETRY_FIRST_S: Final = 0.01
RETRY_MAX_S: Final = 0.1


class EngineLink(Protocol):
    """What the gateway asks of its engine."""

    @property
    def on_applied(self) -> list[AppliedListener]:
        """Called with each applied batch before its replies go out (the views)."""
        ...

    @property
    def last_seq(self) -> int:
        """The seq of the last command whose outcome this gateway has seen applied."""
        ...

    def submit(self, command: Command) -> "asyncio.Future[Outcome]":
        """Queue a command; raises `CommandRefused` (`Overloaded`...) when it is not taken."""
        ...

    def submit_with_reply(self, command: Command, reply: ReplyCallback) -> None:
        """`submit` answered through a callback (the hot paths: no future per command)."""
        ...

    async def execute(self, command: Command) -> Outcome: ...

    def seed(self) -> Seed:
        """The state the views start from."""
        ...

    def balances(self, account: int) -> list[tuple[int, str, int, int]]:
        """(account, asset, free, held) of the account's balance records, by asset."""
        ...

    def book_quantity(self, symbol: str, side: Side, price: int) -> int:
        """The visible quantity at a book level as of the last applied batch."""
        ...

    async def order_problem(self, command: PlaceOrder) -> RejectReason | None:
        """What the engine would refuse the order for before money moves; None if nothing."""
        ...

    @property
    def reachable(self) -> bool:
        """Whether commands can be sent now (a gateway over the port looking for the
        primary cannot)."""
        ...

    def status(self) -> dict[str, Any]:
        """The engine as the operator's status endpoint shows it."""
        ...

    async def engines(self) -> list[dict[str, Any]]:
        """Each engine process this gateway may use, as its command port reports it (role,
        seq, a standby's lag); empty for the engine in this process."""
        ...


class LocalEngine:
    """The engine service of this process, read through the engine's read API."""

    def __init__(self, service: EngineService) -> None:
        self.service = service
        self._engine = service.engine
        # The service's own methods and list, bound once: no extra call per command.
        self.on_applied: list[AppliedListener] = service.on_applied
        self.submit = service.submit
        self.submit_with_reply = service.submit_with_reply
        self.execute = service.execute
        # Read after every command that touched a book: no extra Python frame per read.
        self.book_quantity: Callable[[str, Side, int], int] = functools.partial(
            visible_quantity, self._engine
        )

    @property
    def last_seq(self) -> int:
        return self.service.last_seq

    @property
    def reachable(self) -> bool:
        return True  # in this process: a failed service stops the server

    def seed(self) -> Seed:
        return read_state(self._engine)

    def balances(self, account: int) -> list[tuple[int, str, int, int]]:
        return self._engine.balances(account)

    async def order_problem(self, command: PlaceOrder) -> RejectReason | None:
        return self._engine.order_problem(command)

    def status(self) -> dict[str, Any]:
        service = self.service
        return {
            "role": service.role,
            "state": service.state.value,
            "last_seq": service.last_seq,
            "queued": service.queued,
            "journal": service.log.describe(),
        }

    async def engines(self) -> list[dict[str, Any]]:
        return []


# The command port's refusal codes, as the service's own refusals.
_REFUSALS: dict[str, type[CommandRefused]] = {
    Overloaded.code: Overloaded,
    ShuttingDown.code: ShuttingDown,
    NotPrimary.code: NotPrimary,
    Unjournalable.code: Unjournalable,
}


class EngineGap(RuntimeError):
    """The primary no longer keeps the batches this gateway's views missed: restart the
    gateway (its views then start from the engine's state afresh)."""


class PortEngine:
    """Engine processes behind their command ports (`assetport engine-serve`): the primary
    among `addresses`, followed; after a lost connection, whichever is primary then."""

    def __init__(self, addresses: list[Address], client: PortClient, read: ReadOf) -> None:
        self._addresses = addresses
        self._client = client
        self._address = client.address
        self._seed = read.seed
        self._last_seq = read.seed.last_seq
        self._seeded_at = read.seed.last_seq  # the book and balances are as of this seq
        self.on_applied: list[AppliedListener] = []
        # The book as the engine reported it: (symbol, is_bid, price) -> visible quantity.
        self._book: dict[tuple[str, bool, int], int] = {}
        self._balances = Balances()
        self._take(read.seed)
        # The batch whose `Done` replies are arriving (the engine sends a batch before them).
        self._current: Applied | None = None
        self._closing = False
        self.reconnects = 0

    @classmethod
    async def connect(cls, addresses: list[Address]) -> "PortEngine":
        """Find the primary among `addresses` and read its state, following it from then on
        (`follow` hands its batches to the views)."""
        client, read = await _find_primary(addresses, since=-1, rounds=1)
        return cls(addresses, client, read)

    def follow(self) -> None:
        """Hand the engine's batches to `on_applied` from now on (the views are attached):
        the batches that came since the state was read first."""
        self._client.on_batch = self._batch

    async def run(self) -> None:
        """Follow the engine until `close`; when the connection is lost, find the primary
        again (a promoted standby) and resume from the seq the views reached. Raises
        `EngineGap` if the primary no longer has what was missed."""
        while True:
            await self._client.wait_closed()
            if self._closing:
                return
            logger.warning(
                "lost the engine at %s (views at seq %d): looking for the primary among %s",
                self._address,
                self._last_seq,
                ", ".join(f"{host}:{port}" for host, port in self._addresses),
            )
            try:
                client, read = await _find_primary(self._addresses, since=self._last_seq)
            except ReadRefused as exc:
                raise EngineGap(f"cannot resume from seq {self._last_seq}: {exc}") from exc
            if self._closing:
                await client.close()
                return
            self._resume(client, read)

    def _resume(self, client: PortClient, read: ReadOf) -> None:
        self._client = client
        self._address = client.address
        self.reconnects += 1
        at = self._last_seq
        self._take(read.seed)
        client.on_batch = self._batch  # the batches missed first: they came behind the seed
        logger.warning(
            "following the engine at %s: views from seq %d to %d (%d batches caught up)",
            self._address,
            at,
            self._last_seq,
            read.missed,
        )

    def _take(self, seed: Seed) -> None:
        """The book and balances as of the seed: batches up to its seq change neither."""
        self._seeded_at = seed.last_seq
        book = self._book
        book.clear()
        for symbol, levels in seed.books.items():
            for price, quantity in levels.bids:
                book[symbol, True, price] = quantity
            for price, quantity in levels.asks:
                book[symbol, False, price] = quantity
        self._balances.seed(
            {
                terms.market.symbol: (terms.market.base, terms.market.quote)
                for terms in seed.markets
            },
            seed.balances,
        )

    def _batch(self, applied: Applied) -> None:
        """A batch the engine applied (any gateway's commands): the views take it."""
        if applied.last_seq <= self._last_seq:
            return  # seen already
        if applied.first_seq <= self._last_seq:  # a batch of which the views have the start
            skip = self._last_seq + 1 - applied.first_seq
            applied = Applied(
                applied.first_seq + skip,
                applied.time,
                applied.commands[skip:],
                applied.events[skip:],
                applied.levels,
            )
        if applied.first_seq > self._seeded_at:
            book = self._book
            for symbol, is_bid, price, quantity in applied.levels:
                book[symbol, is_bid, price] = quantity
            apply = self._balances.apply
            for events in applied.events:
                apply(events)
        self._last_seq = applied.last_seq
        self._current = applied
        batch = AppliedBatch(
            applied.first_seq,
            applied.time,
            applied.commands,  # type: ignore[arg-type]
            applied.events,  # type: ignore[arg-type]
        )
        for listener in self.on_applied:
            listener(batch)

    async def close(self) -> None:
        self._closing = True
        await self._client.close()

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def reachable(self) -> bool:
        return self._client.connected

    def submit(self, command: Command) -> "asyncio.Future[Outcome]":
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._send(command, functools.partial(_settle, future))
        return future

    def submit_with_reply(self, command: Command, reply: ReplyCallback) -> None:
        self._send(command, functools.partial(_reply_or_fail, reply))

    async def execute(self, command: Command) -> Outcome:
        return await self.submit(command)

    def seed(self) -> Seed:
        return self._seed

    def balances(self, account: int) -> list[tuple[int, str, int, int]]:
        return self._balances.of(account)

    def book_quantity(self, symbol: str, side: Side, price: int) -> int:
        return self._book.get((symbol, side is Side.BUY, price), 0)

    async def order_problem(self, command: PlaceOrder) -> RejectReason | None:
        try:
            return await self._client.check(command)
        except ConnectionError as exc:
            raise ServiceFailed(f"the engine at {self._address} is unreachable: {exc}") from exc

    def status(self) -> dict[str, Any]:
        connected = self._client.connected
        return {
            "role": "gateway",
            "state": "running" if connected else "looking for the primary",
            "engine": self._address,
            "last_seq": self._last_seq,
            "queued": self._client.outstanding,
            "reconnects": self.reconnects,
            "journal": f"the engine's, behind its command port at {self._address}",
        }

    async def engines(self) -> list[dict[str, Any]]:
        return await engine_statuses(self._addresses)

    def _send(self, command: Command, answer: Callable[["Outcome | BaseException"], None]) -> None:
        try:
            self._client.submit_with_handler(command, functools.partial(self._replied, answer))
        except ConnectionError as exc:
            raise ShuttingDown(f"the engine at {self._address} is unreachable: {exc}") from exc

    def _replied(
        self,
        answer: Callable[["Outcome | BaseException"], None],
        reply: "Done | Refused | ConnectionError",
    ) -> None:
        """The engine's reply, handled as it is read: its batch was read just before, so
        the views have its events and `_current` is that batch."""
        if isinstance(reply, ConnectionError):
            answer(OutcomeUnknown(f"no answer from the engine at {self._address}: {reply}"))
            return
        if isinstance(reply, Refused):
            refusal = _REFUSALS.get(reply.code)
            answer(refusal(reply.message) if refusal is not None else ServiceFailed(reply.message))
            return
        events = self._events_of(reply)
        if events is None:
            answer(OutcomeUnknown(f"the engine's batch of seq {reply.seq} did not arrive"))
            return
        answer(Outcome(reply.seq, reply.time, events))

    def _events_of(self, reply: Done) -> list[Event] | None:
        if reply.events:  # not a follower's reply
            return decode_events(reply.events)  # type: ignore[return-value]
        current = self._current
        if current is None or not current.first_seq <= reply.seq <= current.last_seq:
            logger.error("no batch for the reply of seq %d", reply.seq)
            return None
        return current.events[reply.seq - current.first_seq]  # type: ignore[return-value]


async def _find_primary(
    addresses: list[Address], *, since: int, rounds: int | None = None
) -> tuple[PortClient, ReadOf]:
    """Connect to the engine that answers as primary and read its state (following it,
    with what it applied after `since`); try the addresses round after round (`rounds`:
    None, until one answers). Raises `ReadRefused` for a gap, ConnectionError when no
    primary answered in `rounds`."""
    pause = RETRY_FIRST_S
    tried = 0
    while rounds is None or tried < rounds:
        tried += 1
        for host, port in addresses:
            try:
                client = await asyncio.wait_for(PortClient.connect(host, port), CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError):
                continue
            try:
                status = await asyncio.wait_for(client.status(full=False), CONNECT_TIMEOUT_S)
                if status.role == "primary":
                    read = await asyncio.wait_for(
                        client.read(follow=True, since=since), READ_TIMEOUT_S
                    )
                    return client, read
            except ReadRefused as exc:
                if exc.code == "gap":
                    await client.close()
                    raise
            except (ConnectionError, TimeoutError):
                pass
            await client.close()
        if rounds is None or tried < rounds:
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX_S)
    where = ", ".join(f"{host}:{port}" for host, port in addresses)
    raise ConnectionError(f"no engine answers as primary at {where}")


def _settle(future: "asyncio.Future[Outcome]", outcome: "Outcome | BaseException") -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _reply_or_fail(reply: ReplyCallback, outcome: "Outcome | BaseException") -> None:
    """A reply callback takes an outcome, a refusal the port sent after the command left
    (the engine's queue was full: -1003 to the client, as in-process) or `ServiceFailed`."""
    if isinstance(outcome, ServiceFailed | CommandRefused | Outcome):
        reply(outcome)
    else:
        reply(ServiceFailed(str(outcome)))
