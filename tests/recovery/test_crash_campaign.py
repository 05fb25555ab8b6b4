"""Kill -9 campaign: a real engine process, a client at full speed, SIGKILL at random.

Each kill lands after a random number of this round's commands were acknowledged (not
after a time, so the campaign means the same on a fast machine and a slow one), with more
in flight. After every restart the engine must hold every acknowledged command; at the end
its recovered state (newest snapshot + journal tail) must equal a clean replay of the
journal from seq 1, and the ledger must sum to zero. Snapshots and segment rolls are
frequent, so kills land during snapshot writes and segment removal too.
"""

import asyncio
import random
import signal
import time
from pathlib import Path

from engine_process import EngineProcess, TradingClient

from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.port_client import PortClient
from assetport.runtime.replay import read_records, replay

KILLS = 24
# A kill lands after this many of the round's commands were acknowledged, drawn per round.
ACKED_BEFORE_KILL = (50, 1_000)
# Only against a hang (a client that can no longer reach the engine): never a measure.
ROUND_LIMIT_S = 120.0


def _assert_acknowledged_are_durable(data_dir: Path, acked: dict[int, bytes]) -> int:
    payloads = {record.seq: record.payload for record in read_records(data_dir)}
    missing = [seq for seq in acked if seq not in payloads]
    assert not missing, f"acknowledged seqs missing after a crash: {missing[:10]}"
    changed = [seq for seq, payload in acked.items() if payloads[seq] != payload]
    assert not changed, f"acknowledged seqs hold other commands: {changed[:10]}"
    return len(payloads)


def test_sigkill_at_random_moments_loses_no_acknowledged_command(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    rng = random.Random(20240601)
    client = TradingClient(rng)
    engine = EngineProcess(
        data_dir,
        "--snapshot-every",
        "1500",
        "--segment-bytes",
        str(128 * 1024),
        "--archive-segments",
        "--queue-bound",
        "3000",
    )
    engine.start()
    asyncio.run(client.setup(engine.port))
    kills = 0
    while kills < KILLS:
        wanted = rng.randint(*ACKED_BEFORE_KILL)
        acked = asyncio.run(_trade_then_kill(engine, client, wanted))
        assert acked >= wanted, f"round {kills}: {acked} acknowledged before the kill"
        kills += 1
        ready = engine.start()
        assert ready["last_seq"] >= max(client.acked), "an acknowledged command was lost"

    status = asyncio.run(_status(engine.port))
    code, err = engine.stop()
    assert code == 0, err

    records = _assert_acknowledged_are_durable(data_dir, client.acked)
    clean = replay(data_dir)
    # The clean shutdown appended nothing and snapshotted the final state.
    assert clean.engine.last_seq == status.last_seq == records
    assert clean.engine.state_hash() == status.state_hash
    assert not any(clean.engine.ledger.totals().values())
    assert status.ledger_nonzero == {}
    assert SnapshotStore.in_data_dir(data_dir).seqs()[-1] == status.last_seq
    # Snapshots made segments removable and they were moved to the archive while trading.
    assert list((data_dir / "journal" / "archive").glob("*.seg"))
    print(f"{kills} kills, {len(client.acked)} acknowledged, {records} records, {client.refused}")


async def _trade_then_kill(engine: EngineProcess, client: TradingClient, wanted: int) -> int:
    """Trade until `wanted` more commands are acknowledged, then SIGKILL the engine with
    more in flight; answer how many were acknowledged before the kill."""
    first = len(client.acked)
    trading = asyncio.get_running_loop().create_task(client.trade(engine.port))
    deadline = time.monotonic() + ROUND_LIMIT_S
    while len(client.acked) - first < wanted and not trading.done():
        assert time.monotonic() < deadline, "the engine stopped acknowledging commands"
        await asyncio.sleep(0.001)
    acked = len(client.acked) - first
    engine.signal(signal.SIGKILL)
    await trading
    engine.wait()
    return acked


async def _status(port: int):  # type: ignore[no-untyped-def]
    client = await PortClient.connect("127.0.0.1", port)
    try:
        return await client.status()
    finally:
        await client.close()
