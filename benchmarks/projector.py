"""How fast the projector writes the read model, on SQLite and on PostgreSQL.

The shared limit-order-book workload (../shared/workloads/lob_workload.py) runs through the
real engine first (not timed); then its commands and events are written by the projector
in batches of `--batch` commands (by default the projector's catch-up batch), into
a fresh SQLite file and a fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards).
Only the projector is timed; with `--runs N` each database is measured N times (a fresh
one each time) and the median run is reported. The last line printed is one JSON object.

    python benchmarks/projector.py --ops 200000 --runs 3
"""

import argparse
import gc
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from assetport.engine.engine import Engine
from assetport.store.database import open_database
from assetport.store.projection import Applied
from assetport.store.projector import DEFAULT_BATCH, Projector
from engine_replay import load_workload_module, setup_commands, workload_commands

START_US = 1_704_067_200_000_000


def applied(ops: int, seed: int) -> list[Applied]:
    workload: object = load_workload_module()
    commands = [*setup_commands(), *workload_commands(workload.generate(ops, seed))]  # type: ignore[attr-defined]
    engine = Engine()
    items: list[Applied] = []
    for seq, command in enumerate(commands, start=1):
        # 20,000 commands a second of simulated time: candles roll over as in production.
        now = START_US + seq * 50
        items.append((seq, now, command, engine.apply(seq, now, command)))
    return items


def run(url: str, items: list[Applied], batch: int) -> dict[str, float]:
    database = open_database(url)
    projector = Projector(database)
    gc.collect()
    started = time.perf_counter()
    projector.catch_up(items, batch_size=batch)
    elapsed = time.perf_counter() - started
    database.close()
    stats = projector.stats
    return {
        "events_per_s": round(stats.events / elapsed),
        "commands_per_s": round(stats.commands / elapsed),
        "rows_per_s": round(stats.rows / elapsed),
        "seconds": round(elapsed, 3),
    }


def median_run(measure: Callable[[], dict[str, float]], runs: int) -> dict[str, float]:
    results = sorted((measure() for _ in range(runs)), key=lambda r: r["events_per_s"])
    return results[len(results) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 dbname=test user=postgres")
    args = parser.parse_args()

    items = applied(args.ops, args.seed)
    events = sum(len(said) for *_, said in items)
    print(f"{len(items)} commands, {events} events")
    result: dict[str, object] = {
        "commands": len(items),
        "events": events,
        "batch": args.batch,
        "runs": args.runs,
    }

    def sqlite_run() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as directory:
            return run(f"sqlite:///{Path(directory) / 'assetport.db'}", items, args.batch)

    def postgresql_run() -> dict[str, float]:
        name = f"assetport_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            user, host, port = admin.info.user, admin.info.host, admin.info.port
        try:
            return run(f"postgresql://{user}@{host}:{port}/{name}", items, args.batch)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    result["sqlite"] = median_run(sqlite_run, args.runs)
    print("sqlite", result["sqlite"])
    try:
        result["postgresql"] = median_run(postgresql_run, args.runs)
    except psycopg.OperationalError as exc:
        result["postgresql"] = f"not measured: {exc}".strip()
    print("postgresql", result["postgresql"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
