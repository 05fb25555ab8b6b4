"""Items to and from the chain against a real anvil and a real engine service: an ERC-721
item withdrawn is minted to the holder's wallet (the collection's contract deployed once,
with the collection's royalty), comes back to the holder's deposit address and is credited,
and leaves again by a transfer, never a second mint; an ERC-1155 withdrawal in part; a
recipient that cannot take the token fails the withdrawal and gives the units back; a
sender restarted after signing sends nothing twice."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import Wei

from assetport.chain.addresses import InvalidAddress, parse_address
from assetport.chain.anvil import CHAIN_ID, Anvil
from assetport.chain.nft_contracts import (
    balance_1155,
    owner_of,
    royalty_info,
    transfer_721,
    transfer_1155,
)
from assetport.chain.signer import LocalSigner
from assetport.custody.deposit_store import DepositStore
from assetport.custody.networks import ChainAsset
from assetport.custody.nft_book import NftBookReader
from assetport.custody.nft_sender import NftSender
from assetport.custody.nft_store import LegKind, NftStore
from assetport.custody.nft_watcher import NftDepositWatcher
from assetport.custody.outgoing_store import OutgoingStore
from assetport.custody.sender import WithdrawalSender
from assetport.domain.commands import (
    Command,
    CreateCollection,
    ListAsset,
    MintNfts,
    WithdrawNft,
)
from assetport.domain.events import CommandRejected, Event
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.items import ItemSpec
from assetport.domain.results import RejectReason
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.port_server import read_state
from assetport.runtime.service import EngineService
from assetport.runtime.startup import close_service, open_service
from assetport.views.nft import NftView

NETWORK: Final = "ETH"
CREATOR: Final = 1000
USER: Final = 1001


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anvil]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as running:
        yield running


@pytest.fixture(scope="module")
def web3(node: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(node.url))


@dataclass
class Desk:
    """An exchange with NFT collections, its custody's senders and watcher on the node."""

    service: EngineService
    web3: Web3
    url: str
    data_dir: Path
    signer: LocalSigner
    deposits: DepositStore
    outgoing: OutgoingStore
    hot_sender: WithdrawalSender
    book: NftBookReader
    store: NftStore
    sender: NftSender
    watcher: NftDepositWatcher

    async def do(self, command: Command) -> list[Event]:
        return (await self.service.execute(command)).events

    async def execute(self, command: Command) -> Sequence[Event]:
        return await self.do(command)

    def new_sender(self) -> NftSender:
        return NftSender(
            self.url, NETWORK, CHAIN_ID, self.signer, self.store, self, self.book,
            self.book.changed, self.hot_sender, self.outgoing, "ETH", self.deposits.addresses,
        )  # fmt: skip

    async def settle(self, passes: int = 30) -> None:
        """Passes of every part until no NFT withdrawal is pending and nothing moves."""
        for _ in range(passes):
            moved = (await self.hot_sender.step()).moved
            moved = (await self.sender.step()).moved or moved
            moved = bool(await self.watcher.poll()) or moved
            if not moved and not self.service.engine.nft_state().withdrawals:
                return
        raise AssertionError("still moving")

    def held(self, account: int, collection: str, token_id: int) -> int:
        for code, spec, owners in self.service.engine.nft_state().items:
            if (code, spec.token_id) == (collection, token_id):
                return dict(owners).get(account, 0)
        return 0

    def contract(self, collection: str) -> str:
        contracts = {c: a for c, n, a in self.service.engine.nft_state().contracts}
        return contracts[collection]

    def wallet(self) -> LocalAccount:
        """A user's own wallet on the chain, with ETH for its gas."""
        account: LocalAccount = Account.from_key(secrets.token_bytes(32))
        funder = self.web3.eth.accounts[0]
        tx = {"from": funder, "to": account.address, "value": Wei(10**18)}
        self.web3.eth.wait_for_transaction_receipt(self.web3.eth.send_transaction(tx))  # type: ignore[arg-type]
        return account


