"""`assetport por build` and `por publish`: the proof-of-reserves tree of a data dir's
ledger, written out.

The ledger is read as recovery reads it, from the newest snapshot and the journal's tail
(read-only, so it may run beside the writer; without a snapshot, from seq 1); every user
account's balance (free + held) of every listed asset becomes a leaf
(`domain/proof_of_reserves/tree.py`). A build directory gets `root.json` (to publish) and
`proofs/<account>.json` (one per account, to hand to that account only: each holds its
leaf's secret salt), every file mode 0600.

`publish` builds into `<por_dir>/builds/<seq>-<time>/`, then points `<por_dir>/current` at it
in one rename (the server serves `current`), appends the root's summary to
`<por_dir>/history.jsonl` (every root ever published, so a proof kept from an older build
can still be matched to a root that was published), and removes older builds but a few.
"""

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.commands import decode_command
from assetport.domain.proof_of_reserves.tree import AsOf, Reserve, SumTree
from assetport.domain.units import AmountError, from_units, to_units
from assetport.engine.engine import Engine
from assetport.journal.durable import sync_directory, write_all
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.replay import read_records

# Where the server serves the proof from, in the data directory, unless told otherwise.
POR_DIR: Final = "proof-of-reserves"
BUILDS_DIR: Final = "builds"
CURRENT: Final = "current"
HISTORY_FILE: Final = "history.jsonl"
LOCK_FILE: Final = ".publish.lock"
# Builds kept besides the current one: a proof fetched a moment before a switch still
# finds its files; older ones are gone (their roots stay in the history).
KEEP_BUILDS: Final = 2


class ReservesError(Exception):
    """A reserves file or an output directory the build cannot use: one line."""


@dataclass
class Ledger:
    """What the tree is built from: the assets, each user's balances, and the as-of point."""

    assets: list[tuple[str, int]]
    liabilities: list[tuple[int, tuple[int, ...]]]
    seq: int
    time_us: int


def current_liabilities(data_dir: Path) -> Ledger:
    """The ledger now: the newest snapshot (if any) and the journal's records after it,
    applied to a fresh engine as recovery would; every user's balances read from it."""
    latest = SnapshotStore.in_data_dir(data_dir).latest()
    engine, snapshot_seq = Engine(), 0
    if latest is not None:
        snapshot_seq, state = latest
        engine = Engine.restore(state)
    time_us = 0
    apply = engine.apply
    # From the snapshot's own last record, only for its time (the as-of point's).
    for record in read_records(data_dir, after=max(snapshot_seq - 1, 0)):
        if record.seq > snapshot_seq:
            apply(record.seq, record.time, decode_command(record.payload))
        time_us = record.time
    return liabilities_of(engine, time_us)


def liabilities_of(engine: Engine, time_us: int) -> Ledger:
    assets = sorted((asset.code, asset.precision) for asset in engine.listed_assets())
    column = {code: i for i, (code, _) in enumerate(assets)}
    by_account: dict[int, list[int]] = {}
    for account, asset, free, held in engine.balances():
        if account < FIRST_USER_ACCOUNT:
            continue  # platform accounts are not liabilities
        row = by_account.get(account)
        if row is None:
            row = by_account[account] = [0] * len(assets)
        row[column[asset]] += free + held
    liabilities = [(account, tuple(by_account[account])) for account in sorted(by_account)]
    return Ledger(assets, liabilities, engine.last_seq, time_us)


@dataclass
class Stated:
    """The reserves stated beside a root: per asset, addresses and balances; and, when
    they were read from a chain node, which chain and block (`chain`)."""

    reserves: dict[str, list[Reserve]] = field(default_factory=dict)
    chain: dict[str, Any] | None = None


def read_reserves(path: Path, assets: Sequence[tuple[str, int]]) -> Stated:
    """The operator's reserves file: {"BTC": [{"address": "...", "balance": "1.5"}, ...]},
    or what `assetport admin custody reserves` prints ({"chain": ..., "reserves": ...})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReservesError(f"--reserves: cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReservesError(f"--reserves: {path} is not JSON: {exc}") from exc
    return parse_reserves(data, assets, str(path))


def parse_reserves(data: object, assets: Sequence[tuple[str, int]], source: str) -> Stated:
    """Reserves in either form `read_reserves` takes, checked against the listed assets."""
    if not isinstance(data, dict):
        raise ReservesError(f"--reserves: {source} is not an object of asset codes")
    chain = None
    by_asset: dict[str, object] = data
    if isinstance(data.get("reserves"), dict):
        chain = data.get("chain")
        if chain is not None and not isinstance(chain, dict):
            raise ReservesError(f"--reserves: {source}: 'chain' is not an object")
        by_asset = data["reserves"]
    precision = dict(assets)
    reserves: dict[str, list[Reserve]] = {}
    for code, entries in by_asset.items():
        if code not in precision:
            raise ReservesError(f"--reserves: {code!r} is not a listed asset")
        if not isinstance(entries, list):
            raise ReservesError(f"--reserves: {code} is not a list of addresses")
        reserves[code] = [_reserve(code, entry, precision[code]) for entry in entries]
    return Stated(reserves, chain)


def _reserve(code: str, entry: object, precision: int) -> Reserve:
    if not isinstance(entry, dict):
        raise ReservesError(f"--reserves: an entry of {code} is not an object")
    address, balance = entry.get("address"), entry.get("balance")
    if not isinstance(address, str) or not address or not address.isprintable():
        raise ReservesError(f"--reserves: an entry of {code} has no printable address")
    if not isinstance(balance, str):
        raise ReservesError(f"--reserves: {code} {address}: the balance is not a decimal string")
    try:
        units = to_units(balance, precision)
    except AmountError as exc:
        raise ReservesError(f"--reserves: {code} {address}: {exc}") from exc
    if units < 0:
        raise ReservesError(f"--reserves: {code} {address}: a negative balance")
    return Reserve(address, units)


@dataclass
class Built:
    root: dict[str, object]
    tree: SumTree
    proofs: int
    ledger: Ledger  # what it was built from
    stated: Stated


def build(ledger: Ledger, out: Path, stated: Stated) -> Built:
    """Build the tree and write root.json and one proof per account into `out`, which must
    be new or empty (proofs of two builds must not mix: their salts differ)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReservesError(f"--out: {out} is not an empty directory")
    tree = SumTree(ledger.assets, ledger.liabilities)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    root = tree.root_document(
        AsOf(ledger.seq, ledger.time_us, generated), stated.reserves, stated.chain
    )
    proofs = out / "proofs"
    proofs.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.chmod(out, 0o700)
    os.chmod(proofs, 0o700)
    _write_private(out / "root.json", json.dumps(root, indent=1))
    root_json = json.dumps(root, separators=(",", ":"))
    for account in tree.accounts:
        _write_private(proofs / f"{account}.json", tree.proof_json(account, root_json))
    return Built(root, tree, len(tree.accounts), ledger, stated)


