"""Replay the shared limit-order-book workload through the real engine.

The workload (../shared/workloads/lob_workload.py) is one market, 1000 pre-funded accounts,
GTC limit orders and cancels. Every order holds its funds, every trade settles through the
ledger and charges fees, and the engine produces its events, as in production.

Commands are built from the workload in batches of 1024 just before they are applied, as
the runtime decodes a journal batch just before applying it; only `Engine.apply` is timed.
Two passes: one timing each batch (throughput), one timing each command (latency
percentiles). The fills, volume and live orders are checked against the generator's own
figures; the last line printed is one JSON object.

    python benchmarks/engine_replay.py --ops 1000000 --seed 42
    python benchmarks/engine_replay.py --permissioned   # KGLD under holder rules

`--permissioned` lists KGLD as a real-world-asset token under holder rules (KYC level 2 in
Korea, a per-holder cap), every account verified: each order and each trade asks the holder
gate (engine/holder_gate.py), and nothing is refused, so the figures must match.
"""

import argparse
import gc
import importlib.util
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    CancelOrder,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RegisterAttestor,
    SetAccountIdentity,
    SetHolderRules,
    SetMarketFeeAsset,
    SetRwaTerms,
    TransferRwa,
)
from assetport.domain.events import TradeExecuted
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import RedemptionTerms, RwaKind, RwaTerms, TransferKind
from assetport.domain.markets import FeeAsset, Market
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.engine.engine import Engine

SYMBOL = "KGLDKRW"
TICK = 1  # KRW per token
STEP = 10_000  # one whole token, in units of 0.0001
ACCOUNTS = 1000
FIRST_ACCOUNT = FIRST_USER_ACCOUNT


def load_workload_module() -> object:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "workloads" / "lob_workload.py"
        if candidate.exists():
            spec = importlib.util.spec_from_file_location("lob_workload", candidate)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    sys.exit("cannot find ../shared/workloads/lob_workload.py")


# The market's fee rule (`--fee-asset`).
FEE_ASSET = FeeAsset.RECEIVED
# KGLD under holder rules (`--permissioned`).
PERMISSIONED = False
ISSUER = 101
SEED_KGLD = 10**12  # per account


def permissioned_setup() -> list[Command]:
    """KGLD issued against one attested lot, placed with every account, each verified."""
    key = Ed25519PrivateKey.generate()
    issued = SEED_KGLD * ACCOUNTS
    lot = ReserveLot("BENCH-1", "the benchmark's vault", "vault", issued)
    terms = RwaTerms("KGLD", ISSUER, RwaKind.ENERGY, "1 benchmark unit", "custodian", "vault",
                     RedemptionTerms(minimum=1))  # fmt: skip
    rules = HolderRules("KGLD", min_kyc_level=2, countries_allowed=("KR",), max_per_holder=issued)
    commands: list[Command] = [
        RegisterAttestor(ISSUER, "bench", public_key_hex(key)),
        SetRwaTerms(terms),
        RecordAttestation(sign(ReserveStatement("KGLD", "bench", 1, (lot,), issued), key)),
        MintRwa("KGLD", issued, "bench"),
        SetHolderRules(ISSUER, rules),
    ]
    for i in range(ACCOUNTS):
        account = FIRST_ACCOUNT + i
        commands.append(SetAccountIdentity(account, AccountIdentity(2, "KR")))
        commands.append(TransferRwa(ISSUER, "KGLD", ISSUER, account, SEED_KGLD,
                                    TransferKind.ALLOCATION, "", f"seed-{account}"))  # fmt: skip
    return commands


def setup_commands() -> list[Command]:
    market = Market(
        symbol=SYMBOL,
        base="KGLD",
        quote="KRW",
        tick_size=TICK,
        step_size=STEP,
        min_qty=STEP,
        max_qty=1_000_000 * STEP,
        max_num_orders=100_000,
        maker_fee_bps=5,
        taker_fee_bps=10,
        # The shared workload's accounts cross their own orders: they trade, as it counts.
        default_stp=SelfTradePrevention.NONE,
        allow_stp_none=True,
    )
    commands: list[Command] = [
        ListAsset("KRW", 0),
        ListAsset(
            "KGLD",
            4,
            AssetKind.RWA_TOKEN if PERMISSIONED else AssetKind.COIN,
            ISSUER if PERMISSIONED else None,
        ),
        ListMarket(market),
    ]
    if PERMISSIONED:
        commands += permissioned_setup()
    if FEE_ASSET is FeeAsset.QUOTE:
        # Buyers pay in KRW, holding their fee with the order (engine/spot/quote_fees.py).
        commands.append(SetMarketFeeAsset(SYMBOL, FeeAsset.QUOTE))
    for i in range(ACCOUNTS):
        account = FIRST_ACCOUNT + i
        commands.append(Deposit(account, "KRW", 10**15, f"seed-krw-{account}"))
        if not PERMISSIONED:
            commands.append(Deposit(account, "KGLD", SEED_KGLD, f"seed-kgld-{account}"))
    return commands


