"""The seeds of NFT draws and mystery-box sales, kept secret by the platform until it reveals
them (`domain/nft/draws.py` says why a seed stays off the journal until then).

A seed is made here when a draw or box sale is set up, and only its commitment goes into the
drop's command. The store keeps the commitment's preimage (the prefix and the seed) as content
named by its SHA-256 (`edge/content_store.py`), which is the commitment itself: the file for a
drop is found by its commitment, written whole before the drop is journaled, and one whose
bytes do not hash to its name is never revealed.
"""

import secrets
from pathlib import Path
from typing import Final

from assetport.domain.nft.draws import COMMITMENT_PREFIX, SEED_BYTES
from assetport.edge.content_store import ContentStore

SEEDS_DIR: Final = "nft-drop-seeds"


class DropSeeds:
    def __init__(self, data_dir: Path) -> None:
        self.store = ContentStore(data_dir / SEEDS_DIR, len(COMMITMENT_PREFIX) + SEED_BYTES, 0)

    def new(self) -> str:
        """A fresh seed, kept: its commitment (to journal with the drop)."""
        return self.store.put(COMMITMENT_PREFIX + secrets.token_bytes(SEED_BYTES))

    def seed(self, commitment: str) -> str | None:
        """The seed behind `commitment` as 64 hex digits, or None when this platform holds
        none (a drop made elsewhere, or a file gone or changed)."""
        kept = self.store.read(commitment)
        if kept is None or not kept.startswith(COMMITMENT_PREFIX):
            return None
        return kept[len(COMMITMENT_PREFIX) :].hex()
