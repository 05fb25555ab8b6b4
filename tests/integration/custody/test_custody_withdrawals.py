"""The withdrawal sender against a real anvil and a real engine service: an approved
withdrawal leaves the hot wallet once, in exactly its amount, and completes in the ledger
(its fee kept by the exchange); a token withdrawal pays the token; a withdrawal cancelled
between signing and recording never goes out and frees its nonce for the next; a transfer
the token reverts on chain fails the withdrawal and releases its funds; a sender stopped in
any state finishes the job after a restart without sending anything twice; a node that is
down pauses the sender, which resumes when the node is back.

Each test has its own data directory, so its own random hot wallet on the shared node."""

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import TxParams, Wei

from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.contracts import asset_token, deploy_asset_token, transact
from assetport.chain.signer import LocalSigner
from assetport.custody.networks import ChainAsset
from assetport.custody.outgoing_store import Outgoing, OutgoingState, OutgoingStore
from assetport.custody.sender import (
    REVERTED_ON_CHAIN,
    StepReport,
    ToSend,
    WithdrawalSender,
)
from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.commands import (
    AddWithdrawalAddress,
    CancelWithdrawal,
    Command,
    CreditDeposit,
    ListAsset,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import (
    NATIVE_TRANSFER,
    CustodyPolicy,
    WithdrawalRules,
    WithdrawalStatus,
)
from assetport.domain.events import CommandRejected, Event, WithdrawalEnded
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service

NETWORK: Final = "ETH"
ETH_LEDGER: Final = 10**8  # one ETH in ledger units (precision 8)
WEI_PER_UNIT: Final = 10**10  # 18 decimals on chain, 8 in the ledger
KGLD_LEDGER: Final = 10**4  # one KGLD in ledger units (precision 4)
KGLD_CHAIN: Final = 10**6  # one KGLD on chain (6 decimals)
ETH_FEE: Final = 100_000  # 0.001 ETH
KGLD_FEE: Final = 1_000  # 0.1 KGLD
USER: Final = 1000
GWEI: Final = 10**9


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anvil]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as running:
        yield running


@pytest.fixture(scope="module")
def web3(node: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(node.url))


@pytest.fixture(scope="module")
def kgld(web3: Web3) -> ChecksumAddress:
    """A gold token, 6 decimals, whose admin (dev account 0) mints, pauses and freezes."""
    admin = web3.eth.accounts[0]
    roles = ("MINTER_ROLE", "PAUSER_ROLE", "FREEZER_ROLE")
    return deploy_asset_token(web3, admin, "Korea Gold", "KGLD", 6, roles=roles)


def new_address() -> str:
    return to_checksum_text(secrets.token_bytes(20))


def to_checksum_text(raw: bytes) -> str:
    return Web3.to_checksum_address("0x" + raw.hex())


