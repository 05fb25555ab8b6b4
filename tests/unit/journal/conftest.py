from collections.abc import Callable
from pathlib import Path

import pytest

from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record

MakeRecords = Callable[..., list[Record]]


def make_records(first_seq: int, count: int, payload_bytes: int = 100) -> list[Record]:
    """Records first_seq .. first_seq+count-1 whose payloads say which record they are."""
    return [
        Record(
            seq,
            1_700_000_000_000_000 + seq,
            f"cmd-{seq}:".encode().ljust(payload_bytes, b"."),
        )
        for seq in range(first_seq, first_seq + count)
    ]


@pytest.fixture
def records() -> MakeRecords:
    return make_records


@pytest.fixture
def journal_with(tmp_path: Path) -> Callable[..., tuple[FileJournal, list[Record]]]:
    """An open journal in tmp_path/journal already holding `count` records, in batches."""

    def build(
        count: int, batch: int = 10, segment_bytes: int = 64 * 1024 * 1024
    ) -> tuple[FileJournal, list[Record]]:
        journal = FileJournal(tmp_path / "journal", segment_bytes)
        journal.open()
        written = make_records(1, count)
        for start in range(0, count, batch):
            journal.append(written[start : start + batch])
        return journal, written

    return build
