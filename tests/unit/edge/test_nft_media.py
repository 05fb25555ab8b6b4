"""NFT media (edge/nft_media.py): PNG, JPEG, GIF and WebP images are kept by their SHA-256
with the width and height their headers give; anything else, an image whose name or
declared type says another kind (a disguised file), a damaged header, too many pixels, an
empty or oversize file is refused with its reason, and nothing is written."""

import hashlib
import stat
import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "api"))
from nft_images import HTML, SVG, gif, jpeg, png, webp_extended, webp_lossless, webp_lossy

from assetport.edge.nft_media import (
    MAX_MEDIA_BYTES,
    MediaError,
    MediaRefusal,
    NftMediaStore,
    check_media,
)


def refusal(data: bytes, declared: str | None = None, name: str | None = None) -> MediaRefusal:
    with pytest.raises(MediaError) as refused:
        check_media(data, declared, name)
    return refused.value.refusal


@pytest.mark.parametrize(
    ("data", "content_type", "size"),
    [
        (png(2, 3), "image/png", (2, 3)),
        (png(8192, 4882, pixels=False), "image/png", (8192, 4882)),  # just under 40 million
        (jpeg(4, 5), "image/jpeg", (4, 5)),
        (jpeg(640, 480, exif=b"MM\x00\x2a" + bytes(2000)), "image/jpeg", (640, 480)),
        (b"\xff\xd8\xff\xff" + jpeg(7, 1)[2:], "image/jpeg", (7, 1)),  # a fill byte
        (gif(1, 1), "image/gif", (1, 1)),
        (gif(300, 200, frame=(100, 50)), "image/gif", (300, 200)),
        (webp_lossless(6, 7), "image/webp", (6, 7)),
        (webp_lossy(8, 9), "image/webp", (8, 9)),
        (webp_extended(1000, 2000), "image/webp", (1000, 2000)),
    ],
)
def test_each_image_type_is_taken_with_its_dimensions(
    data: bytes, content_type: str, size: tuple[int, int]
) -> None:
    media = check_media(data)
    assert (media.content_type, (media.width, media.height)) == (content_type, size)
    assert (media.size, media.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_an_image_is_kept_once_under_its_hash_and_read_back(tmp_path: Path) -> None:
    store = NftMediaStore(tmp_path)
    image = png(2, 3)
    media = store.put(image, "image/png", "cover.png")
    assert store.put(image) == media  # the same answer, one file
    kept = tmp_path / "nft-media" / media.sha256
    assert [p.name for p in kept.parent.iterdir()] == [media.sha256]
    assert kept.read_bytes() == image
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # private like the data directory
    assert store.read(media.sha256) == (image, media)


def test_a_file_changed_on_disk_or_planted_there_is_not_served(tmp_path: Path) -> None:
    store = NftMediaStore(tmp_path)
    media = store.put(jpeg())
    (tmp_path / "nft-media" / media.sha256).write_bytes(jpeg() + b"tampered")
    assert store.read(media.sha256) is None
    # Bytes that hash to their name but were never an allowed image (put there by hand).
    planted = tmp_path / "nft-media" / hashlib.sha256(SVG).hexdigest()
    planted.write_bytes(SVG)
    assert store.read(planted.name) is None
    assert store.read("ab" * 32) is None
    assert store.read("../" + media.sha256[3:]) is None
    assert store.read(media.sha256.upper()) is None


@pytest.mark.parametrize(
    ("data", "declared", "name", "why"),
    [
        (b"", None, None, MediaRefusal.EMPTY),
        (png(2, 2) + bytes(MAX_MEDIA_BYTES), None, None, MediaRefusal.TOO_LARGE),
        (SVG, "image/svg+xml", "art.svg", MediaRefusal.NOT_ALLOWED),
        (SVG, None, None, MediaRefusal.NOT_ALLOWED),
        (HTML, "text/html", None, MediaRefusal.NOT_ALLOWED),
        (HTML, "image/png", "art.png", MediaRefusal.NOT_ALLOWED),
        (b"BM" + bytes(60), "image/bmp", None, MediaRefusal.NOT_ALLOWED),
        (png(), None, "art.jpg", MediaRefusal.DISGUISED),
        (png(), "image/jpeg", None, MediaRefusal.DISGUISED),
        (png(), "image/png", "art.jpg", MediaRefusal.DISGUISED),
        (png(), "text/html", None, MediaRefusal.DISGUISED),
        (png(), None, "art.svg", MediaRefusal.DISGUISED),
        (jpeg(), "image/gif", None, MediaRefusal.DISGUISED),
        (gif(), None, "art.webp", MediaRefusal.DISGUISED),
        (webp_lossy(), "image/png", None, MediaRefusal.DISGUISED),
        (png(8192, 8192, pixels=False), None, None, MediaRefusal.DIMENSIONS),  # 67 million
        (png(8193, 1, pixels=False), None, None, MediaRefusal.DIMENSIONS),
        (png(0, 10, pixels=False), None, None, MediaRefusal.DIMENSIONS),
        (jpeg(8000, 8000), None, None, MediaRefusal.DIMENSIONS),
        (gif(7000, 7000), None, None, MediaRefusal.DIMENSIONS),
        (gif(1, 1, frame=(9000, 1)), None, None, MediaRefusal.DIMENSIONS),  # a bomb of a frame
        (webp_extended(16000, 2), None, None, MediaRefusal.DIMENSIONS),
    ],
)
def test_what_is_refused_and_why(
    tmp_path: Path, data: bytes, declared: str | None, name: str | None, why: MediaRefusal
) -> None:
    assert refusal(data, declared, name) is why
    store = NftMediaStore(tmp_path)
    with pytest.raises(MediaError):
        store.put(data, declared, name)
    assert not (tmp_path / "nft-media").exists()  # nothing moved


_FRAME_END = jpeg().index(b"\xff\xc0") + 19  # the frame header of 3 components ends there


@pytest.mark.parametrize(
    ("data", "first", "last"),
    [
        (png(), 8, 33),  # from the signature to the end of IHDR
        (jpeg(), 3, _FRAME_END),  # from SOI to the end of the frame header
        (gif(), 6, len(gif())),  # a GIF is read to its trailer
        (webp_lossless(), 12, len(webp_lossless())),  # the RIFF's size is the file's
        (webp_lossy(), 12, len(webp_lossy())),
        (webp_extended(), 12, len(webp_extended())),
    ],
    ids=["png", "jpeg", "gif", "webp-vp8l", "webp-vp8", "webp-vp8x"],
)
def test_a_header_cut_short_is_damaged(data: bytes, first: int, last: int) -> None:
    for cut in range(first, last):
        assert refusal(data[:cut]) is MediaRefusal.DAMAGED, cut


@pytest.mark.parametrize(
    "data",
    [
        png()[:29] + b"\x00\x00\x00\x00" + png()[33:],  # IHDR's CRC wrong
        png()[:8] + struct.pack(">I", 14) + png()[12:],  # IHDR of the wrong length
        png()[:24] + b"\x03\x02" + png()[26:],  # colour type 2 at 3 bits: no such PNG
        b"\xff\xd8\xff\xda\x00\x02" + bytes(100),  # the scan before any frame header
        b"\xff\xd8\xff\xd9",  # begins and ends
        b"\xff\xd8\xff\xe0\x00\x01" + bytes(20),  # a segment length below 2
        b"\xff\xd8" + b"\xff\xe0\x00\x02" * 5000,  # endless empty segments
        gif()[:-1],  # no trailer
        gif()[:13] + b"\x3b",  # no frame at all
        gif()[:13] + b"\x99" + gif()[13:],  # an unknown block
        webp_lossy()[:20] + b"\x11" + webp_lossy()[21:],  # an inter frame, no key frame
        webp_lossless()[:20] + b"\x2e" + webp_lossless()[21:],  # no VP8L signature
        b"RIFF" + struct.pack("<I", 1000) + webp_lossless()[8:],  # RIFF longer than the file
        webp_lossless()[:12] + b"ALPH" + webp_lossless()[16:],  # a first chunk of no image
    ],
)
def test_a_malformed_header_is_damaged(data: bytes) -> None:
    assert refusal(data) is MediaRefusal.DAMAGED


@pytest.mark.parametrize(
    ("declared", "name"),
    [
        ("image/png", None),
        ("IMAGE/PNG; charset=binary", None),
        ("application/octet-stream", "cover.PNG"),  # some bytes: the name says what
        ("", "no-extension"),
        (None, "cover.png"),
    ],
)
def test_a_declared_type_or_name_that_agrees_with_the_bytes_is_taken(
    declared: str | None, name: str | None
) -> None:
    assert check_media(png(), declared, name).content_type == "image/png"


def test_jpeg_is_taken_by_either_of_its_names() -> None:
    for name in ("photo.jpg", "photo.jpeg", "photo.JPG"):
        assert check_media(jpeg(), "image/jpeg", name).content_type == "image/jpeg"
    assert check_media(jpeg(), "image/jpg").content_type == "image/jpeg"
