"""The command port over real TCP: replies after durability, refusals with their codes."""

import asyncio
from pathlib import Path
from typing import Any

from runtime_testdata import buy, funded_market

from assetport.domain.commands import encode_command
from assetport.domain.events import OrderAccepted, decode_events
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.port_client import PortClient, ReadRefused
from assetport.runtime.port_server import CommandPort, Recent
from assetport.runtime.startup import close_service, open_service
from assetport.runtime.wire import Done, Refused


def test_done_replies_carry_seq_and_events_and_refusals_their_code(tmp_path: Path) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path, queue_bound=20))
        port = CommandPort(service)
        await port.start()
        running = asyncio.get_running_loop().create_task(service.run())
        client = await PortClient.connect("127.0.0.1", port.port)

        replies = await asyncio.gather(*(client.submit(c) for c in funded_market()))
        assert [r.seq for r in replies if isinstance(r, Done)] == [1, 2, 3, 4, 5]
        placed = await client.submit(buy(99_000))
        assert isinstance(placed, Done)
        assert [type(e) for e in decode_events(placed.events)] == [OrderAccepted]

        bad = await client.submit_encoded(b"\x93not a command")
        assert isinstance(bad, Refused) and bad.code == "bad_request"

        flood = await asyncio.gather(*(client.submit(buy(98_000)) for _ in range(200)))
        codes = {r.code if isinstance(r, Refused) else "done" for r in flood}
        assert codes == {"done", "overloaded"}

        status = await client.status()
        assert status.role == "primary"
        assert status.last_seq == service.last_seq
        assert status.state_hash == service.engine.state_hash()
        assert status.ledger_nonzero == {}

        service.stop()
        await running
        refused = await client.submit_encoded(encode_command(buy(97_000)))
        assert isinstance(refused, Refused) and refused.code == "shutting_down"
        await client.close()
        await port.close()
        await close_service(service)

    asyncio.run(main())


def test_a_follower_gets_every_batch_before_its_replies_and_resumes_after_a_lost_connection(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path))
        port = CommandPort(service)
        await port.start()
        running = asyncio.get_running_loop().create_task(service.run())
        other = await PortClient.connect("127.0.0.1", port.port)
        for command in funded_market():
            assert isinstance(await other.submit(command), Done)

        follower = await PortClient.connect("127.0.0.1", port.port)
        read = await follower.read(follow=True)
        assert read.seed.last_seq == 5 and read.missed == 0
        seen: list[tuple[int, int]] = []  # (first seq, last seq) of each batch, in order
        follower.on_batch = lambda batch: seen.append((batch.first_seq, batch.last_seq))

        # Another client's commands reach the follower as batches, with their book levels.
        await asyncio.gather(*(other.submit(buy(99_000 - i)) for i in range(10)))
        mine = await follower.submit(buy(90_000))
        assert isinstance(mine, Done) and mine.events == b""  # the batch had them
        assert seen[-1][1] == mine.seq  # its batch came before the reply
        covered = [seq for first, last in seen for seq in range(first, last + 1)]
        assert covered == list(range(6, mine.seq + 1))  # every command, in seq order

        # Lost: what the engine applied meanwhile comes back with the next Read.
        at = mine.seq
        await follower.close()
        await asyncio.gather(*(other.submit(buy(80_000 - i)) for i in range(7)))
        again = await PortClient.connect("127.0.0.1", port.port)
        resumed = await again.read(follow=True, since=at)
        caught: list[Any] = []
        again.on_batch = caught.append  # the missed batches came right behind the reply
        missed = [seq for batch in caught for seq in range(batch.first_seq, batch.last_seq + 1)]
        assert resumed.missed == len(caught) and missed == list(range(at + 1, at + 8))
        accepted = [type(events[0]) for batch in caught for events in batch.events]
        assert accepted == [OrderAccepted] * 7
        assert resumed.seed.last_seq == at + 7
        assert resumed.seed.open_orders == []  # the books and balances only: views go on

        # What is no longer kept is refused, not handed over with a hole.
        port.recent = Recent(limit=2)
        await asyncio.gather(*(other.submit(buy(70_000 - i)) for i in range(5)))
        late = await PortClient.connect("127.0.0.1", port.port)
        try:
            await late.read(follow=True, since=at)
        except ReadRefused as exc:
            assert exc.code == "gap"
        else:
            raise AssertionError("a gap was not refused")

        service.stop()
        await running
        for client in (other, again, late):
            await client.close()
        await port.close()
        await close_service(service)

    asyncio.run(main())
