"""Password hashing off the event loop, with bounded concurrency and a bounded queue.

argon2id takes tens of milliseconds and 64 MiB per hash. Run on asyncio's shared default
executor, 200 sign-ups queue 200 hashes ahead of a real user's login (the issue measured a
15 s login). So each kind of work gets its own lane: a few worker threads (at most that
many hashes at once) and a short queue; beyond it the caller is told to come back
(`Busy`, answered 429 with Retry-After) instead of waiting behind an unbounded queue.
Logins check hashes in one lane, sign-ups and password changes make hashes in another, so a
sign-up flood fills only its own lane.
"""

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final, TypeVar

T = TypeVar("T")

RETRY_AFTER_S: Final = 2


class Busy(Exception):
    """The lane's workers and queue are full."""


class HashLane:
    def __init__(self, name: str, *, workers: int, queue: int) -> None:
        self.name = name
        self.bound = workers + queue  # jobs running or waiting
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._in_flight = 0

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` in one of the lane's threads; raises `Busy` at once when full.
        A job counts until its thread is done with it, even if its caller went away."""
        if self._in_flight >= self.bound:
            raise Busy(self.name)
        loop = asyncio.get_running_loop()
        self._in_flight += 1
        job: Future[T] = self._executor.submit(work, *args)
        job.add_done_callback(lambda _: self._finished(loop))
        return await asyncio.wrap_future(job)

    def _finished(self, loop: asyncio.AbstractEventLoop) -> None:
        """In the worker thread: the count belongs to the loop's thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody counts now
            loop.call_soon_threadsafe(self._done)

    def _done(self) -> None:
        self._in_flight -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