@dataclass
class Desk:
    """An exchange with ETH and KGLD withdrawals open, its hot wallet funded on the node."""

    service: EngineService
    web3: Web3
    url: str
    kgld: ChecksumAddress
    data_dir: Path
    signer: LocalSigner
    store: OutgoingStore
    sent_by_sender: list[Event] = field(default_factory=list)

    @property
    def hot(self) -> ChecksumAddress:
        return Web3.to_checksum_address(str(self.signer.address("hot")))

    @property
    def assets(self) -> dict[str, ChainAsset]:
        return {
            "ETH": ChainAsset("ETH", None, 18, 8, confirmations=1, min_deposit=0),
            "KGLD": ChainAsset("KGLD", self.kgld, 6, 4, confirmations=1, min_deposit=0),
        }

    async def do(self, command: Command) -> list[Event]:
        return (await self.service.execute(command)).events

    async def pending(self) -> list[ToSend]:
        return [
            ToSend(
                w.withdrawal_id, w.account, w.asset, w.address, w.amount, w.status.value, w.tx_hash
            )
            for w in self.service.engine.custody.open_withdrawals()
            if w.network == NETWORK and w.status.value in ("APPROVED", "PROCESSING")
        ]

    def sender(
        self,
        *,
        store: OutgoingStore | None = None,
        pending: Callable[[], Awaitable[Sequence[ToSend]]] | None = None,
        assets: dict[str, ChainAsset] | None = None,
        url: str | None = None,
    ) -> WithdrawalSender:
        return WithdrawalSender(
            url or self.url,
            NETWORK,
            CHAIN_ID,
            assets or self.assets,
            self.signer,
            store or self.store,
            self,
            pending or self.pending,
        )

    async def execute(self, command: Command) -> Sequence[Event]:
        """The `CommandSink` the sender uses: the service's outcome, as its events."""
        events = await self.do(command)
        self.sent_by_sender += events
        return events

    async def withdraw(self, asset: str, to: str, amount: int) -> str:
        withdrawal_id = f"w-{secrets.token_hex(6)}"
        await self.do(AddWithdrawalAddress(USER, NETWORK, to, "mine"))  # may be there already
        events = await self.do(RequestWithdrawal(USER, asset, NETWORK, to, amount, withdrawal_id))
        assert not isinstance(events[0], CommandRejected), events
        assert self.status(withdrawal_id) is WithdrawalStatus.APPROVED
        return withdrawal_id

    def status(self, withdrawal_id: str) -> WithdrawalStatus:
        return self.service.engine.custody.state.withdrawals[withdrawal_id].status

    def reason(self, withdrawal_id: str) -> str:
        """Why the withdrawal ended, as the engine's event to its owner says."""
        ended = [e for e in self.sent_by_sender if isinstance(e, WithdrawalEnded)]
        return next(e.reason for e in ended if e.withdrawal_id == withdrawal_id)

    def tx_hash(self, withdrawal_id: str) -> str:
        return self.service.engine.custody.state.withdrawals[withdrawal_id].tx_hash

    def balance(self, account: int, asset: str) -> tuple[int, int]:
        """(free, held) in ledger units."""
        for _, code, free, held in self.service.engine.balances(account):
            if code == asset:
                return free, held
        return 0, 0

    def assert_balanced(self) -> None:
        totals = self.service.engine.ledger_totals()
        assert not any(totals.values()), totals

    def hot_nonce(self) -> int:
        return self.web3.eth.get_transaction_count(self.hot, "pending")

    def token_balance(self, holder: str) -> int:
        return int(asset_token(self.web3, self.kgld).functions.balanceOf(holder).call())

    def row(self, withdrawal_id: str) -> Outgoing:
        found = self.store.get(withdrawal_id)
        assert found is not None
        return found


@asynccontextmanager
async def exchange(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> AsyncIterator[Desk]:
    data_dir = tmp_path / "data"
    service = await open_service(RuntimeConfig(data_dir=data_dir))
    running = asyncio.get_running_loop().create_task(service.run())
    store = OutgoingStore.open(data_dir)
    desk = Desk(service, web3, node.url, kgld, data_dir, LocalSigner.open(data_dir), store)
    try:
        for command in (
            ListAsset("ETH", 8),
            ListAsset("KGLD", 4),
            SetWithdrawalRules(
                WithdrawalRules("ETH", NETWORK, ETH_FEE, 1_000, 100 * ETH_LEDGER, 50 * ETH_LEDGER)
            ),
            SetWithdrawalRules(
                WithdrawalRules(
                    "KGLD", NETWORK, KGLD_FEE, 1, 10**6 * KGLD_LEDGER, 10**5 * KGLD_LEDGER
                )
            ),
            SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0, approvals_required=2)),
            CreditDeposit(
                USER, "ETH", 10 * ETH_LEDGER, NETWORK, "0xfund-eth", NATIVE_TRANSFER, new_address()
            ),
            CreditDeposit(
                USER, "KGLD", 1_000 * KGLD_LEDGER, NETWORK, "0xfund-kgld", 0, new_address()
            ),
        ):
            events = await desk.do(command)
            assert not isinstance(events[0], CommandRejected), events
        funder = web3.eth.accounts[0]
        web3.eth.wait_for_transaction_receipt(
            web3.eth.send_transaction({"from": funder, "to": desk.hot, "value": Wei(20 * 10**18)})
        )
        transact(web3, funder, asset_token(web3, kgld).functions.mint(desk.hot, 10**6 * KGLD_CHAIN))
        yield desk
    finally:
        store.close()
        service.stop()
        await running
        await close_service(service)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())  # type: ignore[arg-type]


