"""The NFT demo's pictures (server/demo_nft.py), drawn in code: the stage photo cards, the game
items and the two collections' covers, as small PNG files.

Each picture is a function of what it shows (member, stage, rarity, item, token id), drawn in
whole pixels with integer arithmetic only, so the same item always gets the same bytes and so
the same SHA-256 on every machine and at every start: its metadata names the very picture the
media store keeps. No image library: a canvas of RGB rows, horizontal spans, and the PNG
format's chunks (zlib and CRC-32 from the standard library).
"""

import math
import struct
import zlib
from typing import Final

Colour = tuple[int, int, int]

CARD_SIZE: Final = (160, 224)  # a photo card: portrait
ITEM_SIZE: Final = (128, 128)
COVER_SIZE: Final = (320, 160)

WHITE: Final = (245, 245, 250)
INK: Final = (24, 20, 36)
GOLD: Final = (235, 190, 60)
SILVER: Final = (170, 190, 215)
PEARL: Final = (225, 220, 230)
RARITY_FRAMES: Final[dict[str, Colour]] = {"Common": PEARL, "Rare": SILVER, "Legendary": GOLD}


class Canvas:
    """RGB rows, drawn on with horizontal spans (everything else is made of them)."""

    def __init__(self, width: int, height: int, colour: Colour) -> None:
        self.width = width
        self.height = height
        self.rows = [bytearray(bytes(colour) * width) for _ in range(height)]

    def span(self, y: int, x0: int, x1: int, colour: Colour) -> None:
        """Pixels x0 .. x1 - 1 of row y, clipped to the canvas."""
        x0, x1 = max(0, x0), min(self.width, x1)
        if 0 <= y < self.height and x0 < x1:
            self.rows[y][3 * x0 : 3 * x1] = bytes(colour) * (x1 - x0)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        for y in range(y0, y1):
            self.span(y, x0, x1, colour)

    def disc(self, cx: int, cy: int, r: int, colour: Colour) -> None:
        for y in range(cy - r, cy + r + 1):
            dx = math.isqrt(r * r - (y - cy) ** 2)
            self.span(y, cx - dx, cx + dx + 1, colour)

    def frame(self, thickness: int, colour: Colour) -> None:
        w, h = self.width, self.height
        self.rect(0, 0, w, thickness, colour)
        self.rect(0, h - thickness, w, h, colour)
        self.rect(0, 0, thickness, h, colour)
        self.rect(w - thickness, 0, w, h, colour)

    def gradient(self, top: Colour, bottom: Colour) -> None:
        """Each row one colour, from `top` to `bottom`."""
        last = max(1, self.height - 1)
        for y in range(self.height):
            self.span(y, 0, self.width, mix(top, bottom, y, last))

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)  # filter type 0 per row
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def mix(a: Colour, b: Colour, part: int, whole: int) -> Colour:
    """`part / whole` of the way from `a` to `b`."""
    return (
        a[0] + (b[0] - a[0]) * part // whole,
        a[1] + (b[1] - a[1]) * part // whole,
        a[2] + (b[2] - a[2]) * part // whole,
    )


def _serial(canvas: Canvas, number: int, y: int, colour: Colour) -> None:
    """The token id as a strip of bars at row y (wide bar: a one bit), so no two items'
    pictures are the same bytes."""
    x = 12
    for bit in f"{number:012b}":
        width = 3 if bit == "1" else 1
        canvas.rect(x, y, x + width, y + 8, colour)
        x += width + 2


# -- the label's stage photo cards ------------------------------------------------------------


