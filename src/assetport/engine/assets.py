"""The listed assets: what money exists on the platform. Shared by every product (a market
trades two of them, a deposit names one) and changed only by `ListAsset`, which the core
handles itself.
"""

from assetport.domain.assets import Asset, AssetKind, asset_problem
from assetport.domain.commands import ListAsset
from assetport.domain.events import AssetListed
from assetport.domain.results import RejectReason
from assetport.engine.context import Context


class Assets:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_code: dict[str, Asset] = {}
        # A real-world-asset token's most supply: what its latest attestation backs (set
        # by the issuance product, derived from its state, so never in a snapshot).
        self.reserve_caps: dict[str, int] = {}

    def get(self, code: str) -> Asset | None:
        return self.by_code.get(code)

    def may_enter(self, code: str, amount: int, supply: int) -> bool:
        """Whether `amount` more units of `code` may come into the ledger on top of
        `supply`: any amount of a coin, of a real-world-asset token only what its attested
        reserve still backs, however they come (a mint, a subscription, a deposit)."""
        asset = self.by_code.get(code)
        if asset is None or asset.kind is not AssetKind.RWA_TOKEN:
            return True
        return amount <= self.reserve_caps.get(code, 0) - supply

    def list_asset(self, cmd: ListAsset) -> None:
        ctx = self.ctx
        if cmd.code in self.by_code:
            return ctx.reject(RejectReason.ALREADY_LISTED)
        asset = Asset(cmd.code, cmd.precision, cmd.kind, cmd.issuer, cmd.metadata)
        if asset_problem(asset) is not None:
            return ctx.reject(RejectReason.INVALID_LISTING)
        self.by_code[cmd.code] = asset
        ctx.events.append(
            AssetListed(
                ctx.seq, ctx.time, cmd.code, cmd.precision, cmd.kind, cmd.issuer, cmd.metadata
            )
        )
        return None

    def listed(self) -> list[Asset]:
        """Every listed asset, by code (also the snapshot's section)."""
        return [self.by_code[code] for code in sorted(self.by_code)]

    def restore(self, assets: list[Asset]) -> None:
        for asset in assets:
            self.by_code[asset.code] = asset
