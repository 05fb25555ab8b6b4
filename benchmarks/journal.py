"""Durable commands per second through the in-process path: sequencer + journal + engine.

No HTTP and no sockets: a producer submits realistic commands (GTC limit orders and cancels
of the shared workload, ../shared/workloads/lob_workload.py, on a funded market, as in
benchmarks/engine_replay.py) straight to the `EngineService`. A command's acknowledgement
latency runs from when it was due (open loop) or submitted (closed loop) to the moment its
acknowledgement arrives, which is after its journal record is durable and the engine
applied it.

Two producers, each on a fresh data dir that was funded and then recovered:

- open loop (`--rate`): commands fall due on a fixed schedule whatever the service does, and
  are handed over in ticks (the producer sleeps 0.5 ms; the selector's millisecond
  resolution makes it about 1 ms), as a gateway's event loop delivers what its sockets
  received; a stalled service is charged for every command that queued behind the stall.
  This is the figure to hold to a latency target: offered rate, achieved rate, p50, p99,
  p99.9 of the acknowledgement.
- closed loop (`--window`): as fast as acknowledgements allow, `--window` unacknowledged.

Both with group commit (one fsync per write) and, for comparison, with one fsync per
command (fewer commands: it is two orders of magnitude slower, so at the same offered rate
its queue only grows). Acknowledgements arrive as the command port receives them (`--ack
reply`, a callback per command) or as an awaiting caller does (`--ack future`). The service
runs with its default snapshot interval, so the default 300,000 commands cross one
snapshot (`snapshots_during_run`). The producer shares the event loop, and so the core,
with the service. The last line printed is one JSON object.

    python benchmarks/journal.py --ops 300000 --rate 100000 --fsync-each-ops 3000
"""

import argparse
import asyncio
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetport.domain.commands import CancelOrder, Command, PlaceOrder
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.runtime.command_log import FileCommandLog
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.errors import ServiceFailed
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
# A submitter: hands the command over; the reply is called once it is acknowledged.
Submitter = Callable[[Command, Callable[[Outcome | ServiceFailed], None]], None]


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


def submitter(service: EngineService, ack: str) -> Submitter:
    if ack == "reply":
        return service.submit_with_reply

    def by_future(command: Command, reply: Callable[[Outcome | ServiceFailed], None]) -> None:
        service.submit(command).add_done_callback(lambda done: reply(done.result()))

    return by_future


def _percentiles(latencies_ns: list[int]) -> dict[str, float]:
    ordered = sorted(latencies_ns)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] / 1000, 1)

    return {
        "ack_p50_us": at(0.5),
        "ack_p99_us": at(0.99),
        "ack_p999_us": at(0.999),
        "ack_max_us": round(ordered[-1] / 1000, 1),
    }


async def closed_loop(ops: list[Op], submit: Submitter, window: int) -> dict[str, Any]:
    """As fast as acknowledgements allow, `window` unacknowledged."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    record = latencies.append
    unacked = 0
    room = asyncio.Event()
    everything = asyncio.Event()

    def acked_from(sent: int) -> Callable[[Outcome | ServiceFailed], None]:
        def acked(result: Outcome | ServiceFailed) -> None:
            nonlocal unacked
            if isinstance(result, ServiceFailed):
                raise result
            record(clock() - sent)
            unacked -= 1
            if unacked <= window:
                room.set()
            if len(latencies) == len(ops):
                everything.set()

        return acked

    started = clock()
    for start in range(0, len(ops), CHUNK):
        # Commands are built as a gateway would build them, just before submitting.
        for op in ops[start : start + CHUNK]:
            submit(command_of(op), acked_from(clock()))
            unacked += 1
        while unacked > window:
            room.clear()
            await room.wait()
    await everything.wait()
    elapsed = (clock() - started) / 1e9
    return {
        "offered_per_s": None,
        "window": window,
        "achieved_per_s": round(len(ops) / elapsed),
        "latencies": latencies,
    }


async def open_loop(ops: list[Op], submit: Submitter, rate: int) -> dict[str, Any]:
    """Commands fall due `rate` per second whatever the service does; a command's latency
    counts from when it was due."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    record = latencies.append
    interval_ns = 1_000_000_000 / rate
    everything = asyncio.Event()

    def acked_from(due: int) -> Callable[[Outcome | ServiceFailed], None]:
        def acked(result: Outcome | ServiceFailed) -> None:
            if isinstance(result, ServiceFailed):
                raise result
            record(clock() - due)
            if len(latencies) == len(ops):
                everything.set()

        return acked

    start = clock()
    sent = 0
    while sent < len(ops):
        due_count = min(len(ops), int((clock() - start) / interval_ns) + 1)
        while sent < due_count:
            submit(command_of(ops[sent]), acked_from(start + int(sent * interval_ns)))
            sent += 1
        # Block in the selector between ticks, as a server waiting on its sockets does (a
        # spinning producer would hold the GIL the journal's writer thread needs).
        await asyncio.sleep(TICK_S)
    await everything.wait()
    elapsed = (clock() - start) / 1e9
    return {
        "offered_per_s": rate,
        "achieved_per_s": round(len(ops) / elapsed),
        "latencies": latencies,
    }


