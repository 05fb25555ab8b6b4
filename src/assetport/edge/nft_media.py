"""NFT media: the images creators upload for their items and collection covers, kept by the
SHA-256 of their bytes in `<data_dir>/nft-media/<sha256>` (`edge/content_store.py`), the
hash an item's metadata names its image by.

Only still or animated raster images a browser shows without running anything: PNG, JPEG,
GIF and WebP. What a file is comes from its bytes, never from its name or the type the
uploader declared: the signature picks the format, and its header is parsed far enough to
read the image's width and height (PNG's IHDR chunk, JPEG's frame header after walking the
segments before it, GIF's logical screen and every frame's descriptor, WebP's VP8, VP8L or
VP8X chunk). Anything else (SVG, which can carry scripts; HTML; a damaged header) is
refused. A name or a declared type that says something other than the bytes is refused
too: such a file is disguised, and whoever made it meant something by it.

The limits: 10 MiB a file, each side 1 to 8192 pixels and at most 40 million pixels, so an
image that is small on disk cannot unpack into gigabytes in a viewer's browser (a
decompression bomb).

The parsers read only inside the bytes they are given (every offset is checked against the
length before it is read) and every loop is bounded by the length or a fixed count; any
input gives a result or a `MediaError` (tests/security/test_nft_media_fuzz.py).
"""

import hashlib
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from assetport.edge.content_store import ContentStore

MEDIA_DIR: Final = "nft-media"
MAX_MEDIA_BYTES: Final = 10 << 20
MAX_SIDE: Final = 8192
MAX_PIXELS: Final = 40_000_000

PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
GIF: Final = "image/gif"
WEBP: Final = "image/webp"
CONTENT_TYPES: Final = (PNG, JPEG, GIF, WEBP)

# What an uploader may say a file is. A type or name given says what it claims; these
# two say nothing ("some bytes").
_DECLARED: Final = {PNG: PNG, JPEG: JPEG, "image/jpg": JPEG, GIF: GIF, WEBP: WEBP}
_UNDECLARED: Final = frozenset({"", "application/octet-stream"})
_EXTENSIONS: Final = {"png": PNG, "jpg": JPEG, "jpeg": JPEG, "gif": GIF, "webp": WEBP}

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# PNG's bit depths allowed per colour type (the PNG spec, table 11.1).
_PNG_DEPTHS: Final = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# JPEG's start-of-frame markers: baseline, extended, progressive, lossless, in Huffman or
# arithmetic coding (C4 DHT, C8 JPG and CC DAC are not frames).
_JPEG_FRAMES: Final = frozenset((*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC),
                                 *range(0xCD, 0xD0)))  # fmt: skip
# Markers without a length: TEM and the restart markers.
_JPEG_STANDALONE: Final = frozenset((0x01, *range(0xD0, 0xD8)))
# Markers that cannot come before the frame header: a second SOI, EOI, SOS.
_JPEG_TOO_EARLY: Final = frozenset((0xD8, 0xD9, 0xDA))
# Real files have a few dozen segments before their frame header (APPn with EXIF, ICC and
# XMP, DQT, DHT); a file with more is not one a camera or an editor wrote.
_JPEG_MAX_MARKERS: Final = 4096
# GIF's image data comes in sub-blocks of up to 255 bytes (encoders write full ones): a
# 10 MiB file has some 41,000. Beyond this many blocks the file is not worth walking.
_GIF_MAX_BLOCKS: Final = 1 << 20
_GIF_TRAILER: Final = 0x3B
_GIF_EXTENSION: Final = 0x21
_GIF_IMAGE: Final = 0x2C
_VP8_START: Final = b"\x9d\x01\x2a"
_VP8L_SIGNATURE: Final = 0x2F


class MediaRefusal(StrEnum):
    """Why a file is not kept; the gateway answers each with its own error."""

    EMPTY = "EMPTY"
    TOO_LARGE = "TOO_LARGE"
    NOT_ALLOWED = "NOT_ALLOWED"  # not PNG, JPEG, GIF or WebP (SVG, HTML, anything else)
    DISGUISED = "DISGUISED"  # the declared type or the name says another kind
    DAMAGED = "DAMAGED"  # the format's header is cut short or malformed
    DIMENSIONS = "DIMENSIONS"  # a side of 0 or over 8192, or over 40 million pixels


class MediaError(ValueError):
    """A file that is not kept: the refusal and what exactly was wrong."""

    def __init__(self, refusal: MediaRefusal, detail: str) -> None:
        super().__init__(detail)
        self.refusal = refusal
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Image:
    """What the bytes are: the media type and the size in pixels."""

    content_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Media:
    """A media file kept (or that would be): its hash, type, size in bytes and pixels."""

    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def _damaged(detail: str) -> MediaError:
    return MediaError(MediaRefusal.DAMAGED, detail)


# -- what the bytes are -----------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The allowed type whose signature `data` starts with; NOT_ALLOWED if none."""
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    raise MediaError(
        MediaRefusal.NOT_ALLOWED, "not a PNG, JPEG, GIF or WebP image (by its first bytes)"
    )


