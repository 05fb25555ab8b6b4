"""The Merkle sum tree over the users' liabilities, and each account's proof in it.

One leaf per user account (ids from `FIRST_USER_ACCOUNT`), in account order, carrying its
balance (free + held) of every listed asset; each internal node carries the per-asset sums
of its two children and a hash over both children's hashes and sums, so no node can change
a sum, or hide a negative one, without changing the root. The bytes hashed are defined once,
in `verify.py`, which the person checking a proof runs (docs/proof-of-reserves.md).

A leaf's salt (32 random bytes from `secrets`) keeps its neighbours from guessing its
balances from the hash in their path: each proof holds its own salt, so it is secret to its
account.
"""

import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import add

from assetport.domain.proof_of_reserves.verify import (
    EMPTY_HASH,
    PROOF_FORMAT,
    ROOT_FORMAT,
    SALT_BYTES,
    decimal_text,
    encode_amounts,
    leaf_hash,
    node_hash,
    root_hash,
)


class NegativeBalance(ValueError):
    """A liability below zero: a tree over it would prove nothing."""


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


@dataclass(frozen=True)
class AsOf:
    """The point of the journal the tree was built at, and when it was built."""

    seq: int
    time_us: int
    generated: str = ""


@dataclass(frozen=True)
class Reserve:
    """One on-chain address holding some of an asset, as the operator states it."""

    address: str
    units: int


