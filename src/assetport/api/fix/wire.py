"""FIX 4.4 on the wire: framing by BodyLength, the checks Binance makes before it reads a
message (-1177 "garbled"), and encoding.

A connection's bytes go through `Framer.feed`, which never holds more than one message's
worth of bytes (`FixLimits.max_message_bytes`) and never parses a field before the whole
message is framed, its checksum verified, its bytes printable ASCII and its field count
bounded. simplefix then splits the framed bytes into fields and encodes the answers (it
computes BodyLength and CheckSum); it is a streaming parser without bounds of its own, so
it only ever sees one framed message.

What cannot be framed (no `8=FIX.4.4` first, a BodyLength that is not a number or too
large, no `10=` where BodyLength says) leaves the stream unreadable: `Unframeable`, and the
session logs out. A framed message that fails a check is a `Garbled` result: the session
rejects it and reads on.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import simplefix
import simplefix.errors

from assetport.api import errors
from assetport.api.errors import ApiError

SOH: Final = b"\x01"
BEGIN_STRING: Final = "FIX.4.4"
_PREFIX: Final = b"8=FIX.4.4\x019="
_MAX_LENGTH_DIGITS: Final = 7  # Binance writes BodyLength zero-padded to seven digits
_TRAILER_BYTES: Final = 7  # 10=NNN<SOH>
# Printable ASCII and SOH: deleting them from a message leaves nothing.
_ALLOWED: Final = bytes([1, *range(0x20, 0x7F)])


class Unframeable(Exception):
    """The stream cannot be read on: the session ends."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.msg)
        self.error = error


@dataclass(frozen=True, slots=True)
class Garbled:
    """A framed message that fails a check before its fields are read."""

    error: ApiError
    seq_num: int | None  # MsgSeqNum, when it could be read, for RefSeqNum


class Message:
    """One inbound message: its fields in order, values as ASCII text."""

    __slots__ = ("fields", "msg_type")

    def __init__(self, fields: list[tuple[int, str]]) -> None:
        self.fields = fields
        self.msg_type = fields[2][1]

    def get(self, tag: int) -> str | None:
        for number, value in self.fields:
            if number == tag:
                return value
        return None

    def tags(self) -> list[int]:
        return [number for number, _ in self.fields]


class Framer:
    """Cuts a byte stream into FIX messages, each bounded before it is parsed."""

    def __init__(self, max_message_bytes: int, max_fields: int) -> None:
        self.max_message_bytes = max_message_bytes
        self.max_fields = max_fields
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[Message | Garbled]:
        """The messages `data` completes; raises `Unframeable` when the stream is lost."""
        self._buffer += data
        while True:
            frame = self._next_frame()
            if frame is None:
                return
            yield _read(frame, self.max_fields)

    def _next_frame(self) -> bytes | None:
        buffer = self._buffer
        head = bytes(buffer[: len(_PREFIX)])
        if not _PREFIX.startswith(head) and not head.startswith(_PREFIX):
            raise Unframeable(errors.FIX_BEGIN_STRING_FIRST.error())
        if len(buffer) < len(_PREFIX):
            return None
        end_of_length = buffer.find(SOH, len(_PREFIX), len(_PREFIX) + _MAX_LENGTH_DIGITS + 1)
        if end_of_length < 0:
            if len(buffer) > len(_PREFIX) + _MAX_LENGTH_DIGITS:
                raise Unframeable(errors.FIX_BAD_BODY_LENGTH.error())
            return None
        digits = bytes(buffer[len(_PREFIX) : end_of_length])
        if not digits.isdigit():
            raise Unframeable(errors.FIX_BAD_BODY_LENGTH.error())
        body_length = int(digits)
        if body_length > self.max_message_bytes:
            raise Unframeable(message_too_large(self.max_message_bytes))
        body_end = end_of_length + 1 + body_length
        total = body_end + _TRAILER_BYTES
        if len(buffer) < total:
            return None
        trailer = bytes(buffer[body_end:total])
        if not (trailer.startswith(b"10=") and trailer[3:6].isdigit() and trailer[6:] == SOH):
            raise Unframeable(errors.FIX_BAD_BODY_LENGTH.error())
        frame = bytes(buffer[:total])
        del buffer[:total]
        return frame


