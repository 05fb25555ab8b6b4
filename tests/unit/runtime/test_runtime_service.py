"""The engine service in process: acknowledgements, backpressure, shutdown, failure."""

import asyncio
import os
from pathlib import Path

import pytest
from msgspec.structs import replace
from runtime_testdata import buy, funded_market, sell

from assetport.domain.commands import Deposit, decode_command
from assetport.domain.events import CommandRejected, OrderAccepted, TradeExecuted
from assetport.journal.file_journal import FileJournal
from assetport.runtime.command_log import FileCommandLog
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.errors import Overloaded, ServiceFailed, ShuttingDown, Unjournalable
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service


async def _started(config: RuntimeConfig) -> tuple[EngineService, "asyncio.Task[None]"]:
    service = await open_service(config)
    return service, asyncio.get_running_loop().create_task(service.run())


async def _stopped(service: EngineService, running: "asyncio.Task[None]") -> None:
    service.stop()
    await running
    await close_service(service)


def test_an_acknowledged_command_is_in_the_journal_with_its_seq_and_events(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path))
        for command in funded_market():
            await service.submit(command)
        resting = await service.submit(sell(100_000))
        taking = await service.submit(buy(100_000))
        assert [type(e) for e in resting.events] == [OrderAccepted]
        assert TradeExecuted in [type(e) for e in taking.events]
        assert taking.seq == resting.seq + 1 == 7
        assert taking.time >= resting.time
        assert all(event.seq == taking.seq for event in taking.events)
        await _stopped(service, running)

    asyncio.run(main())
    journal = FileJournal.in_data_dir(tmp_path)
    journal.open()
    records = list(journal.read())
    assert [decode_command(r.payload) for r in records[-2:]] == [sell(100_000), buy(100_000)]


def test_commands_arriving_together_share_one_group_commit(tmp_path: Path) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path, batch_max=500))
        futures = [service.submit(command) for command in funded_market()]
        futures += [service.submit(buy(90_000 + i)) for i in range(400)]
        outcomes = await asyncio.gather(*futures)
        assert [o.seq for o in outcomes] == list(range(1, 406))
        assert service.batches <= 3
        assert isinstance(service.log, FileCommandLog)
        assert service.log.journal.fsyncs == service.batches
        await _stopped(service, running)

    asyncio.run(main())


def test_a_full_queue_answers_overloaded_instead_of_growing(tmp_path: Path) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path, queue_bound=50))
        accepted = [service.submit(command) for command in funded_market()]
        accepted += [service.submit(buy(90_000)) for _ in range(45)]
        with pytest.raises(Overloaded):
            service.submit(buy(90_000))
        assert service.queued == 50
        await asyncio.gather(*accepted)
        service.submit(buy(90_000))  # room again once the batch went through
        await _stopped(service, running)

    asyncio.run(main())


def test_a_command_the_journal_cannot_hold_is_refused_alone(tmp_path: Path) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path))
        for command in funded_market():
            await service.submit(command)
        before = service.queued
        with pytest.raises(Unjournalable):
            service.submit(replace(buy(90_000), quantity=2**64))
        with pytest.raises(Unjournalable):  # beyond a journal record's 16 MiB
            service.submit(Deposit(2, "KRW", 1, "x" * (17 * 1024 * 1024)))
        assert service.queued == before  # nothing queued for either
        # The service goes on: the next command is acknowledged at the next seq.
        outcome = await service.submit(buy(90_000))
        assert outcome.seq == 6 and [type(e) for e in outcome.events] == [OrderAccepted]
        await _stopped(service, running)

    asyncio.run(main())


def test_stop_finishes_what_was_accepted_refuses_the_rest_and_snapshots(tmp_path: Path) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path))
        accepted = [service.submit(command) for command in funded_market()]
        service.stop()
        with pytest.raises(ShuttingDown):
            service.submit(buy(90_000))
        await running
        assert [(await future).seq for future in accepted] == [1, 2, 3, 4, 5]
        assert service.snapshotter.store.seqs() == [5]
        await close_service(service)

    asyncio.run(main())


def test_restart_recovers_the_same_state_and_keeps_numbering(tmp_path: Path) -> None:
    config = RuntimeConfig(data_dir=tmp_path, snapshot_every_commands=3)

    async def first() -> tuple[str, int]:
        service, running = await _started(config)
        for command in [*funded_market(), sell(100_500), buy(99_000)]:
            await service.submit(command)
        state = service.engine.state_hash(), service.last_seq
        await _stopped(service, running)
        return state

    async def second() -> tuple[str, int, int]:
        service, running = await _started(config)
        state = service.engine.state_hash(), service.last_seq
        outcome = await service.submit(buy(99_001))
        await _stopped(service, running)
        return (*state, outcome.seq)

    state_hash, last_seq = asyncio.run(first())
    assert asyncio.run(second()) == (state_hash, last_seq, last_seq + 1)


def test_rejected_commands_are_journaled_and_acknowledged_with_their_reason(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path))
        outcome = await service.submit(buy(100_000))  # no such market yet
        assert [type(e) for e in outcome.events] == [CommandRejected]
        await _stopped(service, running)

    asyncio.run(main())


def test_a_failed_journal_write_acknowledges_nothing_and_stops_the_service(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        service, running = await _started(RuntimeConfig(data_dir=tmp_path))
        await service.submit(funded_market()[0])
        assert isinstance(service.log, FileCommandLog)
        # A real failure of the write system call: the segment's descriptor is gone.
        fd = service.log.journal._fd
        assert fd is not None
        os.close(fd)
        doomed = service.submit(funded_market()[1])
        with pytest.raises(ServiceFailed):
            await doomed
        with pytest.raises(ServiceFailed):
            await running
        with pytest.raises(ShuttingDown):
            service.submit(funded_market()[2])
        assert service.last_seq == 1
        service.log.journal._fd = None  # already closed above
        await close_service(service)

    asyncio.run(main())
    journal = FileJournal.in_data_dir(tmp_path)
    assert journal.open() == 1
