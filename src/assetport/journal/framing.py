"""The on-disk frame of one record, shared by the file journal and the verifier.

    offset  size  field
    0       4     payload length in bytes     (u32, little-endian)
    4       4     CRC32C of bytes 8 .. end    (u32, little-endian) - i.e. of seq, time, payload
    8       8     seq                         (u64, little-endian)
    16      8     time, microseconds          (i64, little-endian)
    24      n     payload

The length is not under the CRC: a damaged length makes the frame end in the wrong place,
and the CRC over the wrong span then fails, so the damage is still caught.
"""

import struct
from collections.abc import Iterator, Sequence

from crc32c import crc32c

from assetport.journal.record import Record

_HEADER = struct.Struct("<IIQq")
_LENGTH_CRC = struct.Struct("<II")
_SEQ_TIME = struct.Struct("<Qq")
_SEQ = struct.Struct("<Q")

HEADER_SIZE = _HEADER.size
# Commands are small; a cap lets a damaged length field be recognised as damage instead of
# sending the reader looking for gigabytes that were never written.
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
MAX_SEQ = 2**64 - 1
MIN_TIME, MAX_TIME = -(2**63), 2**63 - 1


class FrameError(Exception):
    """The frame at `offset` is not a valid record with seq `expected_seq`.

    `may_be_torn` is True when a write cut short by a crash could leave exactly this damage
    (a short frame, garbage, a bad CRC); False when the frame itself is intact but wrong.
    """

    def __init__(self, offset: int, expected_seq: int, reason: str, *, may_be_torn: bool) -> None:
        super().__init__(reason)
        self.offset = offset
        self.expected_seq = expected_seq
        self.reason = reason
        self.may_be_torn = may_be_torn


def record_problem(record: Record) -> str | None:
    """Why a record cannot be framed, or None when it can."""
    if not isinstance(record.payload, bytes):
        return f"record {record.seq}: payload must be bytes, not {type(record.payload).__name__}"
    if len(record.payload) > MAX_PAYLOAD_BYTES:
        return f"record {record.seq}: payload of {len(record.payload)} bytes exceeds the limit"
    if not MIN_TIME <= record.time <= MAX_TIME:
        return f"record {record.seq}: time {record.time} does not fit in 64 bits"
    return None


def encode_frames(records: Sequence[Record]) -> bytes:
    """All frames of `records`, back to back, as one buffer ready for a single write."""
    # One concatenation per record lets a single CRC call cover seq, time and payload;
    # measured faster than two chained CRC calls or packing into a preallocated buffer.
    parts: list[bytes] = []
    append = parts.append
    pack_seq_time = _SEQ_TIME.pack
    pack_length_crc = _LENGTH_CRC.pack
    for record in records:
        payload = record.payload
        body = pack_seq_time(record.seq, record.time) + payload
        append(pack_length_crc(len(payload), crc32c(body)))
        append(body)
    return b"".join(parts)


def encode_batch(first_seq: int, time: int, payloads: Sequence[bytes]) -> bytes:
    """The frames of records `first_seq`, `first_seq + 1`, ... all stamped `time`.

    The same bytes as `encode_frames` of those records, without building a `Record` per
    payload or checking each one: a batch from the sequencer has one time and no gaps.
    Raises ValueError when a record cannot be framed.
    """
    if not MIN_TIME <= time <= MAX_TIME:
        raise ValueError(f"time {time} does not fit in 64 bits")
    if first_seq < 1 or first_seq + len(payloads) - 1 > MAX_SEQ:
        raise ValueError(f"seqs {first_seq}.. do not fit in 64 bits")
    if payloads and max(map(len, payloads)) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a payload exceeds the {MAX_PAYLOAD_BYTES}-byte limit")
    parts: list[bytes] = []
    append = parts.append
    pack_seq_time = _SEQ_TIME.pack
    pack_length_crc = _LENGTH_CRC.pack
    seq = first_seq
    for payload in payloads:
        body = pack_seq_time(seq, time) + payload
        append(pack_length_crc(len(payload), crc32c(body)))
        append(body)
        seq += 1
    return b"".join(parts)


def frame_ends(frames: bytes | memoryview) -> list[int]:
    """The offset just past each frame of well-formed `frames` (from `encode_*`), in order.

    Only for the rare cut of a batch (a segment boundary, or one fsync per record), so the
    common path never keeps per-record offsets.
    """
    ends: list[int] = []
    unpack = _LENGTH_CRC.unpack_from
    offset = 0
    size = len(frames)
    while offset < size:
        length, _ = unpack(frames, offset)
        offset += HEADER_SIZE + length
        ends.append(offset)
    if offset != size:
        raise ValueError("frames end in the middle of a frame")
    return ends


def iter_frames(data: bytes, first_seq: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield (offset, seq, time, end) for each valid frame; the payload is data[offset+24:end].

    Stops at the end of `data` or raises FrameError at the first frame that is not the next
    record in order with a good CRC.
    """
    view = memoryview(data)
    unpack = _HEADER.unpack_from
    size = len(data)
    offset = 0
    expected = first_seq
    while offset < size:
        if size - offset < HEADER_SIZE:
            raise FrameError(
                offset,
                expected,
                f"incomplete frame header ({size - offset} of {HEADER_SIZE} bytes)",
                may_be_torn=True,
            )
        length, crc, seq, time = unpack(data, offset)
        if length > MAX_PAYLOAD_BYTES:
            raise FrameError(
                offset,
                expected,
                f"frame length {length} exceeds the {MAX_PAYLOAD_BYTES}-byte limit",
                may_be_torn=True,
            )
        end = offset + HEADER_SIZE + length
        if end > size:
            raise FrameError(
                offset,
                expected,
                f"incomplete frame (needs {end - offset} bytes, {size - offset} remain)",
                may_be_torn=True,
            )
        actual = crc32c(view[offset + 8 : end])
        if actual != crc:
            raise FrameError(
                offset,
                expected,
                f"CRC mismatch (stored {crc:#010x}, computed {actual:#010x})",
                may_be_torn=True,
            )
        if seq != expected:
            raise FrameError(
                offset, expected, f"record has seq {seq}, expected {expected}", may_be_torn=False
            )
        yield offset, seq, time, end
        offset = end
        expected += 1


def valid_frame_after(data: bytes, offset: int, seq: int) -> bool:
    """Whether an intact frame for record `seq` starts anywhere after `offset`.

    A crash tears only the tail of the file, so intact data after a bad frame proves the bad
    frame is damage in the middle, not a torn write, and must not be cut off.
    """
    needle = _SEQ.pack(seq)
    position = data.find(needle, offset + 9)
    while position != -1:
        if _is_frame_of(data, position - 8, seq):
            return True
        position = data.find(needle, position + 1)
    return False


def _is_frame_of(data: bytes, start: int, seq: int) -> bool:
    if start < 0 or len(data) - start < HEADER_SIZE:
        return False
    length, crc, found_seq, _ = _HEADER.unpack_from(data, start)
    end = start + HEADER_SIZE + length
    if found_seq != seq or length > MAX_PAYLOAD_BYTES or end > len(data):
        return False
    return bool(crc32c(memoryview(data)[start + 8 : end]) == crc)
