"""Real engine processes for the recovery tests (a plain module: conftest names collide).

`EngineProcess` starts `python -m assetport.cli engine-serve` on a free port and waits for
its ready line; `TradingClient` sends a funded market's orders and cancels at full speed
and remembers exactly which commands were acknowledged, at which seq, with which bytes.
"""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetport.domain.commands import (
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    encode_command,
)
from assetport.domain.events import OrderAccepted, decode_events
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side
from assetport.runtime.port_client import PortClient
from assetport.runtime.wire import Done, Refused

SYMBOL = "KGLDKRW"
ACCOUNTS = range(1000, 1040)
STEP = 10_000


def setup_commands() -> list[Command]:
    market = Market(
        symbol=SYMBOL,
        base="KGLD",
        quote="KRW",
        tick_size=1,
        step_size=STEP,
        min_qty=STEP,
        max_qty=1_000_000 * STEP,
        max_num_orders=100_000,
        maker_fee_bps=5,
        taker_fee_bps=10,
    )
    commands: list[Command] = [ListAsset("KRW", 0), ListAsset("KGLD", 4), ListMarket(market)]
    for account in ACCOUNTS:
        commands.append(Deposit(account, "KRW", 10**15, f"seed-krw-{account}"))
        commands.append(Deposit(account, "KGLD", 10**12, f"seed-kgld-{account}"))
    return commands


class EngineProcess:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.args = [
            sys.executable,
            "-m",
            "assetport.cli",
            "engine-serve",
            "--data-dir",
            str(data_dir),
            "--port",
            "0",
            *extra,
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.ready: dict[str, Any] = {}

    def start(self, timeout: float = 30.0) -> dict[str, Any]:
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            _, err = self.process.communicate(timeout=timeout)
            raise RuntimeError(f"engine did not start: {err.decode()}")
        self.ready = json.loads(line)
        return self.ready

    def next_ready(self) -> dict[str, Any]:
        """The next ready line (a standby prints one more after its promotion)."""
        assert self.process is not None and self.process.stdout is not None
        self.ready = json.loads(self.process.stdout.readline())
        return self.ready

    @property
    def port(self) -> int:
        return int(self.ready["port"])

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float = 30.0) -> tuple[int, str]:
        assert self.process is not None
        _, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, err.decode()

    def stop(self) -> tuple[int, str]:
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else 0), ""
        self.signal(signal.SIGTERM)
        return self.wait()


@dataclass
class TradingClient:
    """Remembers every acknowledged command: seq -> the exact bytes that were sent."""

    rng: random.Random
    acked: dict[int, bytes] = field(default_factory=dict)
    open_orders: list[tuple[int, int]] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)

    async def setup(self, port: int) -> None:
        client = await PortClient.connect("127.0.0.1", port)
        for command in setup_commands():
            payload = encode_command(command)
            reply = await client.submit_encoded(payload)
            assert isinstance(reply, Done), reply
            self.acked[reply.seq] = payload
        await client.close()

    def next_command(self) -> Command:
        if self.open_orders and self.rng.random() < 0.3:
            account, order_id = self.open_orders.pop(self.rng.randrange(len(self.open_orders)))
            return CancelOrder(account, SYMBOL, order_id=order_id)
        side = self.rng.choice((Side.BUY, Side.SELL))
        offset = self.rng.randint(-5, 30)
        price = 100_000 - offset if side is Side.BUY else 100_000 + offset
        return PlaceOrder(
            self.rng.choice(ACCOUNTS),
            SYMBOL,
            side,
            OrderType.LIMIT,
            quantity=self.rng.randint(1, 50) * STEP,
            price=price,
        )

    def _on_reply(self, payload: bytes, future: "asyncio.Future[Done | Refused]") -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the connection dropped: not acknowledged, may or may not be applied
        reply = future.result()
        if isinstance(reply, Refused):
            self.refused[reply.code] = self.refused.get(reply.code, 0) + 1
            return
        self.acked[reply.seq] = payload
        for event in decode_events(reply.events):
            if type(event) is OrderAccepted:
                self.open_orders.append((event.account, event.order_id))

    async def trade(self, port: int, window: int = 400, seconds: float | None = None) -> None:
        """Send commands at full speed, keeping `window` in flight, until the server dies
        (or, given `seconds`, until then and every reply is in)."""
        try:
            client = await PortClient.connect("127.0.0.1", port)
        except OSError:
            return
        loop = asyncio.get_running_loop()
        deadline = None if seconds is None else loop.time() + seconds
        try:
            while client.connected and (deadline is None or loop.time() < deadline):
                while client.connected and client.outstanding < window:
                    payload = encode_command(self.next_command())
                    future = client.submit_encoded(payload)
                    future.add_done_callback(lambda done, sent=payload: self._on_reply(sent, done))
                await asyncio.sleep(0.0005)
            while client.connected and client.outstanding:
                await asyncio.sleep(0.001)
        finally:
            await client.close()
