"""What one client may send, hold and take, checked on the socket before anything is parsed.

Every number has a default no real client reaches: Binance-like request sizes (an 8 KiB URL,
16 KiB of headers, a 64 KiB body; Binance answers 414 for a longer URL), a request read in
10 s, 200 connections per address, WebSocket messages of 64 KiB in at most 1024 frames
(the largest message a client sends here, a SUBSCRIBE of 1024 streams, is about 30 KiB), at
most 10 control frames a second (clients ping every 20 s to 3 min), and 1 MiB waiting to
reach a WebSocket client (the kernel's send queue and the server's buffer), beyond which it
is dropped as too slow to read. A load test from one address, or a private deployment, can
raise them in the listing file:

    [limits]
    connections_per_address = 1000
    request_timeout_s = 30

`load_transport_limits` reads that table; a name it does not know is an error, so a typo
never silently leaves a limit at its default.
"""

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from assetport.api import errors
from assetport.api.errors import ApiError

# Refused before it was read: what it costs the address in request weight, so a flood of
# them reaches 429 and then a 418 ban as any other flood does.
REFUSED_WEIGHT: Final = 10


@dataclass(frozen=True, slots=True)
class TransportLimits:
    max_url_bytes: int = 8 * 1024
    max_header_bytes: int = 16 * 1024  # names and values of all headers together
    max_headers: int = 100
    max_body_bytes: int = 64 * 1024
    # From a request's first byte (or the connection's start) to its last.
    request_timeout_s: float = 10.0
    connections_per_address: int = 200
    ws_max_message_bytes: int = 64 * 1024
    ws_max_fragments: int = 1024
    ws_control_frames_per_s: int = 10
    # Written but not yet read by the client: the kernel's send queue plus our buffer.
    ws_max_queued_bytes: int = 1 << 20
    # The kernel's send buffer of a WebSocket connection (Linux doubles it): bounded, so a
    # client that stops reading ties up little kernel memory and is noticed soon.
    ws_send_buffer_bytes: int = 256 * 1024

    @property
    def max_head_bytes(self) -> int:
        """A request's line and headers together, with room for the line's method and
        version and the separators."""
        return self.max_url_bytes + self.max_header_bytes + 1024


def load_transport_limits(config: Path | None) -> TransportLimits:
    """The `[limits]` table of the listing file; the defaults without one."""
    if config is None:
        return TransportLimits()
    table = tomllib.loads(config.read_text(encoding="utf-8")).get("limits")
    if table is None:
        return TransportLimits()
    if not isinstance(table, dict):
        raise ValueError(f"{config}: [limits] must be a table")
    return _limits(config, table)


def _limits(config: Path, table: dict[str, Any]) -> TransportLimits:
    fields = {f.name: f for f in dataclasses.fields(TransportLimits)}
    values: dict[str, Any] = {}
    for name, value in table.items():
        field = fields.get(name)
        if field is None:
            raise ValueError(f"{config}: unknown limit {name!r}; known: {', '.join(fields)}")
        number_types = (int, float) if field.type is float else (int,)
        if isinstance(value, bool) or not isinstance(value, number_types) or value <= 0:
            raise ValueError(f"{config}: limit {name!r} must be a positive number")
        values[name] = value
    limits = TransportLimits(**values)
    # Linux keeps twice the send buffer asked for; the kernel's whole queue must stay below
    # the limit, which is looked at once the kernel's buffer is full (`send_queue`).
    if 2 * limits.ws_send_buffer_bytes >= limits.ws_max_queued_bytes:
        raise ValueError(
            f"{config}: ws_max_queued_bytes must be more than twice ws_send_buffer_bytes"
        )
    return limits


# -- what a refusal says (the messages are the catalogue's, api/errors.py) ----------------------


def url_too_long(limits: TransportLimits) -> ApiError:
    return errors.url_too_long(limits.max_url_bytes)


def headers_too_large(limits: TransportLimits) -> ApiError:
    return errors.headers_too_large(limits.max_header_bytes, limits.max_headers)


def body_too_large(limits: TransportLimits) -> ApiError:
    return errors.body_too_large(limits.max_body_bytes)


def too_many_connections(limits: TransportLimits) -> ApiError:
    return errors.too_many_connections(limits.connections_per_address)


def request_timeout(limits: TransportLimits) -> ApiError:
    return errors.request_timeout(limits.request_timeout_s)


MALFORMED_REQUEST: Final = errors.MALFORMED_REQUEST
