"""A signed transaction on its way into a block: its fees, its broadcast, and its receipt.

Custody stores every transaction it signs, raw bytes and all, before any node sees it
(`outgoing_store.py`, the sweeps in `sweeper.py`, the NFT legs in `nft_store.py`). Until a
block holds it, the very same bytes are sent again: a node that dropped it, or a crash
before the broadcast, never leads to a second transaction.

The withdrawal sender (`sender.py`) reads the node's refusals more closely (a nonce used by
another transaction holds a withdrawal back), so it shares the texts and the receipt read
here but keeps its own broadcast and follow-up.
"""

import logging
from dataclasses import dataclass
from typing import Any, Final

from assetport.custody.node_rpc import NodeError, NodeRpc, quantity

log = logging.getLogger(__name__)

# What nodes answer when they hold the transaction already (geth, anvil, erigon, besu).
ALREADY_KNOWN: Final = ("already known", "already imported", "known transaction", "already in")
# What they answer when its nonce is used: by this transaction once mined, or by another.
NONCE_TOO_LOW: Final = ("nonce too low", "nonce is too low", "oldnonce")


@dataclass(frozen=True, slots=True)
class Settled:
    """A transaction with its confirmations: its block, whether it succeeded (status 1),
    and the contract it created (lowercase 0x hex, "" when none)."""

    block: int
    succeeded: bool
    created: str


async def fees(rpc: NodeRpc) -> tuple[int, int]:
    """(maxFeePerGas, maxPriorityFeePerGas): room for the base fee to double before
    the transaction waits."""
    block = await rpc.call("eth_getBlockByNumber", "latest", False)
    base_fee = quantity(block.get("baseFeePerGas", "0x0")) if isinstance(block, dict) else 0
    tip = quantity(await rpc.call("eth_maxPriorityFeePerGas"))
    return 2 * base_fee + tip, tip


async def mined_receipt(rpc: NodeRpc, tx_hash: str) -> dict[str, Any] | None:
    """The receipt of `tx_hash`, or None while no block holds it (a pending transaction's
    receipt may come back without a block)."""
    receipt = await rpc.call("eth_getTransactionReceipt", tx_hash)
    if not isinstance(receipt, dict) or receipt.get("blockNumber") is None:
        return None
    return receipt


async def broadcast(rpc: NodeRpc, raw: bytes, what: str) -> None:
    """Send the signed `raw` bytes. The node holding them already, or their nonce used, is
    no fault: the receipt tells which. Any other refusal is logged, not raised: the next
    pass sends the same bytes again, and the caller's other transactions go on."""
    try:
        await rpc.call("eth_sendRawTransaction", "0x" + raw.hex())
    except NodeError as refused:
        message = refused.message.lower()
        if not any(text in message for text in (*ALREADY_KNOWN, *NONCE_TOO_LOW)):
            log.error("%s: the node refuses it: %s", what, refused.message[:200])


async def follow(
    rpc: NodeRpc, tx_hash: str, raw: bytes, confirmations: int, what: str
) -> Settled | None:
    """Where the stored transaction `tx_hash` (signed as `raw`) is: settled once its block
    and the ones after it number `confirmations`; None before. While no block holds it,
    `raw` is broadcast again."""
    receipt = await mined_receipt(rpc, tx_hash)
    if receipt is None:
        await broadcast(rpc, raw, what)  # the same bytes: never a second transaction
        return None
    block = quantity(receipt["blockNumber"])
    head = quantity(await rpc.call("eth_blockNumber"))
    if head - block + 1 < confirmations:
        return None
    succeeded = quantity(receipt.get("status", "0x0")) == 1
    created = str(receipt.get("contractAddress") or "").lower()
    return Settled(block, succeeded, created)
