"""The engine's command port protocol: what gateways (and the crash tests' client) send.

A connection carries frames both ways: a u32 big-endian length, then one MessagePack
message. Requests carry an id chosen by the client; every request gets exactly one reply
with that id, in no particular order relative to other requests' replies.

    Submit {id, command}   command = the encoded command (assetport.domain.commands)
    Status {id, full}      the role, seq and lag; `full`: the state hash and ledger sums too
    Read   {id, follow, since}  the engine's read API as a gateway's views start from it;
                           with `follow`, the connection gets every applied batch from then
                           on (`Applied`), and with `since` >= 0 (a gateway coming back,
                           its views at that seq) the batches after `since` first
    Check  {id, command}   an order's problems without placing it (`POST /order/test`)

    Done     {id, seq, time, events}   the command is durable and applied; events encoded
                                       as in assetport.domain.events (empty to a follower:
                                       its `Applied` frame, always sent first, has them)
    Refused  {id, code, message}       overloaded, shutting_down, not_primary, failed,
                                       bad_request, gap: not acknowledged (or not readable)
    StatusOf {id, role, last_seq, state_hash, ledger_nonzero, lag, lag_ms}
    ReadOf   {id, seed, missed}        `views.seed.Seed`, and how many `Applied` frames of
                                       the batches after `since` follow it
    CheckOf  {id, reason}              the `RejectReason`, or None when the order passes
    Applied  {first_seq, time, commands, events, levels}  to a follower, unasked, for every
                                       batch the engine applied, in seq order: what each
                                       command did, and the visible quantity at every book
                                       level the batch touched (symbol, is_bid, price, qty)
"""

import struct

import msgspec

from assetport.domain.commands import AnyCommand
from assetport.domain.events import AnyEvent
from assetport.domain.results import RejectReason
from assetport.views.seed import Seed


class Submit(msgspec.Struct, frozen=True, array_like=True, tag="submit"):
    id: int
    command: bytes


class Status(msgspec.Struct, frozen=True, array_like=True, tag="status"):
    id: int
    full: bool = True  # with the state hash and ledger sums (the hash costs a full encoding)


class Read(msgspec.Struct, frozen=True, array_like=True, tag="read"):
    id: int
    follow: bool = False
    since: int = -1  # the seq the follower's views are at; -1: none (a fresh start)


class Check(msgspec.Struct, frozen=True, array_like=True, tag="check"):
    id: int
    command: bytes


Level = tuple[str, bool, int, int]  # symbol, is_bid, price, visible quantity


class Done(msgspec.Struct, frozen=True, array_like=True, tag="done"):
    id: int
    seq: int
    time: int
    events: bytes


class Refused(msgspec.Struct, frozen=True, array_like=True, tag="refused"):
    id: int
    code: str
    message: str


class StatusOf(msgspec.Struct, frozen=True, array_like=True, tag="status_of"):
    """`ledger_nonzero` lists the assets whose ledger does not sum to zero (empty when sound);
    it and `state_hash` are empty when the request did not ask for them (`full`).
    A standby's `lag` is how many records of the stream it has not applied yet, and `lag_ms`
    how long ago the primary stamped the last record it applied: the replication delay
    (both 0 on a primary)."""

    id: int
    role: str
    last_seq: int
    state_hash: str
    ledger_nonzero: dict[str, int]
    lag: int = 0
    lag_ms: int = 0


class Applied(msgspec.Struct, frozen=True, array_like=True, tag="applied"):
    """One applied batch, as a following gateway's views take it."""

    first_seq: int
    time: int
    commands: list[AnyCommand]
    events: list[list[AnyEvent]]
    levels: list["Level"] = []

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.commands) - 1


class ReadOf(msgspec.Struct, frozen=True, array_like=True, tag="read_of"):
    """`missed`: how many `Applied` frames (the batches after `since`) follow right behind
    this reply, before any batch applied after it."""

    id: int
    seed: Seed
    missed: int = 0


class CheckOf(msgspec.Struct, frozen=True, array_like=True, tag="check_of"):
    id: int
    reason: RejectReason | None


Request = Submit | Status | Read | Check
Reply = Done | Refused | StatusOf | ReadOf | CheckOf | Applied

LENGTH = struct.Struct(">I")
MAX_FRAME_BYTES = 16 * 1024 * 1024

_encoder = msgspec.msgpack.Encoder()
request_decoder: msgspec.msgpack.Decoder[Request] = msgspec.msgpack.Decoder(Request)
reply_decoder: msgspec.msgpack.Decoder[Reply] = msgspec.msgpack.Decoder(Reply)


class FrameTooLarge(Exception):
    pass


def frame(message: Request | Reply) -> bytes:
    body = _encoder.encode(message)
    return LENGTH.pack(len(body)) + body


def split_frames(buffer: bytearray) -> list[bytes]:
    """Remove every complete frame from the front of `buffer` and return their bodies."""
    bodies: list[bytes] = []
    offset = 0
    size = len(buffer)
    while size - offset >= LENGTH.size:
        (length,) = LENGTH.unpack_from(buffer, offset)
        if length > MAX_FRAME_BYTES:
            raise FrameTooLarge(f"frame of {length} bytes exceeds {MAX_FRAME_BYTES}")
        end = offset + LENGTH.size + length
        if end > size:
            break
        bodies.append(bytes(buffer[offset + LENGTH.size : end]))
        offset = end
    del buffer[:offset]
    return bodies
