"""What a face needs to know of a request beyond its body: where it came from, and whether
that address may send it (the request weight every face counts against the same limits).

The gateway's `RateLimiter` is a `RequestWeigher`; the composition root hands it, with the
clock, to the accounts and the sandbox, which cannot import the gateway.
"""

from collections.abc import Callable, Sequence
from typing import Protocol

from starlette.requests import Request

Clock = Callable[[], int]
"""Milliseconds since the epoch."""


class WeightUsage(Protocol):
    def headers(self) -> Sequence[tuple[str, str]]:
        """The `X-MBX-USED-WEIGHT-*` headers of the address's usage."""
        ...


class RequestWeigher(Protocol):
    def check_request(self, ip: str, weight: int, now_ms: int) -> WeightUsage:
        """Count one request of `weight` from `ip`; raises a 429 or 418 `ApiError` when the
        address is over its limit or banned."""
        ...


def client_ip(request: Request) -> str:
    """The client's address (a trusted proxy's `X-Forwarded-For` was already applied to the
    request's scope by `api/proxies.py`)."""
    client = request.client
    return client.host if client is not None else "0.0.0.0"
