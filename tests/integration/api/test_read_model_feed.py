"""The server's read model process: fed one write per interval, or at once for a history
query that waits; stopped by the server, not by a signal to the process group."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assetport.api import read_model
from assetport.api.read_model import ReadModelProcess
from assetport.domain.commands import ListAsset
from assetport.domain.events import AssetListed
from assetport.runtime.bus import AppliedBatch, EventBus
from assetport.store.database import open_database
from assetport.store.projector import Projector

LISTING = AppliedBatch(1, 1_000, [ListAsset("KGLD", 8)], [[AssetListed(1, 1_000, "KGLD", 8)]])


async def _committed(process: ReadModelProcess, seq: int, hurry: bool, within_s: float) -> bool:
    """Whether the child reports `seq` committed within `within_s` (calling `hurry`
    meanwhile, as `Gateway.from_history` does while it waits)."""
    deadline = time.monotonic() + within_s
    while process.last_seq() < seq and time.monotonic() < deadline:
        if hurry:
            process.hurry()
        await asyncio.sleep(0.01)
    return process.last_seq() >= seq


def _stored_seq(data_dir: Path) -> int:
    database = open_database(None, data_dir)
    try:
        return Projector(database).last_seq()
    finally:
        database.close()


def test_a_waiting_query_has_the_pending_batches_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An hour's interval: only hurry can get the batch to the child during this test.
    monkeypatch.setattr(read_model, "FEED_INTERVAL_S", 3600.0)

    async def scenario() -> tuple[bool, bool]:
        bus = EventBus()
        process = await ReadModelProcess.start(bus, tmp_path, None, 0)
        await bus.publish(LISTING)
        unhurried = await _committed(process, 1, hurry=False, within_s=0.5)
        hurried = await _committed(process, 1, hurry=True, within_s=30)
        await bus.close()
        await process.close()
        return unhurried, hurried

    unhurried, hurried = asyncio.run(scenario())
    assert not unhurried, "the batch went before the interval ended, with nobody waiting"
    assert hurried
    assert _stored_seq(tmp_path) == 1


def test_batches_nobody_waits_for_are_written_when_the_interval_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_model, "FEED_INTERVAL_S", 0.05)

    async def scenario() -> bool:
        bus = EventBus()
        process = await ReadModelProcess.start(bus, tmp_path, None, 0)
        await bus.publish(LISTING)
        written = await _committed(process, 1, hurry=False, within_s=30)
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