def workload_commands(ops: list[tuple[int, int, int, int, int, int]]) -> list[Command]:
    commands: list[Command] = []
    for op, oid, side, price, qty, acct in ops:
        account = FIRST_ACCOUNT + acct
        if op == 0:
            commands.append(
                PlaceOrder(
                    account,
                    SYMBOL,
                    Side.BUY if side == 0 else Side.SELL,
                    OrderType.LIMIT,
                    quantity=qty * STEP,
                    price=price * TICK,
                    time_in_force=TimeInForce.GTC,
                )
            )
        else:
            commands.append(CancelOrder(account, SYMBOL, order_id=oid))
    return commands


def fresh_engine() -> tuple[Engine, int]:
    engine = Engine()
    seq = 0
    for command in setup_commands():
        seq += 1
        engine.apply(seq, seq, command)
    return engine, seq


BATCH = 1024


def batches(ops: list[tuple[int, int, int, int, int, int]]) -> Iterator[list[Command]]:
    for start in range(0, len(ops), BATCH):
        yield workload_commands(ops[start : start + BATCH])


def throughput_pass(ops: list[tuple[int, int, int, int, int, int]]) -> tuple[float, Engine]:
    engine, seq = fresh_engine()
    apply = engine.apply
    clock = time.perf_counter
    elapsed = 0.0
    gc.collect()
    gc.freeze()
    for commands in batches(ops):
        start = clock()
        for command in commands:
            seq += 1
            apply(seq, seq, command)
        elapsed += clock() - start
    return elapsed, engine


def latency_pass(
    ops: list[tuple[int, int, int, int, int, int]],
) -> tuple[list[int], int, int, Engine]:
    engine, seq = fresh_engine()
    apply = engine.apply
    clock = time.perf_counter_ns
    latencies = [0] * len(ops)
    fills = volume = 0
    i = 0
    gc.collect()
    gc.freeze()
    for commands in batches(ops):
        for command in commands:
            seq += 1
            t0 = clock()
            events = apply(seq, seq, command)
            latencies[i] = clock() - t0
            i += 1
            for event in events:
                if type(event) is TradeExecuted:
                    fills += 1
                    volume += event.quantity
    return latencies, fills, volume // STEP, engine


def percentile(sorted_values: list[int], fraction: float) -> float:
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--fee-asset",
        choices=[asset.value for asset in FeeAsset],
        default=FeeAsset.RECEIVED.value,
        help="the market's fee rule: RECEIVED (Binance's) or QUOTE (buyers pay in KRW)",
    )
    parser.add_argument(
        "--permissioned",
        action="store_true",
        help="KGLD under holder rules: every order and trade asks the gate",
    )
    args = parser.parse_args()
    global FEE_ASSET, PERMISSIONED
    FEE_ASSET = FeeAsset(args.fee_asset)
    PERMISSIONED = args.permissioned

    workload = load_workload_module()
    stats: dict[str, int] = {}
    ops = list(workload.generate(args.ops, args.seed, stats=stats))  # type: ignore[attr-defined]

    elapsed, engine = throughput_pass(ops)
    live = sum(len(mine) for mine in engine.markets[SYMBOL].open_orders.values())
    del engine
    gc.unfreeze()
    latencies, fills, volume, _ = latency_pass(ops)
    latencies.sort()

    ok = fills == stats["fills"] and volume == stats["volume"] and live == stats["live"]
    result = {
        "ops": args.ops,
        "seed": args.seed,
        "fee_asset": FEE_ASSET.value,
        "permissioned": PERMISSIONED,
        "ops_per_s": round(args.ops / elapsed),
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
        "p999_us": percentile(latencies, 0.999),
        "max_us": latencies[-1] / 1000,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "fills": fills,
        "volume": volume,
        "live": live,
        "matches_generator": ok,
    }
    if not ok:
        print(f"MISMATCH with the generator: expected {stats}", file=sys.stderr)
    print(json.dumps(result))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
