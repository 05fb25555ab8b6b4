"""The listed tokens' contract (`AssetToken`, chain/contracts) on a real anvil: deployed from
the committed artifact, it mints only for its minter, emits the `Transfer` logs the deposit
watcher reads, stops every transfer while paused, keeps a frozen address from sending or
receiving, wipes a frozen balance, and burns redemptions. Refusals name the contract's
custom error, as an operator would read them."""

from collections.abc import Iterator

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from assetport.chain.anvil import Anvil
from assetport.chain.contracts import (
    DEFAULT_ADMIN_ROLE,
    ROLES,
    TRANSFER_TOPIC,
    ContractReverted,
    Sender,
    asset_token,
    deploy_asset_token,
    describe_revert,
    grant_role,
    transact,
)

KGLD = 10**8  # one KGLD at its 8 decimals
# anvil's dev account 1 (m/44'/60'/0'/0/1 of its public mnemonic): signs locally here, where
# the others are the node's unlocked accounts.
SIGNING_HOLDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture(scope="module")
def w3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as node:
        yield Web3(Web3.HTTPProvider(node.url))


class Parties:
    """The token's admin, one holder of each role, and two plain holders."""

    def __init__(self, w3: Web3) -> None:
        accounts = list(w3.eth.accounts)
        self.admin, self.minter, self.burner, self.pauser, self.freezer = (
            accounts[0],
            accounts[2],
            accounts[3],
            accounts[4],
            accounts[5],
        )
        self.alice: LocalAccount = Account.from_key(SIGNING_HOLDER_KEY)
        self.bob = accounts[6]


@pytest.fixture(scope="module")
def parties(w3: Web3) -> Parties:
    return Parties(w3)


@pytest.fixture
def token(w3: Web3, parties: Parties) -> Contract:
    """A fresh KGLD with its roles handed out, and 10 KGLD minted to alice."""
    address = deploy_asset_token(w3, parties.admin, "Assetport Gold", "KGLD", 8)
    for role, holder in [
        ("MINTER_ROLE", parties.minter),
        ("BURNER_ROLE", parties.burner),
        ("PAUSER_ROLE", parties.pauser),
        ("FREEZER_ROLE", parties.freezer),
    ]:
        grant_role(w3, parties.admin, address, role, holder)
    contract = asset_token(w3, address)
    transact(w3, parties.minter, contract.functions.mint(parties.alice.address, 10 * KGLD))
    return contract


def balance(token: Contract, holder: str) -> int:
    return int(token.functions.balanceOf(holder).call())


def events(token: Contract, receipt: TxReceipt, name: str) -> list[EventData]:
    return list(token.events[name]().process_receipt(receipt, errors=DISCARD))


def refused(w3: Web3, sender: Sender, call: ContractFunction) -> ContractReverted:
    """The refusal `call`, sent by `sender`, met."""
    with pytest.raises(ContractReverted) as caught:
        transact(w3, sender, call)
    return caught.value


def test_a_token_deploys_with_its_decimals_and_only_the_admin_role(
    w3: Web3, parties: Parties
) -> None:
    for decimals in (8, 6, 18, 0):
        address = deploy_asset_token(w3, parties.alice, "Assetport Oil", "KOIL", decimals)
        oil = asset_token(w3, address)
        assert oil.functions.decimals().call() == decimals
        assert oil.functions.symbol().call() == "KOIL"
        assert oil.functions.name().call() == "Assetport Oil"
        assert oil.functions.totalSupply().call() == 0
        assert oil.functions.hasRole(DEFAULT_ADMIN_ROLE, parties.alice.address).call()
        for role in ROLES.values():
            assert not oil.functions.hasRole(role, parties.alice.address).call()


def test_roles_asked_for_at_deployment_go_to_the_deployer(w3: Web3, parties: Parties) -> None:
    address = deploy_asset_token(
        w3, parties.admin, "Assetport Copper", "KCU", 6, roles=("MINTER_ROLE",)
    )
    copper = asset_token(w3, address)
    transact(w3, parties.admin, copper.functions.mint(parties.bob, 5_000_000))
    assert balance(copper, parties.bob) == 5_000_000


def test_only_the_minter_mints(w3: Web3, parties: Parties, token: Contract) -> None:
    transact(w3, parties.minter, token.functions.mint(parties.bob, 3 * KGLD))
    assert balance(token, parties.bob) == 3 * KGLD
    assert token.functions.totalSupply().call() == 13 * KGLD

    for outsider in (parties.alice, parties.admin):
        refusal = refused(w3, outsider, token.functions.mint(parties.bob, 1))
        assert refusal.error == "AccessControlUnauthorizedAccount"
        who = outsider if isinstance(outsider, str) else outsider.address
        assert str(refusal) == (
            f"AccessControlUnauthorizedAccount(account={who}, neededRole=MINTER_ROLE)"
        )
    assert balance(token, parties.bob) == 3 * KGLD