def message_too_large(limit: int) -> ApiError:
    return ApiError(-1177, f"Message too large: at most {limit} bytes of body are read.")


def _read(frame: bytes, max_fields: int) -> Message | Garbled:
    """The fields of one framed message, or why it is refused."""
    body_end = len(frame) - _TRAILER_BYTES
    seq_num = _peek_seq_num(frame)
    if sum(frame[:body_end]) % 256 != int(frame[body_end + 3 : body_end + 6]):
        return Garbled(errors.FIX_BAD_CHECKSUM.error(), seq_num)
    if frame.translate(None, _ALLOWED):
        return Garbled(errors.FIX_NOT_PRINTABLE.error(), seq_num)
    if frame.count(SOH) > max_fields:
        return Garbled(errors.TOO_MANY_PARAMETERS.error(), seq_num)
    parser = simplefix.FixParser()
    parser.append_buffer(frame)
    try:
        parsed = parser.get_message()
    except simplefix.errors.TagNotNumberError:
        return Garbled(errors.FIX_INVALID_TAG.error(), seq_num)
    except (simplefix.errors.ParserError, ValueError):
        return Garbled(errors.MANDATORY_PARAM_EMPTY.error(), seq_num)
    if parsed is None or parser.get_buffer():  # a raw data length that ran past the end
        return Garbled(errors.FIX_BAD_BODY_LENGTH.error(), seq_num)
    fields: list[tuple[int, str]] = []
    for tag, value in parsed.pairs:
        number = int(tag)
        if number <= 0:
            return Garbled(errors.FIX_INVALID_TAG.error(), seq_num)
        fields.append((number, bytes(value).decode("ascii")))
    if len(fields) < 4 or fields[2][0] != 35:
        return Garbled(errors.FIX_MSG_TYPE_THIRD.error(), seq_num)
    return Message(fields)


def _peek_seq_num(frame: bytes) -> int | None:
    start = frame.find(b"\x0134=")
    if start < 0:
        return None
    end = frame.find(SOH, start + 4)
    digits = frame[start + 4 : end]
    return int(digits) if 0 < len(digits) <= 18 and digits.isdigit() else None


def encode(
    msg_type: str,
    seq_num: int,
    sender: str,
    target: str,
    body: list[tuple[int, str]],
    sending_time: datetime | None = None,
) -> bytes:
    """One outbound message: the standard header, `body` in order, BodyLength, CheckSum."""
    message = simplefix.FixMessage()
    message.append_pair(8, BEGIN_STRING, header=True)
    message.append_pair(35, msg_type, header=True)
    message.append_pair(34, seq_num, header=True)
    message.append_pair(49, sender, header=True)
    message.append_pair(52, utc_timestamp(sending_time or datetime.now(UTC)), header=True)
    message.append_pair(56, target, header=True)
    for tag, value in body:
        message.append_pair(tag, value)
    encoded: bytes = message.encode()
    return encoded


def utc_timestamp(moment: datetime) -> str:
    """Binance's UTCTIMESTAMP in microseconds, as in every message from the exchange."""
    return moment.strftime("%Y%m%d-%H:%M:%S.%f")


def timestamp_from_ms(time_ms: int) -> str:
    seconds, millis = divmod(time_ms, 1000)
    moment = datetime.fromtimestamp(seconds, UTC)
    return f"{moment.strftime('%Y%m%d-%H:%M:%S')}.{millis * 1000:06d}"


def parse_utc_timestamp(text: str) -> int | None:
    """Milliseconds since the epoch of `20011217-09:30:47[.123[456]]`; None if malformed."""
    if len(text) not in (17, 21, 24) or text[8] != "-":
        return None
    whole, _, fraction = text.partition(".")
    if len(text) > 17 and (len(fraction) not in (3, 6) or not fraction.isdigit()):
        return None
    try:
        moment = datetime.strptime(whole, "%Y%m%d-%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    millis = int(fraction[:3]) if fraction else 0
    return int(moment.timestamp()) * 1000 + millis
