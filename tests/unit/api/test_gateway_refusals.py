"""The engine's refusals reach clients as Binance errors, never as a 500."""

import asyncio
from pathlib import Path

import pytest

from assetport.api.engine_link import LocalEngine, PortEngine
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway, refusal_error
from assetport.api.ratelimit import RateLimiter
from assetport.domain.commands import Deposit
from assetport.edge.keys import KeyStore
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.errors import CommandRefused, Overloaded, ServiceFailed
from assetport.runtime.port_server import CommandPort
from assetport.runtime.service import Outcome
from assetport.runtime.startup import close_service, open_service


def _deposit(ref: str) -> Deposit:
    return Deposit(account=1000, asset="KRW", amount=1, ref=ref)


def test_a_full_queue_is_minus_1003_and_a_stopped_engine_minus_1001(tmp_path: Path) -> None:
    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path / "data", queue_bound=1))
        running = asyncio.get_running_loop().create_task(service.run())
        gateway = Gateway(LocalEngine(service), KeyStore(tmp_path / "keys"), RateLimiter())
        queued = service.submit(_deposit("first"))
        with pytest.raises(ApiError) as full:
            await gateway.execute(_deposit("second"))
        assert (full.value.code, full.value.http_status) == (-1003, 429)
        await queued
        assert (await gateway.execute(_deposit("second"))).seq == 2  # room again
        service.stop()
        with pytest.raises(ApiError) as stopping:
            await gateway.execute(_deposit("third"))
        assert (stopping.value.code, stopping.value.http_status) == (-1001, 503)
        assert stopping.value.msg == (
            "Internal error; unable to process your request. Please try again."
        )
        await running
        await close_service(service)

    asyncio.run(main())


def test_an_engine_in_another_process_with_a_full_queue_is_minus_1003_too(tmp_path: Path) -> None:
    """The command port refuses after the command left the gateway: the refusal reaches a
    reply callback (the REST, WebSocket API and FIX hot path) as the same -1003."""

    async def main() -> None:
        service = await open_service(RuntimeConfig(data_dir=tmp_path / "data", queue_bound=1))
        port = CommandPort(service)
        await port.start()
        running = asyncio.get_running_loop().create_task(service.run())
        engine = await PortEngine.connect([("127.0.0.1", port.port)])
        gateway = Gateway(engine, KeyStore(tmp_path / "keys"), RateLimiter())
        engine.follow()
        replies: list[Outcome | ServiceFailed | CommandRefused] = []
        for n in range(50):
            gateway.submit_with_reply(_deposit(f"flood-{n}"), replies.append)
        while len(replies) < 50:
            await asyncio.sleep(0.01)
        refused = [r for r in replies if not isinstance(r, Outcome)]
        assert refused and all(isinstance(r, Overloaded) for r in refused)
        error = refusal_error(refused[0])  # type: ignore[arg-type]
        assert (error.code, error.http_status) == (-1003, 429)
        assert sum(isinstance(r, Outcome) for r in replies) == service.last_seq
        await engine.close()
        await port.close()
        service.stop()
        await running
        await close_service(service)

    asyncio.run(main())
