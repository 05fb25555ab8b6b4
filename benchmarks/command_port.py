"""Commands per second through the engine's command port, and what following costs.

Starts `assetport engine-serve` (a file journal in a temporary directory), lists and funds
engine_replay.py's market through the port, and sends `--ops` limit orders and cancels
(random, from 40 accounts, prices within a few ticks of each other so levels grow deep, as
the crash tests' client does) with `--window` unacknowledged, from one connection. With
`--followers K`, K more connections `Read(follow=True)` first and take every applied batch
(`Applied` frames, decoded as a gateway decodes them), so the figures show what the
engine process pays to feed K gateways' views. The figures: commands/s, the
acknowledgement's p50/p99/p99.9 (sent to `Done`), and the engine process's CPU time per
command (user + system, from /proc), which is what the port's own work changes, and its
peak resident memory (the port keeps the last 50,000 applied commands for gateways that
come back). The last line printed is one JSON object.

With `--journal-url nats://...` the journal is a JetStream stream of its own (deleted
after), and with `--standby` a hot standby follows it: its lag (records of the stream it has
not applied yet, and their age) is polled every 50 ms during the flood, and the figures add
the largest, and how long after the flood's last acknowledgement the standby caught up.
That is the backlog a promotion applies first under a full flood.

    python benchmarks/command_port.py --ops 200000 --followers 2
    python benchmarks/command_port.py --journal-url nats://127.0.0.1:4222 --standby
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from assetport.domain.commands import CancelOrder, Command, PlaceOrder, encode_command
from assetport.domain.events import OrderAccepted, decode_events
from assetport.domain.orders import OrderType, Side
from assetport.runtime.port_client import PortClient
from assetport.runtime.wire import Done, Refused
from engine_replay import ACCOUNTS, FIRST_ACCOUNT, STEP, SYMBOL, setup_commands

TRADERS = range(FIRST_ACCOUNT, FIRST_ACCOUNT + 40)  # of engine_replay's funded accounts
assert len(TRADERS) <= ACCOUNTS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Producer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.open_orders: list[tuple[int, int]] = []
        self.latencies: list[float] = []
        self.refused = 0

    def next_command(self) -> Command:
        rng = self.rng
        if self.open_orders and rng.random() < 0.3:
            account, order_id = self.open_orders.pop(rng.randrange(len(self.open_orders)))
            return CancelOrder(account, SYMBOL, order_id=order_id)
        side = rng.choice((Side.BUY, Side.SELL))
        offset = rng.randint(-5, 30)
        price = 100_000 - offset if side is Side.BUY else 100_000 + offset
        return PlaceOrder(
            rng.choice(TRADERS), SYMBOL, side, OrderType.LIMIT,
            quantity=rng.randint(1, 50) * STEP, price=price,
        )  # fmt: skip

    def replied(self, sent: float, future: "asyncio.Future[Done | Refused]") -> None:
        reply = future.result()
        self.latencies.append(time.perf_counter() - sent)
        if isinstance(reply, Refused):
            self.refused += 1
            return
        if reply.events:
            for event in decode_events(reply.events):
                if type(event) is OrderAccepted:
                    self.open_orders.append((event.account, event.order_id))

    async def run(self, client: PortClient, ops: int, window: int) -> float:
        started = time.perf_counter()
        sent = 0
        while sent < ops or client.outstanding:
            while sent < ops and client.outstanding < window:
                future = client.submit_encoded(encode_command(self.next_command()))
                now = time.perf_counter()
                future.add_done_callback(lambda done, at=now: self.replied(at, done))
                sent += 1
            await asyncio.sleep(0.0005)
        return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class LagWatch:
    """The standby's largest lag while polled, and when it was last behind."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.records = 0
        self.ms = 0
        self.last_behind = 0.0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        client = await PortClient.connect("127.0.0.1", self.port)
        try:
            while not self._stop.is_set():
                status = await client.status(full=False)
                self.records = max(self.records, status.lag)
                self.ms = max(self.ms, status.lag_ms)
                if status.lag:
                    self.last_behind = time.perf_counter()
                await asyncio.sleep(0.05)
        finally:
            await client.close()

    def stop(self) -> None:
        self._stop.set()


