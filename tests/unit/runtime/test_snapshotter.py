"""Snapshots taken while commands keep being applied."""

import asyncio
from pathlib import Path

import pytest
from runtime_testdata import buy, funded_market, sell

from assetport.engine.engine import Engine
from assetport.journal.file_journal import FileJournal
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime import snapshotter as snapshotter_module
from assetport.runtime.command_log import FileCommandLog
from assetport.runtime.snapshotter import Snapshotter


def _engine_after(commands: int) -> Engine:
    engine = Engine()
    for seq, command in enumerate([*funded_market(), sell(100_000), buy(99_000)][:commands], 1):
        engine.apply(seq, 1_700_000_000_000_000 + seq, command)
    return engine


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "in-line"])
def test_a_snapshot_is_the_state_when_it_was_started_not_when_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    monkeypatch.setattr(snapshotter_module, "FORK_SNAPSHOTS", fork)

    async def main() -> None:
        log = FileCommandLog(FileJournal(tmp_path / "journal"))
        await log.open()
        store = SnapshotStore(tmp_path / "snapshots")
        snapshotter = Snapshotter(store, log, every_commands=1, every_seconds=60.0, last_seq=0)
        engine = _engine_after(6)
        snapshotter.start(engine)
        engine.apply(7, 1_700_000_000_000_007, buy(99_500))  # the loop goes on meanwhile
        await snapshotter.wait()
        snapshotter.close()
        await log.close()
        assert snapshotter.written == 1
        assert store.latest() == (6, _engine_after(6).snapshot())

    asyncio.run(main())
