"""`assetport por build`: the proof-of-reserves tree of a data dir's journal, written out.

The journal is replayed from seq 1 into a fresh engine (read-only, as `journal replay`
does, so it may run beside the writer); every user account's balance (free + held) of
every listed asset becomes a leaf (`domain/proof_of_reserves/tree.py`). The output
directory gets `root.json` (to publish) and `proofs/<account>.json` (one per account, to
hand to that account only: each holds its leaf's secret salt), every file mode 0600.
"""

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.commands import decode_command
from assetport.domain.proof_of_reserves.tree import AsOf, Reserve, SumTree
from assetport.domain.units import AmountError, from_units, to_units
from assetport.engine.engine import Engine
from assetport.runtime.replay import read_records


class ReservesError(Exception):
    """A reserves file or an output directory the build cannot use: one line."""


@dataclass
class Ledger:
    """What the tree is built from: the assets, each user's balances, and the as-of point."""

    assets: list[tuple[str, int]]
    liabilities: list[tuple[int, tuple[int, ...]]]
    seq: int
    time_us: int


def replay_liabilities(data_dir: Path) -> Ledger:
    """Replay the journal from seq 1 and read every user's balances from the ledger."""
    engine = Engine()
    time_us = 0
    apply = engine.apply
    for record in read_records(data_dir):
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


def read_reserves(path: Path, assets: Sequence[tuple[str, int]]) -> dict[str, list[Reserve]]:
    """The operator's reserves file: {"BTC": [{"address": "...", "balance": "1.5"}, ...]}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReservesError(f"--reserves: cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReservesError(f"--reserves: {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ReservesError(f"--reserves: {path} is not an object of asset codes")
    precision = dict(assets)
    reserves: dict[str, list[Reserve]] = {}
    for code, entries in data.items():
        if code not in precision:
            raise ReservesError(f"--reserves: {code!r} is not a listed asset")
        if not isinstance(entries, list):
            raise ReservesError(f"--reserves: {code} is not a list of addresses")
        reserves[code] = [_reserve(code, entry, precision[code]) for entry in entries]
    return reserves


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


def build(ledger: Ledger, out: Path, reserves: Mapping[str, Sequence[Reserve]]) -> Built:
    """Build the tree and write root.json and one proof per account into `out`, which must
    be new or empty (proofs of two builds must not mix: their salts differ)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReservesError(f"--out: {out} is not an empty directory")
    tree = SumTree(ledger.assets, ledger.liabilities)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    root = tree.root_document(AsOf(ledger.seq, ledger.time_us, generated), reserves)
    proofs = out / "proofs"
    proofs.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.chmod(out, 0o700)
    os.chmod(proofs, 0o700)
    _write_private(out / "root.json", json.dumps(root, indent=1))
    root_json = json.dumps(root, separators=(",", ":"))
    for account in tree.accounts:
        _write_private(proofs / f"{account}.json", tree.proof_json(account, root_json))
    return Built(root, tree, len(tree.accounts))


def _write_private(path: Path, text: str) -> None:
    """A new file, mode 0600 whatever the umask (which can only take bits away)."""
    data = text.encode() + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def ratios(built: Built, reserves: Mapping[str, Sequence[Reserve]]) -> Iterator[str]:
    """Per asset: liabilities, stated reserves, and reserves / liabilities."""
    yield f"{'asset':<8} {'liabilities':>28} {'reserves':>28} {'ratio':>10}"
    tree = built.tree
    for (code, precision), owed in zip(tree.assets, tree.totals, strict=True):
        liabilities = from_units(owed, precision)
        if code not in reserves:
            yield f"{code:<8} {liabilities:>28} {'not stated':>28} {'-':>10}"
            continue
        held = sum(reserve.units for reserve in reserves[code])
        stated = from_units(held, precision)
        ratio = f"{Decimal(held) / Decimal(owed):.4f}" if owed else "-"
        yield f"{code:<8} {liabilities:>28} {stated:>28} {ratio:>10}"
