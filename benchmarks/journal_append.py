"""Component benchmark of the file journal's append path: group commit vs fsync per record.

Appends N records (payload ~120 bytes) in batches of B to a fresh journal and reports the
throughput, the number of fsyncs, and the latency of one `append` call (one batch). The
last line printed is a JSON object with every figure, for scripts to pick up.

    python benchmarks/journal_append.py --records 200000 --batch 1000
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(directory: Path, records: int, batch: int, payload_bytes: int, fsync_each: bool) -> Any:
    journal = FileJournal(directory, fsync_each=fsync_each)
    journal.open()
    payload = bytes(range(256))[:payload_bytes].ljust(payload_bytes, b"x")
    base_time = time.time_ns() // 1000
    # Records are built before timing: the figure is the journal's cost, not the caller's.
    batches = [
        [
            Record(seq, base_time + seq, payload)
            for seq in range(start, min(start + batch, records + 1))
        ]
        for start in range(1, records + 1, batch)
    ]
    latencies_us: list[float] = []
    started = time.perf_counter()
    for records_batch in batches:
        before = time.perf_counter()
        journal.append(records_batch)
        latencies_us.append((time.perf_counter() - before) * 1e6)
    elapsed = time.perf_counter() - started
    fsyncs = journal.fsyncs
    journal.close()
    return {
        "records": records,
        "batch": batch,
        "payload_bytes": payload_bytes,
        "records_per_s": round(records / elapsed),
        "fsyncs": fsyncs,
        "append_p50_us": round(statistics.median(latencies_us), 1),
        "append_p99_us": round(_percentile(latencies_us, 0.99), 1),
        "seconds": round(elapsed, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000, help="records, group commit")
    parser.add_argument("--batch", type=int, default=1000, help="records per append call")
    parser.add_argument(
        "--fsync-each-records", type=int, default=2_000, help="records, fsync per record"
    )
    parser.add_argument("--payload-bytes", type=int, default=120)
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write (default: a temp dir)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="journal-bench-") as scratch:
        root = Path(scratch)
        group = run(root / "group", args.records, args.batch, args.payload_bytes, False)
        each = run(root / "each", args.fsync_each_records, args.batch, args.payload_bytes, True)
    for name, result in (("group commit", group), ("fsync each", each)):
        print(
            f"{name:>13}: {result['records_per_s']:>9} records/s, {result['fsyncs']} fsyncs, "
            f"append p50 {result['append_p50_us']} us, p99 {result['append_p99_us']} us "
            f"(batches of {result['batch']})"
        )
    print(json.dumps({"group_commit": group, "fsync_each": each}))


if __name__ == "__main__":
    main()
