"""What open() does with files damaged by a crash or by the disk."""

import logging
from pathlib import Path

import pytest
from journal_testdata import make_records

from assetport.journal.errors import JournalCorrupted
from assetport.journal.file_journal import FileJournal
from assetport.journal.segments import list_segments

FRAME = 24 + 100  # every record in these tests has a 100-byte payload


def _write(directory: Path, count: int, segment_bytes: int = 64 * 1024 * 1024) -> None:
    journal = FileJournal(directory, segment_bytes)
    journal.open()
    for start in range(1, count + 1, 10):
        journal.append(make_records(start, min(10, count - start + 1)))
    journal.close()


def _last_segment(directory: Path) -> Path:
    return list_segments(directory)[-1][1]


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _reopen_and_continue(directory: Path, expected_last: int) -> None:
    journal = FileJournal(directory)
    assert journal.open() == expected_last
    journal.append(make_records(expected_last + 1, 3))
    journal.close()
    reopened = FileJournal(directory)
    assert reopened.open() == expected_last + 3
    assert list(reopened.read(1)) == make_records(1, expected_last + 3)


@pytest.mark.parametrize("cut", [1, 10, 24, 30, FRAME - 1])
def test_a_record_torn_mid_frame_is_cut_off(
    tmp_path: Path, cut: int, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path, 20)
    segment = _last_segment(tmp_path)
    with segment.open("r+b") as file:
        file.truncate(20 * FRAME - cut)
    with caplog.at_level(logging.WARNING):
        _reopen_and_continue(tmp_path, 19)
    assert "torn last record" in caplog.text
    assert segment.stat().st_size == 22 * FRAME


@pytest.mark.parametrize(
    "garbage",
    [b"\x00" * 4096, b"\xff" * 7, bytes(range(256)) * 3, b"\x10\x00\x00\x00" + b"\x00" * 40],
)
def test_garbage_after_the_last_record_is_cut_off(tmp_path: Path, garbage: bytes) -> None:
    _write(tmp_path, 20)
    with _last_segment(tmp_path).open("ab") as file:
        file.write(garbage)
    _reopen_and_continue(tmp_path, 20)


def test_a_bad_crc_on_the_last_record_is_cut_off(tmp_path: Path) -> None:
    # A crash can leave the length written but not the payload (the file was extended
    # with zeros), which shows up as a bad CRC on the very last frame.
    _write(tmp_path, 20)
    _flip_byte(_last_segment(tmp_path), 19 * FRAME + 60)
    _reopen_and_continue(tmp_path, 19)


def test_a_flipped_byte_in_an_earlier_record_is_corruption(tmp_path: Path) -> None:
    _write(tmp_path, 20)
    segment = _last_segment(tmp_path)
    _flip_byte(segment, 7 * FRAME + 50)
    size = segment.stat().st_size
    with pytest.raises(JournalCorrupted) as raised:
        FileJournal(tmp_path).open()
    assert raised.value.path == segment
    assert raised.value.offset == 7 * FRAME
    assert str(segment) in str(raised.value)
    assert f"offset {7 * FRAME}" in str(raised.value)
    assert "CRC mismatch" in str(raised.value)
    assert segment.stat().st_size == size, "a corrupted journal must not be truncated"


def test_a_damaged_length_in_the_middle_is_not_mistaken_for_a_torn_tail(tmp_path: Path) -> None:
    # A length pointing past the end of the file looks like a torn write, but intact
    # records follow it, so cutting there would drop acknowledged records.
    _write(tmp_path, 20)
    segment = _last_segment(tmp_path)
    data = bytearray(segment.read_bytes())
    data[5 * FRAME : 5 * FRAME + 4] = (1_000_000).to_bytes(4, "little")
    segment.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupted, match="incomplete frame") as raised:
        FileJournal(tmp_path).open()
    assert raised.value.offset == 5 * FRAME


def test_damage_in_an_earlier_segment_is_corruption_even_at_its_end(tmp_path: Path) -> None:
    _write(tmp_path, 30, segment_bytes=10 * FRAME)
    first = list_segments(tmp_path)[0][1]
    with first.open("r+b") as file:
        file.truncate(10 * FRAME - 3)
    with pytest.raises(JournalCorrupted) as raised:
        FileJournal(tmp_path, 10 * FRAME).open()
    assert raised.value.path == first
    assert raised.value.offset == 9 * FRAME


def test_a_missing_segment_is_corruption(tmp_path: Path) -> None:
    _write(tmp_path, 30, segment_bytes=10 * FRAME)
    segments = list_segments(tmp_path)
    assert [first for first, _ in segments] == [1, 11, 21]
    segments[1][1].unlink()
    with pytest.raises(JournalCorrupted, match=r"records 11\.\.20 are missing") as raised:
        FileJournal(tmp_path).open()
    assert raised.value.path == segments[2][1]


def test_a_segment_whose_records_do_not_match_its_name_is_corruption(tmp_path: Path) -> None:
    _write(tmp_path, 30, segment_bytes=10 * FRAME)
    segments = list_segments(tmp_path)
    segments[2][1].rename(tmp_path / f"{20:020d}.seg")
    with pytest.raises(JournalCorrupted, match="overlapping"):
        FileJournal(tmp_path).open()


def test_an_empty_last_segment_is_accepted(tmp_path: Path) -> None:
    # A crash right after a new segment was created leaves it empty.
    _write(tmp_path, 20)
    (tmp_path / f"{21:020d}.seg").touch()
    _reopen_and_continue(tmp_path, 20)


def test_a_torn_tail_in_a_fresh_segment_is_cut_off(tmp_path: Path) -> None:
    _write(tmp_path, 20, segment_bytes=10 * FRAME)
    (tmp_path / f"{21:020d}.seg").write_bytes(make_records(21, 1)[0].payload[:30])
    _reopen_and_continue(tmp_path, 20)
