"""The gateway's engine: the engine service in this process, or an engine process reached
through its command port, behind one small interface.

What the gateway needs of an engine is little: send it commands (each answered once durable
and applied, the gateway's views updated first), the state its views start from, and the
few reads no event states (an account's balances, a book level's visible quantity, an
order's problems without placing it). `LocalEngine` answers them from the engine's read API;
`PortEngine` from the command port (`runtime/wire.py`): its views follow the events of its
own commands' replies, and the book levels and balances those events changed.

A gateway over the port is the seed of running several gateways in front of one engine.
What that still needs is not here: views fed by the other gateways' commands (the engine's
whole event stream), reconnecting, users and API keys shared between gateways, and the SQL
history (a port gateway has none: history endpoints answer -1001). docs/architecture.md.
"""

import asyncio
import functools
from collections.abc import Callable
from typing import Any, Protocol

from assetport.domain.commands import Command, PlaceOrder
from assetport.domain.events import decode_events
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.errors import (
    CommandRefused,
    NotPrimary,
    Overloaded,
    ServiceFailed,
    ShuttingDown,
    Unjournalable,
)
from assetport.runtime.port_client import PortClient
from assetport.runtime.port_server import read_state, visible_quantity
from assetport.runtime.service import EngineService, Outcome, ReplyCallback
from assetport.runtime.wire import Done, Refused
from assetport.views.balances import Balances
from assetport.views.seed import Seed

AppliedListener = Callable[[AppliedBatch], None]


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

    def status(self) -> dict[str, Any]:
        """The engine as the operator's status endpoint shows it."""
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


# The command port's refusal codes, as the service's own refusals.
_REFUSALS: dict[str, type[CommandRefused]] = {
    Overloaded.code: Overloaded,
    ShuttingDown.code: ShuttingDown,
    NotPrimary.code: NotPrimary,
    Unjournalable.code: Unjournalable,
}


class PortEngine:
    """An engine process behind its command port (`assetport engine-serve`)."""

    def __init__(self, client: PortClient, seed: Seed, address: str) -> None:
        self._client = client
        self._seed = seed
        self._address = address
        self._last_seq = seed.last_seq
        self.on_applied: list[AppliedListener] = []
        # The book as the replies reported it: (symbol, is_bid, price) -> visible quantity.
        self._book: dict[tuple[str, bool, int], int] = {}
        for symbol, book in seed.books.items():
            for price, quantity in book.bids:
                self._book[symbol, True, price] = quantity
            for price, quantity in book.asks:
                self._book[symbol, False, price] = quantity
        self._balances = Balances()
        self._balances.seed(
            {
                terms.market.symbol: (terms.market.base, terms.market.quote)
                for terms in seed.markets
            },
            seed.balances,
        )

    @classmethod
    async def connect(cls, host: str, port: int) -> "PortEngine":
        """Connect, and read the engine's state following the book from then on."""
        client = await PortClient.connect(host, port)
        seed = await client.read(follow=True)
        return cls(client, seed, f"{host}:{port}")

    async def close(self) -> None:
        await self._client.close()

    async def wait_closed(self) -> None:
        """Return when the connection to the engine is gone: this gateway then stops
        (reconnecting is for #20)."""
        await self._client.wait_closed()

    @property
    def last_seq(self) -> int:
        return self._last_seq

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
            "state": "running" if connected else "disconnected",
            "last_seq": self._last_seq,
            "queued": self._client.outstanding,
            "journal": f"the engine's, behind its command port at {self._address}",
        }

    def _send(self, command: Command, answer: Callable[["Outcome | BaseException"], None]) -> None:
        try:
            sent = self._client.submit(command)
        except ConnectionError as exc:
            raise ShuttingDown(f"the engine at {self._address} is unreachable: {exc}") from exc
        sent.add_done_callback(functools.partial(self._replied, command, answer))

    def _replied(
        self,
        command: Command,
        answer: Callable[["Outcome | BaseException"], None],
        sent: "asyncio.Future[Done | Refused]",
    ) -> None:
        """The engine's reply: the views take its events (and the book levels and balances
        they changed) before the caller hears of it."""
        try:
            reply = sent.result()
        except (ConnectionError, asyncio.CancelledError) as exc:
            answer(ServiceFailed(f"not acknowledged by the engine at {self._address}: {exc}"))
            return
        if isinstance(reply, Refused):
            refusal = _REFUSALS.get(reply.code)
            answer(refusal(reply.message) if refusal is not None else ServiceFailed(reply.message))
            return
        events: list[Any] = decode_events(reply.events)
        book = self._book
        for symbol, is_bid, price, quantity in reply.levels:
            book[symbol, is_bid, price] = quantity
        self._balances.apply(events)
        self._last_seq = max(self._last_seq, reply.seq)
        batch = AppliedBatch(reply.seq, reply.time, [command], [events])
        for listener in self.on_applied:
            listener(batch)
        answer(Outcome(reply.seq, reply.time, events))


def _settle(future: "asyncio.Future[Outcome]", outcome: "Outcome | BaseException") -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _reply_or_fail(reply: ReplyCallback, outcome: "Outcome | BaseException") -> None:
    """A reply callback takes an outcome or `ServiceFailed`: a refusal the port sent after
    the command left (the engine's queue was full...) reaches it as a failure."""
    if isinstance(outcome, ServiceFailed | Outcome):
        reply(outcome)
    else:
        reply(ServiceFailed(str(outcome)))
