"""Appending and reading back: the happy paths of the file journal."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journal_testdata import make_records

from assetport.journal.errors import JournalFailed
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record
from assetport.journal.segments import list_segments


def test_empty_journal_opens_at_zero(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "journal")
    assert journal.open() == 0
    assert journal.last_seq == 0
    assert list(journal.read(1)) == []


def test_round_trip(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    written = make_records(1, 50)
    journal.append(written[:20])
    journal.append(written[20:])
    assert journal.last_seq == 50
    assert list(journal.read(1)) == written
    assert list(journal.read(31)) == written[30:]
    assert list(journal.read(51)) == []


def test_group_commit_is_one_fsync_per_batch(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    journal.append(make_records(1, 1000))
    assert journal.fsyncs == 1
    journal.append(make_records(1001, 500))
    assert journal.fsyncs == 2
    assert len(list(journal.read(1))) == 1500


def test_fsync_each_syncs_every_record(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path, fsync_each=True)
    journal.open()
    journal.append(make_records(1, 25))
    assert journal.fsyncs == 25
    assert list(journal.read(1)) == make_records(1, 25)


def test_reopen_after_close_continues(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    journal.append(make_records(1, 10))
    journal.close()

    reopened = FileJournal(tmp_path)
    assert reopened.open() == 10
    reopened.append(make_records(11, 5))
    reopened.close()

    again = FileJournal(tmp_path)
    assert again.open() == 15
    assert list(again.read(1)) == make_records(1, 15)


def test_segments_roll_and_are_named_by_first_seq(tmp_path: Path) -> None:
    # 124-byte frames, so a 1000-byte segment holds 8 records.
    journal = FileJournal(tmp_path, segment_bytes=1000)
    journal.open()
    written = make_records(1, 100)
    for start in range(0, 100, 7):
        journal.append(written[start : start + 7])
    segments = list_segments(journal.directory)
    assert [first for first, _ in segments] == list(range(1, 101, 8))
    assert all(path.name == f"{first:020d}.seg" for first, path in segments)
    assert all(path.stat().st_size <= 1000 for _, path in segments)
    assert list(journal.read(1)) == written
    assert list(journal.read(42)) == written[41:]


def test_batch_larger_than_a_segment_is_split(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path, segment_bytes=1000)
    journal.open()
    journal.append(make_records(1, 30))
    assert len(list_segments(tmp_path)) == 4
    journal.close()
    reopened = FileJournal(tmp_path, segment_bytes=1000)
    assert reopened.open() == 30
    assert list(reopened.read(1)) == make_records(1, 30)


def test_record_bigger_than_a_segment_gets_its_own(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path, segment_bytes=500)
    journal.open()
    journal.append(make_records(1, 3, payload_bytes=2000))
    assert [path.stat().st_size for _, path in list_segments(tmp_path)] == [2024] * 3
    assert list(journal.read(2)) == make_records(2, 2, payload_bytes=2000)


@pytest.mark.parametrize(
    ("first_seq", "message"),
    [(2, "expected seq 1, got 2"), (0, "expected seq 1, got 0")],
)
def test_append_rejects_a_gap(tmp_path: Path, first_seq: int, message: str) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    with pytest.raises(ValueError, match=message):
        journal.append(make_records(first_seq, 3))
    assert journal.last_seq == 0


def test_append_rejects_a_batch_that_is_not_contiguous(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    batch = make_records(1, 3)
    with pytest.raises(ValueError, match="expected seq 2, got 3"):
        journal.append([batch[0], batch[2]])
    assert journal.last_seq == 0
    assert list_segments(tmp_path) == []


def test_append_rejects_a_payload_that_is_not_bytes(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    with pytest.raises(ValueError, match="payload must be bytes"):
        journal.append([Record(1, 0, "text")])  # type: ignore[arg-type]


def test_read_from_zero_is_an_error(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    with pytest.raises(ValueError, match="seqs start at 1"):
        journal.read(0)


def test_use_before_open_is_an_error(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    with pytest.raises(RuntimeError, match="call open"):
        journal.append(make_records(1, 1))


def test_a_rejected_batch_leaves_the_journal_usable(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    with pytest.raises(ValueError, match="does not fit in 64 bits"):
        journal.append([Record(1, 2**63, b"")])
    journal.append(make_records(1, 1))
    assert journal.last_seq == 1


def test_a_failed_write_stops_appends_until_reopened(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    journal.append(make_records(1, 2))
    # Closing the descriptor under the journal makes the next write fail as an I/O error
    # would, without a mock.
    assert journal._fd is not None
    os.close(journal._fd)
    with pytest.raises(OSError):
        journal.append(make_records(3, 1))
    with pytest.raises(JournalFailed, match="reopen"):
        journal.append(make_records(3, 1))
    journal._fd = None
    journal.close()
    assert FileJournal(tmp_path).open() == 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=12),
    payload_bytes=st.integers(min_value=0, max_value=300),
    segment_bytes=st.integers(min_value=200, max_value=5000),
)
def test_random_batches_round_trip_across_reopen(
    tmp_path_factory: pytest.TempPathFactory,
    batches: list[int],
    payload_bytes: int,
    segment_bytes: int,
) -> None:
    directory = tmp_path_factory.mktemp("journal")
    journal = FileJournal(directory, segment_bytes)
    journal.open()
    written: list[Record] = []
    for size in batches:
        batch = make_records(len(written) + 1, size, payload_bytes)
        journal.append(batch)
        written.extend(batch)
    assert list(journal.read(1)) == written
    journal.close()

    reopened = FileJournal(directory, segment_bytes)
    assert reopened.open() == len(written)
    middle = len(written) // 2 + 1
    assert list(reopened.read(middle)) == written[middle - 1 :]
