"""Proof of reserves (issue 16): every account's proof verifies against the root, and any
change to an amount, a salt, a sibling's hash or sums, or the root makes it fail; a negative
balance is refused when building and when verifying."""

import ast
import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.commands import Deposit, ListAsset, ListMarket, PlaceOrder
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side
from assetport.domain.proof_of_reserves import verify as verifier
from assetport.domain.proof_of_reserves.tree import AsOf, NegativeBalance, Reserve, SumTree
from assetport.domain.proof_of_reserves.verify import ProofError, verify_proof
from assetport.engine.engine import Engine
from assetport.runtime.reserves import liabilities_of

MAX_UNITS = (1 << 62) - 1
CODES = ["BTC", "ETH", "KGLD", "KRW", "USDT"]


@st.composite
def ledgers(draw: st.DrawFn, least: int = 1) -> tuple[list[tuple[str, int]], list[Any]]:
    count = draw(st.integers(1, len(CODES)))
    assets = [(code, draw(st.integers(0, 18))) for code in CODES[:count]]
    accounts = draw(st.lists(st.integers(1000, 10**9), min_size=least, max_size=40, unique=True))
    balance = st.integers(0, MAX_UNITS) | st.integers(0, 100)
    rows = [
        (account, draw(st.lists(balance, min_size=count, max_size=count))) for account in accounts
    ]
    return assets, sorted(rows)


def _proofs(assets: list[tuple[str, int]], rows: list[Any]) -> list[dict[str, Any]]:
    tree = SumTree(assets, rows)
    root = tree.root_document(AsOf(seq=77, time_us=1_700_000_000_000_000, generated="now"))
    # What a user reads back is JSON: the text the files hold, the same as `proof`'s.
    root_json = json.dumps(root, separators=(",", ":"))
    proofs = [json.loads(tree.proof_json(account, root_json)) for account, _ in rows]
    for proof, (account, _) in zip(proofs, rows, strict=True):
        assert proof == json.loads(json.dumps(tree.proof(account, root)))
    return proofs


@settings(max_examples=60, deadline=None)
@given(ledgers())
def test_every_proof_verifies_with_its_balances_and_the_totals(ledger: Any) -> None:
    assets, rows = ledger
    for proof, (account, balances) in zip(_proofs(assets, rows), rows, strict=True):
        verified = verify_proof(proof, proof["root"])
        assert verified.account == account
        assert verified.balances == balances
        totals = [sum(balances[i] for _, balances in rows) for i in range(len(assets))]
        assert verified.root.totals == totals
        assert verified.root.accounts == len(rows)


def _bump(entry: dict[str, str], delta: int, precision: int) -> None:
    units = int(entry["units"]) + delta
    entry["units"] = str(units)
    if "amount" in entry:
        entry["amount"] = verifier.decimal_text(units, precision)


def _flip(text: str, at: int) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]