async def measure(
    port: int, pid: int, ops: int, window: int, followers: int, standby_port: int | None
) -> dict[str, Any]:
    client = await PortClient.connect("127.0.0.1", port)
    for command in setup_commands():
        assert isinstance(await client.submit(command), Done)
    following: list[PortClient] = []
    received = [0] * followers
    for index in range(followers):
        follower = await PortClient.connect("127.0.0.1", port)
        await follower.read(follow=True)

        def count(batch: Any, index: int = index) -> None:
            received[index] += len(batch.commands)

        follower.on_batch = count
        following.append(follower)
    producer = Producer(42)
    watch = None if standby_port is None else LagWatch(standby_port)
    watching = None if watch is None else asyncio.get_running_loop().create_task(watch.run())
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    seconds = await producer.run(client, ops, window)
    cpu = cpu_seconds(pid) - cpu_before
    await asyncio.sleep(0.2)  # the followers' last frames
    lag: dict[str, Any] = {}
    if watch is not None and watching is not None:
        while watch.last_behind > time.perf_counter() - 0.2:  # until caught up a while
            await asyncio.sleep(0.05)
        watch.stop()
        await watching
        caught_up = max(0.0, watch.last_behind - (started + seconds))
        lag = {
            "standby_max_lag_records": watch.records,
            "standby_max_lag_ms": watch.ms,
            "standby_caught_up_ms_after_flood": round(caught_up * 1000),
        }
    peak = peak_rss_mb(pid)
    for connection in [client, *following]:
        await connection.close()
    return {
        "ops": ops,
        "window": window,
        "followers": followers,
        "commands_per_s": round(ops / seconds),
        "ack_p50_ms": round(percentile(producer.latencies, 0.5) * 1000, 2),
        "ack_p99_ms": round(percentile(producer.latencies, 0.99) * 1000, 2),
        "ack_p999_ms": round(percentile(producer.latencies, 0.999) * 1000, 2),
        "engine_cpu_us_per_command": round(cpu / ops * 1e6, 1),
        "engine_peak_rss_mb": round(peak, 1),
        "refused": producer.refused,
        "followed_commands": received,
        **lag,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--window", type=int, default=400)
    parser.add_argument("--followers", type=int, default=0)
    parser.add_argument("--journal-url", default=None, help="nats://...: a JetStream journal")
    parser.add_argument("--standby", action="store_true", help="a hot standby follows it")
    args = parser.parse_args()
    if args.standby and args.journal_url is None:
        parser.error("--standby needs --journal-url")
    stream = f"BENCH_{uuid.uuid4().hex[:10].upper()}"
    journal = [] if args.journal_url is None else [
        "--journal-url", args.journal_url, "--stream", stream, "--subject", stream.lower()
    ]  # fmt: skip
    processes: list[subprocess.Popen[str]] = []
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            port = start_engine(processes, Path(data_dir) / "primary", journal)
            standby_port = None
            if args.standby:
                standby_port = start_engine(
                    processes, Path(data_dir) / "standby", [*journal, "--standby"]
                )
            result = asyncio.run(
                measure(port, processes[0].pid, args.ops, args.window, args.followers, standby_port)
            )
            for process in processes:
                process.terminate()
                process.wait(timeout=60)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if args.journal_url is not None:
            asyncio.run(delete_stream(args.journal_url, stream))
    print(
        f"{result['commands_per_s']:,} commands/s through the port, {args.followers} "
        f"followers; ack p50 {result['ack_p50_ms']} ms, p99 {result['ack_p99_ms']} ms; "
        f"engine CPU {result['engine_cpu_us_per_command']} µs a command"
    )
    print(json.dumps(result))


def start_engine(processes: list[subprocess.Popen[str]], data_dir: Path, extra: list[str]) -> int:
    engine = subprocess.Popen(
        [sys.executable, "-m", "assetport.cli", "engine-serve", "--data-dir", str(data_dir),
         "--port", "0", "--queue-bound", "100000", *extra],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    processes.append(engine)
    assert engine.stdout is not None
    port: int = json.loads(engine.stdout.readline())["port"]
    return port


async def delete_stream(url: str, stream: str) -> None:
    import nats
    import nats.js.errors

    nc = await nats.connect(url)
    try:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


if __name__ == "__main__":
    main()