async def settle(sender: WithdrawalSender, passes: int = 5) -> StepReport:
    """Passes until one moves nothing (automine: each transaction is mined at once) and
    nothing broadcast is still waiting for its receipt (a busy machine's node may take a
    moment to mine it: waiting, not timing)."""
    total = StepReport()
    waits = 0
    for _ in range(passes + 200):
        report = await sender.step()
        total.signed += report.signed
        total.voided += report.voided
        total.broadcast += report.broadcast
        total.completed += report.completed
        total.failed += report.failed
        total.held_back |= report.held_back
        if report.moved:
            passes -= 1
            if passes < 0:
                break
            continue
        if total.completed + total.failed >= total.broadcast or waits >= 200:
            return total
        waits += 1
        await asyncio.sleep(0.05)
    raise AssertionError(f"still moving after {passes} passes")


def test_a_native_withdrawal_leaves_once_in_its_exact_amount_and_completes(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            amount = 25_000_000  # 0.25 ETH
            withdrawal_id = await desk.withdraw("ETH", recipient, amount)
            assert desk.balance(USER, "ETH") == (10 * ETH_LEDGER - amount - ETH_FEE,
                                                 amount + ETH_FEE)  # fmt: skip
            async with desk.sender() as sender:
                report = await settle(sender)
                assert (report.signed, report.broadcast, report.completed) == (1, 1, 1)
                assert (await sender.step()).moved is False

            assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
            assert web3.eth.get_balance(Web3.to_checksum_address(recipient)) == (
                amount * WEI_PER_UNIT
            )
            assert desk.hot_nonce() == 1
            tx = web3.eth.get_transaction(desk.tx_hash(withdrawal_id))  # type: ignore[arg-type]
            assert (tx["from"], tx["to"], tx["nonce"]) == (desk.hot, recipient, 0)
            assert desk.balance(USER, "ETH") == (10 * ETH_LEDGER - amount - ETH_FEE, 0)
            assert desk.balance(FEE_ACCOUNT, "ETH") == (ETH_FEE, 0)
            assert desk.row(withdrawal_id).state is OutgoingState.DONE
            desk.assert_balanced()

    run(scenario)


def test_a_withdrawal_waits_for_its_confirmations(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            assets = desk.assets
            assets["ETH"] = ChainAsset("ETH", None, 18, 8, confirmations=3, min_deposit=0)
            withdrawal_id = await desk.withdraw("ETH", new_address(), 1_000_000)
            async with desk.sender(assets=assets) as sender:
                await settle(sender)
                assert desk.row(withdrawal_id).state is OutgoingState.MINED
                web3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
                await settle(sender)
                assert desk.status(withdrawal_id) is WithdrawalStatus.PROCESSING
                web3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
                assert (await settle(sender)).completed == 1
            assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
            assert desk.hot_nonce() == 1

    run(scenario)


def test_a_token_withdrawal_pays_the_token(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            amount = 123_456  # 12.3456 KGLD
            withdrawal_id = await desk.withdraw("KGLD", recipient, amount)
            async with desk.sender() as sender:
                assert (await settle(sender)).completed == 1
            assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
            assert desk.token_balance(recipient) == 12_345_600
            assert desk.balance(USER, "KGLD") == (1_000 * KGLD_LEDGER - amount - KGLD_FEE, 0)
            assert desk.balance(FEE_ACCOUNT, "KGLD") == (KGLD_FEE, 0)
            assert desk.hot_nonce() == 1
            desk.assert_balanced()

    run(scenario)


def test_a_withdrawal_cancelled_before_it_is_recorded_never_leaves_and_frees_its_nonce(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            cancelled_to = new_address()
            cancelled = await desk.withdraw("ETH", cancelled_to, 5_000_000)
            stale = await desk.pending()  # the read model, one step behind the engine

            async def behind() -> list[ToSend]:
                return stale

            await desk.do(CancelWithdrawal(USER, cancelled))
            async with desk.sender(pending=behind) as sender:
                report = await sender.step()
            assert (report.signed, report.voided, report.broadcast) == (1, 1, 0)
            assert desk.row(cancelled).state is OutgoingState.VOID
            assert desk.row(cancelled).nonce == 0
            assert desk.hot_nonce() == 0
            assert desk.status(cancelled) is WithdrawalStatus.CANCELLED
            assert desk.balance(USER, "ETH") == (10 * ETH_LEDGER, 0)

            recipient = new_address()
            withdrawal_id = await desk.withdraw("ETH", recipient, 7_000_000)
            async with desk.sender() as sender:
                assert (await settle(sender)).completed == 1
            assert desk.row(withdrawal_id).nonce == 0  # the void row's nonce, reused
            assert desk.hot_nonce() == 1
            assert web3.eth.get_balance(Web3.to_checksum_address(recipient)) == (
                7_000_000 * WEI_PER_UNIT
            )
            assert web3.eth.get_balance(Web3.to_checksum_address(cancelled_to)) == 0
            desk.assert_balanced()

    run(scenario)


def test_a_transfer_the_token_reverts_on_chain_fails_the_withdrawal_and_releases_it(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            withdrawal_id = await desk.withdraw("KGLD", recipient, 50_000)
            token = asset_token(web3, kgld)
            admin = web3.eth.accounts[0]
            web3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
            try:
                async with desk.sender() as sender:
                    report = await sender.step()  # signed and sent: waiting in the pool
                    assert (report.signed, report.broadcast) == (1, 1)
                    # The token is paused in the same block, ahead of it (a higher tip).
                    ahead: TxParams = {
                        "from": admin,
                        "maxPriorityFeePerGas": Wei(100 * GWEI),
                        "maxFeePerGas": Wei(1_000 * GWEI),
                    }
                    token.functions.pause().transact(ahead)
                    web3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
                    report = await settle(sender)
                    assert report.failed == 1
            finally:
                web3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
                transact(web3, admin, token.functions.unpause())
            receipt = web3.eth.get_transaction_receipt(desk.row(withdrawal_id).tx_hash)  # type: ignore[arg-type]
            assert receipt["status"] == 0
            assert desk.status(withdrawal_id) is WithdrawalStatus.FAILED
            assert desk.reason(withdrawal_id) == REVERTED_ON_CHAIN
            assert desk.row(withdrawal_id).outcome == "FAILED"
            assert desk.token_balance(recipient) == 0
            assert desk.balance(USER, "KGLD") == (1_000 * KGLD_LEDGER, 0)
            assert desk.balance(FEE_ACCOUNT, "KGLD") == (0, 0)
            desk.assert_balanced()

    run(scenario)


def test_a_withdrawal_to_a_frozen_address_fails_without_a_transaction(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            withdrawal_id = await desk.withdraw("KGLD", recipient, 50_000)
            transact(
                web3, web3.eth.accounts[0], asset_token(web3, kgld).functions.freeze(recipient)
            )
            async with desk.sender() as sender:
                report = await settle(sender)
            assert (report.signed, report.failed) == (0, 1)
            assert desk.status(withdrawal_id) is WithdrawalStatus.FAILED
            assert desk.store.get(withdrawal_id) is None
            assert desk.hot_nonce() == 0
            assert desk.balance(USER, "KGLD") == (1_000 * KGLD_LEDGER, 0)
            desk.assert_balanced()

    run(scenario)


def test_a_paused_token_holds_a_withdrawal_back_until_it_is_unpaused(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            withdrawal_id = await desk.withdraw("KGLD", recipient, 20_000)
            token = asset_token(web3, kgld)
            admin = web3.eth.accounts[0]
            transact(web3, admin, token.functions.pause())
            try:
                async with desk.sender() as sender:
                    report = await sender.step()
                    assert report.signed == 0
                    assert "EnforcedPause" in report.held_back[withdrawal_id]
                    assert withdrawal_id in sender.status()["held_back"]
                    assert desk.status(withdrawal_id) is WithdrawalStatus.APPROVED
            finally:
                transact(web3, admin, token.functions.unpause())
            async with desk.sender() as sender:
                assert (await settle(sender)).completed == 1
            assert desk.token_balance(recipient) == 20_000 * 100

    run(scenario)


class Crash(Exception):
    """The sender's process dies here (raised in this process, caught by the test)."""


class CrashingStore(OutgoingStore):
    """The real store, whose owner dies at a named point of a withdrawal's way out."""

    def __init__(self, path: Path, point: str) -> None:
        super().__init__(path)
        self.point = point

    def insert_signed(self, outgoing: Outgoing) -> Outgoing:
        row = super().insert_signed(outgoing)
        self._die("signed and stored")
        return row

    def mark_recorded(self, withdrawal_id: str) -> Outgoing:
        self._die("journaled by the engine")
        return super().mark_recorded(withdrawal_id)

    def mark_broadcast(self, withdrawal_id: str) -> Outgoing:
        self._die("broadcast")
        return super().mark_broadcast(withdrawal_id)

    def mark_mined(self, withdrawal_id: str, block_number: int) -> Outgoing:
        row = super().mark_mined(withdrawal_id, block_number)
        self._die("mined, short of its confirmations")
        return row

    def mark_done(self, withdrawal_id: str, block_number: int, outcome: str) -> Outgoing:
        self._die("completed by the engine")
        return super().mark_done(withdrawal_id, block_number, outcome)

    def _die(self, point: str) -> None:
        if point == self.point:
            raise Crash(point)


@pytest.mark.parametrize(
    "point",
    [
        "signed and stored",
        "journaled by the engine",
        "broadcast",
        "mined, short of its confirmations",
        "completed by the engine",
    ],
)
def test_a_sender_stopped_in_any_state_finishes_after_a_restart_and_sends_once(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress, point: str
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            assets = desk.assets
            confirmations = 2 if point.startswith("mined") else 1
            assets["ETH"] = ChainAsset("ETH", None, 18, 8, confirmations, min_deposit=0)
            recipient = new_address()
            withdrawal_id = await desk.withdraw("ETH", recipient, 3_000_000)
            crashing = CrashingStore(desk.store.path, point)
            try:
                async with desk.sender(store=crashing, assets=assets) as sender:
                    with pytest.raises(Crash):
                        await settle(sender)
            finally:
                crashing.close()
            if confirmations > 1:
                web3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]

            restarted = OutgoingStore(desk.store.path)
            try:
                async with desk.sender(store=restarted, assets=assets) as sender:
                    await settle(sender)
                    assert sender.status()["rows"]["DONE"] == 1
            finally:
                restarted.close()
            assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
            assert desk.hot_nonce() == 1
            assert web3.eth.get_balance(Web3.to_checksum_address(recipient)) == (
                3_000_000 * WEI_PER_UNIT
            )
            assert desk.balance(USER, "ETH") == (10 * ETH_LEDGER - 3_000_000 - ETH_FEE, 0)
            desk.assert_balanced()

    run(scenario)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_node_that_is_down_pauses_the_sender_which_resumes_when_it_is_back(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            recipient = new_address()
            withdrawal_id = await desk.withdraw("ETH", recipient, 2_000_000)
            port = free_port()
            assets = {"ETH": desk.assets["ETH"]}
            stop = asyncio.Event()
            async with desk.sender(url=f"http://127.0.0.1:{port}", assets=assets) as sender:
                running = asyncio.create_task(sender.run(stop, interval_s=0.05))
                await until(lambda: sender.status()["up"] is False)
                assert "NodeUnavailable" in sender.status()["last_error"]
                assert desk.status(withdrawal_id) is WithdrawalStatus.APPROVED
                assert desk.store.get(withdrawal_id) is None

                # A second node comes up where the sender looks, and funds the same wallet.
                with Anvil.start(tmp_path / "second", port=port, persist=False) as second:
                    other = Web3(Web3.HTTPProvider(second.url))
                    other.eth.wait_for_transaction_receipt(
                        other.eth.send_transaction(
                            {"from": other.eth.accounts[0], "to": desk.hot, "value": Wei(10**18)}
                        )
                    )
                    await until(lambda: sender.status()["rows"]["DONE"] == 1)
                    await until(lambda: sender.status()["up"] is True)  # the pass ends
                    assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
                    assert sender.status()["last_error"] is None
                    assert other.eth.get_balance(Web3.to_checksum_address(recipient)) == (
                        2_000_000 * WEI_PER_UNIT
                    )
                    stop.set()
                    await running  # returns: nothing raised out of run

    run(scenario)


async def until(condition: Callable[[], bool]) -> None:
    """Wait for `condition`, polling; a generous bound only turns a hang into a failure."""
    for _ in range(2_000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")


def test_nothing_secret_shows_in_the_status_or_the_reprs(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            withdrawal_id = await desk.withdraw("ETH", new_address(), 1_000_000)
            url = node.url.replace("http://", "http://operator:s3cr3t-pass@") + "/?key=k3y"
            async with desk.sender(url=url) as sender:
                assert (await settle(sender)).completed == 1
                shown = f"{sender.status()} {sender!r} {desk.row(withdrawal_id)!r}"
            assert desk.row(withdrawal_id).raw.hex() not in shown
            assert "s3cr3t-pass" not in shown and "k3y" not in shown
            assert str(desk.signer.address("hot")) in shown  # public: its EIP-55 form

    run(scenario)


def test_a_transaction_whose_block_vanishes_is_sent_again_and_completes_once(
    tmp_path: Path, web3: Web3, node: Anvil, kgld: ChecksumAddress
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node, kgld) as desk:
            assets = desk.assets
            assets["ETH"] = ChainAsset("ETH", None, 18, 8, confirmations=3, min_deposit=0)
            recipient = new_address()
            withdrawal_id = await desk.withdraw("ETH", recipient, 4_000_000)
            async with desk.sender(assets=assets) as sender:
                await settle(sender)
                mined_in = desk.row(withdrawal_id).block_number
                assert desk.row(withdrawal_id).state is OutgoingState.MINED
                # The block is replaced by an empty one: the transaction is in no block.
                web3.provider.make_request("anvil_reorg", [1, []])  # type: ignore[arg-type]
                receipt = web3.provider.make_request(
                    "eth_getTransactionReceipt",  # type: ignore[arg-type]
                    [desk.row(withdrawal_id).tx_hash],
                )
                assert receipt["result"] is None
                report = await sender.step()
                assert report.reorged == 1
                assert desk.status(withdrawal_id) is WithdrawalStatus.PROCESSING
                await settle(sender)  # sent again, mined again
                assert desk.row(withdrawal_id).block_number != mined_in
                web3.provider.make_request("anvil_mine", [2])  # type: ignore[arg-type]
                assert (await settle(sender)).completed == 1
            assert desk.status(withdrawal_id) is WithdrawalStatus.COMPLETED
            assert desk.hot_nonce() == 1
            assert web3.eth.get_balance(Web3.to_checksum_address(recipient)) == (
                4_000_000 * WEI_PER_UNIT
            )
            desk.assert_balanced()

    run(scenario)
