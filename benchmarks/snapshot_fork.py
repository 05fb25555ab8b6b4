"""What a snapshot's fork costs the engine's loop, by the process's memory.

On Linux a snapshot is encoded by a forked child (`runtime/snapshotter.py`): the loop pauses
only for `os.fork()`, which copies the process's page tables, so the pause grows with the
memory the process has touched. This fills the process with small Python objects (as an
engine's orders and balances are) up to each size in turn, and times `os.fork()` in the
parent; the child exits at once. The last line printed is one JSON object.

    python benchmarks/snapshot_fork.py --sizes-mb 100 300 600 --forks 9
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from typing import Any

_PAGE = resource.getpagesize()


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def fill_to(mb: int, keep: list[Any]) -> None:
    """Grow `keep` with order-like objects until the process holds `mb` MiB."""
    while resident_mb() < mb:
        keep.extend([n, n * 7, "KGLDKRW", (n, n + 1)] for n in range(100_000))


def fork_ms() -> float:
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    elapsed = (time.perf_counter() - started) * 1000
    os.waitpid(pid, 0)
    return elapsed


def main() -> None:
    if not hasattr(os, "fork"):
        sys.exit("this benchmark needs os.fork (Linux)")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[100, 300, 600])
    parser.add_argument("--forks", type=int, default=9, help="forks timed per size")
    args = parser.parse_args()
    keep: list[Any] = []
    rows = []
    for size in sorted(args.sizes_mb):
        fill_to(size, keep)
        timings = [fork_ms() for _ in range(args.forks)]
        resident = resident_mb()
        median = statistics.median(timings)
        row = {
            "resident_mb": round(resident),
            "fork_ms_median": round(median, 2),
            "fork_ms_max": round(max(timings), 2),
            "ms_per_100_mb": round(median * 100 / resident, 2),
        }
        print(f"{row['resident_mb']:>6} MB resident: fork {median:.2f} ms median", flush=True)
        rows.append(row)
    print(json.dumps({"benchmark": "snapshot_fork", "forks": args.forks, "sizes": rows}))


if __name__ == "__main__":
    main()
