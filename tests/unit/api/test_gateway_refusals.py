"""The engine's refusals reach clients as Binance errors, never as a 500."""

import asyncio
from pathlib import Path

import pytest

from assetport.api.engine_link import LocalEngine
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.api.ratelimit import RateLimiter
from assetport.domain.commands import Deposit
from assetport.edge.keys import KeyStore
from assetport.runtime.config import RuntimeConfig
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
