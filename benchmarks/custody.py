"""Custody's four figures (issue #16) in one run, each beside its target:

- deposit logs scanned per second by a watcher starting from scratch (target >= 5,000/s);
- time from a transfer's last needed confirmation to its credit (target <= 1 s);
- deposit addresses derived per second from the account-level xpub;
- the proof-of-reserves tree built over 100,000 accounts x 10 assets (target < 5 s).

Each is measured by its own script (`custody_deposits.py` against a fresh anvil,
`custody_addresses.py`, `por.py`), run here one after another in a child process, so that
one's memory and threads never weigh on the next; their own JSON lines are read back.
`--withdrawals N` adds `custody_withdrawals.py` (withdrawals paid end to end per second).
The last line printed is one JSON object.

    python benchmarks/custody.py [--transfers 5000] [--accounts 100000] [--withdrawals 200]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> dict[str, Any]:
    """Run a benchmark script; its last printed line, which is its figures as JSON."""
    done = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{script} failed:\n{done.stderr.strip()[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def verdict(met: bool) -> str:
    return "meets the target" if met else "MISSES the target"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=5_000)
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=10)
    parser.add_argument("--withdrawals", type=int, default=0, help="0: not measured")
    args = parser.parse_args()

    deposits = run("custody_deposits.py", "--transfers", str(args.transfers))
    addresses = run("custody_addresses.py", "--addresses", str(args.addresses),
                    "--signatures", "1000")  # fmt: skip
    por = run("por.py", "--accounts", str(args.accounts), "--assets", str(args.assets),
              "--proofs", "2000", "--verify", "200")  # fmt: skip
    withdrawals = None
    if args.withdrawals:
        withdrawals = run("custody_withdrawals.py", "--withdrawals", str(args.withdrawals))

    scan = deposits["scan"]
    latency = deposits["credit_latency_ms"]
    print(f"deposit logs scanned:        {scan['logs_per_s']:>10,}/s    target >= 5,000/s: "
          f"{verdict(scan['logs_per_s'] >= 5_000)}")  # fmt: skip
    print(f"last confirmation -> credit: {latency['median']:>10} ms median, {latency['max']} ms "
          f"max    target <= 1,000 ms: {verdict(latency['max'] <= 1_000)}")  # fmt: skip
    print(f"addresses derived:           {addresses['addresses_derived_per_s']:>10,}/s")
    print(f"proof-of-reserves build:     {por['build_s']:>10} s for {por['accounts']:,} accounts"
          f" x {por['assets']} assets    target < 5 s: {verdict(por['build_s'] < 5)}")  # fmt: skip
    if withdrawals is not None:
        print(f"withdrawals end to end:      {withdrawals}")
    print(json.dumps({
        "benchmark": "custody",
        "deposit_logs_per_s": scan["logs_per_s"],
        "credit_latency_ms": latency,
        "addresses_derived_per_s": addresses["addresses_derived_per_s"],
        "por_build_s": por["build_s"],
        "por_accounts": por["accounts"],
        "por_assets": por["assets"],
        "withdrawals": withdrawals,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
