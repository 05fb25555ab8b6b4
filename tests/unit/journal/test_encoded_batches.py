"""Batches the sequencer frames itself (`encode_batch` + `append_frames`): the same bytes
on disk as `append`, the same segment cuts, the same fsync accounting."""

from pathlib import Path

import pytest
from journal_testdata import make_records

from assetport.journal.file_journal import FileJournal
from assetport.journal.framing import MAX_PAYLOAD_BYTES, encode_batch, encode_frames, frame_ends
from assetport.journal.record import Record
from assetport.journal.segments import list_segments

TIME = 1_700_000_000_000_000


def _batch(first_seq: int, count: int, payload_bytes: int = 100) -> list[Record]:
    """Records stamped with one time, as the sequencer stamps a batch."""
    return [Record(r.seq, TIME, r.payload) for r in make_records(first_seq, count, payload_bytes)]


def _append(journal: FileJournal, records: list[Record]) -> None:
    frames = encode_batch(records[0].seq, TIME, [r.payload for r in records])
    journal.append_frames(records[0].seq, len(records), frames)


def test_a_batch_encodes_to_the_same_frames_as_its_records() -> None:
    records = _batch(41, 7)
    frames = encode_batch(41, TIME, [r.payload for r in records])
    assert frames == encode_frames(records)
    assert frame_ends(frames) == [124 * n for n in range(1, 8)]


def test_appended_frames_read_back_and_reopen(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    written = _batch(1, 30)
    _append(journal, written[:10])
    _append(journal, written[10:])
    assert journal.fsyncs == 2
    assert list(journal.read(1)) == written
    journal.close()
    reopened = FileJournal(tmp_path)
    assert reopened.open() == 30
    assert list(reopened.read(5)) == written[4:]


def test_frames_are_cut_where_segments_roll_as_records_are(tmp_path: Path) -> None:
    # 124-byte frames, so a 1000-byte segment holds 8 records.
    by_frames = FileJournal(tmp_path / "frames", segment_bytes=1000)
    by_records = FileJournal(tmp_path / "records", segment_bytes=1000)
    by_frames.open()
    by_records.open()
    written = _batch(1, 30)
    for start, end in [(0, 3), (3, 25), (25, 30)]:
        _append(by_frames, written[start:end])
        by_records.append(written[start:end])
    assert [first for first, _ in list_segments(by_frames.directory)] == [1, 9, 17, 25]
    for (_, mine), (_, theirs) in zip(
        list_segments(by_frames.directory), list_segments(by_records.directory), strict=True
    ):
        assert mine.read_bytes() == theirs.read_bytes()
    assert by_frames.fsyncs == by_records.fsyncs


def test_fsync_each_syncs_every_framed_record(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path, fsync_each=True)
    journal.open()
    _append(journal, _batch(1, 12))
    assert journal.fsyncs == 12
    assert journal.last_seq == 12


def test_frames_must_continue_the_journal(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path)
    journal.open()
    _append(journal, _batch(1, 3))
    with pytest.raises(ValueError, match="expected seq 4, got 5"):
        _append(journal, _batch(5, 2))
    assert journal.last_seq == 3


def test_a_batch_that_cannot_be_framed_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        encode_batch(1, TIME, [b"x" * (MAX_PAYLOAD_BYTES + 1)])
    with pytest.raises(ValueError, match="64 bits"):
        encode_batch(1, 2**63, [b"x"])