def photo_card(token_id: int, member: Colour, stage: int, rarity: str) -> bytes:
    """A member under a spotlight on one of the three stages, framed by its rarity."""
    w, h = CARD_SIZE
    canvas = Canvas(w, h, INK)
    canvas.gradient(member, mix(member, INK, 4, 5))
    _stage_pattern(canvas, stage, token_id)
    for y in range(0, 150):  # the spotlight widens from the top
        half = 6 + y * 2 // 5
        canvas.span(y, w // 2 - half, w // 2 + half, mix(member, WHITE, 150 - y, 250))
    canvas.disc(w // 2, 104, 20, INK)  # the member: a silhouette
    for y in range(126, 196):
        half = 18 + (y - 126) * 3 // 5
        canvas.span(y, w // 2 - half, w // 2 + half, INK)
    canvas.rect(0, 196, w, h, mix(INK, member, 1, 4))  # the stage's edge
    frame = RARITY_FRAMES.get(rarity, PEARL)
    canvas.frame(7 if rarity == "Legendary" else 5, frame)
    if rarity == "Legendary":
        for cx, cy in ((20, 20), (w - 21, 20), (20, h - 21), (w - 21, h - 21)):
            canvas.disc(cx, cy, 5, frame)
    _serial(canvas, token_id, 206, frame)
    return canvas.png()


def _stage_pattern(canvas: Canvas, stage: int, token_id: int) -> None:
    """The stage behind the member: harbour waves, festival stripes or winter lights."""
    light = mix(canvas_colour(canvas, 0), WHITE, 1, 3)
    phase = token_id * 7
    if stage % 3 == 0:  # waves: rows that swing left and right
        for y in range(130, 196, 3):
            swing = (y + phase) % 24 - 12
            for x in range(-24, canvas.width, 24):
                canvas.span(y, x + abs(swing), x + abs(swing) + 10, light)
    elif stage % 3 == 1:  # diagonal festival stripes
        for y in range(canvas.height):
            for x in range(-canvas.height, canvas.width, 28):
                start = x + (y + phase) % 28 + y // 2
                canvas.span(y, start, start + 6, light)
    else:  # lights: dots on a grid
        for row, y in enumerate(range(12, 190, 22)):
            for x in range(12 + (row % 2) * 11 + phase % 11, canvas.width, 22):
                canvas.disc(x, y, 2, light)


def canvas_colour(canvas: Canvas, y: int) -> Colour:
    """The colour of row y's first pixel."""
    row = canvas.rows[y]
    return row[0], row[1], row[2]


# -- the studio's game items ------------------------------------------------------------------


def game_item(token_id: int, shape: str, colour: Colour) -> bytes:
    """One of the studio's items on a glowing backdrop: a sword, a potion, a shield or a
    feather, in its colour."""
    w, h = ITEM_SIZE
    canvas = Canvas(w, h, INK)
    for step in range(6):  # the glow: discs from wide and dark to small and bright
        canvas.disc(w // 2, h // 2, 60 - step * 9, mix(INK, colour, step, 12))
    _SHAPES[shape](canvas, colour)
    canvas.frame(3, mix(colour, WHITE, 1, 2))
    _serial(canvas, token_id, h - 14, mix(colour, WHITE, 1, 2))
    return canvas.png()


def _sword(canvas: Canvas, colour: Colour) -> None:
    for y in range(16, 84):  # the blade, leaning right
        x = 36 + y // 3
        canvas.span(y, x, x + 9, mix(SILVER, colour, 1, 3))
    canvas.rect(38, 84, 90, 92, GOLD)  # the guard
    canvas.rect(58, 92, 68, 112, mix(colour, INK, 1, 2))  # the grip
    canvas.disc(63, 114, 5, GOLD)


def _potion(canvas: Canvas, colour: Colour) -> None:
    canvas.rect(56, 24, 72, 48, PEARL)  # the neck
    canvas.rect(54, 18, 74, 26, (150, 100, 60))  # the cork
    canvas.disc(64, 76, 30, PEARL)
    canvas.disc(64, 78, 26, colour)
    canvas.disc(54, 68, 5, mix(colour, WHITE, 2, 3))  # a gleam


def _shield(canvas: Canvas, colour: Colour) -> None:
    for y in range(22, 108):
        half = 38 if y < 60 else 38 - (y - 60) * 38 // 48
        canvas.span(y, 64 - half, 64 + half, SILVER)
        canvas.span(y, 64 - max(0, half - 6), 64 + max(0, half - 6), colour)
    canvas.rect(60, 26, 68, 100, SILVER)
    canvas.rect(30, 50, 98, 58, SILVER)


def _feather(canvas: Canvas, colour: Colour) -> None:
    for y in range(18, 108):  # a vane that swells and narrows, along a slanted quill
        along = y - 18
        half = 2 + min(along, 90 - along) // 3
        x = 78 - along // 3
        canvas.span(y, x - half, x + half, mix(colour, GOLD, along, 90))
        canvas.span(y, x - 1, x + 1, WHITE)


_SHAPES: Final = {"sword": _sword, "potion": _potion, "shield": _shield, "feather": _feather}
SHAPES: Final = tuple(_SHAPES)


# -- covers ----------------------------------------------------------------------------------


def label_cover(members: tuple[Colour, ...]) -> bytes:
    """A stage at night: a gradient and one spotlight per member."""
    w, h = COVER_SIZE
    canvas = Canvas(w, h, INK)
    canvas.gradient((60, 30, 110), (230, 90, 150))
    step = w // (len(members) + 1)
    for n, colour in enumerate(members):
        cx = step * (n + 1)
        for y in range(h - 20):
            half = 4 + y // 4
            canvas.span(y, cx - half, cx + half, mix(colour, WHITE, h - y, 2 * h))
        canvas.disc(cx, h - 40, 12, INK)
    canvas.rect(0, h - 20, w, h, INK)
    return canvas.png()


def studio_cover() -> bytes:
    """A forge: dark iron, embers rising, a sword across it."""
    w, h = COVER_SIZE
    canvas = Canvas(w, h, INK)
    canvas.gradient((20, 16, 30), (120, 40, 20))
    for n in range(40):  # embers, placed by a fixed stride (no random source)
        x, y = (n * 73) % w, (n * 41) % (h - 30)
        canvas.disc(x, y, 1 + n % 3, mix(GOLD, (230, 80, 30), n % 5, 5))
    for x in range(40, w - 40):  # the blade across
        y = h // 2 + (x - w // 2) // 8
        canvas.span(y - 3, x, x + 1, SILVER)
        canvas.span(y - 2, x, x + 1, SILVER)
        canvas.span(y - 1, x, x + 1, WHITE)
    canvas.rect(w - 52, h // 2 - 4, w - 40, h // 2 + 22, GOLD)
    return canvas.png()
