"""Every bound a FIX connection is held to, checked before what it sent is parsed.

Binance's: HeartBtInt in [5, 60] s, 10,000 messages per 10 s per connection, 5 order entry
and 10 drop copy connections per account. Ours, where Binance states none: a message of at
most 8 KiB and 128 fields (a NewOrderSingle is about 300 bytes and 25 fields), the logon
within 10 s of connecting, 100 connections per address (logged on or not), 1 MiB waiting
for a client that does not read. The listing file may change them:

    [fix]
    heartbeat_min_s = 1
    messages_per_10s = 100

`load_fix_limits` reads that table; an unknown name is an error.
"""

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class FixLimits:
    heartbeat_min_s: int = 5
    heartbeat_max_s: int = 60
    messages_per_10s: int = 10_000
    max_message_bytes: int = 8 * 1024
    max_fields: int = 128
    logon_timeout_s: float = 10.0
    connections_per_address: int = 100
    order_entry_sessions_per_account: int = 5
    drop_copy_sessions_per_account: int = 10
    max_queued_bytes: int = 1 << 20


def load_fix_limits(config: Path | None) -> FixLimits:
    """The `[fix]` table of the listing file; the defaults without one."""
    if config is None:
        return FixLimits()
    table: Any = tomllib.loads(config.read_text(encoding="utf-8")).get("fix", {})
    if not isinstance(table, dict):
        raise ValueError(f"{config}: [fix] must be a table")
    known = {f.name: f.type for f in dataclasses.fields(FixLimits)}
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name not in known:
            raise ValueError(f"{config}: [fix] has no limit {name!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{config}: [fix] {name} must be a positive number")
        values[name] = value if known[name] in (float, "float") else int(value)
    limits = FixLimits(**values)
    if limits.heartbeat_min_s > limits.heartbeat_max_s:
        raise ValueError(f"{config}: [fix] heartbeat_min_s is above heartbeat_max_s")
    return limits
