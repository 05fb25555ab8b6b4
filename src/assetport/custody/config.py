"""Custody's configuration: the chain Assetport speaks to and each asset on it, from the
listing file's `[chain]` table or, for the sandbox, the demo defaults.

    [chain]
    network = "BUSAN"            # Binance's `network`: what clients name the chain by
    name = "Busan City Chain"
    rpc_url = "http://10.0.0.5:8545"   # any EVM node; `--chain-rpc` overrides it
    bech32_prefix = "busan"      # deposit addresses are shown in this form too
    cold_address = "0x…"         # watch-only: Assetport holds no key for it
    address_cooldown_hours = 24  # a new withdrawal address waits this long
    approvals_required = 2       # operators who approve a large withdrawal

    [[chain.assets]]
    asset = "ETH"                # the ledger's asset
    contract = "native"          # or the ERC-20 token's 0x address
    chain_decimals = 18
    confirmations = 12
    min_deposit = "0.001"        # decimals, in the asset
    withdraw_fee = "0.0005"
    withdraw_min = "0.001"
    daily_limit = "100"          # per account, any 24 hours
    approval_threshold = "10"    # above it, operators approve
    hot_cap = "50"               # above it, the hot wallet's excess goes cold

Amounts are decimal strings converted exactly to the asset's ledger units; a value with
more decimals than the ledger keeps is refused, never rounded.
"""

from dataclasses import dataclass
from typing import Any, Final

from assetport.chain.addresses import Address, InvalidAddress, parse_address
from assetport.custody.networks import ChainAsset
from assetport.domain.custody import CustodyPolicy, WithdrawalRules
from assetport.domain.units import AmountError, to_units

DEMO_NETWORK: Final = "BUSAN"
DEMO_BECH32_PREFIX: Final = "busan"
# Tokens the demo deploys on its embedded chain, with 18 decimals as PAXG has: the ledger
# keeps 4, so the conversion (and its dust) is exercised on every deposit.
DEMO_TOKENS: Final = ("KGLD", "KSLV", "KCU", "KOIL", "USDT")
NATIVE: Final = "native"
# A contract the demo deploys at its first start (its address is known only then).
DEPLOY: Final = "deploy"


class ChainConfigError(ValueError):
    """The `[chain]` table is wrong: the message names the field."""


@dataclass(frozen=True)
class CustodyAsset:
    """One asset on the chain: how it is deposited (`chain`) and withdrawn (`rules`), and
    the most the hot wallet keeps of it (None: no cap)."""

    chain: ChainAsset
    rules: WithdrawalRules
    hot_cap: int | None
    deploy: bool = False  # the demo deploys its token at the first start


@dataclass(frozen=True)
class ChainConfig:
    network: str
    name: str
    rpc_url: str | None  # None: the embedded anvil (the sandbox)
    bech32_prefix: str
    cold_address: Address | None
    policy: CustodyPolicy
    assets: tuple[CustodyAsset, ...]

    def asset(self, code: str) -> CustodyAsset | None:
        return next((a for a in self.assets if a.chain.asset == code), None)


def chain_config(table: dict[str, Any], precisions: dict[str, int]) -> ChainConfig:
    """The `[chain]` table of a listing file; `precisions` are the listed assets' ledger
    precisions."""
    network = _text(table, "network", "")
    if not network or len(network) > 32 or not network.isalnum():
        raise ChainConfigError("chain.network: up to 32 letters or digits, e.g. BUSAN")
    prefix = _text(table, "bech32_prefix", DEMO_BECH32_PREFIX)
    cold_text = _text(table, "cold_address", "")
    try:
        cold = parse_address(cold_text, prefix) if cold_text else None
    except InvalidAddress as exc:
        raise ChainConfigError(f"chain.cold_address: {exc.reason}") from None
    hours = _integer(table, "address_cooldown_hours", 24)
    policy = CustodyPolicy(hours * 3_600_000, _integer(table, "approvals_required", 2))
    if not 1 <= policy.approvals_required <= 16:
        raise ChainConfigError("chain.approvals_required: 1 to 16")
    rows = table.get("assets", [])
    if not isinstance(rows, list):
        raise ChainConfigError("chain.assets: a list of [[chain.assets]] tables")
    assets = tuple(_asset(row, network, precisions) for row in rows)
    codes = [a.chain.asset for a in assets]
    if len(set(codes)) != len(codes):
        raise ChainConfigError("chain.assets: an asset is named twice")
    rpc_url = _text(table, "rpc_url", "") or None
    name = _text(table, "name", network)
    return ChainConfig(network, name, rpc_url, prefix, cold, policy, assets)


