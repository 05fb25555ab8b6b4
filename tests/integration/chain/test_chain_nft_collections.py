"""The NFT collections' contracts (`CollectionItems721`, `CollectionItems1155`, chain/contracts)
on a real anvil: deployed from the committed artifacts, only the platform's custody mints,
`ownerOf` and `balanceOf` follow every mint and transfer (an item withdrawn to a wallet and
deposited back), `royaltyInfo` owes the collection's royalty address its share rounded down,
only the admin changes the royalty, a royalty above 10 % is refused, and each contract says
which interfaces it implements. Refusals name the contract's custom error."""

from collections.abc import Callable, Iterator

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from assetport.chain.anvil import Anvil
from assetport.chain.contracts import DEFAULT_ADMIN_ROLE, ROLES, ContractReverted
from assetport.chain.nft_contracts import (
    ERC721_INTERFACE,
    ERC1155_INTERFACE,
    ERC2981_INTERFACE,
    Royalty,
    RoyaltyDue,
    balance_721,
    balance_1155,
    collection_721,
    deploy_collection_721,
    deploy_collection_1155,
    mint_721,
    mint_1155,
    mint_batch_1155,
    owner_of,
    royalty_info,
    set_royalty,
    supports_interface,
    token_uri,
    transfer_721,
    transfer_1155,
    uri_1155,
)

# anvil's dev account 1 (m/44'/60'/0'/0/1 of its public mnemonic): signs locally here, where
# the others are the node's unlocked accounts.
SIGNING_HOLDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
ROYALTY_BPS = 750  # 7.5 %
ERC165_INTERFACE = "0x01ffc9a7"
ERC721_METADATA_INTERFACE = "0x5b5e139f"
ERC1155_METADATA_URI_INTERFACE = "0x0e89341c"
ACCESS_CONTROL_INTERFACE = "0x7965db0b"
METADATA_URI_1155 = "https://assetport.example/nft/quest/{id}.json"


@pytest.fixture(scope="module")
def w3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as node:
        yield Web3(Web3.HTTPProvider(node.url))


class Parties:
    """The collections' admin, the platform's custody (the minter), its royalty address and
    a deposit address, and two holders' own wallets."""

    def __init__(self, w3: Web3) -> None:
        accounts = list(w3.eth.accounts)
        self.admin, self.custody, self.royalties, self.deposit_address = (
            accounts[0],
            accounts[2],
            accounts[3],
            accounts[4],
        )
        self.alice: LocalAccount = Account.from_key(SIGNING_HOLDER_KEY)
        self.bob = accounts[6]


@pytest.fixture(scope="module")
def parties(w3: Web3) -> Parties:
    return Parties(w3)


@pytest.fixture
def label(w3: Web3, parties: Parties) -> str:
    """A label's ERC-721 collection at a 7.5 % royalty, nothing minted."""
    return deploy_collection_721(
        w3,
        parties.admin,
        "Blackpink Moments",
        "BPM",
        "https://assetport.example/nft/bpm/",
        Royalty(parties.royalties, ROYALTY_BPS),
        minter=parties.custody,
    )


@pytest.fixture
def game(w3: Web3, parties: Parties) -> str:
    """A game studio's ERC-1155 collection at a 7.5 % royalty, nothing minted."""
    return deploy_collection_1155(
        w3,
        parties.admin,
        METADATA_URI_1155,
        Royalty(parties.royalties, ROYALTY_BPS),
        minter=parties.custody,
    )


def refused(action: Callable[..., object], *args: object) -> ContractReverted:
    """The refusal `action(*args)` met."""
    with pytest.raises(ContractReverted) as caught:
        action(*args)
    return caught.value


