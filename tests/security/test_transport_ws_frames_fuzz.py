"""The WebSocket API's frame parser (`api/ws_frames.py`) under arbitrary input: whatever bytes
arrive, split wherever, it only ever raises `FrameError`, holds no more than one frame and
one message's worth, and gives well-formed messages back whole and in order, whichever
way they were fragmented and however the stream was cut into reads."""

import itertools
import os

from hypothesis import given, settings
from hypothesis import strategies as st
from transport_support import client_frame

from assetport.api.ws_frames import (
    BINARY,
    CONTINUATION,
    PING,
    PONG,
    TEXT,
    FrameError,
    FrameReader,
)

MAX_MESSAGE = 300
MAX_FRAGMENTS = 8
HEADER_MAX = 14  # 2 + 8 bytes of length + 4 of mask


def cut(data: bytes, points: list[int]) -> list[bytes]:
    """`data` split at `points` (positions, any order, out of range ones wrapped)."""
    at = sorted({p % (len(data) + 1) for p in points})
    edges = [0, *at, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def drain(reader: FrameReader) -> list[tuple[int, bytes]]:
    out = []
    while (item := reader.next()) is not None:
        out.append(item)
    return out


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=2000), points=st.lists(st.integers(0, 2000), max_size=30))
def test_arbitrary_bytes_only_raise_frame_errors_and_stay_bounded(
    data: bytes, points: list[int]
) -> None:
    reader = FrameReader(MAX_MESSAGE, MAX_FRAGMENTS)
    failed = False
    for chunk in cut(data, points):
        reader.feed(chunk)
        try:
            drain(reader)
        except FrameError as error:
            assert error.code in (1002, 1008, 1009)
            failed = True
            break
        # Once nothing more can be read: at most one incomplete frame and one message.
        assert reader.held() <= MAX_MESSAGE + HEADER_MAX
        assert len(reader.fragments or ()) <= MAX_FRAGMENTS
    if failed:  # and a failed reader stays failed, holding nothing
        reader.feed(os.urandom(64))
        assert reader.held() == 0


message_parts = st.lists(st.binary(max_size=60), min_size=1, max_size=MAX_FRAGMENTS)


@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(
        st.tuples(st.sampled_from([TEXT, BINARY]), message_parts, st.booleans()), max_size=12
    ),
    points=st.lists(st.integers(0, 10_000), max_size=40),
    masks=st.lists(st.binary(min_size=4, max_size=4), min_size=1, max_size=5),
)
def test_well_formed_messages_come_out_whole_and_in_order(
    messages: list[tuple[int, list[bytes], bool]], points: list[int], masks: list[bytes]
) -> None:
    stream = b""
    expected: list[tuple[int, bytes]] = []
    count = 0
    for opcode, parts, ping_between in messages:
        if sum(map(len, parts)) > MAX_MESSAGE:
            continue
        for index, part in enumerate(parts):
            mask = masks[count % len(masks)]
            count += 1
            first = opcode if index == 0 else CONTINUATION
            stream += client_frame(first, part, final=index == len(parts) - 1, mask=mask)
            if ping_between and index < len(parts) - 1:  # control frames come between
                stream += client_frame(PING, b"p%d" % count, final=True, mask=mask)
                expected.append((PING, b"p%d" % count))
        expected.append((opcode, b"".join(parts)))
    stream += client_frame(PONG, b"end", final=True, mask=b"\x00\x01\x02\x03")
    expected.append((PONG, b"end"))

    reader = FrameReader(MAX_MESSAGE, MAX_FRAGMENTS)
    received: list[tuple[int, bytes]] = []
    for chunk in cut(stream, points):
        reader.feed(chunk)
        received += drain(reader)
    assert received == expected
    assert reader.held() == 0


@settings(max_examples=100, deadline=None)
@given(
    parts=st.lists(st.binary(max_size=80), min_size=MAX_FRAGMENTS + 1, max_size=40),
    points=st.lists(st.integers(0, 5_000), max_size=20),
)
def test_too_many_fragments_is_1008_and_too_big_is_1009(
    parts: list[bytes], points: list[int]
) -> None:
    mask = b"\x05\x06\x07\x08"
    stream = b"".join(
        client_frame(TEXT if i == 0 else CONTINUATION, part, final=False, mask=mask)
        for i, part in enumerate(parts)
    )
    reader = FrameReader(MAX_MESSAGE, MAX_FRAGMENTS)
    code = None
    for chunk in cut(stream, points):
        reader.feed(chunk)
        try:
            assert drain(reader) == []
        except FrameError as error:
            code = error.code
            break
    sizes = [len(p) for p in parts]
    too_big_first = any(sum(sizes[: i + 1]) > MAX_MESSAGE for i in range(MAX_FRAGMENTS))
    assert code == (1009 if too_big_first else 1008)


def test_forty_thousand_empty_fragments_are_refused_at_the_limit() -> None:
    mask = b"\x01\x02\x03\x04"
    stream = client_frame(TEXT, b"{", final=False, mask=mask) + b"".join(
        [client_frame(CONTINUATION, b"", final=False, mask=mask)] * 40_000
    )
    reader = FrameReader(1 << 16, 1024)
    reader.feed(stream)
    try:
        drain(reader)
    except FrameError as error:
        assert (error.code, error.reason) == (1008, "Message in too many fragments.")
    else:
        raise AssertionError("the message was not refused")
    assert reader.held() == 0
