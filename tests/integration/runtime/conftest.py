"""The JetStream tests' shared parts: a stream of its own for each test (deleted after it),
on the real NATS server at 127.0.0.1:4222; without one reachable, the tests here skip."""

import asyncio
import contextlib
import socket
import uuid
from collections.abc import Iterator

import nats
import nats.js.errors
import pytest

NATS_URL = "nats://127.0.0.1:4222"


def _nats_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _nats_reachable():
        return
    skip = pytest.mark.skip(reason="no NATS server reachable on 127.0.0.1:4222")
    here = str(__file__).rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(skip)


@pytest.fixture
def stream() -> Iterator[tuple[str, str]]:
    """(stream name, subject), unique to the test."""
    name = f"TEST_{uuid.uuid4().hex[:12].upper()}"
    yield name, f"test.{name.lower()}"

    async def delete() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await nc.jetstream().delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(delete())