def test_a_721_collection_deploys_with_its_name_metadata_royalty_and_roles(
    w3: Web3, parties: Parties, label: str
) -> None:
    contract = collection_721(w3, label)
    assert contract.functions.name().call() == "Blackpink Moments"
    assert contract.functions.symbol().call() == "BPM"
    assert contract.functions.MAX_ROYALTY_BPS().call() == 1000
    assert royalty_info(w3, label, 1, 10_000) == RoyaltyDue(parties.royalties, ROYALTY_BPS)

    minter_role = ROLES["MINTER_ROLE"]
    assert contract.functions.hasRole(DEFAULT_ADMIN_ROLE, parties.admin).call()
    assert not contract.functions.hasRole(minter_role, parties.admin).call()
    assert contract.functions.hasRole(minter_role, parties.custody).call()

    mint_721(w3, parties.custody, label, parties.alice.address, 42)
    assert token_uri(w3, label, 42) == "https://assetport.example/nft/bpm/42"


def test_a_withdrawn_item_is_minted_once_and_owner_of_agrees(
    w3: Web3, parties: Parties, label: str
) -> None:
    alice = parties.alice.address
    never_minted = refused(owner_of, w3, label, 7)
    assert str(never_minted) == "ERC721NonexistentToken(tokenId=7)"

    mint_721(w3, parties.custody, label, alice, 7)
    mint_721(w3, parties.custody, label, alice, 8)
    mint_721(w3, parties.custody, label, parties.bob, 9)
    assert [owner_of(w3, label, item) for item in (7, 8, 9)] == [alice, alice, parties.bob]
    assert (balance_721(w3, label, alice), balance_721(w3, label, parties.bob)) == (2, 1)

    again = refused(mint_721, w3, parties.custody, label, parties.bob, 7)
    assert str(again) == f"ERC721InvalidSender(sender={'0x' + '00' * 20})"
    assert owner_of(w3, label, 7) == alice


def test_only_the_custody_mints(w3: Web3, parties: Parties, label: str, game: str) -> None:
    for outsider in (parties.admin, parties.alice):
        who = outsider if isinstance(outsider, str) else outsider.address
        expected = f"AccessControlUnauthorizedAccount(account={who}, neededRole=MINTER_ROLE)"
        assert str(refused(mint_721, w3, outsider, label, who, 1)) == expected
        assert str(refused(mint_1155, w3, outsider, game, who, 1, 5)) == expected
        assert str(refused(mint_batch_1155, w3, outsider, game, who, {1: 5, 2: 1})) == expected
    assert balance_721(w3, label, parties.admin) == 0
    assert balance_1155(w3, game, parties.alice.address, 1) == 0


def test_an_item_deposited_back_is_owned_by_the_deposit_address(
    w3: Web3, parties: Parties, label: str
) -> None:
    alice = parties.alice.address
    mint_721(w3, parties.custody, label, alice, 3)

    taken = refused(transfer_721, w3, parties.bob, label, parties.bob, 3)
    assert taken.error == "ERC721InsufficientApproval"
    assert owner_of(w3, label, 3) == alice

    transfer_721(w3, parties.alice, label, parties.deposit_address, 3)
    assert owner_of(w3, label, 3) == parties.deposit_address
    assert balance_721(w3, label, alice) == 0
    assert balance_721(w3, label, parties.deposit_address) == 1


def test_a_1155_collection_mints_amounts_and_moves_parts_of_them(
    w3: Web3, parties: Parties, game: str
) -> None:
    alice = parties.alice.address
    mint_1155(w3, parties.custody, game, alice, 1, 5)
    mint_batch_1155(w3, parties.custody, game, alice, {2: 3, 3: 1})
    assert [balance_1155(w3, game, alice, item) for item in (1, 2, 3, 4)] == [5, 3, 1, 0]
    assert uri_1155(w3, game, 2) == METADATA_URI_1155

    transfer_1155(w3, parties.alice, game, parties.deposit_address, 1, 2)
    assert balance_1155(w3, game, alice, 1) == 3
    assert balance_1155(w3, game, parties.deposit_address, 1) == 2

    too_many = refused(transfer_1155, w3, parties.alice, game, parties.bob, 3, 2)
    assert str(too_many) == (
        f"ERC1155InsufficientBalance(sender={alice}, balance=1, needed=2, tokenId=3)"
    )
    assert balance_1155(w3, game, parties.bob, 3) == 0


