"""Check one account's proof of reserves: standard library only, so it can be copied alone.

    python verify.py PROOF.json [--root ROOT.json]

A proof (written by `assetport por build`) holds the account's leaf (its salt, account
number and balance per asset), the sibling path up to the top of the Merkle sum tree, and
the published root. This module recomputes the leaf's hash, climbs the path adding the
sums, refuses any negative or oversized amount, and checks that the top it reaches is the
root's: the same per-asset totals, and the same root hash. Given the separately published
root file too, it checks that the proof's root is that one.

The byte encoding, which the builder (`tree.py`) uses from here, so there is one
definition (docs/proof-of-reserves.md says the same):

    amount      16 bytes, unsigned big-endian (0 .. 2**128 - 1; a negative cannot be encoded)
    amounts     one amount per asset, in the root's asset order (codes sorted), no count
    leaf        SHA-256(0x00 || salt (32 bytes) || account (8 bytes, big-endian)
                        || asset count (4 bytes, big-endian) || amounts)
    node        SHA-256(0x01 || left hash || left sums || right hash || right sums),
                sums = amounts, each the left's plus the right's
    padding     a level with an odd number of nodes gets one more on its right: the empty
                node, hash SHA-256(0x03 || "assetport-por-empty"), every sum zero
    root        SHA-256(0x02 || asset count (4 bytes) || per asset: code length (1 byte),
                code (ASCII), precision (1 byte) || top hash || top sums
                || account count (8 bytes) || as-of seq (8 bytes) || as-of time (8 bytes,
                microseconds since the Unix epoch))

In the JSON, integer units are strings of decimal digits (JavaScript's numbers would round
them); amounts for people are decimal strings in the asset's precision.
"""

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PROOF_FORMAT: Final = "assetport-por-proof/1"
ROOT_FORMAT: Final = "assetport-por-root/1"
AMOUNT_BYTES: Final = 16
SALT_BYTES: Final = 32
HASH_BYTES: Final = 32
LEAF_TAG: Final = b"\x00"
NODE_TAG: Final = b"\x01"
ROOT_TAG: Final = b"\x02"
EMPTY_HASH: Final = hashlib.sha256(b"\x03assetport-por-empty").digest()
MAX_ACCOUNT: Final = (1 << 64) - 1
MAX_PATH: Final = 64
MAX_PRECISION: Final = 30
_UNITS = re.compile(r"0|[1-9][0-9]{0,38}")
_HEX = re.compile(r"[0-9a-f]{64}")
_CODE = re.compile(r"[A-Z0-9]{1,32}")


class ProofError(ValueError):
    """Why a proof does not hold: one sentence for the person checking it."""


def encode_amounts(amounts: Sequence[int]) -> bytes:
    """The fixed-width encoding of one amount per asset; a negative is refused."""
    try:
        return b"".join([amount.to_bytes(AMOUNT_BYTES, "big") for amount in amounts])
    except OverflowError:
        bad = next(a for a in amounts if not 0 <= a < 1 << (8 * AMOUNT_BYTES))
        raise ProofError(f"amount {bad} is negative or too large") from None


def leaf_hash(salt: bytes, account: int, encoded_amounts: bytes, assets: int) -> bytes:
    if len(salt) != SALT_BYTES:
        raise ProofError(f"a salt is {SALT_BYTES} bytes, not {len(salt)}")
    if not 0 <= account <= MAX_ACCOUNT:
        raise ProofError(f"account {account} is out of range")
    return hashlib.sha256(
        LEAF_TAG + salt + account.to_bytes(8, "big") + assets.to_bytes(4, "big") + encoded_amounts
    ).digest()


def node_hash(left: bytes, left_sums: bytes, right: bytes, right_sums: bytes) -> bytes:
    return hashlib.sha256(NODE_TAG + left + left_sums + right + right_sums).digest()


def root_hash(
    assets: Sequence[tuple[str, int]],
    top: bytes,
    top_sums: bytes,
    accounts: int,
    seq: int,
    time_us: int,
) -> bytes:
    """The published root hash: the top node bound to the asset list and the as-of point."""
    parts = [ROOT_TAG, len(assets).to_bytes(4, "big")]
    for code, precision in assets:
        raw = code.encode("ascii")
        parts += [len(raw).to_bytes(1, "big"), raw, precision.to_bytes(1, "big")]
    parts += [top, top_sums]
    parts += [value.to_bytes(8, "big") for value in (accounts, seq, time_us)]
    return hashlib.sha256(b"".join(parts)).digest()


