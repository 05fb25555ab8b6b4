"""Segment files: their names, listing them in order, and checking one from end to end."""

import re
from dataclasses import dataclass
from pathlib import Path

from assetport.journal.framing import FrameError, iter_frames, valid_frame_after

SEGMENT_SUFFIX = ".seg"
_SEGMENT_NAME = re.compile(r"^(\d{20})\.seg$")


def segment_name(first_seq: int) -> str:
    """A segment is named by the seq of its first record, zero-padded so names sort by seq."""
    return f"{first_seq:020d}{SEGMENT_SUFFIX}"


def list_segments(directory: Path) -> list[tuple[int, Path]]:
    """(first seq, path) of every segment in `directory`, in seq order."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _SEGMENT_NAME.match(path.name)
        if match and path.is_file():
            found.append((int(match.group(1)), path))
    found.sort()
    return found


@dataclass(frozen=True)
class SegmentScan:
    """What a full read of one segment found.

    `records` intact records end at byte `valid_bytes`. `error` is the first bad frame, if
    any; `torn` says it is the tail of a write cut short by a crash (only possible in the last
    segment, and only if nothing intact follows it).
    """

    path: Path
    first_seq: int
    records: int
    valid_bytes: int
    size: int
    error: FrameError | None
    torn: bool

    @property
    def next_seq(self) -> int:
        return self.first_seq + self.records


def scan_segment(path: Path, first_seq: int, *, is_last: bool) -> SegmentScan:
    return scan_data(path, path.read_bytes(), first_seq, is_last=is_last)


def scan_data(path: Path, data: bytes, first_seq: int, *, is_last: bool) -> SegmentScan:
    """`scan_segment` over bytes already read: a reader beside a writer judges the very
    bytes it read, not a second read that the writer may have extended meanwhile."""
    records = 0
    valid_bytes = 0
    error: FrameError | None = None
    try:
        for _offset, _seq, _time, end in iter_frames(data, first_seq):
            records += 1
            valid_bytes = end
    except FrameError as exc:
        error = exc
    torn = (
        error is not None
        and is_last
        and error.may_be_torn
        and not valid_frame_after(data, error.offset, error.expected_seq + 1)
    )
    return SegmentScan(path, first_seq, records, valid_bytes, len(data), error, torn)
