"""The `assetport` command.

    assetport engine-serve --data-dir D [--journal-url nats://...] [--standby]
    assetport journal verify --data-dir D
    assetport journal stats --data-dir D
    assetport journal replay --data-dir D [--journal-url nats://...]

`serve` (the gateway) and `admin` come with the API.
"""

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from assetport.engine.engine import Engine
from assetport.journal.errors import JournalCorrupted
from assetport.journal.verify import stats, verify
from assetport.runtime.command_log import command_log_for
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.process import run_engine_process
from assetport.runtime.recovery import catch_up
from assetport.runtime.replay import ReplayImpossible, replay


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, required=True, help="the engine's data dir")


def _add_journal_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--journal-url",
        default=None,
        help="nats://host:port for a JetStream journal (default: files in the data dir)",
    )
    parser.add_argument("--stream", default="ASSETPORT", help="JetStream stream name")
    parser.add_argument("--subject", default="assetport.commands", help="JetStream subject")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assetport", description="Assetport exchange")
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING, ERROR")
    commands = parser.add_subparsers(dest="command", required=True)

    engine = commands.add_parser(
        "engine-serve", help="run the engine process with its command port"
    )
    _add_data_dir(engine)
    _add_journal_url(engine)
    engine.add_argument("--host", default="127.0.0.1")
    engine.add_argument("--port", type=int, default=7400, help="command port (0: any free)")
    engine.add_argument("--standby", action="store_true", help="follow a JetStream journal")
    engine.add_argument("--replicas", type=int, default=1, help="replicas of a new stream")
    engine.add_argument("--snapshot-every", type=int, default=200_000, help="commands")
    engine.add_argument("--snapshot-seconds", type=float, default=300.0)
    engine.add_argument("--snapshots-kept", type=int, default=3)
    engine.add_argument("--queue-bound", type=int, default=10_000)
    engine.add_argument("--batch-max", type=int, default=2_000)
    engine.add_argument("--segment-bytes", type=int, default=64 * 1024 * 1024)
    engine.add_argument(
        "--archive-segments",
        action="store_true",
        help="move removable segments to journal/archive/ instead of deleting them",
    )

    journal = commands.add_parser("journal", help="check and replay a journal")
    tools = journal.add_subparsers(dest="tool", required=True)
    verify_parser = tools.add_parser("verify", help="check every record and snapshot")
    _add_data_dir(verify_parser)
    stats_parser = tools.add_parser("stats", help="counts and seq ranges, as JSON")
    _add_data_dir(stats_parser)
    replay_parser = tools.add_parser("replay", help="rebuild state from scratch; print its hash")
    _add_data_dir(replay_parser)
    _add_journal_url(replay_parser)
    return parser


def _config(args: argparse.Namespace) -> RuntimeConfig:
    return RuntimeConfig(
        data_dir=args.data_dir,
        journal_url=args.journal_url,
        stream=args.stream,
        subject=args.subject,
        replicas=args.replicas,
        snapshot_every_commands=args.snapshot_every,
        snapshot_every_seconds=args.snapshot_seconds,
        snapshots_kept=args.snapshots_kept,
        queue_bound=args.queue_bound,
        batch_max=args.batch_max,
        segment_bytes=args.segment_bytes,
        archive_removed_segments=args.archive_segments,
    )


def _verify(data_dir: Path) -> int:
    problems = verify(data_dir)
    for problem in problems:
        print(f"PROBLEM {problem}")
    summary = stats(data_dir)
    print(
        f"{summary['records']} records in {summary['segments']} segments, "
        f"{len(summary['snapshots'])} snapshots: "
        + ("OK" if not problems else f"{len(problems)} problem(s)")
    )
    return 1 if problems else 0


def _summary(engine: Engine, records: int) -> dict[str, object]:
    totals = engine.ledger.totals()
    return {
        "records": records,
        "last_seq": engine.last_seq,
        "state_hash": engine.state_hash(),
        "ledger_sums_to_zero": not any(totals.values()),
    }


def _replay(args: argparse.Namespace) -> int:
    if args.journal_url is None:
        try:
            replayed = replay(args.data_dir)
        except ReplayImpossible as exc:
            print(f"assetport: {exc}", file=sys.stderr)
            return 2
        result = _summary(replayed.engine, replayed.records)
        result["torn_tail_bytes"] = replayed.torn_tail_bytes
    else:
        result = asyncio.run(_replay_stream(args))
    print(json.dumps(result))
    return 0


async def _replay_stream(args: argparse.Namespace) -> dict[str, object]:
    config = RuntimeConfig(
        data_dir=args.data_dir, journal_url=args.journal_url, stream=args.stream,
        subject=args.subject,
    )  # fmt: skip
    log = command_log_for(config)
    tail = await log.open()
    try:
        engine = Engine()
        replayed, _ = await catch_up(engine, log, tail)
    finally:
        await log.close()
    return _summary(engine, replayed)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "engine-serve":
            return run_engine_process(_config(args), args.host, args.port, standby=args.standby)
        if args.tool == "verify":
            return _verify(args.data_dir)
        if args.tool == "stats":
            print(json.dumps(stats(args.data_dir)))
            return 0
        return _replay(args)
    except JournalCorrupted as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
