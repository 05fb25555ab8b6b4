"""The deposit watcher against a real anvil and a real SQLite store: a deposit is seen with
its confirmations, credited exactly once when it has enough, keeps its dust, is never
credited below the minimum, survives reorganizations (forgotten when it vanished, credited
once when it moved, never twice when its credited block vanished), resumes after a restart
from its cursor, and pauses without failing while the node is down."""

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from eth_account import Account
from eth_typing import HexStr
from web3 import Web3

from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.contracts import asset_token, deploy_asset_token, transact
from assetport.chain.hd import HdWallet
from assetport.custody.deposit_store import (
    AlarmKind,
    Deposit,
    DepositStatus,
    DepositStore,
)
from assetport.custody.networks import ChainAsset
from assetport.custody.watcher import CreditFailed, DepositWatcher, PollReport

NETWORK = "ETH"
ETH = 10**18
GWEI = 10**9
ALICE, BOB = 1000, 1001
# anvil's dev account 0 (m/44'/60'/0'/0/0 of its public mnemonic): the depositor here.
DEPOSITOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
# The exchange's own deposit addresses come from a seed of their own.
XPUB = HdWallet(bytes(range(32))).xpub()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anvil]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as started:
        yield started


@pytest.fixture(scope="module")
def w3(node: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(node.url))


class Credits:
    """The engine's side as the watcher sees it: an async callback; here it records."""

    def __init__(self) -> None:
        self.deposits: list[Deposit] = []

    async def __call__(self, deposit: Deposit) -> None:
        self.deposits.append(deposit)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DepositStore]:
    opened = DepositStore.open(tmp_path, XPUB)
    yield opened
    opened.close()


def eth(confirmations: int = 3, min_deposit: int = 0) -> ChainAsset:
    return ChainAsset("ETH", None, 18, 8, confirmations, min_deposit)


def watcher_for(
    url: str,
    w3: Web3,
    store: DepositStore,
    credits: Credits,
    assets: list[ChainAsset],
) -> DepositWatcher:
    # A fresh store starts at the next block: what earlier tests sent is not its business.
    start = store.cursor(NETWORK)
    return DepositWatcher(
        url,
        NETWORK,
        assets,
        store,
        credits,
        start_block=w3.eth.block_number + 1 if start is None else start + 1,
    )


def poll(watcher: DepositWatcher) -> PollReport:
    return asyncio.run(watcher.poll())


def mine(w3: Web3, blocks: int) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]


def reorg(w3: Web3, depth: int, include: Sequence[tuple[bytes, int]] = ()) -> None:
    """Replace the last `depth` blocks; `include` puts raw transactions back in the new
    ones, at the given offset from the first replaced block."""
    txs = [["0x" + raw.hex(), offset] for raw, offset in include]
    answer = w3.provider.make_request("anvil_reorg", [depth, txs])  # type: ignore[arg-type]
    assert "error" not in answer


def signed_transfer(w3: Web3, to: str, value: int) -> bytes:
    depositor = Account.from_key(DEPOSITOR_KEY)
    base_fee = int(w3.eth.get_block("latest")["baseFeePerGas"])
    tx = {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": w3.eth.get_transaction_count(depositor.address, "pending"),
        "to": to,
        "value": value,
        "gas": 21_000,
        "maxFeePerGas": 2 * base_fee + GWEI,
        "maxPriorityFeePerGas": GWEI,
    }
    return bytes(depositor.sign_transaction(tx).raw_transaction)


def send_eth(w3: Web3, to: str, value: int) -> tuple[str, bytes, int]:
    """Send `value` wei to `to`: (tx hash, raw tx, block number)."""
    raw = signed_transfer(w3, to, value)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
    assert receipt["status"] == 1
    return receipt["transactionHash"].to_0x_hex(), raw, receipt["blockNumber"]


