"""The committed contract artifacts say how they were built, and that matches the node:
compiled for the hardfork anvil runs (`anvil.HARDFORK`), with the pinned solc and
OpenZeppelin; and the custom errors an operator may meet are all named."""

import json
from pathlib import Path

import pytest

from assetport.chain import anvil
from assetport.chain.contracts import (
    TRANSFER_TOPIC,
    artifact,
    artifact_names,
    custom_errors,
    describe_revert,
)

CHAIN_DIR = Path(__file__).resolve().parents[3] / "chain"


def test_every_contract_of_chain_contracts_has_an_artifact() -> None:
    sources = sorted(path.stem for path in (CHAIN_DIR / "contracts").glob("*.sol"))
    assert list(artifact_names()) == sources


@pytest.mark.parametrize("name", artifact_names())
def test_each_artifact_was_compiled_for_the_nodes_hardfork_with_the_pinned_toolchain(
    name: str,
) -> None:
    compiler = artifact(name).compiler
    assert compiler["evmVersion"] == "cancun" == anvil.HARDFORK
    assert compiler["openzeppelin"] == "5.7.0"
    assert compiler["solc"].startswith("0.8.37+")
    assert compiler["optimizer"] == {"enabled": True, "runs": 200}


def test_the_pinned_toolchain_is_the_one_chain_package_json_installs() -> None:
    wanted = json.loads((CHAIN_DIR / "package.json").read_text())["devDependencies"]
    compiler = artifact("AssetToken").compiler
    assert wanted["solc"] == compiler["solc"].split("+")[0]
    assert wanted["@openzeppelin/contracts"] == compiler["openzeppelin"]


def test_the_artifact_holds_deployable_code_and_the_transfer_event() -> None:
    token = artifact("AssetToken")
    assert token.name == "AssetToken"
    assert token.bytecode.startswith("0x60") and len(token.bytecode) > 1000
    [transfer] = [e for e in token.abi if e["type"] == "event" and e["name"] == "Transfer"]
    assert [field["indexed"] for field in transfer["inputs"]] == [True, True, False]
    assert TRANSFER_TOPIC == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def test_the_token_errors_are_named_by_their_selectors() -> None:
    names = set(custom_errors().values())
    assert {
        "AddressIsFrozen",
        "AddressNotFrozen",
        "AccessControlUnauthorizedAccount",
        "EnforcedPause",
        "ERC20InsufficientBalance",
        # the NFT collections' (chain/contracts/CollectionItems*.sol)
        "RoyaltyTooHigh",
        "ERC721NonexistentToken",
        "ERC1155InsufficientBalance",
        "ERC2981InvalidDefaultRoyaltyReceiver",
    } <= names
    # keccak256("AddressIsFrozen(address)")[:4], then the address as one ABI word.
    data = "0xf6f5733a" + "00" * 12 + "ab" * 20
    assert custom_errors()["0xf6f5733a"] == "AddressIsFrozen"
    checksummed = "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    assert describe_revert(data) == f"AddressIsFrozen(account={checksummed})"
    assert describe_revert("0xf6f5733a00") == "AddressIsFrozen (undecodable arguments 0x00)"
