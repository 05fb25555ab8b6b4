"""Issue 13: a web session's cookie charged its requests to its account alone, so many
accounts behind one address multiplied the address's request weight, and a banned address
got through again by sending a cookie; a refused request (malformed parameters, two
X-MBX-APIKEY headers) was never weighed; and the two request paths read two API-key
headers differently. Now the address is always charged (the account too, for a session),
the ban is checked before anything of a request is parsed, a refused request costs its
weight, and two API-key headers are refused on both paths.

The pipeline's rules are run directly (`answer_request`) against a gateway on a real
engine service, with a stand-in for the accounts package's session check; the two request
paths against a real server."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer
from transport_support import exchange, flood_until_banned, listing_file

from assetport.api import rest_market
from assetport.api.engine_link import LocalEngine
from assetport.api.gateway import Gateway
from assetport.api.http import Answer, RawRequest, answer_request
from assetport.api.ratelimit import Interval, RateLimit, RateLimiter, RateLimitType
from assetport.edge.keys import KeyStore
from assetport.edge.sessions import SessionCredentials
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.startup import close_service, open_service

PING = next(e for e in rest_market.ENDPOINTS if e.path == "/api/v3/ping")
ADDRESS = "10.0.0.7"
WEIGHT_PER_MINUTE = 10


class CookieSessions:
    """Every cookie `session=<account>` is a logged-in session of that account."""

    def account_of(
        self, credentials: SessionCredentials, *, state_changing: bool, now_ms: int, **_: Any
    ) -> int | None:
        return int(credentials.cookie.removeprefix("session="))


def request(
    cookie: str | None = None, query: bytes = b"", *, repeated_api_key: bool = False
) -> RawRequest:
    session = SessionCredentials(cookie, None) if cookie else None
    if not repeated_api_key:
        return RawRequest(query, b"", "", None, ADDRESS, session)
    return RawRequest(query, b"", "", "k", ADDRESS, session, repeated_api_key=True)


def run(scenario: Any) -> None:
    asyncio.run(scenario())


@contextlib.asynccontextmanager
async def gateway_in(tmp_path: Path) -> AsyncIterator[Gateway]:
    service = await open_service(RuntimeConfig(data_dir=tmp_path / "data"))
    running = asyncio.get_running_loop().create_task(service.run())
    limiter = RateLimiter(
        (RateLimit(RateLimitType.REQUEST_WEIGHT, Interval.MINUTE, 1, WEIGHT_PER_MINUTE),),
        ban_after=3,
    )
    gateway = Gateway(
        LocalEngine(service), KeyStore(tmp_path / "keys"), limiter, clock_ms=lambda: 1_000_020
    )
    gateway.sessions = CookieSessions()
    try:
        yield gateway
    finally:
        service.stop()
        await running
        await close_service(service)


async def ping(gateway: Gateway, raw: RawRequest) -> Answer:
    return await answer_request(gateway, PING, raw)


def test_many_accounts_behind_one_address_share_its_request_weight(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with gateway_in(tmp_path) as gateway:
            statuses = [
                (await ping(gateway, request(f"session={account}"))).status
                for _ in range(4)
                for account in (1001, 1002, 1003)
            ]
            # Three accounts, 4 pings each: 12 of weight 1 against the address's 10.
            assert statuses == [200] * 10 + [429] * 2

    run(scenario)


def test_a_banned_address_stays_banned_with_a_session_cookie(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with gateway_in(tmp_path) as gateway:
            statuses = [(await ping(gateway, request())).status for _ in range(20)]
            assert statuses[-1] == 418
            answer = await ping(gateway, request("session=1001"))
            assert answer.status == 418

    run(scenario)


def test_a_refused_request_costs_its_weight_and_a_ban_comes_before_parsing(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with gateway_in(tmp_path) as gateway:
            used = []
            for _ in range(3):
                answer = await ping(gateway, request(query=b"a=1&a=2"))
                assert answer.status == 400  # -1101, duplicate parameter
                used.append(dict(answer.headers)["X-MBX-USED-WEIGHT-1M"])
            assert used == ["1", "2", "3"]
            for _ in range(15):
                answer = await ping(gateway, request(repeated_api_key=True))
            assert answer.status == 418  # refused requests alone led to the ban
            answer = await ping(gateway, request(query=b"a=1&a=2"))
            assert answer.status == 418  # not -1101: the parameters were not read

    run(scenario)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("apikeys") / "data") as running:
        yield running


# The fast path takes /api/v3/account itself; written with a %-escape it goes through the
# ASGI app (Starlette), whose header reading is another piece of code.
@pytest.mark.parametrize("path", ["/api/v3/account", "/api/v3/accoun%74"])
def test_two_api_key_headers_are_refused_on_both_request_paths(
    server: ExchangeServer, path: str
) -> None:
    trader = server.user(f"keys{len(path)}")
    request = (
        f"GET {path}?timestamp=1&signature=00 HTTP/1.1\r\nHost: x\r\n"
        f"X-MBX-APIKEY: {trader.api_key}\r\nX-MBX-APIKEY: someone-else\r\n\r\n"
    ).encode()
    answer = exchange(server.port, request)
    assert answer.status == 400
    assert answer.json() == {
        "code": -1101,
        "msg": "Duplicate values for a parameter detected: send one X-MBX-APIKEY header.",
    }


def test_behind_a_proxy_the_last_forwarded_for_header_names_the_client(tmp_path: Path) -> None:
    """A proxy that adds its own X-Forwarded-For header (HAProxy does) puts it after any the
    client sent: the client is banned by that one, whichever path its request takes (the
    pages are banned by the transport alone)."""
    config = listing_file(tmp_path / "listing.toml", {}, weight_per_minute=100)
    args = ("--config", str(config), "--trusted-proxy", "127.0.0.1")
    with ExchangeServer(tmp_path / "data", *args) as server:
        banned, spoofed = b"198.51.100.9", b"203.0.113.1"
        oversized = b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\nX-Big: %s\r\n\r\n"
        statuses = flood_until_banned(
            lambda: exchange(server.port, oversized % (banned, b"b" * 20_000)).status
        )
        assert statuses[-1] == 418
        for path in (b"/", b"/api/v3/ping"):
            request = b"GET %s HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\n" % (path, spoofed)
            answer = exchange(server.port, request + b"X-Forwarded-For: %s\r\n\r\n" % banned)
            assert (answer.status, answer.json()["code"]) == (418, -1003)
        assert exchange(server.port, request + b"\r\n").status == 200  # the other client
