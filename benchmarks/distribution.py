"""A distribution (rent, royalties, a coupon) paid by the engine to many holders at once:
`Distribute` applied to an engine whose RWA token has `--holders` holders of random
amounts; one posting pays them all. Times the command in the engine (the register read
from the ledger, the shares, the posting, the event) and the share rule alone
(`domain/issuance/distributions.py`). Target (issue #17): 100,000 holders under 2 s. The
last line printed is one JSON object.

    python benchmarks/distribution.py --holders 100000
"""

import argparse
import json
import random
import resource
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    Command,
    Deposit,
    Distribute,
    ListAsset,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
    TransferRwa,
)
from assetport.domain.events import CommandRejected, DistributionPaid
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.distributions import pro_rata
from assetport.domain.issuance.terms import RedemptionTerms, RwaKind, RwaTerms, TransferKind
from assetport.engine.engine import Engine

ISSUER = 150
TERMS = RwaTerms("BLDG", ISSUER, RwaKind.REAL_ESTATE, "1 share of Haeundae Tower",
                 "Busan Trust", "Land registry 2026-1234", RedemptionTerms(minimum=1))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = Engine()
    seq = 0

    def do(command: Command) -> list[object]:
        nonlocal seq
        seq += 1
        events = engine.apply(seq, 1_764_900_000_000_000 + seq, command)
        assert not any(isinstance(e, CommandRejected) for e in events), events
        return list(events)

    do(ListAsset("KRW", 0))
    do(ListAsset("BLDG", 0, AssetKind.RWA_TOKEN, ISSUER))
    do(SetRwaTerms(TERMS))
    holdings = [(FIRST_USER_ACCOUNT + i, rng.randint(1, 10_000)) for i in range(args.holders)]
    # The trust's title backs every share; the issuer places them with the holders.
    issued = sum(shares for _, shares in holdings)
    key = Ed25519PrivateKey.generate()
    do(RegisterAttestor(ISSUER, "registry", public_key_hex(key)))
    title = ReserveLot("TITLE-2026-1234", "Haeundae Tower, all shares", "Land registry", issued)
    statement = ReserveStatement("BLDG", "registry", 1_764_900_000_000_000, (title,), issued)
    do(RecordAttestation(sign(statement, key)))
    do(MintRwa("BLDG", issued, "shares"))
    for account, shares in holdings:
        do(TransferRwa(ISSUER, "BLDG", ISSUER, account, shares, TransferKind.ALLOCATION, "",
                       f"shares-{account}"))  # fmt: skip
    rent = 987_654_321  # KRW
    do(Deposit(ISSUER, "KRW", rent, "rent-2026-12"))

    started = time.perf_counter()
    shares = pro_rata(rent, holdings)
    rule_s = time.perf_counter() - started
    started = time.perf_counter()
    events = do(Distribute("BLDG", "KRW", rent, "rent-2026-12"))
    engine_s = time.perf_counter() - started
    paid = next(e for e in events if isinstance(e, DistributionPaid))
    assert paid.remainder == shares.remainder and len(paid.payouts) == len(shares.payouts)
    assert not any(engine.ledger_totals().values())
    figures = {
        "benchmark": "distribution",
        "holders": args.holders,
        "engine_s": round(engine_s, 3),
        "rule_only_s": round(rule_s, 3),
        "paid": rent - paid.remainder,
        "remainder": paid.remainder,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"distribution to {args.holders:,} holders in the engine: {engine_s:.3f} s "
          f"(target < 2 s); the share rule alone {rule_s:.3f} s; remainder "
          f"{paid.remainder} KRW back to the issuer")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