async def drive(
    service: EngineService, ops: list[Op], ack: str, window: int, rate: int | None
) -> dict[str, Any]:
    runner = asyncio.get_running_loop().create_task(service.run())
    tune_for_latency()  # as the engine process does once recovered
    log = service.log
    assert isinstance(log, FileCommandLog)
    fsyncs_before = log.journal.fsyncs
    batches_before = service.batches
    snapshots_before = service.snapshotter.started
    submit = submitter(service, ack)
    producer = asyncio.ensure_future(
        closed_loop(ops, submit, window) if rate is None else open_loop(ops, submit, rate)
    )
    await asyncio.wait([producer, runner], return_when=asyncio.FIRST_COMPLETED)
    if not producer.done():  # the service stopped (failed) with commands unacknowledged
        producer.cancel()
        await runner
    result = producer.result()
    latencies: list[int] = result.pop("latencies")
    fsyncs = log.journal.fsyncs - fsyncs_before
    batches = service.batches - batches_before
    snapshots = service.snapshotter.started - snapshots_before
    service.stop()
    await runner
    return {
        "commands": len(ops),
        **result,
        **_percentiles(latencies),
        "commands_per_fsync": round(len(ops) / max(fsyncs, 1), 1),
        "commands_per_batch": round(len(ops) / max(batches, 1), 1),
        "snapshots_during_run": snapshots,
    }


async def run(
    data_dir: Path, ops: list[Op], *, fsync_each: bool, ack: str, window: int, rate: int | None
) -> dict[str, Any]:
    config = RuntimeConfig(data_dir=data_dir, fsync_each=fsync_each, queue_bound=len(ops) + 1000)
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
        result = await drive(service, ops, ack, window, rate)
    finally:
        await close_service(service)
        gc.unfreeze()
    return {"fsync_each": fsync_each, "ack": ack, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300_000, help="commands, group commit")
    parser.add_argument("--fsync-each-ops", type=int, default=3_000)
    parser.add_argument("--rate", type=int, default=100_000, help="commands/s, open loop")
    parser.add_argument("--window", type=int, default=128, help="unacknowledged, closed loop")
    parser.add_argument("--ack", choices=("reply", "future"), default="reply")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: tmp)")
    args = parser.parse_args()

    workload: Any = load_workload_module()
    ops: list[Op] = list(workload.generate(args.ops, args.seed))
    each_ops = ops[: args.fsync_each_ops]
    plan = {
        "group_commit_open_loop": (ops, False, args.rate),
        "group_commit_closed_loop": (ops, False, None),
        "fsync_each_open_loop": (each_ops, True, args.rate),
        "fsync_each_closed_loop": (each_ops, True, None),
    }
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="journal-bench-") as scratch:
        for name, (run_ops, fsync_each, rate) in plan.items():
            results[name] = asyncio.run(
                run(
                    Path(scratch) / name,
                    run_ops,
                    fsync_each=fsync_each,
                    ack=args.ack,
                    window=args.window,
                    rate=rate,
                )
            )
    for name, result in results.items():
        offered = result["offered_per_s"]
        load = f"offered {offered}/s" if offered else f"window {result['window']}"
        print(
            f"{name:>25} ({load}): {result['achieved_per_s']:>7} durable commands/s, ack "
            f"p50 {result['ack_p50_us']} us, p99 {result['ack_p99_us']} us, "
            f"p99.9 {result['ack_p999_us']} us, {result['commands_per_fsync']} commands/fsync"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
