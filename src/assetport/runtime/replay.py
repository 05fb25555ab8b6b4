"""Rebuild the engine from scratch by replaying a journal, without changing a file.

Used by `assetport journal replay` and by the recovery tests as the reference: the state a
clean replay reaches is what a recovered engine (snapshot + tail) must equal. Segments that
a snapshot made removable are read from `journal/archive/` when they were archived.
A torn last record is left alone (the writer cuts it at its next start) and not replayed.

It may run beside the writer (the read model's catch-up does, and so may `journal replay`):
it reads each segment once and judges those bytes, so a record half written at that moment
is the torn tail of what it read, not damage; a segment the writer archives meanwhile is
read from the archive.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assetport.domain.commands import decode_command
from assetport.engine.engine import Engine
from assetport.journal.errors import JournalCorrupted
from assetport.journal.file_journal import ARCHIVE_DIR
from assetport.journal.framing import HEADER_SIZE, FrameError, iter_frames
from assetport.journal.layout import journal_dir
from assetport.journal.record import Record
from assetport.journal.segments import list_segments, scan_data


class ReplayImpossible(Exception):
    """The journal does not reach back to seq 1, so no clean replay exists."""


@dataclass
class Replayed:
    engine: Engine
    records: int
    torn_tail_bytes: int


def _segments(data_dir: Path) -> list[tuple[int, Path]]:
    directory = journal_dir(data_dir)
    by_first = dict(list_segments(directory / ARCHIVE_DIR))
    by_first.update(list_segments(directory))
    return sorted(by_first.items())


def read_records(
    data_dir: Path, torn: list[int] | None = None, *, after: int = 0
) -> Iterator[Record]:
    """Every record of the data dir's journal after seq `after` (from seq 1 by default), in
    order; read-only. Segments wholly before `after` are not read (a snapshot's tail).

    Raises JournalCorrupted for damage a crash cannot explain; appends the size of a torn
    tail (if any) to `torn`.
    """
    segments = _segments(data_dir)
    skipped = [first for first, _ in segments if first <= after + 1]
    if skipped:  # start at the segment holding seq after + 1
        segments = segments[len(skipped) - 1 :]
    if segments and segments[0][0] > after + 1:
        raise ReplayImpossible(
            f"the journal starts at seq {segments[0][0]}: the segments before it were removed "
            "after a snapshot (keep them with --archive-segments to allow a clean replay)"
        )
    expected = segments[0][0] if segments else 1
    for index, (first_seq, path) in enumerate(segments):
        if first_seq != expected:
            raise JournalCorrupted(path, 0, f"segment starts at seq {first_seq}, not {expected}")
        data = _read_segment(path)
        try:
            for offset, seq, time, end in iter_frames(data, first_seq):
                expected = seq + 1
                if seq > after:
                    yield Record(seq, time, data[offset + HEADER_SIZE : end])
        except FrameError as exc:
            scan = scan_data(path, data, first_seq, is_last=index == len(segments) - 1)
            if not scan.torn:
                raise JournalCorrupted(path, exc.offset, exc.reason) from exc
            if torn is not None:
                torn.append(scan.size - scan.valid_bytes)


def _read_segment(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if path.parent.name == ARCHIVE_DIR:
            raise
    try:  # archived by the running writer after a snapshot, since it was listed
        return (path.parent / ARCHIVE_DIR / path.name).read_bytes()
    except FileNotFoundError:
        raise ReplayImpossible(
            f"{path} was removed while it was being read (the running writer took a "
            "snapshot); keep segments with --archive-segments for a replay from seq 1"
        ) from None


def replay(data_dir: Path) -> Replayed:
    engine = Engine()
    torn: list[int] = []
    count = 0
    apply = engine.apply
    for record in read_records(data_dir, torn):
        apply(record.seq, record.time, decode_command(record.payload))
        count += 1
    return Replayed(engine, count, sum(torn))