def publish(
    por_dir: Path, gather: Callable[[], tuple[Ledger, Stated]], keep: int = KEEP_BUILDS
) -> Built:
    """Build into a new directory under `por_dir/builds`, make it the served one, record
    its root in the history. One publisher at a time, and each reads the ledger and the
    reserves (`gather`) only once it has its turn: a slow one can never put an older
    ledger in place after a newer one."""
    created = not por_dir.exists()
    por_dir.mkdir(parents=True, mode=0o700, exist_ok=True)
    lock = os.open(por_dir / LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ledger, stated = gather()
        except BaseException:
            if created:  # a refused first publication leaves nothing behind
                shutil.rmtree(por_dir, ignore_errors=True)
            raise
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{ledger.seq:012d}-{stamp}"
        builds = por_dir / BUILDS_DIR
        builds.mkdir(mode=0o700, exist_ok=True)
        built = build(ledger, builds / name, stated)
        sync_directory(builds)
        _point_current(por_dir, name)
        _append_history(por_dir / HISTORY_FILE, history_entry(built.root))
        _prune(builds, name, keep)
        return built
    finally:
        os.close(lock)  # releases the lock


def _point_current(por_dir: Path, name: str) -> None:
    """`current` -> builds/<name>, replaced in one rename: a reader sees the old build or
    the new one, never neither."""
    temporary = por_dir / f"{CURRENT}.new"
    temporary.unlink(missing_ok=True)
    os.symlink(Path(BUILDS_DIR) / name, temporary)
    os.replace(temporary, por_dir / CURRENT)
    sync_directory(por_dir)


def history_entry(root: Mapping[str, Any]) -> dict[str, Any]:
    """What the history keeps of a root: all but the reserves' address lists (in the
    build's root.json), so the history stays small however many deposit addresses hold."""
    reserves = root.get("reserves", {})
    return {
        "hash": root["hash"],
        "tree_hash": root["tree_hash"],
        "as_of": root["as_of"],
        "generated": root["generated"],
        "accounts": root["accounts"],
        "assets": root["assets"],
        "totals": root["totals"],
        "reserves": {
            code: {
                "units": stated["units"],
                "total": stated["total"],
                "addresses": len(stated["addresses"]),
            }
            for code, stated in reserves.items()
        },
        "reserves_read": root.get("reserves_read"),
    }


def _append_history(path: Path, entry: Mapping[str, Any]) -> None:
    line = json.dumps(entry, separators=(",", ":")).encode() + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        write_all(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(builds: Path, current: str, keep: int) -> None:
    names = sorted(entry.name for entry in builds.iterdir() if entry.is_dir())
    older = [name for name in names if name != current]
    for name in older[: max(len(older) - keep, 0)]:
        shutil.rmtree(builds / name, ignore_errors=True)


def _write_private(path: Path, text: str) -> None:
    """A new file, mode 0600 whatever the umask (which can only take bits away)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        write_all(fd, text.encode() + b"\n")
    finally:
        os.close(fd)


def ratios(built: Built) -> Iterator[str]:
    """Per asset: liabilities, stated reserves, and reserves / liabilities."""
    reserves = built.stated.reserves
    yield f"{'asset':<8} {'liabilities':>28} {'reserves':>28} {'ratio':>10}"
    tree = built.tree
    for (code, precision), owed in zip(tree.assets, tree.totals, strict=True):
        liabilities = from_units(owed, precision)
        if code not in reserves:
            yield f"{code:<8} {liabilities:>28} {'not stated':>28} {'-':>10}"
            continue
        held = sum(reserve.units for reserve in reserves[code])
        shown = from_units(held, precision)
        ratio = f"{Decimal(held) / Decimal(owed):.4f}" if owed else "-"
        yield f"{code:<8} {liabilities:>28} {shown:>28} {ratio:>10}"
