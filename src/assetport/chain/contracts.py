"""Assetport's contracts on the chain: their compiled artifacts (ABI and bytecode, compiled
by `chain/compile.mjs` and committed; `make contracts-check` proves them current), deploying
the listed tokens' `AssetToken`, and reading the contracts' reverts. (The NFT collections'
contracts have their own module, `nft_contracts`, built on this one.)

web3 8 raises a Solidity custom error undecoded (`ContractCustomError` holding the raw
revert data): `describe_revert` names it from the artifacts' ABIs, with its arguments, and
`transact` and `read` raise `ContractReverted` with that description instead.

The deposit watcher reads `Transfer` logs itself from their topics and data (web3's event
decoding is too slow for it): it needs only `TRANSFER_TOPIC` and the token's address.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, cast

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError
from web3.types import TxParams, TxReceipt

# keccak256("Transfer(address,address,uint256)"): topic 0 of every ERC-20 transfer, mints
# (from the zero address) and burns (to it) included.
TRANSFER_TOPIC: Final = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

DEFAULT_ADMIN_ROLE: Final = bytes(32)
ROLE_NAMES: Final = ("MINTER_ROLE", "BURNER_ROLE", "PAUSER_ROLE", "FREEZER_ROLE")
ROLES: Final[Mapping[str, bytes]] = {name: keccak(text=name) for name in ROLE_NAMES}
_ROLE_BY_HASH: Final = {
    DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE",
    **{role: name for name, role in ROLES.items()},
}

# A node's unlocked account (anvil's dev accounts) by its address, or a key held here.
Sender = LocalAccount | str


@dataclass(frozen=True)
class Artifact:
    """One compiled contract, as `chain/compile.mjs` wrote it."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: dict[str, Any]


class ContractReverted(RuntimeError):
    """A transaction or call the contract refused: `error` is the custom error's name
    (`AddressIsFrozen`, `AccessControlUnauthorizedAccount`, ...) when it had one."""

    def __init__(self, description: str, error: str | None = None) -> None:
        super().__init__(description)
        self.error = error


def sender_address(sender: Sender) -> str:
    """The address `sender` sends from."""
    return sender.address if isinstance(sender, LocalAccount) else sender


@cache
def artifact(name: str) -> Artifact:
    """The committed artifact of contract `name` (e.g. "AssetToken")."""
    text = resources.files("assetport.chain").joinpath("artifacts", f"{name}.json").read_text()
    raw = json.loads(text)
    return Artifact(raw["contractName"], raw["abi"], raw["bytecode"], raw["compiler"])


@cache
def artifact_names() -> tuple[str, ...]:
    """The names of every committed artifact, sorted: one per contract in chain/contracts."""
    folder = resources.files("assetport.chain").joinpath("artifacts")
    return tuple(
        sorted(f.name.removesuffix(".json") for f in folder.iterdir() if f.name.endswith(".json"))
    )


def asset_token(w3: Web3, address: str) -> Contract:
    """The `AssetToken` at `address`, to call or transact with."""
    return w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=artifact("AssetToken").abi
    )


def deploy_asset_token(
    w3: Web3,
    deployer: Sender,
    name: str,
    symbol: str,
    decimals: int,
    *,
    admin: str | None = None,
    roles: Sequence[str] = (),
) -> ChecksumAddress:
    """Deploy an `AssetToken` and return its address. `admin` (the deployer unless given)
    gets DEFAULT_ADMIN_ROLE only; `roles` (e.g. ("MINTER_ROLE",)) are then granted to the
    deployer, which must be the admin for that."""
    admin = Web3.to_checksum_address(admin or sender_address(deployer))
    address = deploy(w3, deployer, "AssetToken", name, symbol, decimals, admin)
    for role in roles:
        grant_role(w3, deployer, address, role, sender_address(deployer))
    return address


def deploy(w3: Web3, deployer: Sender, contract: str, *constructor_args: Any) -> ChecksumAddress:
    """Deploy the committed artifact of `contract` with its constructor's arguments and
    return its address; a refusal raises `ContractReverted`."""
    compiled = artifact(contract)
    factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = transact(w3, deployer, factory.constructor(*constructor_args))
    address = receipt["contractAddress"]
    if address is None:
        raise ContractReverted(f"deploying {contract} created no contract")
    return address


