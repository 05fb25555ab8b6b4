"""Proof of reserves: build the Merkle sum tree over many accounts, make and check proofs.

Random balances (a fixed seed) for `--accounts` user accounts and `--assets` assets; times
the tree's build (salts, leaf hashes, every level), making proofs (each as the JSON text a
user is handed, root included), and verifying proofs from that text with the stand-alone
verifier. The last line printed is one JSON object.

    python benchmarks/por.py --accounts 100000 --assets 10 [--out NEW_DIR]

With `--out`, the build `assetport por build` does after its replay (tree, root.json and
one proof file per account) is timed too, into that new directory.
"""

import argparse
import json
import random
import resource
import time
from pathlib import Path

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.proof_of_reserves.tree import AsOf, SumTree
from assetport.domain.proof_of_reserves.verify import verify_proof
from assetport.runtime.reserves import Ledger, Stated, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=10)
    parser.add_argument("--proofs", type=int, default=20_000, help="proofs made and timed")
    parser.add_argument("--verify", type=int, default=2_000, help="proofs verified and timed")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--out", type=Path, default=None, help="also time the CLI's build: tree + every file"
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    assets = [(f"A{i:02d}", 8) for i in range(args.assets)]
    rows = [
        (FIRST_USER_ACCOUNT + i, [rng.randrange(10 ** rng.randint(0, 15)) for _ in assets])
        for i in range(args.accounts)
    ]

    started = time.perf_counter()
    tree = SumTree(assets, rows)
    build_s = time.perf_counter() - started
    root = tree.root_document(AsOf(seq=1, time_us=0, generated="benchmark"))

    accounts = [account for account, _ in rows[: args.proofs]]
    texts: list[str] = []
    size = 0
    started = time.perf_counter()
    root_json = json.dumps(root, separators=(",", ":"))
    for account in accounts:
        text = tree.proof_json(account, root_json)
        size = len(text)
        if len(texts) < args.verify:
            texts.append(text)
    proofs_s = time.perf_counter() - started

    started = time.perf_counter()
    for text in texts:
        verify_proof(json.loads(text))
    verify_s = time.perf_counter() - started
    checked = len(texts)

    write_s = None
    if args.out is not None:  # what `assetport por build` adds: every file, written
        ledger = Ledger(assets, [(account, tuple(row)) for account, row in rows], 1, 0)
        started = time.perf_counter()
        build(ledger, args.out, Stated())
        write_s = round(time.perf_counter() - started, 3)

    result = {
        "benchmark": "por",
        "accounts": args.accounts,
        "assets": args.assets,
        "levels": len(tree.hashes),
        "build_s": round(build_s, 3),
        "proofs_per_s": round(len(accounts) / proofs_s) if accounts else None,
        "proof_bytes": size,
        "verify_ms": round(verify_s / checked * 1000, 3) if checked else None,
        "build_and_write_s": write_s,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
