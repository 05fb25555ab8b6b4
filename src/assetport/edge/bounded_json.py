"""JSON from clients, decoded only when small and shallow enough.

msgspec (like the standard library) decodes nested arrays and objects recursively: a body
of 100,000 `[` raises `RecursionError`, which no `except msgspec.DecodeError` catches, so
the account endpoints answered 500 and a market stream's connection died with a traceback.
Here the size is checked first (`max_bytes`), then the nesting (`max_depth`, 32: the
deepest request any endpoint takes is 3), and only then is msgspec called. A refusal is a
`JsonRefused`, a `msgspec.DecodeError`, so every caller's existing answer to bad JSON (400
with the endpoint's own error) covers it.

The nesting is measured without recursion and at C speed in the common case: a text with
no more `[`/`{` than `max_depth` cannot nest deeper (every request a client sends, so it
costs two `count` calls). Otherwise the strings are cut out (escapes first, then every
second piece between quotes), the brackets kept, and their depth counted; a text with more
than `max_containers` arrays and objects is refused before that count.
"""

import re
from typing import Any, Final, Generic, TypeVar

import msgspec

MAX_BYTES: Final = 64 * 1024
MAX_DEPTH: Final = 32
MAX_CONTAINERS: Final = 4096

T = TypeVar("T")

_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)
_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS: Final = bytes(c for c in range(256) if c not in b"[]{}")
_OPEN: Final = ord("[")


class JsonRefused(msgspec.DecodeError):
    """Too large or too deeply nested to be decoded."""


class Decoder(Generic[T]):
    """A `msgspec.json.Decoder` behind the size and depth bounds."""

    __slots__ = ("_decoder", "max_bytes", "max_depth")

    def __init__(
        self,
        decoder: "msgspec.json.Decoder[T]",
        *,
        max_bytes: int = MAX_BYTES,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        self._decoder = decoder
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    def decode(self, data: bytes | str) -> T:
        """Raises `msgspec.DecodeError` (`JsonRefused` for the bounds) or, for a typed
        decoder, `msgspec.ValidationError`."""
        check(data, max_bytes=self.max_bytes, max_depth=self.max_depth)
        return self._decoder.decode(data)


_any: Final = msgspec.json.Decoder()


def decode(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """`msgspec.json.decode(data)` within the bounds; raises `msgspec.DecodeError`."""
    check(data, max_bytes=max_bytes, max_depth=max_depth)
    return _any.decode(data)


def check(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonRefused` when `data` is larger than `max_bytes` (UTF-8) or nests arrays
    and objects deeper than `max_depth`."""
    if isinstance(data, str):
        # A character is at most 4 bytes of UTF-8: a short text needs no encoding to be
        # known small enough.
        raw = data.encode() if 4 * len(data) > max_bytes else None
        size = len(data) if raw is None else len(raw)
        containers = data.count("[") + data.count("{")
    else:
        raw = data
        size = len(data)
        containers = data.count(b"[") + data.count(b"{")
    if size > max_bytes:
        raise JsonRefused(f"JSON larger than {max_bytes} bytes")
    if containers <= max_depth:
        return
    if raw is None:
        raw = data.encode() if isinstance(data, str) else data
    if b"\\" in raw:
        raw = _ESCAPE.sub(b"", raw)  # escapes are only in strings: `\"` no longer ends one
    outside_strings = b"".join(raw.split(b'"')[::2])
    brackets = outside_strings.translate(_BRACKETS, _NOT_BRACKETS)
    if len(brackets) > 2 * MAX_CONTAINERS:
        raise JsonRefused(f"JSON with more than {MAX_CONTAINERS} arrays and objects")
    depth = 0
    for byte in brackets:
        if byte == _OPEN:
            depth += 1
            if depth > max_depth:
                raise JsonRefused(f"JSON nested deeper than {max_depth} levels")
        else:
            depth -= 1