TAMPERS = [
    "leaf amount", "salt", "account", "sibling hash", "sibling sum", "side",
    "root hash", "tree hash", "root total", "as-of seq", "path dropped",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(ledgers(least=2), st.sampled_from(TAMPERS), st.data())
def test_changing_anything_makes_the_proof_fail(ledger: Any, tamper: str, data: Any) -> None:
    assets, rows = ledger
    proofs = _proofs(assets, rows)
    proof = copy.deepcopy(data.draw(st.sampled_from(proofs)))
    asset = data.draw(st.integers(0, len(assets) - 1))
    delta = data.draw(st.sampled_from([1, -1, 10**6]))
    step = data.draw(st.integers(0, len(proof["path"]) - 1))
    position = data.draw(st.integers(0, 63))
    leaf, root, sibling = proof["leaf"], proof["root"], proof["path"][step]
    if tamper == "leaf amount":
        if int(leaf["balances"][asset]["units"]) + delta < 0:
            delta = 1
        _bump(leaf["balances"][asset], delta, assets[asset][1])
    elif tamper == "salt":
        leaf["salt"] = _flip(leaf["salt"], position)
    elif tamper == "account":
        leaf["account"] += delta if leaf["account"] + delta >= 0 else 1
    elif tamper == "sibling hash":
        sibling["hash"] = _flip(sibling["hash"], position)
    elif tamper == "sibling sum":
        units = int(sibling["sums"][asset])
        sibling["sums"][asset] = str(units + (delta if units + delta >= 0 else 1))
    elif tamper == "side":
        sibling["side"] = "left" if sibling["side"] == "right" else "right"
    elif tamper == "root hash":
        root["hash"] = _flip(root["hash"], position)
    elif tamper == "tree hash":
        root["tree_hash"] = _flip(root["tree_hash"], position)
    elif tamper == "root total":
        if int(root["totals"][asset]["units"]) + delta < 0:
            delta = 1
        _bump(root["totals"][asset], delta, assets[asset][1])
    elif tamper == "as-of seq":
        root["as_of"]["seq"] += 1
    else:
        del proof["path"][step]
    with pytest.raises(ProofError):
        verify_proof(proof)


def test_a_negative_balance_is_refused_when_building() -> None:
    with pytest.raises(NegativeBalance, match="account 1001 owes -5 units of ETH"):
        SumTree([("BTC", 8), ("ETH", 18)], [(1000, [1, 2]), (1001, [3, -5])])


def test_a_negative_amount_is_refused_when_verifying() -> None:
    rows = [(1000, [5, 0]), (1001, [7, 1]), (1002, [0, 9])]
    proof = _proofs([("BTC", 8), ("KRW", 0)], rows)[0]
    leaf_negative = copy.deepcopy(proof)
    leaf_negative["leaf"]["balances"][0].update(units="-5", amount="-0.00000005")
    with pytest.raises(ProofError, match=r"leaf.balances\[0\].units is negative"):
        verify_proof(leaf_negative)
    # A sibling with a negative sum could lower the total it adds to: refused by name.
    sibling_negative = copy.deepcopy(proof)
    sibling_negative["path"][0]["sums"][1] = "-1"
    with pytest.raises(ProofError, match=r"path\[0\].sums\[1\] is negative"):
        verify_proof(sibling_negative)
    with pytest.raises(ProofError, match="negative"):
        verifier.encode_amounts([1, -1])


def test_an_odd_level_is_padded_with_the_empty_node_and_no_user_gives_the_empty_top() -> None:
    rows = [(1000, [4]), (1001, [5]), (1002, [6])]
    proofs = _proofs([("KRW", 0)], rows)
    last = proofs[2]["path"][0]
    assert last == {"side": "right", "hash": verifier.EMPTY_HASH.hex(), "sums": ["0"]}
    assert verify_proof(proofs[2]).root.totals == [15]

    lonely = _proofs([("KRW", 0)], [(1000, [4])])[0]
    assert lonely["path"] == [] and verify_proof(lonely).balances == [4]

    empty = SumTree([("KRW", 0)], [])
    assert empty.top_hash == verifier.EMPTY_HASH and empty.totals == (0,)
    verifier.read_root(empty.root_document(AsOf(1, 2)))


def test_the_published_root_must_be_the_proofs_root() -> None:
    rows = [(1000, [4]), (1001, [5])]
    proof = _proofs([("KRW", 0)], rows)[0]
    other = _proofs([("KRW", 0)], rows)[0]["root"]  # same balances, new salts: new root
    with pytest.raises(ProofError, match="is not the published root"):
        verify_proof(proof, other)
    restated = copy.deepcopy(proof["root"])
    restated["reserves"] = {"KRW": {"addresses": [], "units": "100", "total": "100"}}
    with pytest.raises(ProofError, match="differs from the published one"):
        verify_proof(proof, restated)


def test_reserves_are_shown_in_the_root_and_balances_as_decimals() -> None:
    tree = SumTree([("BTC", 8), ("KRW", 0)], [(1000, [150_000_000, 7])])
    root = tree.root_document(
        AsOf(3, 4), {"BTC": [Reserve("bc1qcold", 200_000_000), Reserve("bc1qhot", 1)]}
    )
    assert root["reserves"] == {
        "BTC": {
            "addresses": [
                {"address": "bc1qcold", "units": "200000000", "balance": "2.00000000"},
                {"address": "bc1qhot", "units": "1", "balance": "0.00000001"},
            ],
            "units": "200000001",
            "total": "2.00000001",
        }
    }
    proof = tree.proof(1000, root)
    assert proof["leaf"]["balances"] == [  # type: ignore[index]
        {"asset": "BTC", "units": "150000000", "amount": "1.50000000"},
        {"asset": "KRW", "units": "7", "amount": "7"},
    ]


def test_the_liabilities_are_users_free_plus_held_and_not_platform_accounts() -> None:
    engine = Engine()
    market = Market(
        symbol="KGLDKRW", base="KGLD", quote="KRW", tick_size=1, step_size=1, min_qty=1,
        max_qty=10**9, max_num_orders=100, maker_fee_bps=0, taker_fee_bps=0,
    )  # fmt: skip
    commands = [
        ListAsset("KRW", 0), ListAsset("KGLD", 4), ListMarket(market),
        Deposit(10, "KRW", 10**9, "maker"), Deposit(1000, "KRW", 5_000, "a"),
        Deposit(1001, "KGLD", 30, "b"),
        PlaceOrder(1000, "KGLDKRW", Side.BUY, OrderType.LIMIT, quantity=2, price=1_000),
    ]  # fmt: skip
    for seq, command in enumerate(commands, 1):
        engine.apply(seq, 1_000 + seq, command)
    ledger = liabilities_of(engine, 1_007)
    assert ledger.assets == [("KGLD", 4), ("KRW", 0)]
    # 1000's 2,000 KRW held by its order still count; the market maker 10 is not a user.
    assert ledger.liabilities == [(1000, (0, 5_000)), (1001, (30, 0))]
    assert (ledger.seq, ledger.time_us) == (7, 1_007)


def test_the_verifier_needs_nothing_but_the_standard_library() -> None:
    source = Path(verifier.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            imported.add(node.module.split(".")[0])
    assert imported and imported <= sys.stdlib_module_names, imported


def test_sums_moved_between_siblings_keep_the_totals_and_still_fail() -> None:
    """A sibling's sums are hashed into its parent: shifting an amount from one sibling
    on the path to another, which leaves the totals as they were, breaks the hash."""
    rows = [(1000, [5]), (1001, [7]), (1002, [9]), (1003, [11])]
    proof = _proofs([("KRW", 0)], rows)[0]
    assert [step["sums"] for step in proof["path"]] == [["7"], ["20"]]
    moved = copy.deepcopy(proof)
    moved["path"][0]["sums"] = ["27"]
    moved["path"][1]["sums"] = ["0"]
    with pytest.raises(ProofError, match="does not lead to the root's tree hash"):
        verify_proof(moved)
