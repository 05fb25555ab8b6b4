"""Torn writes and corrupted segments, as an operator would meet them: through the engine
process and the `assetport journal` tools."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from engine_process import EngineProcess, TradingClient

from assetport.journal.layout import journal_dir
from assetport.journal.segments import list_segments
from assetport.runtime.replay import replay


def _assetport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", *args], capture_output=True, text=True, timeout=60
    )


def _journal_with_traffic(data_dir: Path, *extra: str, segments: int = 1) -> TradingClient:
    """Trade against an engine process for 0.3 s, and on until its journal has `segments`
    segment files (however loaded the machine), then kill it."""
    import random

    client = TradingClient(random.Random(7))
    engine = EngineProcess(data_dir, *extra)
    engine.start()
    asyncio.run(client.setup(engine.port))

    async def some_trading() -> None:
        trading = asyncio.get_running_loop().create_task(client.trade(engine.port, window=100))
        await asyncio.sleep(0.3)
        deadline = time.monotonic() + 60
        while len(list_segments(journal_dir(data_dir))) < segments:
            assert time.monotonic() < deadline, f"fewer than {segments} segments in 60 s"
            await asyncio.sleep(0.05)
        engine.kill()
        await trading

    asyncio.run(some_trading())
    return client


def test_a_torn_last_record_is_reported_by_verify_and_cut_by_the_engine_only(
    tmp_path: Path,
) -> None:
    client = _journal_with_traffic(tmp_path)
    # The kill may itself have torn a large write: one start and stop cuts that tail, so
    # the journal below ends in whole records and the only torn record is the one we add.
    tidy = EngineProcess(tmp_path)
    assert tidy.start()["last_seq"] >= max(client.acked)
    assert tidy.stop()[0] == 0
    (_, last_segment) = list_segments(journal_dir(tmp_path))[-1]
    intact = last_segment.read_bytes()
    half_a_record = b"\x30\x00\x00\x00\x12\x34\x56\x78" + b"\x00" * 10
    last_segment.write_bytes(intact + half_a_record)

    verify = _assetport("journal", "verify", "--data-dir", str(tmp_path))
    assert verify.returncode == 1
    assert f"{last_segment} @ {len(intact)}: torn last record" in verify.stdout
    assert last_segment.stat().st_size == len(intact) + len(half_a_record), "verify wrote"

    engine = EngineProcess(tmp_path)
    ready = engine.start()
    assert ready["last_seq"] >= max(client.acked)
    assert engine.stop()[0] == 0
    assert last_segment.read_bytes() == intact
    assert _assetport("journal", "verify", "--data-dir", str(tmp_path)).returncode == 0


def test_corruption_before_the_tail_stops_the_start_naming_file_and_offset(
    tmp_path: Path,
) -> None:
    _journal_with_traffic(tmp_path, "--segment-bytes", str(64 * 1024), segments=3)
    segments = list_segments(journal_dir(tmp_path))
    assert len(segments) >= 3
    _, victim = segments[1]
    data = bytearray(victim.read_bytes())
    # A byte of the first record's payload (after its 24-byte frame header): wherever the
    # records' sizes put the boundaries, this is a CRC mismatch, not a damaged length.
    data[30] ^= 0xFF
    victim.write_bytes(bytes(data))

    verify = _assetport("journal", "verify", "--data-dir", str(tmp_path))
    assert verify.returncode == 1
    assert str(victim) in verify.stdout and "CRC mismatch" in verify.stdout

    engine = EngineProcess(tmp_path)
    process = subprocess.run(engine.args, capture_output=True, text=True, timeout=60)
    assert process.returncode == 1
    assert process.stdout == ""  # never became ready
    assert f"journal {victim} is corrupted at byte offset" in process.stderr
    assert victim.read_bytes() == bytes(data), "the engine must not touch a damaged segment"

    replayed = _assetport("journal", "replay", "--data-dir", str(tmp_path))
    assert replayed.returncode == 1
    assert str(victim) in replayed.stderr


def test_replay_tool_prints_the_same_hash_as_the_running_engine(tmp_path: Path) -> None:
    _journal_with_traffic(tmp_path)
    expected = replay(tmp_path).engine.state_hash()
    engine = EngineProcess(tmp_path)
    engine.start()
    assert engine.stop()[0] == 0
    result = _assetport("journal", "replay", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f'"state_hash": "{expected}"' in result.stdout
    assert '"ledger_sums_to_zero": true' in result.stdout
    stats = _assetport("journal", "stats", "--data-dir", str(tmp_path))
    assert stats.returncode == 0 and '"snapshots": [{"seq"' in stats.stdout
