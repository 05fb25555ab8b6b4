"""The sandbox faucet: test funds for a learner's account, once an hour, as testnets give.

Each grant is an ordinary journaled command with a reference naming the account, the asset
and the hour, so a second request in the same hour changes nothing, even across restarts.
A coin or fiat grant is a deposit. A real-world-asset token's grant comes from its issuer:
the issuer mints the grant into its treasury, within the attested reserve, and allocates
it to the learner (a `TransferRwa` ALLOCATION). Not a deposit, although the engine would
hold one to the reserve as well: this way every token a learner holds was minted by its
issuer and placed by it, which is what the supply, the treasury and the holder register
then show, as they would for a token bought in a subscription.

When a token's reserve is used up, the faucet refuses the whole grant (`ReserveUsedUp`)
before it gives anything: the tokens' mints all come first, so a learner never gets half
a grant and then "already given" for the rest.
"""

from assetport.api.gateway import Gateway
from assetport.domain.assets import Asset, AssetKind
from assetport.domain.commands import Command, Deposit, MintRwa, TransferRwa
from assetport.domain.events import refusal
from assetport.domain.issuance.terms import TransferKind
from assetport.domain.results import RejectReason
from assetport.domain.units import to_units

HOUR_MS = 3_600_000

# What one grant gives, in whole units: enough to try every demo market.
GRANT: dict[str, str] = {
    "KRW": "10000000",
    "USDT": "10000",
    "BTC": "0.1",
    "ETH": "2",
    "KGLD": "50",
    "KSLV": "1000",
    "KCU": "500",
    "KOIL": "50",
    "KRE1": "100",  # shares of the demo office tower: its monthly rent is paid on them
    "KCO2": "10",  # tonnes of CO2e, to retire
}


class AlreadyGiven(Exception):
    """This account had its test funds this hour."""


class ReserveUsedUp(Exception):
    """A token's issuer cannot mint the grant: its attested reserve is used up."""

    def __init__(self, asset: str) -> None:
        super().__init__(f"the attested reserve of {asset} is used up")
        self.asset = asset


async def give_test_funds(gateway: Gateway, account: int, now_ms: int) -> dict[str, int]:
    """Give one grant (listed assets only); answer asset -> units given."""
    hour = now_ms // HOUR_MS
    grants: list[tuple[Asset, int, str]] = []
    for code, amount in GRANT.items():
        asset = gateway.markets.assets.get(code)
        if asset is None:
            continue
        units, ref = to_units(amount, asset.precision), f"faucet-{account}-{code}-{hour}"
        # The issuers' mints first: a used-up reserve refuses the grant before any of it.
        if await _minted(gateway, asset, units, f"{ref}-mint"):
            grants.append((asset, units, ref))
    given: dict[str, int] = {}
    for asset, units, ref in grants:
        refused = refusal((await gateway.engine.execute(_grant(account, asset, units, ref))).events)
        if refused is not None:
            if refused.reason is RejectReason.ALREADY_APPLIED:
                raise AlreadyGiven(f"account {account} had its test funds this hour")
            raise RuntimeError(f"the faucet's grant of {asset.code} was refused: {refused.reason}")
        given[asset.code] = units
    return given


def _issuer(asset: Asset) -> int | None:
    """The treasury a token's grant comes from; None for an asset that is deposited."""
    return asset.issuer if asset.kind is AssetKind.RWA_TOKEN else None


def _grant(account: int, asset: Asset, units: int, ref: str) -> Command:
    issuer = _issuer(asset)
    if issuer is None:
        return Deposit(account, asset.code, units, ref)
    return TransferRwa(issuer, asset.code, issuer, account, units, TransferKind.ALLOCATION,
                       "sandbox faucet", ref)  # fmt: skip


async def _minted(gateway: Gateway, asset: Asset, units: int, ref: str) -> bool:
    """Whether the grant of `asset` can be given: a deposited asset always; a token once
    its issuer minted the grant into its treasury (now, or by an earlier request this hour).
    A token whose issuer never set it up (no terms: a listing file's) is not given."""
    if _issuer(asset) is None:
        return True
    refused = refusal((await gateway.engine.execute(MintRwa(asset.code, units, ref))).events)
    if refused is None or refused.reason is RejectReason.ALREADY_APPLIED:
        return True
    if refused.reason is RejectReason.NOT_AN_RWA_TOKEN:
        return False
    if refused.reason is RejectReason.EXCEEDS_RESERVE:
        raise ReserveUsedUp(asset.code)
    raise RuntimeError(f"the faucet's mint of {asset.code} was refused: {refused.reason}")
