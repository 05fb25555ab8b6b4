"""The read-only checks an operator runs on a data dir."""

from pathlib import Path

from journal_testdata import make_records

from assetport.journal.file_journal import FileJournal
from assetport.journal.segments import list_segments
from assetport.journal.snapshots import SnapshotStore
from assetport.journal.verify import stats, verify

FRAME = 124


def _data_dir(data_dir: Path, count: int = 25) -> None:
    journal = FileJournal.in_data_dir(data_dir, segment_bytes=10 * FRAME)
    journal.open()
    journal.append(make_records(1, count))
    journal.close()
    snapshots = SnapshotStore.in_data_dir(data_dir)
    snapshots.save(10, b"state at 10")
    snapshots.save(20, b"state at 20")


def test_a_healthy_data_dir(tmp_path: Path) -> None:
    _data_dir(tmp_path)
    assert verify(tmp_path) == []
    assert stats(tmp_path) == {
        "segments": 3,
        "records": 25,
        "first_seq": 1,
        "last_seq": 25,
        "bytes": 25 * FRAME,
        "snapshots": [
            {"seq": 10, "bytes": 28 + 11, "valid": True},
            {"seq": 20, "bytes": 28 + 11, "valid": True},
        ],
    }


def test_an_empty_data_dir(tmp_path: Path) -> None:
    assert verify(tmp_path) == []
    assert stats(tmp_path)["records"] == 0
    assert stats(tmp_path)["last_seq"] is None


def test_every_problem_is_reported_with_file_and_offset(tmp_path: Path) -> None:
    _data_dir(tmp_path, 35)
    segments = [path for _, path in list_segments(tmp_path / "journal")]
    damaged = bytearray(segments[0].read_bytes())
    damaged[3 * FRAME + 40] ^= 0x01
    segments[0].write_bytes(bytes(damaged))
    segments[2].unlink()  # records 21..30 gone
    with segments[3].open("ab") as file:
        file.write(b"\x07" * 9)
    snapshot = tmp_path / "snapshots" / f"{20:020d}.snap"
    snapshot.write_bytes(snapshot.read_bytes()[:-2])

    problems = verify(tmp_path)
    found = {(problem.path, problem.offset): problem.description for problem in problems}
    assert len(problems) == 4
    assert "CRC mismatch" in found[(segments[0], 3 * FRAME)]
    assert "starts at seq 31" in found[(segments[3], 0)]
    assert "torn last record" in found[(segments[3], 5 * FRAME)]
    assert "state bytes" in found[(snapshot, 0)]
    assert segments[3].stat().st_size == 5 * FRAME + 9, "verify must not modify files"
    assert str(problems[0]).startswith(str(segments[0]))


def test_stats_lists_damaged_snapshots_as_invalid(tmp_path: Path) -> None:
    _data_dir(tmp_path)
    (tmp_path / "snapshots" / f"{20:020d}.snap").write_bytes(b"junk")
    assert [snap["valid"] for snap in stats(tmp_path)["snapshots"]] == [True, False]


def test_beside_a_writer_the_record_being_written_is_no_problem(tmp_path: Path) -> None:
    _data_dir(tmp_path)
    last = list_segments(tmp_path / "journal")[-1][1]
    whole = make_records(26, 1)
    journal = FileJournal.in_data_dir(tmp_path, segment_bytes=10 * FRAME)
    journal.open()
    journal.append(whole)  # record 26, then half of what a writer would write next
    journal.close()
    data = last.read_bytes()
    last.write_bytes(data + data[-FRAME:][: FRAME // 2])
    assert [p.description.split(" (")[0] for p in verify(tmp_path)] == ["torn last record"]
    assert verify(tmp_path, writing=True) == []
    assert stats(tmp_path)["last_seq"] == 26
