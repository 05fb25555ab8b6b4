"""Primary and hot standby engine processes over a real JetStream (127.0.0.1:4222)."""

import asyncio
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from assetport.journal.jetstream import JetStreamJournal
from assetport.runtime.port_client import PortClient
from assetport.runtime.wire import Done, Refused, StatusOf

# The engine-process helpers live with the recovery tests; share them rather than copy.
sys.path.insert(0, str(Path(__file__).parents[2] / "recovery"))
from engine_process import EngineProcess, TradingClient, setup_commands

URL = "nats://127.0.0.1:4222"  # the `stream` fixture is conftest.py's


def _engine(data_dir: Path, stream: tuple[str, str], *extra: str) -> EngineProcess:
    name, subject = stream
    return EngineProcess(
        data_dir, "--journal-url", URL, "--stream", name, "--subject", subject, *extra
    )


async def _status(port: int) -> StatusOf:
    client = await PortClient.connect("127.0.0.1", port)
    try:
        return await client.status()
    finally:
        await client.close()


def _standby_reaches(port: int, seq: int, timeout: float = 20.0) -> StatusOf:
    deadline = time.monotonic() + timeout
    while True:
        status = asyncio.run(_status(port))
        if status.last_seq >= seq or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


async def _stored(stream: tuple[str, str]) -> dict[int, bytes]:
    journal = JetStreamJournal(URL, *stream)
    await journal.open()
    try:
        return {record.seq: record.payload async for record in journal.read(1)}
    finally:
        await journal.close()


def test_standby_follows_to_the_same_hash_and_takes_over_losing_nothing(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    primary = _engine(tmp_path / "primary", stream)
    standby = _engine(tmp_path / "standby", stream, "--standby", "--snapshot-every", "500")
    primary.start()
    assert standby.start()["role"] == "standby"
    client = TradingClient(random.Random(11))
    try:
        asyncio.run(client.setup(primary.port))

        async def trade_until_the_primary_dies(after: float) -> None:
            trading = asyncio.get_running_loop().create_task(client.trade(primary.port, 200))
            await asyncio.sleep(after)
            primary.signal(signal.SIGKILL)
            await trading

        asyncio.run(client.trade(primary.port, 200, seconds=0.5))
        at_primary = asyncio.run(_status(primary.port))
        at_standby = _standby_reaches(standby.port, at_primary.last_seq)
        assert at_standby.role == "standby"
        assert (at_standby.last_seq, at_standby.state_hash) == (
            at_primary.last_seq,
            at_primary.state_hash,
        )
        refused = asyncio.run(_submit(standby.port, setup_commands()[0]))
        assert isinstance(refused, Refused) and refused.code == "not_primary"

        asyncio.run(trade_until_the_primary_dies(0.4))
        primary.wait()
        standby.signal(signal.SIGUSR1)
        promoted = standby.next_ready()
        assert promoted["role"] == "primary"
        assert promoted["last_seq"] >= max(client.acked)

        stored = asyncio.run(_stored(stream))
        assert all(stored[seq] == payload for seq, payload in client.acked.items())
        taken_over = asyncio.run(_status(standby.port))
        replay = subprocess.run(
            [sys.executable, "-m", "assetport.cli", "journal", "replay", "--data-dir",
             str(tmp_path / "replay"), "--journal-url", URL, "--stream", stream[0],
             "--subject", stream[1]],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert f'"state_hash": "{taken_over.state_hash}"' in replay.stdout, replay.stderr
        assert taken_over.ledger_nonzero == {}

        after = asyncio.run(_submit(standby.port, setup_commands()[0]))
        assert isinstance(after, Done) and after.seq == taken_over.last_seq + 1
    finally:
        primary.stop()
        assert standby.stop()[0] == 0


def test_a_primary_that_is_still_alive_after_a_takeover_stops_without_acknowledging(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    old = _engine(tmp_path / "old", stream)
    new = _engine(tmp_path / "new", stream, "--standby")
    old.start()
    new.start()
    try:
        first = asyncio.run(_submit(old.port, setup_commands()[0]))
        assert isinstance(first, Done)
        _standby_reaches(new.port, first.seq)
        new.signal(signal.SIGUSR1)
        assert new.next_ready()["role"] == "primary"
        taken = asyncio.run(_submit(new.port, setup_commands()[1]))
        assert isinstance(taken, Done) and taken.seq == first.seq + 1

        late = asyncio.run(_submit(old.port, setup_commands()[2]))
        assert isinstance(late, Refused) and late.code == "failed"
        code, err = old.wait()
        assert code == 1 and "JournalConflict" in err
    finally:
        old.stop()
        new.stop()


async def _submit(port: int, command: object) -> Done | Refused:
    client = await PortClient.connect("127.0.0.1", port)
    try:
        return await client.submit(command)  # type: ignore[arg-type]
    finally:
        await client.close()