def test_a_transfer_emits_the_log_the_deposit_watcher_reads(
    w3: Web3, parties: Parties, token: Contract
) -> None:
    receipt = transact(w3, parties.alice, token.functions.transfer(parties.bob, 2 * KGLD + 7))
    [log] = receipt["logs"]
    assert log["address"] == token.address
    assert log["topics"][0].to_0x_hex() == TRANSFER_TOPIC
    assert log["topics"][1][-20:] == bytes.fromhex(parties.alice.address[2:])
    assert log["topics"][2][-20:] == bytes.fromhex(parties.bob[2:])
    assert int.from_bytes(log["data"], "big") == 2 * KGLD + 7
    assert balance(token, parties.bob) == 2 * KGLD + 7
    assert balance(token, parties.alice.address) == 8 * KGLD - 7


def test_pausing_stops_every_transfer_until_unpaused(
    w3: Web3, parties: Parties, token: Contract
) -> None:
    assert refused(w3, parties.bob, token.functions.pause()).error == (
        "AccessControlUnauthorizedAccount"
    )
    transact(w3, parties.pauser, token.functions.pause())

    send = token.functions.transfer(parties.bob, KGLD)
    assert str(refused(w3, parties.alice, send)) == "EnforcedPause()"
    mint = token.functions.mint(parties.bob, KGLD)
    assert refused(w3, parties.minter, mint).error == "EnforcedPause"
    assert balance(token, parties.bob) == 0

    transact(w3, parties.pauser, token.functions.unpause())
    transact(w3, parties.alice, token.functions.transfer(parties.bob, KGLD))
    assert balance(token, parties.bob) == KGLD


def test_a_frozen_address_can_neither_send_nor_receive(
    w3: Web3, parties: Parties, token: Contract
) -> None:
    transact(w3, parties.minter, token.functions.mint(parties.bob, KGLD))
    alice = parties.alice.address
    receipt = transact(w3, parties.freezer, token.functions.freeze(alice))
    assert [event["args"]["account"] for event in events(token, receipt, "AddressFrozen")] == [
        alice
    ]
    assert token.functions.isFrozen(alice).call()

    refusals: list[tuple[Sender, ContractFunction]] = [
        (parties.alice, token.functions.transfer(parties.bob, 1)),  # sending
        (parties.bob, token.functions.transfer(alice, 1)),  # receiving
        (parties.minter, token.functions.mint(alice, 1)),  # receiving, new tokens
        (parties.freezer, token.functions.freeze(alice)),  # frozen once already
    ]
    for sender, call in refusals:
        assert str(refused(w3, sender, call)) == f"AddressIsFrozen(account={alice})"
    assert (balance(token, alice), balance(token, parties.bob)) == (10 * KGLD, KGLD)

    receipt = transact(w3, parties.freezer, token.functions.unfreeze(alice))
    assert len(events(token, receipt, "AddressUnfrozen")) == 1
    unfreeze = token.functions.unfreeze(alice)
    assert str(refused(w3, parties.freezer, unfreeze)) == (f"AddressNotFrozen(account={alice})")
    transact(w3, parties.alice, token.functions.transfer(parties.bob, KGLD))
    assert balance(token, parties.bob) == 2 * KGLD


def test_wiping_burns_a_frozen_address_whole_balance(
    w3: Web3, parties: Parties, token: Contract
) -> None:
    alice = parties.alice.address
    wipe = token.functions.wipeFrozenAddress(alice)
    assert refused(w3, parties.freezer, wipe).error == "AddressNotFrozen"
    transact(w3, parties.freezer, token.functions.freeze(alice))
    assert refused(w3, parties.bob, wipe).error == ("AccessControlUnauthorizedAccount")

    receipt = transact(w3, parties.freezer, wipe)
    [wiped] = events(token, receipt, "FrozenAddressWiped")
    assert (wiped["args"]["account"], wiped["args"]["amount"]) == (alice, 10 * KGLD)
    [burn] = events(token, receipt, "Transfer")
    assert (burn["args"]["to"], burn["args"]["value"]) == (
        "0x0000000000000000000000000000000000000000",
        10 * KGLD,
    )
    assert balance(token, alice) == 0
    assert token.functions.totalSupply().call() == 0
    assert token.functions.isFrozen(alice).call()


def test_the_burner_burns_redemptions_from_its_own_balance(
    w3: Web3, parties: Parties, token: Contract
) -> None:
    transact(w3, parties.alice, token.functions.transfer(parties.burner, 4 * KGLD))
    transact(w3, parties.burner, token.functions.burn(3 * KGLD))
    assert balance(token, parties.burner) == KGLD
    assert token.functions.totalSupply().call() == 7 * KGLD

    burn = token.functions.burn(KGLD)
    assert refused(w3, parties.alice, burn).error == ("AccessControlUnauthorizedAccount")
    too_much = token.functions.burn(KGLD + 1)
    assert str(refused(w3, parties.burner, too_much)) == (
        f"ERC20InsufficientBalance(sender={parties.burner}, balance={KGLD}, needed={KGLD + 1})"
    )


def test_revert_data_of_no_known_error_is_shown_raw() -> None:
    assert describe_revert("0xdeadbeef") == "unknown custom error 0xdeadbeef"
