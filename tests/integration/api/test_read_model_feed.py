"""The server's read model process: fed one write per interval, or at once for a history
query that waits; stopped by the server, not by a signal to the process group."""

import array
import asyncio
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from assetport.domain.commands import ListAsset
from assetport.domain.events import AssetListed
from assetport.runtime.bus import AppliedBatch, EventBus
from assetport.server import read_model
from assetport.server.read_model import ReadModelProcess
from assetport.store.database import open_database
from assetport.store.projector import Projector

LISTING = AppliedBatch(1, 1_000, [ListAsset("KGLD", 8)], [[AssetListed(1, 1_000, "KGLD", 8)]])


async def _committed(process: ReadModelProcess, seq: int, within_s: float) -> bool:
    """Whether the child reports `seq` committed within `within_s`."""
    deadline = time.monotonic() + within_s
    while process.last_seq() < seq and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return process.last_seq() >= seq


def _children() -> set[int]:
    """The pids of this process's children."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            if int(stat.read_text().rpartition(")")[2].split()[1]) == os.getpid():
                children.add(int(stat.parent.name))
    return children


def _bytes_in_pipe(pid: int) -> int:
    """How many bytes wait in the pipe on `pid`'s stdin, sent and not yet read."""
    fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
    try:
        count = array.array("i", [0])
        fcntl.ioctl(fd, termios.FIONREAD, count)
        return count[0]
    finally:
        os.close(fd)


def _stored_seq(data_dir: Path) -> int:
    database = open_database(None, data_dir)
    try:
        return Projector(database).last_seq()
    finally:
        database.close()


def test_a_waiting_query_has_the_pending_batches_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the server sends is watched in the pipe itself, with the child stopped (SIGSTOP)
    so that it reads nothing: a child slow to commit cannot make this pass."""
    # An hour's interval: only hurry can get the batch to the child during this test.
    monkeypatch.setattr(read_model, "FEED_INTERVAL_S", 3600.0)

    async def scenario() -> tuple[int, int, bool]:
        bus = EventBus()
        # Earlier tests may leave children of this process still ending: the read model's
        # is the one child that is new.
        before = _children()
        process = await ReadModelProcess.start(bus, tmp_path, None, 0)  # the child is ready
        (child,) = _children() - before
        os.kill(child, signal.SIGSTOP)
        try:
            await bus.publish(LISTING)
            await asyncio.sleep(0.5)  # the feed's turn: a batch sent at once would be sent now
            before_hurry = _bytes_in_pipe(child)
            process.hurry()
            after_hurry = _bytes_in_pipe(child)
        finally:
            os.kill(child, signal.SIGCONT)
        committed = await _committed(process, 1, within_s=30)
        await bus.close()
        await process.close()
        return before_hurry, after_hurry, committed

    before_hurry, after_hurry, committed = asyncio.run(scenario())
    assert before_hurry == 0, "the batch went before the interval ended, with nobody waiting"
    assert after_hurry > 0, "hurry sent nothing"
    assert committed
    assert _stored_seq(tmp_path) == 1


def test_batches_nobody_waits_for_are_written_when_the_interval_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_model, "FEED_INTERVAL_S", 0.05)

    async def scenario() -> bool:
        bus = EventBus()
        process = await ReadModelProcess.start(bus, tmp_path, None, 0)
        await bus.publish(LISTING)
        written = await _committed(process, 1, within_s=30)
        await bus.close()
        await process.close()
        return written

    assert asyncio.run(scenario())
    assert _stored_seq(tmp_path) == 1


def test_a_signal_to_the_whole_process_group_stops_the_server_cleanly(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the server and its read model child together: the child
    waits for the server to end its feed instead of dying first, so no history is lost and
    nothing is reported as failed."""
    server = subprocess.Popen(
        [sys.executable, "-m", "assetport.cli", "serve", "--demo", "--data-dir",
         str(tmp_path / "data"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert json.loads(server.stdout.readline())["ready"]
        os.killpg(server.pid, signal.SIGINT)
        _, errors = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "read model process stopped" not in errors, errors
