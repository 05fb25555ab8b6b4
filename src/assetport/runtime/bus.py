"""The event bus: what the engine did, batch by batch, for in-process subscribers.

Replies go straight to the waiting request (see `service`); the bus is for consumers of the
whole stream: market data, user streams, read models. A subscriber gets every batch, in
order, with nothing skipped: a projection that silently missed an event would be wrong
forever. So a full subscriber queue makes the service wait, and that wait fills the
sequencer's bounded queue, which then answers `Overloaded` at the edge. Memory stays bounded
either way; subscribers must keep up (or rebuild from the journal after a restart).
"""

import asyncio
from dataclasses import dataclass

from assetport.domain.commands import Command
from assetport.domain.events import Event


@dataclass(frozen=True)
class AppliedBatch:
    """Commands `first_seq`, `first_seq + 1`, ... all stamped `time`, and their events.

    Columns rather than one object per command: the hot loop then builds nothing per
    command for the bus.
    """

    first_seq: int
    time: int
    commands: list[Command]
    events: list[list[Event]]

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.commands) - 1


class Subscription:
    def __init__(self, name: str, max_batches: int) -> None:
        self.name = name
        self._queue: asyncio.Queue[AppliedBatch | None] = asyncio.Queue(max_batches)

    async def get(self) -> AppliedBatch | None:
        """The next batch, or None once the bus is closed and everything was delivered."""
        return await self._queue.get()

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> AppliedBatch:
        batch = await self._queue.get()
        if batch is None:
            raise StopAsyncIteration
        return batch

    async def _put(self, item: AppliedBatch | None) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            await self._queue.put(item)


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    @property
    def has_subscribers(self) -> bool:
        return bool(self._subscriptions)

    def subscribe(self, name: str, max_batches: int = 1024) -> Subscription:
        """Receive every batch applied from now on."""
        subscription = Subscription(name, max_batches)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.remove(subscription)

    async def publish(self, batch: AppliedBatch) -> None:
        for subscription in self._subscriptions:
            await subscription._put(batch)

    async def close(self) -> None:
        """Tell every subscriber the stream has ended."""
        for subscription in self._subscriptions:
            await subscription._put(None)