def grant_role(w3: Web3, admin: Sender, token: str, role: str, account: str) -> None:
    """Grant `role` (a name of `ROLES`) on `token` to `account`, sent by its admin."""
    call = asset_token(w3, token).functions.grantRole(
        ROLES[role], Web3.to_checksum_address(account)
    )
    transact(w3, admin, call)


def transact(w3: Web3, sender: Sender, call: ContractFunction | ContractConstructor) -> TxReceipt:
    """Send `call` from `sender` and wait for its receipt. A refusal (seen when the node
    estimates the gas, or in a failed receipt) raises `ContractReverted`."""
    from_address = Web3.to_checksum_address(sender_address(sender))
    params: TxParams = {"from": from_address}
    try:
        if isinstance(sender, LocalAccount):
            params["nonce"] = w3.eth.get_transaction_count(from_address, "pending")
            tx = call.build_transaction(params)
            tx_hash = w3.eth.send_raw_transaction(
                sender.sign_transaction(cast(dict[str, Any], tx)).raw_transaction
            )
        else:
            tx_hash = call.transact(params)
    except ContractCustomError as refused:
        raise _reverted(refused) from None
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise ContractReverted(f"transaction {tx_hash.to_0x_hex()} reverted")
    return receipt


def read(view: ContractFunction) -> Any:
    """Call `view` (it changes nothing) and return what it returns. A refusal (a token that
    does not exist, say) raises `ContractReverted`, as `transact` does."""
    try:
        return view.call()
    except ContractCustomError as refused:
        raise _reverted(refused) from None


def custom_errors() -> dict[str, str]:
    """The names of every contract's custom errors (Assetport's own and OpenZeppelin's), by
    their 4-byte selector as 0x-prefixed lowercase hex."""
    return {"0x" + selector.hex(): entry["name"] for selector, entry in _errors().items()}


def describe_revert(refused: ContractCustomError | str | bytes) -> str:
    """A custom error's revert data (or web3's exception holding it) as a reader would
    write it: `AddressIsFrozen(account=0x…)`; roles by their names."""
    data = _revert_data(refused)
    entry = _errors().get(data[:4])
    if entry is None:
        return f"unknown custom error 0x{data.hex()}"
    try:
        values = abi_decode([field["type"] for field in entry["inputs"]], data[4:])
    except DecodingError:
        return f"{entry['name']} (undecodable arguments 0x{data[4:].hex()})"
    shown = ", ".join(
        f"{field['name']}={_show(field['type'], value)}"
        for field, value in zip(entry["inputs"], values, strict=True)
    )
    return f"{entry['name']}({shown})"


@cache
def _errors() -> dict[bytes, dict[str, Any]]:
    # One table for every contract: an error two contracts share (OpenZeppelin's) has one
    # signature, so one selector and one entry.
    errors: dict[bytes, dict[str, Any]] = {}
    for name in artifact_names():
        for entry in artifact(name).abi:
            if entry["type"] == "error":
                errors[keccak(text=_signature(entry))[:4]] = entry
    return errors


def _reverted(refused: ContractCustomError) -> ContractReverted:
    entry = _errors().get(_revert_data(refused)[:4])
    name = None if entry is None else str(entry["name"])
    return ContractReverted(describe_revert(refused), name)


def _revert_data(refused: ContractCustomError | str | bytes) -> bytes:
    data = refused.data if isinstance(refused, ContractCustomError) else refused
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return bytes.fromhex(data.removeprefix("0x"))
    raise ValueError(f"no revert data in {refused!r}")


def _signature(entry: Mapping[str, Any]) -> str:
    return f"{entry['name']}({','.join(field['type'] for field in entry['inputs'])})"


def _show(abi_type: str, value: object) -> str:
    if abi_type == "bytes32" and isinstance(value, bytes):
        return _ROLE_BY_HASH.get(value, "0x" + value.hex())
    if abi_type == "address" and isinstance(value, str):
        return Web3.to_checksum_address(value)
    return str(value)
