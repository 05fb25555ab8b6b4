"""The SQL read model's progress as a gateway over the command port sees it: polled from the
database.

With `serve --engine HOST:PORT --db URL` the read model is written by the engine process's
child (`read_model.py`, `engine-serve --db`), not by this process: what this gateway knows
of it is the projector's committed seq in the database (`projector_state`). This polls it,
every `FAST_POLL_S` while a history query waits on it (`hurry`) and for a while after, and
every `SLOW_POLL_S` otherwise (one indexed one-row SELECT), so `Gateway.from_history` waits
until the rows of what the client saw acknowledged are committed, as in one process.

`stopped()` says the read model no longer follows: its seq has not moved for `STALL_S` while
this gateway's engine seq is ahead of it (the engine's child stopped, the engine runs
without one, the database is unreachable). History then answers -1001 (503) and so does
`GET /api/v1/health`, never an empty success. Unlike a child of this process, which never
comes back, it recovers on its own once the seq moves again (a promoted standby's child
takes over, the database is back).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Final

from sqlalchemy.exc import SQLAlchemyError

from assetport.store.database import Database
from assetport.store.projector import committed_seq

logger = logging.getLogger(__name__)

FAST_POLL_S: Final = 0.01
SLOW_POLL_S: Final = 0.5
HURRY_WINDOW_S: Final = 1.0  # polled fast this long after the last `hurry`
STALL_S: Final = 10.0


class PolledProgress:
    """`ReadModelProgress` (api/gateway.py) read from the read model's database."""

    def __init__(
        self, database: Database, engine_seq: Callable[[], int], *, stall_s: float = STALL_S
    ) -> None:
        self._database = database
        self._engine_seq = engine_seq
        self._stall_s = stall_s
        self._last_seq = 0
        self._moved_at = time.monotonic()  # when the seq last moved or was caught up
        self._hurried_until = 0.0
        self._wake = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None
        self._failing = False  # the last poll failed (logged once per outage)

    @classmethod
    async def start(
        cls, database: Database, engine_seq: Callable[[], int], *, stall_s: float = STALL_S
    ) -> "PolledProgress":
        """Read the committed seq once (a database that cannot be read fails here, at
        start), then keep polling it until `close`."""
        self = cls(database, engine_seq, stall_s=stall_s)
        self._last_seq = await asyncio.to_thread(committed_seq, database)
        self._polling = asyncio.get_running_loop().create_task(self._poll_forever())
        return self

    def last_seq(self) -> int:
        """The seq of the last command whose rows are committed, as last polled."""
        return self._last_seq

    def hurry(self) -> None:
        """A query waits: poll fast for a while (at once, if polling slowly now)."""
        now = time.monotonic()
        polling_slowly = now >= self._hurried_until
        self._hurried_until = now + HURRY_WINDOW_S
        if polling_slowly:
            self._wake.set()

    def stopped(self) -> bool:
        """Whether the committed seq has stood still for `stall_s` while the engine is
        ahead of it."""
        if self._engine_seq() <= self._last_seq:
            return False
        return time.monotonic() - self._moved_at > self._stall_s

    async def close(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None

    async def _poll_forever(self) -> None:
        while True:
            fast = time.monotonic() < self._hurried_until
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FAST_POLL_S if fast else SLOW_POLL_S)
            self._wake.clear()
            await self._poll()

    async def _poll(self) -> None:
        engine_seq = self._engine_seq()  # before the read: a seq committed meanwhile counts
        try:
            seq = await asyncio.to_thread(committed_seq, self._database)
        except SQLAlchemyError as exc:
            if not self._failing:
                logger.warning("the read model's database cannot be read: %s", exc)
            self._failing = True
            return
        if self._failing:
            logger.warning("the read model's database can be read again")
            self._failing = False
        if seq != self._last_seq or seq >= engine_seq:
            self._moved_at = time.monotonic()
        self._last_seq = seq
