"""Read-only checks of a data dir, for the `assetport` CLI and for operators.

Nothing here modifies a file: a torn tail is reported, not cut off (`FileJournal.open` does
that), so an operator can look before anything changes.

Both may run beside the process that writes the data dir. The caller says so (`writing`):
the end of the last segment may then be a record being written, not a torn one, and
segments and snapshots that the writer removes after a snapshot may vanish between the
listing and the read; neither is a problem then. Each file is judged by one read of it.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from assetport.journal.layout import journal_dir, snapshots_dir
from assetport.journal.segments import SegmentScan, list_segments, scan_segment
from assetport.journal.snapshots import SnapshotDamaged, list_snapshots, read_snapshot


@dataclass(frozen=True)
class Problem:
    path: Path
    offset: int
    description: str

    def __str__(self) -> str:
        return f"{self.path} @ {self.offset}: {self.description}"


class SnapshotStats(TypedDict):
    seq: int
    bytes: int
    valid: bool


class DataDirStats(TypedDict):
    segments: int
    records: int
    first_seq: int | None
    last_seq: int | None
    bytes: int
    snapshots: list[SnapshotStats]


def _scan_journal(data_dir: Path) -> list[SegmentScan]:
    segments = list_segments(journal_dir(data_dir))
    scans = []
    for index, (first_seq, path) in enumerate(segments):
        try:
            scans.append(scan_segment(path, first_seq, is_last=index == len(segments) - 1))
        except FileNotFoundError:
            continue  # removed by the writer after a snapshot since it was listed
    return scans


def verify(data_dir: Path, *, writing: bool = False) -> list[Problem]:
    """Every problem found in the journal segments and snapshots of `data_dir`; [] if none.
    `writing`: a process is writing the data dir now (see the module's docstring)."""
    problems: list[Problem] = []
    scans = _scan_journal(data_dir)
    previous: SegmentScan | None = None
    for index, scan in enumerate(scans):
        if previous is not None and previous.error is None and scan.first_seq != previous.next_seq:
            problems.append(
                Problem(
                    scan.path,
                    0,
                    f"segment starts at seq {scan.first_seq} but the previous segment ends at "
                    f"seq {previous.next_seq - 1}",
                )
            )
        being_written = writing and scan.torn and index == len(scans) - 1
        if scan.error is not None and not being_written:
            if scan.torn:
                description = (
                    f"torn last record ({scan.error.reason}), left by a crash during a write; "
                    f"opening the journal cuts off the last {scan.size - scan.valid_bytes} bytes"
                )
            else:
                description = scan.error.reason
            problems.append(Problem(scan.path, scan.error.offset, description))
        elif scan.records == 0 and index < len(scans) - 1:
            problems.append(Problem(scan.path, 0, "segment in the middle of the journal is empty"))
        previous = scan
    for _, path in list_snapshots(snapshots_dir(data_dir)):
        try:
            read_snapshot(path)
        except SnapshotDamaged as exc:
            problems.append(Problem(path, 0, exc.reason))
        except OSError as exc:
            if not (writing and isinstance(exc, FileNotFoundError)):  # pruned meanwhile
                problems.append(Problem(path, 0, f"cannot be read: {exc}"))
    return problems


def stats(data_dir: Path) -> DataDirStats:
    """Counts and seq ranges of the journal and snapshots of `data_dir`.

    Records are counted up to the first damaged frame of each segment; `verify` says where.
    """
    scans = _scan_journal(data_dir)
    records = sum(scan.records for scan in scans)
    with_records = [scan for scan in scans if scan.records > 0]
    snapshots: list[SnapshotStats] = []
    for seq, path in list_snapshots(snapshots_dir(data_dir)):
        size = 0
        try:
            size = path.stat().st_size
            read_snapshot(path)
            valid = True
        except FileNotFoundError:
            continue  # pruned by the writer since it was listed
        except (SnapshotDamaged, OSError):
            valid = False
        snapshots.append({"seq": seq, "bytes": size, "valid": valid})
    return {
        "segments": len(scans),
        "records": records,
        "first_seq": with_records[0].first_seq if with_records else None,
        "last_seq": with_records[-1].next_seq - 1 if with_records else None,
        "bytes": sum(scan.size for scan in scans),
        "snapshots": snapshots,
    }
