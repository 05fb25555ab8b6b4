"""One entry of the command log: an opaque payload stamped with its sequence number and time."""

import msgspec


class Record(msgspec.Struct, frozen=True, gc=False):
    """A journal record.

    `seq` counts from 1 with no gaps; `time` is microseconds since the Unix epoch, stamped by
    the sequencer (the engine never reads a clock). The journal never looks inside `payload`.
    """

    seq: int
    time: int
    payload: bytes
