"""Snapshots are saved atomically, damage is detected, and only the newest few are kept."""

import logging
from pathlib import Path

import pytest

from assetport.journal.snapshots import SnapshotDamaged, SnapshotStore, read_snapshot


def test_no_snapshot_yet(tmp_path: Path) -> None:
    assert SnapshotStore(tmp_path / "snapshots").latest() is None


def test_save_and_load(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    path = store.save(42, b"engine state")
    assert path.name == "00000000000000000042.snap"
    assert store.latest() == (42, b"engine state")
    store.save(50, b"")
    assert store.latest() == (50, b"")


def test_only_the_newest_are_kept(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, keep=3)
    for seq in (10, 20, 30, 40, 50):
        store.save(seq, f"state at {seq}".encode())
    assert store.seqs() == [30, 40, 50]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{seq:020d}.snap" for seq in (30, 40, 50)
    ]


def test_a_leftover_temp_file_is_ignored_and_cleaned_up(tmp_path: Path) -> None:
    # A crash between writing the temp file and renaming it leaves the temp file behind.
    store = SnapshotStore(tmp_path)
    store.save(10, b"good")
    leftover = tmp_path / "00000000000000000020.snap.tmp"
    leftover.write_bytes(b"half a snapsh")
    assert store.latest() == (10, b"good")
    assert store.seqs() == [10]
    store.save(30, b"newer")
    assert not leftover.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],
        lambda data: data[:10],
        lambda data: data[:30] + bytes([data[30] ^ 1]) + data[31:],
        lambda data: b"XXXXXXXX" + data[8:],
        lambda data: b"",
    ],
    ids=["short", "header-only", "flipped-bit", "bad-magic", "empty"],
)
def test_a_damaged_newest_snapshot_falls_back_to_an_older_one(
    tmp_path: Path, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    store = SnapshotStore(tmp_path)
    store.save(10, b"older state")
    newest = store.save(20, b"newest state, about to be damaged")
    newest.write_bytes(damage(newest.read_bytes()))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        assert store.latest() == (10, b"older state")
    assert str(newest) in caplog.text
    with pytest.raises(SnapshotDamaged):
        read_snapshot(newest)


def test_every_snapshot_damaged_means_none(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store.save(10, b"state").write_bytes(b"garbage")
    assert store.latest() is None


def test_a_snapshot_renamed_to_another_seq_is_damaged(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store.save(10, b"state").rename(tmp_path / f"{99:020d}.snap")
    with pytest.raises(SnapshotDamaged, match="does not match"):
        read_snapshot(tmp_path / f"{99:020d}.snap")
    assert store.latest() is None