@asynccontextmanager
async def exchange(tmp_path: Path, web3: Web3, node: Anvil) -> AsyncIterator[Desk]:
    data_dir = tmp_path / "data"
    service = await open_service(RuntimeConfig(data_dir=data_dir))
    running = asyncio.get_running_loop().create_task(service.run())
    signer = LocalSigner.open(data_dir)
    deposits = DepositStore.open(data_dir, signer.deposit_xpub())
    outgoing = OutgoingStore.open(data_dir)
    store = NftStore.open(data_dir)
    book = NftBookReader(service.engine.nft_state)
    service.on_applied.append(book.on_applied)
    eth = ChainAsset("ETH", None, 18, 8, confirmations=1, min_deposit=0)

    async def nothing() -> list[object]:
        return []

    desk = Desk(service, web3, node.url, data_dir, signer, deposits, outgoing,
                None, book, store, None, None)  # type: ignore[arg-type]  # fmt: skip
    desk.hot_sender = WithdrawalSender(node.url, NETWORK, CHAIN_ID, {"ETH": eth}, signer,
                                       outgoing, desk, nothing)  # type: ignore[arg-type]  # fmt: skip
    desk.sender = desk.new_sender()
    desk.watcher = NftDepositWatcher(node.url, NETWORK, store, desk, book, deposits.addresses)
    try:
        for command in (ListAsset("KRW", 0), ListAsset("ETH", 8)):
            assert not isinstance((await desk.do(command))[0], CommandRejected)
        funder = web3.eth.accounts[0]
        hot = Web3.to_checksum_address(str(signer.address("hot")))
        web3.eth.wait_for_transaction_receipt(
            web3.eth.send_transaction({"from": funder, "to": hot, "value": Wei(20 * 10**18)})
        )
        yield desk
    finally:
        await desk.sender.close()
        await desk.watcher.close()
        await desk.hot_sender.close()
        store.close()
        outgoing.close()
        deposits.close()
        service.stop()
        await running
        await close_service(service)


async def collection(desk: Desk, code: str, standard: Standard, supply: int) -> None:
    royalty = (RoyaltyShare(CREATOR, 300), RoyaltyShare(CREATOR + 50, 200))
    made = Collection(code, CREATOR, f"{code} items", "", "", standard, "KRW", royalty)
    item = ItemSpec(7, supply, "Item seven", "", "")
    for command in (CreateCollection(made), MintNfts(CREATOR, code, USER, (item,))):
        events = await desk.do(command)
        assert not isinstance(events[0], CommandRejected), events


async def withdraw(desk: Desk, code: str, quantity: int, to: str) -> list[Event]:
    ref = secrets.token_hex(8)
    return await desk.do(WithdrawNft(USER, code, 7, quantity, NETWORK, to, ref))


