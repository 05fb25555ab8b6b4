"""The data directory: one writer at a time, and private to the user that runs it.

A process that writes a data directory (`assetport serve`, `assetport engine-serve`) first
calls `claim`: it takes an exclusive `flock` on `<data_dir>/writer.lock` and keeps it until
it exits. A second writer is refused with the holder's pid and command line, which the
holder wrote into the lock file. The kernel releases the lock when the holder's process
ends, however it ends (`kill -9` included), so a crash never blocks a restart, and the
lock file itself stays (emptied on a clean exit): removing it would let two processes lock
two different files of the same name.

The tools that only read (`journal verify|stats|replay`, `reconcile`) take no lock and may
run beside a writer; `writer_of` tells them whether one is running, so they can tell a
record being written from a torn one.

Files: the process's umask becomes 0o077, so everything it creates in the directory is
0600 (directories 0700) from its first byte; `claim` also tightens what older versions
left with looser modes. The secret files (`master.key`, `admin.token`) are left as they
are: the key store refuses a loose one, since someone else may have read it.
"""

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shlex
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from assetport.journal.durable import sync_directory, write_all

logger = logging.getLogger(__name__)

LOCK_FILE: Final = "writer.lock"
PRIVATE_UMASK: Final = 0o077
DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
# Refused when loose rather than tightened (see `read_or_create_private`).
SECRET_FILES: Final = frozenset({"master.key", "admin.token"})
# A tool's `writer_of` holds a shared lock for a moment; a starting writer that meets one
# tries again for this long before it reports the directory as taken.
_CLAIM_RETRY_S: Final = 0.5
_CLAIM_RETRY_STEP_S: Final = 0.02


# The lock files this process holds. A forked child (the snapshotter's) closes its copies
# at once: a lock lasts while any descriptor of it is open, and a child still encoding a
# snapshot after its parent was killed must not keep the restart out.
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in _HELD:
        os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


class DataDirInUse(Exception):
    """Another process writes this data directory."""


@dataclass(frozen=True)
class Holder:
    """Who holds a data directory, as its lock file says."""

    pid: int | None
    command: str

    def __str__(self) -> str:
        who = f"pid {self.pid}" if self.pid is not None else "a process"
        return f"{who} ({self.command})" if self.command else who


class WriterLock:
    """The exclusive lock of one data directory, held by this process until `release`."""

    def __init__(self, data_dir: Path, fd: int) -> None:
        self.data_dir = data_dir
        self._fd: int | None = fd

    def release(self) -> None:
        """Empty the lock file and unlock it (process exit does the unlocking too)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            _HELD.discard(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriterLock":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def this_command() -> str:
    """This process's command line as an operator would have typed it."""
    arguments = sys.argv[1:]
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("cli.py", "__main__.py", "assetport"):
        program = "assetport"
    return shlex.join([program, *arguments])


def private_umask() -> None:
    """Files and directories this process creates are its user's alone."""
    os.umask(PRIVATE_UMASK)


def claim(data_dir: Path, command: str | None = None) -> WriterLock:
    """Make `data_dir` private (creating it if needed) and lock it for this process; raises
    `DataDirInUse` naming the holder when another process has it."""
    private_umask()
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tighten(data_dir)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        _lock_exclusive(fd, data_dir)
        os.ftruncate(fd, 0)
        holder = {"pid": os.getpid(), "command": command or this_command()}
        os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    _HELD.add(fd)
    return WriterLock(data_dir, fd)


def _lock_exclusive(fd: int, data_dir: Path) -> None:
    deadline = time.monotonic() + _CLAIM_RETRY_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                raise DataDirInUse(
                    f"the data directory {data_dir} is in use by {holder}: only one process "
                    "may write it; stop that one first (the read-only tools `journal "
                    "verify|stats|replay`, `reconcile` and `admin` may run beside it)"
                ) from None
            time.sleep(_CLAIM_RETRY_STEP_S)


def writer_of(data_dir: Path) -> Holder | None:
    """The process writing `data_dir` now, or None. Takes no lock that outlasts the call."""
    try:
        fd = os.open(Path(data_dir) / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> Holder:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict):
        info = {}
    pid = info.get("pid")
    command = info.get("command")
    return Holder(
        pid if isinstance(pid, int) else None, command if isinstance(command, str) else ""
    )


def tighten(data_dir: Path) -> None:
    """Directories 0700 and files 0600 under `data_dir` (itself included), as this version
    makes them; symbolic links and the secret files are left alone."""
    _tighten_one(data_dir, DIR_MODE)
    for root, directories, files in os.walk(data_dir):
        for name in directories:
            _tighten_one(Path(root) / name, DIR_MODE)
        for name in files:
            if name not in SECRET_FILES:
                _tighten_one(Path(root) / name, FILE_MODE)


def _tighten_one(path: Path, mode: int) -> None:
    try:
        current = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(current.st_mode) or not stat.S_IMODE(current.st_mode) & PRIVATE_UMASK:
        return
    try:
        os.chmod(path, mode)
    except OSError as exc:  # another user's file: say so, the rest still gets tightened
        logger.warning("cannot make %s private (mode %o): %s", path, mode, exc)
        return
    # A loose file may have been read already: worth an operator's look. A directory only
    # showed names (and `mkdir` by hand or a test fixture makes it 0755).
    level = logging.INFO if stat.S_ISDIR(current.st_mode) else logging.WARNING
    logger.log(level, "%s was mode %o: now %o", path, stat.S_IMODE(current.st_mode), mode)


class LoosePrivateFile(Exception):
    """A private file that group or others can read: refused, as ssh refuses a private key
    with loose permissions (its secret may have been read already)."""


def read_or_create_private(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes of a file only its owner may read, created from `make()` if missing.

    The new content goes to a private temporary file, synced, then hard-linked to `path`:
    the link either appears with the whole content or fails because another process made
    the file first, whose content then wins; a reader never sees it half written.
    `LoosePrivateFile` for an existing file readable by group or others.
    """
    try:
        return _read_private(path)
    except FileNotFoundError:
        pass
    content = make()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            write_all(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read_private(path)
    finally:
        temporary.unlink(missing_ok=True)
    sync_directory(path.parent)
    return content


def _read_private(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise LoosePrivateFile(f"{path} is readable by others (mode {mode:o}): chmod 600 it")
    return path.read_bytes()


def create_private_file(path: Path) -> None:
    """Create `path` empty and 0600 unless it exists. SQLite gives a database's -wal, -shm
    and -journal files the database file's mode, so a database file made this way before
    SQLite opens it keeps them private from their first byte, whatever the umask."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE))


def write_private_file(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable by this user only, whatever the umask."""
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.replace(temp, path)
