"""NFT media's hand-written header parsers (edge/nft_media.py) under hostile input: random
bytes, random bytes behind each format's signature, and valid images of every format with
bytes overwritten, inserted, deleted or cut off, declared under any type and name. Whatever
comes, the answer is an image within the limits or the module's own `MediaError`: never
another exception (an index past the buffer, a struct error, a recursion, a hang)."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# The images the API tests upload too (tests/integration/api: on the path, conftest.py).
from nft_images import gif, jpeg, png, webp_extended, webp_lossless, webp_lossy

from assetport.edge.nft_media import (
    CONTENT_TYPES,
    MAX_MEDIA_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    MediaError,
    MediaRefusal,
    check_media,
    inspect_image,
)

IMAGES = {
    "png": png(3, 2),
    "jpeg": jpeg(5, 4),
    "jpeg-exif": jpeg(16, 16, exif=b"II*\x00" + bytes(40)),
    "gif": gif(2, 2),
    "gif-frame": gif(4, 4, frame=(2, 3)),
    "webp-vp8l": webp_lossless(3, 3),
    "webp-vp8": webp_lossy(4, 4),
    "webp-vp8x": webp_extended(5, 5),
}
VALID = list(IMAGES.values())
SIGNATURES = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF\0\0\0\0WEBP"]
# Values that hit the edges of the lengths and sizes the headers hold.
EDGES = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\x00\x00", b"\xff\xff", b"\x00\x00\x00\x00",
         b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x0d", b"\xff\xd9", b"\xff\xda",
         b"\xff\xc0", b"\x21", b"\x2c", b"\x3b", b"VP8 ", b"VP8L", b"VP8X"]  # fmt: skip

declared_types = st.one_of(
    st.none(),
    st.sampled_from([*CONTENT_TYPES, "image/jpg", "image/svg+xml", "text/html", "", "a;b"]),
    st.text(max_size=40),
)
file_names = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["a.png", "b.JPG", "."]))


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["overwrite", "insert", "delete", "cut"]))
        chunk = draw(st.one_of(st.sampled_from(EDGES), st.binary(min_size=1, max_size=8)))
        if action == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif action == "insert":
            data[at:at] = chunk
        elif action == "delete":
            del data[at : at + len(chunk)]
        else:
            del data[at:]
    return bytes(data)


def held_to_the_rules(data: bytes, declared: str | None = None, name: str | None = None) -> None:
    """`check_media` and `inspect_image` answer an image within the limits or MediaError."""
    try:
        media = check_media(data, declared, name)
    except MediaError as refused:
        assert isinstance(refused.refusal, MediaRefusal)
    else:
        assert media.content_type in CONTENT_TYPES
        assert 1 <= media.width <= MAX_SIDE and 1 <= media.height <= MAX_SIDE
        assert media.width * media.height <= MAX_PIXELS
        assert 0 < media.size == len(data) <= MAX_MEDIA_BYTES
        assert media.sha256 == hashlib.sha256(data).hexdigest()
    try:
        image = inspect_image(data)
    except MediaError:
        pass
    else:
        assert 1 <= image.width * image.height <= MAX_PIXELS


@settings(max_examples=1500, deadline=None)
@given(data=st.binary(max_size=300), declared=declared_types, name=file_names)
def test_random_bytes(data: bytes, declared: str | None, name: str | None) -> None:
    held_to_the_rules(data, declared, name)


@settings(max_examples=3000, deadline=None)
@given(signature=st.sampled_from(SIGNATURES), rest=st.binary(max_size=300))
def test_random_bytes_behind_each_signature(signature: bytes, rest: bytes) -> None:
    held_to_the_rules(signature + rest)


@settings(max_examples=2000, deadline=None)
@given(data=mutated_images(), declared=declared_types, name=file_names)
def test_valid_images_mutated(data: bytes, declared: str | None, name: str | None) -> None:
    held_to_the_rules(data, declared, name)


# Numbers at the edges of what the fields mean: small lengths, the sides' limits, the
# largest values each width holds.
FIELD_VALUES = [*range(0, 20), 255, 256, 0x3FFF, 0x4000, 0xFFFF, 8191, 8192, 8193, 2**24 - 1,
                2**31 - 1, 2**32 - 1]  # fmt: skip


@pytest.mark.parametrize("base", VALID, ids=list(IMAGES))
def test_every_field_among_the_first_bytes_set_to_each_edge_value(base: bytes) -> None:
    """Each field the parsers read (lengths, sides, sizes) set to each edge value, in
    either byte order, wherever it lies among the first bytes: every combination, so that
    no rarely drawn number goes untried."""
    for at in range(min(len(base), 48)):
        for width in (1, 2, 3, 4):
            for order in ("big", "little"):
                for value in FIELD_VALUES:
                    if value < 1 << (8 * width):
                        field = value.to_bytes(width, order)  # type: ignore[arg-type]
                        held_to_the_rules(base[:at] + field + base[at + width :])


@settings(max_examples=1000, deadline=None)
@given(
    base=st.sampled_from(VALID),
    at=st.integers(0, 64),
    value=st.integers(0, 2**32 - 1),
    width=st.sampled_from([1, 2, 3, 4]),
    order=st.sampled_from(["big", "little"]),
)
def test_every_length_and_size_field_set_to_any_value(
    base: bytes, at: int, value: int, width: int, order: str
) -> None:
    """The same fields set to any number."""
    field = (value % (1 << (8 * width))).to_bytes(width, order)  # type: ignore[arg-type]
    held_to_the_rules(base[:at] + field + base[at + width :])