def decimal_text(units: int, precision: int) -> str:
    """Integer units as a decimal string with exactly `precision` places."""
    if precision == 0:
        return str(units)
    digits = str(units).rjust(precision + 1, "0")
    return f"{digits[:-precision]}.{digits[-precision:]}"


# Reading the JSON: every field checked, with the place it was found named in the error.


def _field(obj: object, key: str, where: str) -> object:
    if not isinstance(obj, dict):
        raise ProofError(f"{where} is not a JSON object")
    if key not in obj:
        raise ProofError(f"{where} has no '{key}'")
    return obj[key]


def _int(obj: object, key: str, where: str, top: int = (1 << 64) - 1) -> int:
    value = _field(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProofError(f"{where}.{key} is not an integer")
    if value < 0:
        raise ProofError(f"{where}.{key} is negative ({value})")
    if value > top:
        raise ProofError(f"{where}.{key} is too large ({value})")
    return value


def _str(obj: object, key: str, where: str) -> str:
    value = _field(obj, key, where)
    if not isinstance(value, str):
        raise ProofError(f"{where}.{key} is not a string")
    return value


def _list(obj: object, key: str, where: str) -> list[object]:
    value = _field(obj, key, where)
    if not isinstance(value, list):
        raise ProofError(f"{where}.{key} is not a list")
    return value


def _hex(obj: object, key: str, where: str) -> bytes:
    value = _str(obj, key, where)
    if not _HEX.fullmatch(value):
        raise ProofError(f"{where}.{key} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def parse_units(value: object, where: str) -> int:
    """Integer units, given as a string of decimal digits; a negative is named as such."""
    if not isinstance(value, str):
        raise ProofError(f"{where} is not a string of digits")
    if value.startswith("-"):
        raise ProofError(f"{where} is negative ({value})")
    if not _UNITS.fullmatch(value):
        raise ProofError(f"{where} is not a whole number of units ({value!r})")
    units = int(value)
    if units >= 1 << (8 * AMOUNT_BYTES):
        raise ProofError(f"{where} is too large ({value})")
    return units


def _sums(values: list[object], count: int, where: str) -> list[int]:
    if len(values) != count:
        raise ProofError(f"{where} has {len(values)} sums for {count} assets")
    return [parse_units(value, f"{where}[{i}]") for i, value in enumerate(values)]


@dataclass(frozen=True)
class Root:
    hash: bytes
    tree_hash: bytes
    assets: list[tuple[str, int]]
    totals: list[int]
    accounts: int
    seq: int
    time_us: int


def read_root(obj: object, where: str = "root") -> Root:
    """A root document whose hash agrees with its own fields (not yet with any tree)."""
    if _field(obj, "format", where) != ROOT_FORMAT:
        raise ProofError(f"{where} is not a {ROOT_FORMAT} document")
    assets: list[tuple[str, int]] = []
    for i, entry in enumerate(_list(obj, "assets", where)):
        at = f"{where}.assets[{i}]"
        code = _str(entry, "asset", at)
        if not _CODE.fullmatch(code):
            raise ProofError(f"{at}.asset is not an asset code ({code!r})")
        assets.append((code, _int(entry, "precision", at, MAX_PRECISION)))
    codes = [code for code, _ in assets]
    if codes != sorted(set(codes)):
        raise ProofError(f"{where}.assets are not sorted by code without repeats")
    totals_list = _list(obj, "totals", where)
    if len(totals_list) != len(assets):
        raise ProofError(f"{where}.totals has {len(totals_list)} entries for {len(assets)} assets")
    totals = []
    for i, entry in enumerate(totals_list):
        at = f"{where}.totals[{i}]"
        if _str(entry, "asset", at) != assets[i][0]:
            raise ProofError(f"{at}.asset is not {assets[i][0]}")
        units = parse_units(_field(entry, "units", at), f"{at}.units")
        if _str(entry, "amount", at) != decimal_text(units, assets[i][1]):
            raise ProofError(f"{at}.amount does not say {units} units")
        totals.append(units)
    as_of = _field(obj, "as_of", where)
    root = Root(
        hash=_hex(obj, "hash", where),
        tree_hash=_hex(obj, "tree_hash", where),
        assets=assets,
        totals=totals,
        accounts=_int(obj, "accounts", where),
        seq=_int(as_of, "seq", f"{where}.as_of"),
        time_us=_int(as_of, "time_us", f"{where}.as_of"),
    )
    expected = root_hash(
        assets, root.tree_hash, encode_amounts(totals), root.accounts, root.seq, root.time_us
    )
    if expected != root.hash:
        raise ProofError(f"{where}.hash does not match its tree hash, totals, assets and as-of")
    return root


@dataclass(frozen=True)
class Verified:
    account: int
    root: Root
    balances: list[int]


def verify_proof(proof: object, published_root: object | None = None) -> Verified:
    """Check a proof document (parsed JSON); raise ProofError saying why it fails."""
    if _field(proof, "format", "proof") != PROOF_FORMAT:
        raise ProofError(f"this is not a {PROOF_FORMAT} document")
    root_obj = _field(proof, "root", "proof")
    root = read_root(root_obj)
    count = len(root.assets)

    leaf = _field(proof, "leaf", "proof")
    account = _int(leaf, "account", "leaf", MAX_ACCOUNT)
    salt = _hex(leaf, "salt", "leaf")
    entries = _list(leaf, "balances", "leaf")
    if len(entries) != count:
        raise ProofError(f"leaf.balances has {len(entries)} entries for {count} assets")
    balances = []
    for i, entry in enumerate(entries):
        at = f"leaf.balances[{i}]"
        code, precision = root.assets[i]
        if _str(entry, "asset", at) != code:
            raise ProofError(f"{at}.asset is not {code}")
        units = parse_units(_field(entry, "units", at), f"{at}.units")
        if _str(entry, "amount", at) != decimal_text(units, precision):
            raise ProofError(f"{at}.amount does not say {units} units")
        balances.append(units)

    sums = balances
    encoded = encode_amounts(sums)
    current = leaf_hash(salt, account, encoded, count)
    path = _list(proof, "path", "proof")
    if len(path) > MAX_PATH:
        raise ProofError(f"the path has {len(path)} steps, more than {MAX_PATH}")
    for i, step in enumerate(path):
        at = f"path[{i}]"
        sibling = _hex(step, "hash", at)
        sibling_sums = _sums(_list(step, "sums", at), count, f"{at}.sums")
        sibling_encoded = encode_amounts(sibling_sums)
        side = _field(step, "side", at)
        if side == "left":
            current = node_hash(sibling, sibling_encoded, current, encoded)
        elif side == "right":
            current = node_hash(current, encoded, sibling, sibling_encoded)
        else:
            raise ProofError(f"{at}.side is neither 'left' nor 'right'")
        sums = [mine + theirs for mine, theirs in zip(sums, sibling_sums, strict=True)]
        encoded = encode_amounts(sums)

    if current != root.tree_hash:
        raise ProofError("the path does not lead to the root's tree hash")
    if sums != root.totals:
        raise ProofError("the sums along the path do not add up to the root's totals")
    if published_root is not None:
        published = read_root(published_root, "published root")
        if published.hash != root.hash:
            raise ProofError(
                f"the proof's root {root.hash.hex()} is not the published root "
                f"{published.hash.hex()}"
            )
        if published_root != root_obj:
            raise ProofError("the proof's root document differs from the published one")
    return Verified(account, root, balances)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ProofError(f"the key '{key}' appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ProofError(f"{name} is not a number a proof may hold")


def load_json(path: Path) -> object:
    """A JSON file, with repeated keys and NaN/Infinity refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProofError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProofError(f"{path} is not UTF-8 text") from exc
    try:
        value: object = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as exc:
        raise ProofError(f"{path} is not JSON: {exc}") from exc
    return value


def report(verified: Verified) -> list[str]:
    """What an OK verification prints: the account's balances and the root's totals."""
    root = verified.root
    lines = [
        f"OK: account {verified.account} is included in root {root.hash.hex()}",
        f"as of seq {root.seq} (time {root.time_us} us), {root.accounts} accounts",
        f"{'asset':<8} {'your balance':>28} {'all liabilities':>28}",
    ]
    for (code, precision), mine, total in zip(
        root.assets, verified.balances, root.totals, strict=True
    ):
        lines.append(
            f"{code:<8} {decimal_text(mine, precision):>28} {decimal_text(total, precision):>28}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check one account's proof of reserves")
    parser.add_argument("proof", type=Path, help="the account's proof (JSON)")
    parser.add_argument("--root", type=Path, default=None, help="the published root.json")
    args = parser.parse_args(argv)
    try:
        proof = load_json(args.proof)
        published = None if args.root is None else load_json(args.root)
        verified = verify_proof(proof, published)
    except ProofError as exc:
        print(f"FAILED: {exc}")
        return 1
    print("\n".join(report(verified)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
