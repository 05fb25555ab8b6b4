"""The few system calls that make file writes durable, in one place."""

import os
import sys
from pathlib import Path


def sync_file(fd: int) -> None:
    """Flush a file's data to stable storage."""
    # fdatasync flushes the data and the file size, which is all a reader needs, and skips
    # timestamps; macOS has no fdatasync, so plain fsync is the closest there.
    if sys.platform == "darwin":
        os.fsync(fd)
    else:
        os.fdatasync(fd)


def sync_directory(directory: Path) -> None:
    """Make the creation, rename or removal of files in `directory` survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes | memoryview) -> None:
    """os.write may write less than asked (signals, full disks); loop until all is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
