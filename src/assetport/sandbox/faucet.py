"""The sandbox faucet: test funds for a learner's account, once an hour, as testnets give.

Each grant is an ordinary deposit command with a reference naming the account, the asset
and the hour, so a second request in the same hour changes nothing, even across restarts.
"""

from assetport.api.gateway import Gateway
from assetport.domain.commands import Deposit
from assetport.domain.events import refusal
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
}


class AlreadyGiven(Exception):
    """This account had its test funds this hour."""


async def give_test_funds(gateway: Gateway, account: int, now_ms: int) -> dict[str, int]:
    """Deposit one grant (listed assets only); answer asset -> units given."""
    hour = now_ms // HOUR_MS
    given: dict[str, int] = {}
    for code, amount in GRANT.items():
        precision = gateway.markets.precision.get(code)
        if precision is None:
            continue
        units = to_units(amount, precision)
        outcome = await gateway.engine.execute(
            Deposit(account, code, units, f"faucet-{account}-{code}-{hour}")
        )
        refused = refusal(outcome.events)
        if refused is not None:
            if refused.reason is RejectReason.ALREADY_APPLIED:
                raise AlreadyGiven(f"account {account} had its test funds this hour")
            raise RuntimeError(f"the faucet's deposit was refused: {refused.reason}")
        given[code] = units
    return given
