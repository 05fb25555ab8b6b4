"""A client's RFC 6455 frames, read into messages within limits (the WebSocket API's parser,
`ws_server`).

Bytes go in as they arrive (`feed`); `next()` gives one complete message (text or binary,
its fragments joined) or one control frame (ping, pong, close) at a time, in the order
they were sent, and None until more bytes arrive. A protocol violation raises `FrameError`
with the close code to answer, and the reader then stays failed.

Checked as each frame's header arrives, before its payload is waited for: every frame is
masked (RFC 6455 §5.1) with no RSV bit (no extension is negotiated) and a known opcode;
control frames are final and at most 125 bytes; a message of more than `max_message`
bytes (1009) or `max_fragments` frames (1008) fails. Fragments are kept in a list with
their running size and joined once, so a message costs time linear in its bytes and
frames. What is held at any time: at most one incomplete frame (its header and at most
`max_message` bytes of payload) plus what the last read brought, and the fragments so far
(at most `max_message` bytes in `max_fragments` parts).
"""

from collections.abc import Callable
from typing import Final, cast

from websockets import speedups

CONTINUATION: Final = 0x0
TEXT: Final = 0x1
BINARY: Final = 0x2
CLOSE: Final = 0x8
PING: Final = 0x9
PONG: Final = 0xA

PROTOCOL_ERROR: Final = 1002
POLICY_VIOLATION: Final = 1008
TOO_BIG: Final = 1009

# The websockets library's C unmasking (the library is pinned; its frames are not used here).
_unmask: Final = cast(Callable[[bytes | bytearray, bytes | bytearray], bytes], speedups.apply_mask)


class FrameError(Exception):
    """The client broke the protocol or a limit: close the connection with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class FrameReader:
    __slots__ = (
        "buffer",
        "failed",
        "fragments",
        "fragments_opcode",
        "fragments_size",
        "max_fragments",
        "max_message",
        "start",
    )

    def __init__(self, max_message: int, max_fragments: int) -> None:
        self.max_message = max_message
        self.max_fragments = max_fragments
        self.buffer = bytearray()
        self.start = 0  # where the next frame begins in `buffer`
        self.fragments: list[bytes] | None = None  # a fragmented message's parts so far
        self.fragments_opcode = TEXT
        self.fragments_size = 0
        self.failed: FrameError | None = None

    def feed(self, data: bytes) -> None:
        if self.failed is not None:
            return  # nothing after a violation can be trusted to be frames
        buffer = self.buffer
        if self.start:
            del buffer[: self.start]  # what was read: dropped once per read, not per frame
            self.start = 0
        buffer += data

    def held(self) -> int:
        """Bytes held: the unread input and the fragments of an unfinished message."""
        return len(self.buffer) - self.start + self.fragments_size

    def next(self) -> tuple[int, bytes] | None:
        """The next message (TEXT or BINARY, whole) or control frame, or None for now."""
        if self.failed is not None:
            raise self.failed
        try:
            while True:
                frame = self._frame()
                if frame is None:
                    return None
                message = self._message(*frame)
                if message is not None:
                    return message
        except FrameError as error:
            self._fail(error)
            raise

    def _frame(self) -> tuple[int, bool, bytes] | None:
        """The next whole frame: opcode, final, unmasked payload."""
        buffer = self.buffer
        at = self.start
        available = len(buffer) - at
        if available < 2:
            return None
        first = buffer[at]
        second = buffer[at + 1]
        opcode = first & 0x0F
        length = second & 0x7F
        header = 2
        if length == 126:
            if available < 4:
                return None
            length = (buffer[at + 2] << 8) | buffer[at + 3]
            header = 4
        elif length == 127:
            if available < 10:
                return None
            length = int.from_bytes(buffer[at + 2 : at + 10], "big")
            header = 10
        self._check_header(first, second, opcode, length)
        end = at + header + 4 + length
        if len(buffer) < end:
            return None
        mask_at = at + header
        payload = _unmask(buffer[mask_at + 4 : end], buffer[mask_at : mask_at + 4])
        self.start = end
        return opcode, first & 0x80 != 0, payload

    def _check_header(self, first: int, second: int, opcode: int, length: int) -> None:
        if not second & 0x80 or first & 0x70:  # unmasked, or RSV bits without an extension
            raise FrameError(PROTOCOL_ERROR, "Protocol error.")
        if opcode >= CLOSE:
            if opcode > PONG:
                raise FrameError(PROTOCOL_ERROR, "Unknown opcode.")
            if not first & 0x80 or length > 125:
                raise FrameError(PROTOCOL_ERROR, "Control frames are final and short.")
            return
        if opcode > BINARY:
            raise FrameError(PROTOCOL_ERROR, "Unknown opcode.")
        if opcode == CONTINUATION:
            if self.fragments is None:
                raise FrameError(PROTOCOL_ERROR, "Unexpected continuation frame.")
            if len(self.fragments) >= self.max_fragments:
                raise FrameError(POLICY_VIOLATION, "Message in too many fragments.")
            if self.fragments_size + length > self.max_message:
                raise FrameError(TOO_BIG, "Message too big.")
            return
        if self.fragments is not None:
            raise FrameError(PROTOCOL_ERROR, "Expected a continuation frame.")
        if length > self.max_message:
            raise FrameError(TOO_BIG, "Message too big.")

    def _message(self, opcode: int, final: bool, payload: bytes) -> tuple[int, bytes] | None:
        """A frame's contribution: a control frame or a whole message, or None while a
        fragmented message goes on."""
        if opcode >= CLOSE or (final and opcode != CONTINUATION):
            return opcode, payload
        if opcode != CONTINUATION:  # the first fragment
            self.fragments = [payload]
            self.fragments_opcode = opcode
            self.fragments_size = len(payload)
            return None
        fragments = self.fragments
        assert fragments is not None  # checked with the header
        fragments.append(payload)
        self.fragments_size += len(payload)
        if not final:
            return None
        self.fragments = None
        self.fragments_size = 0
        return self.fragments_opcode, b"".join(fragments)

    def _fail(self, error: FrameError) -> None:
        self.failed = error
        self.buffer = bytearray()
        self.start = 0
        self.fragments = None
        self.fragments_size = 0