class SumTree:
    """Every level of the tree, leaves first; a level of odd length has the empty node
    appended, so every node but the top has a sibling."""

    def __init__(
        self,
        assets: Sequence[tuple[str, int]],
        liabilities: Iterable[tuple[int, Sequence[int]]],
        salt: Callable[[], bytes] = new_salt,
    ) -> None:
        self.assets = [(code, precision) for code, precision in assets]
        count = len(self.assets)
        self.accounts: list[int] = []
        self.salts: list[bytes] = []
        self.index: dict[int, int] = {}
        self._rendered: dict[tuple[int, int], str] = {}
        hashes: list[bytes] = []
        sums: list[tuple[int, ...]] = []
        encoded: list[bytes] = []
        for account, balances in liabilities:
            values = tuple(balances)
            if len(values) != count:
                raise ValueError(f"account {account} has {len(values)} balances, not {count}")
            if values and min(values) < 0:
                code = self.assets[values.index(min(values))][0]
                raise NegativeBalance(f"account {account} owes {min(values)} units of {code}")
            if account in self.index:
                raise ValueError(f"account {account} appears twice")
            self.index[account] = len(self.accounts)
            self.accounts.append(account)
            salt_bytes = salt()
            self.salts.append(salt_bytes)
            packed = encode_amounts(values)
            hashes.append(leaf_hash(salt_bytes, account, packed, count))
            sums.append(values)
            encoded.append(packed)
        zero = (0,) * count
        zero_encoded = encode_amounts(zero)
        self.hashes = [hashes]
        self.sums = [sums]
        self.encoded = [encoded]
        if not hashes:  # no user at all: the top is the empty node
            hashes.append(EMPTY_HASH)
            sums.append(zero)
            encoded.append(zero_encoded)
        while len(hashes) > 1:
            if len(hashes) % 2:
                hashes.append(EMPTY_HASH)
                sums.append(zero)
                encoded.append(zero_encoded)
            up_hashes: list[bytes] = []
            up_sums: list[tuple[int, ...]] = []
            up_encoded: list[bytes] = []
            for left in range(0, len(hashes), 2):
                right = left + 1
                total = tuple(map(add, sums[left], sums[right]))
                up_hashes.append(
                    node_hash(hashes[left], encoded[left], hashes[right], encoded[right])
                )
                up_sums.append(total)
                up_encoded.append(encode_amounts(total))
            hashes, sums, encoded = up_hashes, up_sums, up_encoded
            self.hashes.append(hashes)
            self.sums.append(sums)
            self.encoded.append(encoded)

    @property
    def top_hash(self) -> bytes:
        return self.hashes[-1][0]

    @property
    def totals(self) -> tuple[int, ...]:
        return self.sums[-1][0]

    def root_hash(self, as_of: AsOf) -> bytes:
        return root_hash(
            self.assets,
            self.top_hash,
            self.encoded[-1][0],
            len(self.accounts),
            as_of.seq,
            as_of.time_us,
        )

    def root_document(
        self,
        as_of: AsOf,
        reserves: Mapping[str, Sequence[Reserve]] | None = None,
        reserves_read: Mapping[str, object] | None = None,
    ) -> dict[str, object]:
        """root.json: what the operator publishes. `reserves` (per asset code, the
        addresses and balances) are the operator's statement, shown beside the totals but
        outside the hash: anyone checks them on the chain itself, at the block
        `reserves_read` names (the chain's network, id and block, when read from a node)."""
        precision = dict(self.assets)
        stated: dict[str, object] = {}
        for code, addresses in sorted((reserves or {}).items()):
            held = sum(reserve.units for reserve in addresses)
            stated[code] = {
                "addresses": [
                    {
                        "address": reserve.address,
                        "units": str(reserve.units),
                        "balance": decimal_text(reserve.units, precision[code]),
                    }
                    for reserve in addresses
                ],
                "units": str(held),
                "total": decimal_text(held, precision[code]),
            }
        return {
            "format": ROOT_FORMAT,
            "hash": self.root_hash(as_of).hex(),
            "tree_hash": self.top_hash.hex(),
            "assets": [{"asset": code, "precision": places} for code, places in self.assets],
            "totals": _amounts(self.assets, self.totals),
            "accounts": len(self.accounts),
            "as_of": {"seq": as_of.seq, "time_us": as_of.time_us},
            "generated": as_of.generated,
            "reserves": stated,
            "reserves_read": None if reserves_read is None else dict(reserves_read),
        }

    def proof(self, account: int, root: Mapping[str, object]) -> dict[str, object]:
        """One account's proof: its leaf, the siblings up to the top, and the root."""
        index = self.index[account]
        leaf = index
        path: list[dict[str, object]] = []
        for level in range(len(self.hashes) - 1):
            sibling = index ^ 1
            path.append(
                {
                    "side": "left" if sibling < index else "right",
                    "hash": self.hashes[level][sibling].hex(),
                    "sums": [str(value) for value in self.sums[level][sibling]],
                }
            )
            index >>= 1
        return {
            "format": PROOF_FORMAT,
            "leaf": {
                "account": account,
                "salt": self.salts[leaf].hex(),
                "balances": _amounts(self.assets, self.sums[0][leaf]),
            },
            "path": path,
            "root": root,
        }

    def proof_json(self, account: int, root_json: str) -> str:
        """`proof(account, root)` as compact JSON text, `root_json` being the root's: the
        path's nodes are rendered once each and shared by every proof through them."""
        index = self.index[account]
        leaf = {
            "account": account,
            "salt": self.salts[index].hex(),
            "balances": _amounts(self.assets, self.sums[0][index]),
        }
        steps = []
        for level in range(len(self.hashes) - 1):
            steps.append(self._step(level, index ^ 1, "left" if index & 1 else "right"))
            index >>= 1
        return "".join(
            [
                '{"format":',
                json.dumps(PROOF_FORMAT),
                ',"leaf":',
                json.dumps(leaf, separators=(",", ":")),
                ',"path":[',
                ",".join(steps),
                '],"root":',
                root_json,
                "}",
            ]
        )

    def _step(self, level: int, node: int, side: str) -> str:
        rendered = self._rendered.get((level, node))
        if rendered is None:
            sums = ",".join([f'"{value}"' for value in self.sums[level][node]])
            rendered = (
                f'{{"side":"{side}","hash":"{self.hashes[level][node].hex()}","sums":[{sums}]}}'
            )
            if level:  # a leaf's neighbour is the only proof that shows it: kept only above
                self._rendered[(level, node)] = rendered
        return rendered


def _amounts(assets: Sequence[tuple[str, int]], values: Sequence[int]) -> list[dict[str, str]]:
    return [
        {"asset": code, "units": str(value), "amount": decimal_text(value, precision)}
        for (code, precision), value in zip(assets, values, strict=True)
    ]
