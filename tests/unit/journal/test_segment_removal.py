"""Removing segments that a snapshot covers, and never more."""

from pathlib import Path

import pytest
from journal_testdata import make_records

from assetport.journal.file_journal import FileJournal
from assetport.journal.segments import list_segments

FRAME = 124
SEGMENT = 10 * FRAME  # ten records per segment


def _journal(directory: Path, count: int, *, archive: bool = False) -> FileJournal:
    journal = FileJournal(directory, SEGMENT, archive_removed=archive)
    journal.open()
    journal.append(make_records(1, count))
    return journal


def _firsts(directory: Path) -> list[int]:
    return [first for first, _ in list_segments(directory)]


def test_only_segments_wholly_covered_are_removed(tmp_path: Path) -> None:
    journal = _journal(tmp_path, 45)
    assert _firsts(tmp_path) == [1, 11, 21, 31, 41]
    assert journal.remove_segments_before(19) == [tmp_path / f"{1:020d}.seg"]
    assert journal.remove_segments_before(30) == [
        tmp_path / f"{11:020d}.seg",
        tmp_path / f"{21:020d}.seg",
    ]
    assert _firsts(tmp_path) == [31, 41]
    assert journal.first_seq == 31
    assert list(journal.read(35)) == make_records(35, 11)
    with pytest.raises(ValueError, match="removed after a snapshot"):
        journal.read(30)


def test_the_segment_holding_the_last_record_is_kept(tmp_path: Path) -> None:
    journal = _journal(tmp_path, 40)
    assert journal.remove_segments_before(40) != []
    assert _firsts(tmp_path) == [31]
    assert journal.remove_segments_before(1000) == []
    assert list(journal.read(31)) == make_records(31, 10)


def test_the_journal_reopens_and_continues_after_removal(tmp_path: Path) -> None:
    journal = _journal(tmp_path, 45)
    journal.remove_segments_before(30)
    journal.close()
    reopened = FileJournal(tmp_path, SEGMENT)
    assert reopened.open() == 45
    assert reopened.first_seq == 31
    reopened.append(make_records(46, 20))
    assert list(reopened.read(31)) == make_records(31, 35)


def test_removed_segments_can_be_archived(tmp_path: Path) -> None:
    journal = _journal(tmp_path, 25, archive=True)
    journal.remove_segments_before(20)
    assert _firsts(tmp_path) == [21]
    assert _firsts(tmp_path / "archive") == [1, 11]
    journal.close()
    assert FileJournal(tmp_path, SEGMENT).open() == 25
