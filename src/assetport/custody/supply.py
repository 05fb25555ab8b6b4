"""The supply of a real-world-asset token reconciled between the chain and the ledger.

A token issued on chain (its ERC-20 contract) and in the ledger is one supply, and every
unit of it is a claim on the issuer's attested reserve. Every token on chain is one,
whoever holds it (the exchange's own wallets included: a token there can be sent out and
redeemed). The ledger's supply (minus the external account's balance) is partly backed by
tokens the exchange's addresses hold on chain (deposits); what it holds beyond them exists
only in the ledger. So, read at one block:

    claims = chain total supply + max(0, ledger supply − held by the exchange on chain)

and the token is reconciled when the claims are within what the reserve backs (the latest
attestation less the bars delivered and credits retired since). Chain units the ledger's
precision cannot hold count as one more unit of claim (rounded up): a claim is never stated
below what is out there. The engine bounds the ledger's own issuance by the reserve; only
this report sees the chain's.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from assetport.chain.addresses import Address
from assetport.custody.networks import ChainAsset
from assetport.custody.node_rpc import NodeRpc
from assetport.custody.report import ChainReserves, chain_reserves

# ERC-20 totalSupply()
_TOTAL_SUPPLY: Final = "0x18160ddd"


@dataclass(frozen=True, slots=True)
class SupplyLine:
    """One token's supply, all in ledger units; `reserve` None without an attestation."""

    asset: str
    chain_total: int  # rounded up: what the contract says, at the ledger's precision
    held_by_us: int  # rounded down
    ledger_supply: int
    reserve: int | None

    @property
    def off_chain(self) -> int:
        """The ledger's units no token of ours on chain stands for."""
        return max(0, self.ledger_supply - self.held_by_us)

    @property
    def claims(self) -> int:
        return self.chain_total + self.off_chain

    @property
    def reconciled(self) -> bool:
        return self.reserve is not None and self.claims <= self.reserve


@dataclass(frozen=True, slots=True)
class SupplyReport:
    block: int
    lines: list[SupplyLine]


async def total_supply(rpc: NodeRpc, contract: str, block: str) -> int:
    answer = await rpc.call("eth_call", {"to": contract, "data": _TOTAL_SUPPLY}, block)
    if not isinstance(answer, str) or not answer.startswith("0x"):
        raise ValueError(f"the node answered {answer!r} for a total supply")
    return int(answer, 16) if answer != "0x" else 0


def _up(raw: int, asset: ChainAsset) -> int:
    units, dust = asset.to_ledger_units(raw)
    return units + (1 if dust else 0)


async def supply_report(
    rpc: NodeRpc,
    tokens: Sequence[ChainAsset],
    deposit_addresses: Sequence[str],
    hot: Address,
    cold: Address | None,
    ledger_supply: Mapping[str, int],
    backing: Mapping[str, int | None],
) -> SupplyReport:
    """Each token contract's total supply and our addresses' balances at one block, beside
    the ledger's supply and the reserve's backing."""
    found: ChainReserves = await chain_reserves(rpc, tokens, deposit_addresses, hot, cold)
    at = hex(found.block)
    lines = []
    for asset in tokens:
        if asset.contract is None:
            continue  # the chain's own coin is nobody's real-world asset
        total = await total_supply(rpc, asset.contract, at)
        ours = sum(held.units for held in found.held[asset.asset])
        lines.append(
            SupplyLine(asset.asset, _up(total, asset), asset.to_ledger_units(ours)[0],
                       ledger_supply.get(asset.asset, 0), backing.get(asset.asset))
        )  # fmt: skip
    return SupplyReport(found.block, lines)
