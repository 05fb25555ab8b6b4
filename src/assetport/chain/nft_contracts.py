"""The NFT collections' contracts on the chain (issue #18): `CollectionItems721` for unique
items and `CollectionItems1155` for semi-fungible items with supplies, both with an EIP-2981
royalty.

Items live in custody on the platform. An item withdrawn to its holder's wallet is minted
there, once, by the platform's custody (the contract's minter); it comes back by a plain
transfer to the holder's deposit address and, withdrawn again, leaves by a transfer: the
contracts have no burn. The platform's records and the chain's `ownerOf` / `balanceOf`
must agree; the functions here read them.

EIP-2981 knows one royalty receiver per sale. Assetport deploys each collection with a
royalty address of its own as that receiver, and pays the collection's split receivers from
it in the ledger; `bps` is the collection's whole royalty (at most 1,000: 10 %).

Senders are as in `contracts`: a `LocalAccount` signed here, or a node's unlocked address;
a refusal raises `contracts.ContractReverted` naming the contract's custom error.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from assetport.chain.contracts import Sender, artifact, deploy, read, sender_address, transact

# ERC-165 interface ids, as `supports_interface` takes them.
ERC721_INTERFACE: Final = "0x80ac58cd"
ERC1155_INTERFACE: Final = "0xd9b67a26"
ERC2981_INTERFACE: Final = "0x2a55205a"


@dataclass(frozen=True)
class Royalty:
    """A collection's royalty: `bps` basis points of every sale price, paid to `receiver`."""

    receiver: str
    bps: int


class RoyaltyDue(NamedTuple):
    """What EIP-2981 says a sale owes: `amount` (rounded down) to `receiver`."""

    receiver: ChecksumAddress
    amount: int


def collection_721(w3: Web3, address: str) -> Contract:
    """The `CollectionItems721` at `address`, to call or transact with."""
    return _contract(w3, "CollectionItems721", address)


def collection_1155(w3: Web3, address: str) -> Contract:
    """The `CollectionItems1155` at `address`, to call or transact with."""
    return _contract(w3, "CollectionItems1155", address)


def deploy_collection_721(
    w3: Web3,
    deployer: Sender,
    name: str,
    symbol: str,
    base_uri: str,
    royalty: Royalty,
    *,
    minter: str,
    admin: str | None = None,
) -> ChecksumAddress:
    """Deploy a `CollectionItems721` and return its address. Item `n`'s `tokenURI` is
    `base_uri` followed by `n` in decimal. `admin` (the deployer unless given) may change the
    royalty; only `minter` (the platform's custody) mints."""
    return deploy(
        w3,
        deployer,
        "CollectionItems721",
        name,
        symbol,
        base_uri,
        Web3.to_checksum_address(royalty.receiver),
        royalty.bps,
        _admin(deployer, admin),
        Web3.to_checksum_address(minter),
    )


def deploy_collection_1155(
    w3: Web3,
    deployer: Sender,
    uri: str,
    royalty: Royalty,
    *,
    minter: str,
    admin: str | None = None,
) -> ChecksumAddress:
    """Deploy a `CollectionItems1155` and return its address. `uri` is every item's metadata
    URI, with `{id}` standing for the id as 64 lowercase hex digits. `admin` (the deployer
    unless given) may change the royalty; only `minter` (the platform's custody) mints."""
    return deploy(
        w3,
        deployer,
        "CollectionItems1155",
        uri,
        Web3.to_checksum_address(royalty.receiver),
        royalty.bps,
        _admin(deployer, admin),
        Web3.to_checksum_address(minter),
    )


def mint_721(w3: Web3, minter: Sender, collection: str, to: str, token_id: int) -> TxReceipt:
    """Mint item `token_id` to `to`: refused for an id minted before, and for a contract
    wallet that does not accept ERC-721 tokens."""
    call = collection_721(w3, collection).functions.mint(Web3.to_checksum_address(to), token_id)
    return transact(w3, minter, call)


def mint_1155(
    w3: Web3, minter: Sender, collection: str, to: str, token_id: int, amount: int
) -> TxReceipt:
    """Mint `amount` of item `token_id` to `to`."""
    contract = collection_1155(w3, collection)
    call = contract.functions.mint(Web3.to_checksum_address(to), token_id, amount)
    return transact(w3, minter, call)


