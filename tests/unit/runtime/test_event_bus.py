import asyncio
from pathlib import Path

from runtime_testdata import buy, funded_market, sell

from assetport.domain.events import TradeExecuted
from assetport.runtime.bus import AppliedBatch
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.startup import close_service, open_service


def test_subscribers_get_every_batch_in_order_then_the_end(tmp_path: Path) -> None:
    async def main() -> list[AppliedBatch]:
        service = await open_service(RuntimeConfig(data_dir=tmp_path))
        subscription = service.bus.subscribe("market-data", max_batches=2)
        received: list[AppliedBatch] = []

        async def consume() -> None:
            async for batch in subscription:
                received.append(batch)
                await asyncio.sleep(0.001)  # a slow consumer: the service waits for it

        consumer = asyncio.get_running_loop().create_task(consume())
        running = asyncio.get_running_loop().create_task(service.run())
        for command in funded_market():
            service.submit(command)
        for i in range(20):
            await service.submit(sell(100_000 + i))
        await service.submit(buy(100_010, lots=3))
        service.stop()
        await running
        await consumer
        await close_service(service)
        return received

    batches = asyncio.run(main())
    seqs = [seq for batch in batches for seq in range(batch.first_seq, batch.last_seq + 1)]
    assert seqs == list(range(1, 27))
    last = batches[-1]
    assert sum(type(e) is TradeExecuted for e in last.events[-1]) == 3
    assert all(e.seq == last.last_seq for e in last.events[-1])
