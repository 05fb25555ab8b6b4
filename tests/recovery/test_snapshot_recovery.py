"""Snapshot + tail equals full replay; a damaged newest snapshot falls back to an older one;
SIGTERM finishes what was accepted, writes a snapshot and exits 0."""

import asyncio
import random
import signal
from pathlib import Path

from engine_process import EngineProcess, TradingClient

from assetport.journal.layout import journal_dir
from assetport.journal.segments import list_segments
from assetport.journal.snapshots import SnapshotStore, list_snapshots
from assetport.runtime.command_log import command_log_for
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.recovery import recover
from assetport.runtime.replay import replay
from assetport.runtime.startup import snapshot_store


def _recovered(data_dir: Path) -> tuple[str, int, int]:
    """(state hash, last seq, snapshot seq used) of an engine recovered by the runtime."""

    async def main() -> tuple[str, int, int]:
        config = RuntimeConfig(data_dir=data_dir)
        log = command_log_for(config)
        await log.open()
        try:
            recovered = await recover(log, snapshot_store(config))
        finally:
            await log.close()
        engine = recovered.engine
        return engine.state_hash(), engine.last_seq, recovered.snapshot_seq

    return asyncio.run(main())


def _traffic_then_sigterm(data_dir: Path, client: TradingClient, *extra: str) -> int:
    engine = EngineProcess(data_dir, *extra)
    engine.start()
    if not client.acked:
        asyncio.run(client.setup(engine.port))

    async def trade_then_term() -> None:
        trading = asyncio.get_running_loop().create_task(client.trade(engine.port, window=200))
        await asyncio.sleep(0.5)
        engine.signal(signal.SIGTERM)
        await trading

    asyncio.run(trade_then_term())
    code, _ = engine.wait()
    return code


def test_sigterm_finishes_accepted_commands_snapshots_and_exits_zero(tmp_path: Path) -> None:
    client = TradingClient(random.Random(3))
    assert _traffic_then_sigterm(tmp_path, client) == 0
    last_acked = max(client.acked)
    snapshots = SnapshotStore.in_data_dir(tmp_path).seqs()
    clean = replay(tmp_path)
    # Commands accepted before the signal were all finished, acknowledged and snapshotted.
    assert snapshots[-1] == clean.engine.last_seq == last_acked


def test_snapshot_plus_tail_equals_full_replay_and_old_segments_go(tmp_path: Path) -> None:
    client = TradingClient(random.Random(5))
    extra = ("--snapshot-every", "2000", "--segment-bytes", str(64 * 1024), "--archive-segments")
    assert _traffic_then_sigterm(tmp_path, client, *extra) == 0
    assert _traffic_then_sigterm(tmp_path, client, *extra) == 0
    snapshots = SnapshotStore.in_data_dir(tmp_path).seqs()
    assert len(snapshots) == 3
    live = list_segments(journal_dir(tmp_path))
    # Every removed segment was wholly covered by the OLDEST kept snapshot.
    assert live[0][0] <= snapshots[0] + 1
    assert list((journal_dir(tmp_path) / "archive").glob("*.seg"))

    full = replay(tmp_path)  # archive + live segments, from seq 1
    state_hash, last_seq, used = _recovered(tmp_path)
    assert used == snapshots[-1]
    assert (state_hash, last_seq) == (full.engine.state_hash(), full.engine.last_seq)

    # The newest snapshot damaged: recovery falls back to an older one and replays more.
    _, newest = list_snapshots(journal_dir(tmp_path).parent / "snapshots")[-1]
    newest.write_bytes(newest.read_bytes()[:-10])
    fallback_hash, fallback_seq, fallback_used = _recovered(tmp_path)
    assert fallback_used == snapshots[-2]
    assert (fallback_hash, fallback_seq) == (full.engine.state_hash(), full.engine.last_seq)
