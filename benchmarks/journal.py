"""Durable commands per second through the in-process path: sequencer + journal + engine.

No HTTP and no sockets: a producer submits realistic commands (GTC limit orders and cancels
of the shared workload, ../shared/workloads/lob_workload.py, on a funded market, as in
benchmarks/engine_replay.py) straight to `EngineService.submit`, keeping at most `--window`
commands unacknowledged, like a gateway with that many requests in flight. A command's
acknowledgement latency runs from `submit` to the moment its future resolves, which is after
its journal record is durable and the engine applied it.

Two runs on a fresh data dir each: group commit (one fsync per batch) and, for comparison,
one fsync per command (fewer commands: it is two orders of magnitude slower). The last
line printed is one JSON object.

    python benchmarks/journal.py --ops 300000 --fsync-each-ops 3000
"""

import argparse
import asyncio
import gc
import json
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from assetport.domain.commands import CancelOrder, Command, PlaceOrder
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.interpreter import tune_for_latency
from assetport.runtime.service import EngineService, Outcome
from assetport.runtime.startup import close_service, open_service
from engine_replay import (
    FIRST_ACCOUNT,
    STEP,
    SYMBOL,
    TICK,
    load_workload_module,
    setup_commands,
)

Op = tuple[int, int, int, int, int, int]
CHUNK = 64
TICK_S = 0.0005


def command_of(op: Op) -> Command:
    kind, oid, side, price, qty, acct = op
    account = FIRST_ACCOUNT + acct
    if kind == 0:
        return PlaceOrder(
            account,
            SYMBOL,
            Side.BUY if side == 0 else Side.SELL,
            OrderType.LIMIT,
            quantity=qty * STEP,
            price=price * TICK,
            time_in_force=TimeInForce.GTC,
        )
    return CancelOrder(account, SYMBOL, order_id=oid)


def _percentiles(latencies_ns: list[int]) -> dict[str, float]:
    ordered = sorted(latencies_ns)
    return {
        "ack_p50_us": round(ordered[len(ordered) // 2] / 1000, 1),
        "ack_p99_us": round(ordered[int(len(ordered) * 0.99)] / 1000, 1),
        "ack_max_us": round(ordered[-1] / 1000, 1),
    }


async def saturate(service: EngineService, ops: list[Op], window: int) -> dict[str, Any]:
    """Closed loop: submit as fast as acknowledgements allow, `window` unacknowledged."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    record = latencies.append
    outstanding: deque[asyncio.Future[Outcome]] = deque()

    def acked(sent: int) -> Any:
        return lambda _: record(clock() - sent)

    batches_before = service.batches
    started = time.perf_counter()
    for start in range(0, len(ops), CHUNK):
        # Commands are built as a gateway would build them, just before submitting.
        for op in ops[start : start + CHUNK]:
            future = service.submit(command_of(op))
            future.add_done_callback(acked(clock()))
            outstanding.append(future)
        while len(outstanding) > window:
            await outstanding.popleft()
        while outstanding and outstanding[0].done():
            outstanding.popleft()
    for future in outstanding:
        await future
    elapsed = time.perf_counter() - started
    batches = service.batches - batches_before
    return {
        "commands": len(ops),
        "commands_per_s": round(len(ops) / elapsed),
        **_percentiles(latencies),
        "mean_batch": round(len(ops) / max(batches, 1), 1),
        "window": window,
    }


async def at_rate(service: EngineService, ops: list[Op], rate: int) -> dict[str, Any]:
    """Open loop: commands arrive on a fixed schedule of `rate` per second, whatever the
    service does; a command's latency counts from when it was due, so a stalled service
    is charged for every command that queued behind the stall."""
    latencies: list[int] = []
    record = latencies.append
    clock = time.perf_counter_ns
    interval_ns = 1_000_000_000 / rate
    batches_before = service.batches
    futures: list[asyncio.Future[Outcome]] = []
    start = clock()

    def acked(due: int) -> Any:
        return lambda _: record(clock() - due)

    sent = 0
    while sent < len(ops):
        due_count = min(len(ops), int((clock() - start) / interval_ns) + 1)
        while sent < due_count:
            future = service.submit(command_of(ops[sent]))
            future.add_done_callback(acked(start + int(sent * interval_ns)))
            futures.append(future)
            sent += 1
        # Block in the selector between arrivals, as a server waiting on its sockets does
        # (a spinning producer would hold the GIL the journal's writer thread needs).
        await asyncio.sleep(TICK_S)
    for future in futures:
        await future
    elapsed = (clock() - start) / 1e9
    batches = service.batches - batches_before
    return {
        "commands": len(ops),
        "offered_per_s": rate,
        "commands_per_s": round(len(ops) / elapsed),
        **_percentiles(latencies),
        "mean_batch": round(len(ops) / max(batches, 1), 1),
    }


async def drive(
    service: EngineService, ops: list[Op], window: int, rate: int | None
) -> dict[str, Any]:
    runner = asyncio.get_running_loop().create_task(service.run())
    tune_for_latency()  # as the engine process does once recovered
    result = await (saturate(service, ops, window) if rate is None else at_rate(service, ops, rate))
    service.stop()
    await runner
    return result


async def run(
    data_dir: Path, ops: list[Op], window: int, fsync_each: bool, rate: int | None = None
) -> dict[str, Any]:
    config = RuntimeConfig(data_dir=data_dir, fsync_each=fsync_each, queue_bound=100_000)
    service = await open_service(config)
    setup = asyncio.get_running_loop().create_task(service.run())
    for command in setup_commands():
        await service.submit(command)
    service.stop()
    await setup
    await close_service(service)
    # Restart on the funded data dir: the timed run also covers a recovered service.
    service = await open_service(config)
    try:
        result = await drive(service, ops, window, rate)
    finally:
        await close_service(service)
        gc.unfreeze()
    result["fsync_each"] = fsync_each
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300_000, help="commands, group commit")
    parser.add_argument("--fsync-each-ops", type=int, default=3_000)
    parser.add_argument("--window", type=int, default=128, help="unacknowledged, saturated")
    parser.add_argument("--rate", type=int, default=100_000, help="commands/s, latency run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: tmp)")
    args = parser.parse_args()

    workload: Any = load_workload_module()
    ops: list[Op] = list(workload.generate(args.ops, args.seed))
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="journal-bench-") as scratch:
        root = Path(scratch)
        group = asyncio.run(run(root / "group", ops, args.window, False))
        paced = asyncio.run(run(root / "paced", ops, args.window, False, args.rate))
        each = asyncio.run(run(root / "each", ops[: args.fsync_each_ops], args.window, True))
    runs = (
        ("group commit, saturated", group),
        (f"group commit at {args.rate}/s", paced),
        ("fsync each, saturated", each),
    )
    for name, result in runs:
        print(
            f"{name:>28}: {result['commands_per_s']:>8} durable commands/s, ack p50 "
            f"{result['ack_p50_us']} us, p99 {result['ack_p99_us']} us, "
            f"mean batch {result['mean_batch']}"
        )
    print(json.dumps({"group_commit": group, "group_commit_at_rate": paced, "fsync_each": each}))


if __name__ == "__main__":
    main()