def inspect_image(data: bytes) -> Image:
    """The image `data` is, read from its bytes alone; raises `MediaError` for anything
    that is not an allowed image with a sound header and sides within the limits."""
    return _image(sniff(data), data)


def _image(content_type: str, data: bytes) -> Image:
    width, height = _SIZE_READERS[content_type](data)
    check_dimensions(width, height)
    return Image(content_type, width, height)


def check_dimensions(width: int, height: int) -> None:
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise MediaError(
            MediaRefusal.DIMENSIONS,
            f"{width}x{height} pixels: each side must be 1 to {MAX_SIDE}",
        )
    if width * height > MAX_PIXELS:
        raise MediaError(
            MediaRefusal.DIMENSIONS,
            f"{width}x{height} pixels: at most {MAX_PIXELS:,} pixels",
        )


def check_media(
    data: bytes, declared_type: str | None = None, file_name: str | None = None
) -> Media:
    """Everything a file must pass to be kept, without keeping it: its size, what its
    bytes are, that the type declared for it and its name's extension (when given) say
    the same, its sides. Raises `MediaError`."""
    if not data:
        raise MediaError(MediaRefusal.EMPTY, "the file is empty")
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaError(
            MediaRefusal.TOO_LARGE, f"{len(data)} bytes: at most {MAX_MEDIA_BYTES >> 20} MiB"
        )
    content_type = sniff(data)
    _check_claims(content_type, declared_type, file_name)
    image = _image(content_type, data)
    digest = hashlib.sha256(data).hexdigest()
    return Media(digest, image.content_type, len(data), image.width, image.height)


def _check_claims(content_type: str, declared_type: str | None, file_name: str | None) -> None:
    """DISGUISED when the declared type or the name's extension says another kind than
    the bytes."""
    if declared_type is not None:
        declared = declared_type.split(";", 1)[0].strip().lower()
        if declared not in _UNDECLARED and _DECLARED.get(declared) != content_type:
            raise MediaError(
                MediaRefusal.DISGUISED,
                f"declared as {declared[:64]!r} but the bytes are {content_type}",
            )
    if file_name is not None and "." in file_name:
        extension = file_name.rsplit(".", 1)[1].lower()
        if _EXTENSIONS.get(extension) != content_type:
            raise MediaError(
                MediaRefusal.DISGUISED,
                f"named .{extension[:16]} but the bytes are {content_type}",
            )


# -- the formats' headers ---------------------------------------------------------------------


def _need(data: bytes, end: int, what: str) -> None:
    """DAMAGED unless `data` holds bytes up to `end`."""
    if end > len(data):
        raise _damaged(f"cut short in its {what}")


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first, whole, with its CRC."""
    _need(data, 33, "IHDR chunk")
    length, kind = struct.unpack_from(">I4s", data, 8)
    if length != 13 or kind != b"IHDR":
        raise _damaged("the first chunk is not a 13-byte IHDR")
    width, height, depth, colour, compression, filter_method, interlace = struct.unpack_from(
        ">IIBBBBB", data, 16
    )
    (crc,) = struct.unpack_from(">I", data, 29)
    if zlib.crc32(data[12:29]) != crc:
        raise _damaged("the IHDR chunk's CRC does not match")
    if depth not in _PNG_DEPTHS.get(colour, ()):
        raise _damaged(f"bit depth {depth} with colour type {colour}")
    if compression != 0 or filter_method != 0 or interlace not in (0, 1):
        raise _damaged("unknown compression, filter or interlace method")
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the frame header (SOFn), walking the segments before it."""
    at = 2  # after SOI
    for _ in range(_JPEG_MAX_MARKERS):
        _need(data, at + 2, "segments before the frame header")
        if data[at] != 0xFF:
            raise _damaged(f"no marker at byte {at}")
        marker = data[at + 1]
        if marker == 0xFF:  # a fill byte before the marker
            at += 1
            continue
        at += 2
        if marker in _JPEG_STANDALONE:
            continue
        if marker in _JPEG_TOO_EARLY:
            raise _damaged("no frame header before the image data")
        _need(data, at + 2, "segment length")
        (length,) = struct.unpack_from(">H", data, at)
        if length < 2:
            raise _damaged(f"a segment length of {length}")
        if marker in _JPEG_FRAMES:
            _need(data, at + length, "frame header")
            if length < 8:
                raise _damaged("a frame header too short")
            height, width, components = struct.unpack_from(">HHB", data, at + 3)
            if not 1 <= components <= 4 or length != 8 + 3 * components:
                raise _damaged(f"a frame header of {components} components in {length} bytes")
            return width, height
        at += length
    raise _damaged(f"more than {_JPEG_MAX_MARKERS} markers before the frame header")