def demo_chain_config(precisions: dict[str, int]) -> ChainConfig:
    """The sandbox's chain: ETH and the demo tokens on the embedded node, a few
    confirmations, small fees, a cooldown short enough to try withdrawals in a session."""
    rows: list[dict[str, Any]] = [
        {"asset": "ETH", "contract": NATIVE, "chain_decimals": 18, "confirmations": 2,
         "min_deposit": "0.0001", "withdraw_fee": "0.0005", "withdraw_min": "0.001",
         "daily_limit": "100", "approval_threshold": "10", "hot_cap": "50"},
    ]  # fmt: skip
    for token in DEMO_TOKENS:
        if token in precisions:
            rows.append(
                {"asset": token, "contract": DEPLOY, "chain_decimals": 18, "confirmations": 2,
                 "min_deposit": "0.1", "withdraw_fee": "1", "withdraw_min": "2",
                 "daily_limit": "1000000", "approval_threshold": "100000", "hot_cap": "500000"}
            )  # fmt: skip
    table = {
        "network": DEMO_NETWORK,
        "name": "Busan City Chain (sandbox)",
        "bech32_prefix": DEMO_BECH32_PREFIX,
        "address_cooldown_hours": 0,
        "approvals_required": 2,
        "assets": [row for row in rows if row["asset"] in precisions],
    }
    return chain_config(table, precisions)


def _asset(row: Any, network: str, precisions: dict[str, int]) -> CustodyAsset:
    if not isinstance(row, dict):
        raise ChainConfigError("chain.assets: each entry is a table")
    code = _text(row, "asset", "")
    where = f"chain.assets[{code or '?'}]"
    if code not in precisions:
        raise ChainConfigError(f"{where}: the asset is not listed")
    precision = precisions[code]
    contract_text = _text(row, "contract", NATIVE)
    deploy = contract_text == DEPLOY
    contract: str | None = None
    if contract_text not in (NATIVE, DEPLOY):
        try:
            contract = parse_address(contract_text, DEMO_BECH32_PREFIX).hex
        except InvalidAddress as exc:
            raise ChainConfigError(f"{where}.contract: {exc.reason}") from None

    def amount(name: str, default: str = "0") -> int:
        return _amount(row, name, default, precision, where)

    try:
        chain = ChainAsset(
            code,
            contract,
            _integer(row, "chain_decimals", 18),
            precision,
            _integer(row, "confirmations", 12),
            amount("min_deposit"),
        )
    except ValueError as exc:
        raise ChainConfigError(f"{where}: {exc}") from None
    rules = WithdrawalRules(
        code,
        network,
        amount("withdraw_fee"),
        amount("withdraw_min"),
        amount("daily_limit"),
        amount("approval_threshold"),
        bool(row.get("withdraw_enabled", True)),
    )
    hot_cap = amount("hot_cap", "-1") if "hot_cap" in row else None
    return CustodyAsset(chain, rules, hot_cap, deploy)


def _text(table: dict[str, Any], name: str, default: str) -> str:
    value = table.get(name, default)
    if not isinstance(value, str):
        raise ChainConfigError(f"chain.{name}: a string")
    return value


def _integer(table: dict[str, Any], name: str, default: int) -> int:
    value = table.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ChainConfigError(f"chain.{name}: a whole number, 0 or more")
    return value


def _amount(row: dict[str, Any], name: str, default: str, precision: int, where: str) -> int:
    text = row.get(name, default)
    if not isinstance(text, str):
        raise ChainConfigError(f'{where}.{name}: a decimal string, e.g. "0.001"')
    try:
        units = to_units(text, precision)
    except AmountError as exc:
        raise ChainConfigError(f"{where}.{name}: {text!r} is not an amount: {exc}") from None
    if units < 0:
        raise ChainConfigError(f"{where}.{name}: cannot be negative")
    return units
