"""How commands are acknowledged: group commits that gather what queued behind a sync,
reply callbacks, and the order of views and replies."""

import asyncio
import os
import threading
from pathlib import Path

import pytest
from runtime_testdata import buy, funded_market, sell

from assetport.journal.file_journal import FileJournal
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.command_log import FileCommandLog
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.errors import ServiceFailed
from assetport.runtime.recovery import recover
from assetport.runtime.service import EngineService, Outcome
from assetport.runtime.startup import close_service, open_service, service_for, snapshot_store


class _HeldJournal(FileJournal):
    """Its first write waits for `release`, as if the disk were slow to sync."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.writing = threading.Event()
        self.release = threading.Event()

    def append_frames(self, first_seq: int, count: int, frames: bytes) -> None:
        self.writing.set()
        self.release.wait()
        super().append_frames(first_seq, count, frames)


def test_what_queues_during_a_sync_goes_out_in_the_next_single_write(tmp_path: Path) -> None:
    async def main() -> None:
        config = RuntimeConfig(data_dir=tmp_path)
        journal = _HeldJournal(tmp_path / "journal")
        log = FileCommandLog(journal)
        await log.open()
        store = snapshot_store(config)
        recovered = await recover(log, store)
        service = service_for(config, recovered.engine, log, store, recovered.last_time)
        running = asyncio.get_running_loop().create_task(service.run())
        market = funded_market()

        first = service.submit(market[0])
        await asyncio.get_running_loop().run_in_executor(None, journal.writing.wait)
        behind = [service.submit(market[1])]
        await asyncio.sleep(0)  # a later turn of the loop: a batch of its own
        behind += [service.submit(command) for command in market[2:]]
        await asyncio.sleep(0)
        assert not first.done()
        journal.release.set()

        outcomes = await asyncio.gather(first, *behind)
        assert [outcome.seq for outcome in outcomes] == [1, 2, 3, 4, 5]
        assert service.batches == 3
        assert journal.fsyncs == 2  # the two batches queued behind the first shared a sync
        service.stop()
        await running
        await close_service(service)

    asyncio.run(main())


def test_a_reply_callback_gets_the_outcome_after_the_views_saw_the_batch(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path))
        running = asyncio.get_running_loop().create_task(service.run())
        seen_by_views: list[int] = []
        replies: list[tuple[int, list[int]]] = []
        service.on_applied.append(lambda batch: seen_by_views.append(batch.last_seq))

        def reply(result: Outcome | ServiceFailed) -> None:
            assert isinstance(result, Outcome)
            replies.append((result.seq, list(seen_by_views)))

        for command in [*funded_market(), sell(100_000)]:
            service.submit_with_reply(command, reply)
        await service.submit(buy(100_000))  # the same turn of the loop: the same batch
        assert replies == [(seq, [7]) for seq in range(1, 7)]
        service.stop()
        await running
        await close_service(service)

    asyncio.run(main())


def test_a_reply_callback_that_raises_stops_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path))
        running = asyncio.get_running_loop().create_task(service.run())
        market = funded_market()

        def broken(result: Outcome | ServiceFailed) -> None:
            raise RuntimeError("a caller's bug")

        service.submit_with_reply(market[0], broken)
        outcomes = await asyncio.gather(*(service.submit(command) for command in market[1:]))
        assert [outcome.seq for outcome in outcomes] == [2, 3, 4, 5]
        service.stop()
        await running
        await close_service(service)

    asyncio.run(main())


def test_reply_callbacks_hear_of_a_failed_journal(tmp_path: Path) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path))
        running = asyncio.get_running_loop().create_task(service.run())
        await service.submit(funded_market()[0])
        assert isinstance(service.log, FileCommandLog)
        journal = service.log.journal
        fd = journal._fd
        assert fd is not None
        os.close(fd)  # a real failure of the write system call
        results: list[Outcome | ServiceFailed] = []
        service.submit_with_reply(funded_market()[1], results.append)
        with pytest.raises(ServiceFailed):
            await running
        assert len(results) == 1 and isinstance(results[0], ServiceFailed)
        journal._fd = None  # already closed above
        await close_service(service)

    asyncio.run(main())


def test_applied_batches_are_what_the_views_get(tmp_path: Path) -> None:
    async def main() -> None:
        service: EngineService = await open_service(RuntimeConfig(data_dir=tmp_path))
        running = asyncio.get_running_loop().create_task(service.run())
        batches: list[AppliedBatch] = []
        service.on_applied.append(batches.append)
        market = funded_market()
        await asyncio.gather(*(service.submit(command) for command in market))
        assert [c for batch in batches for c in batch.commands] == market
        assert batches[-1].last_seq == 5
        service.stop()
        await running
        await close_service(service)

    asyncio.run(main())