def _gif_size(data: bytes) -> tuple[int, int]:
    """The logical screen's width and height; every frame is walked to the trailer and
    held to the same limits (a frame may be larger than the screen it is shown on)."""
    _need(data, 13, "logical screen descriptor")
    width, height, packed = struct.unpack_from("<HHB", data, 6)
    at = 13 + _gif_colour_table(packed)
    frames = 0
    blocks = 0
    while True:
        _need(data, at + 1, "blocks (no trailer)")
        block = data[at]
        at += 1
        if block == _GIF_TRAILER:
            break
        if block == _GIF_EXTENSION:
            _need(data, at + 1, "extension label")
            at, blocks = _gif_sub_blocks(data, at + 1, blocks)
        elif block == _GIF_IMAGE:
            _need(data, at + 9, "image descriptor")
            frame_width, frame_height, frame_packed = struct.unpack_from("<HHB", data, at + 4)
            check_dimensions(frame_width, frame_height)
            at += 9 + _gif_colour_table(frame_packed)
            _need(data, at + 1, "image data")
            at, blocks = _gif_sub_blocks(data, at + 1, blocks)  # after the LZW code size
            frames += 1
        else:
            raise _damaged(f"an unknown block 0x{block:02x}")
        blocks += 1
        if blocks > _GIF_MAX_BLOCKS:
            raise _damaged(f"more than {_GIF_MAX_BLOCKS} blocks")
    if frames == 0:
        raise _damaged("no image in the file")
    return width, height


def _gif_colour_table(packed: int) -> int:
    """The bytes of the colour table a GIF descriptor's packed field announces."""
    return 3 * (2 << (packed & 0x07)) if packed & 0x80 else 0


def _gif_sub_blocks(data: bytes, at: int, blocks: int) -> tuple[int, int]:
    """Past the sub-blocks starting at `at` and their terminator: the offset after them,
    and `blocks` counted up by them."""
    while True:
        _need(data, at + 1, "data sub-blocks")
        size = data[at]
        at += 1 + size
        if size == 0:
            return at, blocks
        blocks += 1
        if blocks > _GIF_MAX_BLOCKS:
            raise _damaged(f"more than {_GIF_MAX_BLOCKS} blocks")


def _webp_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first chunk after the RIFF header: VP8 (lossy), VP8L
    (lossless) or VP8X (extended: the canvas)."""
    _need(data, 20, "RIFF header")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    if riff_size < 12 or riff_size + 8 > len(data):
        raise _damaged(f"a RIFF size of {riff_size} in {len(data)} bytes")
    kind, chunk_size = struct.unpack_from("<4sI", data, 12)
    if chunk_size > riff_size - 12:
        raise _damaged(f"a {kind!r} chunk of {chunk_size} bytes past the RIFF's end")
    chunk = data[20 : 20 + chunk_size]
    if kind == b"VP8 ":
        if len(chunk) < 10 or chunk[3:6] != _VP8_START or chunk[0] & 0x01:
            raise _damaged("a VP8 chunk without a key frame header")
        width, height = struct.unpack_from("<HH", chunk, 6)
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L":
        if len(chunk) < 5 or chunk[0] != _VP8L_SIGNATURE:
            raise _damaged("a VP8L chunk without its signature")
        (bits,) = struct.unpack_from("<I", chunk, 1)
        if bits >> 29:
            raise _damaged(f"VP8L version {bits >> 29}")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        if len(chunk) < 10:
            raise _damaged("a VP8X chunk too short")
        width = int.from_bytes(chunk[4:7], "little") + 1
        height = int.from_bytes(chunk[7:10], "little") + 1
        return width, height
    raise _damaged(f"a first chunk {kind!r}: not VP8, VP8L or VP8X")


_SIZE_READERS: Final = {PNG: _png_size, JPEG: _jpeg_size, GIF: _gif_size, WEBP: _webp_size}


# -- the store -------------------------------------------------------------------------------


class NftMediaStore:
    """NFT media in `<data_dir>/nft-media`, each file checked before it is kept and again
    (its hash and its header) before it is handed out."""

    def __init__(self, data_dir: Path) -> None:
        self.files = ContentStore(data_dir / MEDIA_DIR, MAX_MEDIA_BYTES)

    def put(
        self, data: bytes, declared_type: str | None = None, file_name: str | None = None
    ) -> Media:
        """Check `data` (`check_media`) and keep it under its hash; the same bytes again
        answer the same and keep one file. Raises `MediaError`, having written nothing."""
        media = check_media(data, declared_type, file_name)
        self.files.put(data)
        return media

    def cached(self, digest: str) -> tuple[bytes, Media] | None:
        """`read` of media read lately, without I/O (for the event loop); None otherwise."""
        data = self.files.cached(digest)
        return None if data is None else _described(digest, data)

    def read(self, digest: str) -> tuple[bytes, Media] | None:
        """The bytes kept under `digest` and what they are; None when unknown, not a hash,
        or the file's bytes do not hash to its name or are no allowed image."""
        data = self.files.read(digest)
        return None if data is None else _described(digest, data)


def _described(digest: str, data: bytes) -> tuple[bytes, Media] | None:
    try:
        image = inspect_image(data)
    except MediaError:  # only ever put there by hand: not media this server took
        return None
    return data, Media(digest, image.content_type, len(data), image.width, image.height)
