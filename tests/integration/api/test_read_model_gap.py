"""A read model that cannot catch up with the engine (its journal ends before the engine's
seq: a gap) refuses to start rather than follow with commands missing."""

import asyncio
from pathlib import Path

import pytest

from assetport.journal.file_journal import FileJournal
from assetport.runtime.bus import EventBus
from assetport.server.read_model import ReadModelProcess


def test_a_read_model_whose_journal_ends_before_the_engine_refuses_to_start(
    tmp_path: Path,
) -> None:
    journal = FileJournal.in_data_dir(tmp_path)
    journal.open()  # an empty journal, while the engine says it applied 5 commands
    journal.close()

    async def start() -> None:
        process = await ReadModelProcess.start(EventBus(), tmp_path, None, 5)
        await process.close()

    with pytest.raises(RuntimeError, match="failed at start"):
        asyncio.run(start())
