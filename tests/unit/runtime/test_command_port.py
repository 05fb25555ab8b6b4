"""The command port over real TCP: replies after durability, refusals with their codes."""

import asyncio
from pathlib import Path

from runtime_testdata import buy, funded_market

from assetport.domain.commands import encode_command
from assetport.domain.events import OrderAccepted, decode_events
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.port_client import PortClient
from assetport.runtime.port_server import CommandPort
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
