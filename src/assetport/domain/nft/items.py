"""Items of a collection: what is minted, with its metadata in the shape of the ERC-721
metadata JSON (name, description, image, attributes with trait types).

The engine keeps an item's metadata because it decides with it: a collection offer for "any
item with this trait" is accepted only for an item that has the trait. The image is named by
the SHA-256 of its bytes (`edge/nft_media.py` keeps and serves them), so the metadata binds
the very picture, as a content address does on chain.
"""

from typing import Final

import msgspec

from assetport.domain.nft.collections import (
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    SHA256_HEX,
    Standard,
)
from assetport.domain.units import MAX_AMOUNT

MAX_ATTRIBUTES: Final = 32
MAX_TRAIT_CHARS: Final = 64
MAX_MINT_BATCH: Final = 1000  # items in one mint command
MAX_TOKEN_ID: Final = (1 << 63) - 1  # within the journal's 64-bit integers


class Trait(msgspec.Struct, frozen=True, array_like=True, order=True):
    """One attribute: e.g. ("Background", "Pink")."""

    trait_type: str
    value: str


class ItemSpec(msgspec.Struct, frozen=True, array_like=True):
    """An item to mint: its token id in the collection, its supply (one for ERC-721), and its
    metadata."""

    token_id: int
    supply: int
    name: str
    description: str
    image: str  # SHA-256 of the image's bytes, or "" for none
    attributes: tuple[Trait, ...] = ()


def item_problem(item: ItemSpec, standard: Standard) -> str | None:
    """Why an item cannot be minted as given, or None."""
    if not 0 <= item.token_id <= MAX_TOKEN_ID:
        return "a token id is a whole number from 0 to 2^63 - 1"
    if standard is Standard.ERC721 and item.supply != 1:
        return "an ERC-721 item is unique: its supply is 1"
    if not 1 <= item.supply <= MAX_AMOUNT:
        return "an item's supply is at least 1"
    if not item.name.strip() or len(item.name) > MAX_NAME_CHARS:
        return f"an item's name is 1 to {MAX_NAME_CHARS} characters"
    if len(item.description) > MAX_DESCRIPTION_CHARS:
        return f"a description is at most {MAX_DESCRIPTION_CHARS} characters"
    if item.image and not SHA256_HEX.fullmatch(item.image):
        return "the image is named by the SHA-256 of its bytes (64 lowercase hex digits)"
    if len(item.attributes) > MAX_ATTRIBUTES:
        return f"an item has at most {MAX_ATTRIBUTES} attributes"
    if len({trait.trait_type for trait in item.attributes}) != len(item.attributes):
        return "each trait type appears once in an item's attributes"
    if any(not trait_fits(trait) for trait in item.attributes):
        return f"trait types and values are 1 to {MAX_TRAIT_CHARS} characters"
    return None


def trait_fits(trait: Trait) -> bool:
    return 0 < len(trait.trait_type) <= MAX_TRAIT_CHARS and 0 < len(trait.value) <= MAX_TRAIT_CHARS


def metadata_json(item: ItemSpec) -> dict[str, object]:
    """The item's metadata as the ERC-721 metadata JSON shape (the image as a path on this
    platform; the chain's tokenURI serves the same document)."""
    return {
        "name": item.name,
        "description": item.description,
        "image": f"/api/v1/nft/media/{item.image}" if item.image else "",
        "attributes": [{"trait_type": t.trait_type, "value": t.value} for t in item.attributes],
    }