def test_an_erc721_item_goes_out_comes_back_and_goes_out_again(
    tmp_path: Path, web3: Web3, node: Anvil
) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node) as desk:
            await collection(desk, "yg-art", Standard.ERC721, 1)
            mine = desk.wallet()
            await withdraw(desk, "yg-art", 1, mine.address)
            # The first pass deploys (after the key's gas came); a restart after the mint
            # is signed finds it stored and sends nothing twice.
            for _ in range(10):
                await desk.hot_sender.step()
                await desk.sender.step()
                if any(leg.kind is LegKind.MINT for leg in desk.store.sent(NETWORK)):
                    break
            await desk.sender.close()
            desk.sender = desk.new_sender()
            await desk.settle()

            contract = desk.contract("yg-art")
            assert owner_of(web3, contract, 7) == mine.address
            assert desk.held(USER, "yg-art", 7) == 0
            key = desk.sender.key_address
            assert web3.eth.get_transaction_count(Web3.to_checksum_address(key)) == 2
            view = NftView()
            view.seed(read_state(desk.service.engine).nft)
            item = view.item("yg-art", 7)
            assert item is not None and item.on_chain == 1
            # EIP-2981: the collection's whole royalty (5 %), to the platform's address.
            due = royalty_info(web3, contract, 7, 10_000)
            assert due.amount == 500
            assert due.receiver == Web3.to_checksum_address(str(desk.signer.address("hot")))

            # Back to the holder's deposit address: credited, and the chain agrees.
            deposit_address = desk.deposits.assign_address(USER)
            transfer_721(web3, mine, contract, deposit_address, 7)
            await desk.settle()
            assert desk.held(USER, "yg-art", 7) == 1
            assert owner_of(web3, contract, 7) == deposit_address

            # Out again: a transfer from the deposit address, not a second mint.
            other = desk.wallet()
            await withdraw(desk, "yg-art", 1, other.address)
            await desk.settle()
            assert owner_of(web3, contract, 7) == other.address
            assert desk.store.minted(NETWORK, "yg-art", 7) == 1
            assert desk.contract("yg-art") == contract  # deployed once
            assert web3.eth.get_transaction_count(Web3.to_checksum_address(key)) == 2

    asyncio.run(scenario())


def test_erc1155_units_in_part_and_refusals(tmp_path: Path, web3: Web3, node: Anvil) -> None:
    async def scenario() -> None:
        async with exchange(tmp_path, web3, node) as desk:
            await collection(desk, "game-items", Standard.ERC1155, 10)
            mine = desk.wallet()
            await withdraw(desk, "game-items", 4, mine.address)
            await desk.settle()
            contract = desk.contract("game-items")
            assert balance_1155(web3, contract, mine.address, 7) == 4
            assert desk.held(USER, "game-items", 7) == 6

            deposit_address = desk.deposits.assign_address(USER)
            transfer_1155(web3, mine, contract, deposit_address, 7, 2)
            await desk.settle()
            assert desk.held(USER, "game-items", 7) == 8

            # Three out: the two at the deposit address sent on, one minted.
            other = desk.wallet()
            await withdraw(desk, "game-items", 3, other.address)
            await desk.settle()
            assert balance_1155(web3, contract, other.address, 7) == 3
            assert balance_1155(web3, contract, deposit_address, 7) == 0
            assert desk.store.minted(NETWORK, "game-items", 7) == 5
            assert desk.held(USER, "game-items", 7) == 5

            # A contract that cannot take ERC-1155 tokens: refused, the units come back.
            events = await withdraw(desk, "game-items", 1, contract)
            assert not isinstance(events[0], CommandRejected)
            assert desk.held(USER, "game-items", 7) == 4
            await desk.settle()
            assert desk.held(USER, "game-items", 7) == 5
            assert desk.store.minted(NETWORK, "game-items", 7) == 5

            # An address that is not one: the engine refuses it, and so does parsing.
            events = await withdraw(desk, "game-items", 1, "0x1234")
            assert isinstance(events[0], CommandRejected)
            assert events[0].reason is RejectReason.INVALID_CUSTODY_INPUT
            with pytest.raises(InvalidAddress):
                parse_address("0x" + "00" * 20, "busan")
            assert desk.held(USER, "game-items", 7) == 5

    asyncio.run(scenario())


def test_the_endpoints_are_in_the_openapi_document() -> None:
    from typing import cast

    from assetport.api.app import REST_ENDPOINTS
    from assetport.api.openapi import openapi_document
    from assetport.custody.rest_nft_chain import nft_chain_endpoints
    from assetport.custody.service import Custody

    mine = nft_chain_endpoints(cast(Custody, object()))
    paths = openapi_document((*REST_ENDPOINTS, *mine), [])["paths"]
    assert "post" in paths["/api/v1/nft/withdraw"]
    assert "get" in paths["/api/v1/nft/my/withdrawals"]
