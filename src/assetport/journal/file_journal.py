"""The embedded journal: append-only segment files in one directory.

Layout. Each segment is named by the seq of its first record (`00000000000000000001.seg`)
and holds records back to back with no file header. A record is framed as (little-endian):

    u32 payload length | u32 CRC32C of (seq, time, payload) | u64 seq | i64 time | payload

so a frame is 24 bytes plus the payload (see `assetport.journal.framing`).

Durability. `append` (and `append_frames`) writes a whole batch with one write and makes it
durable with one fsync (group commit); it returns only after that fsync, so a caller may
acknowledge every record of the batch when it returns. Creating a segment is followed by an
fsync of the directory, so the new file's name survives a crash too. A batch that crosses a
segment boundary costs one extra fsync per boundary: the old segment is synced before the
new one is created, which keeps "only the last segment can have a torn tail" true.

Recovery. `open` reads every segment and checks every CRC and that seqs run on without a
gap across records and segments. A crash in the middle of a write can only damage the end
of the last segment; that torn tail is cut off (truncated) with a warning. Damage anywhere
else raises `JournalCorrupted`: nothing acknowledged is ever skipped silently.
"""

import bisect
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from assetport.journal.durable import sync_directory, sync_file, write_all
from assetport.journal.errors import JournalCorrupted, JournalFailed
from assetport.journal.framing import (
    HEADER_SIZE,
    MAX_SEQ,
    FrameError,
    encode_frames,
    frame_ends,
    iter_frames,
    record_problem,
)
from assetport.journal.layout import journal_dir
from assetport.journal.record import Record
from assetport.journal.segments import list_segments, scan_segment, segment_name

logger = logging.getLogger(__name__)

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
ARCHIVE_DIR = "archive"


