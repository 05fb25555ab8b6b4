"""`runtime/data_dir.py` in process: the writer's lock and the tightening of old files (the
real processes are in test_operations_writer_lock.py and test_operations_file_modes.py)."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetport.runtime.data_dir import DataDirInUse, claim, writer_of


@pytest.fixture(autouse=True)
def keep_umask() -> Iterator[None]:
    """`claim` sets this process's umask; the other tests run with the usual one."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_lock_names_its_holder_until_released(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert writer_of(data) is None
    lock = claim(data, command="assetport serve --data-dir data")
    holder = writer_of(data)
    assert holder is not None and holder.pid == os.getpid()
    assert str(holder) == f"pid {os.getpid()} (assetport serve --data-dir data)"
    with pytest.raises(DataDirInUse, match=f"in use by pid {os.getpid()} \\(assetport serve"):
        claim(data)
    lock.release()
    assert writer_of(data) is None
    assert (data / "writer.lock").read_text() == ""
    with claim(data):
        assert writer_of(data) is not None


def test_old_loose_files_are_tightened_but_secrets_and_links_are_not(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "journal").mkdir(parents=True, mode=0o755)
    os.chmod(data, 0o755)
    segment = data / "journal" / "00000000000000000001.seg"
    segment.write_bytes(b"")
    os.chmod(segment, 0o644)
    secret = data / "master.key"
    secret.write_bytes(b"k" * 32)
    os.chmod(secret, 0o644)
    outside = tmp_path / "outside"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (data / "link").symlink_to(outside)
    with claim(data):
        assert _mode(data) == 0o700 and _mode(data / "journal") == 0o700
        assert _mode(segment) == 0o600 and _mode(data / "writer.lock") == 0o600
        assert _mode(secret) == 0o644  # refused at start by the key store, not hidden
        assert _mode(outside) == 0o644
        assert os.umask(0o077) == 0o077


def test_a_forked_child_does_not_hold_the_lock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lock = claim(data)
    read_fd, write_fd = os.pipe()
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child outlives its parent's lock, as a snapshot child may
        os.write(ready_write, b"r")  # `fork` has returned here: its at-fork handlers ran
        os.read(read_fd, 1)
        os._exit(0)
    os.close(read_fd)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"r"
    os.close(ready_read)
    try:
        lock.release()
        assert writer_of(data) is None
        with claim(data):
            pass
    finally:
        os.write(write_fd, b"x")
        os.close(write_fd)
        os.waitpid(pid, 0)
