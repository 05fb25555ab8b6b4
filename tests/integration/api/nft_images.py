"""Minimal images of each format NFT media takes, written byte by byte (no image library):
what their headers must hold, and for PNG and GIF a body a viewer decodes.

Shared by the media tests (tests/unit/edge, tests/security, tests/integration/api).
"""

import struct
import zlib


def png(width: int = 2, height: int = 3, pixels: bool = True) -> bytes:
    """A grey 8-bit PNG; `pixels=False` leaves the image data out (a header to test)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    data = b""
    if pixels:
        data = chunk(b"IDAT", zlib.compress((b"\x00" + b"\x80" * width) * height))
    return b"\x89PNG\r\n\x1a\n" + header + data + chunk(b"IEND", b"")


def jpeg(width: int = 4, height: int = 5, *, exif: bytes = b"", scan: bytes = b"\x00\x00") -> bytes:
    """A baseline JPEG's segments: JFIF, an optional APP1 (EXIF), a quantisation table, the
    frame header (3 components), a Huffman table, the scan (`scan` its coded data) and the
    end."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body

    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    app1 = segment(0xE1, b"Exif\x00\x00" + exif) if exif else b""
    quantisation = segment(0xDB, b"\x00" + bytes(range(1, 65)))
    components = b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    frame = segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + components)
    huffman = segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    start_of_scan = segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    parts = (jfif, app1, quantisation, frame, huffman, start_of_scan, scan)
    return b"\xff\xd8" + b"".join(parts) + b"\xff\xd9"


def gif(width: int = 1, height: int = 1, frame: tuple[int, int] | None = None) -> bytes:
    """A GIF89a with a two-colour table and one frame (`frame` its size; the screen's by
    default), its LZW data that of one black pixel."""
    frame_width, frame_height = frame or (width, height)
    palette = b"\x00" * 3 + b"\xff" * 3  # black and white
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + palette
    control = b"\x21\xf9\x04\x00\x00\x00\x00\x00"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, frame_width, frame_height, 0)
    return screen + control + descriptor + b"\x02\x02\x44\x01\x00" + b"\x3b"


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    padded = body + (b"\x00" if len(body) % 2 else b"")
    return kind + struct.pack("<I", len(body)) + padded


def webp_lossless(width: int = 6, height: int = 7) -> bytes:
    """A WebP with a VP8L (lossless) chunk: signature, 14-bit sides less one, no version."""
    bits = (width - 1) | (height - 1) << 14
    return _riff(_chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 5))


def webp_lossy(width: int = 8, height: int = 9) -> bytes:
    """A WebP with a VP8 (lossy) chunk: a key frame's tag, start code and sides."""
    frame = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    return _riff(_chunk(b"VP8 ", frame))


def webp_extended(width: int = 10, height: int = 11) -> bytes:
    """A WebP with a VP8X (extended) chunk: flags, then the canvas's sides less one, then
    the image in a VP8L chunk."""
    canvas = b"\x00" * 4 + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(_chunk(b"VP8X", canvas) + webp_lossless(width, height)[12:])


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