def test_a_deposit_is_pending_with_its_confirmations_then_credited_once(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(confirmations=3)])
    address = store.assign_address(ALICE)
    assert store.account_of(address) == ALICE
    assert store.account_of(address.lower()) == ALICE
    tx_hash, _, block = send_eth(w3, address, 2 * ETH)

    report = poll(watcher)
    assert report.deposits_seen == 1 and report.credited == []
    [seen] = store.history(ALICE, report.head)
    assert (seen.status, seen.confirmations, seen.amount) == (DepositStatus.PENDING, 1, 2 * 10**8)
    assert (seen.tx_hash, seen.log_index, seen.block_number) == (tx_hash, -1, block)
    assert seen.address == address

    mine(w3, 1)
    report = poll(watcher)
    assert report.credited == []
    assert store.history(ALICE, report.head)[0].confirmations == 2

    mine(w3, 1)
    report = poll(watcher)
    assert [d.key for d in credits.deposits] == [(NETWORK, tx_hash, -1)]
    [credited] = credits.deposits
    assert (credited.account, credited.asset, credited.amount) == (ALICE, "ETH", 2 * 10**8)
    assert credited.confirmations == 3

    mine(w3, 2)
    poll(watcher)
    poll(watcher)
    assert len(credits.deposits) == 1
    [after] = store.history(ALICE, w3.eth.block_number)
    assert after.status is DepositStatus.CREDITED and after.credited_at_ms is not None
    assert store.pending(NETWORK) == []


def test_what_the_ledger_cannot_hold_is_kept_as_dust(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(confirmations=1)])
    address = store.assign_address(ALICE)
    send_eth(w3, address, 1_000_000_001_234 * 10**6)  # 1.000000001234 ETH

    poll(watcher)
    [credited] = credits.deposits
    assert credited.amount == 100_000_000  # 1.00000000 ETH at the ledger's 8 decimals
    assert credited.dust == 1_234 * 10**6  # the 0.000000001234 ETH left, in wei
    assert credited.raw_amount == 1_000_000_001_234 * 10**6
    [recorded] = store.history(ALICE, w3.eth.block_number)
    assert (recorded.amount, recorded.dust) == (100_000_000, 1_234 * 10**6)


def test_a_deposit_below_the_minimum_is_recorded_never_credited(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    minimum = 1_000_000  # 0.01 ETH
    watcher = watcher_for(node.url, w3, store, credits, [eth(1, min_deposit=minimum)])
    small, dust_only = store.assign_address(ALICE), store.assign_address(BOB)
    send_eth(w3, small, ETH // 1000)
    send_eth(w3, dust_only, 10**9)  # 1 gwei: less than one ledger unit
    mine(w3, 3)

    poll(watcher)
    poll(watcher)
    assert credits.deposits == []
    assert [d.status for d in store.history(ALICE, w3.eth.block_number)] == [
        DepositStatus.BELOW_MINIMUM
    ]
    [dust] = store.history(BOB, w3.eth.block_number)
    assert (dust.status, dust.amount, dust.dust) == (DepositStatus.BELOW_MINIMUM, 0, 10**9)


def test_transfers_elsewhere_are_not_deposits(node: Anvil, w3: Web3, store: DepositStore) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(1)])
    store.assign_address(ALICE)
    send_eth(w3, str(HdWallet(bytes(range(32))).address_of(5)), ETH)  # derived, not assigned

    report = poll(watcher)
    assert report.deposits_seen == 0 and credits.deposits == []


def test_a_deposit_that_vanished_in_a_reorg_is_forgotten(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(confirmations=3)])
    address = store.assign_address(ALICE)
    balance = w3.eth.get_balance(Web3.to_checksum_address(address))
    _, _, block = send_eth(w3, address, ETH)
    poll(watcher)
    assert store.history(ALICE, w3.eth.block_number)[0].status is DepositStatus.PENDING

    reorg(w3, 1)  # the deposit's block is replaced by an empty one
    report = poll(watcher)
    assert report.reorg_ancestor == block - 1 and report.orphaned == 1
    [forgotten] = store.history(ALICE, report.head)
    assert (forgotten.status, forgotten.confirmations) == (DepositStatus.ORPHANED, 0)

    mine(w3, 5)
    poll(watcher)
    assert credits.deposits == []
    assert store.alarms(NETWORK) == []
    assert w3.eth.get_balance(Web3.to_checksum_address(address)) == balance  # it never came


