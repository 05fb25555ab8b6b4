"""The sequencer: the only place a sequence number or a time is made.

The engine never reads a clock. The sequencer stamps each batch with the next seqs and one
time, in microseconds since the Unix epoch, that never goes backwards: if the wall clock
steps back (NTP), the previous time is reused until the clock catches up.
"""

import time
from collections.abc import Callable


def wall_clock_us() -> int:
    return time.time_ns() // 1000


class Sequencer:
    def __init__(
        self, last_seq: int, last_time: int, clock: Callable[[], int] = wall_clock_us
    ) -> None:
        self.last_seq = last_seq
        self.last_time = last_time
        self._clock = clock

    def stamp(self, count: int) -> tuple[int, int]:
        """Reserve `count` seqs; return (first seq, time) for the batch."""
        now = self._clock()
        if now < self.last_time:
            now = self.last_time
        first = self.last_seq + 1
        self.last_seq += count
        self.last_time = now
        return first, now
