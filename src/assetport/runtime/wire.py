"""The engine's command port protocol: what gateways (and the crash tests' client) send.

A connection carries frames both ways: a u32 big-endian length, then one MessagePack
message. Requests carry an id chosen by the client; every request gets exactly one reply
with that id, in no particular order relative to other requests' replies.

    Submit {id, command}   command = the encoded command (assetport.domain.commands)
    Status {id}
    Read   {id, follow}    the engine's read API as a gateway's views start from it; with
                           `follow`, this connection's `Done` replies carry `levels` too
    Check  {id, command}   an order's problems without placing it (`POST /order/test`)

    Done     {id, seq, time, events, levels}  the command is durable and applied; events
                                       encoded as in assetport.domain.events; `levels`
                                       (symbol, is_bid, price, visible quantity) of the
                                       book levels its events touched, for a follower
    Refused  {id, code, message}       overloaded, shutting_down, not_primary, failed,
                                       bad_request: the command was not acknowledged
    StatusOf {id, role, last_seq, state_hash, ledger_nonzero}
    ReadOf   {id, seed}                `views.seed.Seed`
    CheckOf  {id, reason}              the `RejectReason`, or None when the order passes
"""

import struct

import msgspec

from assetport.domain.results import RejectReason
from assetport.views.seed import Seed


class Submit(msgspec.Struct, frozen=True, array_like=True, tag="submit"):
    id: int
    command: bytes


class Status(msgspec.Struct, frozen=True, array_like=True, tag="status"):
    id: int


class Read(msgspec.Struct, frozen=True, array_like=True, tag="read"):
    id: int
    follow: bool = False


class Check(msgspec.Struct, frozen=True, array_like=True, tag="check"):
    id: int
    command: bytes


Level = tuple[str, bool, int, int]  # symbol, is_bid, price, visible quantity


class Done(msgspec.Struct, frozen=True, array_like=True, tag="done"):
    id: int
    seq: int
    time: int
    events: bytes
    levels: list[Level] = []


class Refused(msgspec.Struct, frozen=True, array_like=True, tag="refused"):
    id: int
    code: str
    message: str


class StatusOf(msgspec.Struct, frozen=True, array_like=True, tag="status_of"):
    """`ledger_nonzero` lists the assets whose ledger does not sum to zero (empty when sound)."""

    id: int
    role: str
    last_seq: int
    state_hash: str
    ledger_nonzero: dict[str, int]


class ReadOf(msgspec.Struct, frozen=True, array_like=True, tag="read_of"):
    id: int
    seed: Seed


class CheckOf(msgspec.Struct, frozen=True, array_like=True, tag="check_of"):
    id: int
    reason: RejectReason | None


Request = Submit | Status | Read | Check
Reply = Done | Refused | StatusOf | ReadOf | CheckOf

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