def test_a_deposit_moved_by_a_reorg_is_credited_once_in_its_new_block(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(confirmations=3)])
    address = store.assign_address(ALICE)
    tx_hash, raw, block = send_eth(w3, address, ETH)
    mine(w3, 1)
    poll(watcher)

    # The two newest blocks are replaced; the deposit is mined again, in the second.
    reorg(w3, 2, [(raw, 1)])
    moved_to = w3.eth.get_transaction_receipt(HexStr(tx_hash))["blockNumber"]
    assert moved_to == block + 1
    report = poll(watcher)
    assert report.reorg_ancestor == block - 1
    [again] = store.history(ALICE, report.head)
    assert (again.status, again.block_number) == (DepositStatus.PENDING, moved_to)

    mine(w3, 2)
    poll(watcher)
    mine(w3, 2)
    poll(watcher)
    assert [(d.key, d.block_number) for d in credits.deposits] == [
        ((NETWORK, tx_hash, -1), moved_to)
    ]
    assert store.alarms(NETWORK) == []


def test_a_credited_deposit_whose_block_vanished_is_never_credited_again(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    watcher = watcher_for(node.url, w3, store, credits, [eth(confirmations=1)])
    address = store.assign_address(ALICE)
    tx_hash, raw, block = send_eth(w3, address, ETH)
    poll(watcher)
    assert len(credits.deposits) == 1

    reorg(w3, 1, [(raw, 0)])  # same block number, another block
    report = poll(watcher)
    assert report.reorg_ancestor == block - 1
    mine(w3, 2)
    poll(watcher)
    assert len(credits.deposits) == 1
    [deposit] = store.history(ALICE, w3.eth.block_number)
    assert deposit.status is DepositStatus.CREDITED
    assert deposit.block_hash == w3.eth.get_block(block)["hash"].to_0x_hex()
    [alarm] = store.alarms(NETWORK)
    assert (alarm.kind, alarm.tx_hash, alarm.block_number) == (
        AlarmKind.CREDITED_DEPOSIT_REORGED,
        tx_hash,
        block,
    )


def test_a_restart_resumes_from_the_cursor_and_credits_nothing_twice(
    node: Anvil, w3: Web3, tmp_path: Path
) -> None:
    credits = Credits()
    first_store = DepositStore.open(tmp_path, XPUB)
    first = watcher_for(node.url, w3, first_store, credits, [eth(confirmations=2)])
    address = first_store.assign_address(ALICE)
    early, _, _ = send_eth(w3, address, ETH)
    mine(w3, 1)
    poll(first)
    late, _, _ = send_eth(w3, address, 3 * ETH)
    report = poll(first)
    assert [d.tx_hash for d in credits.deposits] == [early]
    cursor = first_store.cursor(NETWORK)
    assert cursor == report.head
    first_store.close()

    mine(w3, 2)
    second_store = DepositStore.open(tmp_path, XPUB)
    try:
        second = watcher_for(node.url, w3, second_store, credits, [eth(confirmations=2)])
        resumed = poll(second)
        assert resumed.scanned_from == cursor + 1
        assert resumed.deposits_seen == 0
        assert [d.tx_hash for d in credits.deposits] == [early, late]
        poll(second)
        assert len(credits.deposits) == 2
        statuses = {d.tx_hash: d.status for d in second_store.history(ALICE, resumed.head)}
        assert statuses == {early: DepositStatus.CREDITED, late: DepositStatus.CREDITED}
    finally:
        second_store.close()
    assert oct((tmp_path / "custody").stat().st_mode & 0o777) == "0o700"


def test_token_deposits_are_credited_at_the_tokens_decimals(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    accounts = list(w3.eth.accounts)
    issuer = accounts[1]
    gold = deploy_asset_token(w3, issuer, "Gold", "XAU", 18, roles=("MINTER_ROLE",))
    silver = deploy_asset_token(w3, issuer, "Silver", "XAG", 6, roles=("MINTER_ROLE",))
    for token in (gold, silver):
        transact(w3, issuer, asset_token(w3, token).functions.mint(issuer, 10**30))
    credits = Credits()
    assets = [
        eth(confirmations=2),
        ChainAsset("XAU", gold, 18, 8, 2, 0),
        ChainAsset("XAG", silver, 6, 8, 2, 0),
    ]
    watcher = watcher_for(node.url, w3, store, credits, assets)
    alice, bob = store.assign_address(ALICE), store.assign_address(BOB)

    def send(token: str, to: str, amount: int) -> str:
        call = asset_token(w3, token).functions.transfer(Web3.to_checksum_address(to), amount)
        return transact(w3, issuer, call)["transactionHash"].to_0x_hex()

    gold_tx = send(gold, alice, 5 * 10**18 + 7)  # 5 XAU and 7 units of dust
    silver_tx = send(silver, bob, 1_500_000)  # 1.5 XAG
    send(gold, accounts[2], 10**18)  # not a deposit address
    report = poll(watcher)
    assert report.logs_scanned >= 3 and report.deposits_seen == 2
    mine(w3, 1)
    poll(watcher)
    poll(watcher)

    by_asset = {d.asset: d for d in credits.deposits}
    assert sorted(by_asset) == ["XAG", "XAU"] and len(credits.deposits) == 2
    assert by_asset["XAU"].tx_hash == gold_tx and by_asset["XAU"].account == ALICE
    assert (by_asset["XAU"].amount, by_asset["XAU"].dust) == (5 * 10**8, 7)
    assert by_asset["XAU"].log_index >= 0
    assert by_asset["XAG"].tx_hash == silver_tx and by_asset["XAG"].account == BOB
    assert (by_asset["XAG"].amount, by_asset["XAG"].dust) == (150_000_000, 0)


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    """Wait for what the running watcher does (the deadline only keeps a broken test
    from hanging)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.05)


def test_a_node_outage_pauses_the_watcher_and_it_resumes(tmp_path: Path) -> None:
    chain_dir = tmp_path / "anvil"
    node = Anvil.start(chain_dir)  # its state survives a restart on the same port
    store = DepositStore.open(tmp_path, XPUB)
    credits = Credits()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        secret_url = node.url.replace("http://", "http://operator:s3cret@") + "/?key=abc"
        watcher = DepositWatcher(
            secret_url, NETWORK, [eth(confirmations=1)], store, credits, rpc_timeout_s=1.0
        )
        address = store.assign_address(ALICE)

        async def scenario() -> None:
            nonlocal node
            stop = asyncio.Event()
            running = asyncio.create_task(watcher.run(stop, 0.05))
            await until(lambda: watcher.status()["state"] == "up", "up")
            tx_before, _, _ = send_eth(w3, address, ETH)
            await until(lambda: len(credits.deposits) == 1, "credit")
            await asyncio.sleep(1.5)  # let anvil dump the state with the deposit in it
            port = node.port
            node.stop()
            await until(lambda: watcher.status()["state"] == "down", "down")
            status = watcher.status()
            assert "s3cret" not in str(status) and "operator" not in str(status)
            assert "key=abc" not in str(status)
            assert status["last_error"]
            assert not running.done()

            node = Anvil.start(chain_dir, port=port)
            await until(lambda: watcher.status()["state"] == "up", "up")
            tx_after, _, _ = send_eth(w3, address, 2 * ETH)
            await until(lambda: len(credits.deposits) == 2, "credit")
            stop.set()
            await running  # returns, never raises
            assert [d.tx_hash for d in credits.deposits] == [tx_before, tx_after]
            assert store.alarms(NETWORK) == []  # the same chain, resumed

        asyncio.run(scenario())
        assert watcher.status()["last_error"] is None
    finally:
        store.close()
        node.stop()


def test_a_credit_the_engine_refused_stays_pending_and_is_retried(
    node: Anvil, w3: Web3, store: DepositStore
) -> None:
    credits = Credits()
    refusals = [RuntimeError("the engine is not ready")]

    async def flaky(deposit: Deposit) -> None:
        if refusals:
            raise refusals.pop()
        await credits(deposit)

    start = w3.eth.block_number + 1
    watcher = DepositWatcher(node.url, NETWORK, [eth(1)], store, flaky, start_block=start)
    address = store.assign_address(ALICE)
    tx_hash, _, _ = send_eth(w3, address, ETH)

    with pytest.raises(CreditFailed, match="the engine is not ready"):
        poll(watcher)
    assert store.history(ALICE, w3.eth.block_number)[0].status is DepositStatus.PENDING
    poll(watcher)
    assert [d.tx_hash for d in credits.deposits] == [tx_hash]