@pytest.mark.parametrize(
    ("sale_price", "royalty"),
    [
        (1_000_000, 75_000),
        (1_999, 149),  # 149.925, rounded down
        (13, 0),  # 0.975, rounded down
        (0, 0),
    ],
)
def test_royalty_info_owes_the_royalty_address_its_share_rounded_down(
    w3: Web3, parties: Parties, label: str, game: str, sale_price: int, royalty: int
) -> None:
    for collection in (label, game):
        due = royalty_info(w3, collection, 1, sale_price)
        assert due == RoyaltyDue(parties.royalties, royalty)


def test_only_the_admin_changes_the_royalty_and_never_above_ten_percent(
    w3: Web3, parties: Parties, label: str, game: str
) -> None:
    for collection in (label, game):
        for outsider in (parties.custody, parties.bob):
            change = refused(set_royalty, w3, outsider, collection, Royalty(outsider, 1000))
            assert str(change) == (
                f"AccessControlUnauthorizedAccount(account={outsider}, "
                "neededRole=DEFAULT_ADMIN_ROLE)"
            )
        too_high = refused(set_royalty, w3, parties.admin, collection, Royalty(parties.bob, 1001))
        assert str(too_high) == "RoyaltyTooHigh(bps=1001, maximum=1000)"
        nobody = Royalty("0x" + "00" * 20, 500)
        no_receiver = refused(set_royalty, w3, parties.admin, collection, nobody)
        assert no_receiver.error == "ERC2981InvalidDefaultRoyaltyReceiver"
        assert royalty_info(w3, collection, 1, 10_000) == RoyaltyDue(parties.royalties, 750)

        set_royalty(w3, parties.admin, collection, Royalty(parties.bob, 1000))
        assert royalty_info(w3, collection, 1, 10_000) == RoyaltyDue(parties.bob, 1000)


def test_the_deployer_may_name_another_admin(w3: Web3, parties: Parties) -> None:
    royalty = Royalty(parties.royalties, ROYALTY_BPS)
    address = deploy_collection_1155(
        w3, parties.alice, "", royalty, minter=parties.custody, admin=parties.bob
    )
    set_royalty(w3, parties.bob, address, Royalty(parties.bob, 100))
    assert royalty_info(w3, address, 1, 10_000) == RoyaltyDue(parties.bob, 100)
    assert refused(set_royalty, w3, parties.alice, address, royalty).error == (
        "AccessControlUnauthorizedAccount"
    )


def test_a_royalty_above_ten_percent_is_refused_at_deployment(w3: Web3, parties: Parties) -> None:
    def deploy_721(bps: int) -> str:
        royalty = Royalty(parties.royalties, bps)
        return deploy_collection_721(w3, parties.admin, "X", "X", "", royalty, minter=parties.bob)

    def deploy_1155(bps: int) -> str:
        royalty = Royalty(parties.royalties, bps)
        return deploy_collection_1155(w3, parties.admin, "", royalty, minter=parties.bob)

    for deploy in (deploy_721, deploy_1155):
        assert str(refused(deploy, 1001)) == "RoyaltyTooHigh(bps=1001, maximum=1000)"
        assert royalty_info(w3, deploy(1000), 1, 100) == RoyaltyDue(parties.royalties, 10)


def test_each_collection_says_which_interfaces_it_implements(
    w3: Web3, label: str, game: str
) -> None:
    both = {ERC165_INTERFACE, ERC2981_INTERFACE, ACCESS_CONTROL_INTERFACE}
    implemented = {
        label: both | {ERC721_INTERFACE, ERC721_METADATA_INTERFACE},
        game: both | {ERC1155_INTERFACE, ERC1155_METADATA_URI_INTERFACE},
    }
    asked = [*implemented[label], *implemented[game], "0xffffffff"]
    for collection, interfaces in implemented.items():
        for interface_id in asked:
            said = supports_interface(w3, collection, interface_id)
            assert said == (interface_id in interfaces), (collection, interface_id)