class FileJournal:
    """A durable, ordered log of records in segment files under `directory`.

    One writer per directory. `fsync_each` syncs after every record instead of once per
    batch (only for comparing the two in benchmarks). `archive_removed` makes
    `remove_segments_before` move segments into `archive/` instead of deleting them.
    """

    def __init__(
        self,
        directory: Path,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        *,
        fsync_each: bool = False,
        archive_removed: bool = False,
    ) -> None:
        if segment_bytes <= 0:
            raise ValueError(f"segment_bytes must be positive, got {segment_bytes}")
        self.directory = Path(directory)
        self.segment_bytes = segment_bytes
        self.fsync_each = fsync_each
        self.archive_removed = archive_removed
        self._segments: list[tuple[int, Path]] = []
        self._fd: int | None = None
        self._size = 0
        self._last_seq = 0
        self._opened = False
        self._failed = False
        self._fsyncs = 0

    @classmethod
    def in_data_dir(
        cls,
        data_dir: Path,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        *,
        fsync_each: bool = False,
        archive_removed: bool = False,
    ) -> "FileJournal":
        """The journal of a data dir: `<data_dir>/journal/*.seg`."""
        return cls(
            journal_dir(data_dir),
            segment_bytes,
            fsync_each=fsync_each,
            archive_removed=archive_removed,
        )

    @property
    def last_seq(self) -> int:
        """Seq of the last durable record; 0 for an empty journal."""
        return self._last_seq

    @property
    def first_seq(self) -> int:
        """Seq of the oldest record still kept (older ones were removed after a snapshot)."""
        return self._segments[0][0] if self._segments else self._last_seq + 1

    @property
    def fsyncs(self) -> int:
        """How many file fsyncs appends have issued since open (for benchmarks and stats)."""
        return self._fsyncs

    def open(self) -> int:
        """Scan every segment, cut off a torn tail, and return the last durable seq."""
        if self._opened:
            raise RuntimeError("journal is already open")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        segments = list_segments(self.directory)
        next_seq: int | None = None
        for index, (first_seq, path) in enumerate(segments):
            is_last = index == len(segments) - 1
            if next_seq is not None and first_seq != next_seq:
                raise JournalCorrupted(
                    path,
                    0,
                    f"segment starts at seq {first_seq} but the previous one ends at seq "
                    f"{next_seq - 1}: records {next_seq}..{first_seq - 1} are missing"
                    if first_seq > next_seq
                    else f"segment starts at seq {first_seq}, overlapping the previous one "
                    f"which ends at seq {next_seq - 1}",
                )
            scan = scan_segment(path, first_seq, is_last=is_last)
            if scan.error is not None:
                if not scan.torn:
                    raise JournalCorrupted(path, scan.error.offset, scan.error.reason)
                self._cut_torn_tail(path, scan.valid_bytes, scan.size, scan.error.reason)
            if scan.records == 0 and not is_last:
                raise JournalCorrupted(path, 0, "segment in the middle of the journal is empty")
            next_seq = scan.next_seq
            if is_last:
                self._size = scan.valid_bytes
        self._segments = segments
        self._last_seq = next_seq - 1 if next_seq is not None else 0
        if segments:
            self._fd = os.open(segments[-1][1], os.O_WRONLY | os.O_APPEND)
        self._opened = True
        self._failed = False
        return self._last_seq

    def _cut_torn_tail(self, path: Path, valid_bytes: int, size: int, reason: str) -> None:
        logger.warning(
            "journal %s: cutting off a torn last record (%d bytes at offset %d: %s), "
            "left by a crash during a write",
            path,
            size - valid_bytes,
            valid_bytes,
            reason,
        )
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, valid_bytes)
            os.fsync(fd)
        finally:
            os.close(fd)

    def append(self, records: Sequence[Record]) -> None:
        """Write `records` durably; they must continue the log: seq last_seq+1, +2, ..."""
        self._check_writable()
        if not records:
            return
        expected = self._last_seq + 1
        for record in records:
            if record.seq != expected:
                raise ValueError(
                    f"records must continue the journal without gaps: expected seq {expected}, "
                    f"got {record.seq}"
                )
            problem = record_problem(record)
            if problem is not None:
                raise ValueError(problem)
            expected += 1
        if expected - 1 > MAX_SEQ:
            raise ValueError("seq does not fit in 64 bits")
        self._append(records[0].seq, len(records), encode_frames(records))

    def append_frames(self, first_seq: int, count: int, frames: bytes) -> None:
        """Write `count` records already framed (by `encode_batch`) durably, as `append`.

        The frames come from this process's own encoder, so they are not checked again;
        only that they continue the log.
        """
        self._check_writable()
        if count <= 0:
            return
        if first_seq != self._last_seq + 1:
            raise ValueError(
                "records must continue the journal without gaps: expected seq "
                f"{self._last_seq + 1}, got {first_seq}"
            )
        self._append(first_seq, count, frames)

    def _append(self, first_seq: int, count: int, frames: bytes) -> None:
        try:
            self._write_and_sync(first_seq, frames)
        except BaseException:
            # Part of the batch may be on disk; only a rescan can tell what is durable.
            self._failed = True
            raise
        self._last_seq = first_seq + count - 1

    def _check_writable(self) -> None:
        if not self._opened:
            raise RuntimeError("journal is not open: call open() first")
        if self._failed:
            raise JournalFailed(
                f"an earlier write to {self.directory} failed; close and reopen the journal"
            )

    def _write_and_sync(self, first_seq: int, frames: bytes) -> None:
        """Write the frames with one write and one sync, unless the batch must be cut."""
        size = len(frames)
        if not self.fsync_each and self._fd is not None and self._size + size <= self.segment_bytes:
            write_all(self._fd, frames)
            self._size += size
            sync_file(self._fd)
            self._fsyncs += 1
            return
        self._write_cut(first_seq, frames)

    def _write_cut(self, first_seq: int, frames: bytes) -> None:
        """Write the frames in pieces: one per segment they fall in, or one per record with
        `fsync_each`; each piece is synced before the next starts."""
        ends = frame_ends(frames)
        view = memoryview(frames)
        start = 0
        index = 0
        while index < len(ends):
            if self._fd is None or (
                self._size > 0 and self._size + ends[index] - start > self.segment_bytes
            ):
                self._roll(first_seq + index)
            assert self._fd is not None
            last = index
            if not self.fsync_each:
                # As many whole frames as the segment still has room for, at least one.
                room_until = start + self.segment_bytes - self._size
                last = max(index, bisect.bisect_right(ends, room_until, lo=index) - 1)
            end = ends[last]
            write_all(self._fd, view[start:end])
            self._size += end - start
            sync_file(self._fd)
            self._fsyncs += 1
            start = end
            index = last + 1

    def _roll(self, first_seq: int) -> None:
        """Start a new segment whose first record will be `first_seq`."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        path = self.directory / segment_name(first_seq)
        # O_EXCL: never reuse a name, which would overwrite records.
        # Readable by the data directory's user only (see runtime/data_dir.py).
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        sync_directory(self.directory)
        self._segments.append((first_seq, path))
        self._size = 0

    def read(self, from_seq: int = 1) -> Iterator[Record]:
        """Records with seq >= from_seq, in order, up to the last seq at the time of the call."""
        if not self._opened:
            raise RuntimeError("journal is not open: call open() first")
        if from_seq < 1:
            raise ValueError(f"seqs start at 1, got from_seq={from_seq}")
        if from_seq < self.first_seq:
            raise ValueError(
                f"records before seq {self.first_seq} were removed after a snapshot; "
                f"cannot read from seq {from_seq}"
            )
        return self._read(from_seq, self._last_seq, list(self._segments))

    @staticmethod
    def _read(from_seq: int, last_seq: int, segments: list[tuple[int, Path]]) -> Iterator[Record]:
        if from_seq > last_seq:
            return
        firsts = [first for first, _ in segments]
        start = bisect.bisect_right(firsts, from_seq) - 1
        for first_seq, path in segments[start:]:
            data = path.read_bytes()
            try:
                for offset, seq, time, end in iter_frames(data, first_seq):
                    if seq >= from_seq:
                        yield Record(seq, time, data[offset + HEADER_SIZE : end])
                    if seq == last_seq:
                        # Stop exactly here: bytes past the last durable record may be a
                        # write still in progress.
                        return
            except FrameError as exc:
                # open() checked this file, so it was damaged while the journal was open.
                raise JournalCorrupted(path, exc.offset, exc.reason) from exc

    def remove_segments_before(self, seq: int) -> list[Path]:
        """Remove segments whose every record has seq <= `seq`; return their old paths.

        Pass the seq of the OLDEST snapshot you keep, so that falling back to an older
        snapshot still finds the records after it. The segment holding the last record and
        the segment being written are always kept.
        """
        self._check_writable()
        removable = 0
        for index in range(len(self._segments) - 1):
            segment_last = self._segments[index + 1][0] - 1
            if segment_last > seq or segment_last >= self._last_seq:
                break
            removable = index + 1
        removed = [path for _, path in self._segments[:removable]]
        if not removed:
            return []
        if self.archive_removed:
            archive = self.directory / ARCHIVE_DIR
            archive.mkdir(exist_ok=True, mode=0o700)
            for path in removed:
                os.replace(path, archive / path.name)
            sync_directory(archive)
        else:
            for path in removed:
                path.unlink()
        sync_directory(self.directory)
        del self._segments[:removable]
        return removed

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._opened = False
