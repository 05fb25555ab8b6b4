"""Engine snapshots: opaque state bytes saved atomically, named by the last seq they include.

File format (little-endian), `<last_seq, 20 digits>.snap`:

    8 bytes  magic b"APSNAP01"
    u32      CRC32C of everything after this field
    u64      last_seq: the seq of the last record applied to the state
    u64      state length in bytes
    ...      state

Recovery loads the newest valid snapshot and replays the journal from last_seq + 1.
"""

import logging
import os
import re
import struct
from pathlib import Path

from crc32c import crc32c

from assetport.journal.durable import sync_directory, write_all
from assetport.journal.layout import snapshots_dir

logger = logging.getLogger(__name__)

MAGIC = b"APSNAP01"
_HEADER = struct.Struct("<8sIQQ")
_CRC = struct.Struct("<I")
_SEQ_LENGTH = struct.Struct("<QQ")
_CRC_START = len(MAGIC) + _CRC.size
_SNAPSHOT_NAME = re.compile(r"^(\d{20})\.snap$")
_TEMP_SUFFIX = ".tmp"


class SnapshotDamaged(Exception):
    """A snapshot file cannot be trusted."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"snapshot {path} is damaged: {reason}")
        self.path = path
        self.reason = reason


def snapshot_name(last_seq: int) -> str:
    return f"{last_seq:020d}.snap"


def list_snapshots(directory: Path) -> list[tuple[int, Path]]:
    """(last seq, path) of every snapshot file, oldest first. Temp files are not listed."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _SNAPSHOT_NAME.match(path.name)
        if match and path.is_file():
            found.append((int(match.group(1)), path))
    found.sort()
    return found


def encode_snapshot(last_seq: int, state: bytes) -> bytes:
    body = _SEQ_LENGTH.pack(last_seq, len(state)) + state
    return MAGIC + _CRC.pack(crc32c(body)) + body


def read_snapshot(path: Path) -> tuple[int, bytes]:
    """(last_seq, state) of a snapshot file; raises SnapshotDamaged if anything is off."""
    data = path.read_bytes()
    if len(data) < _HEADER.size:
        raise SnapshotDamaged(path, f"only {len(data)} bytes, shorter than the header")
    magic, crc, last_seq, length = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise SnapshotDamaged(path, f"bad magic {magic!r}, expected {MAGIC!r}")
    if len(data) != _HEADER.size + length:
        raise SnapshotDamaged(
            path, f"header says {length} state bytes but the file holds {len(data) - _HEADER.size}"
        )
    actual = crc32c(memoryview(data)[_CRC_START:])
    if actual != crc:
        raise SnapshotDamaged(path, f"CRC mismatch (stored {crc:#010x}, computed {actual:#010x})")
    match = _SNAPSHOT_NAME.match(path.name)
    if match and int(match.group(1)) != last_seq:
        raise SnapshotDamaged(path, f"file name does not match its last_seq {last_seq}")
    return last_seq, data[_HEADER.size :]


class SnapshotStore:
    """Snapshots in one directory; keeps the newest `keep` and deletes older ones."""

    def __init__(self, directory: Path, keep: int = 3) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.directory = Path(directory)
        self.keep = keep

    @classmethod
    def in_data_dir(cls, data_dir: Path, keep: int = 3) -> "SnapshotStore":
        """The snapshots of a data dir: `<data_dir>/snapshots/*.snap`."""
        return cls(snapshots_dir(data_dir), keep)

    def save(self, last_seq: int, state: bytes) -> Path:
        """Write a snapshot atomically: it is either wholly there after a crash, or absent."""
        if last_seq < 0:
            raise ValueError(f"last_seq must not be negative, got {last_seq}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        final = self.directory / snapshot_name(last_seq)
        temp = final.with_name(final.name + _TEMP_SUFFIX)
        # Readable by the data directory's user only (see runtime/data_dir.py).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            write_all(fd, encode_snapshot(last_seq, state))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
        sync_directory(self.directory)
        self._prune()
        return final

    def _prune(self) -> None:
        snapshots = list_snapshots(self.directory)
        for _, path in snapshots[: -self.keep]:
            path.unlink()
        for path in self.directory.glob("*.snap" + _TEMP_SUFFIX):
            # Left by a save that crashed before its rename; never a valid snapshot.
            path.unlink()
        sync_directory(self.directory)

    def seqs(self) -> list[int]:
        """last_seq of every snapshot on disk, oldest first (valid or not)."""
        return [seq for seq, _ in list_snapshots(self.directory)]

    def latest(self, at_most: int | None = None) -> tuple[int, bytes] | None:
        """(last_seq, state) of the newest valid snapshot (of those up to seq `at_most`, if
        given), or None if there is none."""
        for seq, path in reversed(list_snapshots(self.directory)):
            if at_most is not None and seq > at_most:
                continue
            try:
                return read_snapshot(path)
            except (SnapshotDamaged, OSError) as exc:
                logger.warning("skipping snapshot %s, falling back to an older one: %s", path, exc)
        return None