def mint_batch_1155(
    w3: Web3, minter: Sender, collection: str, to: str, amounts: Mapping[int, int]
) -> TxReceipt:
    """Mint `amounts[id]` of every item `id` to `to`, in one transaction."""
    contract = collection_1155(w3, collection)
    call = contract.functions.mintBatch(
        Web3.to_checksum_address(to), list(amounts), list(amounts.values())
    )
    return transact(w3, minter, call)


def transfer_721(w3: Web3, holder: Sender, collection: str, to: str, token_id: int) -> TxReceipt:
    """Move item `token_id` from `holder` to `to` (`safeTransferFrom`: a contract wallet that
    does not accept ERC-721 tokens refuses it)."""
    contract = collection_721(w3, collection)
    call = contract.functions.safeTransferFrom(
        Web3.to_checksum_address(sender_address(holder)), Web3.to_checksum_address(to), token_id
    )
    return transact(w3, holder, call)


def transfer_1155(
    w3: Web3, holder: Sender, collection: str, to: str, token_id: int, amount: int
) -> TxReceipt:
    """Move `amount` of item `token_id` from `holder` to `to` (`safeTransferFrom`)."""
    contract = collection_1155(w3, collection)
    call = contract.functions.safeTransferFrom(
        Web3.to_checksum_address(sender_address(holder)),
        Web3.to_checksum_address(to),
        token_id,
        amount,
        b"",
    )
    return transact(w3, holder, call)


def owner_of(w3: Web3, collection: str, token_id: int) -> ChecksumAddress:
    """Who holds item `token_id` of an ERC-721 collection; an item never minted raises
    `ContractReverted` (`ERC721NonexistentToken`)."""
    owner: str = read(collection_721(w3, collection).functions.ownerOf(token_id))
    return Web3.to_checksum_address(owner)


def balance_721(w3: Web3, collection: str, holder: str) -> int:
    """How many items of an ERC-721 collection `holder` has."""
    view = collection_721(w3, collection).functions.balanceOf(Web3.to_checksum_address(holder))
    return int(read(view))


def balance_1155(w3: Web3, collection: str, holder: str, token_id: int) -> int:
    """How many of item `token_id` of an ERC-1155 collection `holder` has."""
    contract = collection_1155(w3, collection)
    return int(read(contract.functions.balanceOf(Web3.to_checksum_address(holder), token_id)))


def token_uri(w3: Web3, collection: str, token_id: int) -> str:
    """Item `token_id`'s metadata URI in an ERC-721 collection (it must be minted)."""
    return str(read(collection_721(w3, collection).functions.tokenURI(token_id)))


def uri_1155(w3: Web3, collection: str, token_id: int) -> str:
    """Item `token_id`'s metadata URI in an ERC-1155 collection, as the contract returns
    it: the collection's template, `{id}` left for the reader to fill in."""
    return str(read(collection_1155(w3, collection).functions.uri(token_id)))


# The two contracts share these functions (ERC-2981, ERC-165 and the royalty's setter) with
# the same ABI, so the ERC-721 one serves both kinds of collection.


def royalty_info(w3: Web3, collection: str, token_id: int, sale_price: int) -> RoyaltyDue:
    """What a sale of item `token_id` at `sale_price` owes in royalty, in the price's units."""
    view = collection_721(w3, collection).functions.royaltyInfo(token_id, sale_price)
    receiver, amount = read(view)
    return RoyaltyDue(Web3.to_checksum_address(receiver), int(amount))


def set_royalty(w3: Web3, admin: Sender, collection: str, royalty: Royalty) -> TxReceipt:
    """Change a collection's royalty, for every item; only its admin may."""
    call = collection_721(w3, collection).functions.setDefaultRoyalty(
        Web3.to_checksum_address(royalty.receiver), royalty.bps
    )
    return transact(w3, admin, call)


def supports_interface(w3: Web3, collection: str, interface_id: str) -> bool:
    """Whether the collection says (ERC-165) it implements `interface_id` ("0x80ac58cd")."""
    view = collection_721(w3, collection).functions.supportsInterface(interface_id)
    return bool(read(view))


def _contract(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact(name).abi)


def _admin(deployer: Sender, admin: str | None) -> ChecksumAddress:
    return Web3.to_checksum_address(admin or sender_address(deployer))
